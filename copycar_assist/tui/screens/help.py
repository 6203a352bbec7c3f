"""Help: what each screen is for and every key, in the current language (F1 or ?)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from copycar_assist.i18n import norm_lang, t

from ..bindings import HELP_SECTIONS, LocalizedBindings, help_rows


def help_text(lang: str) -> str:
    """The help in `lang`: its prose from the catalogue, the screens and keys from the action
    registry (bindings.py), the answer keys from the choices' catalogue entries, and the demo's
    scenarios by service (from the simulator's catalogue)."""
    from copycar_assist.simulator.catalogue import by_service

    lang = norm_lang(lang)
    lines = [f"# {t('ui.help.title', lang)}", "", t("ui.help.intro", lang), ""]
    for section in HELP_SECTIONS:
        lines += [f"## {t(f'ui.help.{section}', lang)}", "", *help_rows(section, lang), ""]
    lines += [_answers(lang), f"## {t('ui.help.notes_head', lang)}", "", t("ui.help.notes", lang), ""]
    lines += [f"## {t('ui.help.demo_head', lang)}", "", t("ui.help.demo", lang), ""]
    for service, scenarios in by_service().items():
        lines.append(f"**{t(f'sim.service.{service}', lang)}**")
        lines.append("")
        lines += [f"- `{s.name}` — {s.summary(lang)}" for s in scenarios]
        lines.append("")
    return "\n".join(lines)


# The answer keys, in the order a conversation meets them: the same catalogue entries the
# choices on screen are built from, so the help cannot disagree with them.
ANSWER_ROLES = ("yes", "no", "done", "skip", "back", "fixed", "not_fixed", "next_cause", "escalate",
                "rephrase", "browse", "handoff", "restart")


def _answers(lang: str) -> str:
    rows = [f"- **{t(f'key.{role}', lang)}** — {t(f'opt.{role}', lang)}" for role in ANSWER_ROLES]
    return "\n".join([f"## {t('ui.help.answers_head', lang)}", "", t("ui.help.answers", lang), "", *rows,
                      f"- **1–9** — {t('ui.help.numbered', lang)}", ""])


class HelpScreen(LocalizedBindings, ModalScreen[None]):
    CSS_PATH = str(Path(__file__).parent.parent / "styles" / "help.tcss")
    BINDINGS = [
        Binding("escape", "dismiss", show=False),
        Binding("q", "dismiss", show=False),
        Binding("f1", "dismiss", show=False),
        Binding("question_mark", "dismiss", show=False),
    ]

    def compose(self) -> ComposeResult:
        lang = getattr(self.app, "lang", "en")
        with VerticalScroll(id="help-body"):
            yield Markdown(help_text(lang), open_links=False, id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def on_language(self, lang: str) -> None:
        self.query_one("#help-text", Markdown).update(help_text(lang))
