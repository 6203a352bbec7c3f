"""A ticket to a webhook: `POST` of the ticket document as JSON, signed with HMAC-SHA256.

The event is `ticket.escalated`, or `ticket.updated` for a later revision of a case the receiver
already has (same `case_id`). Headers: `Content-Type: application/json`, `Idempotency-Key: <key>` (the same on every retry of
one delivery: the receiver drops repeats), and, when `helpdesk.webhook_secret` is set,
`X-CopyCar-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` — the receiver
recomputes it over the raw body with the shared secret, compares in constant time and refuses
old timestamps (replays). `docs/tickets.md` shows a receiver. Any 2xx is the acknowledgement.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from copycar_assist.checks.http import fetch

from . import Outcome, SendContext, from_http, required

SIGNATURE_HEADER = "X-CopyCar-Signature"


def signature(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, body: bytes, header: str, *, now: float | None = None, tolerance_s: int = 300) -> bool:
    """Whether `header` signs `body` with `secret` within `tolerance_s` of `now` (for receivers and tests)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        stamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - stamp) > tolerance_s:
        return False
    expected = signature(secret, body, stamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


async def deliver(ctx: SendContext, doc: dict[str, Any], key: str, previous: dict[str, Any]) -> Outcome:
    h = ctx.settings.helpdesk
    event = "ticket.updated" if previous.get("remote") is not None else "ticket.escalated"
    body = ctx.body({"event": event, "idempotency_key": key, "ticket": doc})
    headers = {"Content-Type": "application/json", "Idempotency-Key": key}
    if h.webhook_secret:
        headers[SIGNATURE_HEADER] = signature(h.webhook_secret.reveal(), body, int(time.time()))
    r = await fetch(ctx.client, required(h.webhook_url, "helpdesk.webhook_url"), method="POST", content=body, headers=headers,
                    deadline_s=ctx.deadline_s, private=True)
    return from_http(r)
