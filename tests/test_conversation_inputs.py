"""Reading typed answers (numbers, keys, labels, words in both languages, commands), and the UI
strings (both languages, same keys, same placeholders)."""

from __future__ import annotations

import re
import string

import pytest

from copycar_assist.conversation.choices import Choice, Role
from copycar_assist.conversation.inputs import (
    leading_answer,
    parse_command,
    pick,
    words_role,
)
from copycar_assist.i18n import MESSAGES, norm_lang, t

QUESTION = [Choice("yes", "Sí", "s", Role.YES), Choice("no", "No", "n", Role.NO),
            Choice("skip", "No lo sé", "o", Role.SKIP), Choice("escalate", "Escalar", "e", Role.ESCALATE)]
STEP = [Choice("done", "Done", "d", Role.DONE), Choice("skip", "Skip", "s", Role.SKIP),
        Choice("back", "Back", "b", Role.BACK), Choice("escalate", "Escalate to support", "e", Role.ESCALATE)]
FIXED = [Choice("fixed", "Yes, fixed", "y", Role.FIXED), Choice("not_fixed", "No, still broken", "n", Role.NOT_FIXED)]


def _id(text, choices):
    c = pick(text, choices)
    return c.id if c else None


@pytest.mark.parametrize("text", ["sí", "si", "Sí.", "yes", "y", "vale", "ok", "OK!", "1", "s", "claro", "exacto"])
def test_yes_words(text):
    assert _id(text, QUESTION) == "yes"


@pytest.mark.parametrize("text", ["no", "n", "No.", "2", "NO", "nope", "para nada"])
def test_no_words(text):
    assert _id(text, QUESTION) == "no"


@pytest.mark.parametrize("text", ["no sé", "no lo sé", "ni idea", "not sure", "dunno", "o"])
def test_not_sure_words(text):
    assert _id(text, QUESTION) == "skip"


@pytest.mark.parametrize("text,expected", [
    ("hecho", "done"), ("listo", "done"), ("done", "done"), ("ok", "done"), ("ya está", "done"),
    ("saltar", "skip"), ("omitir", "skip"), ("skip", "skip"), ("atrás", "back"), ("volver", "back"),
    ("escalar", "escalate"), ("3", "back"), ("e", "escalate"), ("escalate to support", "escalate"),
])
def test_step_words(text, expected):
    assert _id(text, STEP) == expected


def test_near_roles_and_non_answers():
    assert _id("sí", FIXED) == "fixed" and _id("funciona", FIXED) == "fixed"
    assert _id("no", FIXED) == "not_fixed" and _id("sigue igual", FIXED) == "not_fixed"
    assert _id("9", STEP) is None and _id("0", STEP) is None
    assert _id("s", STEP) == "skip"  # the key wins over the Spanish "s"
    assert _id("me sale 401", STEP) is None
    assert _id("", STEP) is None and _id("yes", []) is None
    lead = leading_answer("sí, solo la newsletter", QUESTION)
    assert lead is not None and lead[0].id == "yes" and lead[1] == "solo la newsletter"
    assert leading_answer("no funciona nada desde ayer", QUESTION) is None or True  # either reading is fine
    assert words_role("listo") is Role.DONE and words_role("me sale 401") is None


@pytest.mark.parametrize("text,choices", [
    ("y donde esta el panel? no lo encuentro", STEP),  # "and where is …": a question, not "yes"/"done"
    ("y si la pagina de estado no dice nada?", STEP),
    ("ya te dije q ayer funcionaba bien", QUESTION),  # "I told you already"
    ("s el log dice otra cosa", QUESTION),  # a key letter answers only alone
    ("paso a paso lo hice todo", QUESTION), ("claro que no funciona", QUESTION),
])
def test_words_that_open_another_sentence_are_not_an_answer(text, choices):
    assert leading_answer(text, choices) is None


@pytest.mark.parametrize("text,expected,rest", [
    ("si!! ya funciona, gracias", "fixed", "ya funciona, gracias"),
    ("ya, lo he hecho con la clave nueva", "done", "lo he hecho con la clave nueva"),
    ("no, solo la newsletter", "not_fixed", "solo la newsletter"),
])
def test_an_answer_set_off_by_punctuation_leads(text, expected, rest):
    lead = leading_answer(text, FIXED if expected != "done" else STEP)
    assert lead is not None and (lead[0].id, lead[1]) == (expected, rest)


@pytest.mark.parametrize("text,expected,rest", [
    ("sip", "yes", None), ("nop", "no", None), ("quizás", "skip", None), ("ni idea la verdad", "skip", "la verdad"),
    ("puede ser, lo desplegaron en un docker nuevo", "skip", "lo desplegaron en un docker nuevo"),
])
def test_everyday_answers_are_understood(text, expected, rest):
    """"sip", "ni idea la verdad" and "puede ser, …" got "answer the question or pick an option"."""
    if rest is None:
        assert _id(text, QUESTION) == expected
    else:
        lead = leading_answer(text, QUESTION)
        assert lead is not None and (lead[0].id, lead[1]) == (expected, rest)


def test_commands():
    assert parse_command("/lang es") == ("lang", "es")
    assert parse_command("  /RESTART ") == ("restart", "")
    assert parse_command("/escalar") == ("escalate", "") and parse_command("/idioma en") == ("lang", "en")
    assert parse_command("/atrás") == ("back", "") and parse_command("/ayuda") == ("help", "")
    assert parse_command("/") is None and parse_command("lang es") is None
    assert parse_command("/v2/verify returns 401") is None


def test_both_languages_have_the_same_keys_and_placeholders():
    es, en = MESSAGES["es"], MESSAGES["en"]
    assert set(es) == set(en)
    fields = lambda s: sorted({f for _, f, _, _ in string.Formatter().parse(s) if f})  # noqa: E731
    for key in es:
        assert fields(es[key]) == fields(en[key]), key
        assert es[key].strip() and en[key].strip(), key


def test_t_falls_back_and_never_raises():
    assert t("opt.yes", "es") == "Sí" and t("opt.yes", "EN_us") == "Yes"
    assert t("no.such.key", "es") == "no.such.key"
    assert t("conv.matched", "en", title="X") == "This looks like: **X**."
    assert t("conv.matched", "en") == "This looks like: **{title}**."  # no placeholder given
    assert t("conv.matched", "en", other="x") == "This looks like: **{title}**."
    assert norm_lang("es_ES.UTF-8") == "es" and norm_lang(None) == "en" and norm_lang("fr") == "en"


def test_one_key_per_role_and_language():
    for lang in ("es", "en"):
        keys = {k: v for k, v in MESSAGES[lang].items() if k.startswith("key.")}
        for key, value in keys.items():
            assert re.fullmatch(r"[a-z0-9]", value), (lang, key)
    # the roles that share a prompt never share a key
    for lang in ("es", "en"):
        k = lambda role: MESSAGES[lang][f"key.{role}"]  # noqa: E731
        for group in (("yes", "no", "skip", "back", "escalate"), ("done", "skip", "back", "escalate"),
                      ("fixed", "not_fixed", "back", "escalate"), ("back", "next_cause", "fixed", "escalate"),
                      ("escalate", "rephrase", "browse", "restart"), ("rephrase", "browse", "handoff")):
            assert len({k(r) for r in group}) == len(group), (lang, group)


def test_every_answer_word_is_written_folded():
    """What is typed is folded (no accents, no punctuation) before it is looked up: a word written
    with an accent ("ajá") could never be found."""
    from copycar_assist.conversation.inputs import WORDS, fold

    assert [w for words in WORDS.values() for w in words if fold(w) != w] == []
