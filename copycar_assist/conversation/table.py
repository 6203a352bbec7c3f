"""The transition table: for every state, the roles its prompt may offer and where each may lead.

The engine dispatches a picked choice through this table (a role not listed for the state is
"not available now"; `handlers(conv)` says which part of the conversation answers each), and the tests enumerate it: every (state, role) is reached and walked, in
both languages, and must land in one of the states listed here. Every state offers a way on and
a way back (rephrase, back, restart or escalate): there is no dead end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from .choices import Choice, Role
from .states import State

if TYPE_CHECKING:
    from .engine import Conversation
    from .events import Event

Handler = Callable[[Choice], AsyncIterator["Event"]]  # what answers a picked choice: one turn's events

S = State
# Where the diagnosis may stop to wait after a step of it: an input, a question, a cause's
# steps (or "did that fix it?" when the cause has none), nothing found, or — after a fix that
# did not help and with no cause left — escalation.
DIAGNOSIS = frozenset({S.GATHER, S.QUESTION, S.STEP, S.ASK_FIXED, S.NO_CAUSE, S.ESCALATED})
FOUND = frozenset({S.STEP, S.ASK_FIXED})
ESCALATE = frozenset({S.ESCALATED})
# a fix that is a setting, applied (`apply:<n>`: re-checked like "it is fixed") or undone
# (`undo:<n>`: back to the cause's steps) — role `other` in the states that offer them
FIX = FOUND | frozenset({S.RESOLVED, S.VERIFY_FAILED})

TABLE: dict[State, dict[Role, frozenset[State]]] = {
    S.DESCRIBE: {Role.BROWSE: frozenset({S.BROWSE_CATEGORIES})},
    S.CLARIFY: {
        Role.PICK_ENTRY: frozenset({S.CONFIRM}),
        Role.REPHRASE: frozenset({S.DESCRIBE}),
        Role.BROWSE: frozenset({S.BROWSE_CATEGORIES}),
    },
    S.NO_MATCH: {
        Role.PICK_ENTRY: frozenset({S.CONFIRM}),
        Role.REPHRASE: frozenset({S.DESCRIBE}),
        Role.BROWSE: frozenset({S.BROWSE_CATEGORIES}),
        Role.HANDOFF: ESCALATE,
    },
    S.BROWSE_CATEGORIES: {
        Role.BROWSE: frozenset({S.BROWSE_ENTRIES}),
        Role.REPHRASE: frozenset({S.DESCRIBE}),
    },
    S.BROWSE_ENTRIES: {
        Role.PICK_ENTRY: frozenset({S.CONFIRM}),
        Role.BACK: frozenset({S.BROWSE_CATEGORIES}),
    },
    S.CONFIRM: {
        Role.YES: DIAGNOSIS,
        Role.NO: frozenset({S.DESCRIBE, S.CLARIFY}),  # the other entries the description matched, if any
        Role.ESCALATE: ESCALATE,
    },
    S.GATHER: {
        Role.INPUT: DIAGNOSIS,
        Role.SKIP: DIAGNOSIS,
        Role.ESCALATE: ESCALATE,
    },
    S.QUESTION: {
        Role.YES: DIAGNOSIS,  # a cause's question: its steps; a narrowing question: on with the rest
        Role.NO: DIAGNOSIS,
        Role.SKIP: DIAGNOSIS,
        Role.BACK: frozenset({S.QUESTION}),
        Role.ESCALATE: ESCALATE,
    },
    S.STEP: {
        Role.DONE: FOUND,
        Role.SKIP: FOUND,
        Role.BACK: frozenset({S.STEP}),
        Role.ESCALATE: ESCALATE,
        Role.OTHER: FIX,
    },
    S.ASK_FIXED: {
        Role.FIXED: frozenset({S.RESOLVED, S.VERIFY_FAILED}) | FOUND,
        Role.NOT_FIXED: DIAGNOSIS,
        Role.BACK: FOUND,
        Role.ESCALATE: ESCALATE,
        Role.OTHER: FIX,
    },
    S.VERIFY_FAILED: {
        Role.BACK: FOUND,
        Role.NEXT_CAUSE: DIAGNOSIS,
        Role.FIXED: frozenset({S.RESOLVED}),
        Role.ESCALATE: ESCALATE,
    },
    S.NO_CAUSE: {
        Role.ESCALATE: ESCALATE,
        Role.REPHRASE: frozenset({S.DESCRIBE}),
        Role.BROWSE: frozenset({S.BROWSE_CATEGORIES}),
        Role.OTHER: frozenset({S.DESCRIBE}),
    },
    S.RESOLVED: {
        Role.OTHER: frozenset({S.DESCRIBE}) | FOUND,
        Role.NOT_FIXED: DIAGNOSIS,
    },
    S.ESCALATED: {
        Role.SEVERITY: ESCALATE,
        Role.BACK: frozenset(State) - ESCALATE,
        Role.OTHER: frozenset({S.DESCRIBE}),
    },
}

# Free text in these states is a new description; elsewhere it is an answer, an input or more
# evidence for the case in hand (see engine.py).
DESCRIBING = frozenset({S.DESCRIBE, S.CLARIFY, S.NO_MATCH, S.BROWSE_CATEGORIES, S.BROWSE_ENTRIES})
IN_CASE = frozenset({S.CONFIRM, S.QUESTION, S.STEP, S.ASK_FIXED, S.VERIFY_FAILED})
ENDED = frozenset({S.NO_CAUSE, S.RESOLVED, S.ESCALATED})


def handlers(conv: Conversation) -> dict[tuple[State, Role], Handler]:
    """Who answers each (state, role) of the table: the conversation's parts' methods."""
    S, R = State, Role
    h: dict[tuple[State, Role], Handler] = {
        (S.DESCRIBE, R.BROWSE): conv.intake.browse,
        (S.CLARIFY, R.PICK_ENTRY): conv.intake.pick_entry,
        (S.CLARIFY, R.REPHRASE): conv.intake.rephrase,
        (S.CLARIFY, R.BROWSE): conv.intake.browse,
        (S.NO_MATCH, R.PICK_ENTRY): conv.intake.pick_entry,
        (S.NO_MATCH, R.REPHRASE): conv.intake.rephrase,
        (S.NO_MATCH, R.BROWSE): conv.intake.browse,
        (S.NO_MATCH, R.HANDOFF): conv.closing.handoff,
        (S.BROWSE_CATEGORIES, R.BROWSE): conv.intake.category,
        (S.BROWSE_CATEGORIES, R.REPHRASE): conv.intake.rephrase,
        (S.BROWSE_ENTRIES, R.PICK_ENTRY): conv.intake.pick_entry,
        (S.BROWSE_ENTRIES, R.BACK): conv.intake.browse,
        (S.CONFIRM, R.YES): conv.dx.confirmed,
        (S.CONFIRM, R.NO): conv.intake.not_confirmed,
        (S.GATHER, R.SKIP): conv.dx.skip_input,
        (S.GATHER, R.INPUT): conv.dx.sample_input,
        (S.QUESTION, R.YES): conv.dx.answer,
        (S.QUESTION, R.NO): conv.dx.answer,
        (S.QUESTION, R.SKIP): conv.dx.answer,
        (S.QUESTION, R.BACK): conv.dx.question_back,
        (S.STEP, R.DONE): conv.dx.step,
        (S.STEP, R.SKIP): conv.dx.step,
        (S.STEP, R.BACK): conv.dx.step,
        (S.ASK_FIXED, R.FIXED): conv.closing.fixed,
        (S.ASK_FIXED, R.NOT_FIXED): conv.closing.not_fixed,
        (S.ASK_FIXED, R.BACK): conv.dx.steps_again,
        (S.VERIFY_FAILED, R.BACK): conv.dx.steps_again,
        (S.VERIFY_FAILED, R.NEXT_CAUSE): conv.closing.next_cause,
        (S.VERIFY_FAILED, R.FIXED): conv.closing.close_on_word,
        (S.NO_CAUSE, R.REPHRASE): conv.intake.rephrase,
        (S.NO_CAUSE, R.BROWSE): conv.intake.browse,
        (S.RESOLVED, R.NOT_FIXED): conv.closing.reopen,
        (S.ESCALATED, R.SEVERITY): conv.closing.severity,
        (S.ESCALATED, R.BACK): conv.closing.back_from_escalation,
    }
    for state, roles in TABLE.items():  # escalate and restart do the same everywhere
        for role in roles:
            if role is Role.ESCALATE:
                h[(state, role)] = conv.closing.escalate_choice
            elif role is Role.OTHER:  # a new problem, or a fix to apply or undo (fixing.py)
                h[(state, role)] = conv.fixing.other
    return h
