"""A quiz round as a dialogue: items due for review first (FSRS), then unseen ones, then the
rest at random; each answer is a choice or free words (the matcher reads an entry, the nearest
label anything else) and is saved to the trainee's progress at once.

    q = QuizRound(kb, matcher, lang="en", n=5, progress=store)
    async for e in q.start(): ...     # the first item and its prompt
    async for e in q.choose("2"): ... # or q.send("401 means the key")
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz

from copycar_assist.i18n import t

from .events import Prompt, TEvent, TrainEvent, numbered
from .quiz import Item, all_items

if TYPE_CHECKING:
    from copycar_assist.conversation.engine import TextMatcher
    from copycar_assist.kb import KnowledgeBase

    from .progress import Progress

FREE_LABEL = 70


def pick_items(items: list[Item], n: int, progress: Progress | None, rng: random.Random) -> list[Item]:
    by_id = {i.id: i for i in items}
    chosen = [by_id[c] for c in (progress.due() if progress else []) if c in by_id][:n]
    seen = set(progress.data["cards"]) if progress else set()
    fresh = [i for i in items if i.id not in seen and i not in chosen]
    rng.shuffle(fresh)
    # a mix of kinds: one of each kind first, then the rest
    by_kind: dict[str, list[Item]] = {}
    for i in fresh:
        by_kind.setdefault(i.kind, []).append(i)
    while len(chosen) < n and any(by_kind.values()):
        for kind in list(by_kind):
            if by_kind[kind] and len(chosen) < n:
                chosen.append(by_kind[kind].pop())
    rest = [i for i in items if i not in chosen]
    rng.shuffle(rest)
    return chosen + rest[:max(0, n - len(chosen))]


def read_free(item: Item, text: str, matcher: TextMatcher, lang: str) -> str | None:
    """Free words as an answer to `item`: a value, or None when they name nothing."""
    low = text.strip().lower()
    for value, label in item.choices:
        if low in (value.lower(), label.lower()):
            return value
    if item.free == "entry":
        best = matcher.match(text, lang=lang).best
        if best is not None:
            return best
    score, value = max((fuzz.token_set_ratio(low, label.lower()), value) for value, label in item.choices)
    return value if score >= FREE_LABEL else None


class QuizRound:
    def __init__(self, kb: KnowledgeBase, matcher: TextMatcher, *, lang: str = "en", n: int = 5, progress: Progress | None = None,
                 rng: random.Random | None = None, items: list[Item] | None = None) -> None:
        self.kb, self.matcher, self.lang, self.progress = kb, matcher, lang, progress
        self.rng = rng or random.Random()
        pool = items if items is not None else all_items(kb, lang, seed=self.rng.randrange(1 << 30))
        self.items = pick_items(pool, n, progress, self.rng) if items is None else pool[:n]
        self.n, self.right = 0, 0
        self.results: list[dict[str, Any]] = []
        self.prompt: Prompt | None = None
        self.state = "quiz"

    @property
    def item(self) -> Item:
        return self.items[self.n]

    def _ask(self) -> list[TrainEvent]:
        item = self.item
        self.prompt = Prompt("quiz", t("train.quiz.free", self.lang), tuple(numbered(
            [(f"a:{k}", label, "answer", value) for k, (value, label) in enumerate(item.choices, 1)])), "text")
        return [TEvent("quiz_item", {"n": self.n + 1, "total": len(self.items), "id": item.id, "kind": item.kind,
                                     "skill": item.skill, "question": item.question}), self.prompt]

    async def start(self) -> AsyncIterator[TrainEvent]:
        if not self.items:
            yield TEvent("quiz_done", {"right": 0, "total": 0, "results": []})
            return
        for e in self._ask():
            yield e

    async def choose(self, cid: str) -> AsyncIterator[TrainEvent]:
        c = self.prompt.choice(cid) if self.prompt else None
        if c is None:
            yield TEvent("error", {"message": t("train.not_understood", self.lang)})
            if self.prompt:
                yield self.prompt
            return
        for e in self._answered(c.value or ""):
            yield e

    async def send(self, text: str) -> AsyncIterator[TrainEvent]:
        c = self.prompt.by_text(text) if self.prompt else None
        value = c.value if c is not None else read_free(self.item, text, self.matcher, self.lang)
        if value is None:
            yield TEvent("error", {"message": t("train.not_understood", self.lang)})
            if self.prompt:
                yield self.prompt
            return
        for e in self._answered(value):
            yield e

    def _answered(self, value: str) -> list[TrainEvent]:
        item = self.item
        right = value == item.answer
        self.right += right
        self.results.append({"id": item.id, "right": right, "given": value, "expected": item.answer})
        out: list[TrainEvent] = [TEvent("quiz_result", {"id": item.id, "right": right, "given": value, "expected": item.answer,
                                                 "expected_label": item.answer_label,
                                                 "text": t("train.quiz.right", self.lang) if right else
                                                 t("train.quiz.wrong", self.lang, answer=item.answer_label)})]
        if self.progress is not None:
            self.progress.record(item.id, item.entry, item.skill, right)
            out.append(TEvent("saved", {"trainee": self.progress.trainee}))
        self.n += 1
        if self.n < len(self.items):
            return out + self._ask()
        self.state = "done"
        self.prompt = None
        return out + [TEvent("quiz_done", {"right": self.right, "total": len(self.items), "results": self.results,
                                           "text": t("train.quiz.done", self.lang, right=self.right,
                                                     total=len(self.items))})]
