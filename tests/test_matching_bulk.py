"""A large knowledge base is scored with numpy (matching/bulk.py) and must answer exactly as the
plain Python sums do: the same entries, the same floats, ties to the entry seen first."""

from __future__ import annotations

import copy
import heapq
import json
import math
import random
from array import array
from operator import itemgetter
from pathlib import Path

import pytest

from benchmarks.kb_scale import generate
from copycar_assist.kb import load_knowledge
from copycar_assist.matching import Matcher
from copycar_assist.matching.bulk import effect_candidates, leading
from copycar_assist.matching.matcher import PREFILTER_AT, PREFILTER_SHARE, summed_evidence
from copycar_assist.matching.postings import LARGE, Postings

DATA = Path(__file__).parent / "data"


def _lead(evidence, covered, floors, total, m, k=2.5, gamma=1.0):
    coverage = {n: max(min(1.0, covered[n] / total), floors.get(n, 0.0)) for n in evidence}
    scores = {n: 100.0 * (1.0 - math.exp(-e / k)) * coverage[n] ** gamma for n, e in evidence.items()}
    return heapq.nlargest(m, scores.items(), key=itemgetter(1))


def _random_hits(rng: random.Random, size: int):
    """Hits shaped like a query's: long key postings (many entries sharing one weight, so many
    ties), a code's owners (a dict, not in entry order) and effects (one entry each)."""
    hits = []
    for _ in range(rng.randint(1, 12)):
        chosen = sorted(rng.sample(range(size), rng.randint(1, size // 2)))
        levels = [rng.choice([0.3, 0.5, 0.7, 0.8, 1.0, 1.2, 1.3]) for _ in range(3)]
        weights = array("d", (levels[n % 3] for n in chosen))
        factor = rng.uniform(0.05, 4.0)
        hits.append((Postings(array("i", chosen), weights), factor, factor, 0, 1))
    floors = {}
    for _ in range(rng.randint(0, 3)):
        owners = rng.sample(range(size), rng.randint(1, 40))
        share = rng.uniform(0.1, 3.0)
        hits.insert(rng.randint(0, len(hits)), ({n: rng.choice([0.5, 1.0]) for n in owners}, share, share, 0, 1))
        for n in owners:
            floors[n] = max(floors.get(n, 0.0), 0.75 * rng.choice([0.5, 1.0]))
    for n in rng.sample(range(size), rng.randint(0, 60)):
        v = rng.uniform(0.1, 2.0)
        hits.append(({n: 1.0}, v, v, 0, 1))
        floors[n] = max(floors.get(n, 0.0), 0.3)
    total = sum(f for _, f, _, _, _ in hits) + rng.uniform(0.0, 5.0)
    return hits, floors, total


@pytest.mark.parametrize("seed", range(60))
def test_the_numpy_sums_keep_every_entry_that_can_lead(seed):
    rng = random.Random(seed)
    size = rng.choice([LARGE, 3000])
    hits, floors, total = _random_hits(rng, size)
    m = rng.choice([2, 5, 8])
    plain_e, plain_c = summed_evidence(hits, floors)  # what `Matcher._score` sums in Python
    bulk_e, bulk_c = leading(hits, floors, total, size, m, 2.5, 1.0, PREFILTER_AT, PREFILTER_SHARE)
    assert set(bulk_e) <= set(plain_e)
    assert all(bulk_e[n] == plain_e[n] and bulk_c[n] == plain_c[n] for n in bulk_e)  # the same floats
    assert [n for n in plain_e if n in bulk_e] == list(bulk_e)  # in the order first seen
    assert _lead(bulk_e, bulk_c, floors, total, m) == _lead(plain_e, plain_c, floors, total, m)
    assert len(bulk_e) < len(plain_e) or len(plain_e) <= 64  # it did prune


def test_effect_candidates_are_the_effects_sharing_enough_weight():
    # effect 0: three keys with half its weight; 1: three keys with 0.7; 2: two keys only
    found = [Postings(array("i", [0, 1, 2]), array("d", [0.2, 0.3, 0.5])),
             Postings(array("i", [0, 1]), array("d", [0.2, 0.3])),
             Postings(array("i", [0, 1, 2]), array("d", [0.1, 0.1, 0.5]))]
    assert effect_candidates(found, 3, 3, 0.6) == [1]
    assert effect_candidates(found, 3, 3, 0.5) == [0, 1]
    assert effect_candidates(found[:2], 3, 3, 0.0) == []


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> Matcher:
    folder = tmp_path_factory.mktemp("kb") / "kb"
    generate(LARGE + 20, folder)
    return Matcher(load_knowledge(folder))


def _texts() -> list[str]:
    out = []
    for name in ("match_real1", "match_blind", "match_fresh"):
        lines = (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        out += [json.loads(x)["text"] for x in lines if x.strip()]
    return out


def test_a_large_knowledge_base_answers_the_same_with_numpy_and_without(large):
    assert large.bulk and large.effects.bulk
    plain = large.with_tuning()
    plain.bulk = False
    plain.effects = copy.copy(large.effects)
    plain.effects.bulk = False
    differ = []
    for text in _texts():
        a, b = large.match(text, limit=8), plain.match(text, limit=8)
        if json.dumps(a.to_json(), sort_keys=True) != json.dumps(b.to_json(), sort_keys=True):
            differ.append(text)
    assert differ == []


def test_postings_read_back_from_their_bytes_exactly():
    p = Postings.of({17: 0.1 + 0.2, 3: 1.3, 40000: 5e-324})
    back = Postings.from_bytes(p.to_bytes())
    assert list(back.items()) == [(3, 1.3), (17, 0.1 + 0.2), (40000, 5e-324)]
    assert back[17] == 0.1 + 0.2 and 40000 in back and 4 not in back and back.get(5) is None
    with pytest.raises(ValueError):
        Postings.from_bytes(p.to_bytes()[:-1])
