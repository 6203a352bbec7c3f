"""`copycar-assist simulate --scenario NAME [--port N] [--delay-ms N]`: the demo API in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
import threading


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "simulate", help="serve the demo CopyCar API on 127.0.0.1 (Ctrl-C stops it)",
        description="Serve the demo CopyCar API on 127.0.0.1 with a fault scenario, for training and tests.")
    p.add_argument("--scenario", dest="sim_scenario", metavar="NAME", default=None,
                   help="healthy, invalid-key, expired-key, forbidden, rate-limited, low-quota, slow, flaky, down, …")
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    p.add_argument("--delay-ms", type=int, default=None, help="delay every answer (slow: 1500 by default)")
    p.add_argument("--rate-limit-after", type=int, default=None, metavar="N",
                   help="rate-limited: answer 429 after N successful calls (default 0)")
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from copycar_assist.cli import EXIT_OK, UsageError
    from copycar_assist.simulator import DEMO_KEY, start_simulator
    from copycar_assist.simulator.server import all_scenarios

    es = getattr(args, "lang", None) == "es"
    scenarios = all_scenarios()
    if args.list:
        for name, (text_es, text_en) in scenarios.items():
            print(f"{name:16} {text_es if es else text_en}")
        return EXIT_OK
    name = args.sim_scenario or getattr(args, "scenario", None) or "healthy"
    if name not in scenarios:
        raise UsageError(f"unknown scenario {name!r}; choose one of: {', '.join(scenarios)}")
    if not 0 <= args.port <= 65535:
        raise UsageError("--port must be between 0 and 65535")
    if args.delay_ms is not None and not 0 <= args.delay_ms <= 600_000:
        raise UsageError("--delay-ms must be between 0 and 600000")
    try:
        sim = start_simulator(name, args.port, delay_ms=args.delay_ms, rate_limit_after=args.rate_limit_after)
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}") from None
    stop = threading.Event()

    def on_term(signum, frame):  # SIGTERM stops as cleanly as Ctrl-C
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_term)
    if es:
        print(f"Simulador de la API de CopyCar — escenario «{name}»: {scenarios[name][0]}")
        print(f"  URL base:  {sim.base_url}")
        print(f"  Clave demo: {DEMO_KEY}")
        print(f"  Prueba:    COPYCAR_BASE_URL={sim.base_url} COPYCAR_API_KEY={DEMO_KEY} copycar-assist doctor")
        print("Ctrl-C para parar.")
    else:
        print(f"CopyCar API simulator — scenario '{name}': {scenarios[name][1]}")
        print(f"  Base URL:  {sim.base_url}")
        print(f"  Demo key:  {DEMO_KEY}")
        print(f"  Try:       COPYCAR_BASE_URL={sim.base_url} COPYCAR_API_KEY={DEMO_KEY} copycar-assist doctor")
        print("Ctrl-C to stop.")
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
        signal.signal(signal.SIGTERM, previous)
    print("Simulador parado." if es else "Simulator stopped.")
    return EXIT_OK
