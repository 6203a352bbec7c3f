"""What a command shows on a terminal while checks run (`doctor`, `diagnose`, `setup`'s
verification): how many of the run are done, for how long it has gone on and which checks are
still running, on one status line (`status.py`), looked at as checks start and finish and every
tenth of a second in between (a check waiting on a server that never answers changes nothing but
the seconds), erased before the command goes on.

    async with watching(len(ids), lang) as on_event:     # None when stderr is not a terminal
        report = await run_checks(ctx, ids, on_event=on_event)
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from copycar_assist.checks.base import CheckFinished, CheckStarted, Event
from copycar_assist.i18n import t

from .status import StatusLine
from .streams import is_terminal


@asynccontextmanager
async def watching(total: int, lang: str) -> AsyncIterator[Callable[[Event], None] | None]:
    """The run's `on_event` on a terminal (a `Watch`, stopped at the end), else None."""
    if not is_terminal(sys.stderr):
        yield None
        return
    watch = Watch(total, lang)
    try:
        yield watch.heard
    finally:
        watch.stop()


class Watch:
    """Made in the run's event loop: it redraws from a task of its own until `stop()`."""

    def __init__(self, total: int, lang: str) -> None:
        self._status, self._total, self._lang = StatusLine(), total, lang
        self._running: dict[str, str] = {}  # check id -> its title, in the order they started
        self._done: set[str] = set()
        self._ticker = asyncio.create_task(self._tick())

    def heard(self, event: Event) -> None:
        if isinstance(event, CheckStarted):
            self._running[event.check_id] = event.title
        elif isinstance(event, CheckFinished):
            self._running.pop(event.result.id, None)
            self._done.add(event.result.id)
        self.draw()

    def draw(self) -> None:
        line = t("cli.status.checks", self._lang, done=len(self._done), total=self._total,
                 secs=int(self._status.elapsed))
        if self._running:  # the counts first: a narrow terminal cuts the titles, never them
            line += " · " + t("cli.status.running", self._lang, checks=", ".join(self._running.values()))
        self._status.show(line)

    def stop(self) -> None:
        """No more redraws; the line erased."""
        self._ticker.cancel()
        self._status.clear()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(0.1)
            self.draw()
