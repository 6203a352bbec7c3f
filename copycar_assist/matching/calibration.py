"""Calibrated confidence: how likely the first listed entry is the right one, from what the
scorer saw (top score, margin over the runner-up, coverage, codes and effects found, length,
pasted or not), and the cut-off above which the matcher answers.

The weights are fitted on the project's own labelled sets by `benchmarks/fit_calibration.py`
(logistic regression, checked by cross-validation) and stored as data (`data/calibration.toml`);
the cut-off, one per text length, is the lowest probability from which that length keeps at
least 90 % precision (with a margin) out of fold.
Nothing here is fitted at run time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from .datafiles import load

FEATURES = ("score", "score_high", "margin", "ratio", "coverage", "evidence", "terms", "length", "score_length", "margin_length",
            "pasted", "code", "code_alone", "effect", "effect_second", "failure_share", "bias")


@dataclass(frozen=True)
class Candidate:
    """One scored entry: what the score is made of."""

    n: int  # index in the matcher's index
    score: float  # 0-100
    why: list[str]
    coverage: float  # 0-1: how much of what the text says this entry explains
    evidence: float  # 0-1: how much the text says for it, coverage aside (1 - exp(-e / k))
    terms: int  # distinct words, codes and effects of the text that point at it
    code: bool  # a code the entry owns is in the text
    effect: bool  # one of its effects is in the text


@dataclass(frozen=True)
class Calibration:
    weights: dict[str, float]
    # (longest text in characters, -1 for any, probability from which `best` is set), shortest first
    thresholds: tuple[tuple[int, float], ...]
    ambiguous_ratio: float  # runner-up at least this share of the top score: a near tie …
    ambiguous_floor: float  # … between two entries that both score at least this (0-100)

    def threshold(self, length: int) -> float:
        for longest, t in self.thresholds:
            if longest < 0 or length <= longest:
                return t
        return self.thresholds[-1][1] if self.thresholds else 1.0

    def probability(self, features: dict[str, float]) -> float:
        z = sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        z = max(-30.0, min(30.0, z))
        return 1.0 / (1.0 + math.exp(-z))


def features(ranked: list[Candidate], tokens: int, pasted: bool, failure_share: float) -> dict[str, float]:
    """What the calibration reads about the first listed entry."""
    top = ranked[0] if ranked else None
    second = ranked[1] if len(ranked) > 1 else None
    s1 = top.score / 100.0 if top else 0.0
    s2 = second.score / 100.0 if second else 0.0
    length = math.log1p(tokens) / math.log1p(400)
    return {
        "score": s1,
        "score_high": 1.0 if s1 >= 0.4 else 0.0,  # the hand-set cut-off of the first matcher
        "margin": s1 - s2,
        "ratio": s2 / s1 if s1 > 0 else 1.0,
        "coverage": top.coverage if top else 0.0,
        "evidence": top.evidence if top else 0.0,
        "terms": min(top.terms, 6) / 6.0 if top else 0.0,
        "length": length,
        "score_length": s1 * length,
        "margin_length": (s1 - s2) * length,
        "pasted": 1.0 if pasted else 0.0,
        "code": 1.0 if top and top.code else 0.0,
        "code_alone": 1.0 if top and top.code and not (second and second.code) else 0.0,
        "effect": 1.0 if top and top.effect else 0.0,
        "effect_second": 1.0 if second and second.effect else 0.0,  # the runner-up's own effect is there
        "failure_share": failure_share,
        "bias": 1.0,
    }


@lru_cache(maxsize=1)
def default_calibration() -> Calibration:
    data = load("calibration.toml")
    return Calibration({k: float(v) for k, v in data["weights"].items()},
                       tuple((int(n), float(t)) for n, t in data["thresholds"]),
                       float(data["ambiguous_ratio"]), float(data["ambiguous_floor"]))
