"""The chat's input line: pastes are cleaned and capped; one of several lines (a log, an e-mail
with its headers, a traceback) is sent as it is, its lines kept (`Block`), after what was typed
before it."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input

from copycar_assist.i18n import number, t
from copycar_assist.textsafe import clean

from ..app_access import AppAccess

# The most text one message may carry; a pasted log beyond this is cut (and the user told).
PASTE_LIMIT = 10_000
BLOCK_LIMIT = 200_000  # several pasted lines, sent at once (the conversation caps them by what it asks)


class ChatInput(AppAccess, Input):
    """An Input whose paste handler strips control sequences, joins lines and caps the length."""

    @property
    def BINDING_GROUP_TITLE(self) -> str:  # type: ignore[override]  # Textual's is a class attribute
        """The key panel's heading for this input, in the app's language."""
        return t("tx.group.input", self.copycar_app.lang)

    class Block(Message):
        """Several lines pasted: `text` (what was typed before, then the lines) to send as it is."""

        def __init__(self, text: str, lines: int, capped: bool) -> None:
            self.text, self.lines, self.capped = text, lines, capped
            super().__init__()

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, max_length=PASTE_LIMIT)

    # PageUp/PageDown while typing scroll the conversation above (the input has no pages of its
    # own); they did nothing until the focus was moved to the conversation.
    def key_pageup(self, event: events.Key) -> None:
        self._scroll_chat(event, up=True)

    def key_pagedown(self, event: events.Key) -> None:
        self._scroll_chat(event, up=False)

    def _scroll_chat(self, event: events.Key, up: bool) -> None:
        from .message_list import MessageList

        found = self.screen.query(MessageList)
        if found:
            event.stop()
            if up:
                found.first().scroll_page_up()
            else:
                found.first().scroll_page_down()

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # Input's own handler would keep only the first line
        raw = event.text or ""
        lines = [line for line in raw.splitlines() if line.strip()]
        if len(lines) > 1:
            block = clean("\n".join(line.rstrip() for line in lines))
            typed = self.value.strip()
            text = f"{typed}\n{block}" if typed else block
            self.post_message(self.Block(text[:BLOCK_LIMIT], len(lines), len(text) > BLOCK_LIMIT))
            return
        self.insert_joined(raw)

    def insert_joined(self, raw: str) -> None:
        """`raw` into the line where the cursor is, its lines joined by spaces (a paste that cannot
        be sent as it is: one line, or while the assistant is still answering)."""
        lines = [line.strip() for line in raw.splitlines() if line.strip()]
        joined = len(lines) > 1
        text = clean(" ".join(lines), keep_newlines=False)
        start, end = sorted(self.selection)
        room = max(0, PASTE_LIMIT - (len(self.value) - (end - start)))
        capped = len(text) > room
        text = text[:room]
        if text:
            self.replace(text, start, end)
        lang = self.copycar_app.lang
        if capped:
            self.notify(t("ui.paste_capped", lang, limit=number(PASTE_LIMIT, lang, ",")), markup=False, severity="warning")
        elif joined:
            self.notify(t("ui.paste_lines", lang), markup=False, timeout=3)
