"""Samples and the sliding window the monitor's metrics are computed over. Pure, no I/O.

A sample is one request the monitor made (or one `API Call` line of a followed log): when, how
long, the status or the network error. Definitions match the latency check and the log
analysis: a success is a 2xx; an error is a network error (timeouts included: a call cut short
is a failed call, not one that never happened) or a 5xx. A 4xx is neither: it lowers the success
rate without being the server's error.

The window keeps the samples of its last `span_s` seconds, at most `max_samples` (the oldest go
first), so its memory does not grow however long the monitor runs.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Sample:
    at: float  # epoch seconds
    target: str  # the base URL (display form) or the log's path
    path: str  # "health" | "verify" | the logged endpoint
    ms: float | None  # response time; None: not known (a logged error with no time)
    status: int | None  # HTTP status; None: no answer
    error: str | None = None  # network error kind (dns, connect, timeout, …)

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def failed(self) -> bool:
        return self.error is not None or self.status is None or self.status >= 500


@dataclass(frozen=True)
class Metrics:
    """The guide's metrics over one window."""

    target: str
    start: float
    end: float
    samples: int
    avg_ms: float | None
    p95_ms: float | None
    success_rate: float | None
    error_rate: float | None
    per_min: float | None  # requests per minute over the window (None: under a minute of data)
    statuses: dict[str, int]

    def value(self, metric: str) -> float | None:
        """A metric by the name the knowledge's alert rules use."""
        return {"response_time_ms": self.p95_ms, "error_rate": self.error_rate,
                "success_rate": self.success_rate, "throughput_per_min": self.per_min}.get(metric)

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "start": self.start, "end": self.end, "samples": self.samples,
                "avg_ms": _round(self.avg_ms), "p95_ms": _round(self.p95_ms),
                "success_rate": _round(self.success_rate, 4), "error_rate": _round(self.error_rate, 4),
                "requests_per_min": _round(self.per_min), "statuses": dict(self.statuses)}


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest rank, as the latency check and the log analysis compute it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


class Window:
    def __init__(self, target: str, span_s: float, max_samples: int = 50_000):
        self.target = target
        self.span_s = span_s
        self._samples: deque[Sample] = deque(maxlen=max_samples)

    def add(self, sample: Sample) -> None:
        self._samples.append(sample)

    def prune(self, now: float) -> None:
        floor = now - self.span_s
        while self._samples and self._samples[0].at < floor:
            self._samples.popleft()

    def __len__(self) -> int:
        return len(self._samples)

    def metrics(self, now: float) -> Metrics:
        self.prune(now)
        samples = self._samples
        n = len(samples)
        times = [s.ms for s in samples if s.ms is not None]
        statuses: dict[str, int] = {}
        ok = failed = 0
        for s in samples:
            key = str(s.status) if s.status is not None else (s.error or "no_answer")
            statuses[key] = statuses.get(key, 0) + 1
            ok += s.ok
            failed += s.failed
        start = samples[0].at if n else now
        span = now - start
        return Metrics(
            target=self.target, start=start, end=now, samples=n,
            avg_ms=sum(times) / len(times) if times else None, p95_ms=percentile(times, 95),
            success_rate=ok / n if n else None, error_rate=failed / n if n else None,
            per_min=n / (span / 60) if n and span >= 60 else None, statuses=statuses)
