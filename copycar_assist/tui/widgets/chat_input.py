"""The chat's input line: pastes are cleaned, joined into one line and capped."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input

from copycar_assist.i18n import t
from copycar_assist.textsafe import clean

from ..app_access import AppAccess

# The most text one message may carry; a pasted log beyond this is cut (and the user told).
PASTE_LIMIT = 10_000


class ChatInput(AppAccess, Input):
    """An Input whose paste handler strips control sequences, joins lines and caps the length."""

    @property
    def BINDING_GROUP_TITLE(self) -> str:  # type: ignore[override]  # Textual's is a class attribute
        """The key panel's heading for this input, in the app's language."""
        return t("tx.group.input", self.copycar_app.lang)

    class Pasted(Message):
        """Posted after a paste was changed to fit: `capped` and/or `joined`."""

        def __init__(self, capped: bool, joined: bool) -> None:
            self.capped = capped
            self.joined = joined
            super().__init__()

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, max_length=PASTE_LIMIT)

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # Input's own handler would keep only the first line
        raw = event.text or ""
        lines = [line.strip() for line in raw.splitlines() if line.strip()]
        joined = len(lines) > 1
        text = clean(" ".join(lines), keep_newlines=False)
        start, end = sorted(self.selection)
        room = max(0, PASTE_LIMIT - (len(self.value) - (end - start)))
        capped = len(text) > room
        text = text[:room]
        if text:
            self.replace(text, start, end)
        if capped or joined:
            self.post_message(self.Pasted(capped, joined))
