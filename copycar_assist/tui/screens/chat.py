"""The chat: type what the customer says, get to the cause and the fix.

Typing shows the best matches (the matcher runs in a thread worker, debounced, `exclusive=True`,
so typing never waits for it). Each turn of the conversation runs in an `exclusive` worker that
iterates the engine's one ordered event stream and posts every event as an `EngineEvent`
message; `chat_render.py` renders them in that order. Nothing here reorders or echoes anything.

Until the knowledge is loaded (after the first frame) the screen says so, and what is typed or
chosen meanwhile is kept and sent, in order, once the conversation has started. Broken
knowledge is shown here, with each problem.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Static
from textual.worker import Worker, WorkerState, get_current_worker

from copycar_assist.i18n import t
from copycar_assist.kb import pick
from copycar_assist.redact import make_scrubber
from copycar_assist.textsafe import one_line

from ..bindings import LocalizedBindings, bindings
from ..chat_render import Renderer
from ..export import session_not_saved
from ..matcher_proxy import MatcherProxy
from ..widgets.chat_input import ChatInput
from ..widgets.choices_bar import ChoicesBar
from ..widgets.message_list import MessageList
from ..widgets.safe import safe_content, safe_line

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from textual.widgets import Button, OptionList

    from copycar_assist.config import Settings
    from copycar_assist.conversation.engine import Conversation
    from copycar_assist.conversation.events import Event, Problem
    from copycar_assist.matching import MatchResult
    from copycar_assist.matching.cues import CueFinder
    from copycar_assist.support.history import SavingStopped, SessionLog

SUGGEST_DEBOUNCE_S = 0.15
SUGGEST_MIN_CHARS = 3
SUGGEST_LIMIT = 4


class EngineEvent(Message):
    """One event of the conversation engine's stream, to render."""

    def __init__(self, event: Event) -> None:
        self.event = event
        super().__init__()


class ChatScreen(LocalizedBindings, Screen[None]):
    AUTO_FOCUS = "#chat-input"
    BINDINGS = [*bindings("chat"), Binding("escape", "escape", show=False)]

    def __init__(self) -> None:
        super().__init__()
        self.conversation: Conversation | None = None
        self._timer: Timer | None = None
        self._busy = False
        self._history: SessionLog | None = None
        self.renderer: Renderer | None = None
        self.last_cause: tuple[str, str] | None = None
        self._suggestions: OptionList | None = None  # the OptionList of matches, mounted by `prepare()`
        self._ready = False  # until the conversation has started; what is typed meanwhile waits here
        self._pending: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        app = self.copycar_app
        yield Header()
        with MessageList(id="messages"):
            if not app.kb_ready:
                yield Static(app.knowledge.loading_text(app.lang), id="kb-state", classes="msg assistant", markup=False)
        yield ChoicesBar(id="choices")
        yield ChatInput(placeholder=self._placeholder(app.lang), id="chat-input")
        yield Footer()

    def on_mount(self) -> None:
        self.renderer = Renderer(self)  # the conversation starts when the app is ready (after the first frame)
        self._loading = self.set_interval(0.5, self._loading_tick)

    def _loading_tick(self) -> None:  # how far a first compile of the knowledge is, while it loads
        if self.copycar_app.kb_ready or self.copycar_app.knowledge.problem is not None:
            self._loading.stop()
        elif self.copycar_app.knowledge.progress is not None:
            self._show_kb_state(self.copycar_app.lang)

    # --- the conversation -----------------------------------------------------------------

    def _make_conversation(self, cues: CueFinder) -> Conversation:
        from copycar_assist.conversation.engine import Conversation

        app = self.copycar_app
        self._close_history()
        self._history = _open_history(app.active_settings, app.lang, partial(session_not_saved, app))
        conv = Conversation(app.kb, MatcherProxy(app), app.active_settings, cues=cues,
                            lang=app.lang if app.fixed_lang else None, history=self._history, runs=app.runs(),
                            samples=app.samples.offered() if app.samples is not None else None, case=app.case)
        conv.fixes.ask_secrets = True  # a fix that needs a new key asks for it in a masked field
        if not app.fixed_lang:
            conv.lang = app.lang  # start in the UI's language; the engine still follows the user
        return conv

    async def prepare(self) -> None:
        """After the first frame: the suggestion list (its import and CSS cost start-up time)."""
        if self._suggestions is None:
            from textual.widgets import OptionList

            self._suggestions = OptionList(id="suggestions")
            await self.mount(self._suggestions, before=self.query_one(ChoicesBar))

    def new_conversation(self) -> None:
        self.run_worker(self._restart(), exclusive=True, group="conversation", exit_on_error=False)

    async def _restart(self) -> None:
        from ..knowledge import KnowledgeUnavailable

        self._ready = False
        old, self.conversation = self.conversation, None
        if old is not None:
            await old.aclose()
        try:
            cues = await self.copycar_app.knowledge.get_cues()  # in a thread, once: the kb's, shared
        except KnowledgeUnavailable:
            return  # `knowledge_failed` shows the problems
        await self.query_one(MessageList).remove_children()
        await self.query_one(ChoicesBar).clear()
        conv = self.conversation = self._make_conversation(cues)
        await self._stream(conv.start())
        while self._pending:  # typed or chosen before the conversation started: answered now, in order
            kind, value = self._pending.pop(0)
            await self.copycar_app.get_matcher()
            await self._stream(conv.send(value) if kind == "send" else conv.choose(value))
        self._ready = True
        self._update_placeholder()

    def knowledge_failed(self) -> None:
        """The knowledge base cannot be loaded: say so, with every problem (file and line)."""
        self._pending.clear()
        if not self.query("#kb-state"):
            self.query_one(MessageList).mount(Static("", id="kb-state", classes="msg assistant", markup=False))
        self._show_kb_state(self.copycar_app.lang)
        self._update_placeholder()

    def _show_kb_state(self, lang: str) -> None:
        """The line that says the knowledge is loading, or what is wrong with it (in `lang`)."""
        problem = self.copycar_app.knowledge.problem_text(lang)
        for state in self.query("#kb-state").results(Static):
            if problem is None:
                state.update(self.copycar_app.knowledge.loading_text(lang))
            else:  # the problems name files and quote them: inert text
                state.update(safe_content(f"{t('ui.kb_broken', lang)}\n\n{problem}"))
                state.add_class("escalation")

    async def _stream(self, events: AsyncIterator[Event]) -> None:
        async for event in events:
            self.post_message(EngineEvent(event))

    def action_new_conversation(self) -> None:
        self.new_conversation()

    def start_at(self, entry_id: str, cause_id: str | None = None) -> None:
        """Begin the conversation at an entry or one of its causes (from the browser/palette)."""
        app = self.copycar_app
        if app.kb_ready and entry_id not in app.kb.entries:
            return
        choice = f"cause:{entry_id}#{cause_id}" if cause_id else f"entry:{entry_id}"
        self._turn("choose", choice)

    def _turn(self, kind: str, value: str) -> bool:
        app = self.copycar_app
        if not self._ready:
            if app.knowledge.problem is not None:
                self.notify(t("ui.kb_broken_short", app.lang), markup=False, severity="error")
                return False
            self._pending.append((kind, value))
            app.workers.cancel_group(app, "open-mode")  # a screen asked for before: the chat is wanted now
            if not app.kb_ready:
                self.notify(t("ui.kb_loading_queued", app.lang), markup=False, timeout=3)
            return True
        if self._busy:
            self.notify(t("ui.busy", self.copycar_app.lang), markup=False, severity="warning", timeout=3)
            return False
        self._busy = True
        assert self.renderer is not None
        self._hide_suggestions()
        self._converse(kind, value)
        return True

    @work(exclusive=True, group="conversation", exit_on_error=False)
    async def _converse(self, kind: str, value: str) -> None:
        try:
            await self.query_one(ChoicesBar).clear()
            await self.copycar_app.get_matcher()
            conv = self.conversation
            if conv is None:
                return
            await self._stream(conv.send(value) if kind == "send" else conv.choose(value))
        finally:
            self._busy = False

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "conversation" and event.state == WorkerState.ERROR:
            self._busy = False
            error = event.worker.error
            reason = make_scrubber(self.copycar_app.settings)(f"{type(error).__name__}: {error}")
            self.post_message(EngineEvent(_problem(one_line(reason, limit=300))))

    @on(EngineEvent)
    async def _on_engine_event(self, message: EngineEvent) -> None:
        assert self.renderer is not None
        await self.renderer.render(message.event)
        if message.event.type == "prompt":
            self._update_placeholder()

    def _update_placeholder(self, lang: str | None = None) -> None:
        self.query_one(ChatInput).placeholder = self._placeholder(lang or self.copycar_app.lang)

    def _placeholder(self, lang: str) -> str:
        """What the input expects now: a description, an answer, or a text or path (or that the
        knowledge is still loading, or broken)."""
        app = self.copycar_app
        if app.knowledge.problem is not None:
            return t("ui.kb_broken_input", lang)
        if not app.kb_ready:
            return t("ui.kb_loading_input", lang)
        prompt = self.conversation.prompt if self.conversation is not None else None
        expects = prompt.expects if prompt is not None else "description"
        key = {"description": "ui.input_placeholder", "input": "ui.input_placeholder_gather"}.get(
            expects, "ui.input_placeholder_answer")
        return t(key, lang)

    # --- input ----------------------------------------------------------------------------

    @on(ChatInput.Submitted, "#chat-input")
    def _submitted(self, event: ChatInput.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        if self._turn("send", text):
            event.input.value = ""

    @on(ChoicesBar.Chosen)
    def _chosen(self, event: ChoicesBar.Chosen) -> None:
        if not self._needs_secret(event.option_id):
            self._turn("choose", event.option_id)
        self.query_one(ChatInput).focus()

    def _needs_secret(self, option_id: str) -> bool:
        """A fix whose new value is a secret: ask for it in a masked field, then apply it."""
        from .desk_modals import SecretPrompt

        conv = self.conversation
        if conv is None:
            return False
        choice = conv.prompt.choice(option_id) if conv.prompt else None
        if choice is None or not option_id.startswith("apply:") or not choice.value:
            return False
        field = choice.value

        def given(value: str | None) -> None:
            if value and self.conversation is conv:
                try:
                    conv.fixes.provide(field, value)
                except ValueError as exc:  # names what was expected, never the value
                    self.notify(str(exc), markup=False, severity="error")
                    return
                self._turn("choose", option_id)

        self.copycar_app.push_screen(SecretPrompt(field), given)
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """'Set it up now' under a check skipped for a missing setting: the set-up screen.
        (The button is imported on first use: start-up time.)"""
        from ..widgets.setup_button import SetupButton

        if not isinstance(event.button, SetupButton):
            return
        from copycar_assist.desk.setup import group_for

        group = group_for(event.button.setup_field)
        if group is not None:
            event.stop()
            self.copycar_app.action_setup(group.id, only=True)

    @work(group="outbox", exit_on_error=False)
    async def send_ticket(self, case_id: str) -> None:
        """Deliver an escalated ticket now; what cannot go waits in the outbox (tickets send)."""
        from ..export import send_ticket

        await send_ticket(self.copycar_app, case_id)

    @on(ChoicesBar.TypeAhead)
    def _type_ahead(self, event: ChoicesBar.TypeAhead) -> None:
        chat_input = self.query_one(ChatInput)
        chat_input.focus()
        chat_input.insert_text_at_cursor(event.character)

    @on(ChatInput.Block)
    def _pasted_block(self, event: ChatInput.Block) -> None:
        """Several pasted lines go as they are (a log's lines, an e-mail's headers, a traceback:
        their shape is what the checks and the matcher read); while the assistant is still
        answering, they wait in the line, joined."""
        chat_input = self.query_one(ChatInput)
        sent = self._turn("send", event.text)
        chat_input.value = ""
        if not sent:
            chat_input.insert_joined(event.text)
            return
        key = "ui.paste_block_capped" if event.capped else "ui.paste_block"
        self.notify(t(key, self.copycar_app.lang, n=event.lines), markup=False, timeout=3)

    # Up/Down leave the input for the choices / the suggestions. The key event is stopped so
    # the newly focused widget's own binding for the same key does not run as well.
    def key_up(self, event: events.Key) -> None:
        if self.focused is self.query_one(ChatInput):
            choices = self.query_one(ChoicesBar)
            if choices.has_options:
                event.stop()
                choices.focus_first()

    def key_down(self, event: events.Key) -> None:
        suggestions = self._suggestions
        if (suggestions is not None and self.focused is self.query_one(ChatInput)
                and suggestions.has_class("-visible")):
            event.stop()
            suggestions.focus()
            suggestions.highlighted = 0

    def action_escape(self) -> None:
        self._hide_suggestions()
        self.query_one(ChatInput).focus()

    # --- suggestions while typing ---------------------------------------------------------

    @on(ChatInput.Changed, "#chat-input")
    def _changed(self, event: ChatInput.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        value = event.value
        if len(value.strip()) < SUGGEST_MIN_CHARS:
            self._hide_suggestions()
            return
        self._timer = self.set_timer(SUGGEST_DEBOUNCE_S, lambda: self._suggest(value))

    @work(thread=True, exclusive=True, group="suggest", exit_on_error=False)
    def _suggest(self, text: str) -> None:
        matcher = self.copycar_app.matcher
        if matcher is None:
            return
        result = matcher.match(text, limit=SUGGEST_LIMIT)
        if not get_current_worker().is_cancelled:
            self.copycar_app.call_from_thread(self._show_suggestions, text, result)

    def _show_suggestions(self, text: str, result: MatchResult) -> None:
        from textual.widgets.option_list import Option

        suggestions = self._suggestions
        if suggestions is None or self.query_one(ChatInput).value != text:
            return  # not ready yet, or stale: the user kept typing
        suggestions.clear_options()
        kb, lang = self.copycar_app.kb, self.copycar_app.lang
        for match in result.matches:
            entry = kb.entries.get(match.id)
            if entry is None:
                continue
            title = pick(entry.title, lang, match.id)
            line = safe_line(f"{title}  ·  {match.score:.0f}")
            suggestions.add_option(Option(line, id=match.id))
        suggestions.set_class(suggestions.option_count > 0, "-visible")

    def _hide_suggestions(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        suggestions = self._suggestions
        if suggestions is not None and suggestions.has_class("-visible"):
            suggestions.remove_class("-visible")
            suggestions.clear_options()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list is not self._suggestions:
            return
        event.stop()
        entry_id = event.option.id
        chat_input = self.query_one(ChatInput)
        if entry_id and self._turn("choose", f"entry:{entry_id}"):
            chat_input.value = ""
        chat_input.focus()

    # --- language, export -----------------------------------------------------------------

    def on_language(self, lang: str) -> None:
        self._update_placeholder(lang)
        if not self.copycar_app.kb_ready:
            self._show_kb_state(lang)
        conv = self.conversation
        if conv is not None and conv.lang != lang and not self._busy:
            self.run_worker(self._stream(conv.set_language(lang)), group="conversation", exit_on_error=False)

    def export_transcript(self) -> None:
        from ..export import export_transcript

        export_transcript(self.copycar_app, self.conversation)

    # --- shutdown -------------------------------------------------------------------------

    async def on_unmount(self) -> None:
        conv, self.conversation = self.conversation, None
        if conv is not None:
            await conv.aclose()
        self._close_history()

    def _close_history(self) -> None:
        if self._history is not None:
            try:
                self._history.close()
            except OSError:
                pass
            self._history = None


def _open_history(settings: Settings, lang: str, on_stop: Callable[[SavingStopped], None]) -> SessionLog:
    """The session log the engine appends to as it goes; `on_stop` hears once if it cannot save."""
    from copycar_assist.support.history import SessionLog

    return SessionLog.start(scrub=make_scrubber(settings), meta={"ui": "tui", "lang": lang}, on_stop=on_stop,
                            until_said=True)


def _problem(text: str) -> Problem:
    from copycar_assist.conversation.events import Problem

    return Problem(text)
