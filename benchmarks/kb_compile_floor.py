"""How close the cold compile is to what its workers alone cost (prints a table; not a test).

    python benchmarks/kb_compile_floor.py [--size 10000] [--runs 3] [--kb DIR]

A cold compile of a large knowledge base (`kb_scale.py`'s "ready cold") reads and prepares
every entry in worker processes, one per core, while this process stores what they send and
merges it into the matcher's index, then weighs and writes that index. Each mode below runs in
a fresh process, the modes taking turns run after run (this machine's speed drifts):

    read      every entry file read and parsed in the workers, nothing sent back (what any
              compile must do before it prepares anything)
    workers   every entry read, parsed and prepared for the matcher, as a compile's workers do,
              and sent back; nothing is done with it here (the compile with no merge, no store,
              no index: a floor no arrangement of this process's work can go under)
    cold      the real thing: the knowledge and a matcher over it, the app's way, nothing cached

It reports each mode's wall time (median), the CPU it used (this process and its workers), and
the CPU per entry. The synthetic entries are `kb_scale.py`'s (copies of the shipped ones, each
with its own made-up word); `--kb` measures a directory of your own instead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.kb_scale import generate, probe, probe_env  # noqa: E402  (run as a script, from anywhere)

PROBE = r'''
import json, resource, sys, time
from functools import partial
from pathlib import Path
mode, kb = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if mode == "cold":
    from benchmarks.kb_scale_ready import ready
    ready(kb)
else:
    from copycar_assist.kb.compile import _store_row
    from copycar_assist.kb.pool import bulk_work
    from copycar_assist.kb.scan import scan_data, scan_entries
    from copycar_assist.matching.companion import MATCHER
    scan = scan_data(Path(kb))
    fn = partial(_store_row, MATCHER) if mode == "workers" else bool  # bool: nothing sent back
    with bulk_work():
        count = sum(1 for _ in scan_entries(scan, fn))
    assert not scan.problems, scan.problems[:3]
wall = time.perf_counter() - t0
usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
print("PROBE " + json.dumps({"wall": wall, "cpu": sum(u.ru_utime + u.ru_stime for u in usage)}))
'''


def run(mode: str, kb: Path, tmp: Path) -> dict:
    """One mode in a process of its own, with a cache of its own (nothing cached)."""
    cache = Path(tempfile.mkdtemp(prefix="cache-", dir=tmp))
    cache.chmod(0o700)
    try:
        out = probe([mode, str(kb)], probe_env(cache, tmp), script=PROBE)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    if out.get("failed"):
        raise SystemExit(f"{mode} failed (above)")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=10_000, help="synthetic entries (kb_scale.py's)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kb", type=Path, help="measure this knowledge directory instead")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kb-floor-"))
    try:
        kb = args.kb
        if kb is None:
            kb = tmp / "kb"
            generate(args.size, kb)
        entries = len([p for p in kb.glob("*.md") if p.name != "README.md"])
        modes = ("read", "workers", "cold")
        runs: dict[str, list[dict]] = {mode: [] for mode in modes}
        for _ in range(args.runs):
            for mode in modes:
                runs[mode].append(run(mode, kb, tmp))
        cold = statistics.median(r["wall"] for r in runs["cold"])
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {entries:,} entries, "
              f"median of {args.runs} runs each, taking turns")
        print("| mode | wall | CPU (all processes) | CPU per entry | share of cold |")
        print("|---|---|---|---|---|")
        for mode in modes:
            wall = statistics.median(r["wall"] for r in runs[mode])
            cpu = statistics.median(r["cpu"] for r in runs[mode])
            print(f"| {mode} | {wall:.2f} s | {cpu:.1f} s | {1000 * cpu / entries:.2f} ms | {wall / cold:.0%} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
