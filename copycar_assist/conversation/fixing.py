"""Fixes that are a setting, in the dialogue: offered with their diff when a cause is found,
applied when the agent picks `apply:<n>` (role `other`), re-checked by the checks that can see
the cause (the same verification as "it is fixed"), undone with `undo:<n>`. The work is
`desk/fixes.py`'s (`conv.fixes`, a `FixBook` over the conversation's settings); this part only
turns it into events. One part of `Conversation` (engine.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from copycar_assist.i18n import t
from copycar_assist.redact import make_scrubber

from . import prompts
from .choices import Choice, Role
from .events import Event, Say
from .states import State

if TYPE_CHECKING:
    from .engine import Conversation


def choices(conv: Conversation, *, apply: bool = True, first_key: int = 1) -> list[Choice]:
    """`apply:<n>` for the fixes offered and not in effect, `undo:<n>` for those in effect; keys
    are their positions in the prompt (a digit picks by position)."""
    book, lang = conv.fixes, conv.lang
    items = []
    if apply:
        items += [(f"apply:{n}", t("opt.apply", lang, title=p.label(lang)), p.needs_value) for n, p in book.pending()]
    items += [(f"undo:{n}", t("opt.undo", lang, title=a.proposal.label(lang)), None) for n, a in book.live()]
    return [Choice(cid, label, str(k) if k < 10 else "", Role.OTHER, value=needs)
            for k, (cid, label, needs) in enumerate(items, first_key)]


def offer(conv: Conversation) -> list[Event]:
    """The fixes for the cause just found, with the change each one makes (secrets masked)."""
    f = conv.facts
    if not f.cause:
        return []
    book, lang = conv.fixes, conv.lang
    proposals = book.propose(f.cause[0], f.cause[1], f.results)
    if not proposals:
        return []
    name = conv.settings.context_name
    whose = t("conv.fix_whose_case", lang, name=name) if name else t("conv.fix_whose_own", lang)
    lines = [t("conv.fix_offer", lang, whose=whose)]
    for n, p in enumerate(proposals, 1):
        lines += ["", f"{n}. {p.label(lang)}", book.diff(p)]
    return [Say("\n".join(lines))]


class Fixing:
    def __init__(self, conv: Conversation) -> None:
        self.c = conv

    async def other(self, choice: Choice) -> AsyncIterator[Event]:
        """Role `other`: a fix to apply or undo, else a new problem."""
        kind, _, number = choice.id.partition(":")
        if kind in ("apply", "undo") and number.isdigit():
            steps = self.apply(int(number), choice) if kind == "apply" else self.undo(int(number))
        else:
            steps = self.c.closing.restart(choice)
        async for e in steps:
            yield e

    async def apply(self, n: int, choice: Choice) -> AsyncIterator[Event]:
        book, lang = self.c.fixes, self.c.lang
        proposal = book.offered[n - 1] if 1 <= n <= len(book.offered) else None
        if proposal is None or not book.ready(proposal):
            if proposal is not None:
                yield Say(t("conv.fix_needs_value", lang, field=proposal.needs_value), tone="warning")
            for e in prompts.render(self.c):
                yield e
            return
        applied = book.apply(n)
        self.c.scrub = make_scrubber(self.c.settings)  # the new secret is masked from now on
        yield Say(t("conv.fix_applied", lang) + "\n" + book.diff(applied.proposal))
        async for e in self.c.closing.fixed(choice):
            yield e
        seen = [self.c.facts.results[c] for c in applied.proposal.checks if c in self.c.facts.results]
        if seen:
            applied.recheck = seen[0].status

    async def undo(self, n: int) -> AsyncIterator[Event]:
        book = self.c.fixes
        if not any(k == n for k, _ in book.live()):
            for e in prompts.render(self.c):
                yield e
            return
        applied = book.undo(n)
        lines = [line for c in applied.proposal.changes
                 for line in (f"- {c.field} = {c.shown(c.new)}", f"+ {c.field} = {c.shown(c.old)}")]
        yield Say(t("conv.fix_undone", self.c.lang) + "\n" + "\n".join(lines))
        f = self.c.facts
        if f.attempt is not None:
            f.attempt.fixed, f.attempt.verified = None, None
        f.step_index = 0
        for e in self.c.goto(State.STEP if self.c.steps() else State.ASK_FIXED):
            yield e
