"""The one way to read a file from outside and the one way to write one.

- `read.py`: `read_bytes` / `read_text` / `read_toml` / `read_json`. Stat first and refuse anything
  but a regular file (a FIFO, a device, a directory, a socket, a link to one), open non-blocking,
  cap the size per kind of file (`Kind`), cap the nesting depth before parsing (`depth.py`), and
  say what is wrong as `file:line:col: reason` (`ReadError`), never with the file's text.
- `fields.py`: typed access to parsed TOML/JSON tables, each wrong type a `file:line` problem.
- `write.py`: `write_atomic` (replace a regular file atomically, never a device, FIFO, link or
  directory), `write_unique` (a new name by exclusive create), `locked` (a lock file for
  read-modify-write).

Never imports Textual or rich; never prints.
"""
