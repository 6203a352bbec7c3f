"""How `chat` prints the engine's event stream: plain lines for people, JSON lines for scripts.

Everything printed goes through `textsafe.clean` (plain) or is JSON-escaped after it (json): the
knowledge base's text, check summaries and the user's own words never reach the terminal as
control sequences. Both print each event as it arrives, so check progress is live. On a
terminal, plain lines are wrapped to its width under their indentation and list markers
(`columns.fit`); code and tickets, which are copied, are printed as they are.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TextIO

from copycar_assist.conversation.events import (
    Answered,
    CheckUpdate,
    Escalated,
    Event,
    GuideAnswer,
    Problem,
    Prompt,
    Say,
    StepShown,
)
from copycar_assist.i18n import t
from copycar_assist.textsafe import clean, one_line

from .columns import fit

if TYPE_CHECKING:
    from copycar_assist.conversation import Conversation
    from copycar_assist.redact import Scrub

MARKS = {"pass": "✓", "warn": "!", "fail": "✗", "error": "?", "skipped": "-"}
_STRONG = re.compile(r"\*\*(.+?)\*\*")


def plain(markdown: str) -> str:
    """Our own Markdown as plain text: strong emphasis dropped (screen readers say the stars)."""
    return _STRONG.sub(r"\1", markdown)


class PlainRenderer:
    def __init__(self, out: TextIO, columns: int | None = None, scrub: Scrub | None = None):
        self.out = out
        self.columns = columns  # the terminal's width; None: not a terminal (lines as they are)
        self.scrub = scrub  # the writers' one scrub, before a line is wrapped (a secret is never split)

    def line(self, text: str = "", raw: bool = False, markdown: bool = False) -> None:
        text = clean(text) if self.scrub is None else self.scrub(clean(text))
        self.out.write((text if raw else fit(text, self.columns, markdown)) + "\n")

    async def show(self, events: AsyncIterator[Event], conv: Conversation) -> None:
        async for e in events:
            self.event(e, conv.lang)
            self.out.flush()

    def show_now(self, events: list[Event], conv: Conversation) -> None:
        """`show` for events already made (a greeting shown before the event loop starts)."""
        for e in events:
            self.event(e, conv.lang)
        self.out.flush()

    def event(self, e: Event, lang: str) -> None:
        if isinstance(e, Say):
            self.line(plain(e.text) if e.markdown else e.text, markdown=e.markdown)
        elif isinstance(e, Answered):
            self.line(f"  → {one_line(e.answer, 120)}")
        elif isinstance(e, GuideAnswer):
            self.line(plain(e.text), markdown=True)
            self.line(f"  ({e.source})")
        elif isinstance(e, StepShown):
            self.line(t("plain.step", lang, n=e.index + 1, total=e.total, text=plain(e.text)), markdown=True)
            for sample in e.code:
                self.line(t("plain.code_begin", lang, lang_name=sample.lang))
                self.line(sample.code.rstrip(), raw=True)
                self.line(t("plain.code_end", lang))
        elif isinstance(e, Prompt):
            self.line(e.text)
            for n, c in enumerate(e.choices, 1):
                key = f" [{c.key}]" if c.key and c.key != str(n) else ""
                self.line(f"  {n}) {one_line(c.label, 120)}{key}")
        elif isinstance(e, CheckUpdate) and e.result is not None:
            r = e.result
            self.line(f"  {MARKS.get(r.status, '·')} {one_line(r.title or r.id, 80)} ({r.duration_ms} ms)")
            if r.summary:  # what it found, under it (the app's results box shows the same)
                self.line(f"      {one_line(r.summary, 300)}")
        elif isinstance(e, Escalated):
            self.line(t("plain.ticket_begin", lang))
            self.line(e.ticket_markdown.rstrip(), raw=True)
            self.line(t("plain.ticket_end", lang))
        elif isinstance(e, Problem):
            self.line(t("plain.problem", lang, message=e.message))


class JsonRenderer:
    """`chat --json`: one JSON object per event and line; bad input lines become `error` events."""

    def __init__(self, out: TextIO, scrub: Scrub | None = None):
        self.out = out
        self.scrub = scrub  # the writers' one scrub: a key the user pasted is echoed masked

    def emit(self, data: dict[str, Any]) -> None:
        self.out.write(json.dumps(_scrubbed(data, self.scrub), ensure_ascii=False) + "\n")
        self.out.flush()

    async def show(self, events: AsyncIterator[Event], conv: Conversation) -> None:
        async for e in events:
            self.emit(e.to_json())

    def show_now(self, events: list[Event], conv: Conversation) -> None:
        for e in events:
            self.emit(e.to_json())

    def request(self, line: str, n: int, lang: str) -> tuple[str, str] | None:
        """("text", text) or ("choose", id) from one input line; None (after an error event, in
        `lang`) if bad."""
        if not line.strip():
            return None
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            self.emit({"type": "error", "message": t("cli.json.not_json", lang, n=n, why=exc.msg)})
            return None
        except RecursionError:
            self.emit({"type": "error", "message": t("cli.json.too_deep", lang, n=n)})
            return None
        if isinstance(data, dict) and isinstance(data.get("choose"), str):
            return "choose", data["choose"]
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            return "text", data["text"]
        self.emit({"type": "error", "message": t("cli.json.expected", lang, n=n)})
        return None


def _scrubbed(value: object, scrub: Scrub | None = None) -> object:
    """Every string of an event without control characters (JSON would carry them escaped), and
    through the writers' scrub when one is given."""
    if isinstance(value, str):
        return clean(value) if scrub is None else scrub(clean(value))
    if isinstance(value, dict):
        return {k: _scrubbed(v, scrub) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, scrub) for v in value]
    return value
