"""The Train screen (F8) at 80×24: a practice case from the customer's message to the debrief, a
quiz round, the stats as a table and a bar chart; reached by F8, the palette, the help and
`copycar-assist train` (start_screen)."""

from __future__ import annotations

from copycar_assist.training.progress import Progress

from fixtures_training import guide_answers
from fixtures_tui import make_app, screen_text, settle

CASE = "invalid-key/invalid-api-key#wrong-key"


def train_app(kb, lang: str = "en", **options):
    app = make_app(kb, lang=lang)
    app.train_options = {"trainee": "pilot", "seed": 7, **options}
    return app


def train_screen(app):
    from copycar_assist.tui.screens.train import TrainScreen

    screen = app.screen
    assert isinstance(screen, TrainScreen)
    return screen


async def until(pilot, test, tries: int = 1500) -> None:
    """Wait (in small steps) until `test()` holds: checks run on the demo world take a moment."""
    for _ in range(tries):
        if test():
            return
        await pilot.pause(0.02)
    raise AssertionError("the screen never got there")


async def idle_at(pilot, screen, state: str) -> None:
    await until(pilot, lambda: not screen.busy and screen.act is not None and screen.act.state == state)


async def pick(pilot, screen, value: str | None = None, cid: str | None = None) -> None:
    """Type the key of the choice whose value (or id) is given, then Enter — as a trainee does."""
    choice = next(c for c in screen.act.prompt.choices if (c.value == value if cid is None else c.id == cid))
    await pilot.press(*choice.key, "enter")
    await pilot.pause()


def debrief_text(screen) -> str:
    return "\n".join(str(w.content) for w in screen.query(".msg.debrief"))


async def play_case(pilot, app, kb, *, right: bool) -> tuple:
    """Run the entry's checks, then answer each part right (or wrong) by its key."""
    await pilot.press("f8")
    screen = train_screen(app)
    await idle_at(pilot, screen, "investigate")
    fault = screen.act.case.faults[0]
    for check in kb.entries[fault.entry].checks:
        await pick(pilot, screen, cid="investigate:check")
        await idle_at(pilot, screen, "pick_check")
        await pick(pilot, screen, value=check)
        await idle_at(pilot, screen, "investigate")
    await pick(pilot, screen, cid="investigate:answer")
    answers = guide_answers(kb, fault.entry, fault.cause, screen.act.ran)
    for part in ("entry", "cause", "step", "severity", "level"):
        await idle_at(pilot, screen, f"answer_{part}")
        if right:
            await pick(pilot, screen, value=answers[part])
        else:
            wrong = next(c for c in screen.act.prompt.choices if c.value != answers[part])
            await pick(pilot, screen, value=wrong.value)
    await idle_at(pilot, screen, "done")
    return screen, fault, answers


async def test_a_case_answered_right_scores_100_and_is_saved(kb):
    app = train_app(kb, case=CASE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen, fault, _ = await play_case(pilot, app, kb, right=True)
        text = screen_text(app)
        # the customer spoke first, in plain words, and the case header never names the scenario
        log = "\n".join(str(w.content) for w in screen.query(".msg.customer"))
        assert log.startswith("Customer: ") and "invalid-key" not in log
        checks = [str(w.content) for w in screen.query(".msg.check")]
        assert [c.split(" · ")[0][2:] for c in checks] == list(kb.entries[fault.entry].checks)
        brief = debrief_text(screen)
        assert "Debrief — Score: 100 %" in brief and "✗" not in brief
        assert brief.count("✓") == 5
        assert "What the expert would have done" in brief
        assert "Another case" in text and "Finish" in text  # the last prompt, on screen at 80×24
        assert "Practice · case 1 · one clear fault" in text
        await pick(pilot, screen, cid="next")  # "Another case": a new one, drawn, numbered 2
        await idle_at(pilot, screen, "investigate")
        assert "Practice · case 2 · one clear fault" in screen_text(app)
        assert not screen.query(".msg.debrief")
    log = Progress("pilot").data["log"]
    assert {(r["entry"], r["skill"], r["right"]) for r in log} >= {
        (fault.entry, "recognise", True), (fault.entry, "diagnose", True), (fault.entry, "fix", True)}


async def test_wrong_answers_get_a_debrief_naming_the_right_parts(kb):
    from copycar_assist.kb import pick as pick_lang

    app = train_app(kb, case=CASE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen, fault, answers = await play_case(pilot, app, kb, right=False)
        brief = debrief_text(screen)
        entry = kb.entries[fault.entry]
        assert "Score: 0 %" in brief and brief.count("✗") == 5
        assert f"right answer: {pick_lang(entry.title, 'en')}" in brief
        assert f"right answer: {pick_lang(entry.cause(fault.cause).title, 'en')}" in brief
        assert f"right answer: {answers['step']}" in brief
        rule = kb.support.rule(answers["severity"])
        assert f"Level {rule.level} (" in brief and f"{rule.response_minutes} min" in brief
        # "Finish" goes back to the menu; the menu starts a new, drawn case
        await pick(pilot, screen, cid="done")
        await until(pilot, lambda: screen.act is None and not screen.busy)
        await until(pilot, lambda: "What do you want to practise?" in screen_text(app))  # once the screen shows it


async def test_a_quiz_round_by_keys_and_free_words_then_the_stats(kb):
    app = train_app(kb)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f8")
        screen = train_screen(app)
        await until(pilot, lambda: "What do you want to practise?" in screen_text(app))
        await pilot.press("4", "enter")  # A quiz round
        await idle_at(pilot, screen, "quiz")
        quiz = screen.act
        total = len(quiz.items)
        assert total == 5
        first = quiz.item
        wrong = next(v for v, _ in first.choices if v != first.answer)
        await pick(pilot, screen, value=wrong)
        await until(pilot, lambda: not screen.busy)
        assert f"No. The right answer: “{first.answer_label}”" in screen_text(app).replace("\n", " ") or any(
            f"No. The right answer: “{first.answer_label}”" in str(w.content) for w in screen.query(".msg.note"))
        for n in range(1, total):
            await idle_at(pilot, screen, "quiz")
            item = quiz.item
            if n == total - 1:  # the last one in free words: its answer typed out
                await pilot.press(*item.answer_label, "enter")
            else:
                await pick(pilot, screen, value=item.answer)
            await until(pilot, lambda: not screen.busy)
        await until(pilot, lambda: screen.act is None)
        # the round is over before the screen shows it: under load, a refresh or two later
        await until(pilot, lambda: f"Round over: {total - 1} of {total} right." in screen_text(app))
        text = screen_text(app)
        assert "What do you want to practise?" in text  # back at the menu
        assert quiz.right == total - 1

        await pilot.press("5", "enter")  # My progress
        await pilot.pause(0.1)
        text = screen_text(app)
        for head in ("Entry", "recognise", "diagnose", "fix", "escalate"):
            assert head in text
        assert "Mastery per skill (%)" in text
        assert f"Answers: {total} · Due for review now:" in text
        # the table: a row per entry and the mean per skill last; a skill with no answer is "—"
        table = screen.query_one("#train-table")
        assert [str(c) for c in table.get_row("__all__")][0] == "All entries"
        assert any(str(c).endswith(" %") for c in table.get_row("__all__")[1:])
        await pilot.press("ctrl+l")
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "Entrada" in text and "reconocer" in text and "Dominio por habilidad (%)" in text
        await pilot.press("escape")
        await pilot.pause()
        assert "¿Qué quieres practicar?" in screen_text(app)


async def test_reached_by_start_screen_palette_and_help(kb):
    from copycar_assist.tui.screens.help import help_text

    app = train_app(kb, lang="es")
    app.start_screen = "train"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        train_screen(app)
        assert "¿Qué quieres practicar?" in screen_text(app)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"entrenamiento")
        await pilot.pause(0.2)
        assert "Entrenamiento: casos prácticos" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause(0.1)
        train_screen(app)
    assert "**F8** — Training" in help_text("en") and "**F8** — Entrenamiento" in help_text("es")


HOSTILE = "[@click=app.quit]boom[/] [bold red]x\x1b[2J\x07\u202e"


def test_outside_text_in_training_events_stays_plain():
    """A customer's words, a check summary, an expert line, a pitfall or a choice label holding
    markup or terminal sequences is shown as the characters it is."""
    from copycar_assist.tui import train_render as render

    part = {"fault": 0, "part": "entry", "right": False, "expected_label": HOSTILE}
    shown = [render.labelled("Customer", HOSTILE),
             render.check_line({"id": "api.verify", "status": "fail", "summary": HOSTILE}),
             render.quiz_item({"n": 1, "total": 2, "question": HOSTILE}, "en"),
             render.quiz_result({"right": False, "text": HOSTILE}),
             render.option_label("1", HOSTILE),
             render.debrief({"score": 0, "parts": [part], "expert_lines": [HOSTILE], "unhelpful_checks": [HOSTILE],
                             "seconds": 3, "pitfalls": [HOSTILE]}, "en")]
    for content in shown:
        assert "[@click=app.quit]boom[/]" in content.plain
        assert not any(ord(c) < 0x20 and c != "\n" or c == "\u202e" for c in content.plain)
        assert all("click" not in str(span.style) for span in content.spans)
