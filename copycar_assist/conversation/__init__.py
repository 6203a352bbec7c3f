"""The conversation engine: a UI-free state machine over the decision tree.

    conv = Conversation(kb, matcher, settings, lang=None, check_runner=None, history=None,
                        inputs=None, check_deadline_s=30.0, tickets=None, case=None)
    async for event in conv.start(): ...              # greeting + first prompt
    async for event in conv.send("me sale 401"): ...  # free text: command, answer, paste or description
    async for event in conv.choose("yes"): ...        # a choice by id
    async for event in conv.set_language("en"): ...   # LanguageChanged + the current prompt again
    conv.note_results(results)                        # checks run elsewhere join the case's evidence
    conv.state, conv.lang, conv.prompt, conv.facts, conv.case_id, conv.ticket_path
    conv.transcript(), conv.transcript_markdown(), conv.ticket_markdown(severity=None)
    await conv.aclose()

One ordered stream per turn (check progress included), ending with a `Prompt` whose choices are
typed (`Choice.role` from a fixed vocabulary, `entry`/`cause`/`value` where they matter). Each
event's `to_json()` is the `chat --json` contract. `collect(stream)` gathers a turn in a list.

A case (`desk/case.py`) gives the customer's context: its settings are the conversation's, and
fixes that are a setting (`conv.fixes`, offered with a diff when a cause is found) are applied
with `apply:<n>` and undone with `undo:<n>` (role `other`), then re-checked (fixing.py).

Choices accepted in any state: `entry:<id>` (start at an entry), `cause:<entry>#<cause>` (start
at a cause), `restart`, `escalate`. Commands, in either language: `/restart` `/reiniciar`,
`/lang` `/idioma`, `/escalate` `/escalar`, `/back` `/atras`, `/help` `/ayuda`.

Free text while choices are shown: a number, a key, a label, or words naming a role in either
language (sí/yes, no, hecho/listo/done, no sé/not sure, atrás/back …) pick a choice; "sí, solo la
newsletter" answers and adds evidence; inside a case other words are more evidence for it, or a
different problem when they clearly describe one. When the engine asks for material (GATHER),
the next text is that material: pasted text, or the path of a file.
"""

from .choices import Choice, Role
from .engine import Conversation, collect
from .events import (
    Answered,
    CauseFound,
    ChecksStarted,
    CheckUpdate,
    CodeSample,
    Escalated,
    Event,
    GuideAnswer,
    LanguageChanged,
    Matched,
    Problem,
    Prompt,
    Resolved,
    Say,
    StepShown,
    UserSaid,
)
from .states import State
from .table import TABLE

__all__ = [
    "Answered", "CauseFound", "CheckUpdate", "ChecksStarted", "Choice", "CodeSample", "Conversation",
    "Escalated", "Event", "GuideAnswer", "LanguageChanged", "Matched", "Problem", "Prompt", "Resolved",
    "Role", "Say", "State", "StepShown", "TABLE", "UserSaid", "collect",
]
