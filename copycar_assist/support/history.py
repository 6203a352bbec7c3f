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
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .textblock import Scrub, scrub_obj

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
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)


class SessionLog:
    """An open session file. `append(record)` writes and syncs one line."""

    def __init__(self, path: Path, scrub: Scrub | None = None):
        self.path = path
        self.id = path.stem
        self._scrub = scrub
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._fd: int | None = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    @classmethod
    def create(cls, scrub: Scrub | None = None, root: Path | None = None,
               meta: dict[str, Any] | None = None) -> SessionLog:
        """A new session file with a header record (`type: "session"`)."""
        folder = sessions_dir(root)
        log = cls(folder / f"{_new_id()}{SUFFIX}", scrub)
        from copycar_assist import __version__

        log.append({"type": "session", "id": log.id, "version": __version__, **(meta or {})})
        return log

    def append(self, record: dict[str, Any]) -> None:
        if self._fd is None:
            raise ValueError("session log is closed")
        record = dict(record)
        record.setdefault("at", datetime.now(timezone.utc).isoformat(timespec="milliseconds"))
        if self._scrub is not None:
            record = scrub_obj(record, self._scrub)
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        data = line.encode("utf-8")
        written = 0
        while written < len(data):
            written += os.write(self._fd, data[written:])
        os.fsync(self._fd)

    def extend(self, records: Iterable[dict[str, Any]]) -> None:
        for r in records:
            self.append(r)

    def close(self) -> None:
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
    path = Path(path)
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    complete_end = raw.endswith(b"\n")
    session = Session(path.stem, path)
    last = len(lines) - 1
    for n, chunk in enumerate(lines):
        if not chunk.strip():
            continue
        try:
            record = json.loads(chunk.decode("utf-8"))
            if not isinstance(record, dict):
                raise ValueError("not an object")
        except (ValueError, UnicodeDecodeError):
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


def list_sessions(root: Path | None = None) -> list[SessionSummary]:
    """Past sessions, newest first."""
    folder = sessions_dir(root)
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob(f"*{SUFFIX}"), reverse=True):
        try:
            s = load_session(path)
        except OSError:
            continue
        head = s.header
        users = [r for r in s.records if r.get("type") == "input"]
        entries = []
        for r in s.records:
            e = r.get("entry")
            if r.get("type") == "cause_found" and isinstance(e, str) and e not in entries:
                entries.append(e)
        out.append(SessionSummary(
            id=s.id, path=path, started=str(head.get("at", "")), lang=head.get("lang"),
            first_text=str(users[0].get("text", "")) if users else "", entries=entries,
            records=len(s.records), torn=s.torn,
        ))
    return out
