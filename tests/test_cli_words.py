"""The command line's own words — help, argparse's errors, usage errors, messages — are in the
user's language: `--lang`, else the settings' `language`, else LC_ALL/LC_MESSAGES/LANG; English is
unchanged. Commands run in-process (`cli.main`) with the test's own settings file."""

from __future__ import annotations

import argparse
import io
import json
import re

import pytest

from copycar_assist.cli import build_parser, main
from copycar_assist.cli.words import asked_in, choose, from_environment
from copycar_assist.i18n import MESSAGES

KEY_LEFT = re.compile(r"\bcli\.[a-z_]+\.")


def run(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's --help and its errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def settings_file(tmp_path, monkeypatch):
    def write(text: str):
        path = tmp_path / "config.toml"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
        monkeypatch.setenv("COPYCAR_ASSIST_CONFIG", str(path))
        return path
    return write


def test_the_rule_is_lang_then_settings_then_environment(monkeypatch):
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "es_ES.UTF-8")
    assert choose("en", lambda: "es") == "en" and choose(None, lambda: "en") == "en"
    assert choose(None, lambda: None) == "es"
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert choose(None, lambda: None) == "en" and choose(None, lambda: "es") == "es"
    asked: list[str] = []
    assert choose("es", lambda: asked.append("settings") or None) == "es" and asked == []  # not read when asked
    assert from_environment({"LC_ALL": "es_MX", "LANG": "en_US"}) == "es"
    assert from_environment({"LC_MESSAGES": "en_GB", "LANG": "es_ES"}) == "en"
    assert from_environment({}) == "en"
    assert asked_in(["--lang", "es", "doctor", "--lang", "fr"]) == "es"  # the last valid one
    assert asked_in(["doctor", "--lang=es"]) == "es" and asked_in(["match", "--", "--lang", "es"]) is None


@pytest.mark.parametrize(("argv", "env", "settings", "lang"), [
    (["--help"], "C.UTF-8", None, "en"),
    (["--lang", "es", "--help"], "C.UTF-8", None, "es"),
    (["config", "set", "--help"], "es_ES.UTF-8", None, "es"),
    (["sessions", "list", "--help"], "C.UTF-8", 'language = "es"\n', "es"),
    (["tickets", "send", "--lang", "en", "--help"], "es_ES.UTF-8", 'language = "es"\n', "en"),
])
def test_help_follows_the_user(argv, env, settings, lang, capsys, monkeypatch, settings_file):
    monkeypatch.setenv("LANG", env)
    if settings:
        settings_file(settings)
    code, out, _ = run(argv, capsys)
    assert code == 0 and not KEY_LEFT.search(out)
    if lang == "es":
        assert out.startswith("uso: ") and "mostrar esta ayuda y salir" in out and "show this help" not in out
    else:
        assert out.startswith("usage: ") and "show this help message and exit" in out and "mostrar" not in out


@pytest.mark.parametrize(("argv", "spanish"), [
    (["kb", "list"], "No llegan los emails de alerta"),
    (["kb", "show", "invalid-api-key"], "Categoría:"),
    (["simulate", "--list"], "Todo funciona: la API"),
    (["train", "--stats"], "Aún no hay progreso"),
])
def test_every_command_speaks_the_settings_language(argv, spanish, capsys, monkeypatch, settings_file):
    """`language = "es"` in the settings: these four spoke English whatever the settings said."""
    monkeypatch.setenv("LANG", "C.UTF-8")
    settings_file('language = "es"\n')
    code, out, _ = run(argv, capsys)
    assert code == 0 and spanish in out, out


def _help_pages(parser: argparse.ArgumentParser, words: list[str]):
    """(argv, [help keys]) of `parser` and of every sub-command under it."""
    keys = [a.help for a in parser._actions if a.help and a.help != argparse.SUPPRESS]
    yield [*words, "--help"], [k for k in keys if k.startswith("cli.")] + ([parser.description] if parser.description else [])
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _help_pages(sub, [*words, name])


def test_every_help_page_says_every_line_in_spanish_and_in_english(capsys, monkeypatch):
    monkeypatch.setenv("LANG", "C.UTF-8")
    pages = list(_help_pages(build_parser(), []))
    assert len(pages) > 25
    for argv, keys in pages:
        for lang in ("en", "es"):
            code, out, _ = run(["--lang", lang, *argv], capsys)
            flat = " ".join(out.split())
            assert code == 0 and not KEY_LEFT.search(out), (argv, lang)
            for key in keys:
                text = MESSAGES[lang][key]
                if "%(" not in text and "{" not in text:
                    assert " ".join(text.split()) in flat, (argv, lang, key)


def test_argparse_errors_in_spanish_and_unchanged_in_english(capsys, monkeypatch):
    monkeypatch.setenv("LANG", "C.UTF-8")
    code, _, err = run(["--lang", "es", "config"], capsys)
    assert code == 3 and "uso: copycar-assist config" in err and "error: faltan estos argumentos: ACTION" in err
    code, _, err = run(["--lang", "es", "match", "--limit", "x", "y"], capsys)
    assert code == 3 and "argumento --limit: valor int no válido: 'x'" in err
    code, _, err = run(["--lang", "es", "sessions", "list", "--since", "ayer"], capsys)
    assert code == 3 and "argumento --since: se esperaba YYYY-MM-DD" in err
    code, _, err = run(["config"], capsys)
    assert code == 3 and "copycar-assist config: error: the following arguments are required: ACTION" in err
    code, _, err = run(["bogus"], capsys)
    assert code == 3 and "argument COMMAND: invalid choice: 'bogus' (choose from 'kb'," in err


def test_config_sessions_and_tickets_speak_spanish(capsys, monkeypatch, settings_file):
    monkeypatch.setenv("LANG", "es_ES.UTF-8")
    settings_file("[smtp]\nport = 465\n")
    assert run(["config", "set", "smtp.prot", "1"], capsys)[2] == (
        "copycar-assist: error: smtp.prot: ajuste desconocido (¿querías decir 'smtp.port'?)\n")
    code, out, _ = run(["config", "show"], capsys)
    assert code == 0 and "465  (archivo)" in out and "(por defecto)" in out
    code, out, _ = run(["config", "unset", "smtp.port"], capsys)
    assert code == 0 and out.startswith("smtp.port quitado (")
    code, out, _ = run(["sessions"], capsys)
    assert code == 0 and out.startswith("No hay conversaciones guardadas en ")
    assert run(["sessions", "show", "nope"], capsys)[2].startswith(
        "copycar-assist: error: no hay ninguna conversación guardada 'nope'")
    assert run(["tickets", "list"], capsys)[1] == "La bandeja de salida está vacía.\n"
    assert run(["--lang", "en", "tickets", "list"], capsys)[1] == "The outbox is empty.\n"
    # what the outbox reports (no destination set up) is said in the same language
    assert "copycar-assist: no hay ningún destino configurado: mira [helpdesk]" in run(["tickets", "send"], capsys)[2]
    assert "copycar-assist: no destination is configured: see [helpdesk]" in run(["--lang", "en", "tickets", "send"], capsys)[2]


def test_broken_settings_choose_by_their_own_valid_language_line(capsys, monkeypatch, settings_file):
    """A wrong port does not hide the `language` the user wrote: it is used (after --lang)."""
    settings_file('language = "en"\n[smtp]\nport = "abc"\n')
    monkeypatch.setenv("LANG", "es_ES.UTF-8")
    code, _, err = run(["doctor"], capsys)
    assert code == 3 and err.startswith("copycar-assist: error: the settings have problems:\n")
    assert err.endswith("[smtp] port: expected a port number 1-65535, got a string\n")
    err = run(["--lang", "es", "doctor"], capsys)[2]
    assert err.endswith("[smtp] port: se esperaba un número de puerto entre 1 y 65535, pero es un texto\n")


def test_broken_settings_without_a_valid_language_leave_the_choice_to_the_environment(capsys, monkeypatch,
                                                                                      settings_file):
    for text in ('language = "fr"\n[smtp]\nport = "abc"\n', '[smtp]\nport = "abc"\n', 'language = "en"\n[smtp\n'):
        settings_file(text)
        monkeypatch.setenv("LANG", "es_ES.UTF-8")
        code, _, err = run(["doctor"], capsys)
        assert code == 3 and err.startswith("copycar-assist: error: la configuración tiene problemas:\n"), text
        monkeypatch.setenv("LANG", "C.UTF-8")
        assert run(["doctor"], capsys)[2].startswith("copycar-assist: error: the settings have problems:\n")


def test_a_bad_json_line_is_an_error_event_in_the_conversations_language(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO('{"nope": 1}\nnot json\n'))
    code, out, _ = run(["--lang", "es", "chat", "--json", "--no-history"], capsys)
    errors = [e["message"] for e in map(json.loads, out.splitlines()) if e["type"] == "error"]
    assert code == 0 and errors == ['línea 1: se esperaba {"text": "..."} o {"choose": "<id>"}',
                                    "línea 2: no es JSON (Expecting value)"]


@pytest.mark.parametrize(("argv", "spanish"), [
    (["--lang", "es", "--demo", "--scenario", "nope", "doctor"], "no hay ningún escenario 'nope'"),
    (["--lang", "es", "doctor", "--prompt-file", "/nonexistent/prompt.txt"], "/nonexistent/prompt.txt: no existe"),
    (["--lang", "es", "match", "  "], "no hay nada que buscar"),
])
def test_a_usage_error_is_said_in_the_users_language(argv, spanish, capsys, monkeypatch):
    """They were English whatever the language ("unknown scenario", "does not exist"), and an empty
    `match` answered "(no confident match)" with exit 0."""
    monkeypatch.setenv("LANG", "C.UTF-8")
    code, _, err = run(argv, capsys)
    assert code == 3 and spanish in err, err


def test_the_demo_material_and_the_alert_channels_are_said_in_spanish(capsys, monkeypatch):
    from copycar_assist.kb import load_knowledge
    from copycar_assist.matching import Matcher

    code, _, err = run(["--lang", "es", "--demo", "doctor", "--only", "content", "--no-history"], capsys)
    assert "material de ejemplo: prompt, cuentas" in err and "account" not in err
    answer = Matcher(load_knowledge()).match("¿a quién se avisa cuando un ticket es crítico?").answer
    assert answer is not None and answer["text"].endswith("se avisa por correo, SMS y teléfono.")
