"""The conversation engine: a state machine over the decision tree (see `states.py`).

UI-free: every call returns a list of plain events (`events.py`); nothing is printed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from copycar_assist.checks.base import CheckResult, Inputs
from copycar_assist.i18n import norm_lang, t
from copycar_assist.kb import KnowledgeBase
from copycar_assist.kb.tree import DecisionTree
from copycar_assist.support.textblock import make_scrubber
from copycar_assist.support.transcript import Line
from copycar_assist.textsafe import clean

from . import prompts, ticketing
from .checkrun import CheckRunner
from .events import (
    CheckProgress, Choices, Event, LanguageChanged, MatchesShown, Say, StepShown, event_to_dict,
)
from .flow import Flow
from .inputs import is_bare_answer, parse_command, pick_option
from .states import Facts, State

MAX_INPUT_CHARS = 4000
MAX_PASTED_PROMPT_CHARS = 200_000  # a prompt pasted for content.prompt may be long on purpose


class Conversation(Flow):
    """One support conversation. See the package docstring for the API."""

    def __init__(self, kb: KnowledgeBase, matcher: Any, settings: Any = None, lang: str | None = None,
                 check_runner: Callable[..., Any] | None = None, *,
                 on_progress: Callable[[Event], None] | None = None,
                 history: Any = None, inputs: Inputs | None = None, check_deadline_s: float = 30.0):
        if settings is None:
            from copycar_assist.config import Settings

            settings = Settings()
        self.kb = kb
        self.matcher = matcher
        self.settings = settings
        fixed = lang or getattr(settings, "language", None)
        self.lang = norm_lang(fixed)
        self._lang_fixed = bool(fixed)
        self._lang_detected = False
        self._lang_settled = False  # a description was understood: stop following its language
        self.on_progress = on_progress
        self.history = history
        self.scrub = make_scrubber(settings)
        self.tree = DecisionTree(kb)
        self.checks = CheckRunner(kb, settings, check_runner, inputs, deadline_s=check_deadline_s)
        self.state: State = State.GREETING
        self.facts = Facts()
        self._choices: Choices | None = None
        self._lines: list[Line] = []
        self._lock = asyncio.Lock()
        self._pending_progress: list[Event] = []
        self._recorded: set[int] = set()
        self._delivered: set[int] = set()

    # ---- public API ---------------------------------------------------------------------

    def start(self) -> list[Event]:
        """The greeting and the first prompt."""
        self.state = State.DESCRIBE
        if self.lang_known:
            greet = t("conv.greet", self.lang)
        else:
            greet = t("conv.greet", "es") + "\n" + t("conv.greet", "en")
        self._log({"type": "start", "lang": self.lang if self._lang_fixed else None})
        return self._emit([Say("assistant", greet)] + self._prompt())

    async def send(self, text: str) -> list[Event]:
        """Free text typed by the user: a command, a pick among the shown choices, or a description."""
        async with self._lock:
            gathering_prompt = self.state is State.GATHER and self.facts.gathering[:1] == ["prompt"]
            text = clean(text or "", limit=MAX_PASTED_PROMPT_CHARS if gathering_prompt else MAX_INPUT_CHARS)
            text = text.strip()
            if text:
                self._lines.append(Line("user", text))
                self._log({"type": "input", "text": text})
            return self._emit(await self._on_text(text))

    async def choose(self, choice_id: str) -> list[Event]:
        """A choice picked by id (a button or a key)."""
        async with self._lock:
            label = self._label_of(choice_id)
            self._lines.append(Line("user", f"[{label}]" if label else f"[{choice_id}]"))
            self._log({"type": "choice", "id": choice_id})
            return self._emit(await self._on_choice(choice_id))

    def set_language(self, lang: str) -> list[Event]:
        """Switch the language now: LanguageChanged and the current prompt said again."""
        self.lang = norm_lang(lang, self.lang)
        self._lang_fixed = True
        self._log({"type": "lang", "lang": self.lang})
        return self._emit([LanguageChanged(self.lang)] + self._prompt())

    def transcript(self) -> list[Line]:
        """What was said so far (assistant, user and check evidence lines), in order."""
        return list(self._lines)

    def transcript_markdown(self) -> str:
        from copycar_assist.support.transcript import to_markdown

        return to_markdown(self._lines, self.lang, self.scrub)

    def ticket_markdown(self, severity: str | None = None) -> str:
        """A ticket for the conversation as it stands (without escalating)."""
        return ticketing.draft(self, severity)[1]

    @property
    def lang_known(self) -> bool:
        """True once the language was given, switched or detected from the first description."""
        return self._lang_fixed or self._lang_detected

    @property
    def choices(self) -> Choices | None:
        """The choices currently offered (None while free text is expected)."""
        return self._choices

    async def aclose(self) -> None:
        await self.checks.aclose()
        if self.history is not None:
            self.history.close()

    async def __aenter__(self) -> Conversation:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ---- input dispatch -----------------------------------------------------------------

    async def _on_text(self, text: str) -> list[Event]:
        if not text:
            return self._prompt()
        command = parse_command(text)
        if command and command[0] in ("restart", "lang", "escalate", "help"):
            return await self._command(*command)
        if self.state is State.GATHER and self._choices is not None:
            if pick_option(text, self._choices.options) == "skip":
                return await self._give_input(None)
            return await self._give_input(text)
        if self._choices is not None:
            picked = pick_option(text, self._choices.options) or self._leading_yes_no(text)
            if picked:
                return await self._on_choice(picked)
            if is_bare_answer(text):  # "sí" where no yes/no is on offer is not a description
                return [Say("assistant", t("conv.not_understood", self.lang))] + self._prompt()
        return await self._describe(text)

    def _leading_yes_no(self, text: str) -> str | None:
        """"no, sigue igual" → no; "sí claro" → yes (short answers only)."""
        assert self._choices is not None
        words = text.replace(",", " , ").split()
        if not words or not (len(words) <= 2 or (len(words) > 1 and words[1] == ",")):
            return None
        return pick_option(words[0], [o for o in self._choices.options if o.id in ("yes", "no")])

    async def _command(self, name: str, arg: str) -> list[Event]:
        if name == "restart":
            return self._restart()
        if name == "lang":
            wanted = arg.lower()[:2] if arg else ("en" if self.lang == "es" else "es")
            if wanted not in ("es", "en"):
                return [Say("assistant", t("conv.lang_usage", self.lang))]
            return [LanguageChanged(wanted)] + self._switch_lang(wanted)
        if name == "escalate":
            return self._escalate()
        return [Say("assistant", t("conv.help", self.lang), markdown=True)] + self._prompt()

    def _switch_lang(self, lang: str) -> list[Event]:
        self.lang, self._lang_fixed = lang, True
        self._log({"type": "lang", "lang": lang})
        return self._prompt()

    async def _on_choice(self, cid: str) -> list[Event]:
        offered = self._choices.ids() if self._choices else []
        if cid == "restart":
            return self._restart()
        if cid == "escalate":
            return self._escalate()
        if cid.startswith("sev:") and self.state is State.ESCALATED:
            return self._escalate(cid[4:].upper())
        if cid == "browse":
            return self._goto(State.BROWSE_CATEGORIES)
        if cid == "rephrase":
            return [Say("assistant", t("conv.rephrase", self.lang))] + self._goto(State.DESCRIBE)
        if cid.startswith("entry:") and cid[6:] in self.kb.entries:
            return self._enter_entry(cid[6:])
        if cid.startswith("cause:"):
            return self._jump_to_cause(cid[6:])
        if cid.startswith("cat:") and self.state is State.BROWSE_CATEGORIES:
            self.facts.browse_category = cid[4:]
            return self._goto(State.BROWSE_ENTRIES)
        if cid not in offered:
            return [Say("assistant", t("conv.not_available", self.lang))] + self._prompt()
        return await self._on_state_choice(cid)

    async def _on_state_choice(self, cid: str) -> list[Event]:
        s = self.state
        if s is State.BROWSE_ENTRIES and cid == "back":
            return self._goto(State.BROWSE_CATEGORIES)
        if s is State.GATHER:
            return await self._give_input(None)
        if s is State.CONFIRM:
            if cid == "yes":
                return await self._diagnose()
            return [Say("assistant", t("conv.describe_more", self.lang))] + self._goto(State.DESCRIBE)
        if s is State.QUESTION:
            return self._answer(cid == "yes")
        if s is State.STEP:
            return self._step(cid)
        if s is State.ASK_FIXED:
            return await self._fixed(cid == "yes")
        if s is State.VERIFY_FAILED:
            if cid == "retry":
                self.facts.step_index = 0
                return self._goto(State.STEP)
            return self._next_cause(after_attempt=True)
        return self._prompt()

    # ---- descriptions and matching ----------------------------------------------------------

    async def _describe(self, text: str) -> list[Event]:
        events: list[Event] = []
        if not self._lang_fixed and not self._lang_settled:
            # Follow each description until one is understood ("hola", then English, is English);
            # after that a pasted English error does not switch a Spanish conversation.
            self._lang_detected = True
            detected = norm_lang(self.matcher.detect_language(text), self.lang)
            if detected != self.lang:
                self.lang = detected
                events.append(LanguageChanged(detected))
        in_flow = self.state in (State.QUESTION, State.STEP, State.ASK_FIXED, State.VERIFY_FAILED,
                                 State.CONFIRM, State.CHECKING, State.VERIFYING)
        result = await asyncio.to_thread(self.matcher.match, text, 5)
        ids = [m.id for m in result.matches if m.id in self.kb.entries]
        confident = bool(result.best) or (result.ambiguous and len(ids) >= 2)
        self._lang_settled = self._lang_settled or confident
        if in_flow and (not confident or result.best == self.facts.entry_id):
            # Not an answer, and not clearly a new problem: stay where we are.
            return events + [Say("assistant", t("conv.not_understood", self.lang))] + self._prompt()
        if self.state not in (State.GREETING, State.DESCRIBE, State.CLARIFY, State.NO_MATCH,
                              State.BROWSE_CATEGORIES, State.BROWSE_ENTRIES):
            self.facts = Facts(descriptions=self.facts.descriptions)
        self.facts.descriptions.append(text)
        self.facts.match = result
        events.append(MatchesShown(result))
        if result.ambiguous and len(ids) >= 2:
            self.facts.clarify_ids = ids[:3]
            return events + [Say("assistant", t("conv.clarify", self.lang))] + self._goto(State.CLARIFY)
        if result.best and result.best in self.kb.entries:
            return events + self._enter_entry(result.best, matched=True)
        return events + [Say("assistant", t("conv.nomatch", self.lang))] + self._goto(State.NO_MATCH)

    def _enter_entry(self, entry_id: str, matched: bool = False) -> list[Event]:
        f = self.facts
        if f.entry_id != entry_id:
            f.results, f.ruled_out, f.pending_questions = {}, set(), []
            f.cause, f.evidence = None, []
        f.entry_id = entry_id
        if entry_id not in f.entries_seen:
            f.entries_seen.append(entry_id)
        key = "conv.matched" if matched else "conv.entry_chosen"
        text = t(key, self.lang, title=prompts.entry_title(self, entry_id))
        return [Say("assistant", text, markdown=True)] + self._goto(State.CONFIRM)

    def _jump_to_cause(self, target: str) -> list[Event]:
        entry_id, _, cause_id = target.partition("#")
        entry = self.kb.entries.get(entry_id)
        if entry is None or entry.cause(cause_id) is None:
            return [Say("assistant", t("conv.not_available", self.lang))] + self._prompt()
        self.facts.entry_id = entry_id
        if entry_id not in self.facts.entries_seen:
            self.facts.entries_seen.append(entry_id)
        return self._found(entry_id, cause_id, [], kind="chosen")

    # ---- checks ---------------------------------------------------------------------------

    async def _run(self, check_ids: list[str]) -> list[CheckResult]:
        """Run checks; progress goes to `on_progress` live, else into this turn's events."""
        def forward(event: Event) -> None:
            if isinstance(event, CheckProgress) and hasattr(event.event, "result"):
                r = event.event.result
                self._lines.append(Line("evidence", f"{r.id}: {r.status} ({r.outcome}) — {r.summary}"))
                self._log(event_to_dict(event))
            if self.on_progress is not None:
                self.on_progress(event)
            else:
                self._pending_progress.append(event)

        results = await self.checks.run(check_ids, lang=self.lang, prefer_entry=self.facts.entry_id,
                                        on_event=forward)
        for r in results:
            self.facts.results[r.id] = r
        return results

    def _take_progress(self) -> list[Event]:
        events, self._pending_progress = self._pending_progress, []
        return events

    # ---- output ---------------------------------------------------------------------------

    def _goto(self, state: State) -> list[Event]:
        self.state = state
        return self._prompt()

    def _prompt(self) -> list[Event]:
        events = prompts.render(self)
        self._choices = next((e for e in reversed(events) if isinstance(e, Choices)), None)
        return events

    def _label_of(self, cid: str) -> str:
        if self._choices:
            for o in self._choices.options:
                if o.id == cid:
                    return o.label
        if cid.startswith("entry:") and cid[6:] in self.kb.entries:
            return prompts.entry_title(self, cid[6:])
        if cid.startswith("cause:") and "#" in cid:
            entry_id, _, cause_id = cid[6:].partition("#")
            if entry_id in self.kb.entries:
                return prompts.cause_title(self, entry_id, cause_id)
        return ""

    def _record(self, events: list[Event], live: bool = False) -> None:
        """Put events in the transcript and the history now, once. `live` (before a slow step):
        also hand them to `on_progress` at once, and leave them out of the returned list."""
        for e in events:
            if id(e) in self._recorded:
                continue
            self._recorded.add(id(e))
            if live and self.on_progress is not None:
                self._delivered.add(id(e))
                self.on_progress(e)
            if isinstance(e, Say):
                self._lines.append(Line(e.role, e.text, e.markdown))
            elif isinstance(e, Choices):
                self._lines.append(Line("assistant", e.prompt))
            elif isinstance(e, StepShown):
                self._lines.append(Line("assistant", f"{e.index + 1}/{e.total}. {e.text}", True))
            if not isinstance(e, CheckProgress):  # finished checks are logged as they end
                self._log(event_to_dict(e))

    def _emit(self, events: list[Event]) -> list[Event]:
        self._record(events)
        out = [e for e in events if id(e) not in self._delivered]
        self._recorded.clear()
        self._delivered.clear()
        self._log({"type": "state", "state": str(self.state)})
        return out

    def _log(self, record: dict) -> None:
        if self.history is not None:
            try:
                self.history.append(record)
            except (OSError, ValueError):
                self.history = None  # the disk went away: keep talking, stop saving

