"""Text normalisation for matching: folding, tokens with their place in the text, a light stemmer.

Everything here is pure and cheap; the lexicon (stop words, concepts) lives in `lexicon.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from copycar_assist.kb.fold import unaccent
from copycar_assist.textsafe import clean

MAX_QUERY_CHARS = 2000  # only the start of a huge paste is considered

# Runs of letters and digits (any script); '_' splits snake_case, '.' splits dotted names.
_RUN = re.compile(r"[^\W_]+")
# CamelCase parts: "SMTPAuthenticationError" -> SMTP, Authentication, Error.
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_HAS_CAMEL = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]")
_MARKUP = re.compile(r"[`*_#>|\[\]()]")
# Names that look like CamelCase but are one word: the product, and Python's built-in exceptions,
# whose parts mislead ("KeyError" is not about a key, "ValueError" not about a value).
_NO_SPLIT = frozenset({
    "copycar", "copycarai", "keyerror", "valueerror", "typeerror", "indexerror", "attributeerror",
    "nameerror", "lookuperror", "importerror", "modulenotfounderror", "assertionerror",
    "runtimeerror", "oserror", "ioerror", "zerodivisionerror", "unicodedecodeerror",
    "unicodeencodeerror", "jsondecodeerror", "recursionerror", "notimplementederror",
    "syntaxerror", "overflowerror", "memoryerror", "stopiteration",
    # brands written in CamelCase
    "hubspot", "linkedin", "sendgrid", "mailchimp", "mailgun", "zoominfo", "github", "gitlab",
    "openai", "postgresql", "mongodb", "wordpress", "woocommerce", "youtube", "javascript",
})
# A letter said three or more times ("sloooow", "lentooo") is said once.
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")

# Suffixes stripped by the stemmer, longest first (Spanish and English together: the matcher
# only needs variants of one word to meet, not linguistically right stems).
_SUFFIXES = tuple(sorted((
    "aciones", "iciones", "amientos", "imientos", "amiento", "imiento", "ations", "ation",
    "mente", "ando", "iendo", "ados", "adas", "idos", "idas", "ado", "ada", "ido", "ida",
    "ing", "ers", "ed", "es", "er", "ar", "ir", "an", "en", "os", "as", "a", "o", "e", "s", "ly",
    "acion", "icion",
), key=len, reverse=True))
_MIN_STEM = 4


def fold(text: str) -> str:
    """Lower case without accents: 'Autenticación' -> 'autenticacion'."""
    return unaccent(text).lower()


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """Strip one common Spanish/English ending, keeping at least four letters."""
    if not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            base = word[: -len(suffix)]
            # "stopped" -> "stopp" -> "stop": a consonant doubled before -ed/-ing/-er is one
            # (but "called", "processed", "corre…" keep theirs: ll, ss, rr, cc, ff, zz are real).
            if suffix in ("ed", "ing", "er", "ers") and base[-1] == base[-2] and base[-1] not in "aeioulsrcfz":
                base = base[:-1]
            return base
    return word


def prepare(text: str) -> str:
    """The query as the matcher sees it: control characters removed, capped."""
    if not isinstance(text, str):
        text = str(text)
    if len(text) > MAX_QUERY_CHARS * 2:
        text = text[: MAX_QUERY_CHARS * 2]
    text = clean(text, keep_newlines=False)
    return text[:MAX_QUERY_CHARS]


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the text: its folded form and where it is in the (prepared) text."""

    word: str  # folded
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Words with their spans; snake_case, dotted and CamelCase names are split into words
    (built-in exception names stay whole), letters said three times or more are said once."""
    out: list[Token] = []
    for m in _RUN.finditer(text):
        base = m.start()
        for word, start, end in _run_words(m.group()):
            out.append(Token(word, base + start, base + end))
    return out


def words(text: str) -> list[str]:
    """The words `tokenize` finds, without their spans (preparing the knowledge: a million
    phrases for 10,000 entries, so a run seen before as one word is looked up in one pass)."""
    runs = _RUN.findall(text)
    out: list[str | None] = list(map(_ONE_WORD.get, runs))
    if None not in out:
        return cast("list[str]", out)  # every run was one known word
    found: list[str] = []
    for run, word in zip(runs, out, strict=True):
        if word is not None:
            found.append(word)
            continue
        parts = _run_words(run)
        if len(parts) == 1:
            if len(_ONE_WORD) >= _ONE_WORD_CAP:  # a long-running app reads endless new words
                _ONE_WORD.clear()
            _ONE_WORD[run] = parts[0][0]
        found.extend(part[0] for part in parts)
    return found


# A run of letters and digits that is one word -> that word, as `_run_words` gives it.
_ONE_WORD: dict[str, str] = {}
_ONE_WORD_CAP = 200_000


@lru_cache(maxsize=65536)
def _run_words(run: str) -> tuple[tuple[str, int, int], ...]:
    """The words of one run of letters and digits, with their spans inside it (the same runs
    come back all the time: common words, a knowledge base's vocabulary)."""
    if run.isascii() and run.isalpha() and _HAS_CAMEL.search(run) and run.lower() not in _NO_SPLIT:
        return tuple((fold(p.group()), p.start(), p.end()) for p in _CAMEL.finditer(run))
    word = fold(run)
    if len(word) > 2 and _ELONGATED.search(word):
        word = _ELONGATED.sub(r"\1", word)
    return ((word, 0, len(run)),)


def plain(text: str) -> str:
    """Knowledge text without Markdown punctuation, for preparing phrases."""
    return _MARKUP.sub(" ", text)
