"""A start-up cache of the parsed knowledge base, for the app (no Textual here).

Parsing every entry's Markdown costs more than Textual's own start-up, and the app must load and
validate the knowledge base before its first frame (a broken entry is a plain error, never a
traceback). A knowledge base that loaded cleanly is pickled into the user's cache directory; the
next start reuses it while nothing it was built from changed: every file of the knowledge
directory and of the shipped data (name, size, mtime), the kb package's own source files, the
app version and the Python version.

The cache is trusted only when it is a regular file owned by this user and not writable by
others, in a directory owned by this user; anything odd (or unreadable) means: parse again.
`COPYCAR_ASSIST_CACHE` overrides the directory; `COPYCAR_ASSIST_NO_CACHE=1` disables it.
"""

from __future__ import annotations

import os
import pickle
import stat
import sys
import zlib
from pathlib import Path

APP_NAME = "copycar-assist"


def cache_dir(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("COPYCAR_ASSIST_CACHE"):
        return Path(env["COPYCAR_ASSIST_CACHE"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def _files(root: Path, shipped: Path) -> list[Path]:
    import copycar_assist.kb as kb_package

    out: list[Path] = []
    for folder in dict.fromkeys([root, shipped]):
        if folder.is_dir():
            out += sorted(p for p in folder.iterdir() if p.suffix in (".md", ".toml"))
    out += sorted(Path(kb_package.__file__).parent.glob("*.py"))
    return out


def fingerprint(root: Path) -> str:
    """Everything the parsed knowledge base depends on, as one string (compared exactly)."""
    from copycar_assist import __version__
    from copycar_assist.kb import default_dir

    parts = [__version__, sys.version, str(root.resolve())]
    for path in _files(root, default_dir()):
        st = path.stat()
        parts.append(f"{path}|{st.st_size}|{st.st_mtime_ns}")
    return "\n".join(parts)


def _trusted(path: Path) -> bool:
    try:
        st = path.lstat()
        parent = path.parent.lstat()
    except OSError:
        return False
    uid = os.getuid()
    return (stat.S_ISREG(st.st_mode) and st.st_uid == uid and not st.st_mode & 0o022
            and parent.st_uid == uid and not parent.st_mode & 0o022)


def load_cached(root: str | Path | None, environ: dict[str, str] | None = None):
    """The knowledge base at `root` (None: the shipped one), from the cache when it is current.

    Raises `KnowledgeError` exactly like `load_knowledge` when the knowledge base is broken.
    """
    from copycar_assist.kb import KnowledgeBase, default_dir, load_knowledge

    env = os.environ if environ is None else environ
    if env.get("COPYCAR_ASSIST_NO_CACHE"):
        return load_knowledge(root)
    folder = Path(root) if root is not None else default_dir()
    try:
        key = fingerprint(folder)
        path = cache_dir(env) / f"kb-{zlib.crc32(key.encode()):08x}.pickle"
    except OSError:
        return load_knowledge(root)
    if _trusted(path):
        try:
            with open(path, "rb") as fh:
                stored_key, kb = pickle.load(fh)
            if stored_key == key and isinstance(kb, KnowledgeBase):
                return kb
        except Exception:  # a torn, stale or foreign file: parse again  # noqa: BLE001
            pass
    kb = load_knowledge(root)  # raises KnowledgeError for a broken knowledge base
    _store(path, key, kb)
    return kb


def _store(path: Path, key: str, kb) -> None:
    from copycar_assist.files.write import write_atomic

    try:
        data = pickle.dumps((key, kb), protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        for old in path.parent.glob("kb-*.pickle"):  # keep one cache file: the current one
            if old != path:
                old.unlink(missing_ok=True)
        write_atomic(path, data)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass
