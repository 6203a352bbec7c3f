"""The states of a conversation and the facts gathered along the way (plain data).

    GREETING ─start()→ DESCRIBE ─text→ match
        match ambiguous        → CLARIFY (top entries | rephrase | browse)
        match best is None     → NO_MATCH (rephrase | browse) → BROWSE_CATEGORIES → BROWSE_ENTRIES
        match best / entry:<id> → CONFIRM ("do you see these symptoms?")
    CONFIRM ─no→ DESCRIBE          CONFIRM ─yes→ GATHER (a check needs a pasted prompt or a
                                   file: give it or skip) → (checks run) → cause, or QUESTION
    QUESTION ─yes→ cause           QUESTION ─no→ next question | likely cause | NO_CAUSE
    cause → STEP 1..n (done | skip | back | escalate) → ASK_FIXED
    ASK_FIXED ─yes→ re-run the cause's checks → RESOLVED, or VERIFY_FAILED (retry | next | escalate)
    ASK_FIXED ─no→ next likely cause (question or steps) | escalate when none is left
    any state ─/escalate or escalate→ ESCALATED;  ─/restart→ DESCRIBE
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from copycar_assist.checks.base import CheckResult


class State(StrEnum):
    GREETING = "greeting"
    DESCRIBE = "describe"
    CLARIFY = "clarify"
    NO_MATCH = "no_match"
    BROWSE_CATEGORIES = "browse_categories"
    BROWSE_ENTRIES = "browse_entries"
    CONFIRM = "confirm_symptoms"
    GATHER = "gather_input"
    CHECKING = "checking"
    QUESTION = "question"
    STEP = "step"
    ASK_FIXED = "ask_fixed"
    VERIFYING = "verifying"
    VERIFY_FAILED = "verify_failed"
    NO_CAUSE = "no_cause"
    RESOLVED = "resolved"
    ESCALATED = "escalated"


CauseKey = tuple[str, str]  # (entry id, cause id)


@dataclass
class Attempt:
    """One cause the user worked through: which steps were done or skipped."""

    entry_id: str
    cause_id: str
    marks: list[str | None]  # per step: "done" | "skipped" | None (not reached)
    evidence: list[CheckResult] = field(default_factory=list)
    verified: str | None = None  # "pass" | "still" | "unverified" | None
    fixed: bool | None = None


@dataclass
class Facts:
    """What the conversation knows so far. Reset by /restart."""

    descriptions: list[str] = field(default_factory=list)
    match: Any = None  # the last MatchResult
    clarify_ids: list[str] = field(default_factory=list)
    browse_category: str | None = None
    entry_id: str | None = None
    entries_seen: list[str] = field(default_factory=list)
    results: dict[str, CheckResult] = field(default_factory=dict)  # latest result per check id
    ran_checks: bool = False
    checks_note: str | None = None  # i18n key explaining why checks did not run
    ruled_out: set[CauseKey] = field(default_factory=set)
    tried: list[CauseKey] = field(default_factory=list)
    answers: list[tuple[str, str, bool]] = field(default_factory=list)  # (entry, cause, yes?)
    pending_questions: list[str] = field(default_factory=list)  # cause ids of `entry_id`
    second_look_said: bool = False  # told why causes a check ruled out are asked about
    gathering: list[str] = field(default_factory=list)  # inputs still to ask for (Inputs fields)
    inputs_asked: set[str] = field(default_factory=set)
    cause: CauseKey | None = None
    cause_kind: str = "check"  # "check" | "question" | "likely" | "next"
    evidence: list[CheckResult] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    step_index: int = 0
    severity: str | None = None  # the severity chosen when escalating
    escalation_reasons: list[str] = field(default_factory=list)

    @property
    def attempt(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None
