"""Typed choices: what the user can pick at a prompt, with a role from a fixed vocabulary.

A front end never parses a choice id: it reads `role` (and `entry`, `cause`, `value` where the
role needs them) and sends the `id` back unchanged. Labels and key hints come from the i18n
catalogue (`opt.<id>`, `key.<role>`), one key per role and language, so a key means the same
thing in every state (in Spanish `s` is always «Sí», never «Saltar»).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from copycar_assist.i18n import t


class Role(StrEnum):
    YES = "yes"
    NO = "no"
    PICK_ENTRY = "pick_entry"
    REPHRASE = "rephrase"
    BROWSE = "browse"
    DONE = "done"
    SKIP = "skip"
    BACK = "back"
    FIXED = "fixed"
    NOT_FIXED = "not_fixed"
    NEXT_CAUSE = "next_cause"
    ESCALATE = "escalate"
    SEVERITY = "severity"
    HANDOFF = "handoff"
    INPUT = "input"
    ANSWER = "answer"
    OTHER = "other"


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    key: str
    role: Role
    entry: str | None = None
    cause: str | None = None
    value: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "label": self.label, "key": self.key, "role": str(self.role)}
        for name in ("entry", "cause", "value"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        return data


# The id of a fixed choice is its role's name, except where one role has several meanings.
RESTART = "restart"


def fixed(role: Role, lang: str, *, label: str | None = None, cid: str | None = None,
          entry: str | None = None, cause: str | None = None) -> Choice:
    """A choice with the role's own key; its label is `opt.<label or id>`."""
    oid = cid or str(role)
    return Choice(oid, t(f"opt.{label or oid}", lang), t(f"key.{oid if oid == RESTART else role}", lang),
                  role, entry=entry, cause=cause)


def numbered(items: list[tuple[str, str, Role, dict[str, str]]]) -> list[Choice]:
    """Choices keyed 1–9 in order: (id, label, role, extra fields)."""
    return [Choice(cid, label, str(n) if n < 10 else "", role, **extra)
            for n, (cid, label, role, extra) in enumerate(items, 1)]
