"""The run history: one SQLite database in the data directory the caller names (`history.sqlite3`).

What it keeps: every `doctor` and `diagnose` run with its check results, every monitor window
(the metrics of one target over its sliding window), the alerts raised and cleared with how
their delivery went, the latency seen for each base URL (the baseline "usual" latency is taken
from it), and acknowledgements of known problems with their expiry. Reading and comparing is in
`runquery.py`; this file opens, repairs and writes.

Safe with several processes writing at once: WAL journal, a busy timeout, and every write is
one short `BEGIN IMMEDIATE` transaction (a writer waits for the lock instead of failing on an
upgrade). The file is created 0600 in a 0700 directory and must be a regular file: a symbolic
link, a FIFO or a device in its place is reported and left alone.

A database that SQLite cannot read (not a database, a malformed page) is moved aside as
`history.sqlite3.corrupt-<UTC time>` (with its `-wal`), a new one is started, and `problem`
says so; when even that fails the store is `disabled` with the reason and every call is a no-op
(reads give nothing). It never raises out of a public method for a database or disk problem:
the app and the commands go on without history.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from copycar_assist.files.write import WriteError, locked
from copycar_assist.redact import make_scrubber, scrub_obj
from copycar_assist.textsafe import clean_obj, one_line

if TYPE_CHECKING:
    from copycar_assist.checks.base import CheckResult
    from copycar_assist.monitor.rules import AlertEvent
    from copycar_assist.monitor.window import Metrics

_T = TypeVar("_T")
Clock = Callable[[], float]  # epoch seconds

DB_NAME = "history.sqlite3"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 10_000
QUICK_CHECK_MAX_BYTES = 64 * 1024 * 1024  # a full quick_check on open only below this size
KEEP_DAYS = 90  # windows and latency rows older than this are pruned

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, started REAL NOT NULL, duration_ms INTEGER,
    base_url TEXT, entry TEXT, pid INTEGER, summary TEXT);
CREATE INDEX IF NOT EXISTS runs_kind ON runs(kind, started);
CREATE TABLE IF NOT EXISTS results (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, check_id TEXT NOT NULL,
    status TEXT NOT NULL, outcome TEXT, summary TEXT, evidence TEXT, duration_ms INTEGER,
    entry TEXT, cause TEXT, PRIMARY KEY (run_id, check_id));
CREATE INDEX IF NOT EXISTS results_check ON results(check_id, run_id);
CREATE TABLE IF NOT EXISTS windows (
    id INTEGER PRIMARY KEY, run_id INTEGER, target TEXT NOT NULL, source TEXT NOT NULL,
    start REAL NOT NULL, end REAL NOT NULL, samples INTEGER NOT NULL, avg_ms REAL, p95_ms REAL,
    success_rate REAL, error_rate REAL, per_min REAL, alerts TEXT);
CREATE INDEX IF NOT EXISTS windows_target ON windows(target, end);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY, run_id INTEGER, target TEXT NOT NULL, type TEXT NOT NULL,
    severity TEXT NOT NULL, state TEXT NOT NULL, at REAL NOT NULL, value REAL, threshold REAL,
    message TEXT, delivery TEXT);
CREATE INDEX IF NOT EXISTS alerts_at ON alerts(at);
CREATE TABLE IF NOT EXISTS latency (
    id INTEGER PRIMARY KEY, target TEXT NOT NULL, at REAL NOT NULL, source TEXT NOT NULL,
    samples INTEGER NOT NULL, avg_ms REAL, p95_ms REAL, usual INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS latency_target ON latency(target, at);
CREATE TABLE IF NOT EXISTS acks (
    check_id TEXT PRIMARY KEY, until REAL NOT NULL, reason TEXT NOT NULL, created REAL NOT NULL);
"""


@dataclass(frozen=True)
class StoreProblem:
    """What went wrong with the history file: a key (for the message) and the details."""

    key: str  # moved_aside | not_regular | unusable
    path: str
    detail: str = ""
    moved_to: str | None = None

    def message(self, lang: str = "en") -> str:
        from copycar_assist.i18n import t

        return t(f"history.{self.key}", lang, path=self.path, detail=self.detail, moved=self.moved_to or "")


def _now_stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _json(value: Any) -> str:
    return json.dumps(clean_obj(value), ensure_ascii=False, default=str, separators=(",", ":"))


class RunStore:
    """The history database. Build it with `RunStore.open(root)`; `problem` and `disabled` say how it
    went. Thread-safe (one connection behind a lock): the monitor writes from worker threads."""

    def __init__(self, path: Path, *, clock: Clock = time.time):
        self.path = Path(path)
        self.clock = clock
        self.problem: StoreProblem | None = None
        self.disabled: str | None = None  # why nothing is kept (then every call is a no-op)
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    # --- opening --------------------------------------------------------------------------------

    @classmethod
    def open(cls, root: Path, *, clock: Clock = time.time) -> RunStore:
        """The store in the folder `root` (the app's: `support.history.data_dir()`). Never raises."""
        store = cls(root / DB_NAME, clock=clock)
        store._open()
        return store

    def _open(self) -> None:
        # Creating, checking, migrating and moving aside are done by one process at a time: a
        # file another process is still creating must never be mistaken for a damaged one.
        try:
            with locked(self.path):
                self._open_locked()
        except WriteError as exc:
            self._disable("unusable", exc.message("en"))
        except OSError as exc:
            self._disable("unusable", exc.strerror or type(exc).__name__)

    def _open_locked(self) -> None:
        try:
            if not self._regular_or_missing():
                return
            self._connect()
        except sqlite3.DatabaseError as exc:
            self._close_quietly()
            self._move_aside(exc)

    def _regular_or_missing(self) -> bool:
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            except FileExistsError:  # another process created it between the two calls
                st = os.lstat(self.path)
            else:
                os.close(fd)
                return True
        if not stat.S_ISREG(st.st_mode):
            self._disable("not_regular", "")
            return False
        return True

    def _connect(self) -> None:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                             check_same_thread=False)
        self._db = db
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        if self.path.stat().st_size <= QUICK_CHECK_MAX_BYTES:
            verdict = db.execute("PRAGMA quick_check(1)").fetchone()
            if not verdict or verdict[0] != "ok":
                raise sqlite3.DatabaseError(one_line(str(verdict[0] if verdict else "quick_check failed"), 200))
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"written by a newer version (schema {version})")
        self._write_script(_SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION};")

    def _move_aside(self, exc: BaseException) -> None:
        target = self.path.with_name(f"{self.path.name}.corrupt-{_now_stamp()}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{_now_stamp()}-{n}")
        try:
            os.replace(self.path, target)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    if suffix == "-wal":
                        os.replace(side, target.with_name(target.name + suffix))
                    else:
                        side.unlink()
        except OSError as move_exc:
            self._disable("unusable", f"{one_line(str(exc), 160)}; {move_exc.strerror or move_exc}")
            return
        self.problem = StoreProblem("moved_aside", str(self.path), one_line(str(exc), 160), str(target))
        try:
            self._regular_or_missing()
            self._connect()
        except (sqlite3.DatabaseError, OSError) as again:
            self._close_quietly()
            self._disable("unusable", one_line(str(again), 160))

    def _disable(self, key: str, detail: str) -> None:
        self._close_quietly()
        self.problem = self.problem or StoreProblem(key, str(self.path), detail)
        self.disabled = detail or key

    def _close_quietly(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            try:
                db.close()
            except sqlite3.Error:
                pass

    def close(self) -> None:
        with self._lock:
            self._close_quietly()

    @property
    def usable(self) -> bool:
        return self._db is not None and self.disabled is None

    # --- low level ------------------------------------------------------------------------------

    def _write_script(self, script: str) -> None:
        assert self._db is not None
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for statement in script.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _write(self, work: Callable[[sqlite3.Connection], _T]) -> _T | None:
        """Run `work(db)` in one IMMEDIATE transaction; None (and the store disabled) on a
        database or disk error."""
        with self._lock:
            if not self.usable:
                return None
            db = self._db
            assert db is not None
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    out = work(db)
                    db.execute("COMMIT")
                    return out
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    return None  # another writer held the lock past the timeout: this write is lost
                self._disable("unusable", one_line(str(exc), 160))
            except sqlite3.DatabaseError as exc:
                self._disable("unusable", one_line(str(exc), 160))
            return None

    def read(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a query (empty when the store is not usable)."""
        with self._lock:
            if not self.usable:
                return []
            db = self._db
            assert db is not None
            try:
                cur = db.execute(sql, tuple(params))
                names = [d[0] for d in cur.description or ()]
                return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
            except sqlite3.DatabaseError as exc:
                self._disable("unusable", one_line(str(exc), 160))
                return []

    # --- writing --------------------------------------------------------------------------------

    def record_run(self, kind: str, results: Iterable[CheckResult], *, base_url: str | None = None,
                   entry: str | None = None, duration_ms: int = 0, started: float | None = None) -> int | None:
        """A doctor / diagnose run and its check results (`CheckResult`s, already redacted by the
        runner of the settings' secrets; what looks like a pasted key is masked here too, as every
        writer does). The run's id, or None when nothing could be kept."""
        scrub = make_scrubber(None)
        rows = list(results)
        at = self.clock() if started is None else started
        counts: dict[str, int] = {}
        for r in rows:
            counts[r.status] = counts.get(r.status, 0) + 1

        def work(db: sqlite3.Connection) -> int:
            cur = db.execute("INSERT INTO runs(kind, started, duration_ms, base_url, entry, pid, summary) "
                             "VALUES (?,?,?,?,?,?,?)",
                             (kind, at, int(duration_ms), base_url, entry, os.getpid(), _json(counts)))
            run_id = int(cur.lastrowid or 0)
            db.executemany(
                "INSERT OR REPLACE INTO results(run_id, check_id, status, outcome, summary, evidence, duration_ms,"
                " entry, cause) VALUES (?,?,?,?,?,?,?,?,?)",
                [(run_id, r.id, r.status, r.outcome, scrub(one_line(r.summary, 500)), _json(scrub_obj(r.evidence, scrub)),
                  r.duration_ms, r.entry, r.cause) for r in rows])
            return run_id

        return self._write(work)

    def start_run(self, kind: str, *, base_url: str | None = None) -> int | None:
        """A run with no check results yet (a monitor session); its id."""
        at = self.clock()
        return self._write(lambda db: int(db.execute(
            "INSERT INTO runs(kind, started, duration_ms, base_url, pid, summary) VALUES (?,?,?,?,?,?)",
            (kind, at, 0, base_url, os.getpid(), "{}")).lastrowid or 0))

    def finish_run(self, run_id: int | None, summary: dict[str, Any]) -> None:
        if run_id is None:
            return
        at = self.clock()
        self._write(lambda db: db.execute(
            "UPDATE runs SET duration_ms = CAST((? - started) * 1000 AS INTEGER), summary = ? WHERE id = ?",
            (at, _json(summary), run_id)))

    def record_window(self, run_id: int | None, target: str, source: str, m: Metrics, alerts: list[str]) -> None:
        """One monitor window."""
        self._write(lambda db: db.execute(
            "INSERT INTO windows(run_id, target, source, start, end, samples, avg_ms, p95_ms, success_rate,"
            " error_rate, per_min, alerts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (run_id, target, source, m.start, m.end, m.samples, m.avg_ms, m.p95_ms, m.success_rate,
             m.error_rate, m.per_min, _json(alerts))))

    def record_latency(self, target: str, source: str, *, samples: int, avg_ms: float | None,
                       p95_ms: float | None, usual: bool, at: float | None = None) -> None:
        """What latency a base URL showed (`usual`: no latency alert or finding at the time, so
        it may count towards the baseline)."""
        when = self.clock() if at is None else at
        self._write(lambda db: db.execute(
            "INSERT INTO latency(target, at, source, samples, avg_ms, p95_ms, usual) VALUES (?,?,?,?,?,?,?)",
            (target, when, source, samples, avg_ms, p95_ms, 1 if usual else 0)))

    def record_alert(self, run_id: int | None, event: AlertEvent, delivery: dict[str, Any] | None = None) -> int | None:
        """An alert raised or cleared."""
        return self._write(lambda db: int(db.execute(
            "INSERT INTO alerts(run_id, target, type, severity, state, at, value, threshold, message, delivery)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (run_id, event.target, event.type, event.severity, event.state, event.at, event.value,
             event.threshold, one_line(event.message_en, 300), _json(delivery or {}))).lastrowid or 0))

    def set_delivery(self, alert_id: int | None, delivery: dict[str, Any]) -> None:
        if alert_id is None:
            return
        self._write(lambda db: db.execute("UPDATE alerts SET delivery = ? WHERE id = ?", (_json(delivery), alert_id)))

    def ack(self, check_id: str, until: float, reason: str) -> bool:
        at = self.clock()
        done = self._write(lambda db: db.execute(
            "INSERT OR REPLACE INTO acks(check_id, until, reason, created) VALUES (?,?,?,?)",
            (check_id, until, one_line(reason, 200), at)))
        return done is not None

    def unack(self, check_id: str) -> bool:
        done = self._write(lambda db: db.execute("DELETE FROM acks WHERE check_id = ?", (check_id,)).rowcount)
        return bool(done)

    def prune(self, keep_days: float = KEEP_DAYS) -> None:
        floor = self.clock() - keep_days * 86400

        def work(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM windows WHERE end < ?", (floor,))
            db.execute("DELETE FROM latency WHERE at < ?", (floor,))
            db.execute("DELETE FROM acks WHERE until < ?", (floor,))

        self._write(work)
