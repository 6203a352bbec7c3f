"""How much the concurrent runner saves: the API checks against simulators that answer every
request after 500 ms.

    python benchmarks/doctor_speed.py [--delay-ms 500] [--runs 3] [--endpoints 4]
    python benchmarks/doctor_speed.py --delay-ms 0 --shared-endpoints 50 [--backlog 5]

Prints, per configuration and run: the runner's wall time, the slowest check, their ratio (target
≤ 1.3: the runner adds little beyond its slowest check), and the sum of the check durations (what
a sequential runner, like the guide's health check, would take).

`--shared-endpoints N` puts N endpoints on ONE simulator (`/lb/<name>/v2`), so N connections
arrive at one listen queue at once; `--backlog` sets that queue (the simulator's is 128; the
socketserver default of 5 made every connection past the queue wait for a 1 s SYN retry).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from copycar_assist.checks import CheckContext, make_client, run_checks
from copycar_assist.config import Settings
from copycar_assist.kb import load_knowledge
from copycar_assist.redact import Secret
from copycar_assist.simulator import DEMO_KEY, start_simulator

ALL_API = ["api.key_configured", "api.verify", "api.health", "api.rate_limit", "api.endpoints", "api.latency"]
CONFIGS = {
    "api checks without the latency sample": ALL_API[:-1],
    "all api checks (latency: 10 samples, 2 at a time)": ALL_API,
}


async def one_run(kb, settings, ids):
    async with make_client(settings) as client:
        ctx = CheckContext(settings=settings, kb=kb, client=client, redactor=settings.redactor(), lang="en")
        start = time.perf_counter()
        report = await run_checks(ctx, ids, deadline_s=60)
        wall_ms = (time.perf_counter() - start) * 1000
    return wall_ms, report


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--delay-ms", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--endpoints", type=int, default=4, help="simulators behind api.endpoints (base included)")
    ap.add_argument("--shared-endpoints", type=int, default=0, metavar="N",
                    help="N further endpoints, all on the first simulator")
    ap.add_argument("--backlog", type=int, default=None, help="the simulators' listen queue (default: theirs)")
    args = ap.parse_args()
    if args.backlog is not None:
        from copycar_assist.simulator import server

        server._Server.request_queue_size = args.backlog
    kb = load_knowledge()
    sims = [start_simulator("healthy", delay_ms=args.delay_ms) for _ in range(max(1, args.endpoints))]
    try:
        settings = Settings()
        settings.api.base_url = sims[0].base_url
        settings.api.key, settings.api.key_source = Secret(DEMO_KEY), "demo"
        settings.api.endpoints = [s.base_url for s in sims[1:]]
        settings.api.endpoints += [sims[0].endpoint_url(f"e{n}") for n in range(args.shared_endpoints)]
        queue = sims[0]._server.request_queue_size
        print(f"simulators: {len(sims)} (listen queue {queue}), endpoints: {len(settings.api.endpoints) + 1}, "
              f"every answer delayed {args.delay_ms} ms; runs per configuration: {args.runs}")
        worst_ratio = 0.0
        for name, ids in CONFIGS.items():
            print(f"\n{name} ({len(ids)} checks)")
            ratios = []
            for n in range(1, args.runs + 1):
                before = sum(s.request_count() for s in sims)
                wall_ms, report = asyncio.run(one_run(kb, settings, ids))
                made = sum(s.request_count() for s in sims) - before
                bad = [r for r in report.results if r.status != "pass"]
                slowest = max(report.results, key=lambda r: r.duration_ms)
                total = sum(r.duration_ms for r in report.results)
                ratio = wall_ms / max(1, slowest.duration_ms)
                ratios.append(ratio)
                print(f"  run {n}: wall {wall_ms:7.0f} ms (report {report.duration_ms} ms) · slowest "
                      f"{slowest.id} {slowest.duration_ms} ms · ratio {ratio:.2f} · sum of checks {total} ms "
                      f"(sequential ÷ concurrent = {total / wall_ms:.1f}×) · {made} requests "
                      f"(one at a time ≥ {made * args.delay_ms} ms)"
                      + (f" · NOT PASSING: {[(r.id, r.outcome) for r in bad]}" if bad else ""))
            print(f"  median ratio {statistics.median(ratios):.2f} (target ≤ 1.30)")
            worst_ratio = max(worst_ratio, max(ratios))
        requests = sum(s.request_count() for s in sims)
        print(f"\nrequests served: {requests}; worst ratio {worst_ratio:.2f} → "
              + ("within target" if worst_ratio <= 1.3 else "OVER TARGET"))
    finally:
        for s in sims:
            s.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
