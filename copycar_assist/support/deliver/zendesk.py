"""A ticket to Zendesk: Tickets API, create ticket.

    POST {zendesk_url}/api/v2/tickets.json
    Authorization: Basic base64("{zendesk_email}/token:{zendesk_token}")   (API token auth)
    Idempotency-Key: <key>      (Zendesk answers a repeat with the ticket it already created)
    {"ticket": {"subject", "comment": {"body", "public": false}, "priority", "tags", "external_id"}}

→ 201 `{"ticket": {"id": …}}`. A later revision of the same case updates that ticket instead:
`PUT /api/v2/tickets/{id}.json` with `{"ticket": {"priority", "comment": {"body", "public": false}}}`
→ 200. The comment is an internal note (the customer is not mailed the
diagnosis); the priority follows the severity (CRITICAL → urgent, HIGH → high, MEDIUM → normal,
LOW → low); `external_id` is the case id, so later tickets of the same case can be found.
"""

from __future__ import annotations

from typing import Any

from copycar_assist.checks.http import BasicAuth, fetch

from ..ticket_json import subject
from . import Outcome, SendContext, from_http, required

PRIORITY = {"CRITICAL": "urgent", "HIGH": "high", "MEDIUM": "normal", "LOW": "low"}


def request_body(doc: dict[str, Any]) -> dict[str, Any]:
    tags = ["copycar-assist", f"severity-{str(doc.get('severity', '')).lower()}"]
    problem = (doc.get("problem") or {}).get("id")
    if problem:
        tags.append(problem)
    return {"ticket": {
        "subject": subject(doc),
        "comment": {"body": doc.get("markdown") or "", "public": False},
        "priority": PRIORITY.get(str(doc.get("severity")), "normal"),
        "tags": tags,
        "external_id": doc.get("case_id"),
    }}


def update_body(doc: dict[str, Any]) -> dict[str, Any]:
    return {"ticket": {"priority": PRIORITY.get(str(doc.get("severity")), "normal"),
                       "comment": {"body": doc.get("markdown") or "", "public": False}}}


async def deliver(ctx: SendContext, doc: dict[str, Any], key: str, previous: dict[str, Any]) -> Outcome:
    h = ctx.settings.helpdesk
    site = required(h.zendesk_url, "helpdesk.zendesk_url").rstrip("/")
    token = required(h.zendesk_token, "helpdesk.zendesk_token")
    known = (previous.get("remote") or {}).get("id")
    if known and str(known).isdigit():
        url = f"{site}/api/v2/tickets/{known}.json"
        r = await fetch(ctx.client, url, method="PUT", content=ctx.body(update_body(doc)),
                        headers={"Content-Type": "application/json", "Idempotency-Key": key},
                        auth=BasicAuth(f"{h.zendesk_email}/token", token), deadline_s=ctx.deadline_s)
        out = from_http(r, "update")
        if out.ok:
            out.remote = {"id": str(known), "url": f"{site}/agent/tickets/{known}"}
        return out
    url = site + "/api/v2/tickets.json"
    r = await fetch(ctx.client, url, method="POST", content=ctx.body(request_body(doc)),
                    headers={"Content-Type": "application/json", "Idempotency-Key": key},
                    auth=BasicAuth(f"{h.zendesk_email}/token", token), deadline_s=ctx.deadline_s)
    out = from_http(r)
    ticket = r.json.get("ticket") if out.ok and isinstance(r.json, dict) else None
    if isinstance(ticket, dict) and ticket.get("id") is not None:
        ident = str(ticket["id"])[:40]
        out.remote = {"id": ident, "url": f"{site}/agent/tickets/{ident}"}
    return out
