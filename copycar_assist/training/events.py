"""The events of a training dialogue and their JSON form (`train --json`, documented in README).

The same shape as `chat --json`: each event is one JSON object with a `"type"`; when the dialogue
waits it ends with a `Prompt` whose choices have an `id`, a `label`, a `key` and a `role` from
`ROLES`. Plain data; nothing here renders or stores anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# what a choice does: investigate (check, ask, browse), answer a part, or move the dialogue on
ROLES = ("check", "ask", "question", "browse", "open", "answer", "pick", "back", "next", "done")


@dataclass(frozen=True)
class TChoice:
    id: str
    label: str
    key: str
    role: str
    value: str | None = None  # what the choice stands for (an entry id, "entry#cause", a severity …)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "label": self.label, "key": self.key, "role": self.role}
        if self.value is not None:
            out["value"] = self.value
        return out


def numbered(items: list[tuple[str, str, str, str | None]]) -> list[TChoice]:
    """(id, label, role, value) → choices keyed 1, 2, 3 …"""
    return [TChoice(cid, label, str(n), role, value) for n, (cid, label, role, value) in enumerate(items, 1)]


@dataclass(frozen=True)
class TEvent:
    type: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, **self.data}


@dataclass(frozen=True)
class Prompt:
    state: str
    text: str
    choices: tuple[TChoice, ...] = ()
    expects: str = "choice"  # choice | text (a free answer is read too)

    type = "prompt"

    def to_json(self) -> dict[str, Any]:
        return {"type": "prompt", "state": self.state, "text": self.text, "expects": self.expects,
                "choices": [c.to_json() for c in self.choices]}

    def choice(self, cid: str) -> TChoice | None:
        return next((c for c in self.choices if c.id == cid), None)

    def by_text(self, text: str) -> TChoice | None:
        """A choice named by its key, its id or its label (case-insensitive)."""
        low = text.strip().lower()
        return next((c for c in self.choices if low in (c.key.lower(), c.id.lower(), c.label.lower())), None)


# What a training dialogue yields.
TrainEvent = TEvent | Prompt


def say(text: str, tone: str = "info") -> TEvent:
    return TEvent("say", {"text": text, "tone": tone})
