"""The one i18n catalogue (copycar_assist/i18n/es.py + en.py): the same keys in both languages,
the same placeholders, and no key that nothing uses.

A key counts as used when the code holds it as a string, or builds it from an f-string prefix
(`f"key.{role}"`). The action registry's keys (`ui.key.*`, `ui.cmd.*`, `ui.help.*`, `ui.keys.*`) count
only for the registry's own rows, and Textual's binding words (`tx.bind.*`) only for a binding that
one of the widgets the app uses really has."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from copycar_assist.i18n import MESSAGES
from copycar_assist.tui import bindings as registry

ROOT = Path(__file__).resolve().parent.parent / "copycar_assist"
REGISTRY_PREFIXES = ("ui.key.", "ui.cmd.", "ui.help.", "ui.keys.")
KEY_PREFIX = re.compile(r"^[a-z][a-z_]*(\.[a-z_]+)*\.[a-z_]*$")  # "key.", "conv.cause_": a built key's start


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _code_strings() -> tuple[set[str], set[str]]:
    """Every string constant in the package, and every f-string's literal prefix."""
    literals: set[str] = set()
    prefixes: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if path.parent.name == "i18n" and path.name != "__init__.py":  # the catalogues, not the code reading them
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                prefixes.add(str(node.values[0].value))
            elif (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)
                  and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)):
                prefixes.add(node.left.value)
    return literals, {p for p in prefixes if KEY_PREFIX.match(p)}


def _registry_keys() -> set[str]:
    keys = set()
    for a in registry.ACTIONS:
        if a.keys:
            keys.add(f"ui.key.{a.name}")
        if a.palette:
            keys.add(f"ui.cmd.{a.name}")
        if a.help:
            keys.add(f"ui.help.{a.name}")
            keys.add(f"ui.keys.{a.name}")
    keys |= {f"ui.help.{section}" for section in registry.HELP_SECTIONS}
    return keys


def _textual_binding_keys() -> set[str]:
    """`tx.bind.*` keys of the bindings of the Textual widgets and containers the app shows."""
    from textual import containers, widgets
    from textual.binding import Binding
    from textual.screen import Screen

    keys = set()
    for cls in (widgets.Input, widgets.DataTable, widgets.Tree, widgets.Button, widgets.Select,
                containers.VerticalScroll, Screen):
        for klass in cls.__mro__:
            for b in klass.__dict__.get("BINDINGS", []):
                b = b if isinstance(b, Binding) else Binding(*b)
                if b.description:
                    keys.add(registry.textual_key(b.action))
    return keys


def test_both_languages_have_the_same_keys():
    es, en = MESSAGES["es"], MESSAGES["en"]
    assert sorted(set(es) - set(en)) == [] and sorted(set(en) - set(es)) == []


def test_placeholders_match_between_languages():
    wrong = {k: (_fields(MESSAGES["es"][k]), _fields(MESSAGES["en"][k]))
             for k in MESSAGES["en"] if _fields(MESSAGES["es"][k]) != _fields(MESSAGES["en"][k])}
    assert wrong == {}


def test_no_string_is_empty_or_untranslated_markup():
    for lang in ("es", "en"):
        assert [k for k, v in MESSAGES[lang].items() if not v.strip()] == [], lang


def test_each_language_quotes_its_own_way():
    """Spanish quotes with «», English with “” (what the user said, a title): never the other's."""
    assert [k for k, v in MESSAGES["en"].items() if "«" in v or "»" in v] == []
    assert [k for k, v in MESSAGES["es"].items() if "“" in v or "”" in v] == []


def test_every_key_is_used():
    literals, prefixes = _code_strings()
    registry_keys, textual_keys = _registry_keys(), _textual_binding_keys()
    unused = []
    for key in MESSAGES["en"]:
        if key.endswith(".one") and key.removesuffix(".one") in MESSAGES["en"]:
            key = key.removesuffix(".one")  # the word for one (`count_of`): used where its word is
        if key in literals:
            continue
        if key.startswith(REGISTRY_PREFIXES) and key in registry_keys:
            continue
        if key.startswith("tx.bind."):
            if key not in textual_keys:
                unused.append(key)
            continue
        if key.startswith(REGISTRY_PREFIXES):
            unused.append(key)
            continue
        if not any(key.startswith(p) for p in prefixes):
            unused.append(key)
    assert unused == []


def test_every_registry_row_has_its_words():
    en = MESSAGES["en"]
    missing = sorted(k for k in _registry_keys() if k not in en and not k.startswith("ui.keys."))
    assert missing == []
    # a row the help lists has its key's words: its bound key, or `ui.keys.NAME`
    assert [a.name for a in registry.ACTIONS if a.help and not a.keys and f"ui.keys.{a.name}" not in en] == []


def test_textual_bindings_the_app_shows_all_have_words():
    assert sorted(_textual_binding_keys() - set(MESSAGES["en"])) == []


def test_no_placeholder_shadows_an_argument_of_t():
    """`t(key, lang, **params)`: a `{key}` or `{lang}` placeholder could never be filled."""
    assert [k for k, v in MESSAGES["en"].items() if _fields(v) & {"key", "lang"}] == []


def test_counts_agree_with_their_number_in_both_languages():
    """"1 hechos", "1 fallos", "1 correctas": the word for one where a count can be one."""
    from copycar_assist.i18n import count_of, status_change, status_counts

    assert count_of(1, "cli.doctor.count.fail", "es") == "1 fallida"
    assert count_of(2, "cli.doctor.count.fail", "es") == "2 fallidas"
    assert count_of(1, "ticket.steps_done", "es") == "1 hecho" and count_of(0, "ticket.steps_skipped", "es") == "0 omitidos"
    assert count_of(1, "cli.doctor.count.warn", "en") == "1 warning"
    every = ("pass", "warn", "fail", "error", "skipped")
    assert status_counts({"pass": 1, "skipped": 3}, "es", every) == \
        "1 correcta · 0 avisos · 0 fallidas · 0 errores · 3 omitidas"
    assert status_counts({"pass": 15, "skipped": 1, "fail": 2}, "es") == "15 correctas · 2 fallidas · 1 omitida"
    assert status_change("pass", "fail", "es") == "correcto → fallo"  # never the raw "pass → fail"
    for key in [k for k in MESSAGES["en"] if k.endswith(".one") and k.removesuffix(".one") in MESSAGES["en"]]:
        assert key in MESSAGES["es"], key
