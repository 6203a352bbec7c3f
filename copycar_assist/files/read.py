"""The one reader of files from outside: settings, knowledge entries and data TOML, sessions,
guides, account / log / e-mail / prompt files, CA files.

Every read goes the same way:

1. `stat` first (or `lstat` for a private file) and refuse anything but a regular file: a FIFO
   would block the open forever, `/dev/zero` never ends, a directory is not text;
2. open with `O_NONBLOCK` (a FIFO swapped in after the stat cannot block either) and check with
   `fstat` that the open file is the one that was stat'ed;
3. refuse a file larger than its kind's cap before reading, and read at most the cap (a file
   that grows while it is read is cut there and refused);
4. decode UTF-8 with the line and column of the first bad byte;
5. for TOML and JSON, measure the nesting before parsing (`depth.py`) and parse with errors that
   name the line and column but never quote the text.

Every problem is a `ReadError` carrying the path, line, column and a reason in Spanish and
English (`i18n` keys `file.*`). Nothing here blocks on anything but a regular file's read.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from typing import Any, Protocol

from .depth import TooDeep, check_json_depth, check_toml_depth, too_deep_path
from .msg import Msg, place

KIB, MIB = 1024, 1024 * 1024

FilePath = str | os.PathLike[str]  # what every reader and writer takes as a path


@dataclass(frozen=True)
class Kind:
    """A kind of file we read: its size cap, nesting cap and whether it must be private."""

    key: str  # i18n noun: file.kind.<key>
    max_bytes: int
    max_depth: int = 32
    private: bool = False  # no symlink, owner only, not readable by others (it holds secrets)
    # private, but others may read it: its reader refuses it then if it holds a secret (`shared`)
    readable: bool = False


SETTINGS = Kind("settings", 1 * MIB, max_depth=8, private=True, readable=True)
ENTRY = Kind("entry", 1 * MIB, max_depth=16)
DATA = Kind("data", 1 * MIB, max_depth=16)  # checks.toml, categories.toml, support.toml
SESSION = Kind("session", 32 * MIB, max_depth=32)
SESSION_LINE = 4 * MIB  # one record of a session file
GUIDE = Kind("guide", 4 * MIB)
ACCOUNTS = Kind("accounts", 10 * MIB, max_depth=64)
LOG = Kind("log", 20 * MIB)  # read from its end (`read_tail`)
TEXT = Kind("text", 2 * MIB)  # a prompt or an e-mail handed over on the command line
CA = Kind("ca", 1 * MIB)
OUTBOX = Kind("outbox", 16 * MIB, max_depth=32, private=True)  # a ticket waiting for the help desk
STDIN_LINE = 64 * KIB  # one line of a dialogue or of `match -` on standard input

_WHAT = ((stat.S_ISDIR, "dir"), (stat.S_ISFIFO, "fifo"), (stat.S_ISCHR, "chr"), (stat.S_ISBLK, "blk"),
         (stat.S_ISSOCK, "sock"))


class ReadError(Exception):
    """A file that cannot be used. `str()` is `path:line:col: reason` in English; `message(lang)`
    in either language. The reason never quotes the file's content."""

    def __init__(self, path: FilePath, key: str, *, line: int | None = None, col: int | None = None,
                 **params: object):
        self.path, self.key, self.line, self.col, self.params = str(path), key, line, col, params
        super().__init__(self.message("en"))

    def reason_msg(self) -> Msg:
        """The reason as a catalogue message (what an error that wraps this one carries)."""
        params = dict(self.params)
        if "kind" in params:
            params["kind"] = Msg.of(f"file.kind.{params['kind']}")
        if "what" in params:
            params["what"] = Msg.of(f"file.what.{params['what']}")
        if "toml" in params:
            from .toml import toml_reason

            params["toml"] = toml_reason(str(params["toml"]))
        return Msg.of(f"file.{self.key}", **params)

    def reason(self, lang: str = "en") -> str:
        return self.reason_msg().text(lang)

    def message(self, lang: str = "en") -> str:
        return f"{place(self.path, self.line, self.col)}: {self.reason(lang)}"


def _size(n: int) -> str:
    return f"{n // MIB} MiB" if n >= MIB and n % MIB == 0 else f"{n // KIB} KiB"


def _check_stat(path: FilePath, st: os.stat_result, kind: Kind) -> None:
    if stat.S_ISLNK(st.st_mode):
        raise ReadError(path, "symlink")
    if not stat.S_ISREG(st.st_mode):
        what = next((name for test, name in _WHAT if test(st.st_mode)), "other")
        raise ReadError(path, "not_regular", what=what)
    if kind.private and os.name == "posix":
        if st.st_mode & (0o022 if kind.readable else 0o066):
            raise ReadError(path, "shared", mode=f"{stat.S_IMODE(st.st_mode):04o}")
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            raise ReadError(path, "foreign")
    if st.st_size > kind.max_bytes:
        raise ReadError(path, "too_large", kind=kind.key, limit=_size(kind.max_bytes))


def shared(path: FilePath) -> ReadError | None:
    """The error for a file of a `readable` kind that others can read, once it is known to hold
    a secret; None when only its owner can read it."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    if os.name == "posix" and mode & 0o044:
        return ReadError(path, "shared", mode=f"{stat.S_IMODE(mode):04o}")
    return None


def check_regular(path: FilePath, kind: Kind) -> os.stat_result:
    """The checks of step 1 without opening the file: what a command line checks before handing a
    path to a check that reads it later."""
    try:
        st = os.lstat(path) if kind.private else os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise ReadError(path, "missing") from None
    except OSError as exc:
        raise ReadError(path, "unreadable", reason=exc.strerror or type(exc).__name__) from None
    _check_stat(path, st, kind)
    return st


def open_regular(path: FilePath, kind: Kind) -> tuple[int, os.stat_result]:
    """An open descriptor of `path` after every check; the caller closes it."""
    st = check_regular(path, kind)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if kind.private:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ReadError(path, "missing") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ReadError(path, "symlink") from None
        raise ReadError(path, "unreadable", reason=exc.strerror or type(exc).__name__) from None
    try:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (st.st_dev, st.st_ino):
            raise ReadError(path, "changed")
        _check_stat(path, opened, kind)
    except BaseException:
        os.close(fd)
        raise
    return fd, opened


def _read_fd(fd: int, limit: int) -> bytes:
    chunks, total = [], 0
    while total <= limit:
        try:
            chunk = os.read(fd, min(1 * MIB, limit + 1 - total))
        except BlockingIOError:  # only a non-regular file can say so; it was refused before
            break
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def read_bytes(path: FilePath, kind: Kind, *, missing_ok: bool = False) -> bytes | None:
    """The whole file, at most `kind.max_bytes`; None when it does not exist and `missing_ok`."""
    try:
        fd, _st = open_regular(path, kind)
    except ReadError as exc:
        if missing_ok and exc.key == "missing":
            return None
        raise
    try:
        data = _read_fd(fd, kind.max_bytes)
    except OSError as exc:
        raise ReadError(path, "unreadable", reason=exc.strerror or type(exc).__name__) from None
    finally:
        os.close(fd)
    if len(data) > kind.max_bytes:
        raise ReadError(path, "too_large", kind=kind.key, limit=_size(kind.max_bytes))
    return data


def read_tail(path: FilePath, kind: Kind) -> tuple[bytes, int]:
    """The last `kind.max_bytes` of a file (from the first whole line), and the file's size."""
    big = Kind(kind.key, 1 << 62, kind.max_depth, kind.private)  # any size: only the tail is read
    fd, st = open_regular(path, big)
    try:
        if st.st_size > kind.max_bytes:
            os.lseek(fd, st.st_size - kind.max_bytes, os.SEEK_SET)
            data = _read_fd(fd, kind.max_bytes - 1)
            cut = data.find(b"\n")
            data = data[cut + 1:] if cut >= 0 else b""
        else:
            data = _read_fd(fd, kind.max_bytes - 1)
    except OSError as exc:
        raise ReadError(path, "unreadable", reason=exc.strerror or type(exc).__name__) from None
    finally:
        os.close(fd)
    return data, st.st_size


def decode(data: bytes, path: FilePath, *, line_offset: int = 0) -> str:
    """UTF-8 text (a leading BOM dropped), or a `ReadError` at the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1 + line_offset
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ReadError(path, "not_utf8", line=line, col=col) from None


def read_text(path: FilePath, kind: Kind, *, missing_ok: bool = False) -> str | None:
    data = read_bytes(path, kind, missing_ok=missing_ok)
    return None if data is None else decode(data, path)


def parse_toml(text: str, path: FilePath, kind: Kind, *, line_offset: int = 0) -> dict[str, Any]:
    """Parse TOML text read from `path` (which starts at file line `line_offset + 1`)."""
    try:
        check_toml_depth(text, kind.max_depth)
    except TooDeep as exc:
        raise ReadError(path, "too_deep", line=exc.line + line_offset, col=exc.col, limit=kind.max_depth) from None
    import rtoml  # Rust's toml: a valid document read four times as fast as by tomli
    import tomli  # tomllib's parser, compiled: the reference, and the one whose errors are reported

    from .toml import KeyLines, reopens_table, toml_error

    data: dict[str, Any] | None = None
    if not reopens_table(text):  # there rtoml puts a table where its header is, tomli where it was made
        try:
            data = rtoml.loads(text)
        except Exception:  # whatever it does not read (an error, a number out of its range) tomli reads
            data = None
    try:
        if data is None:
            data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        line, col, code = toml_error(exc, text)
        raise ReadError(path, "invalid_toml", line=line + line_offset, col=col, toml=code) from None
    except RecursionError:  # brackets are scanned above: a dotted key thousands of parts long
        long_key = KeyLines(text).deeper_than(kind.max_depth)
        raise ReadError(path, "too_deep", line=long_key + line_offset if long_key else None,
                        limit=kind.max_depth) from None
    deep = too_deep_path(data, kind.max_depth)
    if deep is not None:
        keys = [str(k) for k in deep[: next((i for i, k in enumerate(deep) if not isinstance(k, str)), len(deep))]]
        line = (KeyLines(text).first_under(*keys) or 1) if keys else 1
        raise ReadError(path, "too_deep", line=line + line_offset, limit=kind.max_depth)
    return data


def read_toml(path: FilePath, kind: Kind, *, missing_ok: bool = False) -> tuple[dict[str, Any], str]:
    """The parsed TOML of `path` and its text (`{}` and `""` when it is missing and `missing_ok`)."""
    text = read_text(path, kind, missing_ok=missing_ok)
    if text is None:
        return {}, ""
    return parse_toml(text, path, kind), text


def parse_json(text: str, path: FilePath, kind: Kind, *, line: int | None = None) -> Any:
    """Parse JSON text from `path`; `line`: the file line the text is (a JSON-lines record)."""
    try:
        check_json_depth(text, kind.max_depth)
    except TooDeep as exc:
        raise ReadError(path, "too_deep", line=line or exc.line, col=exc.col if line is None else None,
                        limit=kind.max_depth) from None
    import json

    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = {"line": line, "col": None} if line else {"line": exc.lineno, "col": exc.colno}
        raise ReadError(path, "invalid_json", reason=exc.msg, **where) from None
    except RecursionError:
        raise ReadError(path, "too_deep", line=line, limit=kind.max_depth) from None


def read_json(path: FilePath, kind: Kind) -> Any:
    return parse_json(read_text(path, kind) or "", path, kind)


class LineStream(Protocol):
    """A text stream read a line at a time (standard input, a pipe)."""

    def readline(self, size: int = -1, /) -> str: ...


def read_line(stream: LineStream, number: int, limit: int = STDIN_LINE) -> str:
    """One line of a text stream (standard input), at most `limit` characters: a longer one (such
    as `/dev/zero`, which never ends a line) is a `ReadError` naming the line, not a read of
    everything. "" at the end of the stream."""
    line = stream.readline(limit + 1)
    if len(line) > limit and not line.endswith("\n"):
        raise ReadError("<stdin>", "line_too_long", line=number, limit=_size(limit))
    return line
