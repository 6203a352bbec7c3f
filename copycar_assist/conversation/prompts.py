"""The prompt of each state, rendered in the current language.

`render(conv)` returns the events that (re)state where the conversation stands — the question
and its choices — and is what a language switch re-says. Narrative events (what was found,
what a check said) are produced by the flow, once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from copycar_assist.i18n import has, t
from copycar_assist.kb import pick

from .events import Choices, Event, Option, Say, StepShown
from .states import State

if TYPE_CHECKING:
    from .engine import Conversation

SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")


def opt(conv: Conversation, oid: str, key_name: str | None = None, **kw: object) -> Option:
    """A fixed option: label `opt.<id>`, key hint `key.<id>` (both per language)."""
    name = key_name or oid
    return Option(oid, t(f"opt.{name}", conv.lang, **kw), t(f"key.{name}", conv.lang))


def numbered(items: list[tuple[str, str]]) -> list[Option]:
    return [Option(oid, label, str(n) if n < 10 else "") for n, (oid, label) in enumerate(items, 1)]


def entry_title(conv: Conversation, entry_id: str) -> str:
    entry = conv.kb.entries.get(entry_id)
    return pick(entry.title, conv.lang, entry_id) if entry else entry_id


def cause_title(conv: Conversation, entry_id: str, cause_id: str) -> str:
    entry = conv.kb.entries.get(entry_id)
    cause = entry.cause(cause_id) if entry else None
    return pick(cause.title, conv.lang, cause_id) if cause else cause_id


def symptoms_markdown(conv: Conversation, entry_id: str) -> str:
    items = conv.tree.symptoms(entry_id, conv.lang)
    head = t("conv.symptoms_intro", conv.lang, title=entry_title(conv, entry_id))
    return head + "\n\n" + "\n".join(f"- {s}" for s in items) if items else head


def current_steps(conv: Conversation) -> list[str]:
    if not conv.facts.cause:
        return []
    entry_id, cause_id = conv.facts.cause
    return conv.tree.steps(entry_id, cause_id, conv.lang)


def render(conv: Conversation) -> list[Event]:
    s, f, lang = conv.state, conv.facts, conv.lang
    if s in (State.GREETING, State.DESCRIBE):
        if not conv.lang_known:  # nothing typed yet: ask in both languages
            return [Say("assistant", t("conv.describe_prompt", "es") + " / " + t("conv.describe_prompt", "en"))]
        return [Say("assistant", t("conv.describe_prompt", lang))]
    if s is State.CLARIFY:
        items = [(f"entry:{e}", entry_title(conv, e)) for e in f.clarify_ids]
        return [Choices(t("conv.clarify_prompt", lang),
                        numbered(items) + [opt(conv, "rephrase"), opt(conv, "browse")])]
    if s is State.NO_MATCH:
        return [Choices(t("conv.nomatch_prompt", lang), [opt(conv, "rephrase"), opt(conv, "browse")])]
    if s is State.BROWSE_CATEGORIES:
        items = [(f"cat:{c.id}", pick(c.title, lang, c.id)) for c in conv.tree.categories()]
        return [Choices(t("conv.browse_categories", lang), numbered(items) + [opt(conv, "rephrase")])]
    if s is State.BROWSE_ENTRIES:
        cat = conv.kb.category(f.browse_category or "")
        items = [(f"entry:{e.id}", pick(e.title, lang, e.id)) for e in conv.tree.entries(f.browse_category)]
        title = pick(cat.title, lang, cat.id) if cat else (f.browse_category or "")
        return [Choices(t("conv.browse_entries", lang, category=title), numbered(items) + [opt(conv, "back")])]
    if s is State.CONFIRM and f.entry_id:
        return [Say("assistant", symptoms_markdown(conv, f.entry_id), markdown=True),
                Choices(t("conv.confirm_prompt", lang), [opt(conv, "yes"), opt(conv, "no")])]
    if s is State.GATHER and f.gathering:
        name = f.gathering[0]
        text = t(f"conv.input.{name}", lang) if has(f"conv.input.{name}") else t("conv.input.other", lang, name=name)
        return [Choices(text, [Option("skip", t("opt.skip_input", lang), t("key.skip", lang))])]
    if s in (State.CHECKING, State.VERIFYING):
        return [Say("assistant", t("conv.checks_running", lang))]
    if s is State.QUESTION and f.pending_questions and f.entry_id:
        cause = conv.kb.entries[f.entry_id].cause(f.pending_questions[0])
        text = pick(cause.question if cause else None, lang, f.pending_questions[0])
        return [Choices(text, [opt(conv, "yes"), opt(conv, "no"), opt(conv, "escalate")])]
    if s is State.STEP:
        steps = current_steps(conv)
        if steps:
            i = min(f.step_index, len(steps) - 1)
            options = [opt(conv, "done"), opt(conv, "skip")]
            if i > 0:
                options.append(opt(conv, "back"))
            options.append(opt(conv, "escalate"))
            return [StepShown(i, len(steps), steps[i]),
                    Choices(t("conv.step_prompt", lang, n=i + 1, total=len(steps)), options)]
    if s is State.ASK_FIXED:
        return [Choices(t("conv.fixed_prompt", lang), [opt(conv, "yes"), opt(conv, "no"), opt(conv, "escalate")])]
    if s is State.VERIFY_FAILED:
        return [Choices(t("conv.verify_failed_prompt", lang),
                        [opt(conv, "retry"), opt(conv, "next"), opt(conv, "escalate")])]
    if s is State.NO_CAUSE:
        return [Choices(t("conv.nocause_prompt", lang),
                        [opt(conv, "escalate"), opt(conv, "rephrase"), opt(conv, "restart")])]
    if s is State.RESOLVED:
        return [Choices(t("conv.resolved_prompt", lang), [opt(conv, "restart")])]
    if s is State.ESCALATED:
        others = [sev for sev in SEVERITIES if sev != f.severity]
        options = [Option(f"sev:{sev}", t("opt.severity", lang, severity=sev), t(f"key.sev.{sev}", lang))
                   for sev in others]
        return [Choices(t("conv.escalated_prompt", lang), options + [opt(conv, "restart")])]
    return [Say("assistant", t("conv.describe_prompt", lang))]
