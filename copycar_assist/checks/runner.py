"""The concurrent check runner.

`run_checks()` settles first what needs no running (an unknown check, one that lacks a setting),
starts every other check at once on the shared client, bounds each by its own timeout and the
whole run by a total deadline, turns a crash or a timeout into an `error` result that says what
happened, reports progress events, and returns the results in the order the ids were given.
Cancelling the run cancels the checks. Every result is built by `results.Results`: the one place
that cleans, redacts and maps what a check said.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from .base import Check, CheckContext, CheckFinished, CheckResult, CheckStarted, CheckStep, Event, Memo
from .http import make_client
from .registry import checks_named
from .results import Results, RunReport, elapsed_ms, map_outcome

if TYPE_CHECKING:
    from copycar_assist.files.msg import Msg

__all__ = ["RunReport", "make_client", "map_outcome", "run_checks"]

log = logging.getLogger(__name__)


class _Run(Results):
    """A run's results (`Results`) and the running: each check on its own timeout, with the run's
    shared memo."""

    def __init__(self, ctx: CheckContext, prefer_entry: str | None, on_event: Callable[[Event], object] | None):
        super().__init__(ctx.kb, ctx.settings, ctx.redactor, ctx.lang, prefer_entry, on_event)
        self.ctx = ctx
        self.memo: Memo = {}

    async def run_one(self, check: Check) -> CheckResult:
        cid = check.id
        self.emit(CheckStarted(cid, self.title(cid)))
        started = time.perf_counter()

        def step(message: str) -> None:
            self.emit(CheckStep(cid, self.clean.text(message, 200)))

        ctx = dataclasses.replace(self.ctx, step=step, memo=self.memo)
        timeout_s = float(check.timeout_s)
        limit = asyncio.timeout(timeout_s)
        t = self.ctx.t
        try:
            async with limit:
                finding = await check.run(ctx)
            result = self.from_finding(cid, finding, elapsed_ms(started))
        except TimeoutError:
            if limit.expired():
                summary = t("check.runner.did_not_finish_within", timeout_s=timeout_s)
            else:
                summary = t("check.runner.failed_timeout_timeouterror")
            result = self.error(cid, summary, elapsed_ms(started), timeout_s=timeout_s)
        except Exception as exc:  # a crash is a result, never an exception out of the runner
            what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            result = self.error(cid, t("check.runner.check_crashed", what=what), elapsed_ms(started),
                                exception=type(exc).__name__)
        self.emit(CheckFinished(result))
        return result

    async def cancel_all(self, tasks: Iterable[asyncio.Task[CheckResult]], grace_s: float = 1.0) -> None:
        pending = [t for t in tasks if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=grace_s)

    def close_memo(self) -> None:
        for value in self.memo.values():
            if isinstance(value, asyncio.Future) and not value.done():
                value.cancel()


async def _prepare(ctx: CheckContext, ids: list[str], deadline_s: float) -> dict[str, Msg]:
    """Start the on-demand services these checks talk to (`Settings.services`), within the run's
    deadline; check id -> why it cannot run. A failure to start is the check's to report."""
    services = ctx.settings.services
    if services is None or not ids:
        return {}
    try:
        async with asyncio.timeout(max(0.1, deadline_s)):
            return dict(await services.prepare(ids))
    except TimeoutError:
        log.info("on-demand services did not start within %.1f s", deadline_s)
        return {}


async def run_checks(
    ctx: CheckContext,
    check_ids: Iterable[str],
    *,
    prefer_entry: str | None = None,
    on_event: Callable[[Event], object] | None = None,
    deadline_s: float = 30.0,
    checks: Mapping[str, Check] | None = None,
) -> RunReport:
    """Run the checks concurrently; results in the order of `check_ids` (duplicates dropped).

    `checks` replaces the registry (id -> check) when given: for tests and embedders.
    """
    started = time.perf_counter()
    run = _Run(ctx, prefer_entry, on_event)
    ids = list(dict.fromkeys(check_ids))
    results = run.settled(ids)
    implemented = dict(checks) if checks is not None else checks_named(cid for cid in ids if cid not in results)
    tasks: dict[str, asyncio.Task[CheckResult]] = {}
    t = ctx.t
    cannot = await _prepare(ctx, [cid for cid in ids if cid in implemented and cid not in results], deadline_s)
    for cid in ids:
        if cid in results:
            continue
        check = implemented.get(cid)
        if check is None:
            results[cid] = run.immediate(run.error(cid, t("check.runner.unknown_check", cid=cid)))
        elif cid in cannot:
            results[cid] = run.immediate(run.result(cid, "skipped", "skipped", cannot[cid].text(ctx.lang)))
        else:
            tasks[cid] = asyncio.create_task(run.run_one(check), name=f"check:{cid}")
    try:
        pending: set[asyncio.Task[CheckResult]] = set()
        if tasks:
            _done, pending = await asyncio.wait(tasks.values(), timeout=max(0.0, deadline_s))
            if pending:
                await run.cancel_all(pending)
        for cid, task in tasks.items():
            if task.done() and not task.cancelled() and task.exception() is None:
                results[cid] = task.result()
                continue
            if task in pending:
                summary = t("check.runner.did_not_finish_before", deadline_s=deadline_s)
            else:  # it cancelled itself, or raised something that is not an Exception
                what = "CancelledError" if task.cancelled() else type(task.exception()).__name__
                summary = t("check.runner.check_interrupted", what=what)
            result = run.error(cid, summary, elapsed_ms(started), deadline_s=deadline_s)
            run.emit(CheckFinished(result))
            results[cid] = result
    except asyncio.CancelledError:
        await run.cancel_all(tasks.values())
        raise
    finally:
        run.close_memo()
    return RunReport([results[cid] for cid in ids], elapsed_ms(started))
