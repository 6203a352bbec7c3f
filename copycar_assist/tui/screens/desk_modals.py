"""Two small dialogs of the desk: a hidden value for a fix (the new key: typed or pasted into a
masked field, never into the chat, never written to disk), and the first start's offer to run the
guided set-up."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from copycar_assist.i18n import t

from ..bindings import LocalizedBindings

CSS = str(Path(__file__).parent.parent / "styles" / "desk.tcss")


class SecretPrompt(LocalizedBindings, ModalScreen[str | None]):
    """Ask for one secret value in a masked field; dismissed with the value, or None."""

    CSS_PATH = CSS
    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, field: str) -> None:
        super().__init__()
        self.field = field

    def compose(self) -> ComposeResult:
        lang = self.copycar_app.lang
        with Vertical(id="secret-box"):
            yield Static(Content(t("ui.secret_title", lang, field=self.field)), markup=False)
            yield Input(password=True, id="secret-value", compact=True)
            with Horizontal(id="case-buttons"):
                yield Button(t("ui.secret_ok", lang), id="secret-ok", variant="primary", compact=True)
                yield Button(t("ui.cancel", lang), id="secret-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#secret-ok")
    def _ok(self) -> None:
        value = self.query_one(Input).value.strip()
        self.dismiss(value or None)

    @on(Button.Pressed, "#secret-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class SetupOffer(LocalizedBindings, ModalScreen[bool]):
    """No settings yet: set up now, or later."""

    CSS_PATH = CSS
    BINDINGS = [Binding("escape", "later", show=False)]

    def compose(self) -> ComposeResult:
        lang = self.copycar_app.lang
        with Vertical(id="offer-box"):
            yield Static(Content(t("ui.setup_offer", lang)), markup=False)
            with Horizontal(id="case-buttons"):
                yield Button(t("ui.setup", lang), id="offer-now", variant="primary", compact=True)
                yield Button(t("ui.setup_later", lang), id="offer-later", compact=True)

    def on_mount(self) -> None:
        self.query_one("#offer-now", Button).focus()

    @on(Button.Pressed, "#offer-now")
    def _now(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#offer-later")
    def action_later(self) -> None:
        self.dismiss(False)
