"""Parse and summarise a CopyCar call log in the guide's format. Pure: no UI, no network.

The guide's logger writes `%(asctime)s - %(name)s - %(levelname)s - %(message)s` with three
kinds of message:

    2025-03-01 10:00:00,123 - copycar_ai - INFO - API Call: GET /verify - Status: 200 - Response Time: 123ms
    2025-03-01 10:00:01,456 - copycar_ai - ERROR - Error: RateLimitError - Message: too many - Context: {...}
    2025-03-01 10:00:02,789 - copycar_ai - INFO - Performance: response_time = 5200 - Status: WARNING

Anything else is tolerated: a line in that layout with another message is counted as `other`, a
line that is not in the layout at all (a traceback, junk) as `unrecognised`; neither stops the
analysis. Work is bounded: at most `MAX_BYTES` (20 MB) and `MAX_LINES` (200,000 lines) are read,
from the END of the file (the recent calls matter most), and each line is cut at 8 KB; the stats
say when that happened.

Definitions (the same whoever reads the log: TUI, conversation or check):
- calls: `API Call` lines; ok calls: status 2xx; failed calls: status >= 400 or no status.
- errors = max(failed calls, `Error` lines): the guide's code may log an `Error` line for a failed
  call, or only an `Error` line (a timeout has no status). Taking the larger never counts one
  failure twice and never misses failures that only have an `Error` line. Those extra `Error`
  lines are operations too: operations = calls + max(0, Error lines - failed calls).
- error rate = errors / operations; success rate = ok calls / operations.
- average, p95 (nearest rank) and max response time over the calls that give one.
- throughput = calls per minute over the time between the first and the last timestamp; not
  computed when that span is under a minute (too short to mean anything).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from copycar_assist.files.read import LOG, FilePath, Kind
from copycar_assist.files.read import read_tail as read_tail_bytes

if TYPE_CHECKING:
    from copycar_assist.kb.support import Thresholds

MAX_BYTES = 20 * 1024 * 1024
MAX_LINES = 200_000
MAX_LINE_CHARS = 8192
MIN_SPAN_S = 60.0

_LINE = re.compile(
    r"^(?P<ts>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[,.]\d{1,6})?)\s+-\s+(?P<name>\S.*?)\s+-\s+"
    r"(?P<level>DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)\s+-\s+(?P<msg>.*)$"
)
_API = re.compile(
    r"^API Call:\s+(?P<method>[A-Za-z]+)\s+(?P<endpoint>\S+)\s+-\s+Status:\s+(?P<status>\d{3}|None|-)"
    r"\s+-\s+Response Time:\s+(?P<ms>\d+(?:\.\d+)?|None|-)\s*(?:ms)?\s*$"
)
_ERR = re.compile(r"^Error:\s+(?P<type>.+?)\s+-\s+Message:\s+(?P<message>.*?)(?:\s+-\s+Context:\s+(?P<context>.*))?$")
_PERF = re.compile(r"^Performance:\s+(?P<metric>\S+)\s+=\s+(?P<value>\S+)\s+-\s+Status:\s+(?P<status>OK|WARNING)\s*$")


@dataclass(frozen=True)
class ApiCall:
    ts: datetime | None
    method: str
    endpoint: str
    status: int | None  # None: no response
    ms: float | None


@dataclass(frozen=True)
class ErrorLine:
    ts: datetime | None
    type: str
    message: str
    context: str | None


@dataclass(frozen=True)
class PerfLine:
    ts: datetime | None
    metric: str
    value: str
    status: str  # OK | WARNING


@dataclass(frozen=True)
class OtherLine:
    ts: datetime | None
    level: str
    message: str


Record = ApiCall | ErrorLine | PerfLine | OtherLine


def _ts(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace(",", ".").replace(" ", "T"))
    except ValueError:
        return None


def parse_line(line: str) -> Record | None:
    """One log line as a record; None when it is not in the guide's layout."""
    line = line[:MAX_LINE_CHARS].rstrip("\r\n")
    m = _LINE.match(line)
    if not m:
        return None
    ts, msg = _ts(m.group("ts")), m.group("msg").strip()
    if a := _API.match(msg):
        status = a.group("status")
        ms = a.group("ms")
        return ApiCall(ts, a.group("method").upper(), a.group("endpoint"),
                       int(status) if status.isdigit() else None,
                       float(ms) if ms[:1].isdigit() else None)
    if e := _ERR.match(msg):
        return ErrorLine(ts, e.group("type"), e.group("message"), e.group("context"))
    if p := _PERF.match(msg):
        return PerfLine(ts, p.group("metric"), p.group("value"), p.group("status"))
    return OtherLine(ts, m.group("level"), msg)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of `values`; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class LogStats:
    lines: int = 0
    unrecognised: int = 0
    other: int = 0
    calls: int = 0
    ok_calls: int = 0
    failed_calls: int = 0
    error_lines: int = 0
    statuses: Counter[int | None] = field(default_factory=Counter)
    times_ms: list[float] = field(default_factory=list)
    error_types: Counter[str] = field(default_factory=Counter)
    perf_warnings: Counter[str] = field(default_factory=Counter)
    endpoint_times: dict[str, list[float]] = field(default_factory=dict)
    first: datetime | None = None
    last: datetime | None = None
    truncated: str | None = None  # what was left out, when the caps applied

    # --- derived figures ---
    @property
    def errors(self) -> int:
        return max(self.failed_calls, self.error_lines)

    @property
    def operations(self) -> int:
        return self.calls + max(0, self.error_lines - self.failed_calls)

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.operations if self.operations else None

    @property
    def success_rate(self) -> float | None:
        return self.ok_calls / self.operations if self.operations else None

    @property
    def avg_ms(self) -> float | None:
        return sum(self.times_ms) / len(self.times_ms) if self.times_ms else None

    @property
    def p95_ms(self) -> float | None:
        return percentile(self.times_ms, 95)

    @property
    def max_ms(self) -> float | None:
        return max(self.times_ms) if self.times_ms else None

    @property
    def span_s(self) -> float | None:
        if self.first is None or self.last is None:
            return None
        return (self.last - self.first).total_seconds()

    @property
    def throughput_per_min(self) -> float | None:
        span = self.span_s
        if span is None or span < MIN_SPAN_S:
            return None
        return self.calls / (span / 60)

    @property
    def rate_limited(self) -> int:
        return self.statuses.get(429, 0)

    @property
    def auth_errors(self) -> int:
        return self.statuses.get(401, 0) + self.statuses.get(403, 0)

    def slowest_endpoint(self) -> tuple[str, float, int] | None:
        """(endpoint, average ms, calls) of the endpoint with the highest average."""
        best = None
        for ep, times in self.endpoint_times.items():
            avg = sum(times) / len(times)
            if best is None or avg > best[1]:
                best = (ep, avg, len(times))
        return best

    # --- building ---
    def add(self, rec: Record | None) -> None:
        self.lines += 1
        if rec is None:
            self.unrecognised += 1
            return
        if rec.ts is not None:
            if self.first is None or rec.ts < self.first:
                self.first = rec.ts
            if self.last is None or rec.ts > self.last:
                self.last = rec.ts
        if isinstance(rec, ApiCall):
            self.calls += 1
            self.statuses[rec.status] += 1
            if rec.status is not None and 200 <= rec.status < 300:
                self.ok_calls += 1
            elif rec.status is None or rec.status >= 400:
                self.failed_calls += 1
            if rec.ms is not None:
                self.times_ms.append(rec.ms)
                if len(self.endpoint_times) < 1000 or rec.endpoint in self.endpoint_times:
                    self.endpoint_times.setdefault(rec.endpoint, []).append(rec.ms)
        elif isinstance(rec, ErrorLine):
            self.error_lines += 1
            self.error_types[rec.type] += 1
        elif isinstance(rec, PerfLine):
            if rec.status == "WARNING":
                self.perf_warnings[rec.metric] += 1
        else:
            self.other += 1


def analyze_lines(lines: Iterable[str]) -> LogStats:
    stats = LogStats()
    for line in lines:
        if line.strip():
            stats.add(parse_line(line))
    return stats


def _size(n: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"


def read_tail(path: FilePath, max_bytes: int = MAX_BYTES, max_lines: int = MAX_LINES) -> tuple[list[str], str | None]:
    """The last lines of a file within the caps, and a note saying what was left out (or None).
    Read through the one reader: a FIFO, a device or a directory is a `ReadError`."""
    data, size = read_tail_bytes(path, Kind(LOG.key, max_bytes))
    notes = []
    if size > max_bytes:
        notes.append(f"only the last {_size(max_bytes)} of {_size(size)} were read")
    lines = data.decode("utf-8", errors="replace").splitlines()
    if len(lines) > max_lines:
        notes.append(f"only the last {max_lines} of {len(lines)} lines were analysed")
        lines = lines[-max_lines:]
    return lines, "; ".join(notes) or None


def analyze_file(path: FilePath, max_bytes: int = MAX_BYTES, max_lines: int = MAX_LINES) -> LogStats:
    """Read (within the caps) and analyse a log file. `ReadError` when it cannot be read."""
    lines, note = read_tail(path, max_bytes, max_lines)
    stats = analyze_lines(lines)
    stats.truncated = note
    return stats


# alert type -> (metric, test): the guide's rules, thresholds from knowledge/support.toml
def triggered_alerts(stats: LogStats, thresholds: Thresholds) -> list[str]:
    """Alert types (HIGH_RESPONSE_TIME, HIGH_ERROR_RATE, LOW_SUCCESS_RATE, LOW_THROUGHPUT) that fire."""
    out = []
    if stats.avg_ms is not None and stats.avg_ms > thresholds.response_time_ms:
        out.append("HIGH_RESPONSE_TIME")
    if stats.error_rate is not None and stats.error_rate > thresholds.error_rate:
        out.append("HIGH_ERROR_RATE")
    if stats.success_rate is not None and stats.success_rate < thresholds.success_rate:
        out.append("LOW_SUCCESS_RATE")
    tp = stats.throughput_per_min
    if tp is not None and tp < thresholds.throughput_per_min:
        out.append("LOW_THROUGHPUT")
    return out
