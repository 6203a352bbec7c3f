"""Helpers for the demo world's tests: what this process leaves behind (children, sockets),
`diagnose --json` through the installed console script, and a trainee who drives `chat --json`.

The chat driver runs the `chat --json` dialogue (`cli.chat_cmd.dialogue` with JSON lines in and
out) under the one CLI context built from real arguments, so the demo wiring is the command's
own; its input and output are queues instead of a terminal, so many flows can run at once.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# --- what this process leaves behind ------------------------------------------------------------


def children() -> set[int]:
    """Live processes whose parent is this one (zombies count: nobody waited for them)."""
    me, out = os.getpid(), set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            out.add(int(entry))
    return out


def sockets() -> set[str]:
    """The socket inodes this process holds open."""
    out = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(target)
    return out


def listening_ports() -> set[tuple[str, int]]:
    """(protocol, port) of every TCP socket in LISTEN and every bound UDP socket on 127.0.0.1 that
    this process holds (other processes on the machine are none of this test's business; a child
    left running is counted as a child)."""
    mine = {s[len("socket:["):-1] for s in sockets()}
    out = set()
    for proto, path in (("tcp", "/proc/net/tcp"), ("udp", "/proc/net/udp")):
        with open(path) as fh:
            next(fh)
            for line in fh:
                parts = line.split()
                addr, port = parts[1].split(":")
                if addr == "0100007F" and (proto == "udp" or parts[3] == "0A") and parts[9] in mine:
                    out.add((proto, int(port, 16)))
    return out


@dataclass
class Footprint:
    children: set[int] = field(default_factory=children)
    sockets: set[str] = field(default_factory=sockets)
    ports: set[tuple[str, int]] = field(default_factory=listening_ports)

    def left(self) -> dict[str, set]:
        """What exists now that did not before (empty when nothing was left behind)."""
        now = Footprint()
        diff = {"children": now.children - self.children, "sockets": now.sockets - self.sockets,
                "ports": now.ports - self.ports}
        return {k: v for k, v in diff.items() if v}


# --- diagnose --json through the console script ---------------------------------------------------


def clean_env(tmp: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("COPYCAR_")
            and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    return {**base, "PYTHONPATH": str(ROOT), "COPYCAR_ASSIST_CONFIG": str(tmp / "absent.toml"),
            "COPYCAR_ASSIST_DATA": str(tmp / "data"), "LANG": "C"}


def diagnose_argv(scenario: str, entry: str) -> list[str]:
    # no run history: every demo run shares one baseline ("demo:/v2"), and a machine busy with
    # other tests would make the scenario's latency "slower than usual" than the others'
    return ["--demo", "--scenario", scenario, "--lang", "en", "diagnose", entry, "--json", "--no-history"]


def diagnose_process(scenario: str, entry: str, tmp: Path) -> subprocess.Popen:
    """`copycar-assist … diagnose ENTRY --json` started as its own process (collect with `finish`)."""
    return subprocess.Popen([sys.executable, "-m", "copycar_assist", *diagnose_argv(scenario, entry)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=clean_env(tmp))


def finish(proc: subprocess.Popen) -> tuple[int, dict, str]:
    out, err = proc.communicate(timeout=90)
    return proc.returncode, json.loads(out), err


def diagnose_here(scenario: str, entry: str) -> tuple[int, dict, str]:
    """The same command in this process (`cli.main`), its output captured. The caller sets the
    environment (config file, data dir) and must not run two at once: stdout is the process's."""
    import contextlib
    import io

    from copycar_assist.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(diagnose_argv(scenario, entry))
    return code, json.loads(out.getvalue()), err.getvalue()


# --- a trainee on chat --json ---------------------------------------------------------------------


class _Lines:
    """Standard input for the dialogue: lines handed over one at a time, "" at the end."""

    def __init__(self) -> None:
        self.q: queue.Queue[str] = queue.Queue()

    def readline(self, limit: int = -1) -> str:
        return self.q.get(timeout=120)

    def isatty(self) -> bool:
        return False

    def send(self, obj: dict) -> None:
        self.q.put(json.dumps(obj) + "\n")

    def end(self) -> None:
        self.q.put("")


class _Events:
    """Standard output of the dialogue: every JSON line parsed; prompts queued as they come."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        self.prompts: asyncio.Queue[dict] = asyncio.Queue()
        self._buf = ""

    def write(self, text: str) -> None:
        self._buf += text
        while "\n" in self._buf:
            line, self._buf = self._buf.split("\n", 1)
            event = json.loads(line)
            self.events.append(event)
            if event["type"] == "prompt":
                self.prompts.put_nowait(event)

    def flush(self) -> None:
        pass


@dataclass
class ChatRun:
    found: dict | None  # the first cause_found event
    questions: list[str]  # the causes asked about, in order
    events: list[dict]


async def trainee(scenario: str, entry: str, first: dict, *, yes_to: str | None = None, turns: int = 15) -> ChatRun:
    """Drive `chat --json` in a demo scenario: say `first`, confirm the symptoms, hand over the
    material on offer when asked (the scenario's sample), answer questions "not sure" — or "yes"
    to a question about `yes_to` — and stop at the first cause found."""
    from copycar_assist.cli import build_parser
    from copycar_assist.cli.chat_cmd import dialogue
    from copycar_assist.cli.context import Context

    args = build_parser().parse_args(["--demo", "--scenario", scenario, "--lang", "en", "chat", "--json",
                                      "--no-history"])
    with Context(args) as ctx:
        ctx.start_demo()
        inp, out = _Lines(), _Events()
        task = asyncio.create_task(dialogue(ctx.kb, ctx.settings, lang=ctx.lang, save=False, json_mode=True,
                                            inp=inp, out=out, samples=ctx.demo_samples()))
        questions: list[str] = []
        found = None
        try:
            await asyncio.wait_for(out.prompts.get(), 60)
            inp.send(first)
            for _ in range(turns):
                prompt = await asyncio.wait_for(out.prompts.get(), 60)
                found = next((e for e in out.events if e["type"] == "cause_found"), None)
                if found is not None:
                    break
                role = {c["role"]: c["id"] for c in prompt["choices"]}
                state = prompt["state"]
                if state == "confirm_symptoms":
                    pick = role["yes"]
                elif state == "gather_input":
                    pick = role["input"]  # the scenario's own material: sample:1
                elif state == "question":
                    questions.append(prompt["about"]["cause"])
                    pick = role["yes"] if prompt["about"]["cause"] == yes_to else role["skip"]
                else:
                    break
                inp.send({"choose": pick})
        finally:
            inp.end()
            await asyncio.wait_for(task, 60)
        return ChatRun(found, questions, out.events)
