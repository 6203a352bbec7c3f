"""What the conversation engine says: plain, frozen data events, one ordered stream per turn.

Every event has a JSON form (`to_json()`, with its `"type"`) which is the `chat --json` contract
of DESIGN.md and what the session history stores. Rendering rules for front ends:

- `Say.markdown=True` holds text from the knowledge base and the UI catalogue only (trusted);
  anything carrying outside text (the user's words, check summaries, evidence) comes as
  `markdown=False` and must be shown as inert text.
- `UserSaid` and `Answered` are the user's side of the dialogue: a front end shows them instead
  of echoing input itself, so the scroll-back keeps each question with its answer.
- `Prompt` ends every turn: the engine waits for text or one of its `choices`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .choices import Choice

if TYPE_CHECKING:
    from copycar_assist.checks.base import CheckResult
    from copycar_assist.matching import MatchResult


class Event:
    type: ClassVar[str] = "event"

    def data(self) -> dict[str, Any]:
        return {}

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, **self.data()}


@dataclass(frozen=True)
class Say(Event):
    type: ClassVar[str] = "say"
    text: str
    markdown: bool = False
    tone: str = "info"  # info | success | warning

    def data(self) -> dict[str, Any]:
        return {"text": self.text, "markdown": self.markdown, "tone": self.tone}


@dataclass(frozen=True)
class UserSaid(Event):
    """A description, a pasted block or an input, as the engine received it."""

    type: ClassVar[str] = "user"
    text: str
    kind: str = "description"  # description | input | command | evidence

    def data(self) -> dict[str, Any]:
        return {"text": self.text, "kind": self.kind}


@dataclass(frozen=True)
class Answered(Event):
    """A prompt and the answer the user gave to it (picked or typed)."""

    type: ClassVar[str] = "answered"
    question: str
    answer: str
    role: str
    choice: str

    def data(self) -> dict[str, Any]:
        return {"question": self.question, "answer": self.answer, "role": self.role, "choice": self.choice}


@dataclass(frozen=True)
class LanguageChanged(Event):
    type: ClassVar[str] = "language"
    lang: str

    def data(self) -> dict[str, Any]:
        return {"lang": self.lang}


@dataclass(frozen=True)
class Matched(Event):
    type: ClassVar[str] = "matched"
    result: MatchResult
    kind: str = "problem"  # what kind of input the matcher took it for

    def data(self) -> dict[str, Any]:
        return {**self.result.to_json(), "kind": self.kind}


@dataclass(frozen=True)
class GuideAnswer(Event):
    """A question about the guide, answered from the knowledge (with where it comes from)."""

    type: ClassVar[str] = "answer"
    text: str
    source: str

    def data(self) -> dict[str, Any]:
        return {"text": self.text, "source": self.source}


@dataclass(frozen=True)
class ChecksStarted(Event):
    type: ClassVar[str] = "checks_started"
    check_ids: tuple[str, ...]

    def data(self) -> dict[str, Any]:
        return {"checks": list(self.check_ids)}


@dataclass(frozen=True)
class CheckUpdate(Event):
    """Live progress of one check: started, a step, or finished with its result."""

    type: ClassVar[str] = "check"
    phase: str  # started | step | finished
    check_id: str
    title: str = ""
    message: str = ""
    result: CheckResult | None = None

    def data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"phase": self.phase, "id": self.check_id}
        if self.title:
            out["title"] = self.title
        if self.message:
            out["message"] = self.message
        if self.result is not None:
            out["result"] = self.result.to_json()
        return out


@dataclass(frozen=True)
class CauseFound(Event):
    type: ClassVar[str] = "cause_found"
    entry: str
    cause: str
    via: str  # check | answer | description | likely | chosen
    evidence: tuple[CheckResult, ...] = ()
    why: dict[str, Any] = field(default_factory=dict)

    def data(self) -> dict[str, Any]:
        return {"entry": self.entry, "cause": self.cause, "via": self.via,
                "evidence": [r.to_json() for r in self.evidence], "why": self.why}


@dataclass(frozen=True)
class CodeSample:
    lang: str
    code: str


@dataclass(frozen=True)
class StepShown(Event):
    type: ClassVar[str] = "step"
    index: int  # 0-based
    total: int
    text: str  # Markdown from the knowledge base
    code: tuple[CodeSample, ...] = ()

    def data(self) -> dict[str, Any]:
        return {"index": self.index, "total": self.total, "text": self.text,
                "code": [{"lang": c.lang, "code": c.code} for c in self.code]}


@dataclass(frozen=True)
class Resolved(Event):
    """The user says it is fixed; `verified` says whether a check confirmed it."""

    type: ClassVar[str] = "resolved"
    verified: bool
    steps_done: int = 0
    steps_skipped: int = 0

    def data(self) -> dict[str, Any]:
        return {"verified": self.verified, "steps_done": self.steps_done, "steps_skipped": self.steps_skipped}


@dataclass(frozen=True)
class Escalated(Event):
    type: ClassVar[str] = "escalated"
    severity: str
    level: int
    ticket: str | None  # the saved ticket's path (None when it could not be saved)
    ticket_markdown: str
    reason: str = "user"  # user | exhausted | handoff

    def data(self) -> dict[str, Any]:
        return {"severity": self.severity, "level": self.level, "ticket": self.ticket,
                "reason": self.reason, "ticket_markdown": self.ticket_markdown}


@dataclass(frozen=True)
class Prompt(Event):
    """The engine waits: free text (a description, an answer, an input) or one of `choices`."""

    type: ClassVar[str] = "prompt"
    state: str
    text: str
    choices: tuple[Choice, ...] = ()
    entry: str | None = None  # what the prompt is about
    cause: str | None = None
    expects: str = "choice"  # description | choice | input
    causes: tuple[str, ...] = ()  # a narrowing question: the causes a yes points to

    def data(self) -> dict[str, Any]:
        about: dict[str, Any] = {"entry": self.entry, "cause": self.cause}
        if self.causes:
            about["causes"] = list(self.causes)
        return {"state": self.state, "text": self.text, "expects": self.expects, "about": about,
                "choices": [c.to_json() for c in self.choices]}

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class Problem(Event):
    """Something inside the engine failed; the conversation goes on."""

    type: ClassVar[str] = "error"
    message: str

    def data(self) -> dict[str, Any]:
        return {"message": self.message}
