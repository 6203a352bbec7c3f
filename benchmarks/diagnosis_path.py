"""How well the conversation diagnoses: the right cause, and how many questions it takes.

    python benchmarks/diagnosis_path.py                       # tests/data/diagnosis_cases.jsonl via `chat --json`
    python benchmarks/diagnosis_path.py --file X.jsonl -v     # another set; list the misses
    python benchmarks/diagnosis_path.py --fixed-order         # also today's engine with the evidence ignored
                                                              #  (uniform priors, no cues: the file's order)

Each case: {"description", "scenario", "entry", "cause", "lang", "hint"}. The cases were written for
a world where the CopyCar API and the CRM are simulated (scenario S) and mail, DNS, Redis and the
customer's material are not set up: the benchmark starts that simulator and a settings file
pointing at it, and a simulated user drives `copycar-assist chat --json` (one process per case,
no --demo, whose world now simulates every service): it describes the problem,
picks the true entry where the assistant offers a choice of entries (or browses to it), confirms
the symptoms of the true entry only (else browses to it), skips any material asked for, answers
"yes" only to questions about the true cause (the prompt's `about.cause`, or a narrowing question
whose `about.causes` holds it), and marks steps done. Figures:
- right cause: the first `cause_found` is the true (entry, cause);
- questions before the cause: yes/no prompts (state `question`) before the first `cause_found`;
  wasted ones are about other causes only. Mean, median and p90, overall and clear / vague cases.
Targets (issue 9): right cause ≥ 95 %, median wasted questions 0, mean ≤ 0.5.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = ROOT / "tests" / "data" / "diagnosis_cases.jsonl"
MAX_TURNS = 40


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class User:
    """The simulated user: the next request for the last prompt, knowing the truth."""

    def __init__(self, case: dict):
        self.case = case
        self.described = False
        self.browsed = False

    def next(self, prompt: dict) -> dict | None:
        entry, cause = self.case["entry"], self.case["cause"]
        state, choices = prompt["state"], prompt["choices"]
        by_role = {c["role"]: c for c in choices}
        if state == "describe":
            if self.described:
                return {"choose": "browse"} if not self.browsed else None
            self.described = True
            return {"text": self.case["description"]}
        if state == "clarify":
            hit = next((c for c in choices if c.get("entry") == entry), None)
            return {"choose": hit["id"] if hit else "browse"}
        if state == "no_match":
            return {"choose": "browse"}
        if state == "browse_categories":
            self.browsed = True
            return {"choose": f"entry:{entry}"}  # the browser's jump: the user knows where it is
        if state == "browse_entries":
            return {"choose": f"entry:{entry}"}
        if state == "confirm_symptoms":  # the symptoms of another problem are not what the user sees
            return {"choose": by_role["yes" if prompt["about"].get("entry") == entry else "no"]["id"]}
        if state == "gather_input":
            return {"choose": by_role["skip"]["id"]}
        if state == "question":
            about = prompt["about"]
            yes = about.get("entry") == entry and (about.get("cause") == cause or cause in about.get("causes", ()))
            return {"choose": by_role["yes" if yes else "no"]["id"]}
        return None  # a cause was named (steps, did it fix it…): the walk is over


def _api_world(scenario: str):
    """The world the cases were written for: the CopyCar API and the CRM simulated (API and CRM
    scenarios); mail, DNS, Redis and the customer's material not configured."""
    from copycar_assist.simulator import start_simulator

    return start_simulator(scenario)


def _settings_file(sim, folder: Path) -> Path:
    """A settings file pointing at the simulator, as an agent would configure it."""
    import tomli_w

    from copycar_assist.simulator import crm

    path = folder / "config.toml"
    doc = {"api": {"base_url": sim.base_url},
           "crm": {"kind": "rest", "base_url": sim.root_url + crm.PREFIX, "token": crm.DEMO_CRM_TOKEN,
                   "field_map": dict(crm.DEMO_FIELD_MAP)}}
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    path.chmod(0o600)
    return path


def run_chat_json(case: dict) -> list[dict]:
    """Drive one case through `chat --json`, one request at a time, reading events up to each prompt."""
    import os
    import tempfile

    from copycar_assist.simulator import DEMO_KEY

    sim = _api_world(case["scenario"])
    folder = Path(tempfile.mkdtemp(prefix="diagnosis-path-"))
    env = {**os.environ, "COPYCAR_ASSIST_CONFIG": str(_settings_file(sim, folder)), "COPYCAR_API_KEY": DEMO_KEY,
           "COPYCAR_ASSIST_DATA": str(folder / "data")}
    cmd = [sys.executable, "-m", "copycar_assist", "--lang", case.get("lang", "en"), "chat", "--json", "--no-history"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT, bufsize=1, env=env)
    assert proc.stdin is not None and proc.stdout is not None
    events: list[dict] = []
    user = User(case)
    try:
        for _ in range(MAX_TURNS):
            prompt = None
            while prompt is None:
                line = proc.stdout.readline()
                if not line:
                    raise RuntimeError(f"chat --json ended early: {proc.stderr.read() if proc.stderr else ''}")
                event = json.loads(line)
                events.append(event)
                if event["type"] == "prompt":
                    prompt = event
            if any(e["type"] == "cause_found" for e in events):
                break
            request = user.next(prompt)
            if request is None:
                break
            proc.stdin.write(json.dumps(request) + "\n")
            proc.stdin.flush()
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
        sim.stop()
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return events


def run_in_process(case: dict) -> list[dict]:
    """The same walk on the engine in this process (for --fixed-order, which patches the belief)."""
    import asyncio

    from copycar_assist.config import Settings
    from copycar_assist.conversation import Conversation, collect
    from copycar_assist.kb import load_knowledge
    from copycar_assist.matching import Matcher
    from copycar_assist.simulator.demo import use_demo

    global _KB, _MATCHER
    if _KB is None:
        _KB = load_knowledge()
        _MATCHER = Matcher(_KB)

    async def walk() -> list[dict]:
        settings = Settings()
        if FULL_WORLD:  # every service of the demo world: mail, DNS, Redis, the monitor, the material
            from copycar_assist.simulator.demo import start_demo

            sim = start_demo(case["scenario"])
        else:
            sim = _api_world(case["scenario"])
        use_demo(settings, sim)  # a simulator handle: the API and the CRM only
        events: list[dict] = []
        user = User(case)
        try:
            async with Conversation(_KB, _MATCHER, settings, lang=case.get("lang", "en"), tickets=_NoTickets()) as conv:
                events += [e.to_json() for e in await collect(conv.start())]
                for _ in range(MAX_TURNS):
                    if any(e["type"] == "cause_found" for e in events):
                        break
                    request = user.next(events[-1])
                    if request is None:
                        break
                    stream = conv.choose(request["choose"]) if "choose" in request else conv.send(request["text"])
                    events += [e.to_json() for e in await collect(stream)]
        finally:
            sim.stop()
        return events

    return asyncio.run(walk())


_KB = None
_MATCHER = None
FULL_WORLD = False  # --full-world


class _NoTickets:
    def save(self, case_id: str, markdown: str):
        raise OSError(30, "not saved in the benchmark")


def fixed_order() -> None:
    """Today's engine with the evidence ignored: uniform priors, no cues (the entry's order)."""
    from copycar_assist.conversation import belief, diagnose, engine

    real = belief.believe

    def believe_in_order(entry, facts):
        saved = [(c, c.prior) for c in entry.causes]
        cues, facts.cues = facts.cues, []
        for c, _ in saved:
            c.prior = None
        try:
            return real(entry, facts)
        finally:
            facts.cues = cues
            for c, p in saved:
                c.prior = p

    for module in (belief, diagnose, engine):
        if hasattr(module, "believe"):
            module.believe = believe_in_order


def judge(case: dict, events: list[dict]) -> dict:
    found = next((e for e in events if e["type"] == "cause_found"), None)
    questions, wasted = 0, 0
    for e in events:
        if e is found:
            break
        if e["type"] == "prompt" and e["state"] == "question":
            questions += 1
            about = e["about"]  # a narrowing question is about its group of causes
            if about.get("entry") != case["entry"] or (about.get("cause") != case["cause"]
                                                       and case["cause"] not in about.get("causes", ())):
                wasted += 1
    right = found is not None and (found["entry"], found["cause"]) == (case["entry"], case["cause"])
    return {"right": right, "questions": questions, "wasted": wasted,
            "found": (found["entry"], found["cause"], found["via"]) if found else None}


def summary(name: str, rows: list[tuple[dict, dict]]) -> str:
    if not rows:
        return f"{name:<22} –"
    right = 100.0 * sum(r["right"] for _, r in rows) / len(rows)
    q = [r["questions"] for _, r in rows]
    w = [r["wasted"] for _, r in rows]
    p90 = sorted(w)[min(len(w) - 1, int(0.9 * len(w)))]
    return (f"{name:<22}{len(rows):>4}  right {right:5.1f} %   questions mean {statistics.mean(q):.2f}   "
            f"wasted mean {statistics.mean(w):.2f} median {statistics.median(w):.0f} p90 {p90}")


def report(label: str, cases: list[dict], drive: Callable[[dict], list[dict]], verbose: bool) -> None:
    rows = [(c, judge(c, drive(c))) for c in cases]
    print(f"== {label}")
    print(summary("all", rows))
    for hint in ("clear", "vague"):
        print(summary(f"  {hint}", [(c, r) for c, r in rows if c.get("hint") == hint]))
    via: dict[str, int] = {}
    for _, r in rows:
        if r["found"]:
            via[r["found"][2]] = via.get(r["found"][2], 0) + 1
    print("  cause found via:", ", ".join(f"{k} {v}" for k, v in sorted(via.items())))
    if verbose:
        for c, r in rows:
            if not r["right"] or r["wasted"]:
                print(f"  - {c.get('id')} [{c['scenario']}] {c['entry']}#{c['cause']} → {r['found']} "
                      f"wasted {r['wasted']} :: {c['description'][:110]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file", type=Path, default=CASES)
    ap.add_argument("--fixed-order", action="store_true", help="also run the engine with the evidence ignored")
    ap.add_argument("--in-process", action="store_true", help="drive the engine in this process (faster)")
    ap.add_argument("--full-world", action="store_true",
                    help="in process: the whole demo world (mail, DNS, Redis, monitor, material), for sets whose "
                         "scenarios name them")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    global FULL_WORLD
    FULL_WORLD = args.full_world
    cases = read(args.file)
    report("by evidence (chat --json)" if not args.in_process else "by evidence (in process)", cases,
           run_in_process if args.in_process else run_chat_json, args.verbose)
    if args.fixed_order:
        fixed_order()
        report("fixed order (evidence ignored, in process)", cases, run_in_process, args.verbose)
    print("targets: right cause ≥ 95 %, wasted questions median 0, mean ≤ 0.5")


if __name__ == "__main__":
    main()
