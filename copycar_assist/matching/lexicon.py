"""The matcher's word knowledge: stop words, weak words and bilingual concepts (data files in
`matching/data/`), loaded once, and the analysis that turns tokens into matching terms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import NamedTuple, cast

from .datafiles import load
from .text import Token, fold, stem

_MIN_PREFIX = 3
_SINGLE_CAP = 200_000  # words whose single-word term is remembered
_UNSEEN = ("", False)  # marker: a word not looked up yet


class Term(NamedTuple):
    """A matching unit: a concept ("@email") or a stemmed word, and the tokens it came from (a
    tuple: a knowledge base of 10,000 entries makes ten million of them as it is compiled)."""

    key: str
    first: int  # index of its first token
    last: int  # index of its last token (multi-word concepts span several)
    weak: bool = False


class Lexicon:
    def __init__(self, stopwords: Mapping[str, Iterable[str]], weak: Mapping[str, Iterable[str]],
                 synonyms: Mapping[str, Mapping[str, Iterable[str]]]) -> None:
        """The data files as read: `stopwords` es, en and noise word lists; `weak` its words;
        `synonyms` its concepts, each with its forms."""
        self.stop_es = frozenset(stopwords.get("es", ()))
        self.stop_en = frozenset(stopwords.get("en", ()))
        self.noise = frozenset(stopwords.get("noise", ()))
        self.stop = self.stop_es | self.stop_en | self.noise
        self.weak = frozenset(weak.get("words", ()))
        self.exact: dict[str, str] = {}
        self.prefix: dict[str, str] = {}
        self.multi: dict[tuple[str, ...], str] = {}
        for concept, forms in synonyms.get("concepts", {}).items():
            key = "@" + concept
            for form in forms:
                form = fold(form).strip()
                words = tuple(form.split())
                if len(words) > 1:
                    self.multi[words] = key
                elif form.endswith("*") and len(form) > _MIN_PREFIX:
                    self.prefix[form[:-1]] = key
                elif form:
                    self.exact[form] = key
        self._multi_first = frozenset(k[0] for k in self.multi)
        # a multi-word concept's first two words -> the lengths of those that start with them,
        # longest first: most words that may start one are not followed by its second word
        starts: dict[tuple[str, str], set[int]] = {}
        for k in self.multi:
            starts.setdefault((k[0], k[1]), set()).add(len(k))
        self._multi_sizes = {pair: tuple(sorted(sizes, reverse=True)) for pair, sizes in starts.items()}
        self._single: dict[str, tuple[str, bool] | None] = {}
        self.key_of = lru_cache(maxsize=16384)(self._key_of)

    def _key_of(self, word: str) -> str:
        """The matching key of one folded word: its concept, else its stem."""
        hit = self.exact.get(word)
        if hit:
            return hit
        for n in range(len(word), _MIN_PREFIX - 1, -1):
            hit = self.prefix.get(word[:n])
            if hit:
                return hit
        return stem(word)

    def is_concept_word(self, word: str) -> bool:
        return self.key_of(word).startswith("@")

    def terms(self, tokens: list[Token] | list[str]) -> list[Term]:
        """Terms of a token sequence: multi-word concepts first (longest), then single words;
        stop words and noise dropped. Weak words are kept and flagged."""
        words = cast("list[str]", tokens) if not tokens or type(tokens[0]) is str else [
            t.word for t in cast("list[Token]", tokens)]
        out: list[Term] = []
        new = tuple.__new__  # a Term made as its tuple: half the time of calling the class
        single, multi_first, multi_sizes = self._single, self._multi_first, self._multi_sizes
        i, n = 0, len(words)
        while i < n:
            w = words[i]
            if w in multi_first and i + 1 < n and (sizes := multi_sizes.get((w, words[i + 1]))):
                for size in sizes:
                    key = self.multi.get(tuple(words[i:i + size])) if size <= n - i else None
                    if key:
                        out.append(new(Term, (key, i, i + size - 1, False)))
                        i += size
                        break
                else:
                    key = None
                if key:
                    continue
            hit = single.get(w, _UNSEEN)
            if hit is _UNSEEN:
                if len(single) >= _SINGLE_CAP:  # a long-running app reads endless new words
                    single.clear()
                hit = single[w] = self._single_term(w)
            if hit is not None:
                out.append(new(Term, (hit[0], i, i, hit[1])))
            i += 1
        return out

    def _single_term(self, w: str) -> tuple[str, bool] | None:
        """(key, weak) of a word standing alone; None for a stop word or a lone letter."""
        if (w in self.exact or w not in self.stop) and (len(w) > 1 or w.isdigit()):
            return self.key_of(w), w in self.weak
        return None

    def language_votes(self, words: list[str]) -> tuple[int, int]:
        """(Spanish, English) stop-word hits."""
        es = sum(1 for w in words if w in self.stop_es and w not in self.stop_en)
        en = sum(1 for w in words if w in self.stop_en and w not in self.stop_es)
        return es, en


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return Lexicon(load("stopwords.toml"), load("weak.toml"), load("synonyms.toml"))
