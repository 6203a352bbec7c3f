"""'Set it up now' under a check skipped for a missing setting: the button and the setting it is
about. Imported when the first such check is shown (Textual's Button is not needed before)."""

from __future__ import annotations

from textual.widgets import Button


class SetupButton(Button):
    def __init__(self, label: str, setup_field: str) -> None:
        super().__init__(label, classes="msg setup-now", compact=True)
        self.setup_field = setup_field
