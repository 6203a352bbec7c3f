"""Every cause of every shipped entry is shown by a demo scenario, and found there.

For each scenario and each cause it claims to show (`simulate --list --json`):
- a cause a check can tell apart: `diagnose ENTRY --json` through the console script names it
  as the leading cause, from the check outcome the catalogue says; and `chat --json` (a trainee
  who picks the entry, confirms, hands over the scenario's material when asked) finds it by
  that check, before asking any question;
- a cause no check can tell apart (question-only): the scenario's material — the sample log,
  e-mail, prompt or account record — pasted into `chat --json` names that cause outright (an
  exact message in it), or makes the engine ask about that cause first, and "yes" names it.

The table (cause → scenario → how it was found) is printed with the results. The diagnose runs
go on in subprocesses while the chat flows run concurrently in this process; nothing may be
left behind (child processes, sockets, listening ports).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from copycar_assist.kb.tree import DecisionTree
from copycar_assist.simulator.cache import redis_server
from copycar_assist.simulator.catalogue import SCENARIOS, Shown, samples_for

from fixtures_demo import Footprint, diagnose_here, diagnose_process, finish, trainee

CASES: list[tuple[str, Shown]] = [(sc.name, s) for sc in SCENARIOS.values() for s in sc.shows]


def test_every_cause_of_every_shipped_entry_has_a_scenario(kb):
    every = {(e.id, c.id) for e in kb.entries.values() for c in e.causes}
    shown = {(s.entry, s.cause) for _, s in CASES}
    assert every - shown == set(), "causes no scenario shows"
    assert shown - every == set(), "scenarios claim causes the knowledge does not have"
    question_only = {(e, c.id) for e in kb.entries for c in DecisionTree(kb).question_causes(e)}
    for name, s in CASES:
        entry = kb.entries[s.entry]
        if s.how == "check":  # the outcome the catalogue names leads to the cause in that entry
            target = entry.outcomes.get(s.via)
            assert target is not None, (name, s)
            found = kb.resolve(entry, target)
            assert (found[0].id, found[1].id) == (s.entry, s.cause), (name, s, target)
            assert s.via.rsplit(".", 1)[0] in entry.checks, (name, s)
        else:  # only material can point to it, and it is truly beyond every check of its entry
            assert (s.entry, s.cause) in question_only, (name, s)
            assert s.via in ("log", "email", "prompt", "account"), (name, s)


# Scenarios whose checks wait on purpose (the latency sample, a silent server, a held Redis):
# their diagnose runs in processes of their own, started first, so the waits overlap.
WAITING = {"slow", "smtp-silent", "redis-blocked"}
# Scenarios whose verdict depends on round-trip times (Redis judges any round trip over 100 ms a
# stall): they run last, one at a time, with this process otherwise idle.
TIMED = {"healthy", "redis-down", "redis-auth", "redis-eviction", "redis-low-hits"}


async def _chat(name: str, s: Shown):
    if s.how == "check":
        return await trainee(name, s.entry, {"choose": f"entry:{s.entry}"})
    text = samples_for([SCENARIOS[name]]).text(s.via)
    return await trainee(name, s.entry, {"text": text}, yes_to=s.cause)


async def _chats(cases: list[tuple[str, Shown]], at_once: int) -> dict[tuple[str, Shown], object]:
    gate = asyncio.Semaphore(at_once)

    async def one(name: str, s: Shown):
        async with gate:
            return await _chat(name, s)

    runs = await asyncio.gather(*(one(name, s) for name, s in cases))
    return dict(zip(cases, runs, strict=True))


def _diagnose_all(cases: list[tuple[str, Shown]]) -> dict:
    return {(name, s): diagnose_here(name, s.entry) for name, s in cases}


@pytest.mark.parametrize("served_by", ["redis-server", "the simulator"])
def test_each_scenario_makes_diagnose_and_the_chat_name_its_causes(served_by, tmp_path, monkeypatch, capsys):
    if served_by == "redis-server" and redis_server() is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server): the Redis scenarios are not checked")
    cases = [(n, s) for n, s in CASES if (SCENARIOS[n].service == "redis") == (served_by == "redis-server")]
    for name in ("COPYCAR_API_KEY", "COPYCAR_BASE_URL", "COPYCAR_REDIS_URL", "HTTP_PROXY", "HTTPS_PROXY",
                 "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COPYCAR_ASSIST_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("COPYCAR_ASSIST_DATA", str(tmp_path / "data"))
    before = Footprint()
    checked = [(n, s) for n, s in cases if s.how == "check"]
    waiting = {(n, s): diagnose_process(n, s.entry, tmp_path) for n, s in checked if n in WAITING}
    busy = [(n, s) for n, s in cases if n not in TIMED]
    with ThreadPoolExecutor(1) as pool:  # one in-process diagnose at a time, beside the chat flows
        here = pool.submit(_diagnose_all, [(n, s) for n, s in checked if n not in WAITING | TIMED])
        chats = asyncio.run(_chats(busy, 8))
        diagnosed = here.result()
    diagnosed.update({key: finish(proc) for key, proc in waiting.items()})
    quiet = [(n, s) for n, s in cases if n in TIMED]
    diagnosed.update(_diagnose_all([(n, s) for n, s in quiet if s.how == "check"]))
    chats.update(asyncio.run(_chats(quiet, 1)))

    rows, problems = [], []
    for name, s in cases:
        run = chats[(name, s)]
        chat = (run.found["entry"], run.found["cause"], run.found["via"]) if run.found else None
        if s.how == "check":
            code, doc, err = diagnosed[(name, s)]
            lead = doc["cause"]
            got = (lead["entry"], lead["id"], f"{lead['check']}.{lead['outcome']}") if lead else None
            if got != (s.entry, s.cause, s.via):
                problems.append(f"diagnose {s.entry} in {name}: {got} (exit {code}) {err[-300:]}")
            if chat != (s.entry, s.cause, "check") or run.questions:
                problems.append(f"chat in {name}: {chat}, asked about {run.questions}")
            how = f"diagnose + chat: check {s.via}"
        else:
            # the material names the cause outright, or makes it the first thing asked
            named = chat == (s.entry, s.cause, "description") and not run.questions
            if not named and (chat != (s.entry, s.cause, "answer") or run.questions[:1] != [s.cause]):
                problems.append(f"chat in {name} with the sample {s.via}: {chat}, asked about {run.questions}")
            how = f"chat: the sample {s.via} → asked about it first → yes"
        rows.append(f"{s.entry + '#' + s.cause:52} {name:26} {how}")
    with capsys.disabled():
        print("\n\ncause → scenario → found by (checks first, then the causes only material points to)")
        print("\n".join(sorted(rows, key=lambda r: ("chat: the sample" in r, r))))
    assert not problems, "\n".join(problems)
    assert before.left() == {}
