"""No markup anywhere Textual parses strings: a knowledge base whose entry, cause, category, step
and check titles hold `[@click=app.quit]`, `[@click=app.screenshot()]` and a lone `[/]` is shown
literally by every widget that shows them — the command palette (its hits and help), the
browser's tree and document, the chat's suggestions and choice buttons, the doctor's table and
detail — and clicking on them runs nothing. The first version's palette quit the app on click
and crashed with MarkupError on `[/]`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from copycar_assist.kb import default_dir, load_knowledge
from copycar_assist.tui.widgets.area_tree import AreaTree

from fixtures_tui import make_app, screen_text, settle

QUIT = "[@click=app.quit]QUIT[/]"
SHOT = "[@click=app.screenshot()]SHOT[/]"
HOSTILE = f"{QUIT} {SHOT} [/] [b]bold?"
SIZE = (140, 40)


@pytest.fixture
def hostile_kb(tmp_path):
    root = tmp_path / "kb"
    shutil.copytree(default_dir(), root)
    title = json.dumps(f"Key {HOSTILE}")  # a TOML basic string is written like a JSON one
    entry = root / "invalid-api-key.md"
    text = entry.read_text()
    text = text.replace('es = "API key inválida"', f"es = {title}", 1).replace('en = "Invalid API key"', f"en = {title}", 1)
    text = text.replace("— The key is not right", f"— The key is not right {HOSTILE}", 1)
    text = text.replace("### Symptoms\n\n- ", f"### Symptoms\n\n- {HOSTILE} ", 1)
    entry.write_text(text)
    cats = root / "categories.toml"
    cats.write_text(cats.read_text().replace('en = "Connection and authentication"', f"en = {title}", 1))
    checks = root / "checks.toml"
    text = checks.read_text()
    start = text.index('[checks."api.verify"]')
    at = text.index("title = {", start)
    end = text.index("}", at)
    checks.write_text(text[:at] + f"title = {{ es = {title}, en = {title} }}" + text[end + 1:])
    return load_knowledge(root)


async def click_on(app, pilot, needle: str) -> int:
    """Click on every row showing `needle`, at the first character of the `[@click=` in it."""
    clicks = 0
    for y, line in enumerate(screen_text(app).splitlines()):
        x = line.find(needle)
        if x >= 0:
            await pilot.click(offset=(x + 1, y))
            await pilot.pause()
            clicks += 1
    return clicks


def still_running(app, before: set[Path], folder: Path) -> None:
    assert app.is_running and app.return_code is None
    assert set(folder.rglob("*.svg")) == before  # app.screenshot never ran


async def test_hostile_titles_are_text_everywhere(hostile_kb, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.rglob("*.svg"))
    app = make_app(hostile_kb, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)

        # the command palette: every hit listed (discovery), then a search
        await pilot.press("ctrl+p")
        await settle(app, pilot, 0.3)
        await pilot.press(*"Key")
        await settle(app, pilot, 0.5)
        assert QUIT in screen_text(app) and SHOT in screen_text(app)
        assert await click_on(app, pilot, "[@click=app.quit]") >= 1
        await settle(app, pilot)
        still_running(app, before, tmp_path)
        if app.screen.id != "_default" and "CommandPalette" in type(app.screen).__name__:
            await pilot.press("escape")
            await settle(app, pilot)

        # the chat: suggestions while typing, then the choices of the matched entry
        await pilot.press(*"invalid api key 401")
        await settle(app, pilot, 0.5)
        assert QUIT in screen_text(app)
        await click_on(app, pilot, "[@click=app.quit]")
        still_running(app, before, tmp_path)
        await pilot.press("enter")
        await settle(app, pilot)
        assert QUIT in screen_text(app)
        await click_on(app, pilot, "[@click=app.quit]")
        still_running(app, before, tmp_path)

        # the knowledge browser: tree labels and the entry's document
        await pilot.press("f3")
        await settle(app, pilot)
        assert QUIT in screen_text(app)
        await click_on(app, pilot, "[@click=app.quit]")
        await settle(app, pilot)
        still_running(app, before, tmp_path)

        # the doctor: the check's title in the table and in the detail
        await pilot.press("f4")
        await settle(app, pilot)
        table = app.screen.query_one(AreaTree)
        table.show_check("api.verify")
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        assert QUIT in screen_text(app)
        await click_on(app, pilot, "[@click=app.quit]")
        still_running(app, before, tmp_path)


def test_the_apps_own_strings_hold_no_markup():
    """Binding and footer descriptions, the header's title, placeholders and notices are plain
    strings Textual may parse: none of ours contains markup, so each renders as written."""
    from textual.content import Content

    from copycar_assist.i18n import MESSAGES

    for lang, texts in MESSAGES.items():
        for key, text in texts.items():
            if key.startswith(("ui.", "tx.")):
                assert Content.from_markup(text).plain == text, (key, lang)
