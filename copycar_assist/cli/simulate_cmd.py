"""`copycar-assist simulate`: the demo world in the foreground, or the list of its scenarios.

    simulate --scenario NAME[,NAME…] [--port N] [--delay-ms N] [--rate-limit-after N]
    simulate --list [--json]

The world's services (the API with the CRM, SMTP, DNS, Redis) all start at once and stay up
until Ctrl-C or SIGTERM; the command prints where each one listens and the settings that point
another copycar-assist at them. `--list --json` prints DESIGN.md's contract:
`{"scenarios": [{"name", "summary", "services", "shows": [{"entry", "cause", "how", "via"}]}]}`.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import FrameType

    from copycar_assist.files.msg import Msg
    from copycar_assist.simulator.world import DemoWorld


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("simulate", help="cli.help.simulate", description="cli.help.simulate.about")
    p.add_argument("--scenario", dest="sim_scenario", metavar="NAME[,NAME…]", default=None,
                   help="cli.help.simulate.scenario")
    p.add_argument("--port", type=int, default=0, help="cli.help.simulate.port")
    p.add_argument("--delay-ms", type=int, default=None, help="cli.help.simulate.delay_ms")
    p.add_argument("--rate-limit-after", type=int, default=None, metavar="N", help="cli.help.simulate.rate_limit_after")
    p.add_argument("--list", action="store_true", help="cli.help.simulate.list")
    p.add_argument("--json", action="store_true", help="cli.help.simulate.json")
    p.set_defaults(handler=run)


def scenario_list(lang: str) -> dict[str, Any]:
    from copycar_assist.simulator.catalogue import SCENARIOS

    return {"scenarios": [s.to_json(lang) for s in SCENARIOS.values()]}


def list_text(lang: str, columns: int | None = None) -> str:
    """The scenarios by service, as `simulate --list` and the app's help show them (on a
    terminal `columns` wide, each summary wrapped under its column)."""
    from copycar_assist.i18n import t
    from copycar_assist.simulator.catalogue import by_service

    from .columns import hang

    lines = []
    for service, scenarios in by_service().items():
        lines.append(t(f"sim.service.{service}", lang) + ":")
        for s in scenarios:
            lines += hang(f"  {s.name:26} ", s.summary(lang), columns)
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from copycar_assist.cli import EXIT_OK, UsageError

    lang = args.ctx.ui_lang
    if args.json and not args.list:
        raise UsageError("cli.simulate.json_needs_list")
    if args.list:
        if args.json:
            from .streams import emit_json

            emit_json(scenario_list(lang), indent=2)
        else:
            from .columns import columns_of

            sys.stdout.write(list_text(lang, columns_of(sys.stdout)))
        return EXIT_OK
    name = args.sim_scenario or args.scenario
    if not 0 <= args.port <= 65535:
        raise UsageError("cli.simulate.port")
    if args.delay_ms is not None and not 0 <= args.delay_ms <= 600_000:
        raise UsageError("cli.simulate.delay")
    from copycar_assist.simulator.world import DemoWorld

    try:
        world = DemoWorld(name, http_port=args.port, delay_ms=args.delay_ms, rate_limit_after=args.rate_limit_after)
    except ValueError as exc:
        raise UsageError("cli.detail", detail=exc) from None
    except OSError as exc:
        raise UsageError("cli.simulate.cannot_listen", port=args.port, reason=exc.strerror or exc) from None
    stop = threading.Event()

    def on_term(signum: int, frame: FrameType | None) -> None:  # SIGTERM stops as cleanly as Ctrl-C
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        failed = world.start_all()
        from .columns import columns_of

        sys.stdout.write(_describe(world, failed, lang, columns_of(sys.stdout)))
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        world.stop()
        signal.signal(signal.SIGTERM, previous)
    from copycar_assist.i18n import t

    print(t("cli.simulate.stopped", lang))
    return EXIT_OK


def _describe(world: DemoWorld, failed: dict[str, Msg], lang: str, columns: int | None = None) -> str:
    """What runs where, and the settings that point another copycar-assist at it (on a terminal
    `columns` wide, the sentences wrapped to it; the settings, to be copied, as they are)."""
    import tomli_w

    from copycar_assist.i18n import t
    from copycar_assist.simulator.catalogue import SCENARIOS

    from .columns import fit

    values = world.settings()
    nameservers = values["email.nameservers"]  # the demo's one DNS server
    dns_host = nameservers[0] if isinstance(nameservers, list) and nameservers else "-"
    summaries = "; ".join(SCENARIOS[n].summary(lang) for n in world.names)
    out = [fit(t("cli.simulate.head", lang, scenario=world.scenario, summaries=summaries), columns),
           f"  API:    {values['api.base_url']}   ({t('cli.simulate.key', lang)}: {values['api.key'] or '-'})",
           f"  CRM:    {values['crm.base_url']}",
           f"  SMTP:   {values['smtp.host']}:{values['smtp.port']} STARTTLS  (CA: {values['smtp.ca_file']})",
           f"  DNS:    {dns_host}:{values['email.dns_port']}/udp  ({values['email.domain']})"]
    redis = failed.get("redis")
    out.append(f"  Redis:  {redis.text(lang) if redis else values['redis.url']}")
    config: dict[str, dict[str, object]] = {}
    for dotted, value in values.items():
        if value in (None, [], {}):
            continue
        section, _, key = dotted.partition(".")
        config.setdefault(section, {})[key] = value
    out.append("")
    out.append(fit(t("cli.simulate.settings", lang), columns))
    out.append(tomli_w.dumps(config).rstrip())
    out.append("")
    out.append(t("cli.simulate.ctrl_c", lang))
    return "\n".join(out) + "\n"
