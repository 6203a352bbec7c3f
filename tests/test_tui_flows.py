"""Pilot tests of the app's main flows against the real engine, matcher, checks and simulator."""

from __future__ import annotations

import os
import stat

import pytest

from copycar_assist.tui.widgets.area_tree import AreaTree
from copycar_assist.tui.widgets.choices_bar import ChoicesBar

from fixtures_tui import demo_settings, make_app, record_notices, say, screen_text, settle

SIZE = (120, 36)


def option_key(conv, option_id: str) -> str:
    options = {c.id: c for c in conv.prompt.choices}
    assert option_id in options, f"{option_id} not offered: {list(options)}"
    return options[option_id].key


async def test_symptom_to_cause_and_steps_with_expired_key(kb, simulator):
    """'me sale 401' → the API-key entry → api.verify against `expired-key` → the cause, its steps."""
    sim = simulator("expired-key")
    app = make_app(kb, demo_settings(sim), lang=None, demo="expired-key")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "DEMO" in app.sub_title
        await say(app, pilot, "me sale 401")
        chat = app.chat()
        conv = chat.conversation
        assert app.lang == "es"  # the engine followed the user's language
        if conv.state == "clarify":  # two close entries: pick the API-key one with its key
            await say(app, pilot, option_key(conv, "entry:invalid-api-key"))
        assert conv.state == "confirm_symptoms"
        assert conv.facts.entry_id == "invalid-api-key"
        assert "API key inválida" in screen_text(app)
        # confirm with the key hint, pressed on the focused choices bar (no Enter needed)
        chat.query_one(ChoicesBar).focus_first()
        await pilot.press(option_key(conv, "yes"))
        await settle(app, pilot)
        assert chat.last_cause == ("invalid-api-key", "expired-key")
        assert conv.state == "step"
        assert sim.request_count("/v2/verify") >= 1
        text = screen_text(app)
        first_step = kb.entries["invalid-api-key"].cause("expired-key").steps["es"][0]
        assert first_step[:40] in text.replace("\n", " ") or "Paso 1 de 3" in text
        assert "✗" in text  # the live check view shows the failed verification


async def test_escalation_saves_a_private_ticket_and_folds_it(kb, simulator, tmp_path):
    from textual.widgets import Collapsible

    from copycar_assist.simulator import DEMO_KEY

    sim = simulator("forbidden")
    app = make_app(kb, demo_settings(sim), lang="en", demo="forbidden")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await say(app, pilot, "403 forbidden when creating campaigns")
        conv = app.chat().conversation
        await say(app, pilot, option_key(conv, "yes"))
        assert conv.facts.cause == ("invalid-api-key", "insufficient-permissions")
        await say(app, pilot, option_key(conv, "escalate"))
        assert conv.state == "escalated"
        [ticket] = (tmp_path / "data" / "tickets").glob("ticket-*.md")
        assert stat.S_IMODE(ticket.stat().st_mode) == 0o600
        text = ticket.read_text()
        assert text.startswith("# ") and "HIGH" in text and DEMO_KEY not in text
        from textual.widgets import Static

        said = [str(w.content) for w in app.screen.query(Static)]
        assert f"Ticket saved to {ticket}" in said
        folded = app.screen.query(Collapsible).last()
        assert folded.collapsed  # the long ticket does not push the conversation away


async def test_typing_shows_matches_and_picking_one_starts_there(kb):
    app = make_app(kb, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press(*"too many requests 429")
        await settle(app, pilot, 0.3)  # past the debounce
        suggestions = app.screen.query_one("#suggestions")
        assert suggestions.has_class("-visible")
        ids = [suggestions.get_option_at_index(i).id for i in range(suggestions.option_count)]
        assert ids[0] == "rate-limit-exceeded"
        await pilot.press("down", "enter")
        await settle(app, pilot)
        conv = app.chat().conversation
        assert conv.facts.entry_id == "rate-limit-exceeded"
        assert conv.state == "confirm_symptoms"


async def test_browser_search_and_start_at_a_cause(kb):
    app = make_app(kb, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot)
        browser = app.screen
        await pilot.press("slash", *"expired")
        await settle(app, pilot, 0.3)
        tree = browser.query_one("#kb-tree")
        labels = [str(n.label) for n in tree.root.children]
        assert labels, "the search left no category"
        assert browser._current.entry == "invalid-api-key"  # the detail shows the best result
        # find the cause node expired-key and start there with Enter
        target = None
        stack = list(tree.root.children)
        while stack:
            node = stack.pop()
            if node.data and node.data.kind == "cause" and node.data.cause == "expired-key":
                target = node
                break
            stack.extend(node.children)
        assert target is not None
        tree.focus()
        tree.move_cursor(target)
        await settle(app, pilot)
        assert "The key has expired" in screen_text(app)  # the detail pane
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.current_mode == "chat"
        conv = app.chat().conversation
        assert conv.facts.cause == ("invalid-api-key", "expired-key")
        assert conv.state == "step"


async def test_palette_opens_an_entry(kb):
    app = make_app(kb, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*"Open: Invalid API")
        await settle(app, pilot, 0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        conv = app.chat().conversation
        assert conv.facts.entry_id == "invalid-api-key"


async def test_the_input_says_what_it_expects(kb):
    from copycar_assist.tui.widgets.chat_input import ChatInput

    app = make_app(kb, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        field = app.screen.query_one(ChatInput)
        assert field.placeholder.startswith("Describe the problem")
        await say(app, pilot, "too many requests 429")
        assert field.placeholder.startswith("Type an option's letter")
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        assert field.placeholder.startswith("Escribe la letra de una opción")


@pytest.mark.parametrize("query,entry", [("spam", "email-delivery-failed"), ("429", "rate-limit-exceeded")])
async def test_palette_finds_an_entry_by_its_symptom(kb, query, entry):
    # Textual's letter matcher alone puts "ExPortar trAnscripción" first for "spam".
    app = make_app(kb, lang="es")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*query)
        await settle(app, pilot, 0.5)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.chat().conversation.facts.entry_id == entry


async def test_doctor_table_rerun_and_evidence(kb, simulator):
    sim = simulator("healthy")
    app = make_app(kb, demo_settings(sim), lang="en", demo="healthy")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f4")
        await settle(app, pilot)
        table = app.screen.query_one(AreaTree)
        assert table.statuses["api.verify"] == "pass"
        assert table.statuses["api.key_configured"] == "pass"
        assert set(table.statuses.values()) <= {"pass", "warn", "fail", "error", "skipped"}
        before = sim.request_count("/v2/verify")
        sim.set_scenario("invalid-key")
        table.show_check("api.verify")
        await pilot.pause()
        await pilot.press("r")
        await settle(app, pilot)
        assert table.statuses["api.verify"] == "fail"
        assert sim.request_count("/v2/verify") == before + 1  # one row, one request
        await pilot.press("enter")
        await settle(app, pilot)
        detail = app.screen.query_one("#doctor-detail")
        assert detail.has_class("-open")
        text = screen_text(app)
        assert "unauthorized" in text and "Points to" in text
        sim.set_scenario("healthy")
        await pilot.press("R")
        await settle(app, pilot)
        assert table.statuses["api.verify"] == "pass"
        assert " pass · " in screen_text(app)  # the run's totals


async def test_language_theme_help_and_footer(kb):
    app = make_app(kb, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "Help" in screen_text(app)
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        assert app.lang == "es"
        assert "Ayuda" in screen_text(app) and " Help " not in screen_text(app)
        assert app.chat().conversation.lang == "es"
        theme = app.theme
        await pilot.press("ctrl+t")
        assert app.theme != theme and app.theme in ("copycar-light", "copycar-dark")
        await pilot.press("f1")
        await settle(app, pilot)
        assert "Ayuda de CopyCar Assist" in screen_text(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is app.chat()


async def test_session_saved_and_transcript_exported(kb, tmp_path):
    app = make_app(kb, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await say(app, pilot, "emails are not being delivered")
        sessions = list((tmp_path / "data" / "sessions").glob("*.jsonl"))
        assert len(sessions) == 1 and "emails are not being delivered" in sessions[0].read_text()
        notices = record_notices(app)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        exported = list((tmp_path / "data" / "transcripts").glob("*.md"))
        assert len(exported) == 1
        assert stat.S_IMODE(os.stat(exported[0]).st_mode) == 0o600
        assert "emails are not being delivered" in exported[0].read_text()
        assert any(str(exported[0]) in n for n in notices)
