"""File plumbing for the settings: a safe read, TOML errors without values, key lines, atomic writes.

Kept apart from `config.py` (the model, loading and validation) so each file has one concern.

- `read_private(path)`: opens the file without following a symlink and refuses a file that group or
  others can read or write (it holds secrets; a writable one could point the key at another host).
- `toml_error(exc, text)`: `(line, col, reason)` from a `tomllib.TOMLDecodeError`, with any text
  copied from the file (tomllib quotes illegal characters and key names) removed.
- `KeyLines(text)`: where each dotted key is written in a TOML document, for error messages.
- `write_atomic(path, data)`: a temporary file in the same directory, fsync, `os.replace`, mode
  0600; a missing parent directory is created with mode 0700.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from pathlib import Path

MAX_CONFIG_BYTES = 1024 * 1024  # a settings file is a few hundred bytes; refuse anything huge


class UnsafeFile(Exception):
    """The file cannot be used (symlink, permissions, size, not a regular file). Message is safe."""


def read_private(path: Path) -> str | None:
    """The text of the config file, or None when it does not exist.

    Raises `UnsafeFile` with a message that says what is wrong and how to fix it.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        if path.is_symlink():  # also caught by O_NOFOLLOW; this gives the clearer message
            raise UnsafeFile(
                "is a symbolic link; the settings hold secrets, so only a regular file is read "
                "(replace the link with the file itself)"
            )
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeFile("is a symbolic link; only a regular file is read") from None
        raise UnsafeFile(f"cannot be read: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeFile("is not a regular file")
        if os.name == "posix":
            if st.st_mode & 0o066:
                raise UnsafeFile(
                    f"is readable or writable by other users (mode {stat.S_IMODE(st.st_mode):04o}); "
                    f"it holds secrets: run `chmod 600 {path}`"
                )
            if hasattr(os, "getuid") and st.st_uid != os.getuid():
                raise UnsafeFile("belongs to another user; it holds secrets, so it is not read")
        if st.st_size > MAX_CONFIG_BYTES:
            raise UnsafeFile(f"is larger than {MAX_CONFIG_BYTES // 1024} KiB; not a settings file")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_CONFIG_BYTES:
        raise UnsafeFile(f"is larger than {MAX_CONFIG_BYTES // 1024} KiB; not a settings file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UnsafeFile(f"{line}:{col}: is not valid UTF-8") from None


# --- TOML syntax errors without the file's text ---------------------------------------------------

_COORD = re.compile(r"^(?P<msg>.*) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$", re.S)
# tomllib messages that are fixed text (safe to show as they are)
_FIXED = {
    "Invalid statement", "Expected newline or end of document after a statement",
    "Cannot overwrite a value", "Expected ']' at the end of a table declaration",
    "Expected ']]' at the end of an array declaration", "Expected '=' after a key in a key/value pair",
    "Invalid initial character for a key part", "Unclosed array", "Unclosed inline table",
    "Unescaped '\\' in a string", "Invalid hex value", "Escaped character is not a Unicode scalar value",
    "Unterminated string", "Invalid date or datetime", "Invalid value",
}
# messages that carry text from the file (a character, a key): keep only the fixed part
_PREFIXES = {
    "Illegal character": "illegal control character in a string or comment",
    "Found invalid character": "invalid character",
    "Cannot declare": "a table is declared twice",
    "Cannot mutate immutable namespace": "cannot add keys to an inline table or a value already set",
    "Cannot redefine namespace": "cannot redefine a table",
    "Duplicate inline table key": "duplicate key in an inline table",
    "Expected": "unterminated string or comment",
}


def toml_error(exc: Exception, text: str) -> tuple[int, int, str]:
    """(line, column, reason) of a TOML syntax error; the reason never quotes the document."""
    m = _COORD.match(str(exc))
    msg = m.group("msg") if m else ""
    if m and m.group("line"):
        line, col = int(m.group("line")), int(m.group("col"))
    else:  # "end of document"
        line = text.count("\n") + 1
        col = len(text) - (text.rfind("\n") + 1) + 1
    if msg in _FIXED:
        reason = msg[0].lower() + msg[1:]
    else:
        reason = next((v for k, v in _PREFIXES.items() if msg.startswith(k)), "invalid TOML syntax")
    return line, col, f"invalid TOML: {reason}"


# --- where a key is written -----------------------------------------------------------------------

_BARE = r"[A-Za-z0-9_-]+"
_KEYPART = rf'(?:{_BARE}|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_KEYPART}(?:\s*\.\s*{_KEYPART})*"
_HEADER = re.compile(rf"^\s*\[\[?\s*(?P<key>{_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(rf"^(?P<indent>\s*)(?P<key>{_DOTTED})\s*=\s*")
_PART = re.compile(_KEYPART)


def _split_key(dotted: str) -> tuple[str, ...]:
    parts = []
    for p in _PART.findall(dotted):
        if p[:1] in "\"'":
            p = p[1:-1]
        parts.append(p)
    return tuple(parts)


class KeyLines:
    """Line and column of each dotted key in a TOML text (best effort; for messages only)."""

    def __init__(self, text: str | None):
        self._at: dict[tuple[str, ...], tuple[int, int]] = {}
        if not text:
            return
        table: tuple[str, ...] = ()
        in_multiline: str | None = None
        for n, line in enumerate(text.splitlines(), 1):
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            h = _HEADER.match(line)
            if h:
                table = _split_key(h.group("key"))
                self._at.setdefault(table, (n, line.index("[") + 1))
                continue
            a = _ASSIGN.match(line)
            if a:
                key = table + _split_key(a.group("key"))
                self._at.setdefault(key, (n, a.end() + 1))  # column of the value
                rest = line[a.end():]
                for quote in ('"""', "'''"):
                    if rest.startswith(quote) and rest.count(quote) == 1:
                        in_multiline = quote

    def find(self, *path: str) -> tuple[int | None, int | None]:
        """Line and value column of the key, else of its nearest written parent."""
        key = tuple(path)
        while key:
            if key in self._at:
                return self._at[key]
            key = key[:-1]
        return None, None


# --- atomic write ---------------------------------------------------------------------------------


def ensure_private_dir(directory: Path) -> None:
    """Create `directory` (and missing parents) with mode 0700; leave existing ones alone."""
    missing = []
    d = directory
    while not d.exists():
        missing.append(d)
        if d.parent == d:
            break
        d = d.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(d, 0o700)  # mkdir's mode is filtered by the umask


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically with mode 0600 (a reader sees the old or the new file)."""
    ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):  # mkstemp already uses 0600; say it anyway
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if os.name == "posix":  # make the rename itself durable
        try:
            dfd = os.open(path.parent, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(dfd)
        except OSError:
            pass
        finally:
            os.close(dfd)
