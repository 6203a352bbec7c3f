"""What kind of input a text is: a problem report, a question about the guide, a request
(billing, account, sales, features: handed off), or a greeting.

Decided from how the text reads (`reading.py`: the clauses and their roles) and the words of
`data/kinds.toml`:

* a question about the guide: it asks (a "?", "¿", an interrogative opening), a topic of
  `answers.toml` fits it, and nothing in it states a failure outside the question itself
  ("si tengo un error crítico, ¿qué nivel…?" asks; "my key expired, which level…?" reports);
* a greeting: greetings and thanks only ("hola", "thanks, that did the trick");
* a request: it names billing, account, sales or a feature and states no failure;
* anything else is a problem report.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .datafiles import load
from .phrases import Phrases, words_of
from .reading import QUESTION_OPENERS, Clause, Reading

# Clause roles that state something other than the failure.
_QUIET = ("greeting", "ask", "background", "neutral", "working", "denial")
_HYPOTHETICAL = frozenset(("si", "if", "cuando", "when", "whenever", "en", "in", "suppose", "supongamos", "imagine"))


@dataclass(frozen=True)
class Kinds:
    request: Phrases
    thanks: Phrases


@lru_cache(maxsize=1)
def kinds() -> Kinds:
    data = load("kinds.toml")
    return Kinds(Phrases(data["request"]), Phrases(data["thanks"]))


def asks(reading: Reading) -> bool:
    """Whether the text asks something (a question clause, or a question mark anywhere)."""
    return any(c.question for c in reading.clauses) or "?" in reading.text


def states_failure(reading: Reading) -> bool:
    """A failure stated outside a question (and outside an "if …" leading to one), or pasted. A
    failure said with a question mark but not asked ("the log says authentication failed??",
    "los emails no salen?") is stated: the mark is doubt, not a question about the guide."""
    if reading.pasted_lines:
        return True
    clauses = reading.clauses
    for i, c in enumerate(clauses):
        if c.role != "failure":
            continue
        words = words_of(reading.text[c.start:c.end])
        if c.question and _asked(reading, c, words):
            continue
        follows_question = any(d.question for d in clauses[i + 1:i + 3])
        if words and words[0] in _HYPOTHETICAL and follows_question:
            continue
        return True
    return False


def _asked(reading: Reading, clause: Clause, words: list[str]) -> bool:
    """Whether a clause is put as a question: opened by "¿" or an interrogative word (the
    first or, after a preposition, the second: "at what error rate…", "¿en qué nivel…")."""
    return reading.text[:clause.start].rstrip().endswith("¿") or any(w in QUESTION_OPENERS for w in words[:2])


def is_greeting(reading: Reading) -> bool:
    """Greetings and thanks only: every clause a greeting, or short and thankful."""
    if reading.pasted_lines or not reading.clauses:
        return False
    thanks = kinds().thanks
    for c in reading.clauses:
        if c.role == "greeting":
            continue
        words = words_of(reading.text[c.start:c.end])
        if c.role != "failure" and len(words) <= 8 and thanks.found(words):
            continue
        return False
    return True


def is_request(reading: Reading) -> bool:
    """It names billing, account, sales or a feature (whether it also states a failure is the
    caller's to weigh)."""
    return kinds().request.found(words_of(reading.text))
