"""Reading typed answers, and the UI strings (both languages, same keys, same placeholders)."""

from __future__ import annotations

import re
import string

import pytest

from copycar_assist.conversation.events import Option
from copycar_assist.conversation.inputs import is_bare_answer, parse_command, pick_option
from copycar_assist.i18n import MESSAGES, norm_lang, t

YES_NO = [Option("yes", "Sí", "s"), Option("no", "No", "n")]
STEP = [Option("done", "Done", "d"), Option("skip", "Skip", "s"), Option("back", "Back", "b"),
        Option("escalate", "Escalate to support", "e")]


@pytest.mark.parametrize("text", ["sí", "si", "Sí.", "yes", "y", "vale", "ok", "OK!", "1", "s"])
def test_yes_words(text):
    assert pick_option(text, YES_NO) == "yes"


@pytest.mark.parametrize("text", ["no", "n", "No.", "2", "NO"])
def test_no_words(text):
    assert pick_option(text, YES_NO) == "no"


def test_numbers_keys_labels_and_descriptions():
    assert pick_option("3", STEP) == "back"
    assert pick_option("9", STEP) is None
    assert pick_option("0", STEP) is None
    assert pick_option("e", STEP) == "escalate"
    assert pick_option("escalate to support", STEP) == "escalate"
    assert pick_option("ok", STEP) == "done"  # a yes word in a step means done
    assert pick_option("s", STEP) == "skip"  # the key wins over the Spanish "s"
    assert pick_option("me sale 401", STEP) is None
    assert pick_option("", STEP) is None and pick_option("yes", []) is None


def test_commands():
    assert parse_command("/lang es") == ("lang", "es")
    assert parse_command("  /RESTART ") == ("restart", "")
    assert parse_command("/") is None and parse_command("lang es") is None
    assert is_bare_answer("Sí!") and is_bare_answer("no") and not is_bare_answer("no funciona")


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
    assert t("conv.matched", "en", title="X") == "This looks like **X**."
    assert t("conv.matched", "en") == "This looks like **{title}**."  # no placeholder given
    assert t("conv.matched", "en", other="x") == "This looks like **{title}**."
    assert norm_lang("es_ES.UTF-8") == "es" and norm_lang(None) == "en" and norm_lang("fr") == "en"


def test_key_hints_are_single_characters():
    for lang in ("es", "en"):
        for key, value in MESSAGES[lang].items():
            if key.startswith("key."):
                assert re.fullmatch(r"[a-z0-9]", value), (lang, key)
