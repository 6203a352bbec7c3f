"""The states of a conversation and the facts of the case gathered along the way (plain data).

    DESCRIBE ─text→ match
        a question about the guide  → answered (GuideAnswer), DESCRIBE again
        a request out of scope      → NO_MATCH (rephrase | browse | hand-off)
        a close call                → CLARIFY (entries | rephrase | browse)
        nothing confident           → NO_MATCH, offering the entries that come closest, if any
        one entry                   → CONFIRM ("do you see these symptoms?")
    CONFIRM ─yes→ diagnosis: the belief over the entry's causes picks the next action by value
        run the checks → GATHER an input (a pasted e-mail, a prompt, a file) → QUESTION
        → a cause (via check, answer, description or as the likeliest) → STEP 1..n → ASK_FIXED
    ASK_FIXED ─fixed→ re-run the checks that can see the cause → RESOLVED (verified or not) |
        VERIFY_FAILED (the steps again | the next cause | escalate)
    ASK_FIXED ─not fixed→ the next most probable cause | ESCALATED when none is left
    any state ─escalate→ ESCALATED (one ticket per case) ─back→ where it was
    `table.py` lists every state's roles and where each may lead; a test walks them all.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from copycar_assist.checks.base import CheckResult
    from copycar_assist.matching import MatchResult
    from copycar_assist.matching.cues import CueHit


class State(StrEnum):
    DESCRIBE = "describe"
    CLARIFY = "clarify"
    NO_MATCH = "no_match"
    BROWSE_CATEGORIES = "browse_categories"
    BROWSE_ENTRIES = "browse_entries"
    CONFIRM = "confirm_symptoms"
    GATHER = "gather_input"
    QUESTION = "question"
    STEP = "step"
    ASK_FIXED = "ask_fixed"
    VERIFY_FAILED = "verify_failed"
    NO_CAUSE = "no_cause"
    RESOLVED = "resolved"
    ESCALATED = "escalated"


CauseKey = tuple[str, str]  # (entry id, cause id)


@dataclass
class Attempt:
    """One cause the user worked through: which steps were done or skipped, and how it ended."""

    entry_id: str
    cause_id: str
    via: str
    marks: list[str | None]  # per step: "done" | "skipped" | None (not reached)
    evidence: list[CheckResult] = field(default_factory=list)
    verified: str | None = None  # "pass" | "still" | "unverified" | None
    fixed: bool | None = None
    # The guide's steps in the order shown (indices): those that name a code the checks found or
    # the user pasted come first (`explain.found_first`); empty: the guide's order.
    order: list[int] = field(default_factory=list)


@dataclass
class Facts:
    """What the case knows so far. A new problem starts a new Facts (the case id stays)."""

    descriptions: list[str] = field(default_factory=list)
    match: MatchResult | None = None
    clarify_ids: list[str] = field(default_factory=list)  # the entries offered (CLARIFY, NO_MATCH)
    declined: str | None = None  # the entry whose usual symptoms the user said "no" to
    browse_category: str | None = None
    entry_id: str | None = None
    entries_seen: list[str] = field(default_factory=list)
    cues: list[CueHit] = field(default_factory=list)
    results: dict[str, CheckResult] = field(default_factory=dict)  # latest result per check id
    checks_run: set[str] = field(default_factory=set)  # ids run for the current entry
    answers: list[tuple[str, str, str]] = field(default_factory=list)  # (entry, cause, yes|no|unsure)
    question: tuple[str, str] | None = None  # (cause id, "ask" | "confirm") being asked
    second_look_said: bool = False
    gathering: str | None = None  # the input being asked for
    inputs_asked: set[str] = field(default_factory=set)
    cause: CauseKey | None = None
    attempts: list[Attempt] = field(default_factory=list)
    step_index: int = 0
    severity: str | None = None  # chosen when escalating
    before_escalation: State | None = None

    @property
    def attempt(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def tried(self) -> set[CauseKey]:
        return {(a.entry_id, a.cause_id) for a in self.attempts if a.fixed is False or a.verified == "still"}

    def answer_for(self, entry_id: str, cause_id: str) -> str | None:
        for e, c, value in reversed(self.answers):
            if (e, c) == (entry_id, cause_id):
                return value
        return None


def new_case_id() -> str:
    """Time to the second and a random part: sorts by time, never shared by two cases."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
