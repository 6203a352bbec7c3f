"""Untrusted text in the app is inert: no markup, no actions, no terminal escapes; pastes capped;
a crash prints no secret (RELIABILITY.md, Textual section)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from textual import events

from copycar_assist.config import Settings
from copycar_assist.redact import Secret
from copycar_assist.tui.widgets.area_tree import AreaTree
from copycar_assist.tui.widgets.chat_input import PASTE_LIMIT, ChatInput
from copycar_assist.tui.widgets.message_list import MessageList

from fixtures_tui import make_app, record_notices, screen_controls, screen_text, settle

ROOT = Path(__file__).resolve().parents[1]
MARKUP = ["[@click=app.toggle_theme]click me[/]", "[/bold]", "[b]bold?", "[@click=app.quit]quit[/]"]
ESCAPES = ["\x1b]52;c;Y2FuYXJ5\x07", "\x1b]8;;http://x\x07link\x1b]8;;\x07", "\x1b[2J", "\x9b31m", "\u202eevil"]


async def click_everywhere_with(app, pilot, needle: str) -> None:
    """Click on every screen row that shows `needle`, at its first character."""
    for y, line in enumerate(screen_text(app).splitlines()):
        x = line.find(needle)
        if x >= 0:
            await pilot.click(offset=(x + 1, y))
            await pilot.pause()


async def test_markup_typed_by_the_user_is_shown_as_text_and_runs_nothing(kb):
    app = make_app(kb, lang="en")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        theme = app.theme
        for payload in MARKUP:
            await pilot.press(*payload, "enter")
            await settle(app, pilot)
        text = screen_text(app)
        for payload in MARKUP:
            assert payload in text, payload  # shown literally (the user's bubble)
        await click_everywhere_with(app, pilot, "[@click=")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.is_running and app.return_code is None
        assert app.theme == theme  # the toggle_theme action never ran


async def test_escape_sequences_are_stripped_from_messages(kb):
    app = make_app(kb, lang="en")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        messages = app.screen.query_one(MessageList)
        for payload in ESCAPES:
            await messages.add_user(f"before {payload} after")
            await messages.add_assistant(f"said {payload} after", markdown=False)
            await messages.add_assistant(f"md {payload} after", markdown=True)
        await settle(app, pilot)
        assert screen_controls(app) == set()
        # no live hyperlink made it into the rendered segments
        from textual.geometry import Region

        for widget in app.screen.query("*"):
            for strip in widget.render_lines(Region(0, 0, widget.size.width, widget.size.height)):
                for segment in strip:
                    assert not (segment.style and segment.style.link), segment


async def test_paste_is_cleaned_joined_and_capped(kb):
    app = make_app(kb, lang="en")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        chat_input = app.screen.query_one(ChatInput)
        notices = record_notices(app)
        huge = "line one\x1b]52;c;Y2FuYXJ5\x07 line two [b] " + "x" * 50_000
        chat_input.post_message(events.Paste(huge))
        await settle(app, pilot)
        assert len(chat_input.value) == PASTE_LIMIT
        assert chat_input.value.startswith("line one line two [b] x")
        assert "\x1b" not in chat_input.value and "\x07" not in chat_input.value
        assert any("10,000" in n for n in notices)
        await pilot.press("enter")  # a capped paste still goes through, quickly
        await settle(app, pilot)
        assert app.chat().conversation.facts.descriptions or app.chat().conversation.state


async def test_several_pasted_lines_are_sent_with_their_lines(kb):
    """A log, an e-mail with its headers or a traceback keeps its lines (they were joined into one,
    and the log check then read a single line: "0 of 1 lines"), after what was typed before it."""
    app = make_app(kb, lang="en")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        chat_input = app.screen.query_one(ChatInput)
        notices = record_notices(app)
        await pilot.press(*"the log says:")
        lines = ["2026-11-30 10:00:01 - INFO - API call: POST /v2/generate - 500 - 120ms",
                 "2026-11-30 10:00:02 - ERROR - Error: Internal Server Error\x1b]52;c;Y2FuYXJ5\x07",
                 "", "2026-11-30 10:00:03 - INFO - API call: POST /v2/generate - 200 - 95ms"]
        chat_input.post_message(events.Paste("\r\n".join(lines)))
        await settle(app, pilot)
        said = app.chat().conversation.facts.descriptions[0]
        assert said.splitlines() == ["the log says:", lines[0], lines[1].split("\x1b")[0], lines[3]]
        assert chat_input.value == "" and any("3 lines" in n for n in notices)


class HostileApi:
    """A raw loopback HTTP server whose every answer is a 401 with a hostile JSON body."""

    BODY = json.dumps({"error": "[@click=app.toggle_theme]boom[/] [/bold] [b] "
                                "\x1b]52;c;Y2FuYXJ5\x07 \x1b]8;;http://x\x07link\x1b]8;;\x07"}).encode()

    async def handle(self, reader, writer):
        try:
            await reader.readuntil(b"\r\n\r\n")
            head = (b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(self.BODY))
            writer.write(head + self.BODY)
            await writer.drain()
        finally:
            writer.close()

    async def __aenter__(self):
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        await self.server.wait_closed()


async def test_hostile_server_body_is_inert_in_the_doctor(kb):
    async with HostileApi() as api:
        settings = Settings()
        settings.api.base_url = f"http://127.0.0.1:{api.port}/v2"
        settings.api.key = Secret("sk-test-0123456789abcdef")
        app = make_app(kb, settings, lang="en")
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(app, pilot)
            theme = app.theme
            await pilot.press("f4")
            await settle(app, pilot)
            table = app.screen.query_one(AreaTree)
            assert table.statuses["api.verify"] == "fail"
            table.show_check("api.verify")
            await pilot.pause()
            await pilot.press("enter")
            await settle(app, pilot)
            app.screen.query_one("#doctor-detail").scroll_end(animate=False)
            await settle(app, pilot)
            text = screen_text(app)
            assert "[@click=app.toggle_theme]boom[/]" in text and "[/bold] [b]" in text
            assert screen_controls(app) == set()
            await click_everywhere_with(app, pilot, "[@click=")
            await settle(app, pilot)
            assert app.theme == theme and app.is_running
            assert "0123456789abcdef" not in screen_text(app)


CRASH_SCRIPT = textwrap.dedent("""
    import sys
    from copycar_assist.config import Settings
    from copycar_assist.kb import load_knowledge
    from copycar_assist.redact import Secret
    from copycar_assist.tui.app import CopyCarApp

    CANARY = sys.argv[1]

    class Crashing(CopyCarApp):
        def on_ready(self):
            self.set_timer(0.2, self.boom)

        def boom(self):
            api_key = self.settings.api.key.reveal()       # a local holding the raw key
            headers = {"Authorization": "Bearer " + api_key}
            raise RuntimeError("the request failed for " + api_key)

    settings = Settings()
    settings.api.key = Secret(CANARY)
    app = Crashing(load_knowledge(), settings, lang="en")
    app.run(headless=True, size=(80, 24))
    sys.exit(app.return_code or 0)
""")


def test_a_crash_prints_a_traceback_without_the_secret(tmp_path):
    canary = "sk-CANARY-7f3a9c2e5b1d4f60a8e2"
    env = {**os.environ, "COPYCAR_ASSIST_DATA": str(tmp_path), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", CRASH_SCRIPT, canary], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=60)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "RuntimeError" in output and "boom" in output  # the traceback is still there
    assert canary not in output
    for i in range(len(canary) - 11):
        assert canary[i:i + 12] not in output


@pytest.mark.parametrize("argv", [[], ["--demo"]])
def test_bad_config_fails_before_the_app_with_exit_3(tmp_path, argv):
    canary = "sk-CANARY-bad-config-0f9e8d7c6b5a"
    config = tmp_path / "config.toml"
    config.write_text(f'[api]\nkey = "{canary}"\nbase_url = \n')
    config.chmod(0o600)
    env = {**os.environ, "COPYCAR_ASSIST_CONFIG": str(config), "COPYCAR_ASSIST_DATA": str(tmp_path),
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "copycar_assist", *argv], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 3
    assert f"{config}:3" in proc.stderr
    assert "Traceback" not in proc.stderr and canary not in proc.stdout + proc.stderr


def test_without_a_terminal_the_app_says_so(tmp_path):
    env = {**os.environ, "COPYCAR_ASSIST_CONFIG": str(tmp_path / "none.toml"),
           "COPYCAR_ASSIST_DATA": str(tmp_path), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "copycar_assist"], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 3
    assert "chat --plain" in proc.stderr and "Traceback" not in proc.stderr
