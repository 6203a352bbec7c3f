"""A ticket's JSON form: the document the outbox keeps and every destination is built from.

Versioned and documented: `docs/ticket.schema.json` (JSON Schema 2020-12) and `docs/tickets.md`;
a test validates what is sent against the schema. `schema_version` changes only when a field
changes meaning or goes away (new optional fields keep it).

The document is built from `TicketData` with the same scrub as the Markdown ticket, so it holds
no secret the settings know, and nothing that looks like a key or a bearer token. Never imports
Textual; writes nothing.
"""

from __future__ import annotations

from typing import Any

from copycar_assist.kb import pick
from copycar_assist.redact import Scrub, scrub_obj
from copycar_assist.textsafe import clean_obj

from .ticket import TicketData, build_ticket

SCHEMA = "copycar-assist.ticket"
SCHEMA_VERSION = 1
SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")


def _titled(ident: str | None, titles: dict[str, str], lang: str) -> dict[str, Any] | None:
    return {"id": ident, "title": pick(titles, lang, ident or "")} if ident else None


def ticket_document(data: TicketData, lang: str, scrub: Scrub) -> dict[str, Any]:
    """The JSON document of a ticket (see the module doc), scrubbed."""
    info = data.escalation
    attempts = [{
        "entry": a.entry_id, "cause": a.cause_id, "title": pick(a.cause_title, lang, a.cause_id),
        "fixed": a.fixed, "verified": a.verified,
        "steps": [{"text": s.text, "mark": s.mark} for s in a.steps],
    } for a in data.attempts]
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "case_id": data.case_id,
        "created": data.created,
        "language": lang,
        "severity": data.severity,
        "support_level": {"level": info.level, "name": pick(info.level_name, lang, str(info.level)),
                          "response_minutes": info.response_minutes, "channels": list(info.channels)},
        "reason": data.reason,
        "customer": dict(data.customer) if data.customer else None,
        "context": dict(data.context) if data.context else {"owner": "agent"},
        "problem": _titled(data.entry_id, data.entry_title, lang),
        "cause": _titled(data.cause_id, data.cause_title, lang),
        "descriptions": list(data.descriptions),
        "attempts": attempts,
        "answers": [{"question": q, "answer": a} for q, a in data.answers],
        "checks": [r.to_json() for r in data.results],
        "fixes": [dict(f) for f in data.fixes],
        "reply": dict(data.reply) if data.reply else None,
        "transcript": [{"role": str(line.role), "text": line.text, "at": line.at} for line in data.transcript],
        "markdown": build_ticket(data, lang, scrub),
    }
    # control characters out of every string (JSON would carry them as escapes), then the scrub
    return scrub_obj(clean_obj(doc), scrub)


def subject(doc: dict[str, Any]) -> str:
    """One line that names the ticket: severity, problem, customer, case."""
    problem = (doc.get("problem") or {}).get("title") or "?"
    who = (doc.get("customer") or {}).get("name")
    head = f"[{doc.get('severity')}] {problem}" + (f" — {who}" if who else "")
    return " ".join(f"{head} ({doc.get('case_id')})".split())[:200]
