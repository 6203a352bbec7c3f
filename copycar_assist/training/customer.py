"""The simulated customer: the first message of a case and truthful answers to questions.

The message is written from the knowledge, never from the scenario's name: an effect of the entry
(how customers put it), and at the "clear" difficulty a piece of the cause's evidence or effects,
in varied wording (openers and joins from the UI catalogue, chosen at random) in the trainee's
language. "vague" keeps to the entry's effects; "two" tells both faults.

Answers are true to the scenario: a question is one of the knowledge's questions (a cause's own
or a narrowing one) or free words matched to the nearest of them; yes when it points to a fault
of the case, no when it does not, "I don't know" when the words match no question.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from copycar_assist.i18n import t
from copycar_assist.kb.model import pick

from .cases import Case, Fault

if TYPE_CHECKING:
    from copycar_assist.kb import KnowledgeBase

OPENERS, JOINS, ALSOS, YESES, NOS = 4, 3, 2, 3, 3
FREE_MATCH = 62  # a free question this close (rapidfuzz token set ratio) to one of the knowledge's


@dataclass(frozen=True)
class Question:
    """A question the trainee may ask: a cause's (`cause` set) or a narrowing one (`causes`)."""

    id: str  # "<entry>#<cause>" or "<entry>?<narrowing id>"
    entry: str
    text: str
    causes: tuple[str, ...]


def questions(kb: KnowledgeBase, entry_id: str, lang: str) -> list[Question]:
    entry = kb.entries[entry_id]
    out = [Question(f"{entry.id}?{n.id}", entry.id, pick(n.question, lang), tuple(n.yes)) for n in entry.narrowing]
    out += [Question(f"{entry.id}#{c.id}", entry.id, pick(c.question, lang), (c.id,)) for c in entry.causes if c.question]
    return out


def question(kb: KnowledgeBase, qid: str, lang: str) -> Question | None:
    entry_id = qid.replace("?", "#").split("#", 1)[0]
    if entry_id not in kb.entries:
        return None
    return next((q for q in questions(kb, entry_id, lang) if q.id == qid), None)


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:] if text else text


def _phrase(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text and not text[:2].isupper() else text


def _effect(kb: KnowledgeBase, f: Fault, lang: str, rng: random.Random) -> str:
    entry = kb.entries[f.entry]
    pool = list(entry.effects.get(lang, [])) or list(entry.aliases.get(lang, [])) or [pick(entry.title, lang)]
    return rng.choice(pool)


def _detail(kb: KnowledgeBase, f: Fault, lang: str, rng: random.Random) -> str | None:
    cause = kb.entries[f.entry].cause(f.cause)
    if cause is None:
        return None
    # What the customer saw, in their words: the cause's effects; its evidence only where it reads
    # as a sentence (most evidence is a few matching words, "url base", that nobody would write).
    pool = list(cause.effects.get(lang, [])) or [e for e in cause.evidence.get(lang, []) if len(e.split()) >= 4]
    return rng.choice(pool) if pool else None


def _tell(kb: KnowledgeBase, f: Fault, lang: str, rng: random.Random, detail: bool) -> str:
    text = t(f"train.cust.open.{rng.randint(1, OPENERS)}", lang, effect=_phrase(_effect(kb, f, lang, rng)))
    more = _detail(kb, f, lang, rng) if detail else None
    if more:
        text += " " + t(f"train.cust.join.{rng.randint(1, JOINS)}", lang, detail=_phrase(more))
    return text


def first_message(kb: KnowledgeBase, case: Case, lang: str, rng: random.Random | None = None) -> str:
    rng = rng or random.Random()
    detail = case.difficulty != "vague"
    parts = [_tell(kb, case.faults[0], lang, rng, detail)]
    for f in case.faults[1:]:
        parts.append(t(f"train.cust.also.{rng.randint(1, ALSOS)}", lang,
                       effect=_phrase(_effect(kb, f, lang, rng))) + (
            " " + t(f"train.cust.join.{rng.randint(1, JOINS)}", lang, detail=_phrase(d))
            if (d := _detail(kb, f, lang, rng)) else ""))
    return " ".join(parts)


def truthful(case: Case, q: Question) -> bool:
    """Whether the honest answer to `q` is yes: it points to a fault of the case."""
    return any(f.entry == q.entry and f.cause in q.causes for f in case.faults)


def answer(kb: KnowledgeBase, case: Case, q: Question, lang: str, rng: random.Random | None = None) -> str:
    rng = rng or random.Random()
    if truthful(case, q):
        fault = next(f for f in case.faults if f.entry == q.entry and f.cause in q.causes)
        more = _detail(kb, fault, lang, rng)
        text = t(f"train.cust.yes.{rng.randint(1, YESES)}", lang)
        return f"{text} {_sentence(more)}." if more else text
    return t(f"train.cust.no.{rng.randint(1, NOS)}", lang)


def nearest(kb: KnowledgeBase, text: str, lang: str) -> Question | None:
    """The knowledge's question closest to free words, when close enough."""
    best, score = None, 0.0
    for entry_id in kb.entries:
        for q in questions(kb, entry_id, lang):
            s = fuzz.token_set_ratio(text.lower(), q.text.lower())
            if s > score:
                best, score = q, s
    return best if score >= FREE_MATCH else None


def reply(kb: KnowledgeBase, case: Case, text: str, lang: str, rng: random.Random | None = None) -> tuple[str, Question | None]:
    """The customer's answer to a free question, and the knowledge's question it was read as."""
    q = nearest(kb, text, lang)
    if q is None:
        return t("train.cust.unsure", lang), None
    return answer(kb, case, q, lang, rng), q
