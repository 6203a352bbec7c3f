"""Render the conversation engine's events on the chat screen.

The rules of `conversation/events.py` hold here: `Say(markdown=True)` is our own knowledge/UI text
(Markdown widget, links never opened); everything else — the user's words, check summaries and
evidence — is untrusted and shown as inert `Content`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from copycar_assist.kb import pick
from copycar_assist.textsafe import clean, one_line

from .strings import tr
from .widgets.check_view import CheckRunView, status_content
from .widgets.choices_bar import ChoicesBar
from .widgets.message_list import MessageList

if TYPE_CHECKING:
    from .screens.chat import ChatScreen

MAX_TICKET_CHARS = 20_000


class Renderer:
    def __init__(self, screen: ChatScreen) -> None:
        self.screen = screen
        self.run_view: CheckRunView | None = None
        self._placed = False

    @property
    def app(self):
        return self.screen.app

    @property
    def messages(self) -> MessageList:
        return self.screen.query_one(MessageList)

    async def render(self, event) -> None:
        handler = getattr(self, f"_on_{type(event).__name__}", None)
        if handler is not None:
            await handler(event)

    # --- events ---------------------------------------------------------------------------

    async def _on_Say(self, event) -> None:
        if event.role == "user":
            await self.messages.add_user(event.text)
        else:
            await self.messages.add_assistant(event.text, markdown=event.markdown)

    async def _on_Choices(self, event) -> None:
        await self.screen.query_one(ChoicesBar).show(event.prompt, event.options)

    async def _on_MatchesShown(self, event) -> None:
        result, kb, lang = event.result, self.app.kb, self.app.lang
        parts = []
        for match in list(getattr(result, "matches", []))[:3]:
            entry = kb.entries.get(match.id)
            title = pick(entry.title, lang, match.id) if entry else match.id
            parts.append(f"{title} {match.score:.0f}")
        if parts:
            line = Content(one_line(f"{tr('suggestions', lang)}: " + " · ".join(parts), limit=200))
            await self.messages.add(Static(line.stylize("$text-muted italic"), classes="msg matches",
                                           markup=False))

    def begin_turn(self) -> None:
        """A new user turn: the next check progress belongs to a new run view."""
        self.run_view = None
        self._placed = False

    async def _on_ChecksStarted(self, event) -> None:
        # Live progress (posted while the checks ran) may have created this run's view before
        # the turn's own events arrived: move it after what was said so far instead of adding
        # a second, empty one.
        view = self.run_view
        if view is not None and view.is_attached and not self._placed:
            messages = self.messages
            if messages.children and messages.children[-1] is not view:
                messages.move_child(view, after=messages.children[-1])
            self._placed = True
            return
        kb, lang = self.app.kb, self.app.lang
        rows = [(cid, pick(kb.checks[cid].title, lang, cid) if cid in kb.checks else cid)
                for cid in event.check_ids]
        self.run_view = CheckRunView(rows)
        self._placed = True
        await self.messages.add(self.run_view)

    async def _on_CheckProgress(self, event) -> None:
        from copycar_assist.checks.base import CheckFinished, CheckStarted, CheckStep

        inner = event.event
        check_id = inner.result.id if isinstance(inner, CheckFinished) else inner.check_id
        view = self.run_view
        if (view is None or not view.is_attached
                or (isinstance(inner, CheckStarted) and view.statuses().get(check_id) not in (None, "pending"))):
            view = self.run_view = CheckRunView([])
            self._placed = False
            await self.messages.add(view)
        if isinstance(inner, CheckStarted):
            view.started(inner.check_id, inner.title)
        elif isinstance(inner, CheckStep):
            view.step(inner.check_id, inner.message)
        elif isinstance(inner, CheckFinished):
            view.finished(inner.result)

    async def _on_CauseFound(self, event) -> None:
        # The engine says what was found (its own Say events); here the run that found it is
        # marked, and the screen remembers the cause (the palette and tests read it).
        self.screen.last_cause = (event.entry_id, event.cause_id)
        if self.run_view is not None and self.run_view.is_attached:
            self.run_view.add_class("-found")

    async def _on_StepShown(self, event) -> None:
        lang = self.app.lang
        head = tr("step", lang, index=event.index + 1, total=event.total)
        await self.messages.add_assistant(f"**{head}** — {_inline(event.text)}", markdown=True, classes="step")

    async def _on_Resolved(self, event) -> None:
        await self.messages.add(Static(Content(tr("resolved", self.app.lang)).stylize("bold $text-success"),
                                       classes="msg assistant cause", markup=False))

    async def _on_Escalated(self, event) -> None:
        lang = self.app.lang
        head = (f"**{tr('escalated', lang)}** · {tr('severity', lang)}: {_inline(event.severity)}"
                f" · {tr('level', lang)}: {event.level}")
        await self.messages.add_assistant(head, markdown=True, classes="escalation")
        from textual.widgets import Collapsible, Markdown  # imported on first use (start-up time)

        from .export import save_ticket

        ticket = clean(event.ticket_markdown, limit=MAX_TICKET_CHARS)
        path = save_ticket(self.app, ticket)
        if path is not None:
            await self.messages.add(Static(tr("ticket_saved", lang, path=one_line(str(path), limit=300)),
                                           classes="msg assistant", markup=False))
        # The whole ticket (transcript included) is long: folded, Enter on its title opens it.
        await self.messages.add(Collapsible(Markdown(ticket, open_links=False), title=tr("ticket_title", lang),
                                            collapsed=True, classes="msg assistant escalation"))

    async def _on_LanguageChanged(self, event) -> None:
        self.app.set_language(event.lang, announce=False)


def _inline(text: str) -> str:
    return " ".join(clean(str(text)).split())
