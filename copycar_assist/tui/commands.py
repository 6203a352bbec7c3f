"""Command-palette provider (ctrl+p): open any knowledge entry, and the app's main actions."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from copycar_assist.kb import pick
from copycar_assist.textsafe import one_line

from .strings import tr

# action name -> string key of its label
ACTIONS = (
    ("run_doctor", "cmd_doctor"),
    ("toggle_language", "cmd_lang"),
    ("toggle_theme", "cmd_theme"),
    ("export", "cmd_export"),
    ("mode('browser')", "cmd_browser"),
    ("new_conversation", "cmd_new"),
    ("help", "cmd_help"),
)


def _open(app, entry_id: str) -> None:
    app.run_worker(app.open_in_chat(entry_id), exit_on_error=False)


class CopyCarCommands(Provider):
    """Entries ("Open: Invalid API key") and actions ("Run doctor", "Switch language", …)."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str | None]]:
        app = self.app
        lang = getattr(app, "lang", "en")
        out: list[tuple[str, Callable[[], object], str | None]] = []
        kb = getattr(app, "kb", None)
        if kb is not None:
            for entry in kb.entries.values():
                title = one_line(pick(entry.title, lang, entry.id))
                other = one_line(pick(entry.title, "en" if lang == "es" else "es", ""))
                help_text = f"{entry.id} · {other}" if other and other != title else entry.id
                out.append((tr("open_entry", lang, title=title),
                            partial(_open, app, entry.id), help_text))
        for action, label in ACTIONS:
            out.append((tr(label, lang), partial(app.call_later, app.run_action, action), None))
        return out

    async def discover(self) -> Hits:
        for text, command, help_text in self._commands():
            yield DiscoveryHit(text, command, text=text, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text in self._commands():
            # also match the entry id and the other language's title (in help)
            score = max(matcher.match(text), matcher.match(help_text or "") * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, text=text, help=help_text)
