"""Escalation from a conversation: propose the severity, look up the level, draft the ticket."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from copycar_assist.desk.reply import draft_reply
from copycar_assist.i18n import t
from copycar_assist.kb import pick
from copycar_assist.support import escalation as esc
from copycar_assist.support.severity import propose_severity
from copycar_assist.support.ticket import (
    AttemptInfo,
    StepMark,
    TicketData,
    build_ticket,
    reason_text,
)
from copycar_assist.support.ticket_json import ticket_document

from . import explain

if TYPE_CHECKING:
    from .engine import Conversation


def ticket_data(conv: Conversation, severity: str | None = None, reason: str = "user", *,
                escalating: bool = True) -> TicketData:
    kb, f, lang = conv.kb, conv.facts, conv.lang
    results = list(f.results.values())
    proposal = propose_severity(kb, f.entry_id, results)
    chosen = severity or proposal.severity
    reasons = proposal.reasons if chosen == proposal.severity else ()
    entry = kb.entries.get(f.entry_id) if f.entry_id else None
    cause = entry.cause(f.cause[1]) if entry and f.cause and f.cause[0] == entry.id else None
    attempts = []
    for a in f.attempts:
        steps = explain.attempt_steps(explain.usable_steps(conv.tree.steps(a.entry_id, a.cause_id, lang)), a.order)
        owner = kb.entries.get(a.entry_id)
        c = owner.cause(a.cause_id) if owner else None
        attempts.append(AttemptInfo(
            a.entry_id, a.cause_id, dict(c.title) if c else {},
            [StepMark(text, a.marks[i] if i < len(a.marks) else None) for i, text in enumerate(steps)],
            a.fixed, a.verified,
        ))
    answers = []
    for entry_id, cause_id, value in f.answers:
        owner = kb.entries.get(entry_id)
        narrowing = owner.narrowing_question(cause_id[1:]) if owner and cause_id.startswith("?") else None
        c = owner.cause(cause_id) if owner else None
        question = pick(narrowing.question if narrowing else c.question if c else None, lang, "") or t(
            "conv.is_it_cause", lang, title=pick(c.title if c else None, lang, cause_id))
        answers.append((question, value))
    case = conv.case
    customer = case.customer.to_json() if case is not None else None
    reply_lang = (case.customer.language if case is not None else None) or lang
    fixes = conv.fixes.records()
    verified = any(a.verified == "pass" for a in f.attempts)
    info = esc.escalation_for(kb.support, chosen)
    reply = {"language": reply_lang, "text": draft_reply(
        kb, lang=reply_lang, name=case.customer.name if case is not None else None,
        reference=case.customer.reference if case is not None else None,
        entry_id=entry.id if entry else None, cause_id=cause.id if cause else None, fixes=fixes,
        verified=verified, escalation=(info.level, info.response_minutes) if escalating else None)}
    return TicketData(
        severity=chosen,
        reasons=reasons or (),
        escalation=info,
        entry_id=entry.id if entry else None,
        entry_title=dict(entry.title) if entry else {},
        cause_id=cause.id if cause else None,
        cause_title=dict(cause.title) if cause else {},
        descriptions=list(f.descriptions),
        attempts=attempts,
        answers=answers,
        results=results,
        check_titles={cid: dict(spec.title) for cid, spec in kb.checks.items()},
        transcript=list(conv.transcript()),
        entry_titles={eid: dict(e.title) for eid, e in kb.entries.items()},
        case_id=conv.case_id,
        reason=reason,
        customer=customer,
        context=case.context_json() if case is not None else {"owner": "agent"},
        fixes=fixes,
        reply=reply,
    )


def draft(conv: Conversation, severity: str | None = None, reason: str = "user") -> tuple[TicketData, str]:
    data = ticket_data(conv, severity, reason)
    return data, build_ticket(data, conv.lang, conv.scrub)


def document(conv: Conversation, data: TicketData) -> dict[str, Any]:
    """The ticket's JSON document (support/ticket_json.py), what the outbox sends."""
    return ticket_document(data, conv.lang, conv.scrub)


def summary(conv: Conversation, data: TicketData, chosen_by_user: bool, reason: str = "user") -> str:
    lang = conv.lang
    if chosen_by_user or not data.reasons:
        head = t("conv.severity_chosen", lang, severity=data.severity)
    else:
        reasons = "; ".join(reason_text(r, lang, data.entry_titles) for r in data.reasons)
        head = t("conv.severity_proposed", lang, severity=data.severity, reasons=reasons)
    intro = t("conv.handoff", lang) + "\n\n" if reason == "handoff" else ""
    return intro + head + "\n\n" + esc.describe(data.escalation, lang) + "\n\n" + t("conv.ticket_ready", lang)
