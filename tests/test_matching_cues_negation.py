"""Evidence said not to be so is not evidence: "no rotamos las claves", "lo de 403 no", "we are
not bursting" point to no cause, while the same words said plainly still do, and an evidence
phrase that says "no" itself ("no saltó ninguna alerta") is still found. And what dulls a cue:
the entry's own vocabulary (its title and keywords)."""

from __future__ import annotations

import pytest

from copycar_assist.matching.cues import CueFinder, negated

from shipped import knowledge


@pytest.fixture(scope="module")
def cues():
    return CueFinder(knowledge())


def causes(cues, entry, text):
    return [h.cause_id for h in cues.find(entry, text)]


@pytest.mark.parametrize(("said", "plain"), [
    ("no rotamos las claves", "rotamos las claves la semana pasada"),
    ("we did not rotate the keys", "we rotated the keys last week"),
    ("nunca hemos rotado la clave", "hemos rotado la clave"),
    ("lo de 403 no, todo da 401", "algunas llamadas dan 403"),
    ("it's not a 403, everything is 401", "some calls give 403"),
    ("we didn't rotate anything, no 403 either", "403 on some calls"),
])
def test_a_negated_cue_points_nowhere_and_the_plain_one_still_does(cues, said, plain):
    assert causes(cues, "invalid-api-key", plain)
    assert causes(cues, "invalid-api-key", said) == []


def test_a_negation_reaches_its_own_clause_only(cues):
    assert causes(cues, "invalid-api-key", "no funciona desde que rotamos las claves") == ["wrong-key"]
    assert causes(cues, "invalid-api-key", "we didn't change the config, but some calls give 403") \
        == ["insufficient-permissions"]


def test_a_phrase_that_says_no_itself_is_found(cues):
    assert "thresholds-never-trigger" in causes(cues, "alert-emails-missing", "no saltó ninguna alerta en todo el mes")


@pytest.mark.parametrize(("text", "word", "expected"), [
    ("no es un 403", "403", True), ("lo de 403 no", "403", True), ("el 403 aparece a veces", "403", False),
    ("sale un 403. No sé por qué", "403", False), ("not even a 403", "403", True),
    ("it isn't the 403", "403", True), ("sin 403 ni nada", "403", True), ("con 403", "403", False),
])
def test_negated(text, word, expected):
    start = text.index(word)
    assert negated(text, start, start + len(word)) is expected


def test_a_cue_over_two_clauses_is_not_negated_by_the_first(cues):
    assert negated("no 5.4.5 here", 3, 8) is True  # the dots of a code are not clause ends
    text = "Not a single alert email in months. The test alert arrives fine"
    assert negated(text, text.index("alert"), len(text)) is False


def test_an_entrys_own_vocabulary_is_its_title_and_keywords_never_its_aliases():
    """The words that name an entry (`own_keys`) dull a cause's cue; an alias is the customer's
    sentence, and its everyday words are not the entry's own, in whichever language it is in."""
    from dataclasses import replace

    from copycar_assist.matching.cuekeys import own_keys, phrase_keys
    from copycar_assist.matching.lexicon import default_lexicon

    lexicon = default_lexicon()
    entry = knowledge().entries["invalid-api-key"]
    spanish_keywords_only = replace(entry, keywords={"es": entry.keywords["es"]})
    title_and_keywords = {k for text in [*entry.title.values(), *entry.keywords["es"], *entry.keywords["en"]]
                          for k in phrase_keys(lexicon, text)}
    assert own_keys(lexicon, entry) == title_and_keywords
    alias_only = {k for text in entry.aliases["en"] for k in phrase_keys(lexicon, text)} - title_and_keywords
    assert "rotation" in " ".join(entry.aliases["en"]) and alias_only
    assert not own_keys(lexicon, spanish_keywords_only) & alias_only
