"""Settings problems in the UI's language: the English text is what it has always been (a golden
file written from main before the messages moved to the catalogue), the Spanish one is Spanish, and
every front end shows them in its language: the command line (`--lang`, else the broken file's own
`language` when that line is valid, else the environment), `config set`, the set-up wizard, the
app's set-up and case screens."""

from __future__ import annotations

import json

import pytest
from fixtures_config import CLI_RUNS, GOLDEN, SECRET, english, problems, run_cli, shown

from copycar_assist.config import ConfigError
from copycar_assist.config_schema import Invalid
from copycar_assist.files.read import ReadError

BEFORE: dict[str, str] = json.loads(GOLDEN.read_text(encoding="utf-8"))
# the reason of a TOML syntax error is tomli's sentence, in English until files/toml.py gives it keys
# (shown in Spanish through `ReadError.message`, whatever it says)
TOMLI = {name for name in BEFORE if name.startswith("toml_") and name != "toml_deep"} | {"cli_show_toml"}


@pytest.fixture(scope="module")
def raised(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cfg")
    return tmp, problems(tmp)


def spanish(exc: Exception) -> str:
    assert isinstance(exc, (ConfigError, Invalid)), exc
    return exc.message("es")


def test_every_rule_of_the_golden_file_is_still_broken(raised):
    tmp, found = raised
    assert set(BEFORE) == set(found) | set(CLI_RUNS)


def test_english_is_byte_identical_to_main(raised):
    tmp, found = raised
    now = {name: shown(exc, tmp) for name, exc in found.items()}
    assert {k: v for k, v in now.items() if v != BEFORE[k]} == {}
    # message("en") is str()
    assert [n for n, exc in found.items() if exc.message("en") != str(exc)] == []  # type: ignore[attr-defined]


def test_english_through_the_real_cli_is_byte_identical(tmp_path):
    changed = {}
    for name in CLI_RUNS:
        got = run_cli(tmp_path, name, "en")
        if got != BEFORE[name]:
            changed[name] = (BEFORE[name], got)
    assert changed == {}


def test_spanish_is_spanish_for_every_rule(raised):
    tmp, found = raised
    same, bare = [], []
    for name, exc in found.items():
        es = spanish(exc)
        if es == str(exc) and name not in TOMLI:
            same.append(name)
        if "config." in es or "file." in es:
            bare.append((name, es))
    assert same == [] and bare == []
    for exc in found.values():  # no value is ever quoted, in either language
        assert SECRET[:12] not in spanish(exc) and SECRET[-12:] not in spanish(exc)


def test_spanish_examples(raised):
    tmp, found = raised
    es = {name: spanish(exc).replace(str(tmp), "<tmp>") for name, exc in found.items()}
    assert es["seconds_type"] == ("<tmp>/broken/seconds_type.toml:3:13: [api] timeout_s: se esperaba un número de "
                                  "segundos (0 < s <= 600), pero es un texto")
    assert es["urls_item"].endswith("[api] endpoints: elemento 2: se esperaba una URL http:// o https:// con un host")
    assert es["unknown_key_close"].endswith("[api] kee: clave desconocida (¿querías decir 'key'?)")
    assert es["env_base_url"] == "entorno: COPYCAR_BASE_URL: se esperaba una URL http:// o https:// con un host"
    assert es["shared"].endswith("otros usuarios pueden leerlo o escribirlo (modo 0644); guarda secretos: "
                                 "ejecuta `chmod 600` sobre él")
    assert es["set_int"] == "se esperaba un número entero"
    assert es["setup_port"] == "<configuración guiada>: [smtp] port: se esperaba un número entero"
    assert es["several"].count("\n") == 2 and "pero es un texto" in es["several"]


def test_a_toml_syntax_error_is_shown_as_the_reader_says_it(raised):
    """The settings do not word a syntax error themselves: `ReadError.message(lang)` does."""
    tmp, found = raised
    from copycar_assist.files.read import SETTINGS, read_toml

    for name in sorted(TOMLI - {"cli_show_toml"}):
        path = tmp / "broken" / f"{name}.toml"
        with pytest.raises(ReadError) as read:
            read_toml(path, SETTINGS)
        for lang in ("es", "en"):
            assert found[name].message(lang) == read.value.message(lang)  # type: ignore[attr-defined]


def test_the_cli_speaks_spanish_when_asked(tmp_path):
    """`--lang es` (or the file's own `language = "es"`) turns every settings error into Spanish."""
    out = run_cli(tmp_path, "cli_show", "es")
    assert out == ("copycar-assist: error: <tmp>/cli/cli_show.toml:3:13: [api] timeout_s: se esperaba un número "
                   "de segundos (0 < s <= 600), pero es un texto\n")
    assert run_cli(tmp_path, "cli_show", None) == out  # the file says language = "es"
    out = run_cli(tmp_path, "cli_doctor", "es")
    assert out.startswith("copycar-assist: error: la configuración tiene problemas:\n") and "pero es un texto" in out
    out = run_cli(tmp_path, "cli_set_value", "es")
    assert out == "copycar-assist: error: smtp.port: se esperaba un número entero\n"
    out = run_cli(tmp_path, "cli_set", "es")
    assert "pero es un texto" in out


def test_settings_without_a_language_of_their_own_follow_the_environment(tmp_path):
    """A broken file that sets no `language` (or cannot be parsed, so none can be read): --lang,
    else LC_ALL / LC_MESSAGES / LANG."""
    english_out = run_cli(tmp_path, "cli_show_several", None)
    assert "expected a port number" in english_out
    spanish_out = run_cli(tmp_path, "cli_show_several", None, {"LANG": "es_ES.UTF-8"})
    assert "se esperaba un número de puerto" in spanish_out
    assert "se esperaba" in run_cli(tmp_path, "cli_show_several", "es", {"LANG": "en_US.UTF-8"})
    # a file that does not parse has no language of its own: the environment's
    assert run_cli(tmp_path, "cli_show_toml", None, {"LANG": "en_US.UTF-8"}) == BEFORE["cli_show_toml"]


def test_the_golden_file_is_what_the_fixture_writes(tmp_path):
    """`english()` (what `python tests/fixtures_config.py` writes) agrees with the golden file."""
    assert english(tmp_path) == BEFORE


# --- the app: the set-up and case screens say a refused value in the app's language ---------------


async def _status_after(app, pilot, typed: dict[str, str], button: str) -> str:
    """Type into the screen's fields, press its button, and return the screen once it shows a ✗."""
    from textual.widgets import Input

    from fixtures_tui import screen_text, settle

    await settle(app, pilot)
    for wid, text in typed.items():
        widget = app.screen.query_one(f"#{wid}", Input)
        widget.value = ""
        widget.focus()
        widget.scroll_visible(animate=False)
        await pilot.pause()
        await pilot.press(*text)
    await pilot.click(f"#{button}")
    await settle(app, pilot)
    for _ in range(100):
        if "✗" in screen_text(app):
            break
        await pilot.pause(0.02)
    return screen_text(app)


@pytest.mark.parametrize(("lang", "expected"), [
    ("es", "✗ <configuración guiada>: [smtp] port: se esperaba un número entero"),
    ("en", "✗ <setup>: [smtp] port: expected a whole number"),
])
async def test_the_setup_screen_refuses_a_value_in_the_apps_language(kb, lang, expected):
    from fixtures_tui import make_app

    app = make_app(kb, lang=lang)
    async with app.run_test(size=(110, 50)) as pilot:
        app.action_setup("smtp")
        text = await _status_after(app, pilot, {"setup-smtp-port": "abc"}, "setup-verify")
        assert expected in text


@pytest.mark.parametrize(("lang", "expected"), [
    ("es", "✗ <caso>: [smtp] port: se esperaba un número de puerto entre 1 y 65535, pero es un texto"),
    ("en", "✗ <case>: [smtp] port: expected a port number 1-65535, got a string"),
])
async def test_the_case_screen_refuses_a_value_in_the_apps_language(kb, lang, expected):
    from fixtures_tui import make_app

    app = make_app(kb, lang=lang)
    async with app.run_test(size=(110, 60)) as pilot:
        app.action_case()
        text = await _status_after(app, pilot, {"case-name": "Acme", "case-smtp-port": "abc"}, "case-open")
        assert expected in text and app.case is None


def test_the_line_mode_setup_refuses_a_value_in_spanish(tmp_path, monkeypatch, capsys):
    import io
    import sys

    from copycar_assist.cli import main

    monkeypatch.setenv("COPYCAR_ASSIST_CONFIG", str(tmp_path / "conf" / "config.toml"))
    monkeypatch.setattr(sys, "stdin", io.StringIO("ftp://nowhere.example\nsk-whatever-0000\nn\n"))
    code = main(["--lang", "es", "setup", "--only", "api"])
    out = capsys.readouterr()
    text = out.out + out.err
    assert "✗ <configuración guiada>: [api] base_url: se esperaba una URL http:// o https:// con un host" in text
    assert "sk-whatever" not in text and code == 1
