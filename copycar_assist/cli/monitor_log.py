"""`monitor --log-file F [--follow]`: the monitor's metrics and alerts from a call log.

Without `--follow`: the last window of the log (by its time stamps) is judged once, like
`--once` (Nagios-style exit code). With `--follow`: the log is read as it grows, once a second,
through rotation and truncation, and alerts are printed (and delivered) as in the probe mode.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from copycar_assist.config import Settings
    from copycar_assist.kb import KnowledgeBase
    from copycar_assist.monitor.rules import AlertEvent
    from copycar_assist.monitor.window import Metrics
    from copycar_assist.runs.runstore import RunStore


async def follow_log(args: argparse.Namespace, settings: Settings, kb: KnowledgeBase, lang: str,
                     store: RunStore | None) -> int:
    from copycar_assist.checks.http import make_client
    from copycar_assist.cli import UsageError
    from copycar_assist.files.read import ReadError
    from copycar_assist.i18n import t
    from copycar_assist.monitor.engine import Delivered
    from copycar_assist.monitor.logfollow import LogMonitor, LogTail
    from copycar_assist.monitor.notify import deliver
    from copycar_assist.monitor.rules import rules_from
    from copycar_assist.redact import make_scrubber

    from .monitor_cmd import _write_prometheus, state_code
    from .monitor_render import LinePrinter

    try:
        tail = LogTail(args.log_file, from_end=args.follow)
    except ReadError as exc:
        raise UsageError("cli.input", detail=exc, option="log-file") from None
    label = f"log:{args.log_file}"
    mon = LogMonitor(label, rules_from(kb.support), window_s=float(settings.monitor.window_s))
    scrub = make_scrubber(settings)  # the writers' one scrub: lines and the Prometheus file
    out = LinePrinter(lang, scrub, as_json=args.json)
    firing: dict[str, AlertEvent] = {}
    next_status = 0.0
    loop = asyncio.get_running_loop()
    started = loop.time()

    def snapshot(m: Metrics) -> dict[str, Any]:
        return {"at": m.end, "window_s": mon.window_s, "targets": [{"target": label, **m.to_json(), "usual_p95_ms": None,
                "alerts": [e.to_json() for e in firing.values()]}],
                "thresholds": {r.metric: r.threshold for r in mon.tracker.rules}}

    last = None
    async with make_client(settings) as client:
        try:
            while True:
                m, events = mon.feed(tail.poll())
                if m is not None:
                    last = m
                    for e in events:
                        if e.state == "raised":
                            firing[e.type] = e
                        else:
                            firing.pop(e.type, None)
                        if args.follow:
                            out.alert(e)
                            deliveries = await deliver(settings, client, e, lang, _when(e.at))
                            out.delivered(Delivered(e, tuple(deliveries)))
                            if store is not None:
                                alert_id = store.record_alert(None, e)
                                store.set_delivery(alert_id, {d.channel: d.to_json() for d in deliveries})
                    if args.prometheus:
                        _write_prometheus(args.prometheus, snapshot(m), scrub)
                    if args.follow and m.end >= next_status:
                        next_status = m.end + 60
                        out.status(snapshot(m))
                if not args.follow:
                    break
                if args.duration is not None and loop.time() - started >= args.duration:
                    break
                await asyncio.sleep(1.0)
        finally:
            tail.close()
    if last is None:
        out.info(t("cli.monitor.no_log_lines", lang))
        return 3
    if not args.follow:
        report = snapshot(last)
        th = {r.type: r for r in mon.tracker.rules}
        crossed = []
        for rule in th.values():
            value = last.value(rule.metric)
            if value is not None and mon.tracker.beyond(rule, value, rule.threshold):
                crossed.append(rule)
        report["targets"][0]["alerts"] = [{"type": r.type, "severity": r.severity} for r in crossed]
        out.status(report)
        for r in crossed:
            out.info(f"{r.type} ({r.severity}): {last.value(r.metric)!r} vs {r.threshold!r}")
        return state_code(report)
    return state_code(snapshot(last))


def _when(at: float) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
