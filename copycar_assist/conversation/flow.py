"""The diagnosis half of the engine: checks → cause or questions → steps → verify → next cause
or escalation. A mixin of `Conversation` (engine.py), which owns input dispatch and output."""

from __future__ import annotations

import asyncio
from pathlib import Path

from copycar_assist.checks.base import CheckResult
from copycar_assist.i18n import t
from copycar_assist.kb import pick
from copycar_assist.textsafe import one_line

from . import diagnosis as dx
from . import prompts, ticketing
from .checkrun import ChecksUnavailable, checks_for
from .events import CauseFound, ChecksStarted, Escalated, Event, Resolved, Say
from .states import Attempt, Facts, State

class Flow:
    """Needs from the engine: kb, tree, lang, facts, state, _run, _take_progress, _goto, _prompt."""

    # ---- checks and what they point to -------------------------------------------------------

    async def _diagnose(self) -> list[Event]:
        f = self.facts
        entry = self.kb.entries[f.entry_id]
        events: list[Event] = []
        note: str | None = None
        try:
            ids = checks_for(self.kb, entry.id)
        except ChecksUnavailable:
            ids, note = [], "conv.checks_unavailable"
        if not ids and note is None:
            note = "conv.no_checks"
        missing = self._missing_inputs(ids)
        if missing:
            f.gathering = missing
            return [Say("assistant", t("conv.input_intro", self.lang))] + self._goto(State.GATHER)
        if ids:
            self.state = State.CHECKING
            events += [Say("assistant", t("conv.checks_start", self.lang, checks=self._check_titles(ids))),
                       ChecksStarted(list(ids))]
            self._record(events, live=True)
            results, note = await self._run_guarded(ids)
            events += self._take_progress()
            if results is not None:
                f.ran_checks = True
                events.append(Say("assistant", self._results_text(results)))
                f.ruled_out |= dx.ruled_out(entry, f.results)
                found = dx.pointed_cause(results)
                if found is not None:
                    (entry_id, cause_id), evidence = found
                    return events + self._switch_if_needed(entry_id) + self._found(entry_id, cause_id, evidence, "check")
                note = "conv.checks_clean"
        if note:
            events.append(Say("assistant", t(note, self.lang)))
        return events + self._ask_or_propose(after_attempt=False)

    def _missing_inputs(self, ids: list[str]) -> list[str]:
        """Inputs (prompt, account_file, log_file …) the checks need and nobody gave yet."""
        try:
            from copycar_assist.checks.registry import all_checks
        except ImportError:
            return []
        implemented = all_checks()
        missing: list[str] = []
        for cid in ids:
            for name in getattr(implemented.get(cid), "needs_input", ()) or ():
                if name in missing or name in self.facts.inputs_asked:
                    continue
                if getattr(self.checks.inputs, name, None) in (None, ""):
                    missing.append(name)
        return missing

    async def _give_input(self, value: str | None) -> list[Event]:
        """The user's answer to an input request (None: skipped). Files must exist."""
        f = self.facts
        name = f.gathering[0]
        if value is not None and name.endswith("_file"):
            path = Path(value.strip().strip("'\"")).expanduser()
            if not path.is_file():
                return [Say("assistant", t("conv.input_not_found", self.lang, path=one_line(str(path), 200)))] + self._prompt()
            value = str(path)
        f.gathering.pop(0)
        f.inputs_asked.add(name)
        if value is not None and hasattr(self.checks.inputs, name):
            setattr(self.checks.inputs, name, value)
        if f.gathering:
            return self._prompt()
        return await self._diagnose()

    async def _run_guarded(self, ids: list[str]) -> tuple[list[CheckResult] | None, str | None]:
        try:
            return await self._run(ids), None
        except ChecksUnavailable:
            return None, "conv.checks_unavailable"
        except asyncio.CancelledError:
            raise
        except Exception:  # the runner promises results, but a broken build must not end the talk
            return None, "conv.checks_failed"

    def _check_titles(self, ids: list[str]) -> str:
        return ", ".join(pick(self.kb.checks[c].title, self.lang, c) if c in self.kb.checks else c for c in ids)

    def _results_text(self, results: list[CheckResult]) -> str:
        lines = [t("conv.results_head", self.lang)]
        for r in results:
            title = pick(self.kb.checks[r.id].title, self.lang, r.id) if r.id in self.kb.checks else r.id
            status = t(f"status.{r.status}", self.lang)
            lines.append(f"- {title}: {status} — {one_line(r.summary, 300)}")
        return "\n".join(lines)

    def _switch_if_needed(self, entry_id: str) -> list[Event]:
        f = self.facts
        if entry_id == f.entry_id:
            return []
        old = f.entry_id
        f.entry_id = entry_id
        if entry_id not in f.entries_seen:
            f.entries_seen.append(entry_id)
        return [Say("assistant", t("conv.switch_entry", self.lang, title=prompts.entry_title(self, entry_id),
                                   old=prompts.entry_title(self, old or "")), markdown=True)]

    # ---- questions and likely causes -----------------------------------------------------------

    def _ask_or_propose(self, after_attempt: bool) -> list[Event]:
        """The next question or likely cause, in this order:
        1. questions of the causes the checks left open (not reached, or their check could not
           run), in the entry's order;
        2. the open causes that have no question, proposed as likely;
        3. the questions of causes a passing check ruled out — the checks use this tool's
           settings, which may not be those of the failing integration — said so once;
        then nothing is left: NO_CAUSE (or escalate, after a fix that did not help)."""
        f = self.facts
        entry = self.kb.entries[f.entry_id]
        answered_no = {(e, c) for e, c, yes in f.answers if not yes}
        remaining = dx.open_causes(self.tree, entry, set(f.tried) | answered_no)
        checked = [c for c in remaining if (entry.id, c.id) in f.ruled_out]
        open_ = [c for c in remaining if (entry.id, c.id) not in f.ruled_out]
        asks = [c for c in open_ if c.question]
        likely = [c for c in open_ if not c.question]
        second = [c for c in checked if c.question]
        events: list[Event] = []
        if not asks and not likely and second:
            asks = second
            if not f.second_look_said:
                f.second_look_said = True
                events.append(Say("assistant", t("conv.second_look", self.lang)))
        if asks:
            f.pending_questions = [c.id for c in asks]
            return events + self._goto(State.QUESTION)
        f.pending_questions = []
        if likely:
            return self._found(entry.id, likely[0].id, [], "next" if after_attempt else "likely")
        if after_attempt:
            said: list[Event] = [Say("assistant", t("conv.none_left", self.lang))]
            self._record(said)  # so the ticket's transcript has it
            return said + self._escalate()
        return [Say("assistant", t("conv.nocause", self.lang))] + self._goto(State.NO_CAUSE)

    def _answer(self, yes: bool) -> list[Event]:
        f = self.facts
        cause_id = f.pending_questions[0]
        f.answers.append((f.entry_id, cause_id, yes))
        if yes:
            return self._found(f.entry_id, cause_id, [], "question")
        return self._ask_or_propose(after_attempt=bool(f.tried))

    # ---- the cause and its steps ----------------------------------------------------------------

    def _found(self, entry_id: str, cause_id: str, evidence: list[CheckResult], kind: str) -> list[Event]:
        f = self.facts
        f.entry_id, f.cause, f.cause_kind, f.evidence = entry_id, (entry_id, cause_id), kind, list(evidence)
        f.pending_questions = []
        steps = self.tree.steps(entry_id, cause_id, self.lang)
        f.attempts.append(Attempt(entry_id, cause_id, [None] * len(steps), list(evidence)))
        f.step_index = 0
        cause = self.kb.entries[entry_id].cause(cause_id)
        text = t(f"conv.cause_{kind}", self.lang, title=prompts.cause_title(self, entry_id, cause_id))
        explanation = pick(cause.explanation, self.lang) if cause else ""
        if explanation:
            text += "\n\n" + explanation
        events: list[Event] = [CauseFound(entry_id, cause_id, list(evidence)), Say("assistant", text, markdown=True)]
        if evidence:
            lines = [t("conv.evidence_head", self.lang)]
            lines += [f"- {r.id}: {one_line(r.summary, 300)}" for r in evidence]
            events.append(Say("assistant", "\n".join(lines)))
        return events + self._goto(State.STEP if steps else State.ASK_FIXED)

    def _step(self, cid: str) -> list[Event]:
        f, attempt = self.facts, self.facts.attempt
        steps = prompts.current_steps(self)
        i = min(f.step_index, max(len(steps) - 1, 0))
        if cid == "back":
            f.step_index = max(0, i - 1)
            return self._prompt()
        if attempt is not None:
            while len(attempt.marks) < len(steps):
                attempt.marks.append(None)
            if steps:
                attempt.marks[i] = "done" if cid == "done" else "skipped"
        if i + 1 < len(steps):
            f.step_index = i + 1
            return self._prompt()
        return self._goto(State.ASK_FIXED)

    # ---- did it work? --------------------------------------------------------------------------

    async def _fixed(self, yes: bool) -> list[Event]:
        f, attempt = self.facts, self.facts.attempt
        if attempt is not None:
            attempt.fixed = yes
        if not yes:
            said: list[Event] = [Say("assistant", t("conv.not_fixed", self.lang))]
            self._record(said)
            return said + self._next_cause()
        to_verify = list(dict.fromkeys(r.id for r in f.evidence))
        if not to_verify:
            return [Say("assistant", t("conv.verify_trusted", self.lang))] + self._resolved()
        self.state = State.VERIFYING
        events: list[Event] = [Say("assistant", t("conv.verifying", self.lang)), ChecksStarted(to_verify)]
        self._record(events, live=True)
        results, _ = await self._run_guarded(to_verify)
        events += self._take_progress()
        verdict, other = dx.verification(results or [], f.cause)
        if attempt is not None:
            attempt.verified = "pass" if verdict == "other" else verdict
        if verdict == "still":
            still = [r for r in results or [] if (r.entry, r.cause) == f.cause]
            lines = [t("conv.verify_still", self.lang)] + [f"- {r.id}: {one_line(r.summary, 300)}" for r in still]
            return events + [Say("assistant", "\n".join(lines))] + self._goto(State.VERIFY_FAILED)
        if verdict == "other" and other is not None:
            (entry_id, cause_id), evidence = other
            f.tried.append(f.cause)
            events.append(Say("assistant", t("conv.verify_other", self.lang)))
            return events + self._switch_if_needed(entry_id) + self._found(entry_id, cause_id, evidence, "check")
        key = "conv.verify_pass" if verdict == "pass" else "conv.verify_unverified"
        return events + [Say("assistant", t(key, self.lang))] + self._resolved()

    def _resolved(self) -> list[Event]:
        self.state = State.RESOLVED
        return [Resolved(), Say("assistant", t("conv.resolved", self.lang))] + self._prompt()

    def _next_cause(self) -> list[Event]:
        f = self.facts
        if f.cause and f.cause not in f.tried:
            f.tried.append(f.cause)
        return self._ask_or_propose(after_attempt=True)

    # ---- escalation and restart -----------------------------------------------------------------

    def _escalate(self, severity: str | None = None) -> list[Event]:
        data, ticket = ticketing.draft(self, severity)
        self.facts.severity = data.severity
        self.state = State.ESCALATED
        text = ticketing.summary(self, data, chosen_by_user=severity is not None)
        return [Say("assistant", text, markdown=True),
                Escalated(ticket, data.severity, data.escalation.level)] + self._prompt()

    def _restart(self) -> list[Event]:
        self.facts = Facts()
        return [Say("assistant", t("conv.restarted", self.lang))] + self._goto(State.DESCRIBE)
