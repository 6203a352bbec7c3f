"""The matching keys of the causes' evidence (`cues.py`), and the two facts about them that
need the whole knowledge: how many causes' evidence uses a key, and which keys are some entry's
own vocabulary. Light (no rapidfuzz): it runs where an entry is compiled (`companion.py`), so
that the conversation reads those facts from the compiled index instead of every entry.

    uses, own = entry_cue_facts(entry, lexicon)    # one entry's part
    tally = RareKeys(); tally.add(uses, own) …       # every entry's, in any order
    tally.keys()                                   # keys a one-word evidence phrase may stand on

Never imports Textual.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from .lexicon import Lexicon
from .text import words

if TYPE_CHECKING:
    from copycar_assist.kb.model import Entry

WEAK = 0.3  # weight of a generic word inside a phrase
# Small words that the matcher drops as stop words but that tell causes apart ("solo la
# newsletter" is not "la newsletter"): kept here, one key per meaning in both languages.
QUALIFIERS = {
    "solo": "only", "sola": "only", "solos": "only", "solamente": "only", "only": "only", "just": "only",
    "algunos": "some", "algunas": "some", "alguno": "some", "alguna": "some", "some": "some",
    "ciertos": "some", "ciertas": "some", "certain": "some",
    "cada": "every", "every": "every", "each": "every",
    "todos": "all", "todas": "all", "all": "all",
    "despues": "after", "after": "after", "tras": "after",
    "desde": "since", "since": "since",
    "nunca": "never", "never": "never", "jamas": "never",
    "siempre": "always", "always": "always",
    "sin": "without", "without": "without",
}


def cue_terms(lexicon: Lexicon, folded: list[str]) -> list[tuple[str, int, int, bool]]:
    """(key, first word, last word, weak) for a text's terms, qualifiers included."""
    out = [(term.key, term.first, term.last, term.weak) for term in lexicon.terms(folded)]
    out += [("~" + QUALIFIERS[word], i, i, False) for i, word in enumerate(folded) if word in QUALIFIERS]
    return out


def phrase_keys(lexicon: Lexicon, text: str, surfaces: dict[str, str] | None = None) -> dict[str, float]:
    """An evidence phrase's keys with their weights (1, or WEAK for a generic word); its longer
    words go into `surfaces` (folded word -> key, for typos) when one is given."""
    folded = words(text)
    keys: dict[str, float] = {}
    for key, first, last, weak in lexicon.terms(folded):  # `cue_terms`, unrolled: compiling calls it a million times
        weight = WEAK if weak else 1.0
        if weight > keys.get(key, 0.0):
            keys[key] = weight
        if surfaces is not None and first == last:
            word = folded[first]
            if word.isalpha() and len(word) >= 5:
                surfaces.setdefault(word, key)
    for word in folded:
        if word in QUALIFIERS:
            keys["~" + QUALIFIERS[word]] = 1.0
    return keys


def own_keys(lexicon: Lexicon, entry: Entry) -> set[str]:
    """The keys of an entry's title and keywords (its codes aside): the words that name it. Not
    its aliases: they are whole sentences in the customer's words ("the key stopped working
    after rotation"), whose everyday words would count as the entry's and dull the causes'
    cues (with them, 0.03 more wasted questions on four of the seven diagnosis sets)."""
    texts = [*entry.title.values()]
    for lang, items in entry.keywords.items():
        if lang != "codes":
            texts += items
    return {key for text in texts for key in phrase_keys(lexicon, text)}


def entry_cue_facts(entry: Entry, lexicon: Lexicon) -> tuple[dict[str, int], list[str]]:
    """What one entry brings to `rare_keys`: key -> how many of its causes' evidence uses it,
    and its own keys (sorted)."""
    causes_using: dict[str, set[str]] = {}
    for cause in entry.causes:
        for lang, items in cause.evidence.items():
            if lang != "codes":
                for text in items:
                    for key in phrase_keys(lexicon, text):
                        causes_using.setdefault(key, set()).add(cause.id)
    return {key: len(causes) for key, causes in causes_using.items()}, sorted(own_keys(lexicon, entry))


class RareKeys:
    """Tallies every entry's `entry_cue_facts`; `keys()` then gives the keys only one cause's
    evidence uses in the whole knowledge and that are no entry's own vocabulary (`own_keys`): a one-word
    evidence phrase is a cue only on such a key ("slowlog", not "log")."""

    def __init__(self) -> None:
        self._count: dict[str, int] = {}
        self._vocabulary: set[str] = set()

    def add(self, uses: Mapping[str, int], own: Iterable[str]) -> None:
        count = self._count
        for key, n in uses.items():
            count[key] = count.get(key, 0) + n
        self._vocabulary.update(own)

    def keys(self) -> frozenset[str]:
        return frozenset(key for key, n in self._count.items() if n == 1 and key not in self._vocabulary)
