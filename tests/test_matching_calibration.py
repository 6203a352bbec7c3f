"""Calibrated confidence: the stored fit loads, gives a probability per query, a cut-off per
text length, and a near tie that asks; the fitting itself recovers known weights. The
conversation answers a guide question and hands a request off."""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

from copycar_assist.conversation import Conversation, GuideAnswer, Matched, State
from copycar_assist.matching.calibration import FEATURES, default_calibration

from fixtures_conversation import one, prompt_of, send, start

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import fit_calibration


def test_the_stored_calibration_covers_every_length_and_feature():
    cal = default_calibration()
    assert set(cal.weights) <= set(FEATURES)
    assert cal.thresholds[-1][0] == -1  # the longest texts have a cut-off too
    assert all(0.5 <= t < 1.0 for _, t in cal.thresholds)
    assert cal.threshold(10) == cal.thresholds[0][1] and cal.threshold(10**6) == cal.thresholds[-1][1]


def test_confidence_orders_clear_and_vague_texts(matcher):
    clear = matcher.match("SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted')")
    vague = matcher.match("something is off with the thing")
    assert clear.best == "email-delivery-failed" and clear.confidence > 0.9
    assert vague.best is None and (vague.confidence is None or vague.confidence < 0.5)


def test_the_fit_recovers_known_weights():
    rng = random.Random(4)
    true = [2.0, -1.5, 0.5]  # two features and a bias
    xs, ys = [], []
    for _ in range(3000):
        x = [rng.uniform(-2, 2), rng.uniform(-2, 2), 1.0]
        p = 1 / (1 + math.exp(-sum(w * v for w, v in zip(true, x))))
        xs.append(x)
        ys.append(int(rng.random() < p))
    got = fit_calibration.fit(xs, ys, l2=0.0)
    assert all(abs(g - t) < 0.25 for g, t in zip(got, true)), got


def test_thresholds_keep_precision_in_every_length():
    # bucket 0-60: right answers at p ≥ 0.8 only; bucket 61-200: right everywhere
    ps = [0.9] * 20 + [0.6] * 10 + [0.7] * 20
    ys = [1] * 20 + [0] * 10 + [1] * 20
    lengths = [30] * 30 + [100] * 20
    out = fit_calibration.choose_thresholds(ps, ys, lengths, 0.9, 0.5, 3.0, [False] * 50, 0.97)
    assert out[0][1] > 0.6 and out[1][1] <= 0.7


async def test_a_guide_question_is_answered_in_the_conversation(kb, matcher):
    conv = Conversation(kb, matcher, lang="es")
    await start(conv)
    events = await send(conv, "¿Qué nivel de soporte atiende un error crítico?")
    assert one(events, Matched).result.kind == "question"
    answer = one(events, GuideAnswer)
    assert "nivel 3" in answer.text and answer.source
    assert answer.to_json()["type"] == "answer"
    assert conv.state is State.DESCRIBE


async def test_a_request_is_handed_off_not_diagnosed(kb, matcher):
    conv = Conversation(kb, matcher, lang="en")
    await start(conv)
    events = await send(conv, "I was charged twice this month, can I get a refund?")
    result = one(events, Matched).result
    assert result.kind == "request" and result.best is None
    assert conv.state is State.NO_MATCH
    assert "handoff" in [c.role for c in prompt_of(events).choices]
