"""The monitor's sense of time, injectable: `SystemClock` for real runs, `ManualClock` for tests
and benchmarks, where waiting takes no real time (so 24 hours of samples run in seconds).

Only scheduling and time stamps go through the clock; a request's own duration is always
measured for real (`perf_counter`, in `checks.http.fetch`).
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    """What the monitor asks of its clock."""

    def time(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def time(self) -> float:
        """Wall time, epoch seconds (time stamps, `Retry-After` dates, `X-RateLimit-Reset`)."""
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ManualClock:
    """A clock that jumps: `sleep(s)` moves time on by `s` at once (after letting other tasks
    run), so a monitor driven by it samples as fast as the network answers."""

    def __init__(self, start: float | None = None):
        self.now = time.time() if start is None else start

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += max(0.0, seconds)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)
        self.advance(seconds)
