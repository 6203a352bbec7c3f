"""Compiling a knowledge directory into the store's entries table, with a companion database
made in the same pass (the matcher's index), reusing what the previous compile made of every
entry file whose content has not changed.

    rows = compile_entries(conn, folder, companion, previous)   # yields each entry's preparation
    previous = Previous.open(path, base)                        # the last compile, when reusable

An entry is reused only when the previous compile was made from the same everything-but-the-
entries (format, app, Python, data files, the code that reads them: `base`), and only the
entries whose bytes hash the same. What was reused was stored by a compile that found no
problem in it, so reusing it reports none, as parsing it again would not. Never imports Textual.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from .codec import dumps, entry_from_json, entry_to_json
from .errors import KnowledgeError
from .loader import entry_paths
from .model import Entry
from .scan import scan_data, scan_entries
from .store import Companion, Progress, trusted

ENTRIES = ("CREATE TABLE entries (n INTEGER PRIMARY KEY, id TEXT UNIQUE, severity TEXT, category TEXT, "
           "title TEXT, facts TEXT, digest TEXT, prep TEXT)")
ENTRIES_INDEX = "CREATE INDEX entries_digest ON entries (digest)"


T = TypeVar("T")
Row = tuple[str, str, str, str, str]  # id, severity, category, title (JSON), facts (JSON)


def _row(entry: Entry) -> Row:
    return entry.id, entry.severity, entry.category, dumps(entry.title), entry_to_json(entry)


def _store_row(companion: Companion | None, entry: Entry) -> tuple[Row, str | None]:
    """What a worker sends back of one entry: its row and the companion's preparation as text
    (what the store keeps; the text crosses between processes faster than the object would)."""
    return _row(entry), companion.dump(companion.prepare(entry)) if companion is not None else None


class Previous:
    """The entries table of the last compile of the same folder, read one entry at a time."""

    def __init__(self, conn: sqlite3.Connection, path: Path, base: str) -> None:
        self._conn, self._path, self._base = conn, path, base

    @classmethod
    def open(cls, path: Path, base: str) -> Previous | None:
        """The compile at `path` when it was made from the same `base`, else None."""
        if not trusted(path):
            return None
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            if _base_of(conn, "main") == base:
                return cls(conn, path, base)
            conn.close()
        except sqlite3.Error:  # none, torn or of another shape: nothing to reuse
            pass
        return None

    def attach(self, conn: sqlite3.Connection) -> bool:
        """This compile's file attached to `conn` (a new compile's, before it writes) as `prev`,
        read-only, so that the rows reused from it are copied there in one statement. Rows are
        what the same `base` makes of the same bytes: whatever file holds that base will do. False
        when it cannot be (the rows are then read one by one)."""
        try:
            conn.execute("ATTACH DATABASE ? AS prev", (self._path.resolve().as_uri() + "?mode=ro",))
        except sqlite3.Error:
            return False
        try:
            if _base_of(conn, "prev") == self._base:
                return True
        except sqlite3.Error:
            pass
        conn.execute("DETACH DATABASE prev")
        return False

    def prep(self, digest: str) -> tuple[str, str | None]:
        """The id and the companion's preparation of the file with this digest."""
        found = self._conn.execute("SELECT id, prep FROM entries WHERE digest = ?", (digest,)).fetchone()
        return found[0], found[1]

    def has(self, digest: str, prepared: bool) -> bool:
        """Whether the file with this digest was compiled (with a companion's part, if asked)."""
        sql = "SELECT 1 FROM entries WHERE digest = ?" + (" AND prep IS NOT NULL" if prepared else "")
        return self._conn.execute(sql, (digest,)).fetchone() is not None

    def row(self, digest: str) -> tuple[Row, str | None]:
        found = self._conn.execute("SELECT id, severity, category, title, facts, prep FROM entries WHERE digest = ?",
                                   (digest,)).fetchone()
        return (found[0], found[1], found[2], found[3], found[4]), found[5]

    def entry(self, digest: str) -> Entry:
        found = self._conn.execute("SELECT facts FROM entries WHERE digest = ?", (digest,)).fetchone()
        return entry_from_json(found[0])

    def reusing(self, digests: dict[Path, str], prepared: bool,
                read: Callable[[str, Path], tuple[str, T]]) -> Callable[[Path], Callable[[], tuple[str, T]] | None]:
        """For `scan_entries`: a file whose digest this compile holds (with a companion's part,
        if `prepared`) is taken from here, `read(digest, path)` when its turn comes."""

        def reuse(path: Path) -> Callable[[], tuple[str, T]] | None:
            digest = digests.get(path)
            if not digest or not self.has(digest, prepared):
                return None
            return lambda: read(digest, path)

        return reuse


def _base_of(conn: sqlite3.Connection, schema: str) -> str | None:
    row = conn.execute(f"SELECT value FROM {schema}.meta WHERE key = 'base'").fetchone()
    return row[0] if row else None


def compile_entries(conn: sqlite3.Connection, folder: Path, companion: Companion | None = None,
                    previous: Previous | None = None, digests: dict[Path, str] | None = None,
                    progress: Progress | None = None) -> Iterator[Any]:
    """Every entry of `folder` into a new database (parsed in worker processes when there are
    many; taken from `previous` when its file's digest is there), yielding the companion's
    preparation of each, in order, as they come (nothing is kept). Raises KnowledgeError with
    every problem, as `load_knowledge` does, once all are read. `progress(done, total)` hears
    how far it is, about every hundredth of the files and at the end."""
    scan = scan_data(folder)
    conn.execute(ENTRIES)
    digests = digests or {}
    total = (len(digests) or len(entry_paths(folder))) if progress is not None else 0  # counting may list the folder again
    step = max(1, total // 100)

    copied = previous is not None and previous.attach(conn)  # reused rows copied at the end, in one statement
    if copied:
        conn.execute("CREATE TEMP TABLE reused (n INTEGER PRIMARY KEY, digest TEXT)")

    def read(digest: str, _path: Path) -> tuple[str, tuple[Row | None, str | None]]:
        assert previous is not None
        if copied:
            entry_id, prep_text = previous.prep(digest)
            return entry_id, (None, prep_text)
        row, prep_text = previous.row(digest)
        return row[0], (row, prep_text)

    reuse = previous.reusing(digests, companion is not None, read) if previous is not None else None
    for n, parsed in enumerate(scan_entries(scan, partial(_store_row, companion), reuse)):
        if scan.problems:
            continue  # broken knowledge is reported, never stored: read on, for every problem
        row, prep_text = parsed.kept
        if row is None:
            conn.execute("INSERT INTO reused VALUES (?, ?)", (n, digests.get(parsed.path)))
        else:
            conn.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (n, *row, digests.get(parsed.path), prep_text))
        if progress is not None and (n + 1) % step == 0:
            progress(n + 1, total)
        yield companion.load(prep_text) if companion is not None and prep_text is not None else None
    if progress is not None:
        progress(total, total)
    if copied:
        conn.execute("INSERT INTO entries SELECT r.n, p.id, p.severity, p.category, p.title, p.facts, p.digest, "
                     "p.prep FROM reused r JOIN prev.entries p ON p.digest = r.digest")
        conn.commit()  # a database is detached outside a transaction
        conn.execute("DROP TABLE reused")
        conn.execute("DETACH DATABASE prev")
    conn.execute(ENTRIES_INDEX)
    if scan.problems or scan.support is None:
        raise KnowledgeError(scan.problems)
