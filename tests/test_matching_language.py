"""Language detection and answers in the query's language."""

import pytest


@pytest.mark.parametrize("text, lang", [
    ("la api no responde desde esta mañana", "es"),
    ("los correos van a spam", "es"),
    ("¿por qué tarda tanto?", "es"),
    ("the api does not answer since this morning", "en"),
    ("emails are going to spam", "en"),
    ("", "en"),
    ("429", "en"),
    ("HTTP 429 en el import", "es"),
])
def test_detect_language(matcher, text, lang):
    assert matcher.detect_language(text) == lang


def test_titles_come_back_in_the_querys_language(matcher, kb):
    es = matcher.match("la clave de la api ha caducado")
    en = matcher.match("the api key has expired")
    assert es.language == "es" and en.language == "en"
    entry = kb.entries["invalid-api-key"]
    assert es.matches[0].title == entry.title["es"]
    assert en.matches[0].title == entry.title["en"]


def test_language_can_be_forced(matcher, kb):
    r = matcher.match("la clave de la api ha caducado", lang="en")
    assert r.language == "es"
    assert r.matches[0].title == kb.entries["invalid-api-key"].title["en"]
