"""The concurrent check runner.

`run_checks()` starts every check at once on the shared client, bounds each by its own timeout and
the whole run by a total deadline, turns a crash or a timeout into an `error` result that says
what happened, reports progress events, maps each outcome to the knowledge base's entry and cause,
and returns the results in the order the ids were given. Cancelling the run cancels the checks.
This is the one place that cleans and redacts what a check said: every string in a result has
been through `textsafe` and then the redactor, once, before anyone sees it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from copycar_assist.kb import pick
from copycar_assist.textsafe import one_line

from .base import (
    RUNNER_OUTCOMES,
    STATUSES,
    Check,
    CheckContext,
    CheckFinished,
    CheckResult,
    CheckStarted,
    CheckStep,
    Event,
    Evidence,
    Finding,
    Memo,
    Status,
    fits,
)
from .http import make_client
from .registry import checks_named

if TYPE_CHECKING:
    from copycar_assist.files.msg import Msg
    from copycar_assist.kb import KnowledgeBase

__all__ = ["RunReport", "make_client", "map_outcome", "run_checks"]

log = logging.getLogger(__name__)

SUMMARY_LIMIT = 500
VALUE_LIMIT = 300


@dataclasses.dataclass
class RunReport:
    results: list[CheckResult]
    duration_ms: int

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for r in self.results:
            counts[r.status] = counts.get(r.status, 0) + 1
        return counts

    def get(self, check_id: str) -> CheckResult | None:
        return next((r for r in self.results if r.id == check_id), None)

    def to_json(self) -> dict[str, Any]:
        return {"duration_ms": self.duration_ms, "results": [r.to_json() for r in self.results]}


class _Sanitizer:
    """Strip controls, redact, then cap: controls go first, since removing one can rejoin a
    split secret; the cap comes last, so it never cuts a secret before it is masked."""

    def __init__(self, redactor: Callable[[str], str]):
        self.redact = redactor

    def text(self, value: object, limit: int = VALUE_LIMIT) -> str:
        text = self.redact(one_line(str(value), 4 * limit))
        return text if len(text) <= limit else text[:limit] + "…"

    def evidence(self, evidence: Evidence) -> Evidence:
        """A check's evidence, every key and value sanitized (`value` at the top level)."""
        return {self.text(k, 80): self.value(v, 1) for k, v in list(evidence.items())[:40]}

    def value(self, value: object, depth: int = 0) -> object:
        if value is None or isinstance(value, (bool, int)):
            return value
        if isinstance(value, float):
            return round(value, 3)
        if depth < 3 and isinstance(value, dict):
            return {self.text(k, 80): self.value(v, depth + 1) for k, v in list(value.items())[:40]}
        if depth < 3 and isinstance(value, (list, tuple, set, frozenset)):
            return [self.value(v, depth + 1) for v in list(value)[:20]]
        return self.text(value)


def map_outcome(kb: KnowledgeBase, check_id: str, outcome: str, prefer_entry: str | None = None) -> tuple[str | None, str | None]:
    """(entry id, cause id) an outcome points to.

    Entries are tried in this order: `prefer_entry`, the check's home entry (catalogue), the
    entries that list the check, then every other entry by id.
    """
    if outcome in ("ok", *RUNNER_OUTCOMES):
        return None, None
    key = f"{check_id}.{outcome}"
    spec = kb.checks.get(check_id)
    listing = [e for e in sorted(kb.entries) if check_id in kb.entries[e].checks]
    first = [prefer_entry, spec.home if spec else None, *listing]
    order = list(dict.fromkeys([e for e in first if e is not None and e in kb.entries] + sorted(kb.entries)))
    for entry_id in order:
        entry = kb.entries[entry_id]
        target = entry.outcomes.get(key)
        if target:
            found = kb.resolve(entry, target)
            if found:
                return found[0].id, found[1].id
    return None, None


def _emitter(on_event: Callable[[Event], object] | None) -> Callable[[Event], None]:
    def emit(event: Event) -> None:
        if on_event is None:
            return
        try:
            on_event(event)
        except Exception:  # a broken listener must not break the run
            log.warning("progress listener failed on %s", type(event).__name__, exc_info=False)

    return emit


class _Run:
    def __init__(self, ctx: CheckContext, prefer_entry: str | None, emit: Callable[[Event], None]):
        self.ctx = ctx
        self.kb = ctx.kb
        self.prefer_entry = prefer_entry
        self.emit = emit
        self.clean = _Sanitizer(ctx.redactor)
        self.memo: Memo = {}

    def title(self, check_id: str) -> str:
        spec = self.kb.checks.get(check_id)
        return self.clean.text(pick(spec.title, self.ctx.lang, check_id) if spec else check_id, 120)

    def result(self, check_id: str, status: Status, outcome: str, summary: str,
               evidence: Evidence | None = None, duration_ms: int = 0) -> CheckResult:
        entry, cause = map_outcome(self.kb, check_id, outcome, self.prefer_entry)
        return CheckResult(
            id=check_id, status=status, outcome=outcome,
            summary=self.clean.text(summary, SUMMARY_LIMIT),
            evidence=self.clean.evidence(evidence or {}), duration_ms=max(0, int(duration_ms)),
            entry=entry, cause=cause, title=self.title(check_id),
        )

    def error(self, check_id: str, summary: str, duration_ms: int = 0, **evidence: object) -> CheckResult:
        return self.result(check_id, "error", "error", summary, evidence, duration_ms)

    def immediate(self, result: CheckResult) -> CheckResult:
        self.emit(CheckStarted(result.id, result.title))
        self.emit(CheckFinished(result))
        return result

    def skipped_for_settings(self, check: Check, missing: list[str]) -> CheckResult:
        """Skipped for a missing setting. In the agent's own context it says how to set it up
        (`copycar-assist setup`, never a command line with the value); in a case it says the
        case's context lacks it: the agent's own setting is never used instead."""
        t = self.ctx.t
        names = ", ".join(missing)
        case = self.ctx.settings.context_name
        if case:
            summary = t("check.runner.case_s_context_no", case=case, names=names)
            return self.immediate(self.result(check.id, "skipped", "skipped", summary,
                                              {"missing": names, "context": case}))
        envs = _env_vars()
        hows = ["`copycar-assist setup`"] + [envs[n] for n in missing if envs.get(n)]
        how = t("check.or").join(hows)
        if len(missing) == 1:
            summary = t("check.runner.setting_not_set_set", names=names, how=how)
        else:
            summary = t("check.runner.settings_not_set_set", names=names, how=how)
        return self.immediate(self.result(check.id, "skipped", "skipped", summary,
                                          {"missing": names, "set_with": "; ".join(hows)}))

    def from_finding(self, check_id: str, finding: object, duration_ms: int) -> CheckResult:
        t = self.ctx.t
        if not isinstance(finding, Finding):
            return self.error(check_id, t("check.runner.check_returned_instead_finding", name=type(finding).__name__),
                              duration_ms)
        allowed = self.kb.checks[check_id].outcomes if check_id in self.kb.checks else ()
        if not fits(finding.status, finding.outcome) or (
                finding.outcome not in allowed and finding.outcome not in RUNNER_OUTCOMES):
            return self.error(check_id, t("check.runner.check_gave_invalid_result", status=finding.status,
                                          outcome=finding.outcome), duration_ms)
        evidence = finding.evidence if isinstance(finding.evidence, dict) else {"evidence": finding.evidence}
        return self.result(check_id, finding.status, finding.outcome, finding.summary, evidence, duration_ms)

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
            result = self.from_finding(cid, finding, _ms(started))
        except TimeoutError:
            if limit.expired():
                summary = t("check.runner.did_not_finish_within", timeout_s=timeout_s)
            else:
                summary = t("check.runner.failed_timeout_timeouterror")
            result = self.error(cid, summary, _ms(started), timeout_s=timeout_s)
        except Exception as exc:  # a crash is a result, never an exception out of the runner
            what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            result = self.error(cid, t("check.runner.check_crashed", what=what), _ms(started),
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


def _env_vars() -> dict[str, str]:
    """dotted setting -> the environment variable that sets it (from the settings schema)."""
    from copycar_assist.config_schema import ENV_VARS as SCHEMA_ENV

    return {f.dotted: var for var, f in SCHEMA_ENV.items()}


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


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
    run = _Run(ctx, prefer_entry, _emitter(on_event))
    ids = list(dict.fromkeys(check_ids))
    implemented = dict(checks) if checks is not None else checks_named(ids)
    results: dict[str, CheckResult] = {}
    tasks: dict[str, asyncio.Task[CheckResult]] = {}
    t = ctx.t
    cannot = await _prepare(ctx, [cid for cid in ids if cid in implemented], deadline_s)
    for cid in ids:
        if cid in cannot:
            results[cid] = run.immediate(run.result(cid, "skipped", "skipped", cannot[cid].text(ctx.lang)))
            continue
        check = implemented.get(cid)
        if check is None:
            results[cid] = run.immediate(run.error(cid, t("check.runner.unknown_check", cid=cid)))
            continue
        missing = [name for name in check.needs if ctx.settings.get(name) is None]
        if missing:
            results[cid] = run.skipped_for_settings(check, missing)
            continue
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
            result = run.error(cid, summary, _ms(started), deadline_s=deadline_s)
            run.emit(CheckFinished(result))
            results[cid] = result
    except asyncio.CancelledError:
        await run.cancel_all(tasks.values())
        raise
    finally:
        run.close_memo()
    return RunReport([results[cid] for cid in ids], _ms(started))
