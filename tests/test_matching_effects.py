"""Effects (what customers see, in their words) are found as whole phrases and point at their
entry; the shipped ones are all usable and each, said as it is written, leads to its own entry."""

import pytest

from copycar_assist.matching.index import entry_effects


def test_every_shipped_effect_is_usable_and_leads_to_its_entry(matcher, kb):
    used = {e.text for e in matcher.effects._effects}
    for entry in kb.entries.values():
        for text, _ in entry_effects(entry):
            assert text in used, f"{entry.id}: effect '{text}' has fewer than three words the matcher can use"
            r = matcher.match(text)
            assert r.matches and r.matches[0].id == entry.id, (entry.id, text, r.to_json())


@pytest.mark.parametrize("text, entry", [
    ("the dashboard says my credential is no longer active", "invalid-api-key"),
    ("we used up our monthly usage allowance halfway through the month", "rate-limit-exceeded"),
    ("they keep landing in the promotions tab", "email-delivery-failed"),
    ("job title ends up in the company field", "crm-integration-failed"),
    ("la rueda de carga no para de girar en toda la aplicación", "slow-responses"),
])
def test_indirect_descriptions(matcher, text, entry):
    assert matcher.match(text).matches[0].id == entry


@pytest.mark.parametrize("text, entry", [  # the issue's own examples, each a whole ticket
    ("the spinner never stops", "slow-responses"),
    ("they land in the promotions tab", "email-delivery-failed"),
    ("the dashboard says my credential is no longer active", "invalid-api-key"),
    ("job title ends up in the company field", "crm-integration-failed"),
])
def test_an_effect_that_is_the_whole_ticket_is_answered(matcher, text, entry):
    assert matcher.match(text).best == entry


def test_a_few_shared_everyday_words_are_not_an_effect(matcher):
    """Two common words of an effect, far apart, do not make it (three words, close together)."""
    r = matcher.read("the copy looks fine. Later that week, the company we work with moved offices.")
    from copycar_assist.matching.text import tokenize

    tokens = tokenize(r.text)
    terms = matcher.lexicon.terms([t.word for t in tokens])
    assert matcher.effects.find([(t.key, t.first, t.last) for t in terms]) == []
