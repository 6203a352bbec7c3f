"""Does `sessions list` / `sessions show last` stay as fast with 10,000 saved sessions as with 10?

    python benchmarks/sessions_speed.py [--counts 10 1000 10000] [--runs 7]

One real session is recorded first (`chat --plain` against the demo API, the expired-key case
taken to its end), then copied under fresh, time-ordered ids into one data directory per count.
Each command is run as the installed console script (process start included, as a user sees
it); the figure is the median wall time. Target: the largest count within 1.5× of the smallest.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).with_name("copycar-assist")
CONVERSATION = "my api key expired, 401 Unauthorized\nyes\n1\nd\nd\nd\nd\ny\n"


def command(*args: str) -> list[str]:
    if SCRIPT.exists():
        return [str(SCRIPT), *args]
    return [sys.executable, "-m", "copycar_assist", *args]


def record_one(data: Path) -> Path:
    env = {**os.environ, "COPYCAR_ASSIST_DATA": str(data), "COPYCAR_ASSIST_CONFIG": str(data / "none.toml")}
    subprocess.run(command("--demo", "--scenario", "expired-key", "--lang", "en", "chat", "--plain"),
                   input=CONVERSATION.encode(), capture_output=True, env=env, cwd=ROOT, timeout=120, check=True)
    [path] = (data / "sessions").glob("*.jsonl")
    return path


def fill(folder: Path, source: bytes, count: int) -> None:
    folder.mkdir(parents=True, mode=0o700)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for n in range(count):
        sid = (start + timedelta(minutes=n)).strftime("%Y%m%dT%H%M%S%fZ") + f"-{n:06x}"
        (folder / f"{sid}.jsonl").write_bytes(source)


def timed(args: list[str], data: Path, runs: int) -> float:
    env = {**os.environ, "COPYCAR_ASSIST_DATA": str(data), "COPYCAR_ASSIST_CONFIG": str(data / "none.toml")}
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(command(*args), capture_output=True, env=env, cwd=ROOT, timeout=120, check=True)
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counts", type=int, nargs="+", default=[10, 1000, 10000])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        source = record_one(tmp_path / "recorded").read_bytes()
        records = source.count(b"\n")
        print(f"one recorded session: {records} records, {len(source):,} bytes; {args.runs} runs per figure")
        figures: dict[str, dict[int, float]] = {"sessions list": {}, "sessions show last": {}}
        for count in args.counts:
            data = tmp_path / f"n{count}"
            fill(data / "sessions", source, count)
            figures["sessions list"][count] = timed(["sessions", "list"], data, args.runs)
            figures["sessions show last"][count] = timed(["sessions", "show", "last"], data, args.runs)
            print(f"  {count:>6} sessions: list {figures['sessions list'][count]:6.0f} ms · "
                  f"show last {figures['sessions show last'][count]:6.0f} ms")
            shutil.rmtree(data)
        low, high = min(args.counts), max(args.counts)
        worst = 0.0
        for name, by_count in figures.items():
            ratio = by_count[high] / by_count[low]
            worst = max(worst, ratio)
            print(f"{name}: {high:,} sessions ÷ {low:,} sessions = {ratio:.2f} (target ≤ 1.5)")
        print("within target" if worst <= 1.5 else "OVER TARGET")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
