"""Command-palette provider (ctrl+p): open any knowledge entry, and the app's actions (the registry's
`palette` rows in bindings.py).

The palette parses every plain string it is given as markup (`Content.from_markup`: a title
holding `[@click=app.quit]` ran the action when clicked, one holding `[/]` crashed the app). So
every hit's prompt and help are `Content` built from plain text, and the letters the query
matched are highlighted on that `Content`, never through `Matcher.highlight` (which parses)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from copycar_assist.i18n import t
from copycar_assist.textsafe import one_line

from .bindings import palette_actions

if TYPE_CHECKING:
    from .app import CopyCarApp

SYMPTOM_FLOOR = 30.0  # symptom-matcher scores below this add nothing to the palette


def _open(app: CopyCarApp, entry_id: str) -> None:
    app.run_worker(app.open_in_chat(entry_id), exit_on_error=False)


class CopyCarCommands(Provider):
    """Entries ("Open: Invalid API key") and actions ("Run doctor", "Switch language", …).

    Textual's matcher finds typed letters in order in a label — right for actions and titles,
    wrong for a symptom ("spam" is in "ExPortar trAnscripción"…). Entries are also ranked by the
    symptom matcher, so "spam" or "429" finds the entry that is about it."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str | None, str | None]]:
        copycar = cast("CopyCarApp", self.app)
        lang = copycar.lang
        out: list[tuple[str, Callable[[], object], str | None, str | None]] = []
        if copycar.kb_ready:  # entries are listed once the knowledge is loaded
            from copycar_assist.kb import pick  # here: the first frame never needs the knowledge model

            for entry in copycar.kb.entries.values():
                title = one_line(pick(entry.title, lang, entry.id))
                other = one_line(pick(entry.title, "en" if lang == "es" else "es", ""))
                help_text = f"{entry.id} · {other}" if other and other != title else entry.id
                out.append((t("ui.open_entry", lang, title=title),
                            partial(_open, copycar, entry.id), help_text, entry.id))
        for action in palette_actions():
            out.append((action.command(lang), partial(copycar.call_later, copycar.run_action, action.action), None, None))
        return out

    async def _symptom_scores(self, query: str) -> dict[str, float]:
        """entry id -> score from the symptom matcher (empty if it is not ready or fails)."""
        app = cast("CopyCarApp", self.app)
        if not app.kb_ready or not query.strip():
            return {}
        try:
            result = (await app.get_matcher()).match(query, limit=len(app.kb.entries))
        except Exception:  # the palette must keep working with letters alone
            return {}
        # On the letter matcher's scale (about 4 per letter of the query at best), for the
        # entries the symptom matcher is at least fairly sure of.
        top = 4.0 * len(query.strip())
        return {m.id: top * m.score / 100.0 for m in result.matches if m.score >= SYMPTOM_FLOOR}

    async def discover(self) -> Hits:
        for text, command, help_text, _ in self._commands():
            # Textual types `help` as str, and parses a str as markup: Content is shown as it is
            yield DiscoveryHit(Content(text), command, text=text, help=_plain(help_text))  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        symptoms = await self._symptom_scores(query)
        for text, command, help_text, entry_id in self._commands():
            # the label, the entry id and the other language's title (in help), and the symptom
            score = max(matcher.match(text), matcher.match(help_text or "") * 0.8,
                        symptoms.get(entry_id or "", 0.0))
            if score > 0:
                yield Hit(score, _highlight(matcher, text), command, text=text,
                          help=_plain(help_text))  # type: ignore[arg-type]  # Content, as in discover()


def _plain(text: str | None) -> Content | None:
    """Help text as inert `Content` (the palette would parse a string as markup)."""
    return Content(text) if text else None


def _highlight(matcher: Matcher, text: str) -> Content:
    """`text` as plain `Content` with the letters the query matched styled."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if not score:
        return content
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
