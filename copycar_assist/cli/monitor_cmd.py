"""`copycar-assist monitor`: the performance monitor in line mode, or once for a scheduler.

    monitor [--json] [--duration S] [--interval S] [--window S] [--prometheus FILE]
            [--serve-metrics PORT [--metrics-host H]] [--no-history]
    monitor --once [--json] [--samples N]        Nagios-style exit codes: 0 OK 1 WARNING 2 CRITICAL 3 UNKNOWN
    monitor --log-file F [--follow]              the same metrics from a log in the guide's format
    monitor --test-alert                         send one alert on purpose to every destination

Line mode prints a status line per target every minute, and every alert raised or cleared with
how its delivery went. `--json` prints one JSON object a line instead (`type`: note, status,
alert, delivered). The exit code after `--duration` is the state then: 0 no alert, 1 a WARNING
alert, 2 a CRITICAL one.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .streams import emit_json

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable

    from copycar_assist.config import Settings
    from copycar_assist.kb import KnowledgeBase
    from copycar_assist.monitor.engine import Monitor
    from copycar_assist.redact import Scrub
    from copycar_assist.runs.runstore import RunStore

    from .monitor_render import LinePrinter


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("monitor", help="cli.help.monitor", description="cli.help.monitor.about")
    p.add_argument("--once", action="store_true", help="cli.help.monitor.once")
    p.add_argument("--samples", type=int, default=20, metavar="N", help="cli.help.monitor.samples")
    p.add_argument("--json", action="store_true", help="cli.help.monitor.json")
    p.add_argument("--duration", type=float, metavar="S", help="cli.help.monitor.duration")
    p.add_argument("--interval", type=float, metavar="S", help="cli.help.monitor.interval")
    p.add_argument("--window", type=float, metavar="S", help="cli.help.monitor.window")
    p.add_argument("--prometheus", metavar="FILE", help="cli.help.monitor.prometheus")
    p.add_argument("--serve-metrics", type=int, metavar="PORT", help="cli.help.monitor.serve_metrics")
    p.add_argument("--metrics-host", default="127.0.0.1", metavar="H", help="cli.help.monitor.metrics_host")
    p.add_argument("--log-file", metavar="F", help="cli.help.monitor.log_file")
    p.add_argument("--follow", action="store_true", help="cli.help.monitor.follow")
    p.add_argument("--test-alert", action="store_true", help="cli.help.monitor.test_alert")
    p.add_argument("--no-history", action="store_true", help="cli.help.monitor.no_history")
    p.add_argument("--lang", choices=("es", "en"), default=argparse.SUPPRESS, help="cli.help.monitor.lang")
    p.set_defaults(handler=monitor)


def _check_args(args: argparse.Namespace, settings: Settings) -> None:
    from copycar_assist.cli import UsageError

    if args.interval is not None:
        if not 0.5 <= args.interval <= 600:
            raise UsageError("cli.monitor.interval")
        settings.monitor.interval_s = args.interval
    if args.window is not None:
        if not 10 <= args.window <= 86400:
            raise UsageError("cli.monitor.window")
        settings.monitor.window_s = args.window
    if args.duration is not None and args.duration <= 0:
        raise UsageError("cli.monitor.duration")
    if not 1 <= args.samples <= 500:
        raise UsageError("cli.monitor.samples_range")
    if args.follow and not args.log_file:
        raise UsageError("cli.monitor.follow")
    if args.serve_metrics is not None and not 0 <= args.serve_metrics <= 65535:
        raise UsageError("cli.monitor.port")


def monitor(args: argparse.Namespace) -> int:
    import asyncio

    settings = args.ctx.settings
    _check_args(args, settings)
    lang = args.ctx.ui_lang
    kb = args.ctx.kb
    sim = args.ctx.start_demo()
    if sim is not None:
        from copycar_assist.i18n import t

        print(t("cli.monitor.demo", lang, url=settings.api.base_url), file=sys.stderr)
    store = None
    if not args.no_history:
        from copycar_assist.redact import make_scrubber

        from .doctor_history import open_store

        store = open_store(lang, make_scrubber(settings))
    try:
        if args.test_alert:
            return asyncio.run(_test_alert(settings, lang))
        if args.log_file:
            from .monitor_log import follow_log

            return asyncio.run(follow_log(args, settings, kb, lang, store))
        if args.once:
            return asyncio.run(_once(args, settings, kb, lang, store))
        return asyncio.run(_watch(args, settings, kb, lang, store))
    finally:
        if store is not None:
            store.close()


async def _once(args: argparse.Namespace, settings: Settings, kb: KnowledgeBase, lang: str,
                store: RunStore | None) -> int:
    from copycar_assist.checks.http import make_client
    from copycar_assist.monitor.engine import prepare_services
    from copycar_assist.monitor.once import measure_once, nagios_line
    from copycar_assist.redact import make_scrubber, scrub_obj

    await prepare_services(settings)
    async with make_client(settings) as client:
        report = await measure_once(settings, kb, client, samples=args.samples, store=store)
    scrub = make_scrubber(settings)  # the writers' one scrub
    if args.prometheus:
        _write_prometheus(args.prometheus, report, scrub)
    if args.json:
        emit_json(scrub_obj(report, scrub), indent=2)
    else:
        print(scrub(nagios_line(report, lang)))
    return int(report["exit_code"])


def _write_prometheus(path: str, snapshot: dict[str, Any], scrub: Scrub) -> None:
    from pathlib import Path

    from copycar_assist.files.write import write_atomic
    from copycar_assist.monitor.exposition import render

    write_atomic(Path(path), scrub(render(snapshot)).encode("utf-8"), mode=0o644)


def state_code(snapshot: dict[str, Any]) -> int:
    code = 0
    for t in snapshot.get("targets", []):
        for a in t.get("alerts", []):
            code = max(code, 2 if a["severity"] == "CRITICAL" else 1)
    return code


async def _watch(args: argparse.Namespace, settings: Settings, kb: KnowledgeBase, lang: str,
                 store: RunStore | None) -> int:
    from copycar_assist.checks.http import make_client
    from copycar_assist.monitor.engine import Alert, Delivered, Monitor, Note, Tick
    from copycar_assist.monitor.exposition import render
    from copycar_assist.redact import make_scrubber

    from .monitor_render import LinePrinter

    scrub = make_scrubber(settings)  # the writers' one scrub: lines, the Prometheus file, /metrics
    out = LinePrinter(lang, scrub, as_json=args.json)
    async with make_client(settings) as client:
        mon = Monitor(settings, kb, client, store=store, lang=lang)
        server = None
        if args.serve_metrics is not None:
            server = await _serve(args, mon, lambda snapshot: scrub(render(snapshot)), out)
        out.start(mon)
        next_status = 0.0
        try:
            async with contextlib.aclosing(mon.run(duration_s=args.duration)) as events:
                async for event in events:
                    if isinstance(event, Note):
                        out.note(mon.target_note(event, lang), event)
                    elif isinstance(event, Alert):
                        out.alert(event.event)
                    elif isinstance(event, Delivered):
                        out.delivered(event)
                    elif isinstance(event, Tick):
                        if args.prometheus:
                            _write_prometheus(args.prometheus, mon.snapshot(), scrub)
                        if event.at >= next_status:
                            next_status = event.at + 60
                            out.status(mon.snapshot())
        finally:
            if server is not None:
                server.close()
        return state_code(mon.snapshot())


async def _serve(args: argparse.Namespace, mon: Monitor, render: Callable[[dict[str, Any]], str],
                 out: LinePrinter) -> asyncio.Server:
    from copycar_assist.checks.loopback import is_loopback_address
    from copycar_assist.cli import UsageError
    from copycar_assist.monitor.serve import start_metrics_server

    try:
        server = await start_metrics_server(lambda: render(mon.snapshot()), args.serve_metrics, args.metrics_host)
    except OSError as exc:
        raise UsageError("cli.monitor.cannot_listen", host=args.metrics_host, port=args.serve_metrics,
                         reason=exc.strerror or exc) from None
    from copycar_assist.i18n import t

    port = server.sockets[0].getsockname()[1]
    where = f"http://{args.metrics_host}:{port}/metrics"
    if not is_loopback_address(args.metrics_host):
        where += t("cli.monitor.not_loopback", out.lang)
    out.info(where)
    return server


async def _test_alert(settings: Settings, lang: str) -> int:
    import time

    from copycar_assist.checks.http import make_client
    from copycar_assist.monitor.engine import prepare_services, shown, targets_of
    from copycar_assist.monitor.notify import channels, deliver

    await prepare_services(settings)
    from copycar_assist.monitor.rules import AlertEvent

    if not any(channels(settings).values()):
        from copycar_assist.cli import UsageError

        raise UsageError("cli.monitor.no_destination")
    target = shown(targets_of(settings)[0])
    from copycar_assist.i18n import localized

    event = AlertEvent(target, "TEST_ALERT", "WARNING", "test", time.time(), None, 0.0, "test", "error_rate",
                       localized("cli.monitor.test_alert"))
    async with make_client(settings) as client:
        results = await deliver(settings, client, event, lang, datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z"))
    from copycar_assist.redact import make_scrubber

    scrub = make_scrubber(settings)
    failed = False
    for d in results:
        if d.state == "not_configured":
            continue
        failed |= d.state != "sent"
        print(scrub(f"{d.channel}: {d.state}" + (f" — {d.detail}" if d.detail else "")))
    return 1 if failed else 0


def json_line(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)
