"""What the conversation engine returns: plain, frozen data events that any UI renders.

Rendering rules for UIs:
- `Say.markdown=True` text comes from the knowledge base and the UI strings only (trusted);
  text that carries anything from outside (check summaries, evidence, the user's words) is
  always sent as `Say(markdown=False)` and must be shown as inert text.
- `Choices.options` have stable ids (`yes`, `no`, `entry:<id>`, `cat:<id>`, `done`, `skip`,
  `back`, `escalate`, `restart`, `rephrase`, `browse`, `retry`, `next`, `sev:<SEVERITY>`; `skip`
  also declines an input request) and a
  one-character key hint, unique within one `Choices`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from copycar_assist.checks.base import CheckResult
from copycar_assist.checks.base import Event as CheckEvent


@dataclass(frozen=True)
class Say:
    role: Literal["assistant", "user"]
    text: str
    markdown: bool = False


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    key: str = ""


@dataclass(frozen=True)
class Choices:
    prompt: str
    options: list[Option] = field(default_factory=list)

    def ids(self) -> list[str]:
        return [o.id for o in self.options]


@dataclass(frozen=True)
class MatchesShown:
    result: Any  # matching.MatchResult


@dataclass(frozen=True)
class ChecksStarted:
    check_ids: list[str]


@dataclass(frozen=True)
class CheckProgress:
    event: CheckEvent  # CheckStarted | CheckStep | CheckFinished


@dataclass(frozen=True)
class CauseFound:
    entry_id: str
    cause_id: str
    evidence: list[CheckResult]


@dataclass(frozen=True)
class StepShown:
    index: int  # 0-based
    total: int
    text: str


@dataclass(frozen=True)
class Resolved:
    pass


@dataclass(frozen=True)
class Escalated:
    ticket_markdown: str
    severity: str
    level: int


@dataclass(frozen=True)
class LanguageChanged:
    lang: str


Event = (
    Say | Choices | MatchesShown | ChecksStarted | CheckProgress | CauseFound | StepShown
    | Resolved | Escalated | LanguageChanged
)


def _check_event_dict(event: Any) -> dict[str, Any]:
    name = type(event).__name__
    if hasattr(event, "result"):
        return {"kind": name, "result": event.result.to_json()}
    return {"kind": name, **{k: v for k, v in vars(event).items()}}


def event_to_dict(event: Event) -> dict[str, Any]:
    """A JSON-ready dict of an event (for the session history and for tests)."""
    kind = type(event).__name__
    if isinstance(event, Say):
        data: dict[str, Any] = {"role": event.role, "text": event.text, "markdown": event.markdown}
    elif isinstance(event, Choices):
        data = {"prompt": event.prompt,
                "options": [{"id": o.id, "label": o.label, "key": o.key} for o in event.options]}
    elif isinstance(event, MatchesShown):
        r = event.result
        data = {"result": r.to_json() if hasattr(r, "to_json") else repr(r)}
    elif isinstance(event, ChecksStarted):
        data = {"check_ids": list(event.check_ids)}
    elif isinstance(event, CheckProgress):
        data = {"event": _check_event_dict(event.event)}
    elif isinstance(event, CauseFound):
        data = {"entry_id": event.entry_id, "cause_id": event.cause_id,
                "evidence": [r.to_json() for r in event.evidence]}
    elif isinstance(event, StepShown):
        data = {"index": event.index, "total": event.total, "text": event.text}
    elif isinstance(event, Escalated):
        data = {"severity": event.severity, "level": event.level, "ticket_markdown": event.ticket_markdown}
    elif isinstance(event, LanguageChanged):
        data = {"lang": event.lang}
    else:
        data = {}
    return {"type": kind, **data}
