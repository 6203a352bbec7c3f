"""The guided set-up as a screen: one group of settings at a time (the API, then SMTP, the sending
domain, the CRM, Redis), masked fields for secrets (a pasted key shows as dots, never as text),
live verification by the group's checks, saved (0600, under the settings lock) only when they
pass. The domain is `desk/setup.py`, the same as `copycar-assist setup`; this screen only asks,
shows each check's result as it arrives, and saves in a thread."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Input, Label, Static

from copycar_assist.desk.setup import GROUPS, ORDER, Group
from copycar_assist.i18n import t
from copycar_assist.textsafe import one_line

from ..bindings import LocalizedBindings

if TYPE_CHECKING:
    from copycar_assist.checks.base import Event

MARKS = {"pass": "✓", "warn": "!", "fail": "✗", "error": "?", "skipped": "-"}


class SetupScreen(LocalizedBindings, Screen[None]):
    CSS_PATH = str(Path(__file__).parent.parent / "styles" / "desk.tcss")
    BINDINGS = [Binding("escape", "close", show=False)]

    def __init__(self, group: str = "api", *, only: bool = False) -> None:
        super().__init__()
        self.group: Group = GROUPS[group]
        self.only = only  # opened for one setting ("set it up now"): close after saving it
        self.results: dict[str, str] = {}

    # --- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        lang = self.copycar_app.lang
        yield Header()
        yield Static("", id="setup-title", markup=False)
        yield Static(t("ui.setup_hint", lang, path=str(self._path())), id="setup-hint", classes="hint", markup=False)
        yield VerticalScroll(id="setup-form")
        yield Static("", id="setup-status", markup=False)
        with Horizontal(id="setup-buttons"):
            yield Button(t("ui.setup_verify", lang), id="setup-verify", variant="primary", compact=True)
            yield Button(t("ui.setup_skip", lang), id="setup-skip", compact=True)
            yield Button(t("ui.close", lang), id="setup-close", compact=True)
        yield Footer()

    async def on_mount(self) -> None:
        await self._show(self.group)

    def _path(self) -> Path:
        from copycar_assist.config import config_path

        return self.copycar_app.settings.path or config_path()

    async def _show(self, group: Group) -> None:
        app = self.copycar_app
        lang, settings = app.lang, app.settings
        self.group, self.results = group, {}
        n = ORDER.index(group.id) + 1
        self.query_one("#setup-title", Static).update(
            Content(t("ui.setup_title", lang, group=group.title(lang), n=n, total=len(ORDER))).stylize("bold"))
        form = self.query_one("#setup-form", VerticalScroll)
        await form.remove_children()
        widgets: list[Widget] = []
        for ask in group.asks:
            current = settings.get(ask.field)
            shown = ("••••" if ask.secret else one_line(str(current), 60)) if current not in (None, "") else ask.placeholder
            widgets.append(Label(Content(ask.label(lang)), classes="setup-label"))
            widgets.append(Input(placeholder=shown, password=ask.secret, id=_wid(ask.field), classes="setup-input",
                                 compact=True))
        await form.mount_all(widgets)
        self._status("")
        self.query(Input).first().focus()

    def _status(self, text: str) -> None:
        self.query_one("#setup-status", Static).update(Content(text))

    # --- actions --------------------------------------------------------------------------

    def values(self) -> dict[str, str]:
        return {a.field: self.query_one(f"#{_wid(a.field)}", Input).value for a in self.group.asks}

    @on(Input.Submitted, ".setup-input")
    def _submitted(self, event: Input.Submitted) -> None:
        inputs = list(self.query(".setup-input").results(Input))
        i = inputs.index(event.input)
        if i + 1 < len(inputs):
            inputs[i + 1].focus()
        else:
            self.verify()

    @on(Button.Pressed, "#setup-verify")
    def _verify_pressed(self) -> None:
        self.verify()

    @on(Button.Pressed, "#setup-skip")
    async def _skip(self) -> None:
        await self._next()

    @on(Button.Pressed, "#setup-close")
    def action_close(self) -> None:
        self.copycar_app.pop_screen()

    async def _next(self) -> None:
        i = ORDER.index(self.group.id)
        if self.only or i + 1 >= len(ORDER):
            self.copycar_app.notify(t("ui.setup_done", self.copycar_app.lang), markup=False, timeout=3)
            self.copycar_app.pop_screen()
            return
        await self._show(GROUPS[ORDER[i + 1]])

    @work(exclusive=True, group="setup", exit_on_error=False)
    async def verify(self) -> None:
        from copycar_assist.config import ConfigError
        from copycar_assist.desk.setup import apply_saved, save, try_values, verify

        from ..knowledge import KnowledgeUnavailable

        app = self.copycar_app
        lang, group, values = app.lang, self.group, self.values()
        try:
            candidate = try_values(app.settings, group, values)
        except ConfigError as exc:
            self._status(f"✗ {exc.message(lang)}")
            return
        self.results = {}
        self._status(t("ui.setup_checking", lang))
        try:
            kb = await app.knowledge.get_kb()  # loaded after the app's first frame: the set-up may be faster
        except KnowledgeUnavailable:
            self._status(t("ui.kb_broken_short", lang))
            return
        ok, results = await verify(kb, candidate, group, lang=lang, on_event=self._progress)
        lines = [f"{MARKS.get(r.status, '·')} {r.title or r.id}: {one_line(r.summary, 160)}" for r in results]
        if not ok:
            self._status("\n".join(lines + [t("ui.setup_not_saved", lang)]))
            return
        path = self._path()
        try:
            written = await asyncio.to_thread(save, path, group, values)
        except (ConfigError, OSError) as exc:
            why = exc.message(lang) if isinstance(exc, ConfigError) else exc.strerror or str(exc)
            self._status("\n".join(lines + [f"✗ {path}: {why}"]))
            return
        notes = [t("ui.setup_env", lang, var=var) for var in apply_saved(app.settings, written)]
        app.notify(t("ui.setup_saved", lang, path=str(path)), markup=False, timeout=4)
        self._status("\n".join(lines + [t("ui.setup_saved", lang, path=str(path)), *notes]))
        await self._next()

    def _progress(self, event: Event) -> None:
        from copycar_assist.checks.base import CheckFinished

        if isinstance(event, CheckFinished):
            r = event.result
            self.results[r.id] = f"{MARKS.get(r.status, '·')} {r.title or r.id}: {one_line(r.summary, 160)}"
            self._status("\n".join([t("ui.setup_checking", self.copycar_app.lang), *self.results.values()]))


def _wid(field: str) -> str:
    return "setup-" + field.replace(".", "-")
