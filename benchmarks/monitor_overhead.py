"""Does the monitor stay flat over a day? CPU per sample and memory after 24 simulated hours.

    python benchmarks/monitor_overhead.py [--hours 24] [--interval 5] [--scenario healthy]

The monitor runs for real against the demo API on loopback (every GET /health and the budgeted
GET /verify are real requests, every window is written to a real history database), on a clock
that jumps: 24 hours of samples take a minute or two. For each simulated hour it prints the
samples taken, the process CPU time per sample, and the Python heap in use (tracemalloc; the
in-process demo API's own request log, which grows by design, is emptied first) at the end of
the hour. Flat means: the last hours' CPU per sample within 1.5× of the second hour's, and the
heap after hour 24 within 1 MiB of the heap after hour 2 (hour 1 fills the window, the
history's first pages and the caches).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def db_size(path: Path) -> int:
    return sum(os.path.getsize(p) for p in (path, path.with_name(path.name + "-wal")) if p.exists())


async def run(hours: float, interval: float, scenario: str) -> list[dict]:
    from copycar_assist.checks.http import make_client
    from copycar_assist.config import Settings
    from copycar_assist.kb import load_knowledge
    from copycar_assist.monitor.clock import ManualClock
    from copycar_assist.monitor.engine import Monitor, Tick
    from copycar_assist.runs.runstore import RunStore
    from copycar_assist.simulator import start_simulator
    from copycar_assist.simulator.demo import use_demo

    kb = load_knowledge()
    sim = start_simulator(scenario)
    settings = Settings()
    use_demo(settings, sim)
    settings.monitor.interval_s = interval
    clock = ManualClock()
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = RunStore.open(Path(tmp), clock=clock.time)
        try:
            async with make_client(settings) as client:
                mon = Monitor(settings, kb, client, store=store, clock=clock, notify=False)
                start = clock.time()
                hour_end = start + 3600
                samples = 0
                cpu0 = time.process_time()
                async for event in mon.run(duration_s=hours * 3600 + interval):
                    if not isinstance(event, Tick):
                        continue
                    samples += len(event.samples)
                    if event.at >= hour_end:
                        cpu = time.process_time() - cpu0
                        with sim.state.lock:  # the demo API's request log grows by design (tests count
                            sim.state.log.clear()  # with it): emptied so that only the monitor is measured
                        heap, _peak = tracemalloc.get_traced_memory()
                        rows.append({"hour": len(rows) + 1, "samples": samples, "cpu_ms_per_sample": cpu * 1000 / samples,
                                     "heap_kib": heap / 1024, "db_kib": db_size(store.path) / 1024})
                        print(f"{rows[-1]['hour']:>4}  {samples:>7}  {rows[-1]['cpu_ms_per_sample']:>8.3f}"
                              f"  {rows[-1]['heap_kib']:>10.0f}  {rows[-1]['db_kib']:>8.0f}", flush=True)
                        hour_end += 3600
                        samples = 0
                        cpu0 = time.process_time()
        finally:
            store.close()
            sim.stop()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=24)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--scenario", default="healthy")
    args = parser.parse_args()
    tracemalloc.start()
    print(f"monitor overhead: {args.hours:g} simulated hours, a sample every {args.interval:g} s, "
          f"scenario {args.scenario}")
    print("hour  samples  cpu ms/sample  heap KiB    db KiB")
    started = time.perf_counter()
    rows = asyncio.run(run(args.hours, args.interval, args.scenario))
    wall = time.perf_counter() - started
    if len(rows) < 3:
        print("too few hours to judge")
        return 1
    second, last = rows[1], rows[-1]
    tail_cpu = statistics.median(r["cpu_ms_per_sample"] for r in rows[-3:])
    cpu_ratio = tail_cpu / second["cpu_ms_per_sample"]
    heap_growth = last["heap_kib"] - second["heap_kib"]
    flat = cpu_ratio <= 1.5 and heap_growth <= 1024
    print(f"\nwall {wall:.0f} s for {sum(r['samples'] for r in rows)} samples")
    print(f"CPU per sample: hour 2 {second['cpu_ms_per_sample']:.3f} ms, last hours {tail_cpu:.3f} ms "
          f"(×{cpu_ratio:.2f})")
    print(f"heap: hour 2 {second['heap_kib']:.0f} KiB, hour {last['hour']} {last['heap_kib']:.0f} KiB "
          f"({heap_growth:+.0f} KiB)")
    print("FLAT" if flat else "NOT FLAT")
    return 0 if flat else 1


if __name__ == "__main__":
    sys.exit(main())
