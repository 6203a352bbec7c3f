"""The conversation transcript: what was said, by whom, when; exported to Markdown or text.

Trusted lines (`markdown=True`: knowledge-base and UI text) are written as Markdown; everything
else (the user's words, check summaries, evidence) is fenced so it stays inert. Everything is
scrubbed (secrets and key-like strings) before it is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from copycar_assist.i18n import t
from copycar_assist.redact import Scrub

from .textblock import fence

Role = Literal["assistant", "user", "evidence"]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Line:
    role: Role
    text: str
    markdown: bool = False
    at: str = field(default_factory=now_iso)

    def to_json(self) -> dict[str, Any]:
        return {"role": self.role, "text": self.text, "markdown": self.markdown, "at": self.at}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Line:
        return cls(data.get("role", "assistant"), str(data.get("text", "")),
                   bool(data.get("markdown", False)), str(data.get("at", "")))


def _identity(text: str) -> str:
    return text


def to_text(lines: Iterable[Line], lang: str, scrub: Scrub = _identity) -> str:
    """Plain text, one block per line: `[HH:MM:SS] Role: text` (for a fence in a ticket)."""
    out = []
    for line in lines:
        stamp = line.at[11:19] if len(line.at) >= 19 else line.at
        who = t(f"role.{line.role}", lang)
        out.append(f"[{stamp}] {who}: {scrub(line.text)}")
    return "\n".join(out)


def to_markdown(lines: Iterable[Line], lang: str, scrub: Scrub = _identity, title: str | None = None) -> str:
    """An exportable Markdown document of the conversation."""
    lines = list(lines)
    head = title or t("transcript.title", lang)
    started = lines[0].at if lines else now_iso()
    parts = [f"# {head}", "", f"_{t('transcript.started', lang, at=started)}_", ""]
    for line in lines:
        who = t(f"role.{line.role}", lang)
        stamp = line.at[11:19] if len(line.at) >= 19 else line.at
        parts.append(f"**{who}** · {stamp}")
        parts.append("")
        text = scrub(line.text)
        parts.append(text if line.markdown and line.role == "assistant" else fence(text))
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"
