"""Start-up cost of each CLI command on the shipped knowledge, against `python -c "import httpx"`.

Every command runs as its own process (`python -m copycar_assist …`) with its own data directory,
a settings file that does not exist (defaults) and one knowledge cache directory shared by all,
primed once before the timing (warm cache: what a user sees from the second start on). Each
command's run is paired with a run of the baseline right before it, so drift in the load of the
machine hits both alike. Prints, per command, the median wall time to exit, the median wall time
to its first byte on standard output, and the median CPU time (user + system of the child), each
with its ratio to the baseline's (target ≤ 1.3).

What the target is held to: the time to exit, except for `chat --plain (1 line)`, a dialogue,
where it is the time to the first output (the greeting: the command has started and waits for
its input); answering the line is the command's work, and its time to exit is printed beside it.
`chat --plain (no input)` is the same dialogue ended by the end of its input at once: start-up
and shutdown only, held to its time to exit. `doctor --only crm (refused)` has a CRM set up at a
loopback port nothing listens on: the smallest run of a `doctor` that goes to the network (one
request, refused at once).

    python benchmarks/cli_startup.py [--runs N] [--only NAME …] [--target 1.3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "python -c 'import httpx'"

# Commands held to their first output instead of their exit (see the docstring).
JUDGED_ON_FIRST_OUTPUT = {"chat --plain (1 line)"}

# name -> (arguments after `python -m copycar_assist`, standard input or None, exit codes expected)
COMMANDS: dict[str, tuple[list[str], str | None, tuple[int, ...]]] = {
    "--help": (["--help"], None, (0,)),
    "--version": (["--version"], None, (0,)),
    "kb list": (["kb", "list"], None, (0,)),
    "kb show ID": (["kb", "show", "invalid-api-key"], None, (0,)),
    "kb lint": (["kb", "lint"], None, (0,)),
    "match TEXT": (["match", "my api key gives 401 unauthorized"], None, (0,)),
    "chat --plain (1 line)": (["chat", "--plain"], "my api key gives 401 unauthorized\n", (0,)),
    "chat --plain (no input)": (["chat", "--plain"], "", (0,)),
    "doctor --demo --only api": (["--demo", "doctor", "--only", "api", "--no-history"], None, (0, 1)),
    "doctor --only crm (none set)": (["doctor", "--only", "crm", "--no-history"], None, (0,)),
    # a CRM set up, at a loopback port nothing listens on: one request, refused at once
    "doctor --only crm (refused)": (["doctor", "--only", "crm", "--no-history"], None, (1,)),
    "sessions list": (["sessions", "list"], None, (0,)),
    "config show": (["config", "show"], None, (0,)),
    "config path": (["config", "path"], None, (0,)),
    "history": (["history"], None, (0,)),
    "tickets list": (["tickets", "list"], None, (0,)),
    "simulate --list": (["simulate", "--list"], None, (0,)),
}


def _closed_port() -> int:
    """A loopback port nothing listens on (one just let go)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_once(argv: list[str], env: dict[str, str], stdin: str | None, expect: tuple[int, ...]
             ) -> tuple[float, float, float | None]:
    """(wall seconds from spawn to exit, the child's CPU seconds, wall seconds from spawn to its
    first byte on standard output or None when it printed nothing). Raises when it exits
    otherwise than expected, with the end of its standard error."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=err, env=env, cwd=ROOT)
        if stdin is not None:  # small enough for the pipe's buffer: written before anything is read
            assert proc.stdin is not None
            proc.stdin.write(stdin.encode())
            proc.stdin.close()
        assert proc.stdout is not None
        first = None
        while os.read(proc.stdout.fileno(), 65536):  # read to the end: a full pipe would stall it
            if first is None:
                first = time.perf_counter() - started
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in expect:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-800:]
            raise RuntimeError(f"{' '.join(argv[2:])} exited {code}:\n{tail}")
    return wall, usage.ru_utime + usage.ru_stime, first


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these commands (names as in the table)")
    parser.add_argument("--target", type=float, default=1.3)
    args = parser.parse_args()
    chosen = {n: c for n, c in COMMANDS.items() if not args.only or n in args.only}
    if not chosen:
        parser.error(f"no such command; known: {', '.join(COMMANDS)}")

    tmp = Path(tempfile.mkdtemp(prefix="cca-cli-startup-"))
    # PYTHONDONTWRITEBYTECODE is dropped: an installed package has its bytecode, and compiling
    # our modules on every start would be measured otherwise.
    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("COPYCAR_", "XDG_")) and k != "PYTHONDONTWRITEBYTECODE"}
    base_env.update(COPYCAR_ASSIST_CACHE=str(tmp / "cache"), COPYCAR_ASSIST_CONFIG=str(tmp / "none.toml"),
                    XDG_CONFIG_HOME=str(tmp / "xdg-config"), XDG_DATA_HOME=str(tmp / "xdg-data"),
                    XDG_CACHE_HOME=str(tmp / "xdg-cache"), XDG_STATE_HOME=str(tmp / "xdg-state"),
                    PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), LANG="C.UTF-8")
    envs = {name: {**base_env, "COPYCAR_ASSIST_DATA": str(tmp / f"data-{i}")} for i, name in enumerate(chosen)}
    if "doctor --only crm (refused)" in chosen:
        crm = tmp / "crm.toml"
        crm.write_text(f'[crm]\nkind = "rest"\nbase_url = "http://127.0.0.1:{_closed_port()}"\n'
                       'token = "tok-startup-bench-0000"\n[crm.field_map]\ncompany = "company"\n', encoding="utf-8")
        crm.chmod(0o600)  # it holds a token
        envs["doctor --only crm (refused)"]["COPYCAR_ASSIST_CONFIG"] = str(crm)
    py = sys.executable
    baseline = ([py, "-c", "import httpx"], base_env, None, (0,))

    # Prime: the bytecode, the file cache and the compiled knowledge (one cache for all). The
    # sessions listing gets one saved conversation to list, the history two doctor runs.
    run_once(*baseline)
    if "sessions list" in chosen:
        chat, stdin, expect = COMMANDS["chat --plain (1 line)"]
        run_once([py, "-m", "copycar_assist", *chat], envs["sessions list"], stdin, expect)
    if "history" in chosen:
        for _ in range(2):
            run_once([py, "-m", "copycar_assist", "--demo", "doctor", "--only", "api"], envs["history"], None, (0, 1))
    for name, (cmd, stdin, expect) in chosen.items():
        run_once([py, "-m", "copycar_assist", *cmd], envs[name], stdin, expect)

    base_w: dict[str, list[float]] = {n: [] for n in chosen}
    base_c: dict[str, list[float]] = {n: [] for n in chosen}
    walls: dict[str, list[float]] = {n: [] for n in chosen}
    firsts: dict[str, list[float]] = {n: [] for n in chosen}
    cpus: dict[str, list[float]] = {n: [] for n in chosen}
    for _ in range(args.runs):
        for name, (cmd, stdin, expect) in chosen.items():  # each command right after a baseline run
            w, c, _ = run_once(*baseline)
            base_w[name].append(w)
            base_c[name].append(c)
            w, c, f = run_once([py, "-m", "copycar_assist", *cmd], envs[name], stdin, expect)
            walls[name].append(w)
            cpus[name].append(c)
            if f is not None:
                firsts[name].append(f)

    all_base_w = [w for ws in base_w.values() for w in ws]
    all_base_c = [c for cs in base_c.values() for c in cs]
    print(f"CLI start-up on the shipped knowledge, warm cache, {args.runs} runs each, python "
          f"{sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f}")
    print(f"  baseline {BASELINE}: wall median {statistics.median(all_base_w) * 1000:.1f} ms, "
          f"cpu median {statistics.median(all_base_c) * 1000:.1f} ms")
    print(f"  {'command':28s} {'exit ms':>8s} {'base ms':>8s} {'ratio':>6s}   {'1st out':>8s} {'ratio':>6s}   "
          f"{'cpu ms':>7s} {'base ms':>8s} {'ratio':>6s}  held to")
    over = []
    for name in chosen:
        wall, bw = statistics.median(walls[name]), statistics.median(base_w[name])
        cpu, bc = statistics.median(cpus[name]), statistics.median(base_c[name])
        first = statistics.median(firsts[name]) if firsts[name] else None
        on_first = name in JUDGED_ON_FIRST_OUTPUT
        if on_first and (first is None or len(firsts[name]) < len(walls[name])):
            raise RuntimeError(f"{name} did not print on every run: it cannot be held to its first output")
        ratio = (first if on_first and first is not None else wall) / bw
        if ratio > args.target:
            over.append(name)
        first_cols = f"{first * 1000:8.1f} {first / bw:6.2f}" if first is not None else f"{'-':>8s} {'-':>6s}"
        print(f"  {name:28s} {wall * 1000:8.1f} {bw * 1000:8.1f} {wall / bw:6.2f}   {first_cols}   {cpu * 1000:7.1f} "
              f"{bc * 1000:8.1f} {cpu / bc:6.2f}  {'1st out' if on_first else 'exit':7s} "
              f"{'OK' if ratio <= args.target else 'OVER'}")
    print(f"wall ratio target ≤ {args.target}: " + (f"over for {', '.join(over)}" if over else "every command within"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
