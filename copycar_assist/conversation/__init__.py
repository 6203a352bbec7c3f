"""The conversation engine: a UI-free state machine over the decision tree.

    conv = Conversation(kb, matcher, settings, lang=None, check_runner=None,
                        on_progress=None, history=None, inputs=None, check_deadline_s=30.0)
    events = conv.start()                    # greeting + first prompt
    events = await conv.send("me sale 401")  # free text: command, answer or description
    events = await conv.choose("yes")        # a choice by id (button or key)
    events = conv.set_language("en")         # LanguageChanged + the current prompt again
    conv.state                               # a State (str enum), see states.py
    conv.lang                                # "es" | "en" now (set it before start() to begin
                                             #  in a language and still follow the user)
    conv.choices                             # the Choices on offer now, or None
    conv.transcript()                        # list[support.transcript.Line]
    conv.transcript_markdown()               # exportable Markdown (scrubbed, untrusted fenced)
    conv.ticket_markdown(severity=None)      # a ticket draft without escalating
    await conv.aclose()                      # closes the shared HTTP client and the history

Events (events.py, frozen dataclasses): Say, Choices(prompt, options[Option(id, label, key)]),
MatchesShown(result), ChecksStarted(check_ids), CheckProgress(event), CauseFound(entry_id,
cause_id, evidence), StepShown(index, total, text), Resolved(), Escalated(ticket_markdown,
severity, level), LanguageChanged(lang). `event_to_dict(e)` gives a JSON-ready dict.

Additions to the team brief's API (all optional keyword arguments or extra ids):
- `on_progress(event)`: the live channel for slow turns. When given, the events produced just
  before checks start (the Say announcing them, `ChecksStarted`) and every `CheckProgress` are
  handed to it at once, and are NOT repeated in the list `send`/`choose` return; the returned
  list holds the rest of the turn. Every event reaches the UI exactly once, in order. When it is
  None, everything is in the returned list.
- `history`: a `support.history.SessionLog`; every event and input is appended (scrubbed) as it
  happens. `inputs`: a `checks.base.Inputs` handed to the checks (pasted prompt, files …).
  `check_deadline_s` (default 30): the total deadline of one check run; a check still running
  then is an `error` result, and the causes only it could tell apart are asked about instead.
- `check_runner`: replaces `checks.runner.run_checks` (same signature and return value).
- The engine does not echo the user's input as an event; it is in the transcript.
- Before running checks that need material from the user (`needs_input` on a check: a pasted
  prompt, an account or log file path), the engine asks for it: state `gather_input`, a
  `Choices` whose only option is `skip`; the next free text IS the input (a long pasted prompt
  is accepted up to 200,000 characters; a file path must exist, quotes around it are fine).
  Each input is asked once per conversation; values given at construction (`inputs=`) are used.
- Choice ids accepted in any state: `restart`, `escalate`, `browse`, `rephrase`,
  `entry:<entry id>` (start at that entry: confirm its symptoms), `cause:<entry id>#<cause id>`
  (start at that cause: its steps). In the escalated state `sev:<SEVERITY>` re-drafts the ticket
  with another severity. Commands typed as text: `/restart`, `/lang [es|en]`, `/escalate`, `/help`.
- After checks that point to no cause, questions come in this order: causes the checks left
  open, then open causes with no question (proposed as likely), then — said once, because the
  checks use this tool's settings and the failing integration may not — causes a passing check
  ruled out. After a fix that did not help, the same order gives the next likely cause; when
  nothing is left the engine escalates.
- Free text while choices are shown: a number picks the nth option, an option's key or label
  picks it, yes words (sí, si, yes, y, vale, ok) pick `yes` (or `done` in a step), no words pick
  `no`; anything else is a new description. Inside a diagnosis, text that matches no problem
  confidently keeps the current step and says so instead of throwing the progress away.
- Markdown: only `Say(markdown=True)` and `StepShown.text` hold Markdown, and only from the
  knowledge base and the UI strings; anything from outside arrives as `Say(markdown=False)`.
"""

from .engine import Conversation
from .events import (
    CauseFound, CheckProgress, Choices, ChecksStarted, Escalated, Event, LanguageChanged,
    MatchesShown, Option, Resolved, Say, StepShown, event_to_dict,
)
from .states import State

__all__ = [
    "CauseFound", "CheckProgress", "Choices", "ChecksStarted", "Conversation", "Escalated", "Event",
    "LanguageChanged", "MatchesShown", "Option", "Resolved", "Say", "State", "StepShown",
    "event_to_dict",
]
