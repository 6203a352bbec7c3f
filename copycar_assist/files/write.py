"""The one writer: atomic replace of regular files, new names by exclusive create, a lock for
read-modify-write. Files are created 0600 in directories created 0700.

- `write_atomic(path, data)`: a temporary file in the same directory, fsync, `os.replace`, fsync of
  the directory. Only a regular file (or nothing) is replaced: a device, FIFO, socket, directory or
  symbolic link at `path` is a `WriteError` (as root, `--out /dev/null` once replaced the system's
  `/dev/null` with a regular file).
- `replacing(path)`: the same for a file another library writes (a SQLite database built on
  disk rather than in memory): a temporary path to fill, renamed over `path` when done.
- `write_text(path, text)`: the same for a document people read (transcripts, tickets, imported
  entries): control characters are scrubbed first (`textsafe.scrub`).
- `write_unique(folder, stem, suffix, data)`: `stem.suffix`, else `stem-2.suffix`, … taken with
  `os.link` of a finished temporary file, which fails when the name exists: two writers in the
  same second each keep their file, and no reader ever sees half of one.
- `locked(path)`: an exclusive `flock` on `.<name>.lock` beside `path` for a read-modify-write (20
  concurrent `config set` keep all 20), given up with a `WriteError` after `timeout_s`.

`WriteError` is an `OSError` whose `strerror` says what is wrong, so callers that report
`exc.strerror` need nothing new; `message(lang)` gives it in Spanish or English.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from .read import FilePath

_WHAT = ((stat.S_ISDIR, "dir"), (stat.S_ISFIFO, "fifo"), (stat.S_ISCHR, "chr"), (stat.S_ISBLK, "blk"),
         (stat.S_ISSOCK, "sock"))


class WriteError(OSError):
    def __init__(self, path: FilePath, key: str, **params: str):
        self.path, self.key, self.params = str(path), key, params
        super().__init__(errno.EINVAL, self.reason("en"))
        self.filename = self.path

    def reason(self, lang: str = "en") -> str:
        from copycar_assist.i18n import t

        params = dict(self.params)
        if "what" in params:
            params["what"] = t(f"file.what.{params['what']}", lang)
        return t(f"file.{self.key}", lang, **params)

    def message(self, lang: str = "en") -> str:
        return f"{self.path}: {self.reason(lang)}"

    def __str__(self) -> str:
        return self.message("en")


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


def check_target(path: Path) -> None:
    """Refuse to replace anything but a regular file (a missing file is fine)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        raise WriteError(path, "target_symlink")
    if not stat.S_ISREG(st.st_mode):
        what = next((name for test, name in _WHAT if test(st.st_mode)), "other")
        raise WriteError(path, "target_not_regular", what=what)


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def _temp_with(directory: Path, name: str, data: bytes, mode: int = 0o600) -> str:
    """A finished, synced temporary file (`mode`, 0600 by default) in `directory`, holding `data`."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        if hasattr(os, "fchmod"):  # mkstemp already uses 0600; say it anyway
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Write `data` to `path` atomically with mode 0600 (a reader sees the old or the new file).

    `mode` only for files that hold nothing private and that another user's process must read
    (the Prometheus textfile the node exporter collects)."""
    with replacing(path, data, mode=mode):
        pass


@contextlib.contextmanager
def replacing(path: Path, data: bytes = b"", *, mode: int = 0o600) -> Iterator[str]:
    """A temporary file (0600, or `mode`) beside `path` holding `data`, for the caller to fill
    further (a database built in place); when the block ends without an error it is synced and
    replaces `path` atomically, else it is removed. Only a regular file (or nothing) at `path`
    is replaced (see the module's opening)."""
    path = Path(path)
    check_target(path)
    ensure_private_dir(path.parent)
    tmp = _temp_with(path.parent, path.name, data, mode)
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)  # what the caller added (`data` itself is synced already)
        finally:
            os.close(fd)
        check_target(path)  # again, just before the rename
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def write_text(path: Path, text: str) -> None:
    """A document for people, scrubbed of control characters, written atomically (UTF-8)."""
    from copycar_assist.textsafe import scrub

    write_atomic(path, scrub(text).encode("utf-8"))


def write_unique(folder: Path, stem: str, suffix: str, data: bytes, *, tries: int = 1000) -> Path:
    """Write `data` under a name no other file has: `stem.suffix`, else `stem-N.suffix`."""
    folder = Path(folder)
    ensure_private_dir(folder)
    tmp = _temp_with(folder, stem + suffix, data)
    try:
        for n in range(1, tries + 1):
            target = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
            try:
                os.link(tmp, target)
            except FileExistsError:
                continue
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                    raise
                if not _create_exclusive(target, data):  # no hard links here: exclusive create
                    continue
            _fsync_dir(folder)
            return target
        raise FileExistsError(errno.EEXIST, f"no free name for {stem}{suffix} after {tries} tries")
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _create_exclusive(target: Path, data: bytes) -> bool:
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return True


@contextlib.contextmanager
def locked(path: Path, timeout_s: float = 10.0) -> Iterator[None]:
    """Hold an exclusive lock for a read-modify-write of `path` (`.<name>.lock` beside it)."""
    import fcntl

    path = Path(path)
    ensure_private_dir(path.parent)
    lock = path.parent / f".{path.name}.lock"
    check_target(lock)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        end = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > end:
                    raise WriteError(path, "locked", seconds=f"{timeout_s:g}") from None
                time.sleep(0.01)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
