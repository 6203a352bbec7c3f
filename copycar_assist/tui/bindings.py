"""The app's actions, declared once: keys, footer, command palette, help and the README's key table.

Each `Action` names its key(s), the Textual action it runs, where it is bound (the app or one
screen), whether the footer shows it and whether the palette lists it. Its words live in the i18n
catalogue under keys built from its name: `ui.key.NAME` (the short footer / key-panel label),
`ui.cmd.NAME` (the palette's label), `ui.help.NAME` (the help screen's line) and, where the key
needs words ("F1 o ?"), `ui.keys.NAME`. Rows with no key (`keys=""`) are help-only lines (Tab,
the arrows) or palette-only commands.

A Textual `Binding` has one fixed description; `LocalizedBindings` (mixed into every screen)
rewrites the descriptions of the active bindings into the app's language when the footer or the
key panel asks for them, so each key is bound once. It also gives Textual's own widget bindings
(the input's "Move cursor left" …) their words from the catalogue (`tx.bind.ACTION`).

This module never decides what an action does: the app and the screens implement them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from textual.binding import ActiveBinding, Binding, BindingType

from copycar_assist.i18n import MESSAGES, t

from .app_access import AppAccess

SCOPES = ("app", "chat", "browser", "doctor", "monitor")
HELP_SECTIONS = ("screens", "keys")


@dataclass(frozen=True)
class Action:
    name: str
    keys: str = ""  # Textual key names, comma-separated; "" = not bound (help or palette only)
    action: str = ""  # the Textual action; "" = a help-only row
    scope: str = "app"  # where it is bound: the app, or one screen
    footer: bool = False  # shown in the footer (which must fit 80 columns in both languages)
    palette: bool = False  # listed in the command palette (runs on the app)
    help: str | None = "keys"  # the help section it is listed in, or None
    key_display: str | None = None
    priority: bool = False

    @property
    def binding_id(self) -> str:
        return f"copycar.{self.name}"

    def label(self, lang: str) -> str:
        return t(f"ui.key.{self.name}", lang)

    def command(self, lang: str) -> str:
        return t(f"ui.cmd.{self.name}", lang)

    def help_line(self, lang: str) -> str:
        return t(f"ui.help.{self.name}", lang)

    def keys_text(self, lang: str) -> str:
        """The key as a person reads it: "F1 o ?", "Ctrl+L", "r"."""
        if f"ui.keys.{self.name}" in MESSAGES["en"]:
            return t(f"ui.keys.{self.name}", lang)
        return " / ".join(_key_words(k) for k in self.keys.split(","))


# Order: the help's order within each section, and the palette's order.
ACTIONS: tuple[Action, ...] = (
    Action("help", "f1,question_mark", "help", footer=True, palette=True),
    Action("chat", "f2", "mode('chat')", footer=True, help="screens"),
    Action("browser", "f3", "mode('browser')", footer=True, palette=True, help="screens"),
    Action("doctor", "f4", "mode('doctor')", footer=True, help="screens"),
    Action("monitor", "f5", "mode('monitor')", palette=True, help="screens"),
    Action("case", "f6", "case", palette=True, help="screens"),
    Action("setup", "f7", "setup", palette=True, help="screens"),
    Action("train", "f8", "mode('train')", palette=True, help="screens"),
    Action("palette", "ctrl+p", "command_palette", priority=True),  # the footer shows it on the right
    Action("language", "ctrl+l", "toggle_language", footer=True, palette=True),
    Action("theme", "ctrl+t", "toggle_theme", palette=True),
    Action("export", "ctrl+s", "export", palette=True),
    Action("new", "ctrl+n", "new_conversation", scope="chat", footer=True, palette=True),
    Action("run_doctor", action="run_doctor", palette=True, help=None),
    Action("close_case", action="close_case", palette=True, help=None),
    Action("save_case", action="save_case", palette=True, help=None),
    Action("copy_reply", action="copy_reply", palette=True, help=None),
    Action("keys_panel", action="toggle_keys", palette=True, help=None),
    Action("options"),
    Action("focus"),
    Action("matches"),
    Action("arrows"),
    Action("enter"),
    Action("rerun", "r", "rerun", scope="doctor", footer=True),
    Action("rerun_all", "R", "rerun_all", scope="doctor", key_display="R"),
    Action("open_cause", "c", "open_cause", scope="doctor"),
    Action("search", "slash", "focus_search", scope="browser"),
    Action("pause", "space", "toggle_pause", scope="monitor", footer=True, key_display="␣"),
    Action("escape"),
    Action("quit", "ctrl+q", "quit", palette=True, priority=True),
)

BY_ID = {a.binding_id: a for a in ACTIONS}


def bindings(scope: str) -> list[BindingType]:
    """The `BINDINGS` of the app (`"app"`) or of one screen, from the registry.

    Descriptions are the English labels; `LocalizedBindings` shows them in the app's language."""
    return [Binding(a.keys, a.action, a.label("en"), show=a.footer, key_display=a.key_display,
                    priority=a.priority, id=a.binding_id)
            for a in ACTIONS if a.scope == scope and a.keys]


def palette_actions() -> list[Action]:
    return [a for a in ACTIONS if a.palette]


def help_rows(section: str, lang: str) -> list[str]:
    """The help screen's Markdown list for one section ("screens" or "keys")."""
    return [f"- **{a.keys_text(lang)}** — {a.help_line(lang)}" for a in ACTIONS if a.help == section]


def readme_table() -> str:
    """The README's key table (English), generated from the registry."""
    rows = ["| key | does |", "|---|---|"]
    rows += [f"| {a.keys_text('en')} | {a.help_line('en')} |"
             for section in HELP_SECTIONS for a in ACTIONS if a.help == section]
    return "\n".join(rows)


_KEY_WORDS = {"question_mark": "?", "slash": "/", "space": "Space"}


def _key_words(key: str) -> str:
    if key in _KEY_WORDS:
        return _KEY_WORDS[key]
    parts = key.split("+")
    return "+".join(p.capitalize() if len(p) > 1 else p for p in parts[:-1]) + (
        "+" if len(parts) > 1 else "") + (parts[-1].upper() if len(parts[-1]) > 1 or len(parts) > 1
                                          else parts[-1])


def textual_key(action: str) -> str:
    """The catalogue key for one of Textual's widget bindings: `cursor_left(True)` →
    `tx.bind.cursor_left.select`, `app.focus_next` → `tx.bind.focus_next`."""
    name = action.split(".", 1)[1] if action.startswith(("app.", "screen.")) else action
    name = re.sub(r"\(True\)$", ".select", name)
    return f"tx.bind.{name}"


def localize(binding: Binding, lang: str) -> Binding:
    """`binding` with its description in `lang` (ours from the registry, Textual's from `tx.bind.*`)."""
    ours = BY_ID.get(binding.id or "")
    if ours is not None:
        return replace(binding, description=ours.label(lang))
    if binding.description:
        key = textual_key(binding.action)
        if key in MESSAGES["en"]:
            return replace(binding, description=t(key, lang))
    return binding


class LocalizedBindings(AppAccess):
    """Mix into every Screen of the app: the footer and the key panel read `active_bindings`.

    (It brings `copycar_app`, the typed app, to every screen.)"""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        lang = self.copycar_app.lang
        return {key: ActiveBinding(b.node, localize(b.binding, lang), b.enabled, b.tooltip)
                for key, b in super().active_bindings.items()}  # type: ignore[misc]  # a Screen's, after this mixin
