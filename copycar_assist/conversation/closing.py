"""How a case ends: "did that fix it?" verified by re-running the checks that can see the cause,
honest endings, the next cause when it did not help, escalation with one ticket per case, and
starting again. One part of `Conversation` (engine.py), which owns the state and the event stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from copycar_assist.i18n import t
from copycar_assist.textsafe import one_line

from . import explain
from .belief import reach, target_of
from .checkrun import checks_for, inputs_needed
from .choices import Choice
from .events import (
    ChecksStarted,
    Escalated,
    Event,
    Resolved,
    Say,
)
from .states import Facts, State, new_case_id

if TYPE_CHECKING:
    from copycar_assist.checks.base import CheckResult

    from .engine import Conversation


class Closing:
    def __init__(self, conv: Conversation) -> None:
        self.c = conv

    def verifiers(self) -> list[str]:
        """The checks that can see the current cause (and those that found it), if they can run."""
        f = self.c.facts
        if not f.cause:
            return []
        entry = self.c.kb.entries[f.cause[0]]
        ids = set(reach(entry).get(f.cause[1], set()))
        ids |= {r.id for r in (f.attempt.evidence if f.attempt else [])}
        ordered = [c for c in checks_for(self.c.kb, entry.id) if c in ids] + sorted(ids - set(entry.checks))
        given = self.c.checks.inputs
        return [c for c in ordered if all(given.has(k) for k in inputs_needed(self.c.kb, c))]

    async def _recheck(self, ids: list[str]) -> AsyncIterator[Event]:
        """Run the checks that can see the cause again; their results join the case's."""
        f = self.c.facts
        yield Say(t("conv.verifying", self.c.lang))
        yield ChecksStarted(tuple(ids))
        async for e in self.c.checks.stream(ids, lang=self.c.lang, prefer_entry=f.cause[0] if f.cause else None):
            yield e
        for r in self.c.checks.results:
            f.results[r.id] = r

    def _still(self, results: list[CheckResult]) -> list[CheckResult]:
        """The results that still point at the current cause."""
        f = self.c.facts
        if not f.cause:
            return []
        entry = self.c.kb.entries[f.cause[0]]
        return [r for r in results if target_of(entry, r) == f.cause[1]]

    def _say_still(self, key: str, still: list[CheckResult]) -> Event:
        lines = [t(key, self.c.lang)] + [f"- {explain.check_title(self.c, r.id)}: {one_line(r.summary, 300)}"
                                         for r in still]
        return Say("\n".join(lines), tone="warning")

    async def fixed(self, choice: Choice) -> AsyncIterator[Event]:
        f, attempt = self.c.facts, self.c.facts.attempt
        if attempt is not None:
            attempt.fixed = True
        ids = self.verifiers()
        if not ids:
            async for e in self.resolved(verified=False, note="conv.verify_trusted"):
                yield e
            return
        saw_it = self._still([f.results[i] for i in ids if i in f.results])  # before the fix
        async for e in self._recheck(ids):
            yield e
        results = self.c.checks.results
        entry = self.c.kb.entries[f.cause[0]] if f.cause else None
        pointing = {r.id: target_of(entry, r) for r in results} if entry else {}
        still = self._still(results)
        if still:
            if attempt is not None:
                attempt.verified, attempt.fixed = "still", None
            yield self._say_still("conv.verify_still", still)
            for e in self.c.goto(State.VERIFY_FAILED):
                yield e
            return
        other = next(((r, tgt) for r in results if (tgt := pointing.get(r.id)) and "#" not in tgt), None)
        if other is not None and entry is not None:
            if attempt is not None:
                attempt.verified = "pass"
            yield Say(t("conv.verify_other", self.c.lang))
            async for e in self.c.dx.found(entry.id, other[1], "check", [other[0]], said=ids):
                yield e
            return
        conclusive = any(r.status in ("pass", "warn", "fail") for r in results)
        # Verified only when a check saw the cause before the fix and no longer does: one that
        # passed before as well cannot tell whether the fix worked.
        verified = conclusive and bool(saw_it)
        if attempt is not None:
            attempt.verified = "pass" if verified else "unverified"
        note = ("conv.verify_pass" if verified else "conv.verify_blind" if conclusive else "conv.verify_unverified")
        async for e in self.resolved(verified=verified, note=note):
            yield e

    async def resolved(self, verified: bool, note: str) -> AsyncIterator[Event]:
        attempt = self.c.facts.attempt
        marks = attempt.marks if attempt else []
        done, skipped = marks.count("done"), marks.count("skipped")
        if attempt is not None and not verified:
            attempt.verified = attempt.verified or "unverified"
        yield Say(t(note, self.c.lang))
        yield Resolved(verified, done, skipped)
        if verified:
            yield Say(t("conv.resolved", self.c.lang), tone="success")
        else:
            key = "conv.resolved_unverified_skipped" if marks and not done else "conv.resolved_unverified"
            yield Say(t(key, self.c.lang), tone="warning")
        for e in self.c.goto(State.RESOLVED):
            yield e

    async def not_fixed(self, choice: Choice) -> AsyncIterator[Event]:
        """Not fixed: a cause a check found is checked again before it is given up. Still there:
        the fix has not taken effect (the steps again, another cause, escalation or closing it
        on the user's word); gone: it was that, and something else remains. A cause found
        without a check was not it: the next most probable one."""
        attempt = self.c.facts.attempt
        if attempt is not None:
            attempt.fixed = False
        ids = self.verifiers() if attempt is not None and attempt.via == "check" else []
        if ids:
            async for e in self._recheck(ids):
                yield e
            still = self._still(self.c.checks.results)
            if still and attempt is not None:
                attempt.verified, attempt.fixed = "still", None
                yield self._say_still("conv.not_fixed_still", still)
                for e in self.c.goto(State.VERIFY_FAILED):
                    yield e
                return
            yield Say(t("conv.not_fixed_cleared", self.c.lang))
        else:
            yield Say(t("conv.not_fixed", self.c.lang))
        async for e in self.c.dx.diagnose():
            yield e

    async def next_cause(self, choice: Choice) -> AsyncIterator[Event]:
        """Another cause, asked for while the check still sees this one."""
        yield Say(t("conv.next_cause", self.c.lang))
        async for e in self.c.dx.diagnose():
            yield e

    async def close_on_word(self, choice: Choice) -> AsyncIterator[Event]:
        """Solved on the user's word although the check still saw the cause (a DNS change that
        has not spread yet, a fix on a machine the checks cannot see): closed, never verified."""
        attempt = self.c.facts.attempt
        if attempt is not None:
            attempt.fixed = True
        async for e in self.resolved(verified=False, note="conv.closed_on_word"):
            yield e

    async def reopen(self, choice: Choice) -> AsyncIterator[Event]:
        async for e in self.not_fixed(choice):
            yield e

    async def escalate(self, severity: str | None = None, reason: str = "user") -> AsyncIterator[Event]:
        from . import ticketing  # here: a conversation that never escalates never loads the ticket's parts

        f = self.c.facts
        if self.c.state is not State.ESCALATED:
            f.before_escalation = self.c.state
        data, ticket = ticketing.draft(self.c, severity, reason=reason)
        f.severity = data.severity
        path: str | None = None
        try:
            path = str(self.c.tickets.save(self.c.case_id, ticket, ticketing.document(self.c, data)))
        except OSError as exc:
            yield Say(t("conv.ticket_not_saved", self.c.lang, reason=exc.strerror or type(exc).__name__), tone="warning")
        self.c.ticket_path = path
        yield Say(ticketing.summary(self.c, data, chosen_by_user=severity is not None, reason=reason), markdown=True)
        yield Escalated(data.severity, data.escalation.level, path, ticket, reason)
        if path:
            yield Say(t("conv.ticket_saved", self.c.lang, path=path))
        for e in self.c.goto(State.ESCALATED):
            yield e

    async def escalate_choice(self, choice: Choice) -> AsyncIterator[Event]:
        async for e in self.escalate():
            yield e

    async def handoff(self, choice: Choice) -> AsyncIterator[Event]:
        async for e in self.escalate(reason="handoff"):
            yield e

    async def severity(self, choice: Choice) -> AsyncIterator[Event]:
        async for e in self.escalate((choice.value or "").upper() or None):
            yield e

    async def back_from_escalation(self, choice: Choice) -> AsyncIterator[Event]:
        back = self.c.facts.before_escalation or State.DESCRIBE
        yield Say(t("conv.back_to_case", self.c.lang))
        for e in self.c.goto(back if back is not State.ESCALATED else State.DESCRIBE):
            yield e

    async def restart(self, choice: Choice | None) -> AsyncIterator[Event]:
        from dataclasses import replace

        self.c.facts = Facts()
        self.c.checks.inputs = replace(self.c.given_inputs)  # the material pasted for the last case goes
        self.c.case_id = new_case_id() if self.c.ticket_path else self.c.case_id
        self.c.ticket_path = None
        yield Say(t("conv.restarted", self.c.lang))
        for e in self.c.goto(State.DESCRIBE):
            yield e
