"""A new case: the customer (name, their reference, language) and the settings their checks run
in — a saved profile, or typed here in masked fields (a pasted key shows as dots). The case's
context lives in memory (`desk/case.py`); it reaches the disk only if the agent saves it as a
profile (the palette's "Save the case as a profile")."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static

from copycar_assist.i18n import t

from ..bindings import LocalizedBindings

# (field, label es, label en, masked)
FIELDS = (
    ("api.base_url", "URL base de la API", "API base URL", False),
    ("api.key", "Clave de API", "API key", True),
    ("crm.kind", "CRM (hubspot, salesforce, rest)", "CRM (hubspot, salesforce, rest)", False),
    ("crm.base_url", "URL del CRM", "CRM URL", False),
    ("crm.token", "Token del CRM", "CRM token", True),
    ("smtp.host", "Servidor SMTP", "SMTP server", False),
    ("smtp.port", "Puerto SMTP", "SMTP port", False),
    ("smtp.security", "Seguridad SMTP (starttls, tls, none)", "SMTP security (starttls, tls, none)", False),
    ("redis.url", "URL de Redis", "Redis URL", True),
)


class CaseScreen(LocalizedBindings, Screen[None]):
    CSS_PATH = str(Path(__file__).parent.parent / "styles" / "desk.tcss")
    BINDINGS = [Binding("escape", "close", show=False)]

    def compose(self) -> ComposeResult:
        lang = self.copycar_app.lang
        yield Header()
        yield Static(Content(t("ui.case_title", lang)).stylize("bold"), id="case-title", markup=False)
        yield Static(t("ui.case_hint", lang), id="case-hint", classes="hint", markup=False)
        profiles = sorted(self.copycar_app.settings.profiles)
        with VerticalScroll(id="case-form"):
            yield Label(Content(t("ui.case_name", lang)), classes="case-label")
            yield Input(id="case-name", classes="case-input", compact=True)
            yield Label(Content(t("ui.case_ref", lang)), classes="case-label")
            yield Input(id="case-ref", classes="case-input", compact=True)
            yield Label(Content(t("ui.case_lang", lang)), classes="case-label")
            yield Input(value=lang, id="case-lang", classes="case-input", compact=True)
            if profiles:
                yield Label(Content(t("ui.case_profile", lang)), classes="case-label")
                yield Select([(p, p) for p in profiles], prompt=t("ui.case_no_profile", lang), id="case-profile",
                             compact=True)
            for field, es, en, masked in FIELDS:
                yield Label(Content(es if lang == "es" else en), classes="case-label")
                yield Input(password=masked, id=_wid(field), classes="case-input", compact=True)
        yield Static("", id="case-status", markup=False)
        with Horizontal(id="case-buttons"):
            yield Button(t("ui.case_open", lang), id="case-open", variant="primary", compact=True)
            yield Button(t("ui.cancel", lang), id="case-cancel", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#case-name", Input).focus()

    @on(Button.Pressed, "#case-cancel")
    def action_close(self) -> None:
        self.copycar_app.pop_screen()

    @on(Input.Submitted, ".case-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    @on(Button.Pressed, "#case-open")
    def open_case(self) -> None:
        from copycar_assist.config import ConfigError
        from copycar_assist.desk.case import Case, Customer

        app = self.copycar_app
        lang = app.lang
        name = self.query_one("#case-name", Input).value.strip()
        if not name:
            self._status(t("ui.case_need_name", lang))
            return
        ref = self.query_one("#case-ref", Input).value.strip() or None
        typed_lang = self.query_one("#case-lang", Input).value.strip().lower()[:2]
        customer_lang = typed_lang if typed_lang in ("es", "en") else None
        profile = None
        selects = self.query("#case-profile")
        if selects:
            chosen = selects.first(Select).value
            profile = chosen if isinstance(chosen, str) else None
        typed = {field: self.query_one(f"#{_wid(field)}", Input).value.strip() for field, *_ in FIELDS}
        try:
            if profile:
                case = Case.from_profile(app.settings, profile, reference=ref)
                case.customer.name = name
                case.customer.language = customer_lang or case.customer.language
            else:
                case = Case.typed(app.settings, Customer(name, ref, customer_lang))
            for field, value in typed.items():
                if value:
                    case.set(field, int(value) if field == "smtp.port" and value.isdigit() else value)
        except ConfigError as exc:
            self._status(f"✗ {exc.message(lang)}")  # names the field, never the value
            return
        app.pop_screen()
        app.open_case(case)

    def _status(self, text: str) -> None:
        self.query_one("#case-status", Static).update(Content(text))


def _wid(field: str) -> str:
    return "case-" + field.replace(".", "-")
