"""The diagnosis: act on the belief (belief.py) until the engine must wait — run checks, ask for
material to check, ask a question, or name a cause — then walk the cause's steps.
One part of `Conversation` (engine.py), which owns the state and the event stream."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from typing import TYPE_CHECKING

from copycar_assist.checks.base import CheckResult
from copycar_assist.i18n import t
from copycar_assist.textsafe import one_line

from . import explain, fixing, prompts
from .belief import NARROWING, Belief, believe, cross_entry, plan
from .checkrun import checks_for, inputs_needed
from .choices import Choice, Role
from .events import (
    CauseFound,
    ChecksStarted,
    Event,
    Say,
    UserSaid,
)
from .inputs import classify
from .states import Attempt, State

if TYPE_CHECKING:
    from .engine import Conversation


class Diagnoser:
    def __init__(self, conv: Conversation) -> None:
        self.c = conv

    async def confirmed(self, choice: Choice) -> AsyncIterator[Event]:
        async for e in self.diagnose():
            yield e

    def pending_inputs(self, ids: list[str]) -> tuple[list[str], dict[str, list[str]]]:
        """(checks that can run now, input kind → checks waiting for it and not asked yet)."""
        f, given = self.c.facts, self.c.checks.inputs
        runnable: list[str] = []
        waiting: dict[str, list[str]] = {}
        for cid in ids:
            if cid in f.checks_run:
                continue
            missing = [k for k in inputs_needed(self.c.kb, cid) if not given.has(k)]
            if not missing:
                runnable.append(cid)
            for kind in missing:
                if kind not in f.inputs_asked:
                    waiting.setdefault(kind, []).append(cid)
        return runnable, waiting

    async def diagnose(self) -> AsyncIterator[Event]:
        """Act on the belief until the engine must wait: an input, a question, or a cause."""
        said: set[str] = set()  # the checks run (and their results shown) in this turn
        for _ in range(20):  # each round runs checks or ends; a bound against a loop
            f = self.c.facts
            assert f.entry_id is not None  # diagnosing means an entry was chosen
            entry = self.c.kb.entries[f.entry_id]
            other = cross_entry(entry, f)
            if other is not None and other[0] not in f.tried:
                (entry_id, cause_id), evidence = other
                yield Say(t("conv.switch_entry", self.c.lang, title=prompts.entry_title(self.c, entry_id),
                            old=prompts.entry_title(self.c, entry.id)), markdown=True)
                f.entry_id = entry_id
                if entry_id not in f.entries_seen:
                    f.entries_seen.append(entry_id)
                f.cues = [h for text in f.descriptions for h in self.c.cues.find(entry_id, text)]
                async for e in self.found(entry_id, cause_id, "check", evidence, said=said):
                    yield e
                return
            belief = believe(entry, f)
            runnable, waiting = self.pending_inputs(checks_for(self.c.kb, entry.id))
            action = plan(entry, belief, f, runnable=runnable, inputs=waiting, ready=self.c.samples)
            if action.kind == "run":
                async for e in self.run(list(action.checks)):
                    yield e
                said.update(action.checks)
                continue
            if action.kind == "input":
                f.gathering = action.input
                yield Say(t(f"conv.input_why.{action.input}", self.c.lang))
                for e in self.c.goto(State.GATHER):
                    yield e
                return
            if action.kind == "narrow":
                f.question = (NARROWING + (action.narrowing or ""), "narrow")
                for e in self.c.goto(State.QUESTION):
                    yield e
                return
            if action.kind == "ask":
                cause = action.cause or ""
                f.question = (cause, "confirm" if action.confirm else "ask")
                if belief.ruled_out.get(cause) and not f.second_look_said:
                    f.second_look_said = True
                    yield Say(t("conv.second_look", self.c.lang))
                for e in self.c.goto(State.QUESTION):
                    yield e
                return
            if action.kind in ("found", "propose"):
                evidence = belief.pointed.get(action.cause or "", [])
                async for e in self.found(entry.id, action.cause or "", action.via or "likely", evidence, belief,
                                          said=said):
                    yield e
                return
            break
        if self.c.facts.tried:
            yield Say(t("conv.none_left", self.c.lang))
            async for e in self.c.closing.escalate(reason="exhausted"):
                yield e
            return
        yield Say(t("conv.nocause", self.c.lang))
        for e in self.c.goto(State.NO_CAUSE):
            yield e

    async def run(self, ids: list[str]) -> AsyncIterator[Event]:
        f = self.c.facts
        titles = ", ".join(explain.check_title(self.c, c) for c in ids)
        yield Say(t("conv.checks_start", self.c.lang, checks=titles))
        yield ChecksStarted(tuple(ids))
        async for e in self.c.checks.stream(ids, lang=self.c.lang, prefer_entry=f.entry_id):
            yield e
        results = self.c.checks.results
        f.checks_run.update(ids)
        for r in results:
            f.results[r.id] = r
        changed = explain.results_text(self.c, results) if results else None
        if changed:
            yield Say(changed)

    async def gather(self, text: str) -> AsyncIterator[Event]:
        f = self.c.facts
        kind = f.gathering or ""
        material = classify(text, kind)
        if kind != "prompt" and material.path is None and len((material.text or "").strip()) <= 2:
            # a stray key ("o" where skip is "s"), not a log, an account or an e-mail (a prompt
            # that short is a prompt: too short, which is what its check is for)
            yield Say(t("conv.not_understood", self.c.lang))
            for e in prompts.render(self.c):
                yield e
            return
        if material.missing:
            yield Say(t("conv.input_not_found", self.c.lang, path=one_line(material.path or "", 200)))
            for e in prompts.render(self.c):
                yield e
            return
        shown = material.path or _preview(material.text or "")
        yield UserSaid(shown, kind="input")
        try:
            self.c.checks.inputs.give(kind, text=material.text, path=material.path)
        except OSError as exc:
            yield Say(t("conv.input_unreadable", self.c.lang, path=one_line(material.path or "", 200),
                        reason=exc.strerror or type(exc).__name__))
            for e in prompts.render(self.c):
                yield e
            return
        f.inputs_asked.add(kind)
        f.gathering = None
        async for e in self.diagnose():
            yield e

    async def skip_input(self, choice: Choice) -> AsyncIterator[Event]:
        if self.c.facts.gathering:
            self.c.facts.inputs_asked.add(self.c.facts.gathering)
        self.c.facts.gathering = None
        async for e in self.diagnose():
            yield e

    async def sample_input(self, choice: Choice) -> AsyncIterator[Event]:
        async for e in self.gather(choice.value or ""):
            yield e

    async def answer(self, choice: Choice) -> AsyncIterator[Event]:
        f = self.c.facts
        if not f.question or not f.entry_id:
            for e in prompts.render(self.c):
                yield e
            return
        cause_id, _ = f.question
        value = {Role.YES: "yes", Role.NO: "no"}.get(choice.role, "unsure")
        f.answers.append((f.entry_id, cause_id, value))
        f.question = None
        if value == "yes" and not cause_id.startswith(NARROWING):
            belief = self.c.belief()
            async for e in self.found(f.entry_id, cause_id, "answer", belief.pointed.get(cause_id, []) if belief else [],
                                       belief):
                yield e
            return
        async for e in self.diagnose():
            yield e

    async def question_back(self, choice: Choice) -> AsyncIterator[Event]:
        f = self.c.facts
        for n in range(len(f.answers) - 1, -1, -1):
            if f.answers[n][0] == f.entry_id:
                _, cause_id, _ = f.answers.pop(n)
                has_cue = any((h.entry_id, h.cause_id) == (f.entry_id, cause_id) for h in f.cues)
                f.question = (cause_id, "narrow" if cause_id.startswith(NARROWING) else "confirm" if has_cue else "ask")
                break
        for e in self.c.goto(State.QUESTION):
            yield e

    async def found(self, entry_id: str, cause_id: str, via: str, evidence: list[CheckResult],
                    belief: Belief | None = None, said: Collection[str] = ()) -> AsyncIterator[Event]:
        """The cause, why (the user's words, the checks), and its steps. `said`: checks whose
        results were shown in this turn: they are named, not repeated."""
        f = self.c.facts
        if belief is None and f.entry_id == entry_id:
            belief = self.c.belief()
        f.entry_id, f.cause, f.question, f.step_index = entry_id, (entry_id, cause_id), None, 0
        reasons = explain.why(self.c, belief, cause_id, via, evidence)
        cause = self.c.kb.entries[entry_id].cause(cause_id) if entry_id in self.c.kb.entries else None
        steps = explain.usable_steps(self.c.tree.steps(entry_id, cause_id, self.c.lang))
        order, first_codes = explain.found_first(steps, cause.evidence.get("codes", []) if cause else [],
                                                 "\n".join([*f.descriptions, *(r.summary for r in evidence)]))
        f.attempts.append(Attempt(entry_id, cause_id, via, [None] * len(steps), list(evidence), order=order))
        yield CauseFound(entry_id, cause_id, via, tuple(evidence), reasons)
        markdown, plain = explain.cause_text(self.c, entry_id, cause_id, via, reasons)
        yield Say(markdown, markdown=True)
        if plain:
            yield Say(plain)
        unsaid = [r for r in evidence if r.id not in said]
        if unsaid:
            lines = [t("conv.evidence_head", self.c.lang)]
            lines += [f"- {explain.check_title(self.c, r.id)}: {one_line(r.summary, 300)}" for r in unsaid]
            yield Say("\n".join(lines))
        if first_codes:
            yield Say(t("conv.found_first", self.c.lang, codes=", ".join(first_codes)))
        for e in fixing.offer(self.c):
            yield e
        for e in self.c.goto(State.STEP if self.c.steps() else State.ASK_FIXED):
            yield e

    async def step(self, choice: Choice) -> AsyncIterator[Event]:
        f, attempt = self.c.facts, self.c.facts.attempt
        steps = self.c.steps()
        i = min(f.step_index, max(len(steps) - 1, 0))
        if choice.role is Role.BACK:
            f.step_index = max(0, i - 1)
            for e in prompts.render(self.c):
                yield e
            return
        if attempt is not None and steps:
            attempt.marks[i] = "done" if choice.role is Role.DONE else "skipped"
        if i + 1 < len(steps):
            f.step_index = i + 1
            for e in prompts.render(self.c):
                yield e
            return
        for e in self.c.goto(State.ASK_FIXED):
            yield e

    async def steps_again(self, choice: Choice) -> AsyncIterator[Event]:
        steps = self.c.steps()
        if self.c.state is State.VERIFY_FAILED:
            self.c.facts.step_index = 0
            if self.c.facts.attempt is not None:
                self.c.facts.attempt.verified = None
        else:
            self.c.facts.step_index = max(0, len(steps) - 1)
        for e in self.c.goto(State.STEP if steps else State.ASK_FIXED):
            yield e


def _preview(text: str, limit: int = 400) -> str:
    lines = text.splitlines()
    head = "\n".join(lines[:8])
    if len(head) > limit:
        head = head[:limit] + "…"
    elif len(lines) > 8:
        head += f"\n… (+{len(lines) - 8})"
    return head
