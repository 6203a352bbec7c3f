"""Render the conversation engine's events on the chat screen, one at a time, in order.

The rules of `conversation/events.py` hold here: `Say(markdown=True)` is our own knowledge/UI
text (Markdown widget, links never opened); everything else — the user's words, answers, check
summaries and evidence — is untrusted and shown as inert `Content`. The engine says the user's
side too (`UserSaid`, `Answered`), so the scroll-back keeps each question with its answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from copycar_assist.i18n import t
from copycar_assist.textsafe import clean, one_line

from .widgets.check_view import CheckRunView
from .widgets.choices_bar import ChoicesBar
from .widgets.message_list import MessageList

if TYPE_CHECKING:
    from copycar_assist.checks.base import CheckResult
    from copycar_assist.conversation.events import (
        Answered,
        CauseFound,
        ChecksStarted,
        CheckUpdate,
        Escalated,
        Event,
        GuideAnswer,
        LanguageChanged,
        Matched,
        Problem,
        Prompt,
        Resolved,
        Say,
        StepShown,
        UserSaid,
    )

    from .app import CopyCarApp
    from .screens.chat import ChatScreen

MAX_TICKET_CHARS = 20_000
MAX_USER_CHARS = 2_000  # a long paste is shown folded after this


class Renderer:
    def __init__(self, screen: ChatScreen) -> None:
        self.screen = screen
        self.run_view: CheckRunView | None = None
        self.offered: set[str] = set()  # settings a "set it up now" button was shown for

    @property
    def app(self) -> CopyCarApp:
        return self.screen.copycar_app

    @property
    def messages(self) -> MessageList:
        return self.screen.query_one(MessageList)

    async def render(self, event: Event) -> None:
        handler = getattr(self, f"_on_{event.type}", None)  # one `_on_<type>` per event type shown
        if handler is not None:
            await handler(event)

    # --- the dialogue ---------------------------------------------------------------------

    async def _on_say(self, event: Say) -> None:
        classes = {"success": "success", "warning": "warning"}.get(event.tone, "")
        await self.messages.add_assistant(event.text, markdown=event.markdown, classes=classes)

    async def _on_user(self, event: UserSaid) -> None:
        text = event.text
        if len(text) > MAX_USER_CHARS:
            text = text[:MAX_USER_CHARS] + "…"
        await self.messages.add_user(text)

    async def _on_answered(self, event: Answered) -> None:
        line = Content.assemble((one_line(event.question, 200), "$text-muted"), "  → ",
                                (one_line(event.answer, 120), "bold"))
        await self.messages.add(Static(line, classes="msg answered", markup=False))

    async def _on_prompt(self, event: Prompt) -> None:
        await self.screen.query_one(ChoicesBar).show(event.text, event.choices)

    async def _on_matched(self, event: Matched) -> None:
        from copycar_assist.kb import pick  # here: the first frame never needs the knowledge model

        result, kb, lang = event.result, self.app.kb, self.app.lang
        parts = []
        for match in list(result.matches)[:3]:
            entry = kb.entries.get(match.id)
            title = pick(entry.title, lang, match.id) if entry else match.id
            parts.append(f"{title} {match.score:.0f}")
        if parts:
            line = Content(one_line(f"{t('ui.suggestions', lang)}: " + " · ".join(parts), limit=200))
            await self.messages.add(Static(line.stylize("$text-muted italic"), classes="msg matches",
                                           markup=False))

    async def _on_answer(self, event: GuideAnswer) -> None:
        await self.messages.add_assistant(event.text, markdown=True, classes="guide")
        await self.messages.add(Static(Content(one_line(event.source, 200)).stylize("$text-muted italic"),
                                       classes="msg matches", markup=False))

    async def _on_error(self, event: Problem) -> None:
        await self.messages.add(Static(Content(t("ui.engine_error", self.app.lang, reason=one_line(event.message, 300))),
                                       classes="msg assistant warning", markup=False))

    # --- checks ---------------------------------------------------------------------------

    async def _on_checks_started(self, event: ChecksStarted) -> None:
        kb, lang = self.app.kb, self.app.lang
        rows = [(cid, kb.check_title(cid, lang)) for cid in event.check_ids]
        self.run_view = CheckRunView(rows)
        await self.messages.add(self.run_view)

    async def _on_check(self, event: CheckUpdate) -> None:
        view = self.run_view
        if view is None or not view.is_attached:
            view = self.run_view = CheckRunView([])
            await self.messages.add(view)
        if event.phase == "started":
            view.started(event.check_id, event.title)
        elif event.phase == "step":
            view.step(event.check_id, event.message)
        elif event.result is not None:
            view.finished(event.result)
            await self._offer_setup(event.result)

    async def _offer_setup(self, result: CheckResult) -> None:
        """A check skipped for a setting the agent's own context lacks: offer to set it up now
        (in a case the case lacks it, and the agent's settings are not the place)."""
        from copycar_assist.desk.setup import group_for

        from .widgets.setup_button import SetupButton

        missing = str(result.evidence.get("missing") or "") if result.status == "skipped" else ""
        field = missing.split(",")[0].strip()
        group = group_for(field) if field else None
        if group is None or "context" in result.evidence or field in self.offered:
            return
        self.offered.add(field)
        await self.messages.add(SetupButton(t("ui.setup_now", self.app.lang, group=group.title(self.app.lang)), field))

    # --- cause, steps, endings --------------------------------------------------------------

    async def _on_cause_found(self, event: CauseFound) -> None:
        self.screen.last_cause = (event.entry, event.cause)
        if self.run_view is not None and self.run_view.is_attached:
            self.run_view.add_class("-found")

    async def _on_step(self, event: StepShown) -> None:
        lang = self.app.lang
        head = t("ui.step", lang, index=event.index + 1, total=event.total)
        await self.messages.add_assistant(f"**{head}** — {_inline(event.text)}", markdown=True, classes="step")
        if event.code:
            from textual.widgets import (  # imported on first use (start-up time)
                Collapsible,
                Markdown,
            )

            from copycar_assist.support.textblock import fence

            blocks = "\n\n".join(fence(sample.code, "".join(c for c in sample.lang if c.isalnum()) or "text")
                                   for sample in event.code)
            await self.messages.add(Collapsible(Markdown(clean(blocks, limit=MAX_TICKET_CHARS), open_links=False),
                                                title=t("ui.code_title", lang), collapsed=True,
                                                classes="msg assistant code"))

    async def _on_resolved(self, event: Resolved) -> None:
        key = "ui.resolved" if event.verified else "ui.resolved_unverified"
        style = "bold $text-success" if event.verified else "bold $text-warning"
        await self.messages.add(Static(Content(t(key, self.app.lang)).stylize(style),
                                       classes="msg assistant cause", markup=False))

    async def _on_escalated(self, event: Escalated) -> None:
        lang = self.app.lang
        head = (f"**{t('ui.escalated', lang)}** · {t('ui.severity', lang)}: {_inline(event.severity)}"
                f" · {t('ui.level', lang)}: {event.level}")
        await self.messages.add_assistant(head, markdown=True, classes="escalation")
        from textual.widgets import (  # imported on first use (start-up time)
            Collapsible,
            Markdown,
        )

        ticket = clean(event.ticket_markdown, limit=MAX_TICKET_CHARS)
        # The whole ticket (transcript included) is long: folded, Enter on its title opens it.
        await self.messages.add(Collapsible(Markdown(ticket, open_links=False), title=t("ui.ticket_title", lang),
                                            collapsed=True, classes="msg assistant escalation"))
        conv = self.screen.conversation
        if event.ticket and conv is not None:
            self.screen.send_ticket(conv.case_id)

    async def _on_language(self, event: LanguageChanged) -> None:
        self.app.set_language(event.lang, announce=False)


def _inline(text: str) -> str:
    return " ".join(clean(str(text)).split())
