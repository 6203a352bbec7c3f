"""The prompt of each state, in the current language: what the engine waits for, and the choices.

`render(conv)` returns the events that (re)state where the conversation stands (the symptoms
to confirm, the current step, then the `Prompt`); a language switch says them again. The roles
offered in each state are those of `table.TABLE` (a test holds them to it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from copycar_assist.i18n import t
from copycar_assist.kb import pick

from . import fixing
from .choices import RESTART, Choice, Role, fixed, numbered
from .events import Event, Prompt, Say
from .states import State

if TYPE_CHECKING:
    from .engine import Conversation

SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")


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


def question_text(conv: Conversation) -> str:
    """The question being asked: the cause's own, or a one-line confirmation of the user's words."""
    f = conv.facts
    if not (f.question and f.entry_id):
        return ""
    cause_id, how = f.question
    entry = conv.kb.entries[f.entry_id]
    if how == "narrow":
        narrowing = entry.narrowing_question(cause_id[1:])
        return pick(narrowing.question if narrowing else None, conv.lang, "")
    cause = entry.cause(cause_id)
    if how == "confirm":
        cue = next((h for h in f.cues if (h.entry_id, h.cause_id) == (f.entry_id, cause_id)), None)
        if cue is not None:
            return t("conv.confirm_cue", conv.lang, quote=cue.quote, title=cause_title(conv, f.entry_id, cause_id))
    return pick(cause.question if cause else None, conv.lang, "") or t(
        "conv.is_it_cause", conv.lang, title=cause_title(conv, f.entry_id, cause_id))


def _prompt(conv: Conversation, key_or_text: str, choices: list[Choice], *, expects: str = "choice",
            cause: str | None = None, literal: bool = False, causes: tuple[str, ...] = (), **kw: object) -> Prompt:
    text = key_or_text if literal else t(key_or_text, conv.lang, **kw)
    return Prompt(str(conv.state), text, tuple(choices), conv.facts.entry_id, cause, expects, causes)


def _offered(conv: Conversation) -> list[Choice]:
    """The entries offered to pick from (a close call, or the closest when nothing is confident)."""
    return numbered([(f"entry:{e}", entry_title(conv, e), Role.PICK_ENTRY, {"entry": e})
                     for e in conv.facts.clarify_ids])


def render(conv: Conversation) -> list[Event]:
    s, f, lang = conv.state, conv.facts, conv.lang
    esc = fixed(Role.ESCALATE, lang)
    if s is State.DESCRIBE:
        text = (t("conv.describe_prompt", "es") + " / " + t("conv.describe_prompt", "en")
                if not conv.lang_known else t("conv.describe_prompt", lang))
        return [_prompt(conv, text, [fixed(Role.BROWSE, lang)], expects="description", literal=True)]
    if s is State.CLARIFY:
        return [_prompt(conv, "conv.clarify_prompt", _offered(conv) + [fixed(Role.REPHRASE, lang), fixed(Role.BROWSE, lang)])]
    if s is State.NO_MATCH:
        return [_prompt(conv, "conv.nomatch_offer" if f.clarify_ids else "conv.nomatch_prompt",
                        _offered(conv) + [fixed(Role.REPHRASE, lang), fixed(Role.BROWSE, lang),
                                          fixed(Role.HANDOFF, lang)])]
    if s is State.BROWSE_CATEGORIES:
        items = [(f"cat:{c.id}", pick(c.title, lang, c.id), Role.BROWSE, {"value": c.id}) for c in conv.tree.categories()]
        return [_prompt(conv, "conv.browse_categories", numbered(items) + [fixed(Role.REPHRASE, lang)])]
    if s is State.BROWSE_ENTRIES:
        cat = conv.kb.category(f.browse_category or "")
        items = [(f"entry:{e.id}", pick(e.title, lang, e.id), Role.PICK_ENTRY, {"entry": e.id})
                 for e in conv.tree.entries(f.browse_category or "")]
        title = pick(cat.title, lang, cat.id) if cat else (f.browse_category or "")
        return [_prompt(conv, "conv.browse_entries", numbered(items) + [fixed(Role.BACK, lang)], category=title)]
    if s is State.CONFIRM and f.entry_id:
        return [Say(symptoms_markdown(conv, f.entry_id), markdown=True),
                _prompt(conv, "conv.confirm_prompt", [fixed(Role.YES, lang), fixed(Role.NO, lang), esc])]
    if s is State.GATHER and f.gathering:
        offered = [Choice(f"sample:{n}", t("opt.sample", lang, name=label), str(n), Role.INPUT, value=text)
                   for n, (label, text) in enumerate(conv.samples.get(f.gathering, [])[:9], 1)]
        return [_prompt(conv, f"conv.input.{f.gathering}", offered + [fixed(Role.SKIP, lang, label="skip_input"), esc],
                        expects="input")]
    if s is State.QUESTION and f.question:
        choices = [fixed(Role.YES, lang), fixed(Role.NO, lang), fixed(Role.SKIP, lang, label="unsure")]
        if conv.can_go_back_a_question():
            choices.append(fixed(Role.BACK, lang, label="back_question"))
        choices.append(esc)
        key, how = f.question
        if how == "narrow":
            narrowing = conv.kb.entries[f.entry_id].narrowing_question(key[1:]) if f.entry_id else None
            return [_prompt(conv, question_text(conv), choices, literal=True,
                            causes=tuple(narrowing.yes) if narrowing else ())]
        return [_prompt(conv, question_text(conv), choices, cause=key, literal=True)]
    if s is State.STEP and f.cause:
        steps = conv.steps()
        i = min(f.step_index, max(len(steps) - 1, 0))
        choices = [*fixing.choices(conv), fixed(Role.DONE, lang), fixed(Role.SKIP, lang)]
        if i > 0:
            choices.append(fixed(Role.BACK, lang))
        choices.append(esc)
        out: list[Event] = []
        if steps:
            out.append(conv.step_event(i))
        out.append(_prompt(conv, "conv.step_prompt", choices, cause=f.cause[1], n=i + 1, total=len(steps)))
        return out
    if s is State.ASK_FIXED and f.cause:
        choices = [*fixing.choices(conv), fixed(Role.FIXED, lang), fixed(Role.NOT_FIXED, lang)]
        if conv.steps():
            choices.append(fixed(Role.BACK, lang, label="back_steps"))
        return [_prompt(conv, "conv.fixed_prompt", choices + [esc], cause=f.cause[1])]
    if s is State.VERIFY_FAILED and f.cause:
        return [_prompt(conv, "conv.verify_failed_prompt", [fixed(Role.BACK, lang, label="retry"),
                                                            fixed(Role.NEXT_CAUSE, lang),
                                                            fixed(Role.FIXED, lang, label="close_on_word"), esc],
                        cause=f.cause[1])]
    if s is State.NO_CAUSE:
        return [_prompt(conv, "conv.nocause_prompt", [esc, fixed(Role.REPHRASE, lang), fixed(Role.BROWSE, lang),
                                                      fixed(Role.OTHER, lang, cid=RESTART)])]
    if s is State.RESOLVED:
        choices = [fixed(Role.OTHER, lang, cid=RESTART), fixed(Role.NOT_FIXED, lang, label="reopen")]
        return [_prompt(conv, "conv.resolved_prompt", choices + fixing.choices(conv, apply=False, first_key=3))]
    if s is State.ESCALATED:
        others = [sev for sev in SEVERITIES if sev != f.severity]
        choices = [Choice(f"sev:{sev}", t("opt.severity", lang, severity=sev), str(n), Role.SEVERITY, value=sev)
                   for n, sev in enumerate(others, 1)]
        choices += [fixed(Role.BACK, lang, label="back_case"), fixed(Role.OTHER, lang, cid=RESTART)]
        return [_prompt(conv, "conv.escalated_prompt", choices)]
    conv.state = State.DESCRIBE
    return render(conv)
