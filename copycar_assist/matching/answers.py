"""Answering a question about the guide: which topic of `answers.toml` it asks about, and for
which level or severity, rendered from the support data with its source.

Topics are matched like entries (the same scorer over their `ask` phrases: concepts, stems,
typos). A slot is filled from the question's own words ("nivel 3", "CRITICAL"); a support level
can also be found by what it handles ("integration problems" → level 2, "direct access to
engineers" → level 3). Whether the text is a question at all is decided in `kind.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from copycar_assist.kb.model import Entry, pick

from .phrases import Phrases, words_of

if TYPE_CHECKING:
    from copycar_assist.kb.answers import Answers
    from copycar_assist.kb.support import SupportData

    from .knowledge import Knowledge
    from .matcher import Matcher

CONFIDENT = 35.0  # topic score from which a question is taken to ask about that topic


@dataclass(frozen=True)
class GuideAnswer:
    topic: str
    score: float
    text: str
    source: str


class Answerer:
    def __init__(self, answers: Answers, support: SupportData, matcher_type: type[Matcher],
                 entries: Mapping[str, Entry] | None = None) -> None:
        """`matcher_type`: the matcher class, which finds the topic (the matcher module imports
        this one); `entries`: the knowledge's entries, for topics about an entry."""
        self.answers, self.support, self.entries = answers, support, entries or {}
        self._matcher_type = matcher_type
        self._topics = {t.id: t for t in answers.topics}
        self._slots: dict[str, list[tuple[str, Phrases, frozenset[str]]]] = {}
        for slot, values in answers.slots.items():
            self._slots[slot] = [(value, Phrases([f for f in forms if not f.startswith("=")]),
                                  frozenset(f[1:] for f in forms if f.startswith("=")))
                                 for value, forms in values.items()]

    @cached_property
    def _matcher(self) -> Matcher:
        """The guide's topics as entries, matched like errors (prepared on the first question:
        most texts are not questions, and a command's start need not pay for it)."""
        guide_entries = [Entry(id=t.id, category="guide", severity="LOW", title={k: v[0] for k, v in t.ask.items() if v},
                         checks=[], causes=[], outcomes={}, aliases=dict(t.ask)) for t in self.answers.topics]
        return self._matcher_type(guide_entries, answerer=False)

    @cached_property
    def _levels(self) -> Matcher | None:
        """The support levels as entries, for a question naming a level by its duties."""
        levels = []
        for n, level in sorted(self.support.levels.items()):
            phrases = {lang: [level.name.get(lang, ""), *level.responsibilities.get(lang, ()), *level.tools.get(lang, ())]
                       for lang in ("es", "en")}
            levels.append(Entry(id=str(n), category="level", severity="LOW", title=dict(level.name), checks=[],
                                causes=[], outcomes={}, aliases={k: [p for p in v if p] for k, v in phrases.items()}))
        return self._matcher_type(levels, answerer=False) if levels else None

    def prepare(self) -> None:
        """Make now what the first question would make (a front end that has a thread for it)."""
        _ = self._matcher, self._levels

    def answer(self, text: str, lang: str, entry: str | None = None) -> GuideAnswer | None:
        """The best topic's answer, or None when no topic fits well enough. `entry`: the error the
        text is about (the matcher's first), for topics about an error's causes or steps."""
        from copycar_assist.kb.answers import ENTRY_SLOT, render  # here: a start without a question never needs them

        result = self._matcher.match(text, 2)
        if not result.matches or result.matches[0].score < CONFIDENT:
            return None
        top = result.matches[0]
        topic = self._topics[top.id]
        slots: dict[str, str | None] = {}
        if topic.slot == ENTRY_SLOT:
            if entry is None or entry not in self.entries:
                return None
            return GuideAnswer(topic.id, top.score, render(topic, lang, self.support, {}, self.entries[entry]),
                               (pick(topic.source, lang) or "").replace("<id>", entry))
        if topic.slot:
            slots[topic.slot] = self.slot_value(topic.slot, text)
            if slots[topic.slot] is None and topic.slot == "level" and self._levels is not None:
                found = self._levels.match(text, 1)
                if found.matches and found.matches[0].score >= CONFIDENT:
                    slots["level"] = found.matches[0].id
        return GuideAnswer(topic.id, top.score, render(topic, lang, self.support, slots), pick(topic.source, lang))

    def slot_value(self, slot: str, text: str) -> str | None:
        words = words_of(text)
        raw = set(re.findall(r"[A-Za-z_]+", text))
        for value, phrases, exact in self._slots.get(slot, ()):
            if exact & raw or phrases.found(words):
                return value
        return None


class LazyAnswerer:
    """The guide's answerer for a knowledge base, made on the first question: a compiled
    matcher's start reads no answers.toml (most texts are not questions)."""

    def __init__(self, knowledge: Knowledge, matcher_type: type[Matcher]) -> None:
        self._knowledge, self._matcher_type = knowledge, matcher_type

    @cached_property
    def _answerer(self) -> Answerer | None:
        kb = self._knowledge
        return Answerer(kb.answers, kb.support, self._matcher_type, kb.entries) if kb.answers and kb.support else None

    def prepare(self) -> None:
        if self._answerer is not None:
            self._answerer.prepare()

    def answer(self, text: str, lang: str, entry: str | None = None) -> GuideAnswer | None:
        return self._answerer.answer(text, lang, entry) if self._answerer is not None else None
