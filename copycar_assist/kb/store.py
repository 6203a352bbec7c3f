"""The compiled knowledge base: one SQLite file in the user's cache directory, keyed by a hash of
the content it was built from, so that a start does not parse every entry's Markdown again.

It holds, per entry, its facts as JSON (read one entry at a time, when asked: lazy bodies) and
a head row (id, severity, category, title) for listings; and any prepared data a consumer adds
in a database of its own (`cached_db`, `put`, `Rows`: the matcher's index, matching/compiled.py). Nothing in it is
executable: rows are JSON text or packed arrays of numbers (matching/postings.py), never pickle.

    store = open_store(root)      # build when missing or stale (raises KnowledgeError when the
                                  # knowledge is broken), else open what is there
    store.ids, store.heads()      # cheap
    store.entry("invalid-api-key")
    store.knowledge_base()        # a KnowledgeBase whose entries load on first access

Trust: the file is used only when it is a regular file owned by this user, not writable by
others, in a directory owned by this user; it is written 0600 through files/write.py. Anything
odd, unreadable or stale means: build again. `COPYCAR_ASSIST_CACHE` overrides the directory;
`COPYCAR_ASSIST_NO_CACHE=1` builds in memory and writes nothing. Never imports Textual.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from copycar_assist.files.read import ENTRY

from .codec import entry_from_json, entry_to_json, loads
from .errors import KnowledgeError, Problem
from .loader import KnowledgeBase, data_path, default_dir, entry_paths, load_catalog, load_categories
from .model import Category, CheckSpec, Entry, Localized
from .pool import bulk_work

if TYPE_CHECKING:
    from .answers import Answers
    from .support import SupportData

APP_NAME = "copycar-assist"
FORMAT = 5  # bump when what is stored changes shape
DATA_FILES = ("checks.toml", "categories.toml", "support.toml", "answers.toml")


def trusted(path: Path) -> bool:
    """A cache file this user owns, in a directory this user owns, neither writable by others."""
    try:
        st, parent = path.lstat(), path.parent.lstat()
    except OSError:
        return False
    uid = os.getuid()
    return (stat.S_ISREG(st.st_mode) and st.st_uid == uid and not st.st_mode & 0o022
            and parent.st_uid == uid and not parent.st_mode & 0o022)


# Told (entry files read, of how many) as a compile goes: the app shows it while it waits.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Companion:
    """A database compiled in the same pass as the entries (the matcher's index), so that no
    entry is parsed twice: `prepare(entry)` runs where the entry was parsed (a worker process:
    a module-level function, returning plain data that `dump` writes as JSON text and `load`
    reads back, for the next compile to reuse), `fill(conn, prepared)` makes the database from
    every entry's result, in order, read once as they stream in."""

    kind: str
    prepare: Callable[[Entry], Any]
    fill: Callable[[sqlite3.Connection, Iterator[Any]], None]
    dump: Callable[[Any], str]
    load: Callable[[str], Any]


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("COPYCAR_ASSIST_CACHE"):
        return Path(env["COPYCAR_ASSIST_CACHE"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def digests(root: Path) -> tuple[str, dict[Path, str]]:
    """(`base`, each entry file's digest): `base` hashes everything the compiled knowledge
    depends on but the entries (format, app and Python versions, the folder, the data files,
    the source of the packages that read (files, kb) and prepare (matching) them); an entry's
    digest hashes its name and content, so that an unchanged file can be reused by the next
    compile (compile.py)."""
    return base_digest(root), entry_digests(root)


def base_digest(root: Path) -> str:
    from copycar_assist import __version__

    h = hashlib.sha256(f"{FORMAT}|{__version__}|{sys.version}|{root.resolve()}\n".encode())
    here = Path(__file__).resolve().parent
    sources = sorted(here.glob("*.py")) + sorted((here.parent / "files").glob("*.py")) + sorted(
        (here.parent / "matching").rglob("*.py")) + sorted((here.parent / "matching" / "data").glob("*"))
    for path in [*(data_path(root, name) for name in DATA_FILES), *sources]:
        h.update(f"\0{path}\0".encode())
        h.update(_digest(path))
    return h.hexdigest()


def entry_digests(root: Path) -> dict[Path, str]:
    return {path: f"{path.name}:{_digest(path).hex()}" for path in entry_paths(root)}


def content_hash(root: Path) -> str:
    """SHA-256 of everything the compiled knowledge depends on (`digests`, entries included)."""
    return _content_hash(*digests(root))


def _content_hash(base: str, entries: dict[Path, str]) -> str:
    h = hashlib.sha256(base.encode())
    for digest in entries.values():
        h.update(f"\0{digest}".encode())
    return h.hexdigest()


def _digest(path: Path) -> bytes:
    """SHA-256 of a regular file's content (at most the reader's cap); a marker for anything else
    (a FIFO or a device is never opened for reading: the loader reports it)."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > ENTRY.max_bytes:
            return f"\0irregular {st.st_mode} {st.st_size}".encode()
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return b"\0irregular"
            return hashlib.sha256(fh.read(ENTRY.max_bytes + 1)).digest()
    except OSError:
        return b"\0missing"


# -- the store ------------------------------------------------------------------------------


class EntryHead(TypedDict):
    """What a listing shows of an entry (`Store.heads`), read without decoding the entry."""

    id: str
    severity: str
    category: str
    title: Localized


class Store:
    """An open compiled knowledge base (read-only; safe to share between threads)."""

    def __init__(self, root: Path, conn: sqlite3.Connection, key: str | None = None) -> None:
        self.root = root
        self.key = key  # the content hash it was built from (None: not cached)
        # Companion databases built in the same pass as this one (kind -> database).
        self.companions: dict[str, sqlite3.Connection] = {}
        self._conn = conn
        self._lock = threading.Lock()
        self.ids: list[str] = [row[0] for row in self._query("SELECT id FROM entries ORDER BY n")]

    def _query(self, sql: str, args: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
        """The rows of a query (columns as SQLite gives them: what the query selects)."""
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def heads(self) -> list[EntryHead]:
        """id, severity, category and title of every entry, in order (no entry is parsed)."""
        return [{"id": i, "severity": s, "category": c, "title": loads(t)}
                for i, s, c, t in self._query("SELECT id, severity, category, title FROM entries ORDER BY n")]

    def entry(self, entry_id: str) -> Entry:
        rows = self._query("SELECT facts FROM entries WHERE id = ?", (entry_id,))
        if not rows:
            raise KeyError(entry_id)
        return entry_from_json(rows[0][0])

    def knowledge_base(self) -> KnowledgeBase:
        """The knowledge base: its entries read from the store on first access each, its data
        files on first use each (`StoredKnowledgeBase`)."""
        return StoredKnowledgeBase(self)


class StoredKnowledgeBase(KnowledgeBase):
    """A compiled store's knowledge base. Nothing is read until it is used: an entry is decoded
    the first time it is asked for, and each data file (checks, categories, support, answers) is
    read the first time it is, so a command pays only for what it uses (`match` never reads the
    check catalogue, and the guide's answers only for a question). The store is current for
    these files as they are (its hash covers them), so they were valid when it was opened."""

    def __init__(self, store: Store) -> None:  # not the dataclass's: it would read every file now
        self.root, self.entries, self.warnings = store.root, LazyEntries(store), []

    def __getattr__(self, name: str) -> Any:  # reached only for a data file not read yet
        readers: dict[str, Callable[[], Any]] = {
            "checks": lambda: load_catalog(data_path(self.root, "checks.toml")),
            "categories": lambda: load_categories(data_path(self.root, "categories.toml")),
            "support": lambda: _load_support(self.root),
        }
        if name not in readers:
            raise AttributeError(name)
        value = readers[name]()
        setattr(self, name, value)
        return value

    @property  # the dataclass gives `answers` a default, so __getattr__ would never be asked
    def answers(self) -> Answers | None:
        if "_answers" not in self.__dict__:
            from .answers import load_answers

            self.__dict__["_answers"] = load_answers(data_path(self.root, "answers.toml"), self.support)
        answers: Answers | None = self.__dict__["_answers"]
        return answers

    @answers.setter
    def answers(self, value: Answers | None) -> None:
        self.__dict__["_answers"] = value


def _load_support(root: Path) -> SupportData:
    from .support import load_support

    return load_support(data_path(root, "support.toml"))


# A prepared row's value: JSON text, or bytes (numbers packed by their consumer: matching/postings.py).
Value = str | bytes


class Rows:
    """Prepared rows (key -> `Value`) of one table of a compiled database, read on demand."""

    def __init__(self, conn: sqlite3.Connection, table: str) -> None:
        self._conn, self._table, self._lock = conn, _table(table), threading.Lock()

    def get(self, key: str) -> Value | None:
        with self._lock:
            row = self._conn.execute(f"SELECT value FROM {self._table} WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def all(self) -> list[tuple[str, Value]]:
        with self._lock:
            return self._conn.execute(f"SELECT key, value FROM {self._table}").fetchall()


def _table(name: str) -> str:
    if not name.isidentifier():
        raise ValueError(name)
    return f"prep_{name}"


class LazyEntries(Mapping[str, Entry]):
    """`kb.entries` read from the store: an entry is decoded the first time it is asked for."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._ids = store.ids
        self._known = set(self._ids)
        self._loaded: dict[str, Entry] = {}

    def __getitem__(self, entry_id: str) -> Entry:
        entry = self._loaded.get(entry_id)
        if entry is None:
            if entry_id not in self._known:
                raise KeyError(entry_id)
            entry = self._loaded[entry_id] = self.store.entry(entry_id)
        return entry

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def new_db(path: str = ":memory:") -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, uri=True)  # uri: what it attaches is read-only (compile.py)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    return conn


def put(conn: sqlite3.Connection, table: str, rows: Iterable[tuple[str, Value]]) -> None:
    """Rows (key, `Value`) into `table` of a database being built."""
    name = _table(table)
    conn.execute(f"CREATE TABLE IF NOT EXISTS {name} (key TEXT PRIMARY KEY, value TEXT)")
    conn.executemany(f"INSERT INTO {name} VALUES (?, ?)", rows)


def cache_path(folder: Path, kind: str, environ: Mapping[str, str] | None = None) -> Path:
    """Where the database `kind` compiled from the knowledge at `folder` is cached."""
    where = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    return cache_dir(environ) / f"kb-{where}-{kind}.sqlite"


def cached_db(folder: Path, kind: str, key: str | None, fill: Callable[[sqlite3.Connection], None],
              environ: Mapping[str, str] | None = None, meta: Mapping[str, str] | None = None) -> sqlite3.Connection:
    """The database `kind` compiled from the knowledge at `folder`: the cached file when it was
    built from content hashing to `key`, else a new one that `fill(conn)` fills, built on disk
    beside the cache file and renamed over it when done (so that a knowledge base larger than
    memory can be compiled), or in memory when nothing may be cached. `meta`: more (key, value)
    for the new database's meta table."""
    env = os.environ if environ is None else environ
    if key is None or env.get("COPYCAR_ASSIST_NO_CACHE"):
        return _in_memory(fill)
    try:
        path = cache_path(folder, kind, env)
    except OSError:
        return _in_memory(fill)
    current = _current(path, key)
    if current is not None:
        return current
    from copycar_assist.files.write import replacing

    started = False  # `fill` may read a stream: it runs once, whatever happens
    try:
        with replacing(path) as tmp:
            conn = new_db(tmp)
            try:
                conn.execute("PRAGMA journal_mode = OFF")  # a new file, renamed into place when whole
                conn.execute("PRAGMA synchronous = OFF")
                started = True
                with bulk_work():
                    fill(conn)
                conn.executemany("INSERT INTO meta VALUES (?, ?)", [("hash", key), *(meta or {}).items()])
                conn.commit()
            finally:
                conn.close()
    except (OSError, sqlite3.Error) as exc:
        if not started:  # the cache cannot be written here: build in memory this time
            return _in_memory(fill)
        raise KnowledgeError([Problem(path, None, "kb.problem.store_unwritable", reason=str(exc))]) from None
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)


def _current(path: Path, key: str) -> sqlite3.Connection | None:
    """The cached database at `path`, open, when it is ours and was built from content hashing to
    `key`; else None (none there, a torn, stale or foreign file: build again)."""
    if not trusted(path):
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        row = conn.execute("SELECT value FROM meta WHERE key = 'hash'").fetchone()
        if row and row[0] == key:
            return conn
        conn.close()
    except sqlite3.Error:
        pass
    return None


def _in_memory(fill: Callable[[sqlite3.Connection], None]) -> sqlite3.Connection:
    conn = new_db()
    with bulk_work():
        fill(conn)
    conn.commit()
    return conn


def open_store(root: Path | str | None = None, environ: Mapping[str, str] | None = None,
               companion: Companion | None = None, digested: tuple[str, dict[Path, str]] | None = None,
               progress: Progress | None = None) -> Store:
    """The compiled knowledge at `root` (None: the shipped one): the cached file when its hash is
    current, else built now (and cached), with `companion`'s database when one is given. Raises
    KnowledgeError for broken knowledge. `digested`: the folder's `digests`, when the caller
    has just computed them (a large knowledge base's files are hashed once). `progress(done,
    total)`: how many entry files a compile has read so far (none is called without one)."""
    env = os.environ if environ is None else environ
    folder = Path(root) if root is not None else default_dir()
    if not folder.is_dir():
        from .scan import load_knowledge

        load_knowledge(folder)  # the standard "knowledge directory not found" error
    try:
        base, entries = ("", {}) if env.get("COPYCAR_ASSIST_NO_CACHE") else digested or digests(folder)
        key = _content_hash(base, entries) if base else None
    except OSError:
        base, entries, key = "", {}, None
    built: dict[str, sqlite3.Connection] = {}

    def fill(conn: sqlite3.Connection) -> None:
        from .compile import Previous, compile_entries  # only to compile: a warm start never needs it

        previous = Previous.open(cache_path(folder, "entries", env), base) if key else None
        prepared = compile_entries(conn, folder, companion, previous, entries, progress)
        if companion is not None:  # built as the entries come in, each entry read once
            built[companion.kind] = cached_db(folder, companion.kind, key,
                                              lambda other: companion.fill(other, prepared), env)
        for _ in prepared:  # what the companion did not read (it was cached already)
            pass

    store = Store(folder, cached_db(folder, "entries", key, fill, env, {"base": base}), key)
    store.companions.update(built)
    return store


def compiled(root: Path | str | None = None, kinds: tuple[str, ...] = ("entries",),
             environ: Mapping[str, str] | None = None,
             digested: tuple[str, dict[Path, str]] | None = None) -> tuple[bool, int]:
    """Whether the knowledge at `root` has current compiled databases of these kinds in the
    cache (nothing to compile), and how many entry files it has."""
    env = os.environ if environ is None else environ
    folder = Path(root) if root is not None else default_dir()
    try:
        base, entries = digested or digests(folder)
    except OSError:
        return False, 0
    key = _content_hash(base, entries)
    for kind in kinds:
        conn = _current(cache_path(folder, kind, env), key)
        if conn is None:
            return False, len(entries)
        conn.close()
    return True, len(entries)


def load_cached(root: Path | str | None = None, environ: Mapping[str, str] | None = None,
                companion: Companion | None = None, digested: tuple[str, dict[Path, str]] | None = None,
                progress: Progress | None = None) -> KnowledgeBase:
    """The knowledge base at `root` through the store (entries decoded on first access)."""
    return open_store(root, environ, companion, digested, progress).knowledge_base()


__all__ = ["Category", "CheckSpec", "Companion", "Store", "cache_dir", "compiled", "content_hash", "entry_from_json",
           "entry_to_json", "load_cached", "open_store"]
