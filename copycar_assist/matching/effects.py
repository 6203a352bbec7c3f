"""Effects: what customers see, in their words ("the spinner never stops", "they land in the
promotions tab"), found in a text as whole phrases.

An entry's effects (and its causes') are written the way people talk, not the way the guide
does, so their words are everyday words that many entries share ("nothing", "arrives", "the
list"). Read word by word they would blur the entries apart; read as phrases they are strong: an
effect counts when most of its weight (words the knowledge rarely uses weigh most) appears
close together in the text (three of its words at least), and then it is evidence for its
entry like a code is.

Pure; prepared once per knowledge base.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain

from .index import Index, unpack
from .lexicon import Lexicon
from .postings import Postings

COVERAGE = 0.6  # share of an effect's weight that must appear close together
WEAK = 0.3  # weight of a generic word or a number inside an effect
MIN_KEYS = 3  # words of an effect that must appear (an effect of fewer words is not used)


@dataclass(frozen=True)
class _Effect:
    entry: int
    text: str
    keys: tuple[tuple[str, float], ...]
    total: float


@dataclass(frozen=True)
class EffectHit:
    entry: int  # index of the entry in the matcher's index
    strength: float  # share of the effect found (COVERAGE-1)
    weight: float  # the effect's total weight (how much it says)
    first: int  # token span of the text that said it
    last: int
    effect: str


def weigh_effects(effects: Sequence[tuple[int, str, str]], index: Index) -> Iterator[_Effect]:
    """Effects as `index.merge` gathers them, (entry, text, packed keys), weighed, in order;
    those of fewer than MIN_KEYS keys are left out (too easy to find by chance). One at a time:
    a large knowledge base has hundreds of thousands."""
    owners = effect_owners(effects, index.idf)
    for n, text, packed in effects:
        effect = weigh_effect(n, text, packed, index.idf, owners, index.size)
        if effect is not None:
            yield effect


def effect_owners(effects: Iterable[tuple[int, str, str]], idf: Mapping[str, float]) -> dict[str, int]:
    """For each key only effects use (the index has no weight for it): how many entries have
    an effect (of MIN_KEYS keys or more) with it."""
    owners: dict[str, set[int]] = {}
    for n, _text, packed in effects:
        keys = unpack(packed)
        if len(keys) >= MIN_KEYS:
            for key, _ in keys:
                if key not in idf:
                    owners.setdefault(key, set()).add(n)
    return {key: len(entries) for key, entries in owners.items()}


def weigh_effect(n: int, text: str, packed: str, idf: Mapping[str, float], owners: Mapping[str, int],
                 size: int) -> _Effect | None:
    """One effect weighed (None: fewer than MIN_KEYS keys). A key only effects use is as telling
    as the entries that share it (`owners`)."""
    keys = unpack(packed)
    if len(keys) < MIN_KEYS:
        return None
    weighted = []
    for key, weak in keys:
        weight = idf.get(key)
        if weight is None:
            weight = math.log(1.0 + max(size, 1) / owners[key])
        weighted.append((key, weight * (WEAK if weak else 1.0)))
    return _Effect(n, text, tuple(weighted), sum(w for _, w in weighted))


def effect_shares(effect: _Effect) -> Iterator[tuple[str, float]]:
    """Each key of an effect with the share of the effect's weight it carries."""
    for key, w in effect.keys:
        yield key, w / effect.total if effect.total > 0 else 0.0


class Effects:
    def __init__(self, effects: Iterable[_Effect], lexicon: Lexicon, *, bulk: bool = False) -> None:
        """The weighed effects (`weigh_effects`), findable by their keys. `bulk`: candidates are
        narrowed with numpy (`bulk.py`; a large knowledge base)."""
        self.lexicon = lexicon
        self.bulk = bulk
        found: list[_Effect] = []
        by_key: dict[str, dict[int, float]] = {}
        for effect in effects:
            for key, share in effect_shares(effect):
                by_key.setdefault(key, {})[len(found)] = share
            found.append(effect)
        # In memory here; read from the compiled index on demand there (`compiled.py`).
        self._effects: Sequence[_Effect] = found
        # key -> effect -> the share of that effect's weight the key carries
        self._by_key: Mapping[str, Postings] = {key: Postings.of(per) for key, per in by_key.items()}

    def __bool__(self) -> bool:
        return bool(self._effects)

    def _candidates(self, keys: Iterable[str]) -> list[int]:
        """The effects that share at least MIN_KEYS keys with the text, ascending. With `bulk`,
        also only those whose shared keys may reach COVERAGE (`bulk.effect_candidates`: a
        superset of the ones `find` keeps, so the answers are the same)."""
        found = [p for p in (self._by_key.get(key) for key in keys) if p is not None]
        if self.bulk:
            from .bulk import effect_candidates

            return effect_candidates(found, len(self._effects), MIN_KEYS, COVERAGE)
        # Most effects share a word or two with any text: only the others are looked at.
        shared = Counter(chain.from_iterable(p.ids for p in found))
        return sorted(i for i, count in shared.items() if count >= MIN_KEYS)

    def find(self, terms: list[tuple[str, int, int]]) -> list[EffectHit]:
        """The best effect found per entry. `terms`: (key, first token, last token) of the text."""
        where: dict[str, list[tuple[int, int]]] = {}
        for key, first, last in terms:
            where.setdefault(key, []).append((first, last))
        best: dict[int, EffectHit] = {}
        # Effects alike in what the text has of them (the same keys and weights found, as many
        # keys, the same total) are found alike: worked out once per text.
        seen: dict[tuple[int, float, tuple[tuple[str, float], ...]], tuple[float, int, int] | None] = {}
        for i in self._candidates(where):
            effect = self._effects[i]
            shape = (len(effect.keys), effect.total, tuple((k, w) for k, w in effect.keys if k in where))
            if shape in seen:
                found = seen[shape]
            else:
                present = [(w, where[k]) for k, w in shape[2]]
                if len(present) < MIN_KEYS or sum(w for w, _ in present) < COVERAGE * effect.total:
                    found = None
                else:
                    found = _window(effect, present)
                seen[shape] = found
            if found is None:
                continue
            share, first, last = found
            old = best.get(effect.entry)
            if old is None or share * effect.total > old.strength * old.weight:
                best[effect.entry] = EffectHit(effect.entry, share, effect.total, first, last, effect.text)
        return list(best.values())


def _window(effect: _Effect, present: list[tuple[float, list[tuple[int, int]]]]) -> tuple[float, int, int] | None:
    """The best-covered stretch of text for an effect: (share, first token, last token)."""
    width = len(effect.keys) + 3
    best: tuple[float, int, int] | None = None
    for _, spans in present:
        for start, _ in spans:
            covered, first, last = 0.0, start, start
            for weight, other in present:
                near = [s for s in other if start - width <= s[0] <= start + width]
                if near:
                    s = min(near, key=lambda s: abs(s[0] - start))
                    covered += weight
                    first, last = min(first, s[0]), max(last, s[1])
            share = covered / effect.total
            if share >= COVERAGE and (best is None or share > best[0]):
                best = (share, first, last)
    return best

