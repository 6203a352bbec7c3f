"""What `doctor` and `diagnose` show on a terminal while their checks run: the checks still
running, how many of the run are done and for how long it has gone on, on one status line
(`status.py`), looked at as checks start and finish and every tenth of a second in between (a
check waiting on a server that never answers changes nothing but the seconds), erased before the
report."""

from __future__ import annotations

import asyncio

from copycar_assist.checks.base import CheckFinished, CheckStarted, Event
from copycar_assist.i18n import t

from .status import StatusLine


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
        line = t("cli.doctor.progress", self._lang, done=len(self._done), total=self._total,
                 secs=int(self._status.elapsed))
        if self._running:  # the counts first: a narrow terminal cuts the titles, never them
            line += " · " + t("cli.doctor.running", self._lang, checks=", ".join(self._running.values()))
        self._status.show(line)

    def stop(self) -> None:
        """No more redraws; the line erased."""
        self._ticker.cancel()
        self._status.clear()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(0.1)
            self.draw()
