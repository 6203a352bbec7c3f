"""Pilot tests of the dialogue as a user walks it in the app: the next cause after a failed fix,
the questions and answers kept in the scroll-back, the out-of-scope hand-off, a diagnostics run
carried into the ticket, one ticket per case. Real engine, matcher, checks and simulator."""

from __future__ import annotations

from copycar_assist.tui.widgets.area_tree import AreaTree

from fixtures_tui import demo_settings, make_app, say, screen_text, settle

SIZE = (100, 40)


def key_of(conv, role: str) -> str:
    [choice] = [c for c in conv.prompt.choices if c.role == role][:1] or [None]
    assert choice is not None, f"no {role} on offer: {[c.role for c in conv.prompt.choices]}"
    return choice.key


async def test_next_cause_after_a_failed_fix(kb, simulator):
    """The path that crashed: invalid key, every step done, "fixed" but the check disagrees,
    then "try another cause"."""
    sim = simulator("invalid-key")
    app = make_app(kb, demo_settings(sim), lang="es", demo="invalid-key")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        conv = app.chat().conversation
        await say(app, pilot, "me sale 401 al llamar a la api")
        if conv.state == "clarify":
            await say(app, pilot, next(c.key for c in conv.prompt.choices if c.entry == "invalid-api-key"))
        await say(app, pilot, key_of(conv, "yes"))
        assert conv.facts.cause == ("invalid-api-key", "wrong-key")
        while conv.state == "step":
            await say(app, pilot, key_of(conv, "done"))
        await say(app, pilot, key_of(conv, "fixed"))
        assert conv.state == "verify_failed"
        await say(app, pilot, key_of(conv, "next_cause"))
        assert conv.state in ("question", "step")
        assert ("invalid-api-key", "wrong-key") in conv.facts.tried
        assert "Traceback" not in screen_text(app)


async def test_questions_and_answers_stay_in_the_scroll_back(kb):
    app = make_app(kb, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        conv = app.chat().conversation
        await say(app, pilot, "our personalization score is low, the emails read generic")
        if conv.state == "clarify":
            await say(app, pilot, next(c.key for c in conv.prompt.choices if c.entry == "low-personalization-score"))
        await say(app, pilot, key_of(conv, "yes"))
        if conv.state == "gather_input":
            await say(app, pilot, key_of(conv, "skip"))
        question = conv.prompt.text
        await say(app, pilot, key_of(conv, "no"))
        assert conv.prompt.text != question
        text = " ".join(screen_text(app).split())
        assert question[:40] in text and "→ No" in text  # the question and its answer, not just "n"


async def test_words_typed_on_the_options_go_to_the_input_whole(kb):
    """Up to the options, then a sentence typed faster than the focus moves: every key, spaces and
    option keys too ("y" is Yes here), goes to the input; it picked Yes and dropped the spaces."""
    from textual import events

    from copycar_assist.tui.widgets.chat_input import ChatInput
    from copycar_assist.tui.widgets.choices_bar import ChoicesBar

    app = make_app(kb, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        conv = app.chat().conversation
        await say(app, pilot, "my api key expired, 401 unauthorized")
        assert conv.state == "confirm_symptoms" and key_of(conv, "yes") == "y"
        await pilot.press("up")
        bar = app.screen.query_one(ChoicesBar)
        assert app.focused is not None and bar in app.focused.ancestors_with_self
        for ch in "why not now":
            bar.post_message(events.Key("space" if ch == " " else ch, ch))
        await settle(app, pilot)
        assert conv.state == "confirm_symptoms"  # nothing picked
        assert app.screen.query_one(ChatInput).value == "why not now"
        await pilot.press("up")  # back on the options: a key picks again
        await pilot.press("y")
        await settle(app, pilot)
        assert conv.state != "confirm_symptoms"


async def test_page_up_while_typing_scrolls_the_conversation(kb):
    from copycar_assist.tui.widgets.chat_input import ChatInput
    from copycar_assist.tui.widgets.message_list import MessageList

    app = make_app(kb, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await say(app, pilot, "my api key expired, 401 unauthorized")  # the symptoms fill the screen
        await say(app, pilot, "/help")
        lines = app.screen.query_one(MessageList)
        assert app.focused is app.screen.query_one(ChatInput) and lines.max_scroll_y > 0
        bottom = lines.scroll_y
        await pilot.press("pageup")
        await settle(app, pilot)
        assert lines.scroll_y < bottom and app.focused is app.screen.query_one(ChatInput)
        await pilot.press("pagedown", "pagedown", "pagedown")
        await settle(app, pilot)
        assert lines.scroll_y == bottom


async def test_a_request_out_of_scope_is_handed_over(kb, tmp_path):
    app = make_app(kb, lang="es")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        conv = app.chat().conversation
        await say(app, pilot, "quiero cambiar mi plan de facturación")
        assert conv.state == "no_match" and conv.facts.entry_id is None
        await say(app, pilot, key_of(conv, "handoff"))
        assert conv.state == "escalated"
        assert app.lang == "es"
        [ticket] = (tmp_path / "data" / "tickets").glob("ticket-*.md")
        assert "facturación" in ticket.read_text()
        assert "soporte" in screen_text(app)


async def test_diagnostics_results_reach_the_ticket_and_one_case_keeps_one_ticket(kb, simulator, tmp_path):
    sim = simulator("forbidden")
    app = make_app(kb, demo_settings(sim), lang="en", demo="forbidden")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f4")
        await settle(app, pilot)
        table = app.screen.query_one(AreaTree)
        assert table.statuses["api.verify"] == "fail"
        table.show_check("api.verify")
        await pilot.pause()
        await pilot.press("c")  # open its cause in the chat
        await settle(app, pilot)
        conv = app.chat().conversation
        assert conv.facts.cause == ("invalid-api-key", "insufficient-permissions")
        await say(app, pilot, "/escalate")
        tickets = list((tmp_path / "data" / "tickets").glob("ticket-*.md"))
        assert len(tickets) == 1
        ticket = tickets[0].read_text()
        assert "No checks were run" not in ticket and "`api.verify`" in ticket and "forbidden" in ticket
        await say(app, pilot, "1")  # another severity
        await say(app, pilot, "2")  # and another
        assert list((tmp_path / "data" / "tickets").glob("ticket-*.md")) == tickets  # rewritten in place
        assert conv.facts.severity in tickets[0].read_text()


async def test_long_options_are_shown_whole_at_80_columns(kb):
    """"Slow responses and degraded performance" among the closest problems: two columns cut it
    ("3 Slow responses and degraded"); a label too long for half the width puts one option per
    line, and every label is shown whole."""
    from copycar_assist.tui.widgets.choices_bar import ChoicesBar

    app = make_app(kb, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await say(app, pilot, "slow api and alerts not arriving")
        conv = app.chat().conversation
        labels = [c.label for c in conv.prompt.choices]
        assert "Slow responses and degraded performance" in labels
        buttons = list(app.screen.query_one(ChoicesBar).query(".choice"))
        assert len(buttons) == len(labels)
        shown = screen_text(app)
        for label in labels:
            assert label in shown, label
        assert len({b.region.y for b in buttons}) == len(buttons)  # one per line


async def test_a_notification_does_not_cover_the_options_or_the_input(kb):
    from copycar_assist.tui.widgets.chat_input import ChatInput
    from copycar_assist.tui.widgets.choices_bar import ChoicesBar

    app = make_app(kb, lang="en")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        await say(app, pilot, "my api key gives 401 unauthorized")
        app.notify("Hold on: still working on the previous step.", timeout=30)
        await pilot.pause(0.3)
        await settle(app, pilot)
        toast = app.screen.query_one("Toast").region  # Textual's notification widget, by its type name
        for widget in (app.screen.query_one(ChatInput), app.screen.query_one(ChoicesBar)):
            assert not toast.overlaps(widget.region), (toast, widget.region)
