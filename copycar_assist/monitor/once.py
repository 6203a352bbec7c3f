"""One measurement for a scheduler: `monitor --once` (Nagios-style exit codes, `--json`).

A burst of `GET /health` per endpoint (2 at a time, `samples` each) and at most one keyed
`GET /verify`, the guide's metrics over them, each alert rule checked once (no hysteresis: a
scheduler runs it again), the usual latency from the history. The result is recorded in the
history like a monitor window. Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (nothing
could be measured).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from copycar_assist.checks.api_support import api_url
from copycar_assist.checks.http import fetch
from copycar_assist.checks.urls import target_key
from copycar_assist.runs import runquery

from .clock import Clock, SystemClock
from .engine import shown, targets_of
from .rules import AlertEvent, AlertTracker, Policy, rules_from
from .window import Sample, Window

if TYPE_CHECKING:
    import httpx

    from copycar_assist.config import Settings
    from copycar_assist.kb import KnowledgeBase
    from copycar_assist.redact import Secret
    from copycar_assist.runs.runstore import RunStore

STATES = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}


async def measure_once(settings: Settings, kb: KnowledgeBase, client: httpx.AsyncClient, *, samples: int = 20,
                       store: RunStore | None = None, clock: Clock | None = None) -> dict[str, Any]:
    clock = clock or SystemClock()
    th = kb.support.thresholds
    tracker = AlertTracker(rules_from(kb.support), Policy(slower_factor=th.slower_factor,
                                                           slower_min_ms=th.slower_min_ms))
    deadline = max(0.5, min(float(settings.api.timeout_s), float(th.health_timeout_s)))
    urls = targets_of(settings)
    gate = asyncio.Semaphore(2 * len(urls))
    windows = {shown(u): Window(shown(u), 86400) for u in urls}
    keys = {shown(u): target_key(settings, u) for u in urls}

    async def one(url: str, path: str, key: Secret | None) -> None:
        async with gate:
            at = clock.time()
            r = await fetch(client, api_url(url, path), key=key, deadline_s=deadline, max_bytes=16 * 1024)
            windows[shown(url)].add(Sample(at, shown(url), path, r.timings.total_ms, r.status, r.error))

    jobs = [one(u, "health", None) for u in urls for _ in range(samples)]
    if settings.api.key is not None:
        jobs.append(one(urls[0], "verify", settings.api.key))
    await asyncio.gather(*jobs)
    now = clock.time()
    code, out, measured = 0, [], 0
    run_id = store.start_run("monitor-once", base_url=keys[shown(urls[0])]) if store is not None else None
    for target, window in windows.items():
        m = window.metrics(now)
        base = runquery.baseline(store, keys[target], now) if store is not None else None
        usual = base.p95_ms if base else None
        crossed: list[AlertEvent] = []
        for rule in tracker.rules:
            value = m.value(rule.metric)
            if not rule.for_probes or value is None:
                continue
            limit, reason = tracker.limit(rule, usual)
            if tracker.beyond(rule, value, limit):
                crossed.append(AlertEvent(target, rule.type, rule.severity, "raised", now, value, limit, reason,
                                          rule.metric, rule.title, usual if reason == "baseline" else None,
                                          m.samples, m.end - m.start))
        for e in crossed:
            code = max(code, 2 if e.severity == "CRITICAL" else 1)
        measured += m.samples
        if store is not None and m.samples:
            store.record_window(run_id, target, "once", m, [e.type for e in crossed])
            store.record_latency(keys[target], "monitor", samples=m.samples, avg_ms=m.avg_ms, p95_ms=m.p95_ms,
                                 usual=not any(e.metric == "response_time_ms" for e in crossed), at=now)
        out.append({"target": target, **m.to_json(), "usual_p95_ms": usual,
                    "usual_from": base.observations if base else 0, "alerts": [e.to_json() for e in crossed]})
    if not measured:
        code = 3
    if store is not None:
        store.finish_run(run_id, {"state": STATES[code]})
    return {"schema_version": 1, "state": STATES[code], "exit_code": code, "at": now, "targets": out,
            "thresholds": {r.metric: r.threshold for r in tracker.rules}}


def nagios_line(report: dict[str, Any], lang: str) -> str:
    """`COPYCAR OK - …| perfdata` as Nagios and its kin read it."""
    from .rules import fmt

    parts: list[str] = []
    perf: list[str] = []
    for t in report["targets"]:
        alerts = "; ".join(a["message"][lang] for a in t["alerts"])
        usual = f" (usual {fmt('response_time_ms', t['usual_p95_ms'])})" if t.get("usual_p95_ms") is not None else ""
        figures = (f"p95 {fmt('response_time_ms', t['p95_ms'])}{usual}, errors {fmt('error_rate', t['error_rate'])}, "
                   f"success {fmt('success_rate', t['success_rate'])}, {t['samples']} samples")
        parts.append(f"{t['target']}: {alerts or figures}")
        n = len(perf) // 3
        th = report["thresholds"]
        p95 = (t["p95_ms"] or 0) / 1000
        perf += [f"p95_{n}={p95:.3f}s;{th.get('response_time_ms', 0) / 1000:g};;0",
                 f"error_ratio_{n}={t['error_rate'] or 0:.4f};;{th.get('error_rate', 0):g};0;1",
                 f"success_ratio_{n}={t['success_rate'] or 0:.4f};{th.get('success_rate', 0):g};;0;1"]
    return f"COPYCAR {report['state']} - " + " · ".join(parts) + " | " + " ".join(perf)
