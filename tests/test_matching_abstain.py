"""Confidence: out-of-scope text gets no best; a near tie is ambiguous and gets no best either."""

import pytest


@pytest.mark.parametrize("text", [
    "hola", "mi impresora no imprime", "asdfgh", "", "   ", "ok", "gracias", "how do I bake bread",
    "my printer is out of paper", "¿dónde está la estación?", "error", "no funciona",
])
def test_out_of_scope_abstains(matcher, text):
    r = matcher.match(text)
    assert r.best is None, r.to_json()
    assert r.ambiguous is False


@pytest.mark.parametrize("text, entry", [
    ("me sale error 401 al llamar a la api", "invalid-api-key"),
    ("emails going to spam", "email-delivery-failed"),
    ("ratelimit exceded", "rate-limit-exceeded"),
    ("httpx.HTTPStatusError: Client error '429 Too Many Requests'", "rate-limit-exceeded"),
    ("la api va muy lenta", "slow-responses"),
    ("no se sincroniza con salesforce", "crm-integration-failed"),
])
def test_in_scope_is_confident(matcher, text, entry):
    r = matcher.match(text)
    assert r.best == entry, r.to_json()


def test_scores_are_ordered_and_bounded(matcher):
    r = matcher.match("timeout")
    scores = [m.score for m in r.matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)


def test_a_word_shared_by_several_entries_is_ambiguous(matcher):
    # "timeout" alone fits generation, connectivity and slowness alike: ask, don't guess.
    r = matcher.match("timeout")
    top = r.matches[:2]
    assert len(top) == 2
    assert r.best is None or r.ambiguous, r.to_json()


def test_clear_winner_is_not_ambiguous(matcher):
    r = matcher.match("invalid api key 401 unauthorized")
    assert r.best == "invalid-api-key" and not r.ambiguous


def test_tie_is_ambiguous(kb):
    from copycar_assist.kb.model import Entry
    from copycar_assist.matching import Matcher

    twins = [Entry(id=i, category="x", severity="LOW", title={"en": "widget sprocket failure"},
                   checks=[], causes=[], outcomes={}, aliases={"en": ["widget sprocket failure"]})
             for i in ("twin-a", "twin-b")]
    r = Matcher(twins).match("widget sprocket failure")
    # A near tie asks which one it is; it never picks. Both are listed, in a stable order.
    assert r.best is None and r.ambiguous
    assert [m.id for m in r.matches] == ["twin-a", "twin-b"]


def test_why_uses_the_users_own_words(matcher):
    r = matcher.match("Los CORREOS acaban en Spam")
    assert r.best == "email-delivery-failed"
    why = r.matches[0].why
    assert why and all(w in r.query for w in why)
    assert any("Spam" in w for w in why)


def test_limit(matcher):
    assert len(matcher.match("error api timeout", limit=1).matches) <= 1
    assert matcher.match("error api timeout", limit=0).matches == []
