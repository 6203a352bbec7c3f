"""The app in one language at a time, Textual's own words included, and a footer that fits.

At 80×24, in Spanish and English, on every screen: every key the footer shows is there whole
(key and label). In Spanish, none of Textual's English words shows: the palette's placeholder,
the system commands, the key panel, the quit notice, the footer's "palette"."""

from __future__ import annotations

import pytest

from copycar_assist.i18n import t
from copycar_assist.tui.bindings import ACTIONS, readme_table

from fixtures_tui import make_app, screen_rows, screen_text, settle

SCREENS = {"f2": "chat", "f3": "browser", "f4": "doctor", "f5": "monitor"}


def footer_words(app, scope: str) -> list[str]:
    """What the footer must show on the screen of `scope`: "f1 Ayuda", "^p Paleta" …"""
    from textual.binding import Binding

    words = []
    for a in ACTIONS:
        if a.keys and (a.footer or a.name == "palette") and a.scope in ("app", scope):
            first = Binding(a.keys.split(",")[0], a.action, key_display=a.key_display)
            words.append(f"{app.get_key_display(first)} {a.label(app.lang)}")
    return words


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_the_footer_fits_80_columns_on_every_screen(kb, lang):
    app = make_app(kb, lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for key, scope in SCREENS.items():
            await pilot.press(key)  # the doctor and the monitor keep working: no waiting for them
            for _ in range(100):
                await pilot.pause(0.02)
                footer = screen_rows(app)[-1]
                missing = [w for w in footer_words(app, scope) if w not in footer]
                if not missing:
                    break
            assert missing == [], (scope, footer)
            assert len(footer_words(app, scope)) >= 6


ENGLISH = ("Search for commands", "Screenshot", "Maximize", "Keys", "Theme", "Quit", "palette",
           "Do you want to quit", "to quit the app", "Scroll Up", "Move cursor", "Input")


async def test_the_spanish_app_shows_none_of_textuals_english_words(kb):
    app = make_app(kb, lang="es")
    seen: list[str] = []
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        seen.append(screen_text(app))
        assert "^p Paleta" in screen_rows(app)[-1]
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        seen.append(screen_text(app))
        assert t("tx.palette_placeholder", "es") in seen[-1]
        for query in ("captura", "maxim", "tema", "panel de teclas", "salir", "screenshot", "keys", "quit"):
            await pilot.press(*query)
            await settle(app, pilot)
            seen.append(screen_text(app))
            await pilot.press(*["backspace"] * len(query))
        assert "Captura de pantalla" in "\n".join(seen)
        assert "Salir de la aplicación" in "\n".join(seen)
        await pilot.press(*"panel de teclas", "enter")
        await settle(app, pilot)
        seen.append(screen_text(app))
        assert t("tx.group.input", "es").split()[0] in seen[-1] and "Desplazar" in seen[-1]
        app.set_focus(None)  # with the input focused, Ctrl+C copies
        await pilot.press("ctrl+c")
        await settle(app, pilot)
        seen.append(screen_text(app))
        assert t("tx.quit_title", "es") in seen[-1]
    for text in seen:
        for word in ENGLISH:
            assert word not in text, (word, text)


async def test_the_system_commands_are_in_the_apps_language(kb):
    app = make_app(kb, lang="es")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Captura de pantalla" in titles and "Tema…" in titles
        app.lang = "en"
        await settle(app, pilot)
        assert "Screenshot" in [c.title for c in app.get_system_commands(app.screen)]


def test_the_readme_key_table_is_the_registry():
    """README.md's key table is generated from the registry (bindings.readme_table)."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert readme_table() in readme, "regenerate: python -c 'from copycar_assist.tui.bindings import readme_table; print(readme_table())'"


def test_every_bound_key_is_bound_once():
    keys = [k for a in ACTIONS if a.keys for k in a.keys.split(",")]
    scoped = [(a.scope, k) for a in ACTIONS if a.keys for k in a.keys.split(",")]
    assert len(scoped) == len(set(scoped)), keys
