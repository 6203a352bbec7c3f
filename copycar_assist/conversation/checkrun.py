"""Running checks for the conversation: one shared HTTP client, live progress as a stream.

`CheckRunner.stream(ids)` is an async generator of `CheckUpdate` events in the order they
happen; when it ends, `runner.results` holds the results in the order the ids were given. The
runner itself (`checks.runner.run_checks`) bounds every check and the whole run by a deadline
and turns crashes into results; the one client is created on first use and closed by `aclose()`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterable
from typing import TYPE_CHECKING, Protocol

from copycar_assist.checks.base import (
    CheckContext,
    CheckFinished,
    CheckResult,
    CheckStarted,
    CheckStep,
    Event,
    Inputs,
)
from copycar_assist.checks.registry import checks_for_entry

from .events import CheckUpdate

if TYPE_CHECKING:
    import asyncio

    from copycar_assist.checks.http_client import SharedClient
    from copycar_assist.checks.runner import RunReport
    from copycar_assist.config import Settings
    from copycar_assist.kb import KnowledgeBase
    from copycar_assist.runs.runstore import RunStore


class RunChecks(Protocol):
    """What runs the checks: `checks.runner.run_checks`, or a stand-in with its signature. A stand-in
    may return None, and its results are then the ones its `CheckFinished` events carried."""

    async def __call__(self, ctx: CheckContext, check_ids: Iterable[str], *, prefer_entry: str | None = ...,
                       on_event: Callable[[Event], object] | None = ..., deadline_s: float = ...) -> RunReport | None:
        ...

DEADLINE_S = 30.0


def checks_for(kb: KnowledgeBase, entry_id: str) -> list[str]:
    return list(checks_for_entry(kb, entry_id))


def inputs_needed(kb: KnowledgeBase, check_id: str) -> tuple[str, ...]:
    """The kinds of material (Inputs.KINDS) a check reads from the user (the catalogue's `material`)."""
    spec = kb.checks.get(check_id)
    return spec.material if spec is not None else ()


class CheckRunner:
    def __init__(self, kb: KnowledgeBase, settings: Settings, runner: RunChecks | None = None,
                 inputs: Inputs | None = None, deadline_s: float = DEADLINE_S, history: RunStore | None = None):
        self.kb = kb
        self.history = history
        self.settings = settings
        self.deadline_s = deadline_s
        self.inputs = inputs or Inputs()
        self.results: list[CheckResult] = []
        self._runner: RunChecks | None = runner  # None: `checks.runner.run_checks`, imported on the first run
        self._http: SharedClient | None = None  # the one client, made when a check first asks for it

    async def stream(self, check_ids: list[str], *, lang: str, prefer_entry: str | None) -> AsyncIterator[CheckUpdate]:
        """Run `check_ids`, yielding their progress; `self.results` holds the results after."""
        import asyncio  # here: a conversation greets before any event loop exists (`chat --plain`)

        if self._http is None:
            from copycar_assist.checks.http_client import SharedClient  # here: httpx only when a check runs

            self._http = SharedClient(self.settings)
        ctx = CheckContext(settings=self.settings, kb=self.kb, http=self._http,
                           redactor=self.settings.redactor(), lang=lang, inputs=self.inputs, history=self.history)
        queue: asyncio.Queue[Event | None] = asyncio.Queue()  # None: the run is over
        finished: list[CheckResult] = []

        def progress(event: Event) -> None:
            queue.put_nowait(event)

        if self._runner is None:
            from copycar_assist.checks.runner import run_checks

            self._runner = run_checks
        runner = self._runner

        async def go() -> RunReport | None:
            try:
                return await runner(ctx, check_ids, prefer_entry=prefer_entry, on_event=progress,
                                          deadline_s=self.deadline_s)
            finally:
                queue.put_nowait(None)

        self.results = []
        task = asyncio.ensure_future(go())
        try:
            while (item := await queue.get()) is not None:
                if isinstance(item, CheckStarted):
                    yield CheckUpdate("started", item.check_id, title=item.title)
                elif isinstance(item, CheckStep):
                    yield CheckUpdate("step", item.check_id, message=item.message)
                elif isinstance(item, CheckFinished):
                    finished.append(item.result)
                    yield CheckUpdate("finished", item.result.id, title=item.result.title, result=item.result)
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        report = task.result()
        results = list(report.results) if report is not None else finished
        order = {cid: n for n, cid in enumerate(check_ids)}
        self.results = sorted(results, key=lambda r: order.get(r.id, len(order)))

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
