"""Plain-text rendering of conversation events (for `chat --plain`).

Everything printed goes through `textsafe.clean` first: check summaries and the knowledge base's
text are shown as text, never as terminal control sequences.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

from copycar_assist.textsafe import clean, one_line

MARKS = {"pass": "✓", "warn": "!", "fail": "✗", "error": "?", "skipped": "-"}
_STRONG = re.compile(r"\*\*(.+?)\*\*")


def plain(markdown: str) -> str:
    """Our own Markdown as plain text: strong emphasis dropped (screen readers say the stars)."""
    return _STRONG.sub(r"\1", markdown)


class PlainRenderer:
    def __init__(self, out: TextIO):
        self.out = out
        self.lang = "en"

    def line(self, text: str = "") -> None:
        self.out.write(clean(text) + "\n")

    def show(self, events: list[Any]) -> None:
        from copycar_assist.conversation import (
            CheckProgress, Choices, Escalated, LanguageChanged, Say, StepShown,
        )
        from copycar_assist.i18n import t

        for e in events:
            if isinstance(e, LanguageChanged):
                self.lang = e.lang
            elif isinstance(e, Say):
                self.line(plain(e.text) if e.markdown else e.text)
            elif isinstance(e, StepShown):
                self.line(t("plain.step", self.lang, n=e.index + 1, total=e.total, text=e.text))
            elif isinstance(e, Choices):
                self.line(e.prompt)
                for n, o in enumerate(e.options, 1):
                    key = f" [{o.key}]" if o.key and o.key != str(n) else ""
                    self.line(f"  {n}) {one_line(o.label, 120)}{key}")
            elif isinstance(e, Escalated):
                self.line(t("plain.ticket_begin", self.lang))
                self.line(e.ticket_markdown.rstrip())
                self.line(t("plain.ticket_end", self.lang))
            elif isinstance(e, CheckProgress):
                self.progress(e)  # only when the engine has no live channel
        self.out.flush()

    def progress(self, event: Any) -> None:
        """The engine's live channel: events said before checks start, then one line per check
        as it finishes."""
        from copycar_assist.conversation import CheckProgress

        if not isinstance(event, CheckProgress):
            self.show([event])
            return
        result = getattr(event.event, "result", None)
        if result is None:
            return
        mark = MARKS.get(result.status, "·")
        title = result.title or result.id
        self.line(f"  {mark} {one_line(title, 80)} ({result.duration_ms} ms)")
        self.out.flush()
