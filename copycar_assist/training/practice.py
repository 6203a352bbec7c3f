"""One practice case as a dialogue: the hidden scenario runs in its own demo world, the trainee
investigates with the real checks, the simulated customer and the guide, then answers; the
debrief follows and the progress is saved.

    p = Practice(kb, matcher, case, lang="en", progress=store)
    async for e in p.start(): ...            # the case (customer's message) and the first prompt
    async for e in p.choose("investigate:check"): ...
    async for e in p.send("did you rotate the key?"): ...
    p.debrief                                # after the last answer
    await p.aclose()                         # stops the demo world

States: investigate → pick_check | ask_entry → ask_question | browse → investigate; answer →
answer_entry → answer_cause → answer_step → answer_severity → answer_level (per fault) → debrief →
done. The settings are the sandbox's own (defaults pointed at the demo world), never the user's.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz

from copycar_assist.checks.base import Inputs
from copycar_assist.config import settings_from_dict
from copycar_assist.conversation.checkrun import CheckRunner
from copycar_assist.i18n import t
from copycar_assist.kb.model import SEVERITIES, pick
from copycar_assist.simulator.demo import start_demo, use_demo

from . import customer
from .cases import Case
from .customer import Question
from .events import Prompt, TChoice, TEvent, TrainEvent, numbered
from .expert import ExpertPath, expert_path
from .grading import Debrief, debrief, first_step

if TYPE_CHECKING:
    from copycar_assist.conversation.engine import TextMatcher
    from copycar_assist.kb import KnowledgeBase

    from .progress import Progress

FREE_STEP = 70  # a typed step this close (rapidfuzz) to a choice is that choice


class Practice:
    def __init__(self, kb: KnowledgeBase, matcher: TextMatcher, case: Case, *, lang: str = "en", progress: Progress | None = None,
                 rng: random.Random | None = None, number: int = 1, exam: tuple[int, float] | None = None) -> None:
        self.kb, self.matcher, self.case, self.lang = kb, matcher, case, lang
        self.progress, self.rng, self.number = progress, rng or random.Random(), number
        self.exam = exam  # in an exam: (its cases, the seconds left when this one starts)
        self.world = start_demo(case.scenario)
        self.settings = settings_from_dict({})
        use_demo(self.settings, self.world)
        inputs = Inputs()
        for kind in Inputs.KINDS:
            inputs.give(kind, text=self.world.samples.text(kind))
        self.runner = CheckRunner(kb, self.settings, inputs=inputs)
        self.message = customer.first_message(kb, case, lang, self.rng)
        self.state = "investigate"
        self.prompt: Prompt | None = None
        self.ran: list[dict[str, Any]] = []
        self.asked: list[dict[str, Any]] = []
        self.answers: list[dict[str, str]] = [{} for _ in case.faults]
        self.fault_n = 0
        self.ask_entry: str | None = None
        self.debrief: Debrief | None = None
        self.started = time.monotonic()
        self._expert: asyncio.Task[list[ExpertPath]] | None = None

    # --- the dialogue ---------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[TrainEvent]:
        self._expert = asyncio.ensure_future(self._expert_paths())
        difficulty = t(f"train.difficulty.{self.case.difficulty}", self.lang)
        header = (t("train.header", self.lang, n=self.number, difficulty=difficulty) if self.exam is None else
                  t("train.exam.header", self.lang, n=self.number, total=self.exam[0], difficulty=difficulty,
                    minutes=max(1, round(self.exam[1] / 60))))
        yield TEvent("case", {"hidden": True, "number": self.number, "difficulty": self.case.difficulty,
                              "faults": len(self.case.faults), "header": header})
        yield TEvent("customer", {"text": self.message})
        yield self._ask("investigate")

    async def choose(self, cid: str) -> AsyncIterator[TrainEvent]:
        choice = self.prompt.choice(cid) if self.prompt else None
        if choice is None:
            yield TEvent("error", {"message": t("train.not_understood", self.lang)})
            if self.prompt is not None:
                yield self.prompt
            return
        async for e in self._on(choice):
            yield e

    async def send(self, text: str) -> AsyncIterator[TrainEvent]:
        text = text.strip()
        choice = self.prompt.by_text(text) if self.prompt else None
        if choice is not None:
            async for e in self._on(choice):
                yield e
            return
        async for e in self._free(text):
            yield e

    async def aclose(self) -> None:
        if self._expert is not None and not self._expert.done():
            self._expert.cancel()
            try:
                await self._expert
            except (asyncio.CancelledError, Exception):
                pass
        await self.runner.aclose()
        self.world.stop()

    # --- prompts --------------------------------------------------------------------------------

    def _ask(self, state: str) -> Prompt:
        self.state = state
        lang, kb = self.lang, self.kb
        back: tuple[str, str, str, str | None] = ("back", t("train.opt.back", lang), "back", None)
        items: list[tuple[str, str, str, str | None]]
        entries = [(f"entry:{e.id}", pick(e.title, lang), "pick", e.id) for e in kb.entries.values()]
        expects = "choice"
        if state == "investigate":
            items = [("investigate:check", t("train.opt.check", lang), "check", None),
                     ("investigate:ask", t("train.opt.ask", lang), "ask", None),
                     ("investigate:browse", t("train.opt.browse", lang), "browse", None),
                     ("investigate:answer", t("train.opt.answer", lang), "answer", None)]
            text = t("train.investigate", lang)
            expects = "text"
        elif state == "pick_check":
            items = [(f"check:{c.id}", f"{c.id} — {pick(c.title, lang)}", "check", c.id) for c in kb.checks.values()]
            items.append(back)
            text = t("train.pick_check", lang)
        elif state == "ask_entry":
            items, text, expects = [*entries, back], t("train.pick_entry_ask", lang), "text"
        elif state == "ask_question":
            items = [(f"question:{q.id}", q.text, "question", q.id)
                     for q in customer.questions(kb, self.ask_entry or "", lang)]
            items.append(back)
            text, expects = t("train.pick_question", lang), "text"
        elif state == "browse":
            items = [(f"open:{e.id}", pick(e.title, lang), "open", e.id) for e in kb.entries.values()] + [back]
            text = t("train.pick_browse", lang)
        else:
            items, text, expects = self._answer_items(state)
        self.prompt = Prompt(state, text, tuple(numbered(items)), expects)
        return self.prompt

    def _prefix(self) -> str:
        total = len(self.case.faults)
        return t("train.fault", self.lang, n=self.fault_n + 1, total=total) + " · " if total > 1 else ""

    def _answer_items(self, state: str) -> tuple[list[tuple[str, str, str, str | None]], str, str]:
        lang, kb = self.lang, self.kb
        given = self.answers[self.fault_n]
        part = state.removeprefix("answer_")
        text = self._prefix() + t(f"train.ask.{part}", lang)
        if part == "entry":
            return [(f"entry:{e.id}", pick(e.title, lang), "answer", e.id) for e in kb.entries.values()], text, "text"
        if part == "cause":
            entry = kb.entries[given["entry"]]
            return [(f"cause:{c.id}", pick(c.title, lang, c.id), "answer", c.id) for c in entry.causes], text, "text"
        if part == "step":
            entry = kb.entries[given["entry"]]
            fault = self.case.faults[self.fault_n]
            steps = [first_step(kb, entry.id, c.id, lang) for c in entry.causes]
            steps.append(first_step(kb, fault.entry, fault.cause, lang))
            steps = [s for s in dict.fromkeys(steps) if s]
            random.Random(f"{self.case.id}/{self.fault_n}").shuffle(steps)  # stable order per case
            return [(f"step:{n}", s, "answer", s) for n, s in enumerate(steps, 1)], text, "text"
        if part == "severity":
            return [(f"severity:{s}", s, "answer", s) for s in SEVERITIES], text, "choice"
        rules = sorted({(r.level, r.response_minutes) for r in kb.support.escalation.values()})
        return [(f"level:{lv}/{m}", t("train.level_label", lang, level=lv, minutes=m,
                                      name=pick(kb.support.level(lv).name, lang)), "answer", f"{lv}/{m}")
                for lv, m in rules], text, "choice"

    # --- what a choice or words do ----------------------------------------------------------------

    async def _on(self, c: TChoice) -> AsyncIterator[TrainEvent]:
        if c.role == "back":
            yield self._ask("investigate")
        elif c.id.startswith("investigate:"):
            what = c.id.split(":", 1)[1]
            if what == "answer":
                self.fault_n = 0
            yield self._ask({"check": "pick_check", "ask": "ask_entry", "browse": "browse",
                             "answer": "answer_entry"}[what])
        elif c.role == "check":
            async for e in self._run_check(c.value or ""):
                yield e
        elif self.state == "ask_entry":
            self.ask_entry = c.value
            yield self._ask("ask_question")
        elif c.role == "question":
            q = customer.question(self.kb, c.value or "", self.lang)
            if q is not None:
                for e in self._customer_answers(q.text, customer.answer(self.kb, self.case, q, self.lang, self.rng), q):
                    yield e
            yield self._ask("investigate")
        elif c.role == "open":
            entry = self.kb.entries[c.value or ""]
            sec = entry.sections.get(self.lang) or next(iter(entry.sections.values()))
            yield TEvent("guide", {"entry": entry.id, "title": pick(entry.title, self.lang), "markdown": sec.markdown})
            yield self._ask("investigate")
        elif c.role == "answer":
            async for e in self._answered(c.value or ""):
                yield e
        elif c.role in ("next", "done"):
            yield TEvent("end", {"next": c.role == "next"})
        else:
            yield self._ask(self.state)

    async def _free(self, text: str) -> AsyncIterator[TrainEvent]:
        state = self.state
        if not text:
            yield self._ask(state)
            return
        if state in ("investigate", "ask_entry", "ask_question"):
            said, q = customer.reply(self.kb, self.case, text, self.lang, self.rng)
            for e in self._customer_answers(text, said, q):
                yield e
            yield self._ask("investigate")
            return
        value = self._read_answer(state, text)
        if value is None:
            yield TEvent("error", {"message": t("train.not_understood", self.lang)})
            yield self._ask(state)
            return
        async for event in self._answered(value):
            yield event

    def _read_answer(self, state: str, text: str) -> str | None:
        """Free words as an answer: the matcher for the entry, the nearest label otherwise."""
        if state == "answer_entry":
            if text in self.kb.entries:
                return text
            return self.matcher.match(text, lang=self.lang).best
        if state in ("answer_cause", "answer_step") and self.prompt is not None:
            scored = [(max(fuzz.token_set_ratio(text.lower(), c.label.lower()),
                           fuzz.ratio(text.lower(), (c.value or "").lower())), c) for c in self.prompt.choices]
            score, best = max(scored, key=lambda x: x[0], default=(0, None))
            return best.value if best is not None and score >= FREE_STEP else None
        if state == "answer_severity" and text.upper() in SEVERITIES:
            return text.upper()
        return None

    def _customer_answers(self, question: str, said: str, q: Question | None) -> list[TEvent]:
        self.asked.append({"question": question, "read_as": q.id if q else None, "answer": said})
        return [TEvent("asked", {"text": question, "read_as": q.id if q else None}),
                TEvent("customer", {"text": said})]

    async def _run_check(self, check_id: str) -> AsyncIterator[TrainEvent]:
        async for update in self.runner.stream([check_id], lang=self.lang, prefer_entry=None):
            if update.phase == "finished" and update.result is not None:
                r = update.result
                self.ran.append({"id": r.id, "status": r.status, "outcome": r.outcome, "entry": r.entry, "cause": r.cause})
                yield TEvent("check", {"id": r.id, "title": r.title, "status": r.status, "outcome": r.outcome,
                                       "summary": r.summary})
            elif update.phase == "started":
                yield TEvent("check_started", {"id": update.check_id})
        yield self._ask("investigate")

    async def _answered(self, value: str) -> AsyncIterator[TrainEvent]:
        part = self.state.removeprefix("answer_")
        self.answers[self.fault_n][part] = value
        order = ("entry", "cause", "step", "severity", "level")
        if part != "level":
            yield self._ask(f"answer_{order[order.index(part) + 1]}")
            return
        if self.fault_n + 1 < len(self.case.faults):
            self.fault_n += 1
            yield self._ask("answer_entry")
            return
        paths = await self._expert if self._expert else []
        self.debrief = debrief(self.kb, self.case, paths, self.answers, self.ran,
                               time.monotonic() - self.started, self.lang)
        yield TEvent("debrief", {"case": self.case.id, "scenario": self.case.scenario, **self.debrief.to_json()})
        if self.progress is not None:
            self.progress.record_case(self.case, self.debrief)
            yield TEvent("saved", {"trainee": self.progress.trainee})
        self.state = "done"
        self.prompt = Prompt("done", t("train.debrief", self.lang), tuple(numbered([
            ("next", t("train.opt.next", self.lang), "next", None),
            ("done", t("train.opt.done", self.lang), "done", None)])))
        yield self.prompt

    async def _expert_paths(self) -> list[ExpertPath]:
        out = []
        for fault in self.case.faults:
            message = self.message if len(self.case.faults) == 1 else customer.first_message(
                self.kb, Case((fault,), "clear"), self.lang, random.Random(self.case.id))
            out.append(await expert_path(self.kb, self.matcher, self.settings, self.world.samples.offered(),
                                         self.case, fault, message, self.lang))
        return out
