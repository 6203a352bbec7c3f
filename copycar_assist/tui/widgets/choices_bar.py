"""The current question's options as buttons with key hints (1–9, y, n).

When the bar has the focus, pressing an option's key picks it; any other printable key sends the
focus back to the input with that character, so typing free text always works. Once typing has
begun, every key goes to the input until the bar is focused again, spaces and option keys too:
keys typed faster than the focus moves ("emails bounce") are words, not choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import events
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from copycar_assist.textsafe import one_line

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.widgets import Button

    from copycar_assist.conversation.choices import Choice


class ChoicesBar(Vertical):
    class Chosen(Message):
        def __init__(self, option_id: str, label: str) -> None:
            self.option_id = option_id
            self.label = label
            super().__init__()

    class TypeAhead(Message):
        """A printable key pressed on the bar that is no option's key."""

        def __init__(self, character: str) -> None:
            self.character = character
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: dict[str, tuple[str, str]] = {}
        self._typing = False  # a key went to the input: the rest of what is typed follows it

    def compose(self) -> ComposeResult:
        yield Static("", id="choices-prompt", markup=False)
        yield Horizontal(id="choices-buttons")

    @property
    def has_options(self) -> bool:
        return bool(self._keys)

    async def show(self, prompt: str, options: Sequence[Choice]) -> None:
        """The engine's choices, each a button with its key."""
        from .choice_button import ChoiceButton  # imported on first use (start-up time)

        await self.clear()
        self.query_one("#choices-prompt", Static).update(Content(one_line(prompt, limit=300)))
        buttons = []
        widths = []  # columns each button takes: its key, its label and its frame
        for n, option in enumerate(options):
            key = option.key.lower()
            label = one_line(option.label, limit=60)
            content = Content.assemble((f"{key} ", "bold $accent"), label) if key else Content(label)
            buttons.append(ChoiceButton(content, option.id, label, id=f"choice-{n}"))
            widths.append(len(label) + (len(key) + 1 if key else 0) + 2)
            if key:
                self._keys[key] = (option.id, label)
        row = self.query_one("#choices-buttons", Horizontal)
        # One row when the buttons fit; else two columns when every label fits half the width
        # (80 columns); else one option per line, so that no label is cut.
        available = (self.size.width or self.app.size.width) - 2
        one_row = sum(w + 1 for w in widths) <= available
        two_columns = not one_row and max(widths, default=0) <= (available - 1) // 2
        row.set_class(two_columns, "-grid")
        row.set_class(not one_row and not two_columns, "-list")
        await row.mount_all(buttons)
        self.display = bool(buttons)

    async def clear(self) -> None:
        self._keys, self._typing = {}, False
        await self.query_one("#choices-buttons", Horizontal).remove_children()
        self.query_one("#choices-prompt", Static).update("")
        self.display = False

    def focus_first(self) -> None:
        buttons = self.query(".choice")
        if buttons:
            buttons.first().focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        from .choice_button import ChoiceButton

        if isinstance(event.button, ChoiceButton):
            event.stop()
            self.post_message(self.Chosen(event.button.option_id, event.button.option_label))

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._typing = False  # back on the options: keys pick them again

    def on_key(self, event: events.Key) -> None:
        char = (event.character or "").lower()
        if not char or not char.isprintable():
            return
        if self._typing:
            event.stop()
            event.prevent_default()
            self.post_message(self.TypeAhead(event.character or ""))
            return
        if char == " ":
            return  # it presses the focused option
        if char in self._keys:
            event.stop()
            event.prevent_default()
            option_id, label = self._keys[char]
            self.post_message(self.Chosen(option_id, label))
        elif event.is_printable and char not in "?":
            event.stop()
            event.prevent_default()
            self._typing = True
            self.post_message(self.TypeAhead(event.character or ""))
