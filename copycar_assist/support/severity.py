"""Propose a ticket severity from the entry and the check evidence, by the guide's rules.

Rules, in order (the highest wins):
1. The entry's own severity (knowledge front matter); MEDIUM when no entry was identified.
2. The API is down or no endpoint is healthy → CRITICAL. The outcomes that mean "down" are read
   from `kb.support.critical_outcomes` when the support data defines it, else `DOWN_OUTCOMES`.
3. A check outcome named like one of the support data's alert types (`high_error_rate` ↔
   `HIGH_ERROR_RATE`) raises the severity to that alert's level: a CRITICAL alert → CRITICAL,
   a WARNING alert → at least HIGH.
A passing check proves nothing here, nor does the runner's own `error`/`skipped` (a crash, a
timeout, a missing setting); a check that ended in `error` with a real outcome (a 503 on
/verify is `server_error`) does count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from copycar_assist.checks.base import CheckResult
    from copycar_assist.kb import KnowledgeBase

ORDER = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
DEFAULT_SEVERITY = "MEDIUM"
DOWN_OUTCOMES = frozenset({
    "api.health.unhealthy",
    "api.health.connect_failed",
    "api.health.timeout",
    "api.endpoints.none_healthy",
    "api.verify.server_error",
})
ALERT_TO_SEVERITY = {"CRITICAL": "CRITICAL", "WARNING": "HIGH"}


@dataclass(frozen=True)
class Reason:
    code: str  # "entry" | "default" | "api_down" | "alert"
    severity: str
    detail: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SeverityProposal:
    severity: str
    reasons: tuple[Reason, ...]


def higher(a: str, b: str) -> str:
    return a if ORDER.index(a) >= ORDER.index(b) else b


def propose_severity(kb: KnowledgeBase, entry_id: str | None, results: Iterable[CheckResult]) -> SeverityProposal:
    reasons: list[Reason] = []
    entry = kb.entries.get(entry_id) if entry_id else None
    if entry is not None and entry.severity in ORDER:
        severity = entry.severity
        reasons.append(Reason("entry", severity, {"entry": entry.id}))
    else:
        severity = DEFAULT_SEVERITY
        reasons.append(Reason("default", severity))
    down = DOWN_OUTCOMES
    alerts = {a.type.upper(): a for a in kb.support.alerts}
    for r in results:
        if r.status == "pass" or r.outcome in ("ok", "error", "skipped"):
            continue
        key = f"{r.id}.{r.outcome}"
        if key in down:
            severity = higher(severity, "CRITICAL")
            reasons.append(Reason("api_down", "CRITICAL", {"check": r.id, "outcome": r.outcome}))
            continue
        alert = alerts.get(str(r.outcome).upper())
        if alert is not None:
            raised = ALERT_TO_SEVERITY.get(alert.severity.upper())
            if raised:
                severity = higher(severity, raised)
                reasons.append(Reason("alert", raised, {"check": r.id, "alert": alert.type,
                                                        "level": alert.severity.upper()}))
    return SeverityProposal(severity, tuple(reasons))
