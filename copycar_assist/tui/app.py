"""The Textual app: a thin shell that owns the domain objects and switches between screens.

Screens (one per file in `screens/`) render; the domain (`conversation`, `matching`, `checks`)
decides. The knowledge base and the matcher are loaded after the first frame, in threads
(`knowledge.py`); the screens that show the knowledge open once it is loaded (`open_mode`).
Heavy imports (rapidfuzz, httpx, the check runner) happen after the first frame too.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.reactive import var

from copycar_assist.i18n import default_lang, t

from .bindings import bindings
from .commands import CopyCarCommands
from .knowledge import Knowledge, KnowledgeUnavailable
from .modes import MODES, chat_screen
from .themes import DARK, THEMES, other_theme

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from textual.screen import Screen

    from copycar_assist.checks.base import CheckContext, CheckResult, Inputs
    from copycar_assist.checks.http_client import SharedClient
    from copycar_assist.config import Settings
    from copycar_assist.desk.case import Case
    from copycar_assist.kb import KnowledgeBase
    from copycar_assist.matching import Matcher
    from copycar_assist.monitor.clock import Clock
    from copycar_assist.runs.runstore import RunStore
    from copycar_assist.simulator.content import Samples

    from .screens.chat import ChatScreen
    from .screens.diagnostics import DiagnosticsScreen


# Pause between the first frame and the heavy imports (engine, matcher): lets the terminal
# writer thread flush the frame before the main thread holds the GIL for a while.
WARM_UP_DELAY_S = 0.03
# How often the app looks for tickets whose retry time has come (the outbox's own back-off decides).
OUTBOX_RETRY_S = 60.0


class CopyCarApp(App[int]):
    """CopyCar Assist: chat, knowledge browser and diagnostics."""

    TITLE = "CopyCar Assist"
    CSS_PATH = [Path(__file__).parent / "styles" / "app.tcss"]
    # The chat is the default screen (`get_default_screen`), not one of MODES (tui/modes.py); it
    # joins the modes once mounted (`on_mount`), so that `switch_mode("chat")` finds it.
    MODES = MODES
    DEFAULT_MODE = "chat"
    COMMANDS = App.COMMANDS | {CopyCarCommands}
    BINDINGS = bindings("app")  # the registry's app-wide keys (bindings.py)

    lang: var[str] = var("es", init=False)

    def __init__(self, kb: KnowledgeBase | None, settings: Settings, *,
                 load_kb: Callable[[], KnowledgeBase] | None = None, lang: str | None = None,
                 demo_scenario: str | None = None, fixed_lang: bool = False, hide_scenario: bool = False,
                 samples: Samples | None = None, case: Case | None = None, offer_setup: bool = False,
                 start_screen: str | None = None,
                 train_options: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.knowledge = Knowledge(kb, load_kb)  # given, or loaded after the first frame, and the matcher
        self.settings = settings  # the agent's own
        self.case = case  # a customer's case (desk/case.py): its context is what checks run in
        self.offer_setup = offer_setup  # first start without settings: offer the guided set-up
        self.start_screen = start_screen  # the mode to open on ("train": `copycar-assist train`)
        self.train_options = train_options or {}  # the Train screen's trainee, difficulty, case, seed
        self.demo_scenario = demo_scenario
        self.hide_scenario = hide_scenario  # practice: the header says "demo", never which scenario
        self.samples = samples  # the demo world's material, offered when a check asks for some
        # The language the user asked for (None: follow what the user types).
        self.requested_lang = lang
        self.fixed_lang = fixed_lang or lang is not None
        self.set_reactive(CopyCarApp.lang, lang or settings.language or default_lang())
        self._http: SharedClient | None = None
        self._runs: RunStore | None = None
        self.monitor_clock: Clock | None = None  # the Monitor screen's clock (None: the system's; tests jump)
        self._warmed = False
        for theme in THEMES:
            self.register_theme(theme)
        # The theme and its colours before the first CSS parse (Textual made the stylesheet with
        # its default theme's): no second parse at start.
        self.set_reactive(App.theme, DARK.name)
        self.stylesheet.set_variables(self.get_css_variables())

    # --- start-up -------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        return chat_screen()

    def on_mount(self) -> None:
        self.add_mode("chat", chat_screen)  # its stack exists already: Textual never calls this factory
        self._update_subtitle()
        if self.start_screen:
            self.open_mode(self.start_screen)

    def post_display_hook(self) -> None:
        """After the first frame has been written: load the engine and build the matcher.

        (`Ready` comes before the frame reaches the terminal; starting the imports there
        delayed the first frame by ~90 ms.)"""
        if not self._warmed:
            self._warmed = True
            self.set_timer(WARM_UP_DELAY_S, self._warm_up)

    def _warm_up(self) -> None:
        if not gc.isenabled():  # `run_tui` turned the cyclic GC off until the first frame
            gc.freeze()  # what start-up built lives as long as the app: never scan it again
            gc.enable()
        self.run_worker(self.chat().prepare(), exit_on_error=False)
        self.run_worker(self._prepare_knowledge(), group="warm-up", exit_on_error=False)
        self.chat().new_conversation()
        self.set_interval(OUTBOX_RETRY_S, self._retry_outbox)
        if self.offer_setup:  # a first start: the offer comes just after the first frame (its screen costs ~60 ms)
            from .screens.desk_modals import SetupOffer

            self.push_screen(SetupOffer(), lambda now: self.action_setup() if now else None)

    async def _prepare_knowledge(self) -> None:
        """The knowledge base, then the matcher (in threads); broken knowledge is shown in the chat."""
        try:
            await self.knowledge.get_kb()
        except KnowledgeUnavailable:
            self.chat().knowledge_failed()
            return
        await self.get_matcher()

    def _retry_outbox(self) -> None:
        self.run_worker(self._deliver_due(), group="outbox", exclusive=True, exit_on_error=False)

    async def _deliver_due(self) -> None:
        """Tickets waiting in the outbox whose back-off has passed: try them again, quietly; say
        only what was delivered."""
        from copycar_assist.support.outbox import Outbox, send

        outbox = Outbox()
        if not outbox.folder.is_dir() or not any(outbox.folder.glob("*.json")):
            return
        from copycar_assist.redact import make_scrubber

        reports, _ = await send(outbox, self.settings, force=False)
        scrub = make_scrubber(self.settings)
        for r in reports:
            if r.ok:
                self.notify(scrub(f"✓ {r.case_id} → {r.destination} {r.remote.get('id', '')}"), markup=False, timeout=5)

    def _update_subtitle(self) -> None:
        """The header says whose context checks run in (a case's: the customer's, or the agent's)
        and, in the demo, the scenario (or only that it is the demo, when it is hidden). The demo
        needs no "your settings": it says so itself, and the scenario's name keeps the room."""
        whose = (t("ui.case_context", self.lang, label=self.case.label) if self.case is not None
                 else "" if self.demo_scenario else t("ui.own_context", self.lang))
        if not self.demo_scenario:
            demo = ""
        elif self.hide_scenario:
            demo = t("ui.demo_hidden", self.lang)
        else:
            demo = t("ui.demo", self.lang, scenario=self.demo_scenario)
        self.sub_title = " · ".join(p for p in (whose, demo) if p)

    @property
    def active_settings(self) -> Settings:
        """The settings checks run with: the open case's, else the agent's own."""
        return self.case.settings if self.case is not None else self.settings

    # --- shared domain objects ------------------------------------------------------------

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base, once loaded (`kb_ready`; `await knowledge.get_kb()` waits for it)."""
        if self.knowledge.kb is None:
            raise RuntimeError("the knowledge base is not loaded yet")
        return self.knowledge.kb

    @property
    def kb_ready(self) -> bool:
        return self.knowledge.kb is not None

    async def get_matcher(self) -> Matcher:
        """The matcher, built once in a thread (raises KnowledgeUnavailable)."""
        return await self.knowledge.get_matcher()

    @property
    def matcher(self) -> Matcher | None:
        """The matcher if it is ready, else None (callers fall back to something simpler)."""
        return self.knowledge.matcher

    def shared_client(self) -> SharedClient:
        """The one shared HTTP client (made when a check or the monitor first asks, closed on exit)."""
        if self._http is None:
            from copycar_assist.checks.http_client import SharedClient

            self._http = SharedClient(self.settings)
        return self._http

    def runs(self) -> RunStore:
        """The run history (opened on first use; a damaged file is moved aside and reported)."""
        if self._runs is None:
            from copycar_assist.runs.runstore import RunStore
            from copycar_assist.support.history import data_dir

            self._runs = RunStore.open(data_dir())
            if self._runs.problem is not None:
                self.notify(self._runs.problem.message(self.lang), severity="warning", markup=False, timeout=8)
        return self._runs

    def check_context(self, inputs: Inputs | None = None) -> CheckContext:
        """A CheckContext on the shared client, in the app's language, with the run history."""
        from copycar_assist.checks.base import CheckContext, Inputs

        settings = self.active_settings
        return CheckContext(settings, self.kb, self.shared_client(), settings.redactor(),
                            lang=self.lang, inputs=inputs or Inputs(), history=self.runs())

    async def on_unmount(self) -> None:
        if self._runs is not None:
            self._runs.close()
        if self._http is not None:
            await self._http.aclose()

    # --- language and theme ---------------------------------------------------------------

    def watch_lang(self, lang: str) -> None:
        self._update_subtitle()
        self.refresh_bindings()
        for screen in self._all_screens():
            if hasattr(screen, "on_language"):
                screen.on_language(lang)

    def set_language(self, lang: str, *, announce: bool = True) -> None:
        if lang not in ("es", "en") or lang == self.lang:
            return
        self.lang = lang
        if announce:
            self.notify(t("ui.lang_now", lang), markup=False, timeout=2)

    def action_toggle_language(self) -> None:
        self.fixed_lang = True
        self.set_language("en" if self.lang == "es" else "es")

    def action_toggle_theme(self) -> None:
        self.theme = other_theme(self.theme)
        self.notify(t("ui.theme_now", self.lang, name=self.theme), markup=False, timeout=2)

    def _all_screens(self) -> list[Screen[object]]:
        seen: list[Screen[object]] = []
        for mode in ("chat", "browser", "doctor", "monitor", "train"):
            try:
                stack = self.get_screen_stack(mode)
            except Exception:  # mode not opened yet
                continue
            seen.extend(s for s in stack if s not in seen)
        for screen in self.screen_stack:
            if screen not in seen:
                seen.append(screen)
        return seen

    # --- navigation -----------------------------------------------------------------------

    def action_mode(self, mode: str) -> None:
        if self.screen.is_modal:
            self.pop_screen()
        self.open_mode(mode)

    def open_mode(self, mode: str, then: Callable[[], object] | None = None) -> None:
        """Switch to a mode (then run `then`). The screens other than the chat show the knowledge:
        they open once it is loaded; broken knowledge keeps the chat, which shows the problems."""
        if mode == "chat" or self.kb_ready:
            self.switch_mode(mode)
            if then is not None:
                then()
            return
        if self.knowledge.problem is not None:
            self.notify(t("ui.kb_broken_short", self.lang), markup=False, severity="error")
            return
        self.notify(t("ui.kb_loading_wait", self.lang), markup=False, timeout=3)
        self.run_worker(self._open_when_loaded(mode, then), group="open-mode", exclusive=True, exit_on_error=False)

    async def _open_when_loaded(self, mode: str, then: Callable[[], object] | None) -> None:
        try:
            await self.knowledge.get_kb()
        except KnowledgeUnavailable:
            return  # the chat shows the problems
        self.open_mode(mode, then)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
        else:
            self.push_screen(HelpScreen())

    def chat(self) -> ChatScreen:
        """The chat screen (created at start-up: it is the default mode)."""
        return cast("ChatScreen", self.get_screen_stack("chat")[0])

    async def open_in_chat(self, entry_id: str, cause_id: str | None = None) -> None:
        """Start the conversation at an entry (or one of its causes) and show the chat."""
        if self.screen.is_modal:
            self.pop_screen()
        await self.switch_mode("chat")
        self.chat().start_at(entry_id, cause_id)

    def note_results(self, results: Iterable[CheckResult]) -> None:
        """Check results run on the diagnostics screen join the chat's case (and its ticket)."""
        conversation = self.chat().conversation
        if conversation is not None:
            conversation.note_results(list(results))

    def action_run_doctor(self) -> None:
        self.open_mode("doctor", lambda: cast("DiagnosticsScreen", self.get_screen_stack("doctor")[0]).run_all())

    def action_new_conversation(self) -> None:
        self.switch_mode("chat")
        self.chat().new_conversation()

    def action_export(self) -> None:
        self.chat().export_transcript()

    # --- the desk: cases and set-up ---------------------------------------------------------

    def action_case(self) -> None:
        from .screens.case import CaseScreen

        self.push_screen(CaseScreen())

    def action_setup(self, group: str = "api", only: bool = False) -> None:
        from .screens.setup import SetupScreen

        self.push_screen(SetupScreen(group, only=only))

    def open_case(self, case: Case) -> None:
        """Work a customer's case: checks, fixes and the ticket use its context from now on."""
        self.case = case
        self._update_subtitle()
        self.notify(t("ui.case_opened", self.lang, label=case.label), markup=False, timeout=4)
        self.switch_mode("chat")
        self.chat().new_conversation()

    def action_close_case(self) -> None:
        if self.case is None:
            return
        self.case = None
        self._update_subtitle()
        self.notify(t("ui.case_closed", self.lang), markup=False, timeout=3)
        self.chat().new_conversation()

    def action_copy_reply(self) -> None:
        """The draft reply for the customer (their language, the cause, the steps, the fixes) to the
        clipboard, ready to paste."""
        from copycar_assist.conversation.ticketing import ticket_data

        conv = self.chat().conversation
        if conv is None:
            return
        reply = ticket_data(conv, escalating=conv.state == "escalated").reply or {}
        self.copy_to_clipboard(str(reply.get("text") or ""))
        self.notify(t("ui.reply_copied", self.lang, reply_lang=reply.get("language", "")), markup=False, timeout=3)

    def action_save_case(self) -> None:
        """Save the open case's context as a profile (the one way its secrets reach the disk)."""
        from copycar_assist.config import ConfigError
        from copycar_assist.redact import make_scrubber

        if self.case is None:
            self.notify(t("ui.case_none", self.lang), markup=False, severity="warning")
            return
        try:
            path = self.case.save_profile()
        except (ConfigError, OSError) as exc:
            why = exc.message(self.lang) if isinstance(exc, ConfigError) else str(exc)
            self.notify(make_scrubber(self.active_settings)(why), markup=False, severity="error")
            return
        self.notify(t("ui.case_saved", self.lang, name=self.case.profile, path=str(path)), markup=False)

    # --- Textual's own words, in the app's language ------------------------------------------

    def action_command_palette(self) -> None:
        """The palette with its placeholder in the app's language."""
        # is_open takes an App[object]: App is invariant in its return type, so Textual cannot type it
        # to accept this App[int]
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(CommandPalette(placeholder=t("tx.palette_placeholder", self.lang),
                                            id="--command-palette"))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's system commands in the app's language. Quit and the keys panel are the
        registry's palette rows (bindings.py), so they are not repeated here."""
        lang = self.lang
        yield SystemCommand(t("tx.sys.theme", lang), t("tx.sys.theme_help", lang), self.action_pick_theme)
        if screen.maximized is not None:
            yield SystemCommand(t("tx.sys.minimize", lang), t("tx.sys.minimize_help", lang), screen.action_minimize)
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(t("tx.sys.maximize", lang), t("tx.sys.maximize_help", lang), screen.action_maximize)
        yield SystemCommand(t("tx.sys.screenshot", lang), t("tx.sys.screenshot_help", lang),
                            lambda: self.set_timer(0.1, self.deliver_screenshot))

    def action_pick_theme(self) -> None:
        from textual.theme import ThemeProvider

        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder=t("tx.themes_placeholder", self.lang)))

    def action_toggle_keys(self) -> None:
        """Show the keys panel, or hide it when it is shown."""
        from textual.widgets import HelpPanel

        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_help_quit(self) -> None:
        """Ctrl+C: say how to quit, in the app's language."""
        for active in self.active_bindings.values():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(t("tx.quit_message", self.lang, shortcut=self.get_key_display(active.binding)),
                            title=t("tx.quit_title", self.lang), markup=False)
                return

    def _fatal_error(self) -> None:
        """Unhandled exception: a traceback WITHOUT local variables (crash.py), scrubbed of the
        agent's secrets and the open case's (a case masks the agent's whole values, not parts)."""
        from .crash import crash_text

        self.bell()
        self.exit(return_code=1, message=crash_text(self.error_console.width, self.settings, self.active_settings))
