"""One of the current question's options as a button: which option it picks and its label as
shown. Imported when the first options are shown (Textual's Button is not needed before)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Button


class ChoiceButton(Button):
    def __init__(self, content: Content, option_id: str, option_label: str, *, id: str) -> None:
        super().__init__(content, id=id, compact=True, classes="choice")
        self.option_id = option_id
        self.option_label = option_label
