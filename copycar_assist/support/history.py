"""Session history, saved as it goes: one append-only JSONL file per session.

Each record is one JSON object on one line, scrubbed of secrets, written with a single
`os.write` on an `O_APPEND` descriptor, then fsync'd, so a killed process loses at most the
line being written. Loading tolerates a torn last line (and skips, counting them, any other
line that does not parse). Files live in `<data dir>/sessions/`, where the data dir is
`$COPYCAR_ASSIST_DATA` or the platform's user data dir (platformdirs); the directory is created
0700 and the files 0600 (a transcript may hold customer details).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from copycar_assist.files.fields import is_id
from copycar_assist.files.read import SESSION, SESSION_LINE, FilePath, ReadError, parse_json, read_bytes
from copycar_assist.files.write import ensure_private_dir
from copycar_assist.redact import Scrub, scrub_obj
from copycar_assist.textsafe import clean_obj

APP_NAME = "copycar-assist"
SUFFIX = ".jsonl"


def data_dir(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("COPYCAR_ASSIST_DATA"):
        return Path(env["COPYCAR_ASSIST_DATA"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def sessions_dir(root: Path | None = None) -> Path:
    return (root or data_dir()) / "sessions"


def _new_id() -> str:
    """UTC time to the microsecond (ids sort by start time) and a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)


@dataclass(frozen=True)
class SavingStopped:
    """Why a session stopped being saved: the file (or folder) and the system's reason."""

    path: Path
    reason: str  # e.g. "No space left on device", "Permission denied"


# What the user does in a conversation: a session with none of these (opened and closed, or
# only greeted, or answered with empty lines) is not worth a file.
SAID = frozenset({"input", "choice"})


def _said(record: dict[str, Any]) -> bool:
    return record.get("type") in SAID and (record.get("type") != "input" or bool(str(record.get("text", "")).strip()))


class SessionLog:
    """An open session file. `append(record)` writes and syncs one line.

    `until_said`: the file is made when the user first says or picks something (a record of a
    type in SAID); what came before is held until then and written first. A session closed before
    that leaves no file (`sessions list` showed every greeting nobody answered).

    When the disk refuses a write (full, gone, read-only), saving stops for the rest of the
    conversation: `stopped` says why and `on_stop(stopped)` is called once, so the UI can say so;
    `append` never raises for it (the conversation goes on)."""

    def __init__(self, path: Path, scrub: Scrub | None = None,
                 on_stop: Callable[[SavingStopped], None] | None = None, *, create: bool = True,
                 until_said: bool = False):
        self.path = path
        self.id = path.stem
        self._scrub = scrub
        self.on_stop = on_stop
        self.stopped: SavingStopped | None = None
        self._fd: int | None = None
        self._held: list[dict[str, Any]] | None = [] if create and until_said else None
        self._made = False
        if create and not until_said:
            self._open()

    def _open(self) -> None:
        """A new file of our own: never an existing one, never through a link."""
        ensure_private_dir(self.path.parent)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) \
            | getattr(os, "O_CLOEXEC", 0)
        self._fd = os.open(self.path, flags, 0o600)
        self._made = True

    @classmethod
    def create(cls, scrub: Scrub | None = None, root: Path | None = None,
               meta: dict[str, Any] | None = None,
               on_stop: Callable[[SavingStopped], None] | None = None, *, until_said: bool = False) -> SessionLog:
        """A new session file with a header record (`type: "session"`). Raises OSError when the
        file cannot be created (with `until_said`, it is made later: `on_stop` says why not)."""
        folder = sessions_dir(root)
        log = cls(folder / f"{_new_id()}{SUFFIX}", scrub, on_stop, until_said=until_said)
        from copycar_assist import __version__

        log.append({"type": "session", "id": log.id, "version": __version__, **(meta or {})})
        return log

    @classmethod
    def start(cls, scrub: Scrub | None = None, root: Path | None = None, meta: dict[str, Any] | None = None,
              on_stop: Callable[[SavingStopped], None] | None = None, *, until_said: bool = False) -> SessionLog:
        """Like `create`, but never raises: when the file cannot be created, a log whose saving
        has already stopped (and `on_stop` has been told why)."""
        try:
            return cls.create(scrub, root, meta, on_stop, until_said=until_said)
        except OSError as exc:
            log = cls(sessions_dir(root), scrub, on_stop, create=False)
            log._stop(exc, exc.filename or log.path)
            return log

    def _stop(self, exc: OSError, where: FilePath | None = None) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None
        self.stopped = SavingStopped(Path(where or self.path), exc.strerror or type(exc).__name__)
        if self.on_stop is not None:
            self.on_stop(self.stopped)

    def append(self, record: dict[str, Any]) -> None:
        if self.stopped is not None:
            return
        record = dict(record)
        record.setdefault("at", datetime.now(UTC).isoformat(timespec="milliseconds"))
        if self._held is not None:
            if not _said(record):
                self._held.append(record)
                return
            held, self._held = self._held, None
            try:
                self._open()
            except OSError as exc:
                self._stop(exc, exc.filename or self.path)
                return
            for earlier in held:
                self._write(earlier)
        self._write(record)

    @property
    def saved(self) -> bool:
        """Whether the session has a file (with `until_said`, once the user said something)."""
        return self._made and self.stopped is None

    def _write(self, record: dict[str, Any]) -> None:
        if self.stopped is not None:
            return
        if self._fd is None:
            raise ValueError("session log is closed")
        if self._scrub is not None:
            record = scrub_obj(record, self._scrub)
        line = json.dumps(clean_obj(record), ensure_ascii=False, default=str) + "\n"
        data = line.encode("utf-8")
        try:
            written = 0
            while written < len(data):
                written += os.write(self._fd, data[written:])
            os.fsync(self._fd)
        except OSError as exc:
            self._stop(exc)

    def extend(self, records: Iterable[dict[str, Any]]) -> None:
        for r in records:
            self.append(r)

    def close(self) -> None:
        self._held = None  # nothing was said: no file
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> SessionLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class Session:
    id: str
    path: Path
    records: list[dict[str, Any]] = field(default_factory=list)
    torn: bool = False  # the last line was cut short (the process died while writing)
    bad_lines: list[int] = field(default_factory=list)  # 1-based lines that did not parse

    @property
    def header(self) -> dict[str, Any]:
        return self.records[0] if self.records and self.records[0].get("type") == "session" else {}

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r.get("type") == kind]


def load_session(path: Path | str) -> Session:
    """A saved session through the one reader (a regular file of at most 32 MiB). Lines longer
    than `SESSION_LINE`, nested too deep, or not a JSON object are skipped and counted; a torn
    last line is tolerated. Raises `ReadError` when the file itself cannot be used."""
    path = Path(path)
    raw = read_bytes(path, SESSION) or b""
    lines = raw.split(b"\n")
    complete_end = raw.endswith(b"\n")
    session = Session(path.stem, path)
    last = len(lines) - 1
    for n, chunk in enumerate(lines):
        if not chunk.strip():
            continue
        try:
            if len(chunk) > SESSION_LINE:
                raise ValueError("line too long")
            record = parse_json(chunk.decode("utf-8"), path, SESSION, line=n + 1)
            if not isinstance(record, dict):
                raise ValueError("not an object")
        except (ValueError, UnicodeDecodeError, ReadError):
            if n == last and not complete_end:
                session.torn = True
            else:
                session.bad_lines.append(n + 1)
            continue
        session.records.append(record)
    return session


@dataclass
class SessionSummary:
    id: str
    path: Path
    started: str
    lang: str | None
    first_text: str
    entries: list[str]
    records: int
    torn: bool
    problem: str | None = None  # why the file cannot be read (then nothing else is known)


@dataclass
class SessionPage:
    """One page of `find_sessions`: the sessions shown, newest first, and what is left.

    `more` is how many further sessions match (known exactly when only names were filtered);
    `more_unknown` says that older files were not opened, so some of them may match too."""

    sessions: list[SessionSummary]
    more: int = 0
    more_unknown: bool = False


def id_stamp(when: datetime) -> str:
    """The id prefix of a session started at `when` (UTC): ids compare like their start times."""
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime("%Y%m%dT%H%M%S%fZ")


def session_ids(root: Path | None = None) -> list[str]:
    """Ids of the saved sessions, newest first. Only names are read: no file is opened."""
    folder = sessions_dir(root)
    try:
        with os.scandir(folder) as it:
            names = [e.name[: -len(SUFFIX)] for e in it
                     if e.name.endswith(SUFFIX) and not e.name.startswith(".")]
    except (FileNotFoundError, NotADirectoryError):
        return []
    names.sort(reverse=True)
    return names


def summarize(path: Path) -> SessionSummary:
    """What a listing shows of one session, read from its file; fields of the wrong type are
    left out (a stored record is data from outside like any other). Never raises."""
    try:
        s = load_session(path)
    except ReadError as exc:
        return SessionSummary(path.stem, path, "", None, "", [], 0, False, problem=exc.reason())
    head = s.header
    first = next((r for r in s.records if r.get("type") == "input" and isinstance(r.get("text"), str)), None)
    entries: list[str] = []
    for r in s.records:
        e = r.get("entry")
        if r.get("type") == "cause_found" and isinstance(e, str) and is_id(e) and e not in entries:
            entries.append(e)
    lang, at = head.get("lang"), head.get("at")
    return SessionSummary(
        id=s.id, path=path, started=at if isinstance(at, str) else "", lang=lang if lang in ("es", "en") else None,
        first_text=first["text"] if first else "", entries=entries, records=len(s.records), torn=s.torn,
    )


def find_sessions(root: Path | None = None, *, limit: int | None = None, since: datetime | None = None,
                  entry: str | None = None) -> SessionPage:
    """Saved sessions, newest first, opening only the files it returns (and, with `entry`, the
    newer ones it had to look into). `since` is decided from the ids alone."""
    ids = session_ids(root)
    if since is not None:
        floor = id_stamp(since)
        ids = [i for i in ids if i >= floor]  # newest first: a prefix of the list
    folder = sessions_dir(root)
    page = SessionPage([])
    for n, sid in enumerate(ids):
        if limit is not None and len(page.sessions) >= limit:
            rest = len(ids) - n
            if entry is None:
                page.more = rest
            else:
                page.more_unknown = rest > 0
            break
        summary = summarize(folder / f"{sid}{SUFFIX}")
        if entry is not None and entry not in summary.entries:
            continue
        page.sessions.append(summary)
    return page


def list_sessions(root: Path | None = None) -> list[SessionSummary]:
    """Every saved session, newest first (opens every file: `find_sessions` pages)."""
    return find_sessions(root).sessions
