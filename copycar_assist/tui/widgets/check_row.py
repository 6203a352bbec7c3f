"""A check's state on screen, shared by the chat's check view and the doctor screen's tree."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Row:
    """A check's state on screen: its status, duration and the latest step while it runs."""

    title: str
    status: str = "pending"
    ms: int | None = None
    note: str = ""
