"""Which check results are consequences of another, and how serious a result is. No UI here.

One failure often shows in several checks: when the API's name does not resolve, GET /health
fails, the key cannot be verified, the quota cannot be read and every latency sample errors. Those
later results are true, but they are not causes of their own; reporting each as something to fix
sends the reader four ways at once. `roots(results)` maps each such consequence to the result
that explains it, so `doctor` names one cause per root failure and the conversation does not
chase a consequence into another entry.

`RANK` orders the statuses that point at a cause (fail, then error, then warn): the one ranking
both `doctor` and the conversation use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import CheckResult

RANK = {"fail": 0, "error": 1, "warn": 2}  # statuses that point at a cause, most serious first
ANY = frozenset({"*"})

# root check -> the outcomes of it that are a root failure -> {consequence check: its outcomes that follow}
# The API's base URL cannot be reached (or is not the API): nothing else on that URL can work.
_API_DOWN = frozenset({"dns_failure", "connect_failed", "tls_failure", "timeout", "redirect", "insecure",
                       "not_found", "unhealthy"})
_FOLLOWS_API_DOWN = {
    "api.verify": frozenset({"unreachable", "server_error", "redirect", "insecure", "not_found", "error"}),
    "api.rate_limit": ANY,
    "api.latency": frozenset({"high_error_rate", "low_success_rate", "high_response_time", "error"}),
    "api.endpoints": frozenset({"none_healthy", "some_unhealthy"}),
}
_SMTP_DOWN = frozenset({"connect_failed", "no_starttls", "tls_failed", "auth_failed", "temporary_refusal",
                        "client_refused", "sender_refused", "relay_denied"})
RULES: dict[str, tuple[frozenset[str], Mapping[str, frozenset[str]]]] = {
    # no usable key: the key cannot be verified, nor the quota read, and the call log's 401s are
    # that key's (first: it is the nearer root)
    "api.key_configured": (frozenset({"missing", "malformed"}),
                           {"api.verify": ANY, "api.rate_limit": ANY, "logs.analyze": frozenset({"auth_errors"})}),
    "api.health": (_API_DOWN, _FOLLOWS_API_DOWN),
    # the API refuses the key and says why (wrong, expired, without permission): the log's
    # rejected calls are the same refusal, not a second cause to fix
    "api.verify": (frozenset({"unauthorized", "expired", "forbidden"}),
                   {"logs.analyze": frozenset({"auth_errors"})}),
    # the SMTP server refuses or cannot be reached: the monitor's alerts go out through the same
    # server (the smtp.* settings), so their envelope fails the same way
    "email.smtp": (_SMTP_DOWN, {"monitor.alerts": _SMTP_DOWN}),
    # the CRM refuses the token or cannot be reached: permissions and fields cannot be read
    "crm.auth": (frozenset({"bad_credentials", "unavailable"}),
                 {"crm.permissions": ANY, "crm.fields": ANY}),
}


def roots(results: Iterable[CheckResult]) -> dict[str, str]:
    """consequence check id -> the id of the root result that explains it: results that point at
    something (fail, error, warn), and skips that could not run because of the root (the quota
    cannot be read when the API cannot be reached). No rule makes a root the consequence of another."""
    by_id = {r.id: r for r in results}
    out: dict[str, str] = {}
    for root_id, (root_outcomes, follows) in RULES.items():
        root = by_id.get(root_id)
        if root is None or root.status not in RANK or root.outcome not in root_outcomes:
            continue
        for cid, outcomes in follows.items():
            r = by_id.get(cid)
            if r is None or (r.status not in RANK and r.status != "skipped") or cid in out:
                continue
            if outcomes is ANY or r.outcome in outcomes:
                out[cid] = root_id
    return out


def rank_key(result: CheckResult) -> int:
    """Sort key: the most serious status first (fail, error, warn, then anything else)."""
    return RANK.get(result.status, len(RANK))
