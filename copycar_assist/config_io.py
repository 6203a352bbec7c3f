"""The settings file on disk: read it privately, write it atomically, change it under a lock.

Kept apart from `config.py` (the model, loading and validation) so each file has one concern; the
work itself is done by the one reader and the one writer (`copycar_assist/files`).

- `read_private(path)`: the text of the settings, or None when there is none. A symbolic link, a
  file other users can write (it could point the key at another host), another user's file, a
  FIFO or device, a file over 1 MiB or one that is not UTF-8 is a `ReadError` that says what is
  wrong and how to fix it (whether others may read it depends on what it holds: `config.py`).
- `write_atomic(path, data)`: see `files/write.py` (re-exported here for the settings' callers).
- `locked(path)`: the settings lock, under which `config.update_settings_file` reads, changes and
  writes the file (see `files/write.py`).
"""

from __future__ import annotations

from pathlib import Path

from .files.read import SETTINGS, read_text
from .files.toml import KeyLines, toml_error
from .files.write import ensure_private_dir, locked, write_atomic

__all__ = ["KeyLines", "ensure_private_dir", "locked", "read_private", "toml_error", "write_atomic"]


def read_private(path: Path) -> str | None:
    """The text of the settings file, or None when it does not exist (see the module doc)."""
    return read_text(path, SETTINGS, missing_ok=True)
