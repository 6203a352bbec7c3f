"""The expert path of a practice case: the real conversation engine, told the customer's message,
answering its own questions the way the honest customer would, until it names a cause.

What it records is what the debrief shows: the entry the engine recognised (and how sure), the
checks it ran with their outcomes, the questions it asked with the true answers, the cause it
found and by what (check, answer, description), and the check results (the severity is proposed
from them, by `support.severity`, as the engine would for a ticket). Nothing is saved.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from copycar_assist.conversation import CauseFound, CheckUpdate, Conversation, Matched, Prompt
from copycar_assist.support.severity import propose_severity

from .cases import Case, Fault

if TYPE_CHECKING:
    from copycar_assist.checks.base import CheckResult
    from copycar_assist.config import Settings
    from copycar_assist.conversation.engine import TextMatcher
    from copycar_assist.conversation.events import Event
    from copycar_assist.kb import KnowledgeBase

MAX_TURNS = 15


@dataclass
class ExpertPath:
    fault: Fault
    matched: str | None = None  # the entry the engine recognised from the message (None: it had to be told)
    score: float = 0.0
    checks: list[dict[str, Any]] = field(default_factory=list)  # {id, status, outcome, summary, entry, cause}
    questions: list[dict[str, Any]] = field(default_factory=list)  # {text, about, answer: yes|no}
    found: dict[str, Any] | None = None  # {entry, cause, via}
    results: list[CheckResult] = field(default_factory=list)
    severity: str = "MEDIUM"
    severity_reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"entry": self.fault.entry, "cause": self.fault.cause, "matched": self.matched,
                "score": round(self.score, 1), "checks": self.checks, "questions": self.questions,
                "found": self.found, "severity": self.severity, "severity_reasons": self.severity_reasons}


def _pick(prompt: Prompt, fault: Fault, case: Case, path: ExpertPath) -> str | None:
    """The choice the expert makes at `prompt`, answering questions truthfully."""
    roles = {str(c.role): c.id for c in prompt.choices}
    state = str(prompt.state)
    if state == "confirm_symptoms":
        return roles.get("yes")
    if state == "gather_input":
        return roles.get("input") or roles.get("skip")
    if state == "question":
        about = set(prompt.causes) or ({prompt.cause} if prompt.cause else set())
        yes = prompt.entry == fault.entry and fault.cause in about
        path.questions.append({"text": prompt.text, "entry": prompt.entry, "about": sorted(about),
                               "answer": "yes" if yes else "no"})
        return roles.get("yes" if yes else "no")
    if state in ("clarify", "no_match", "browse_categories", "browse_entries", "describe"):
        hit = next((c.id for c in prompt.choices if c.entry == fault.entry), None)
        return hit or f"entry:{fault.entry}"
    return None


async def expert_path(kb: KnowledgeBase, matcher: TextMatcher, settings: Settings,
                      samples: dict[str, list[tuple[str, str]]] | None, case: Case, fault: Fault, message: str,
                      lang: str) -> ExpertPath:
    path = ExpertPath(fault)
    conv = Conversation(kb, matcher, settings, lang=lang, samples=samples)

    async def turn(stream: AsyncIterator[Event]) -> Prompt | None:
        prompt = None
        async for e in stream:
            if isinstance(e, Matched) and path.matched is None and path.score == 0.0:
                path.matched = e.result.best
                path.score = e.result.matches[0].score if e.result.matches else 0.0
            elif isinstance(e, CheckUpdate) and e.phase == "finished" and e.result is not None:
                r = e.result
                path.results.append(r)
                path.checks.append({"id": r.id, "status": r.status, "outcome": r.outcome, "summary": r.summary,
                                    "entry": r.entry, "cause": r.cause})
            elif isinstance(e, CauseFound) and path.found is None:
                path.found = {"entry": e.entry, "cause": e.cause, "via": e.via}
            elif isinstance(e, Prompt):
                prompt = e
        return prompt

    try:
        await turn(conv.start())
        prompt = await turn(conv.send(message))
        for _ in range(MAX_TURNS):
            if path.found is not None or prompt is None:
                break
            choice = _pick(prompt, fault, case, path)
            if choice is None:
                break
            prompt = await turn(conv.choose(choice))
    finally:
        await conv.aclose()
    proposal = propose_severity(kb, fault.entry, path.results)
    path.severity = proposal.severity
    path.severity_reasons = [r.code for r in proposal.reasons]
    return path
