"""Scoring a large knowledge base with numpy (postings.LARGE entries and more), exactly as the
plain Python of `Matcher._score` and `Effects.find` does, only faster: a common word of a
knowledge base of 10,000 entries points at thousands of them.

* `leading`: every entry's evidence and coverage are summed over all the hits, in the hits'
  order (`np.bincount` adds each entry's terms one after the other, from 0.0, as the Python loop
  does: the same floats); the prefilter is applied as `_score` applies it; then only the entries
  that can be among the `m` best are handed back. The scores used to choose them are numpy's
  (its exp may differ from math.exp in the last bit), so the cut is taken with a margin far
  wider than that, and of entries whose evidence, coverage and floor are identical (so whose
  scores are identical) only the first `m` in the order they were first seen are kept: ties go
  to the first seen, as `heapq.nlargest` gives them. `_score` then scores those few in Python.
* `effect_candidates`: the effects sharing enough keys with the text whose shared keys may carry
  COVERAGE of their weight (with a margin): a superset of those `Effects.find` keeps, which it
  then checks one by one as before.

Imported only for a large knowledge base (numpy's import costs more than a small one's whole
query). Never imports Textual.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from .postings import Postings

# Scores are 0-100; numpy's and Python's differ by less than 1e-12 (an ulp of exp, times 100).
_SCORE_SLACK = 1e-9
_SHARE_SLACK = 1e-9  # shares of an effect's weight, 0-1, summed in another order
_REDUCE_AT = 64  # fewer candidates than this go to Python as they are
# A hit's postings gathered in Python below this size (a code's owners, an effect's entry).
_SMALL = 32

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]


def _arrays(postings: Mapping[int, float]) -> tuple[Ints, Floats]:
    if isinstance(postings, Postings):
        return (np.frombuffer(postings.ids, dtype=np.intc).astype(np.intp),
                np.frombuffer(postings.weights, dtype=np.float64))
    return (np.fromiter(postings.keys(), dtype=np.intp, count=len(postings)),
            np.fromiter(postings.values(), dtype=np.float64, count=len(postings)))


def _sums(idx: Ints, values: Floats, size: int) -> Floats:
    """Per entry, its values added one after the other in their order, from 0.0."""
    return np.asarray(np.bincount(idx, weights=values, minlength=size), dtype=np.float64)


def leading(hits: Sequence[tuple[Mapping[int, float], float, float, int, int]], floors: Mapping[int, float],
            total: float, size: int, m: int, k: float, gamma: float, prefilter_at: int,
            prefilter_share: float) -> tuple[dict[int, float], dict[int, float]]:
    """(evidence, covered) of the entries that can be among the `m` best after the prefilter, in
    the order first seen: what `Matcher._score`'s Python sums give for those entries."""
    ids_parts: list[Ints] = []
    ev_parts: list[Floats] = []
    cov_parts: list[Floats] = []
    small: tuple[list[int], list[float], list[float]] = ([], [], [])

    def flush() -> None:
        if small[0]:
            ids_parts.append(np.array(small[0], dtype=np.intp))
            ev_parts.append(np.array(small[1], dtype=np.float64))
            cov_parts.append(np.array(small[2], dtype=np.float64))
            for part in small:
                part.clear()

    for postings, factor, cover, _, _ in hits:
        if len(postings) < _SMALL and not isinstance(postings, Postings):
            for n, fw in postings.items():
                small[0].append(n)
                small[1].append(factor * fw)
                small[2].append(cover * (fw if fw < 1.0 else 1.0))
            continue
        flush()
        ids, w = _arrays(postings)
        ids_parts.append(ids)
        ev_parts.append(factor * w)
        cov_parts.append(cover * np.minimum(w, 1.0))
    flush()
    if not ids_parts:
        return {}, {}
    idx = np.concatenate(ids_parts)
    evidence = _sums(idx, np.concatenate(ev_parts), size)
    covered = _sums(idx, np.concatenate(cov_parts), size)
    first = np.full(size, len(idx), dtype=np.intp)
    np.minimum.at(first, idx, np.arange(len(idx), dtype=np.intp))
    cand = np.flatnonzero(first < len(idx))
    floor_at = np.zeros(size, dtype=np.float64)
    has_floor = np.zeros(size, dtype=bool)
    if floors:
        owners = np.fromiter(floors.keys(), dtype=np.intp, count=len(floors))
        floor_at[owners] = np.fromiter(floors.values(), dtype=np.float64, count=len(floors))
        has_floor[owners] = True
    if len(cand) > prefilter_at:  # as `_score` prefilters
        cut = prefilter_share * float(evidence[cand].max())
        cand = cand[(evidence[cand] >= cut) | has_floor[cand]]
    if len(cand) > max(_REDUCE_AT, m):
        cand = _best(cand, evidence, covered, floor_at, first, total, m, k, gamma)
    cand = cand[np.argsort(first[cand], kind="stable")]
    keys = cand.tolist()
    return dict(zip(keys, evidence[cand].tolist())), dict(zip(keys, covered[cand].tolist()))


def _best(cand: Ints, evidence: Floats, covered: Floats, floor_at: Floats, first: Ints, total: float, m: int,
          k: float, gamma: float) -> Ints:
    """Of `cand`, those that can be among the `m` best scores (see the module's docstring)."""
    e, c, f = evidence[cand], covered[cand], floor_at[cand]
    coverage = np.maximum(np.minimum(1.0, c / total), f)
    scores = 100.0 * (1.0 - np.exp(-e / k)) * coverage ** gamma
    mth = float(np.partition(scores, len(scores) - m)[len(scores) - m])
    near = scores >= mth - _SCORE_SLACK
    cand, e, c, f = cand[near], e[near], c[near], f[near]
    order = np.lexsort((first[cand], f, c, e))
    e, c, f = e[order], c[order], f[order]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = (e[1:] != e[:-1]) | (c[1:] != c[:-1]) | (f[1:] != f[:-1])
    positions = np.arange(len(order))
    rank = positions - np.maximum.accumulate(np.where(starts, positions, 0))
    kept: Ints = cand[order[rank < m]]
    return kept


def effect_candidates(found: Sequence[Postings], size: int, min_keys: int, coverage: float) -> list[int]:
    """Effects (ascending) that `found` (the text's keys' effects, with each key's share of the
    effect's weight) names at least `min_keys` times, with shares that may reach `coverage`."""
    if not found:
        return []
    idx = np.concatenate([np.frombuffer(p.ids, dtype=np.intc) for p in found], dtype=np.intp)
    shares = np.concatenate([np.frombuffer(p.weights, dtype=np.float64) for p in found])
    counts = np.bincount(idx, minlength=size)
    reach = _sums(idx, shares, size)
    out: list[int] = np.flatnonzero((counts >= min_keys) & (reach >= coverage - _SHARE_SLACK)).tolist()
    return out
