"""A scripted trainee on `train --json`: the command's own Session under the one CLI context, its
input and output queues instead of a terminal (like `fixtures_demo.trainee` for the chat)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from copycar_assist.support.severity import propose_severity
from copycar_assist.training.grading import first_step

from fixtures_demo import _Events, _Lines


def guide_answers(kb, entry: str, cause: str, checks: list[dict]) -> dict[str, str]:
    """What a trainee who knows the guide answers: the entry, the cause, its first step, and the
    severity and level the guide's rules give for the checks that ran."""
    results = [SimpleNamespace(**c) for c in checks]
    severity = propose_severity(kb, entry, results).severity
    rule = kb.support.rule(severity)
    return {"entry": entry, "cause": cause, "step": first_step(kb, entry, cause, "en"), "severity": severity,
            "level": f"{rule.level}/{rule.response_minutes}"}


async def train_case(spec: str, trainee: str, *, right: bool) -> list[dict]:
    """Run one practice case (`--case spec`): run the entry's checks, then answer every part right
    (or, with right=False, wrong) by choosing the choice whose value is (not) the right one."""
    import random

    from copycar_assist.cli import build_parser
    from copycar_assist.cli.context import Context
    from copycar_assist.cli.train_cmd import Session
    from copycar_assist.cli.train_render import JsonOut
    from copycar_assist.training.progress import Progress

    entry, cause = spec.split("/", 1)[1].split("#")
    args = build_parser().parse_args(["--lang", "en", "train", "--json", "--case", spec, "--trainee", trainee])
    with Context(args) as ctx:
        kb = ctx.kb
        inp, out = _Lines(), _Events()
        session = Session(kb, "en", Progress(trainee), JsonOut(out), inp, json_mode=True, rng=random.Random(1),
                          difficulty="clear", case_spec=spec)
        task = asyncio.create_task(session.practise())
        to_run = list(kb.entries[entry].checks)
        answers: dict[str, str] = {}
        try:
            for _ in range(60):
                prompt = await asyncio.wait_for(out.prompts.get(), 60)
                state = prompt["state"]
                by_value = {c.get("value"): c["id"] for c in prompt["choices"]}
                if state == "investigate":
                    inp.send({"choose": "investigate:check" if to_run else "investigate:answer"})
                elif state == "pick_check":
                    inp.send({"choose": by_value[to_run.pop(0)]})
                elif state.startswith("answer_"):
                    if not answers:
                        ran = [{"id": e["id"], "status": e["status"], "outcome": e["outcome"]}
                               for e in out.events if e["type"] == "check"]
                        answers = guide_answers(kb, entry, cause, ran)
                    want = answers[state.removeprefix("answer_")]
                    pick = by_value[want] if right else next(c["id"] for c in prompt["choices"] if c.get("value") != want)
                    inp.send({"choose": pick})
                elif state == "done":
                    inp.send({"choose": "done"})
                    break
        finally:
            inp.end()
            await asyncio.wait_for(task, 60)
        return out.events
