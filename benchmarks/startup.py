"""Start-up time of the app: process start → first frame (the header text on screen).

Runs `python -m copycar_assist` in a pseudo-terminal and reads its output until "CopyCar Assist"
appears, against a minimal Textual app (Header, Input, Footer, same title) measured alternately
in the same run. Prints the medians and the ratio (target: ≤ 1.3).

The app runs with a settings file of its own (a user who has set it up), with none (the first
start, which offers the guided set-up), and with `--kb DIR` when given (another knowledge base,
e.g. one made by `kb_scale.py --keep`: the first frame must not depend on its size). The
knowledge cache is a directory of this run's own, primed by the warm-up runs; bytecode is
written (PYTHONDONTWRITEBYTECODE dropped), as in an installed package.

    python benchmarks/startup.py [--runs N] [--size 120x36] [--demo] [--kb DIR]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NEEDLE = b"CopyCar Assist"

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Footer, Header, Input

class Minimal(App):
    TITLE = "CopyCar Assist"

    def compose(self):
        yield Header()
        yield Input(placeholder="Describe the problem")
        yield Footer()

Minimal().run()
"""


def first_frame(argv: list[str], env: dict[str, str], size: tuple[int, int],
                timeout: float = 30.0) -> tuple[float, float]:
    """(wall seconds from fork to NEEDLE in the child's output, the child's CPU seconds by then).

    The CPU time (user + system, read when the child is stopped right after its first frame)
    is less sensitive than the wall time to other processes competing for the cores."""
    cols, rows = size
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        try:
            os.chdir(ROOT)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        seen = b""
        deadline = started + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no first frame within {timeout} s: {seen[-300:]!r}")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                raise RuntimeError(f"the app exited before its first frame: {seen[-500:]!r}") from None
            if not chunk:
                raise RuntimeError(f"the app exited before its first frame: {seen[-500:]!r}")
            seen += chunk
            if NEEDLE in seen and not os.environ.get("NOKILL"):
                wall = time.perf_counter() - started
                os.kill(pid, signal.SIGKILL)
                _, _, usage = os.wait4(pid, 0)
                pid = 0
                return wall, usage.ru_utime + usage.ru_stime
    finally:
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ChildProcessError, ProcessLookupError):
                pass
        os.close(fd)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--size", default="120x36")
    parser.add_argument("--demo", action="store_true", help="measure `copycar-assist --demo` too")
    parser.add_argument("--kb", metavar="DIR", help="measure `copycar-assist --kb DIR` too")
    args = parser.parse_args()
    cols, rows = (int(n) for n in args.size.lower().split("x"))

    tmp = tempfile.mkdtemp(prefix="cca-startup-")
    settings = Path(tmp) / "settings.toml"  # a user who has set it up (no key: nothing is checked at start)
    settings.write_text('language = "es"\n', encoding="utf-8")
    settings.chmod(0o600)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("COPYCAR_", "TEXTUAL")) and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(TERM="xterm-256color", COPYCAR_ASSIST_DATA=tmp, COPYCAR_ASSIST_CONFIG=str(settings),
               COPYCAR_ASSIST_CACHE=f"{tmp}/cache", PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""))
    first_start = {**env, "COPYCAR_ASSIST_CONFIG": f"{tmp}/none.toml"}
    py = sys.executable
    app = [py, "-m", "copycar_assist"]
    variants = {"minimal Textual app": ([py, "-c", MINIMAL_APP], env), "copycar-assist": (app, env),
                "… first start (no settings)": (app, first_start)}
    if args.demo:
        variants["copycar-assist --demo"] = ([*app, "--demo"], env)
    if args.kb:
        variants[f"… --kb {Path(args.kb).name}"] = ([*app, "--kb", args.kb], env)

    for argv, e in variants.values():  # warm the file cache, the bytecode and the knowledge cache
        first_frame(argv, e, (cols, rows))
    if args.kb:  # the app loads the knowledge after its first frame: let one run build its cache
        subprocess.run([*app, "--kb", args.kb, "kb", "list"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
    walls: dict[str, list[float]] = {name: [] for name in variants}
    cpus: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for run in range(args.runs):  # alternate, in a rotating order: drift and position hit every variant alike
        for name in names[run % len(names):] + names[:run % len(names)]:
            argv, e = variants[name]
            wall, cpu = first_frame(argv, e, (cols, rows))
            walls[name].append(wall)
            cpus[name].append(cpu)

    load = os.getloadavg()[0]
    print(f"start-up to first frame, {args.runs} runs each, {cols}x{rows}, python {sys.version.split()[0]}, "
          f"load average {load:.2f}")
    base_wall = statistics.median(walls["minimal Textual app"])
    base_cpu = statistics.median(cpus["minimal Textual app"])
    for name in variants:
        w, c = walls[name], cpus[name]
        print(f"  {name:28s} wall median {statistics.median(w) * 1000:6.1f} ms (min {min(w) * 1000:6.1f}, "
              f"max {max(w) * 1000:6.1f})  ratio {statistics.median(w) / base_wall:4.2f}   "
              f"cpu median {statistics.median(c) * 1000:6.1f} ms  ratio {statistics.median(c) / base_cpu:4.2f}")
    for name in variants:
        if name != "minimal Textual app":
            ratio = statistics.median(walls[name]) / base_wall
            print(f"ratio {name} / minimal (wall medians): {ratio:.2f} (target ≤ 1.3) {'OK' if ratio <= 1.3 else 'OVER'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
