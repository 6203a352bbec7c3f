"""The conversation as a scrolling list of messages.

User text is untrusted: it is shown as inert `Content`. Assistant text marked as Markdown is our
own knowledge text and goes to Textual's `Markdown` widget with links never opened; assistant
text not marked as Markdown is shown as inert `Content` too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from copycar_assist.textsafe import clean

from .safe import safe_content

if TYPE_CHECKING:
    from textual.widgets import Markdown

# Keep the list bounded: a very long session should not slow the screen down.
MAX_MESSAGES = 300
MAX_MARKDOWN_CHARS = 20_000


class MessageList(VerticalScroll, can_focus=True):
    def on_mount(self) -> None:
        self.anchor()  # stay at the newest message until the user scrolls up

    def _trim(self) -> None:
        extra = len(self.children) - MAX_MESSAGES
        if extra > 0:
            for child in list(self.children)[:extra]:
                child.remove()

    async def add(self, widget: Widget) -> Widget:
        await self.mount(widget)
        self._trim()
        self.scroll_end(animate=False)
        return widget

    async def add_user(self, text: str) -> Widget:
        return await self.add(Static(safe_content(text), classes="msg user", markup=False))

    async def add_assistant(self, text: str, markdown: bool = True, classes: str = "") -> Widget:
        if markdown:
            from textual.widgets import Markdown  # imported on first use (start-up time)

            widget: Widget = Markdown(clean(text, limit=MAX_MARKDOWN_CHARS), open_links=False,
                                      classes=f"msg assistant {classes}".strip())
        else:
            widget = Static(safe_content(text), classes=f"msg assistant {classes}".strip(), markup=False)
        return await self.add(widget)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        # Never open links from the conversation; show where it points, as inert text.
        event.stop()
        self.app.notify(clean(event.href, keep_newlines=False, limit=300), markup=False, timeout=4)
