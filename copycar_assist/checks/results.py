"""A run's results, built without running anything: the one place that cleans and redacts what a
check said (every string of a result goes through `textsafe`, then the redactor, once, before
anyone sees it), maps an outcome to the knowledge base's entry and cause, and says why a check
could not run.

The runner (`runner.py`) builds every result here. A check that lacks a setting the catalogue
says it needs (`needs` in `knowledge/checks.toml`) is settled before anything runs; a run in which
no check can run is answered by `without_running` alone, without an event loop or the HTTP stack
(`doctor --only crm` with no CRM set up). No asyncio and no httpx here.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from copycar_assist.textsafe import one_line

from .base import (
    RUNNER_OUTCOMES,
    STATUSES,
    CheckFinished,
    CheckResult,
    CheckStarted,
    Event,
    Evidence,
    Finding,
    Status,
    fits,
)

if TYPE_CHECKING:
    from copycar_assist.config import Settings
    from copycar_assist.kb import KnowledgeBase

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


class Results:
    """Builds one run's results, each cleaned and redacted, its outcome mapped to the knowledge
    base's entry and cause, and reports each to `on_event` (a listener that breaks is logged and
    ignored)."""

    def __init__(self, kb: KnowledgeBase, settings: Settings, redactor: Callable[[str], str], lang: str,
                 prefer_entry: str | None = None, on_event: Callable[[Event], object] | None = None):
        self.kb, self.settings, self.lang, self.prefer_entry = kb, settings, lang, prefer_entry
        self.emit = _emitter(on_event)
        self.clean = _Sanitizer(redactor)

    def t(self, key: str, **params: object) -> str:
        from copycar_assist.i18n import t

        return t(key, self.lang, **params)

    def title(self, check_id: str) -> str:
        return self.clean.text(self.kb.check_title(check_id, self.lang), 120)

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

    def skipped_for_settings(self, check_id: str, missing: list[str]) -> CheckResult:
        """Skipped for a missing setting. In the agent's own context it says how to set it up
        (`copycar-assist setup`, never a command line with the value); in a case it says the
        case's context lacks it: the agent's own setting is never used instead."""
        t = self.t
        names = ", ".join(missing)
        case = self.settings.context_name
        if case:
            summary = t("check.runner.case_s_context_no", case=case, names=names)
            return self.immediate(self.result(check_id, "skipped", "skipped", summary,
                                              {"missing": names, "context": case}))
        envs = _env_vars()
        hows = ["`copycar-assist setup`"] + [envs[n] for n in missing if envs.get(n)]
        how = t("check.or").join(hows)
        if len(missing) == 1:
            summary = t("check.runner.setting_not_set_set", names=names, how=how)
        else:
            summary = t("check.runner.settings_not_set_set", names=names, how=how)
        return self.immediate(self.result(check_id, "skipped", "skipped", summary,
                                          {"missing": names, "set_with": "; ".join(hows)}))

    def from_finding(self, check_id: str, finding: object, duration_ms: int) -> CheckResult:
        t = self.t
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

    def unmet(self, check_id: str) -> list[str]:
        """The settings the catalogue says this check needs that are not set, in its order."""
        spec = self.kb.checks.get(check_id)
        return [name for name in (spec.needs if spec else ()) if self.settings.get(name) is None]

    def settled(self, check_ids: Iterable[str]) -> dict[str, CheckResult]:
        """The results known before any check runs, by id: a check the catalogue does not know
        (an error), one that lacks a setting (skipped, saying how to set it)."""
        out: dict[str, CheckResult] = {}
        for cid in dict.fromkeys(check_ids):
            if cid not in self.kb.checks:
                out[cid] = self.immediate(self.error(cid, self.t("check.runner.unknown_check", cid=cid)))
            elif missing := self.unmet(cid):
                out[cid] = self.skipped_for_settings(cid, missing)
        return out


def without_running(results: Results, check_ids: Iterable[str]) -> RunReport | None:
    """The run's report when none of these checks can run (each is unknown or lacks a setting):
    no event loop, no network, nothing imported for them. None when any check would run."""
    ids = list(dict.fromkeys(check_ids))
    started = time.perf_counter()
    if any(cid in results.kb.checks and not results.unmet(cid) for cid in ids):
        return None
    settled = results.settled(ids)
    return RunReport([settled[cid] for cid in ids], elapsed_ms(started))


def elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _env_vars() -> dict[str, str]:
    """dotted setting -> the environment variable that sets it (from the settings schema)."""
    from copycar_assist.config_schema import ENV_VARS as SCHEMA_ENV

    return {f.dotted: var for var, f in SCHEMA_ENV.items()}


