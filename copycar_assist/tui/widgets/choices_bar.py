"""The current question's options as buttons with key hints (1–9, y, n).

When the bar has the focus, pressing an option's key picks it; any other printable key sends the
focus back to the input with that character, so typing free text always works.
"""

from __future__ import annotations

from textual import events
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from copycar_assist.textsafe import one_line


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

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._keys: dict[str, tuple[str, str]] = {}

    def compose(self):
        yield Static("", id="choices-prompt", markup=False)
        yield Horizontal(id="choices-buttons")

    @property
    def has_options(self) -> bool:
        return bool(self._keys)

    async def show(self, prompt: str, options) -> None:
        """options: objects with id, label and key (as the engine's `Option`)."""
        from textual.widgets import Button  # imported on first use (start-up time)

        await self.clear()
        self.query_one("#choices-prompt", Static).update(Content(one_line(prompt, limit=300)))
        buttons = []
        needed = 0  # columns the buttons take in one row
        for n, option in enumerate(options):
            key = (getattr(option, "key", None) or "").lower()
            label = one_line(option.label, limit=60)
            content = Content.assemble((f"{key} ", "bold $accent"), label) if key else Content(label)
            button = Button(content, id=f"choice-{n}", compact=True, classes="choice")
            button.option_id = option.id  # type: ignore[attr-defined]
            button.option_label = label  # type: ignore[attr-defined]
            buttons.append(button)
            needed += len(label) + 4
            if key:
                self._keys[key] = (option.id, label)
        row = self.query_one("#choices-buttons", Horizontal)
        # One row when the buttons fit, else a two-column grid (80 columns, long labels).
        available = (self.size.width or self.app.size.width) - 2
        row.set_class(needed > available, "-grid")
        await row.mount_all(buttons)
        self.display = bool(buttons)

    async def clear(self) -> None:
        self._keys = {}
        await self.query_one("#choices-buttons", Horizontal).remove_children()
        self.query_one("#choices-prompt", Static).update("")
        self.display = False

    def focus_first(self) -> None:
        buttons = self.query(".choice")
        if buttons:
            buttons.first().focus()

    def on_button_pressed(self, event) -> None:
        if event.button.has_class("choice"):
            event.stop()
            self.post_message(self.Chosen(event.button.option_id, event.button.option_label))

    def on_key(self, event: events.Key) -> None:
        char = (event.character or "").lower()
        if not char or not char.isprintable() or char == " ":
            return
        if char in self._keys:
            event.stop()
            event.prevent_default()
            option_id, label = self._keys[char]
            self.post_message(self.Chosen(option_id, label))
        elif event.is_printable and char not in "?":
            event.stop()
            event.prevent_default()
            self.post_message(self.TypeAhead(event.character or ""))
