"""Conversation engine speed: time per turn (matching, choices, a check run against the demo
simulator), with and without the session history (one fsync per record), and the cost of one
history record. Prints figures; asserts nothing.

    python benchmarks/conversation_turns.py [ROUNDS]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from copycar_assist.config import Settings
from copycar_assist.conversation import Conversation, collect
from copycar_assist.kb import load_knowledge
from copycar_assist.matching import Matcher
from copycar_assist.redact import Secret
from copycar_assist.simulator import DEMO_KEY, start_simulator
from copycar_assist.support.history import SessionLog

SCRIPT = [("send", "my api key expired, 401 Unauthorized"), ("choose", "yes"), ("choose", "done"),
          ("choose", "skip"), ("choose", "done"), ("choose", "fixed"), ("choose", "escalate")]


async def one_dialogue(kb, matcher, settings, history) -> dict[str, float]:
    times: dict[str, float] = {}
    conv = Conversation(kb, matcher, settings, lang="en", history=history)
    await collect(conv.start())
    for n, (kind, value) in enumerate(SCRIPT):
        t0 = time.perf_counter()
        await collect(conv.send(value) if kind == "send" else conv.choose(value))
        times[f"{n}:{kind}:{value}"] = (time.perf_counter() - t0) * 1000
    await conv.aclose()
    return times


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    kb = load_knowledge()
    matcher = Matcher(kb)
    with start_simulator("expired-key") as sim, tempfile.TemporaryDirectory() as tmp:
        settings = Settings()
        settings.api.base_url, settings.api.key = sim.base_url, Secret(DEMO_KEY)
        for label, with_history in (("no history", False), ("history (fsync per record)", True)):
            runs = []
            for _ in range(rounds):
                log = SessionLog.create(root=Path(tmp)) if with_history else None
                runs.append(asyncio.run(one_dialogue(kb, matcher, settings, log)))
            print(f"\n{label}: median ms per turn over {rounds} dialogues")
            for key in runs[0]:
                values = [r[key] for r in runs]
                print(f"  {key:<52} {statistics.median(values):7.2f}  (max {max(values):.2f})")
        log = SessionLog.create(root=Path(tmp))
        record = {"type": "say", "text": "x" * 300, "markdown": False, "tone": "info"}
        t0 = time.perf_counter()
        for _ in range(200):
            log.append(record)
        per = (time.perf_counter() - t0) * 1000 / 200
        log.close()
        print(f"\none history record (300-char Say, scrubbed, written, fsync'd): {per:.3f} ms")


if __name__ == "__main__":
    main()
