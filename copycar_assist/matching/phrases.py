"""A set of short folded phrases ("no llega*", "works fine", "hola") found in a list of words.

Forms: "word", "prefix*" (any word starting with it), "two words" (a run; the last may be a
prefix). Used by the reader (`reading.py`) to tell what a clause does; never by the scorer.
"""

from __future__ import annotations

import re

from .text import fold

_WORD = re.compile(r"[^\W_]+")


def words_of(text: str) -> list[str]:
    """Folded words of a text ("doesn't" -> doesn, t), the way the phrase lists are written."""
    return _WORD.findall(fold(text))


class Phrases:
    def __init__(self, forms: list[str]) -> None:
        self.exact: set[str] = set()
        self.prefixes: tuple[str, ...] = ()
        self.runs: dict[str, list[tuple[tuple[str, ...], bool]]] = {}  # first word -> (rest, last is prefix)
        prefixes = []
        for form in forms:
            parts = words_of(form)
            star = form.rstrip().endswith("*")
            if not parts:
                continue
            if len(parts) == 1:
                if star:
                    prefixes.append(parts[0])
                else:
                    self.exact.add(parts[0])
            else:
                self.runs.setdefault(parts[0], []).append((tuple(parts[1:]), star))
        self.prefixes = tuple(sorted(set(prefixes)))
        self._seen: dict[str, bool] = {}

    def _word(self, word: str) -> bool:
        hit = self._seen.get(word)
        if hit is None:
            hit = word in self.exact or (bool(self.prefixes) and word.startswith(self.prefixes))
            if len(self._seen) > 20000:
                self._seen.clear()
            self._seen[word] = hit
        return hit

    def spans(self, words: list[str]) -> list[tuple[int, int]]:
        """(first, last) word index of every phrase found."""
        out = []
        runs = self.runs
        for i, w in enumerate(words):
            if self._word(w):
                out.append((i, i))
            if w not in runs:
                continue
            for rest, star in runs[w]:
                n = len(rest)
                if i + n < len(words):
                    tail = words[i + 1:i + 1 + n]
                    if tail[:-1] == list(rest[:-1]) and (tail[-1] == rest[-1] or (star and tail[-1].startswith(rest[-1]))):
                        out.append((i, i + n))
        return out

    def found(self, words: list[str]) -> bool:
        return bool(self.spans(words))

    def covered(self, words: list[str]) -> set[int]:
        """Indexes of the words that are part of a phrase."""
        return {i for a, b in self.spans(words) for i in range(a, b + 1)}
