"""The app opens before its knowledge is loaded (it loads it in a thread after the first frame):
the chat says it is loading, in the app's language; what is typed meanwhile is kept and answered
once the knowledge is ready; a screen that shows the knowledge opens when it is loaded; broken
knowledge is shown in the chat with each problem's file and line.

The knowledge is loaded the CLI's way (`Context.load_kb`, the compiled store in a cache of the
test's own); "still loading" is that real load held back until the test lets it go."""

from __future__ import annotations

import shutil
import threading

import pytest

from copycar_assist.cli import build_parser
from copycar_assist.cli.context import Context
from copycar_assist.config import Settings
from copycar_assist.kb import default_dir
from copycar_assist.tui.app import CopyCarApp
from copycar_assist.tui.widgets.chat_input import ChatInput

from fixtures_tui import record_notices, screen_text, settle

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COPYCAR_ASSIST_CACHE", str(tmp_path / "cache"))


def held_back(*argv: str):
    """The CLI context's knowledge loader, made to wait until `gate.set()`; and the gate."""
    ctx = Context(build_parser().parse_args(list(argv)))
    gate = threading.Event()

    def load():
        assert gate.wait(30), "the test never let the knowledge load"
        return ctx.load_kb()

    return load, gate


@pytest.mark.parametrize(("lang", "loading", "kept"), [
    ("en", "Loading the knowledge", "I'll answer as soon as the knowledge is loaded"),
    ("es", "Cargando el conocimiento", "te respondo en cuanto el conocimiento esté cargado"),
])
async def test_what_is_typed_while_the_knowledge_loads_is_answered_once_it_is(lang, loading, kept):
    load, gate = held_back()
    app = CopyCarApp(None, Settings(), load_kb=load, lang=lang)
    notices = record_notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)  # the first frame, the warm-up: the load is waiting at the gate
        chat = app.chat()
        assert not app.kb_ready and chat.conversation is None
        text = screen_text(app)
        assert loading in text  # in the message list and in the input's placeholder
        assert chat.query_one(ChatInput).placeholder.startswith(loading)

        await pilot.press(*"my api key gives 401 unauthorized", "enter")
        await pilot.pause()
        assert chat.query_one(ChatInput).value == ""  # taken: kept for later
        assert any(kept in n for n in notices), notices
        assert chat.conversation is None

        gate.set()
        await settle(app, pilot)
        conv = chat.conversation
        assert app.kb_ready and conv is not None
        assert conv.facts.entry_id == "invalid-api-key"  # the kept text was answered
        assert conv.state == "confirm_symptoms"
        text = screen_text(app)
        assert "my api key gives 401 unauthorized" in text
        assert loading not in text
        assert not chat.query_one(ChatInput).placeholder.startswith(loading)


@pytest.mark.parametrize(("lang", "said"), [("en", "10 of 10 entries read"), ("es", "10 de 10 entradas leídas")])
async def test_a_first_compile_of_the_knowledge_says_how_far_it_is(lang, said):
    ctx = Context(build_parser().parse_args([]))  # the shipped knowledge, compiled into an empty cache
    gate = threading.Event()

    def load():
        kb = ctx.load_kb()
        assert gate.wait(30), "the test never let the knowledge load"
        return kb

    app = CopyCarApp(None, Settings(), load_kb=load, lang=lang)
    ctx.progress = app.knowledge.note_progress  # as `copycar-assist` wires it
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(50):
            await pilot.pause(0.1)
            if said in screen_text(app):
                break
        assert said in screen_text(app) and not app.kb_ready
        gate.set()
        await settle(app, pilot)
        assert app.kb_ready and said not in screen_text(app)


async def test_a_screen_asked_for_while_loading_opens_once_the_knowledge_is_loaded():
    load, gate = held_back()
    app = CopyCarApp(None, Settings(), load_kb=load, lang="en")
    notices = record_notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        await pilot.press("f3")  # the knowledge browser
        await pilot.pause()
        assert app.current_mode == "chat"
        assert any("it opens as soon as it is ready" in n for n in notices), notices
        gate.set()
        await settle(app, pilot)
        assert app.current_mode == "browser"
        assert "Invalid API key" in screen_text(app)


async def test_typing_after_asking_for_a_screen_keeps_the_chat():
    load, gate = held_back()
    app = CopyCarApp(None, Settings(), load_kb=load, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        await pilot.press("f3", *"my api key gives 401", "enter")  # the latest request wins
        await pilot.pause()
        gate.set()
        await settle(app, pilot)
        assert app.current_mode == "chat"
        assert app.chat().conversation.facts.entry_id == "invalid-api-key"


def broken_knowledge(tmp_path):
    """A copy of the shipped knowledge whose API-key entry has a line that is not TOML."""
    folder = tmp_path / "kb"
    shutil.copytree(default_dir(), folder)
    entry = folder / "invalid-api-key.md"
    lines = entry.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(3, "this line is not toml\n")
    entry.write_text("".join(lines), encoding="utf-8")
    return folder


async def test_broken_knowledge_is_shown_in_the_chat_with_its_file_and_line(tmp_path):
    folder = broken_knowledge(tmp_path)
    ctx = Context(build_parser().parse_args(["--kb", str(folder)]))
    app = CopyCarApp(None, Settings(), load_kb=ctx.load_kb, lang="en")
    notices = record_notices(app)
    async with app.run_test(size=(200, 40)) as pilot:
        for _ in range(300):
            if app.knowledge.problem is not None:
                break
            await pilot.pause(0.02)
        await settle(app, pilot, 0.1)
        assert "invalid-api-key.md:4:" in (app.knowledge.problem or "")
        text = screen_text(app)
        assert "The knowledge base has problems and cannot be used" in text
        assert "invalid-api-key.md:4:" in text  # the file and the line, on screen
        assert "Loading the knowledge" not in text
        assert app.chat().query_one(ChatInput).placeholder.startswith("The knowledge base has problems")

        await pilot.press(*"my api key gives 401", "enter")  # nothing to answer with: said so
        await pilot.pause()
        assert any("The knowledge base has problems" in n for n in notices), notices
        await pilot.press("f3")  # the browser cannot show broken knowledge: the chat stays
        await pilot.pause()
        assert app.current_mode == "chat"
        assert app.chat().conversation is None

        await pilot.press("ctrl+l")  # the problems are said in the other language too
        await pilot.pause()
        text = screen_text(app)
        assert "La base de conocimiento tiene problemas" in text
        assert "invalid-api-key.md:4:" in text


async def test_the_first_frame_parses_the_stylesheets_once_in_the_apps_theme(monkeypatch):
    from textual.app import App
    from textual.color import Color

    from copycar_assist.tui.screens.chat import ChatScreen
    from copycar_assist.tui.themes import DARK, LIGHT

    refreshes = []
    refresh_css = App.refresh_css

    def counted(self, *args, **kwargs):
        refreshes.append(type(self).__name__)
        return refresh_css(self, *args, **kwargs)

    monkeypatch.setattr(App, "refresh_css", counted)
    load, gate = held_back()
    app = CopyCarApp(None, Settings(), load_kb=load, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        # a MODES screen opened first, or a theme set after Textual made the stylesheet, would
        # re-parse every stylesheet before the first frame
        assert refreshes == []
        assert isinstance(app.screen, ChatScreen) and app.current_mode == "chat"
        assert app.screen.styles.background == Color.parse(DARK.background)
        gate.set()
        await settle(app, pilot)
        await pilot.press("f3")  # the other modes, and back to the chat, still switch
        await pilot.pause()
        assert app.current_mode == "browser"
        await pilot.press("f2")
        await pilot.pause()
        assert app.current_mode == "chat" and isinstance(app.screen, ChatScreen)
        app.action_toggle_theme()
        await pilot.pause()
        assert app.screen.styles.background == Color.parse(LIGHT.background)
