"""Draft a support ticket in Markdown: summary, entry and cause, steps tried, check evidence,
transcript. Untrusted text (the user's words, check summaries and evidence, the transcript) is
fenced with a fence longer than any backtick run inside it; the whole ticket is scrubbed of
secrets and key-like strings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from copycar_assist.i18n import count_of, t
from copycar_assist.kb import pick
from copycar_assist.redact import Scrub

from . import escalation as esc
from .severity import Reason
from .textblock import fence, inline
from .transcript import Line, now_iso, to_text

if TYPE_CHECKING:
    from copycar_assist.checks.base import CheckResult
    from copycar_assist.desk.case import CustomerRecord
    from copycar_assist.desk.fixes import AppliedRecord


@dataclass
class StepMark:
    text: str  # knowledge-base text
    mark: str | None  # "done" | "skipped" | None (not reached)


@dataclass
class AttemptInfo:
    entry_id: str
    cause_id: str
    cause_title: dict[str, str]
    steps: list[StepMark]
    fixed: bool | None = None  # the user's answer to "did that fix it?"
    verified: str | None = None  # "pass" | "still" | "unverified" | None


@dataclass
class TicketData:
    severity: str
    reasons: tuple[Reason, ...]
    escalation: esc.EscalationInfo
    entry_id: str | None = None
    entry_title: dict[str, str] = field(default_factory=dict)
    cause_id: str | None = None
    cause_title: dict[str, str] = field(default_factory=dict)
    descriptions: list[str] = field(default_factory=list)
    attempts: list[AttemptInfo] = field(default_factory=list)
    answers: list[tuple[str, str]] = field(default_factory=list)  # (question text, yes|no|unsure)
    results: list[CheckResult] = field(default_factory=list)
    check_titles: dict[str, dict[str, str]] = field(default_factory=dict)
    transcript: list[Line] = field(default_factory=list)
    created: str = field(default_factory=now_iso)
    entry_titles: dict[str, dict[str, str]] = field(default_factory=dict)  # for reasons
    case_id: str = ""
    reason: str = "user"  # why it was escalated: user | exhausted | handoff
    customer: CustomerRecord | None = None  # in a case
    context: dict[str, Any] | None = None  # whose settings the checks ran with (no secrets)
    fixes: list[AppliedRecord] = field(default_factory=list)  # applied fixes (desk.fixes.Applied.to_json)
    reply: dict[str, str] | None = None  # {"language", "text"}: the draft reply for the customer


def reason_text(reason: Reason, lang: str, entry_titles: dict[str, dict[str, str]] | None = None) -> str:
    d = reason.detail
    if reason.code == "entry":
        title = pick((entry_titles or {}).get(d.get("entry", ""), {}), lang, d.get("entry", ""))
        return t("sev.reason.entry", lang, title=title, severity=reason.severity)
    if reason.code == "api_down":
        return t("sev.reason.api_down", lang, check=d.get("check", ""), outcome=d.get("outcome", ""))
    if reason.code == "alert":
        return t("sev.reason.alert", lang, alert=d.get("alert", ""), level=d.get("level", ""),
                 check=d.get("check", ""))
    return t("sev.reason.default", lang, severity=reason.severity)


def _evidence_block(result: CheckResult, scrub: Scrub, lang: str) -> str:
    lines = [f"{t('ticket.summary_label', lang)}: {result.summary}"]
    for key, value in (result.evidence or {}).items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        lines.append(f"{key}: {shown}")
    lines.append(f"{t('ticket.duration', lang)}: {result.duration_ms} ms")
    return fence(scrub("\n".join(lines)))


def build_ticket(data: TicketData, lang: str, scrub: Scrub) -> str:
    no = t("ticket.not_determined", lang)
    entry_line = (f"{pick(data.entry_title, lang, data.entry_id or '')} (`{data.entry_id}`)"
                  if data.entry_id else no)
    cause_line = (f"{pick(data.cause_title, lang, data.cause_id or '')} (`{data.cause_id}`)"
                  if data.cause_id else no)
    info = data.escalation
    reasons = "; ".join(reason_text(r, lang, data.entry_titles) for r in data.reasons)
    out = [
        f"# {t('ticket.title', lang)}: {pick(data.entry_title, lang, t('ticket.unknown_problem', lang))} — {data.severity}",
        "",
        f"- **{t('ticket.severity', lang)}:** {data.severity} — {reasons or t('ticket.severity_by_agent', lang)}",
        f"- **{t('ticket.level', lang)}:** {esc.describe(info, lang)}",
        f"- **{t('ticket.problem', lang)}:** {entry_line}",
        f"- **{t('ticket.cause', lang)}:** {cause_line}",
        f"- **{t('ticket.created', lang)}:** {data.created}",
        f"- **{t('ticket.case', lang)}:** `{data.case_id}` · {t('ticket.reason.' + data.reason, lang)}",
    ]
    if data.customer:
        c = data.customer
        ref = f" · {inline(scrub(str(c['reference'])))}" if c.get("reference") else ""
        lang_note = f" · {c['language']}" if c.get("language") else ""
        out.append(f"- **{t('ticket.customer', lang)}:** {inline(scrub(str(c.get('name') or '')))}{ref}{lang_note}")
    out += [
        "",
        f"## {t('ticket.summary', lang)}",
        "",
    ]
    if data.descriptions:
        for text in data.descriptions:
            out += [fence(scrub(text)), ""]
    else:
        out += [t("ticket.no_description", lang), ""]

    out += [f"## {t('ticket.steps_tried', lang)}", ""]
    if not data.attempts:
        out += [t("ticket.none", lang), ""]
    for a in data.attempts:
        state = {True: t("ticket.fixed_yes", lang), False: t("ticket.fixed_no", lang),
                 None: t("ticket.fixed_unknown", lang)}[a.fixed]
        if a.verified:
            state += f" · {t('ticket.verified.' + a.verified, lang)}"
        done = sum(1 for st in a.steps if st.mark == "done")
        skipped = sum(1 for st in a.steps if st.mark == "skipped")
        state += f" · {count_of(done, 'ticket.steps_done', lang)}, {count_of(skipped, 'ticket.steps_skipped', lang)}"
        out += [f"### {pick(a.cause_title, lang, a.cause_id)} (`{a.entry_id}#{a.cause_id}`) — {state}", ""]
        for n, step in enumerate(a.steps, 1):
            box = "x" if step.mark == "done" else " "
            label = t(f"ticket.mark.{step.mark or 'none'}", lang)
            out.append(f"- [{box}] {n}. {step.text} _({label})_")
        out.append("")

    if data.answers:
        out += [f"## {t('ticket.answers', lang)}", ""]
        for question, value in data.answers:
            out.append(f"- {question} → **{t('ticket.answer.' + value, lang)}**")
        out.append("")

    if data.fixes:
        out += [f"## {t('ticket.fixes', lang)}", ""]
        for f in data.fixes:
            state = t("ticket.fix_undone", lang) if f.get("undone") else t("ticket.fix_applied", lang)
            recheck = f" · {t('ticket.fix_recheck', lang)}: {f['recheck']}" if f.get("recheck") else ""
            out.append(f"- `{f.get('field')}`: {inline(scrub(str(f.get('old'))))} → {inline(scrub(str(f.get('new'))))}"
                       f" _({state}{recheck})_")
        out.append("")

    out += [f"## {t('ticket.evidence', lang)}", ""]
    if not data.results:
        out += [t("ticket.no_checks", lang), ""]
    for r in data.results:
        title = pick(data.check_titles.get(r.id, {}), lang, r.id)
        target = f" → `{r.entry}#{r.cause}`" if r.entry and r.cause else ""
        out += [f"### `{r.id}` — {title}: {r.status.upper()} ({inline(scrub(str(r.outcome)))}){target}", "",
                _evidence_block(r, scrub, lang), ""]

    if data.reply:
        out += [f"## {t('ticket.reply', lang)} ({data.reply.get('language')})", "",
                fence(scrub(str(data.reply.get("text") or ""))), ""]
    out += [f"## {t('ticket.transcript', lang)}", "", fence(to_text(data.transcript, lang, scrub)), ""]
    return scrub("\n".join(out))
