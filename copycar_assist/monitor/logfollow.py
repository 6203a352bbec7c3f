"""The monitor's metrics from a call log in the guide's format, as it grows (`--log-file --follow`).

`LogTail` follows a file like `tail -F`: it reads what was appended since the last poll (at most
`MAX_READ` bytes a poll, lines cut at `logparse.MAX_LINE_CHARS`, an unfinished last line kept
for the next poll up to `MAX_PARTIAL`), notices a rotation (the name now points to another
file: the old one is read to its end, then the new one from its start) and a truncation (the
file got shorter than where we were: read again from its start). The file is opened through
the one reader's checks (a regular file; a FIFO or a device is a `ReadError`).

`LogMonitor` turns the lines into samples (`API Call` lines; an error is a 5xx or a call with no
status, as the knowledge's high-error-rate cause has it; `Error` lines count by the log
analysis' rule: errors are the larger of failed calls and Error lines, never both) and feeds the same
windows and alert rules as the probe monitor, on the log's own clock (its time stamps), so a
log replayed later gives the same alerts. Here the throughput rule applies: these are the
application's own calls.
"""

from __future__ import annotations

import os
from collections import deque

from copycar_assist.checks import logparse
from copycar_assist.files.read import LOG, Kind, ReadError, open_regular

from .rules import AlertEvent, AlertTracker, Policy, Rule
from .window import Metrics, Sample, Window

MAX_READ = 4 * 1024 * 1024
MAX_PARTIAL = 64 * 1024
FOLLOW = Kind(LOG.key, 1 << 62)  # any size: only what is appended is read


class LogTail:
    def __init__(self, path: str, *, from_end: bool = False, tail_bytes: int = 1024 * 1024):
        self.path = path
        self.fd: int | None = None
        self.ident: tuple[int, int] | None = None
        self.offset = 0
        self.partial = b""
        self.rotations = 0
        self.truncations = 0
        self._open(from_end, tail_bytes)

    def _open(self, from_end: bool = False, tail_bytes: int = 0) -> None:
        fd, st = open_regular(self.path, FOLLOW)
        self.fd, self.ident = fd, (st.st_dev, st.st_ino)
        self.offset = max(0, st.st_size - tail_bytes) if from_end else 0
        self.partial = b""
        if self.offset:  # start at a line boundary
            os.lseek(fd, self.offset, os.SEEK_SET)
            chunk = os.read(fd, min(tail_bytes, 65536))
            cut = chunk.find(b"\n")
            self.offset += cut + 1 if cut >= 0 else len(chunk)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def _read_more(self) -> bytes:
        assert self.fd is not None
        os.lseek(self.fd, self.offset, os.SEEK_SET)
        data = os.read(self.fd, MAX_READ)
        self.offset += len(data)
        return data

    def poll(self) -> list[str]:
        """The complete lines appended since the last poll."""
        if self.fd is None:
            return []
        size = os.fstat(self.fd).st_size
        if size < self.offset:  # truncated in place (copytruncate)
            self.truncations += 1
            self.offset, self.partial = 0, b""
        data = self._read_more()
        try:
            st = os.stat(self.path)
            rotated = (st.st_dev, st.st_ino) != self.ident
        except FileNotFoundError:
            rotated = False  # moved away and not yet recreated: keep reading the old one
        if rotated and len(data) < MAX_READ:
            self.close()
            self.rotations += 1
            lines = self._lines(data, final=True)
            try:
                self._open()
            except ReadError:
                return lines
            return lines + self._lines(self._read_more())
        return self._lines(data)

    def _lines(self, data: bytes, final: bool = False) -> list[str]:
        data = self.partial + data
        parts = data.split(b"\n")
        rest = parts.pop()
        self.partial = b"" if final else rest[-MAX_PARTIAL:]
        if final and rest:
            parts.append(rest)
        return [p.decode("utf-8", "replace")[: logparse.MAX_LINE_CHARS] for p in parts if p.strip()]


class LogWindow(Window):
    """A window of logged calls that also counts `Error` lines (the log analysis' rule)."""

    def __init__(self, target: str, span_s: float):
        super().__init__(target, span_s)
        self.errors: deque[float] = deque(maxlen=50_000)

    def metrics(self, now: float) -> Metrics:
        floor = now - self.span_s
        while self.errors and self.errors[0] < floor:
            self.errors.popleft()
        m = super().metrics(now)
        failed = round((m.error_rate or 0) * m.samples)
        ok = round((m.success_rate or 0) * m.samples)
        extra = max(0, len(self.errors) - failed)
        ops = m.samples + extra
        if not ops:
            return m
        return Metrics(m.target, m.start, m.end, m.samples, m.avg_ms, m.p95_ms, ok / ops,
                       (failed + extra) / ops, m.per_min, {**m.statuses, **({"error_lines": len(self.errors)}
                                                                             if self.errors else {})})


class LogMonitor:
    """Windows and alert rules on the log's own clock: the rules are evaluated every
    `step_s` seconds of log time, however the lines arrive (one poll or many), so replaying a
    log gives the alerts it gave live."""

    def __init__(self, target: str, tracker_rules: list[Rule], *, window_s: float = 300.0, policy: Policy | None = None,
                 step_s: float = 5.0):
        self.target = target
        self.window = LogWindow(target, window_s)
        self.window_s = window_s
        self.tracker = AlertTracker(tracker_rules, policy)
        self.step_s = step_s
        self.latest: float | None = None
        self.next_eval: float | None = None
        self.unrecognised = 0

    def _evaluate(self, at: float, events: list[AlertEvent]) -> None:
        m = self.window.metrics(at)
        events.extend(self.tracker.evaluate(m, source="log", window_s=self.window_s))

    def feed(self, lines: list[str]) -> tuple[Metrics | None, list[AlertEvent]]:
        """Add lines; the window's metrics at the latest time stamp and the alert events."""
        events: list[AlertEvent] = []
        for line in lines:
            rec = logparse.parse_line(line)
            if rec is None:
                self.unrecognised += 1
                continue
            if rec.ts is None:
                continue
            at = rec.ts.timestamp()
            if self.next_eval is None:
                self.next_eval = at + self.step_s
            if at - self.next_eval > self.window_s:  # a long gap: one evaluation, not thousands
                self.next_eval = at
            while at >= self.next_eval:
                self._evaluate(self.next_eval, events)
                self.next_eval += self.step_s
            self.latest = at if self.latest is None else max(self.latest, at)
            if isinstance(rec, logparse.ApiCall):
                self.window.add(Sample(at, self.target, rec.endpoint, rec.ms, rec.status,
                                       None if rec.status is not None else "no_status"))
            elif isinstance(rec, logparse.ErrorLine):
                self.window.errors.append(at)
        if self.latest is None:
            return None, events
        return self.window.metrics(self.latest), events
