"""The transition table: for every state, the roles its prompt may offer and where each may lead.

The engine dispatches a picked choice through this table (a role not listed for the state is
"not available now"), and the tests enumerate it: every (state, role) is reached and walked, in
both languages, and must land in one of the states listed here. Every state offers a way on and
a way back (rephrase, back, restart or escalate): there is no dead end.
"""

from __future__ import annotations

from .choices import Role
from .states import State

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
        Role.NO: frozenset({S.DESCRIBE}),
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
