"""The conversation engine: a state machine over the decision tree, one ordered event stream.

    conv = Conversation(kb, matcher, settings)
    async for event in conv.start(): ...           # greeting and the first prompt
    events = conv.greet()                          # the same turn at once, before any event loop
    async for event in conv.send("me sale 401"):   # a description, an answer, a paste, a command
    async for event in conv.choose("yes"):         # a choice by id (a button, a key)

Every turn is one async stream of `events.py` events in the order they happen — check progress
included — and ends with a `Prompt`. Transitions go through `table.TABLE`; the diagnosis itself
(which check, question or cause next) is `belief.py`'s. UI-free: nothing here prints.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from copycar_assist.checks.base import CheckResult, Inputs
from copycar_assist.i18n import norm_lang, t
from copycar_assist.kb import KnowledgeBase
from copycar_assist.kb.tree import DecisionTree
from copycar_assist.redact import make_scrubber
from copycar_assist.support.transcript import Line
from copycar_assist.textsafe import clean, one_line

from . import explain, prompts
from .belief import Belief, believe
from .checkrun import CheckRunner, RunChecks
from .choices import Choice, Role
from .closing import Closing
from .diagnose import Diagnoser
from .events import (
    Answered,
    CheckUpdate,
    Event,
    GuideAnswer,
    LanguageChanged,
    Problem,
    Prompt,
    Say,
    StepShown,
    UserSaid,
)
from .fixing import Fixing
from .inputs import parse_command, pick, step_reply, words_role
from .intake import Intake
from .states import Facts, State, new_case_id
from .table import IN_CASE, handlers

if TYPE_CHECKING:
    import asyncio

    from copycar_assist.config import Settings
    from copycar_assist.desk.case import Case
    from copycar_assist.desk.fixes import FixBook
    from copycar_assist.matching.cues import CueFinder
    from copycar_assist.matching.result import MatchResult
    from copycar_assist.runs.runstore import RunStore
    from copycar_assist.support.history import SessionLog
    from copycar_assist.support.tickets import TicketStore

MAX_INPUT_CHARS = 4000
MAX_PASTE_CHARS = 200_000  # material asked for (a prompt, an e-mail, a log) may be long on purpose

class TextMatcher(Protocol):
    """What the engine asks of the matcher (`matching.Matcher`)."""

    def detect_language(self, text: str) -> str: ...

    def match(self, text: str, limit: int = 5, *, lang: str | None = None) -> MatchResult: ...


class Conversation:
    """One support conversation (a case). See the module docstring for the API."""

    def __init__(self, kb: KnowledgeBase, matcher: TextMatcher, settings: Settings | None = None,
                 lang: str | None = None, *, check_runner: RunChecks | None = None, history: SessionLog | None = None,
                 inputs: Inputs | None = None, check_deadline_s: float = 30.0,
                 tickets: TicketStore | None = None, cues: CueFinder | None = None,
                 samples: dict[str, list[tuple[str, str]]] | None = None, runs: RunStore | None = None,
                 case: Case | None = None) -> None:
        # a case (desk/case.py): the customer's context is the settings, its fixes are recorded
        self.case = case
        if case is not None:
            settings = case.settings
        if settings is None:
            from copycar_assist.config import Settings

            settings = Settings()
        self.kb = kb
        self.matcher = matcher
        self.settings = settings
        self.lang = norm_lang(lang or settings.language)
        self._lang_fixed = bool(lang or settings.language)
        self._lang_detected = False
        self._lang_settled = False  # a description was understood: stop following its language
        self.history = history
        if tickets is not None:  # else opened on first use (`tickets`): a greeting never needs it
            self.tickets = tickets
        # Material a front end can offer when a check asks for it (the demo world's sample
        # e-mails, prompts, account records, logs): input kind → [(label, text)].
        self.samples = dict(samples or {})
        self.case_id: str = history.id if history is not None and history.stopped is None else new_case_id()
        self.ticket_path: str | None = None
        self.scrub = make_scrubber(settings)
        self.tree = DecisionTree(kb)
        if cues is not None:  # else prepared on first use (`cues`)
            self.cues = cues
        # the run history (runs.runstore.RunStore): usual latencies for the checks, and what a
        # check showed before ("this check passed 1 h ago"); None: none
        self.runs = runs
        self.checks = CheckRunner(kb, settings, check_runner, inputs, deadline_s=check_deadline_s, history=runs)
        # what was handed over before the conversation began (a file named on the command line):
        # a restart keeps it, and forgets what was pasted since (`closing.restart`)
        self.given_inputs = replace(self.checks.inputs)
        if case is not None:  # else made on first use (`fixes`)
            self.fixes = case.fixes
        self.state = State.DESCRIBE
        self.facts = Facts()
        self.prompt: Prompt | None = None
        self._lines: list[Line] = []
        self._lock: asyncio.Lock | None = None  # one turn at a time; made by the first turn (in the loop)
        self.intake, self.dx, self.closing = Intake(self), Diagnoser(self), Closing(self)
        self.fixing = Fixing(self)
        self._handlers = handlers(self)

    @cached_property
    def cues(self) -> CueFinder:
        """The causes' evidence in the user's words (`matching.cues`), made on first use: a greeting never needs it."""
        from copycar_assist.matching.compiled import cues_for

        return cues_for(self.kb)

    @cached_property
    def tickets(self) -> TicketStore:
        """Where the case's tickets are saved (`support.tickets`), opened on first use."""
        from copycar_assist.support.tickets import TicketStore

        return TicketStore()

    @cached_property
    def fixes(self) -> FixBook:
        """The fixes applied to the conversation's settings (`desk.fixes`), made on first use."""
        from copycar_assist.desk.fixes import FixBook

        return FixBook(self.settings)

    # ---- public API ---------------------------------------------------------------------

    def start(self) -> AsyncIterator[Event]:
        """The greeting and the first prompt."""
        return self._turn(self._start(), None)

    def greet(self) -> list[Event]:
        """`start()` at once, for a front end that greets before it has an event loop (the first
        turn awaits nothing): the same events, recorded the same way."""
        events = self._greeting()
        for event in events:
            self._record(event)
        return events

    def send(self, text: str) -> AsyncIterator[Event]:
        """Free text: a command, an answer to the choices on offer, pasted material, or a description."""
        return self._turn(self._on_text(text), {"type": "input", "text": text})

    def choose(self, choice_id: str) -> AsyncIterator[Event]:
        """A choice picked by id (a button or a key)."""
        return self._turn(self._on_choice_id(choice_id), {"type": "choice", "id": choice_id})

    def set_language(self, lang: str) -> AsyncIterator[Event]:
        """Switch the language now: LanguageChanged and the current prompt said again."""
        return self._turn(self._switch_lang(norm_lang(lang, self.lang)), None)

    def note_results(self, results: list[CheckResult]) -> None:
        """Check results run outside the dialogue (the diagnostics screen) join the case's evidence."""
        for r in results:
            self.facts.results[r.id] = r
            self._lines.append(Line("evidence", f"{r.id}: {r.status} ({r.outcome}) — {r.summary}"))
            self._log({"type": "check", "phase": "finished", "id": r.id, "result": r.to_json(), "from": "outside"})

    @property
    def lang_known(self) -> bool:
        """True once the language was given, switched or detected from the first description."""
        return self._lang_fixed or self._lang_detected

    def transcript(self) -> list[Line]:
        return list(self._lines)

    def transcript_markdown(self) -> str:
        from copycar_assist.support.transcript import to_markdown

        return to_markdown(self._lines, self.lang, self.scrub)

    def ticket_markdown(self, severity: str | None = None) -> str:
        """A ticket for the case as it stands (without escalating)."""
        from . import ticketing

        return ticketing.draft(self, severity)[1]

    async def aclose(self) -> None:
        await self.checks.aclose()
        if self.history is not None:
            self.history.close()

    async def __aenter__(self) -> Conversation:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ---- the one exit: every event is recorded once, in order ----------------------------

    async def _turn(self, events: AsyncIterator[Event], record: dict[str, Any] | None) -> AsyncIterator[Event]:
        import asyncio  # here: `greet` shows the first turn before any event loop exists

        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if record is not None:
                self._log(record)
            try:
                async for event in events:
                    if isinstance(event, UserSaid):  # shown to every front end: a pasted key, masked
                        event = replace(event, text=self.scrub(event.text))
                    self._record(event)
                    yield event
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug must not end the conversation: say it, offer the prompt
                message = self.scrub(f"{type(exc).__name__}: {exc}")
                for event in [Problem(one_line(message, 300)), *prompts.render(self)]:
                    self._record(event)
                    yield event

    def _record(self, e: Event) -> None:
        if isinstance(e, Prompt):
            self.prompt = e
        elif isinstance(e, Say):
            self._lines.append(Line("assistant", e.text, e.markdown))
        elif isinstance(e, UserSaid):
            self._lines.append(Line("user", e.text))
        elif isinstance(e, Answered):
            self._lines.append(Line("assistant", e.question))
            self._lines.append(Line("user", e.answer))
        elif isinstance(e, StepShown):
            self._lines.append(Line("assistant", f"{e.index + 1}/{e.total}. {e.text}", True))
        elif isinstance(e, GuideAnswer):
            self._lines.append(Line("assistant", f"{e.text}\n\n({e.source})", True))
        elif isinstance(e, CheckUpdate) and e.result is not None:
            r = e.result
            self._lines.append(Line("evidence", f"{r.id}: {r.status} ({r.outcome}) — {r.summary}"))
        if not (isinstance(e, CheckUpdate) and e.phase == "step"):
            self._log(e.to_json())

    def _log(self, record: dict[str, Any]) -> None:
        if self.history is not None:
            try:
                self.history.append(record)
            except (OSError, ValueError):
                self.history = None  # the disk went away: keep talking, stop saving

    def goto(self, state: State) -> list[Event]:
        self.state = state
        return prompts.render(self)

    async def _emit(self, *events: Event) -> AsyncIterator[Event]:
        for e in events:
            yield e

    # ---- input dispatch -----------------------------------------------------------------

    async def _start(self) -> AsyncIterator[Event]:
        for e in self._greeting():
            yield e

    def _greeting(self) -> list[Event]:
        self.state = State.DESCRIBE
        greet = (t("conv.greet", self.lang) if self.lang_known
                 else t("conv.greet", "es") + "\n" + t("conv.greet", "en"))
        self._log({"type": "start", "lang": self.lang if self._lang_fixed else None, "case": self.case_id})
        return [Say(greet), *prompts.render(self)]

    async def _on_text(self, raw: str) -> AsyncIterator[Event]:
        gathering = self.state is State.GATHER
        text = clean(raw or "", limit=MAX_PASTE_CHARS if gathering else MAX_INPUT_CHARS).strip()
        if not text:
            for e in prompts.render(self):
                yield e
            return
        command = parse_command(text)
        if command is not None:
            async for e in self._command(*command):
                yield e
            return
        choices = self.prompt.choices if self.prompt else ()
        picked = pick(text, choices)
        if gathering:
            if picked is not None and picked.role in (Role.SKIP, Role.ESCALATE, Role.INPUT):
                async for e in self.on_choice(picked):
                    yield e
            else:
                async for e in self.dx.gather(text):
                    yield e
            return
        if picked is not None:
            async for e in self.on_choice(picked):
                yield e
            return
        if self.state is not State.DESCRIBE and words_role(text) is not None and not (
                self.state is State.STEP and step_reply(text)):
            yield Say(t("conv.not_understood", self.lang))
            for e in prompts.render(self):
                yield e
            return
        if self.state in IN_CASE:
            async for e in self.intake.in_case(text, choices):
                yield e
            return
        async for e in self.intake.describe(text):
            yield e

    async def _command(self, name: str, arg: str) -> AsyncIterator[Event]:
        yield UserSaid("/" + name + (f" {arg}" if arg else ""), kind="command")
        if name == "restart":
            async for e in self.closing.restart(None):
                yield e
        elif name == "lang":
            wanted = arg.lower()[:2] if arg else ("en" if self.lang == "es" else "es")
            if wanted not in ("es", "en"):
                yield Say(t("conv.lang_usage", self.lang))
                for e in prompts.render(self):
                    yield e
            else:
                async for e in self._switch_lang(wanted):
                    yield e
        elif name == "escalate":
            async for e in self.closing.escalate():
                yield e
        elif name == "back" and self.prompt is not None and (back := self.prompt.choice("back")) is not None:
            async for e in self.on_choice(back):
                yield e
        else:
            yield Say(t("conv.help", self.lang), markdown=True)
            for e in prompts.render(self):
                yield e

    async def _switch_lang(self, lang: str) -> AsyncIterator[Event]:
        self.lang, self._lang_fixed = lang, True
        yield LanguageChanged(lang)
        for e in prompts.render(self):
            yield e

    async def _on_choice_id(self, choice_id: str) -> AsyncIterator[Event]:
        choice = self.prompt.choice(choice_id) if self.prompt else None
        if choice is not None:
            async for e in self.on_choice(choice):
                yield e
            return
        jump = self._anywhere_choice(choice_id)
        if jump is None:
            yield Say(t("conv.not_available", self.lang))
            for e in prompts.render(self):
                yield e
            return
        yield UserSaid(f"→ {jump.label}", kind="command")
        if jump.role is Role.PICK_ENTRY and jump.entry:
            for e in self.intake.enter_entry(jump.entry, matched=False, new_case=True):
                yield e
        elif jump.entry and jump.cause:
            async for e in self.intake.start_at_cause(jump.entry, jump.cause):
                yield e
        elif jump.role is Role.ESCALATE:
            async for e in self.closing.escalate():
                yield e
        else:
            async for e in self.closing.restart(jump):
                yield e

    def _anywhere_choice(self, choice_id: str) -> Choice | None:
        """Choices accepted in any state: start at an entry or a cause (from the browser, the
        palette or the diagnostics screen), a new problem, escalation."""
        if choice_id.startswith("entry:") and choice_id[6:] in self.kb.entries:
            return Choice(choice_id, prompts.entry_title(self, choice_id[6:]), "", Role.PICK_ENTRY, entry=choice_id[6:])
        if choice_id.startswith("cause:"):
            entry_id, _, cause_id = choice_id[6:].partition("#")
            entry = self.kb.entries.get(entry_id)
            if entry is not None and entry.cause(cause_id) is not None:
                return Choice(choice_id, prompts.cause_title(self, entry_id, cause_id), "", Role.OTHER,
                              entry=entry_id, cause=cause_id)
        if choice_id == "restart":
            return Choice("restart", t("opt.restart", self.lang), "", Role.OTHER)
        if choice_id == "escalate" and self.state is not State.ESCALATED:
            return Choice("escalate", t("opt.escalate", self.lang), "", Role.ESCALATE)
        return None

    async def on_choice(self, choice: Choice) -> AsyncIterator[Event]:
        """A choice on offer: say the question and its answer, then follow the table."""
        yield Answered(self.prompt.text if self.prompt else "", choice.label, str(choice.role), choice.id)
        handler = self._handlers.get((self.state, choice.role))
        if handler is None:
            yield Say(t("conv.not_available", self.lang))
            for e in prompts.render(self):
                yield e
            return
        async for e in handler(choice):
            yield e

    # ---- describing a problem ---------------------------------------------------------------

    def belief(self) -> Belief | None:
        f = self.facts
        if f.entry_id is None or f.entry_id not in self.kb.entries:
            return None
        return believe(self.kb.entries[f.entry_id], f)

    def can_go_back_a_question(self) -> bool:
        f = self.facts
        return any(e == f.entry_id for e, _, _ in f.answers)

    def steps(self) -> list[str]:
        if not self.facts.cause:
            return []
        entry_id, cause_id = self.facts.cause
        steps = explain.usable_steps(self.tree.steps(entry_id, cause_id, self.lang))
        attempt = self.facts.attempt
        if attempt is None or (attempt.entry_id, attempt.cause_id) != self.facts.cause:
            return steps
        return explain.attempt_steps(steps, attempt.order)

    def step_event(self, i: int) -> StepShown:
        steps = self.steps()
        entry_id, cause_id = self.facts.cause or ("", "")
        return StepShown(i, len(steps), steps[i], explain.code_for(self, entry_id, cause_id, steps[i]))

async def collect(events: AsyncIterator[Event]) -> list[Event]:
    """Every event of one turn, as a list (tests, scripts)."""
    return [e async for e in events]
