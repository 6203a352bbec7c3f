"""What is usual for a base URL, for `api.latency`: the baseline from the run history and the
finding "slower than usual" (the p95 now against the usual p95 of the same API).

The history (`ctx.history`, a `runs.runstore.RunStore`) is read before this run's figures are
added, so a run never compares with itself. With no history in the context, or no earlier
observation of this base URL, the check says so plainly: nothing is "usual" yet. A base URL's
latency is kept under `urls.target_key(settings, url)`, here and in the monitor.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from copycar_assist.i18n import duration
from copycar_assist.runs import runquery

from .base import CheckContext
from .urls import target_key


@dataclass(frozen=True)
class Usual:
    key: str
    p95_ms: float | None  # None: nothing known
    runs: int
    kept: bool  # a history is kept in this run


async def usual_for(ctx: CheckContext, url: str) -> Usual:
    key = target_key(ctx.settings, url)
    if ctx.history is None:
        return Usual(key, None, 0, False)
    base = await asyncio.to_thread(runquery.baseline, ctx.history, key)
    return Usual(key, base.p95_ms if base else None, base.observations if base else 0, True)


def slower_limit(ctx: CheckContext, usual: Usual) -> float | None:
    if usual.p95_ms is None:
        return None
    th = ctx.kb.support.thresholds
    return max(usual.p95_ms * th.slower_factor, usual.p95_ms + th.slower_min_ms)


async def remember(ctx: CheckContext, usual: Usual, *, samples: int, avg_ms: float, p95_ms: float,
                   quiet: bool) -> None:
    if ctx.history is not None:
        await asyncio.to_thread(ctx.history.record_latency, usual.key, "check", samples=samples, avg_ms=avg_ms,
                                p95_ms=p95_ms, usual=quiet)


def usual_sentence(ctx: CheckContext, usual: Usual) -> str:
    """The sentence that ends an 'ok' summary: the usual figure, or why there is none."""
    t = ctx.t
    if not usual.kept:
        return t("check.latency_usual.no_history_kept_run")
    if usual.p95_ms is None:
        return t("check.latency_usual.what_usual_url_not")
    return t("check.latency_usual.usually_p95_earlier_measurements", secs=duration(usual.p95_ms, ctx.lang), runs=usual.runs)


def evidence(usual: Usual, limit: float | None) -> dict[str, Any]:
    if usual.p95_ms is None:  # no earlier measurement: no usual figure to show
        return {"usual_from": 0}
    return {"usual_p95_ms": round(usual.p95_ms, 1), "usual_from": usual.runs,
            "slower_limit_ms": round(limit, 1) if limit is not None else None}
