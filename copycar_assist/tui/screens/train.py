"""Train (F8): practice cases, quiz rounds and the trainee's progress, on the training domain.

The screen drives `training.practice.Practice` and `training.quizrun.QuizRound` the way `train
--plain` does: it starts a dialogue, renders each event of its stream in order and sends back
the trainee's choices (the option list, or a key typed in the input) and free words (a question
for the customer, an answer). It never draws a case, words a customer or grades: the domain
does. The progress is `training.progress.Progress` (saved after every answer); the stats are
`training.stats.mastery`, shown as a table and a bar chart (textual-plotext).

Text from outside our string table is shown as plain text (`tui/train_render.py`); the guide an
entry opens is our own knowledge, shown by `Markdown` after `textsafe.clean`, links never opened.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import ContentSwitcher, DataTable, Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from copycar_assist.i18n import t
from copycar_assist.textsafe import clean, one_line

from .. import train_render as render
from ..bindings import LocalizedBindings
from ..kb_text import entry_markdown
from ..widgets.message_list import MessageList
from ..widgets.safe import safe_content, safe_text

if TYPE_CHECKING:
    from textual_plotext import PlotextPlot

    from copycar_assist.training.events import Prompt, TrainEvent
    from copycar_assist.training.practice import Practice
    from copycar_assist.training.progress import Progress
    from copycar_assist.training.quizrun import QuizRound

QUIZ_ITEMS = 5  # questions in a quiz round from the menu
TITLE_WIDTH = 30  # an entry's title in the stats table: the four skills fit beside it at 80 columns
MENU = ("case:clear", "case:vague", "case:two", "quiz", "stats")


class GuideScreen(ModalScreen[None]):
    """An entry of the guide, opened from a practice case, as the knowledge browser shows it (Esc
    closes it)."""

    CSS_PATH = str(Path(__file__).parent.parent / "styles" / "help.tcss")
    DEFAULT_CSS = "GuideScreen { align: center middle; }"
    BINDINGS = [Binding("escape", "dismiss", show=False), Binding("q", "dismiss", show=False)]

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        from textual.widgets import Markdown

        with VerticalScroll(id="help-body"):
            yield Markdown(clean(self.markdown, limit=20_000), open_links=False, id="help-text")

    def on_mount(self) -> None:
        body = self.query_one("#help-body")
        body.border_subtitle = "Esc ✕"
        body.focus()


class TrainScreen(LocalizedBindings, Screen[None]):
    CSS_PATH = str(Path(__file__).parent.parent / "styles" / "train.tcss")
    AUTO_FOCUS = "#train-input"
    # Esc is in the input's placeholder and the help: the footer keeps F1-F4 readable at 80 columns
    BINDINGS = [Binding("escape", "menu", show=False),
                Binding("pageup", "scroll_log(-1)", show=False), Binding("pagedown", "scroll_log(1)", show=False)]

    def __init__(self) -> None:
        super().__init__()
        self.act: Practice | QuizRound | None = None  # the case or round under way (None: the menu)
        self.progress: Progress | None = None
        self.busy = False
        self.difficulty = "clear"
        self.cases = 0  # practice cases started on this screen (the header's number)
        self.header = ""  # the status line of the case or round under way
        self._keys: dict[str, str] = {}
        self._rng: random.Random | None = None

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="train-status", markup=False)
        with ContentSwitcher(initial="train-dialogue", id="train-views"):
            with Vertical(id="train-dialogue"):
                yield MessageList(id="train-log")
                yield Static("", id="train-prompt", markup=False)
                yield OptionList(id="train-options")
                yield Input(id="train-input", compact=True)
            with Vertical(id="train-stats"):
                yield DataTable(id="train-table", cursor_type="row", zebra_stripes=True)
                yield _plot("train-chart")
                yield Static("", id="train-due", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        from copycar_assist.training.progress import Progress

        opts = self.copycar_app.train_options
        self.progress = Progress(opts.get("trainee") or "default")
        self.difficulty = opts.get("difficulty") or "clear"
        self._rng = random.Random(opts.get("seed"))
        self.menu()
        if opts.get("case"):
            self._work(self._start_case(self.difficulty, opts["case"]))

    @property
    def lang(self) -> str:
        return self.copycar_app.lang

    # --- the menu -----------------------------------------------------------------------------

    def menu(self) -> None:
        """Back to the menu: the dialogue view, the choices of what to practise."""
        lang = self.lang
        self.query_one(ContentSwitcher).current = "train-dialogue"
        self._status(f"{t('train.screen.title', lang)} · {self.trainee_progress.trainee}")
        log = self.query_one(MessageList)
        if not log.children:  # the first time (and after a language switch): what this is
            log.mount(Static(safe_content(t("train.intro", lang)), classes="msg intro", markup=False))
        elif self.act is None and len(log.children) == 1 and log.children[0].has_class("intro"):
            log.query_one(".intro", Static).update(safe_content(t("train.intro", lang)))
        labels = [f"{t('train.menu.case', lang)} · {t(f'train.difficulty.{d}', lang)}" for d in ("clear", "vague", "two")]
        labels += [t("train.menu.quiz", lang), t("train.menu.stats", lang)]
        self._options(t("train.menu", lang), [(f"menu:{m}", str(n), label) for n, (m, label)
                                              in enumerate(zip(MENU, labels, strict=True), 1)], "menu")

    def action_menu(self) -> None:
        """Esc: from the option list back to typing; else leave what is under way for the menu."""
        if self.focused is self.query_one(OptionList):
            self.query_one(Input).focus()
            return
        if self.busy:
            return
        if self.act is not None:
            act, self.act = self.act, None
            self.run_worker(_close(act), exit_on_error=False)
            self.notify(t("train.left", self.lang), markup=False, timeout=3)
        self.menu()
        self.query_one(Input).focus()

    def action_scroll_log(self, direction: int) -> None:
        log = self.query_one(MessageList)
        if direction < 0:
            log.scroll_page_up(animate=False)
        else:
            log.scroll_page_down(animate=False)

    def _menu_pick(self, what: str) -> None:
        if what.startswith("case:"):
            self._work(self._start_case(what.removeprefix("case:"), None))
        elif what == "quiz":
            self._work(self._start_quiz())
        elif what == "stats":
            self.show_stats()

    # --- practice and quiz: start, send, render -------------------------------------------------

    def _work(self, coro: Awaitable[None]) -> None:
        self.busy = True
        self.run_worker(coro, exclusive=True, group="train", exit_on_error=False)

    async def _start_case(self, difficulty: str, spec: str | None) -> None:
        from copycar_assist.training.cases import case_for, draw
        from copycar_assist.training.practice import Practice

        try:
            await self._clear_options(t("train.loading", self.lang))
            app = self.copycar_app
            matcher = await app.get_matcher()
            await self._close_act()
            case = (case_for(app.kb, spec, difficulty) if spec else
                    draw(app.kb, difficulty, self._rng, self.trainee_progress.weight))
            self.difficulty, self.cases = difficulty, self.cases + 1
            self.act = Practice(app.kb, matcher, case, lang=self.lang, progress=self.progress, rng=self._rng,
                                number=self.cases)
            await self._fresh_log()
            await self._stream(self.act.start())
        finally:
            self.busy = False

    async def _start_quiz(self) -> None:
        from copycar_assist.training.quizrun import QuizRound

        try:
            await self._clear_options(t("train.loading", self.lang))
            matcher = await self.copycar_app.get_matcher()
            await self._close_act()
            self.act = QuizRound(self.copycar_app.kb, matcher, lang=self.lang, n=QUIZ_ITEMS, progress=self.progress,
                                 rng=self._rng)
            await self._fresh_log()
            self.header = t("train.menu.quiz", self.lang)
            self._status(self.header)
            await self._stream(self.act.start())
        finally:
            self.busy = False

    async def _fresh_log(self) -> None:
        log = self.query_one(MessageList)
        await log.remove_children()
        log.anchor()

    async def _turn(self, kind: str, value: str) -> None:
        """A choice (by id) or the trainee's words. What the trainee answers is echoed in the log;
        moving about (run a check, back) is not: its result speaks for it."""
        try:
            act = self.act
            if act is None or act.prompt is None:
                return
            choice = act.prompt.choice(value) if kind == "choose" else act.prompt.by_text(value)
            if choice is not None:
                kind, value = "choose", choice.id
            # answers are echoed; a question is echoed by the dialogue itself ("asked")
            answering = act.state.startswith("answer_") or act.state == "quiz"
            said = (choice.label if choice is not None else value) if answering else ""
            if said:
                await self.query_one(MessageList).add(
                    Static(render.labelled(t("train.you", self.lang), said), classes="msg user", markup=False))
            await self._stream(act.choose(value) if kind == "choose" else act.send(value))
        finally:
            self.busy = False

    async def _stream(self, stream: AsyncIterator[TrainEvent]) -> None:
        async for event in stream:
            await self._show_event(event)

    async def _show_event(self, e: TrainEvent) -> None:
        from copycar_assist.training.events import Prompt

        d, lang, log = e.to_json(), self.lang, self.query_one(MessageList)
        kind = d["type"]
        if isinstance(e, Prompt):  # the one event of type "prompt"
            await self._show_prompt(e)
        elif kind == "case":
            self.header = d["header"]
            self._status(self.header)
        elif kind == "customer":
            await log.add(Static(render.labelled(t("train.customer", lang), d["text"], "bold $accent"),
                                 classes="msg customer", markup=False))
        elif kind == "asked":
            await log.add(Static(safe_content(t("train.asked", lang, question=d["text"])), classes="msg user",
                                 markup=False))
        elif kind == "check_started":
            self._status(t("train.check_running", lang, id=d["id"]))
        elif kind == "check":
            self._status(self.header)
            await log.add(Static(render.check_line(d), classes="msg check", markup=False))
        elif kind == "guide":
            await log.add(Static(safe_content(t("train.guide_opened", lang, title=d["title"])), classes="msg note",
                                 markup=False))
            self.copycar_app.push_screen(GuideScreen(entry_markdown(self.copycar_app.kb, self.copycar_app.kb.entries[d["entry"]], lang)))
        elif kind == "debrief":
            # shown from its top (the score and the parts); PgUp/PgDn read on
            brief = await log.add(Static(render.debrief(d, lang), classes="msg debrief", markup=False))
            log.anchor(False)
            self.call_after_refresh(log.scroll_to_widget, brief, top=True, animate=False)
        elif kind == "quiz_item":
            await log.add(Static(render.quiz_item(d, lang), classes="msg customer", markup=False))
        elif kind == "quiz_result":
            await log.add(Static(render.quiz_result(d), classes="msg note", markup=False))
        elif kind == "quiz_done":
            if d.get("text"):
                await log.add(Static(safe_content(d["text"]), classes="msg debrief", markup=False))
            await self._close_act()
            self.menu()
        elif kind in ("error", "say"):
            await log.add(Static(safe_content(d.get("message") or d.get("text") or ""), classes="msg note",
                                 markup=False))
        elif kind == "saved":
            self._status(f"{self.header} · {t('train.saved', lang, trainee=d['trainee'])}")
        elif kind == "end":
            if d["next"]:  # inside this turn's worker: the next case starts when this one is closed
                await self._start_case(self.difficulty, None)
            else:
                await self._close_act()
                self.menu()

    async def _show_prompt(self, prompt: Prompt) -> None:
        items = [(c.id, c.key, c.label) for c in prompt.choices]
        self._options(prompt.text, items, prompt.expects)

    # --- the option list and the input ------------------------------------------------------------

    def _options(self, text: str, items: list[tuple[str, str, str]], expects: str) -> None:
        self.query_one("#train-prompt", Static).update(safe_content(one_line(text, 300)))
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(render.option_label(key, label), id=cid) for cid, key, label in items])
        options.display = bool(items)
        if items:
            options.highlighted = 0
        self._keys = {key.lower(): cid for cid, key, _ in items}
        placeholder = {"menu": "train.input.menu", "text": "train.input.text"}.get(expects, "train.input.choice")
        self.query_one(Input).placeholder = t(placeholder, self.lang)

    async def _clear_options(self, text: str) -> None:
        self._options(text, [], "choice")

    @on(Input.Submitted, "#train-input")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text or self.busy:
            return
        event.input.value = ""
        if self.act is None:
            cid = self._keys.get(text.lower())
            if cid is not None:
                self._menu_pick(cid.removeprefix("menu:"))
            return
        self._work(self._turn("send", text))

    @on(OptionList.OptionSelected, "#train-options")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        cid = event.option.id or ""
        self.query_one(Input).focus()
        if self.busy:
            return
        if cid.startswith("menu:"):
            self._menu_pick(cid.removeprefix("menu:"))
        elif self.act is not None:
            self._work(self._turn("choose", cid))

    def key_up(self, event: events.Key) -> None:
        """Up in the input goes to the options (as in the chat)."""
        options = self.query_one(OptionList)
        if self.focused is self.query_one(Input) and options.display and options.option_count:
            event.stop()
            options.focus()

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "train" and event.state == WorkerState.ERROR:
            self.busy = False
            error = event.worker.error
            self.notify(one_line(f"{type(error).__name__}: {error}", 300), markup=False, severity="error")
            self.menu()

    # --- the stats ------------------------------------------------------------------------------

    def show_stats(self) -> None:
        from copycar_assist.training import SKILLS
        from copycar_assist.training.stats import mastery, row_title

        lang, kb = self.lang, self.copycar_app.kb
        m = mastery(self.trainee_progress, kb)
        self.query_one(ContentSwitcher).current = "train-stats"
        self._status(t("train.stats.title", lang, trainee=self.trainee_progress.trainee) + " · " + t("train.key.back", lang))
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column(t("train.stats.entry", lang), key="entry")
        for skill in SKILLS:
            table.add_column(t(f"train.skill.{skill}", lang), key=skill)
        for row in m["entries"]:
            table.add_row(safe_text(row_title(row["entry"], kb, lang), limit=TITLE_WIDTH), *[safe_text(_pct(v)) for v in row["skills"].values()],
                          key=row["entry"])
        table.add_row(safe_text(t("train.stats.all", lang), style="bold"),
                      *[safe_text(_pct(v), style="bold") for v in m["skills"].values()], key="__all__")
        due = (f"{t('train.stats.reviews', lang)}: {m['answers']} · {t('train.stats.due', lang, n=m['due'])}"
               if m["answers"] else t("train.stats.none", lang))
        self.query_one("#train-due", Static).update(Content(due))
        from textual_plotext import PlotextPlot

        plot = self.query_one("#train-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(t("train.stats.chart", lang))
        plt.bar([t(f"train.skill.{s}", lang) for s in SKILLS], [m["skills"][s] or 0 for s in SKILLS], width=0.5)
        plt.ylim(0, 100)
        plt.yticks([0, 25, 50, 75, 100])
        plot.refresh()
        table.focus()

    # --- status, language, closing --------------------------------------------------------------

    def _status(self, text: str) -> None:
        self.query_one("#train-status", Static).update(safe_content(one_line(text, 300)))

    def on_language(self, lang: str) -> None:
        """Chrome follows the language at once; a case or round under way keeps its own (the
        customer already spoke), the next one starts in the new language."""
        if self.query_one(ContentSwitcher).current == "train-stats":
            self.show_stats()
        elif self.act is None and not self.busy:
            self.menu()

    async def _close_act(self) -> None:
        act, self.act = self.act, None
        if act is not None:
            await _close(act)

    async def on_unmount(self) -> None:
        await self._close_act()

    @property
    def trainee_progress(self) -> Progress:
        """The trainee's progress (read when the screen is mounted)."""
        if self.progress is None:
            raise RuntimeError("the Train screen is not mounted yet")
        return self.progress


async def _close(act: Practice | QuizRound) -> None:
    """A practice case stops its demo world; a quiz round has nothing to stop."""
    from copycar_assist.training.practice import Practice

    if isinstance(act, Practice):
        await act.aclose()


def _pct(value: int | None) -> str:
    return "—" if value is None else f"{value} %"


def _plot(widget_id: str) -> PlotextPlot:
    from textual_plotext import PlotextPlot

    return PlotextPlot(id=widget_id)
