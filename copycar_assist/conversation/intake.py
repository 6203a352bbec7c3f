"""Taking a problem in: a description matched to an entry (or a question about the guide
answered, or a request handed off), browsing the guide, and more words while a case is open.
One part of `Conversation` (engine.py), which owns the state and the event stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from copycar_assist.i18n import norm_lang, t

from . import prompts
from .choices import Choice, Role
from .events import (
    Event,
    GuideAnswer,
    LanguageChanged,
    Matched,
    Say,
    UserSaid,
)
from .inputs import leading_answer, looks_pasted, step_reply
from .states import Facts, State
from .table import DESCRIBING

if TYPE_CHECKING:
    from copycar_assist.matching.cues import CueHit
    from copycar_assist.matching.result import MatchResult

    from .engine import Conversation


# Nothing confident: the entries listed first are still offered when the first one is at least
# this likely to be right (the calibrated `confidence`), each scoring at least this share of the
# first's. On four sets of real-style tickets, of the in-scope ones answered with nothing
# confident, the right entry was among those offered in 79 % (2.4 offered on average); 65 % of
# the out-of-scope ones were offered something, with "describe it differently" and "hand over"
# beside it.
OFFER_CONFIDENCE = 0.3
OFFER_SHARE = 0.4
OFFERED = 3


def closest(result: MatchResult, ids: list[str]) -> list[str]:
    """The entries to offer when nothing is confident (see OFFER_CONFIDENCE)."""
    known = set(ids)
    allowed = [m for m in result.matches if m.id in known]
    if not allowed or (result.confidence or 0.0) < OFFER_CONFIDENCE:
        return []
    return _near(result, known, allowed[0].score)


def runners_up(result: MatchResult | None, declined: str, ids: list[str]) -> list[str]:
    """The entries to offer when the user says the matched entry's symptoms are not theirs: the
    others the same description matched, scoring at least OFFER_SHARE of the declined one."""
    if result is None or result.best != declined or not result.matches:
        return []
    return _near(result, set(ids) - {declined}, result.matches[0].score)


def _near(result: MatchResult, known: set[str], top: float) -> list[str]:
    """The matched entries in `known` scoring at least OFFER_SHARE of `top`, best first."""
    return [m.id for m in result.matches if m.id in known and m.score >= OFFER_SHARE * top][:OFFERED]


class Intake:
    def __init__(self, conv: Conversation) -> None:
        self.c = conv

    async def describe(self, text: str, echo: bool = True) -> AsyncIterator[Event]:
        if echo:
            yield UserSaid(text)
        if not self.c._lang_fixed and not self.c._lang_settled and not looks_pasted(text):
            # Follow each description until one is understood ("hola", then English, is English);
            # after that, or when the text is pasted output (a traceback, headers, JSON, log
            # lines: the machine's language, not the user's), the language stays.
            self.c._lang_detected = True
            detected = norm_lang(self.c.matcher.detect_language(text), self.c.lang)
            if detected != self.c.lang:
                self.c.lang = detected
                yield LanguageChanged(detected)
        result = await _matched(self.c, text)
        declined = self.c.facts.declined if self.c.state in DESCRIBING else None
        ids = [m.id for m in result.matches if m.id in self.c.kb.entries]
        kind = result.kind
        yield Matched(result, kind)
        if kind == "question" and result.answer:
            self.c._lang_settled = True
            yield GuideAnswer(result.answer["text"], result.answer["source"])
            for e in self.c.goto(State.DESCRIBE):
                yield e
            return
        close_call = result.ambiguous and len(ids) >= 2
        if result.best or close_call:
            self.c._lang_settled = True
        if self.c.state not in DESCRIBING:
            self.c.facts = Facts()
        self.c.facts.declined = declined
        self.c.facts.descriptions.append(text)
        self.c.facts.match = result
        if close_call:
            self.c.facts.clarify_ids = ids[:3]
            yield Say(t("conv.clarify", self.c.lang))
            for e in self.c.goto(State.CLARIFY):
                yield e
            return
        if result.best and result.best == declined:
            # Told again in other words: the same problem. Its usual symptoms are not shown a second
            # time; what was said now leads the diagnosis.
            self._enter(result.best)
            yield Say(t("conv.same_again", self.c.lang, title=prompts.entry_title(self.c, result.best)), markdown=True)
            async for e in self.c.dx.diagnose():
                yield e
            return
        if result.best and result.best in self.c.kb.entries:
            for e in self.enter_entry(result.best, matched=True):
                yield e
            return
        self.c.facts.clarify_ids = []
        if kind in ("request", "greeting"):
            yield Say(t(f"conv.kind.{kind}", self.c.lang))
        else:
            self.c.facts.clarify_ids = closest(result, ids)
            yield Say(t("conv.nomatch", self.c.lang))
        for e in self.c.goto(State.NO_MATCH):
            yield e

    def enter_entry(self, entry_id: str, matched: bool, new_case: bool = False) -> list[Event]:
        f = self.c.facts
        if new_case and self.c.state not in DESCRIBING and self.c.state is not State.CONFIRM:
            # Another problem for the same customer: what they said and what the checks found stay.
            f = self.c.facts = Facts(descriptions=f.descriptions, results=f.results)
        self._enter(entry_id)
        key = "conv.matched" if matched else "conv.entry_chosen"
        return [Say(t(key, self.c.lang, title=prompts.entry_title(self.c, entry_id)), markdown=True),
                *self.c.goto(State.CONFIRM)]

    def _enter(self, entry_id: str) -> None:
        """The case is about `entry_id` now (its cues read from everything said)."""
        f = self.c.facts
        if f.entry_id != entry_id:
            f.question, f.gathering, f.cause, f.step_index = None, None, None, 0
        f.entry_id = entry_id
        if entry_id not in f.entries_seen:
            f.entries_seen.append(entry_id)
        f.cues = [hit for text in f.descriptions for hit in self.c.cues.find(entry_id, text)]

    async def pick_entry(self, choice: Choice) -> AsyncIterator[Event]:
        for e in self.enter_entry(choice.entry or "", matched=False):
            yield e

    async def browse(self, choice: Choice) -> AsyncIterator[Event]:
        for e in self.c.goto(State.BROWSE_CATEGORIES):
            yield e

    async def category(self, choice: Choice) -> AsyncIterator[Event]:
        self.c.facts.browse_category = choice.value
        for e in self.c.goto(State.BROWSE_ENTRIES):
            yield e

    async def rephrase(self, choice: Choice) -> AsyncIterator[Event]:
        yield Say(t("conv.rephrase", self.c.lang))
        for e in self.c.goto(State.DESCRIBE):
            yield e

    async def not_confirmed(self, choice: Choice) -> AsyncIterator[Event]:
        """Not those symptoms: the other entries the description matched are offered, when there
        are any ("Email delivery failed" under a declined "Alert emails missing"), else the user
        is asked for other words."""
        f = self.c.facts
        f.declined = f.entry_id
        f.clarify_ids = runners_up(f.match, f.entry_id or "", list(self.c.kb.entries))
        if f.clarify_ids:
            yield Say(t("conv.maybe_others", self.c.lang))
            for e in self.c.goto(State.CLARIFY):
                yield e
            return
        yield Say(t("conv.describe_more", self.c.lang))
        for e in self.c.goto(State.DESCRIBE):
            yield e

    async def corrected(self, text: str) -> AsyncIterator[Event]:
        """"No, they don't bounce, they just never arrive": not those symptoms; what follows the
        "no" is read at once as the description (another problem, or this one in the user's words:
        then no symptom list again). It was kept as evidence, and the same list shown again."""
        self.c.facts.declined = self.c.facts.entry_id
        self.c.state = State.DESCRIBE
        async for e in self.describe(text, echo=False):
            yield e

    async def start_at_cause(self, entry_id: str, cause_id: str) -> AsyncIterator[Event]:
        if self.c.state not in DESCRIBING:
            self.c.facts = Facts(descriptions=self.c.facts.descriptions, results=self.c.facts.results)
        self.c.facts.entry_id = entry_id
        if entry_id not in self.c.facts.entries_seen:
            self.c.facts.entries_seen.append(entry_id)
        evidence = [r for r in self.c.facts.results.values() if (r.entry, r.cause) == (entry_id, cause_id)]
        async for e in self.c.dx.found(entry_id, cause_id, "chosen", evidence):
            yield e

    def add_evidence(self, text: str) -> list[CueHit]:
        f = self.c.facts
        f.descriptions.append(text)
        hits = self.c.cues.find(f.entry_id, text) if f.entry_id else []
        f.cues.extend(hits)
        return hits

    async def in_case(self, text: str, choices: tuple[Choice, ...]) -> AsyncIterator[Event]:
        """Words typed inside a case that pick no choice alone: an answer with more words after it
        ("sí, solo la newsletter": the answer, and evidence), "no" to the symptoms with what it is
        instead (`corrected`), another problem, or more evidence (`more_evidence`)."""
        about_step = step_reply(text) if self.c.state is State.STEP else None
        if about_step is not None:  # "no sé dónde está", "no puedo", "todavía no": not a skip, not evidence
            async for e in self.more_evidence(text, about_step):
                yield e
            return
        lead = leading_answer(text, choices)
        if lead is not None and self.c.state is State.CONFIRM and lead[0].role is Role.NO:
            yield UserSaid(text.strip())
            async for e in self.corrected(lead[1]):
                yield e
            return
        if lead is not None:
            choice, rest = lead
            self.add_evidence(rest)
            yield UserSaid(text.strip(), kind="evidence")  # their words as written; the answer follows
            async for e in self.c.on_choice(choice):
                yield e
            return
        async for e in self.more_evidence(text):
            yield e

    async def more_evidence(self, text: str, about_step: str | None = None) -> AsyncIterator[Event]:
        """Words typed inside a case: a different problem, more evidence for this one, or noise.
        `about_step`: the words are about the step on screen (`inputs.step_reply`'s key), and
        answered so, unless they describe another problem."""
        result = await _matched(self.c, text)
        if result.best and result.best != self.c.facts.entry_id and not result.ambiguous and result.kind == "problem":
            yield UserSaid(text)
            yield Matched(result, result.kind)
            yield Say(t("conv.other_problem", self.c.lang, title=prompts.entry_title(self.c, result.best)), markdown=True)
            self.c.facts = Facts(descriptions=[text], match=result, results=self.c.facts.results)
            for e in self.enter_entry(result.best, matched=True):
                yield e
            return
        if about_step is not None:
            yield UserSaid(text)
            lang = self.c.lang
            yield Say(t(about_step, lang, done=t("opt.done", lang), skip=t("opt.skip", lang),
                        escalate=t("opt.escalate", lang)))
            for e in prompts.render(self.c):
                yield e
            return
        yield UserSaid(text, kind="evidence")
        hits = self.add_evidence(text)
        if not hits:
            yield Say(t("conv.noted", self.c.lang))
            for e in prompts.render(self.c):
                yield e
            return
        titles = ", ".join(prompts.cause_title(self.c, h.entry_id, h.cause_id) for h in hits[:2])
        yield Say(t("conv.noted_cue", self.c.lang, quote=hits[0].quote, titles=titles))
        if self.c.state is State.QUESTION:  # the plan may change with it
            async for e in self.c.dx.diagnose():
                yield e
            return
        for e in prompts.render(self.c):
            yield e


async def _matched(conv: Conversation, text: str) -> MatchResult:
    """The matcher's answer, worked out in a thread (the loop keeps drawing and streaming)."""
    import asyncio  # here: a conversation greets before any event loop exists (`chat --plain`)

    return await asyncio.to_thread(conv.matcher.match, text, 5)
