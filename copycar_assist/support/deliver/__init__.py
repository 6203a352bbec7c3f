"""Destinations that receive tickets: a signed webhook, e-mail through the configured SMTP, Zendesk
(Tickets API) and Jira (REST v3 issue create). One module each; the outbox (`support/outbox.py`)
decides when to call them and keeps what they answered.

Each destination is `deliver(ctx, doc, key, previous) -> Outcome`: one attempt, bounded by the
context's deadline, never an exception for network or server trouble. `key` is the delivery's
idempotency key (sent as `Idempotency-Key`, the e-mail's Message-ID, a Jira label); `previous`
says what is known already: `unknown` (an earlier attempt may have arrived: Jira looks before it
creates) and `remote` (what an earlier revision of the ticket created there: update that). What leaves is the ticket document, already scrubbed, passed
once more through the writers' one scrub with the agent's settings (`ctx.scrub`, `redact.make_scrubber`), string by
string so the JSON stays whole; the outbox passes what a destination answered through it too. Never imports
Textual; writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from copycar_assist.files.msg import Msg
from copycar_assist.redact import Scrub, make_scrubber, scrub_obj
from copycar_assist.textsafe import one_line

if TYPE_CHECKING:
    import httpx

    from copycar_assist.checks.http import HttpResult
    from copycar_assist.config import Settings

NAMES = ("webhook", "email", "zendesk", "jira")


@dataclass
class Outcome:
    ok: bool
    # one line, for `tickets send/show`, without the destination's name (the reader puts it in
    # front): what the destination answered (no secret: built from status and cleaned text), or
    # our own words about it, a catalogue message put into words in the reader's language
    detail: str | Msg
    permanent: bool = False  # retrying cannot help until the settings change (401, 404, 422 …)
    unknown: bool = False  # the request may have arrived: the help desk may hold it already
    retry_after_s: float | None = None  # the destination asked to wait this long
    remote: dict[str, Any] = field(default_factory=dict)  # what it created: {"id", "url"}


@dataclass
class SendContext:
    settings: Settings  # the agent's settings: [helpdesk] and, for e-mail, [smtp]
    client: httpx.AsyncClient  # the shared one
    deadline_s: float = 15.0
    scrub: Scrub = field(init=False, repr=False)  # the writers' one scrub, with these settings

    def __post_init__(self) -> None:
        self.scrub = make_scrubber(self.settings)

    def body(self, doc: dict[str, Any]) -> bytes:
        """The JSON body of a request: compact, UTF-8, every string scrubbed once more."""
        text = json.dumps(scrub_obj(doc, self.scrub), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        return text.encode("utf-8")


Deliver = Callable[[SendContext, dict[str, Any], str, dict[str, Any]], Awaitable[Outcome]]


def from_http(r: HttpResult, what: str = "") -> Outcome:
    """An `HttpResult` as an Outcome: 2xx delivered; 408, 409, 425, 429 and 5xx worth a retry
    (with `Retry-After` when given); other 4xx permanent; a timeout after the request went out
    is unknown (the help desk may have it). `what`: the request, when it is not the first one
    ("comment", "update"), said before the answer."""
    said = f"{what}: " if what else ""
    if r.error:
        unknown = r.error in ("timeout", "protocol") and r.phase in ("headers", "body")
        permanent = r.error in ("insecure", "invalid_url")
        return Outcome(False, one_line(f"{said}{r.error} — {r.detail}", 300), permanent=permanent, unknown=unknown)
    status = r.status or 0
    if 200 <= status < 300:
        return Outcome(True, f"{said}{status}")
    reason = _reason(r)
    detail = one_line(f"{said}{status} {r.reason}" + (f" — {reason}" if reason else ""), 300)
    if status in (408, 409, 425, 429) or status >= 500:
        return Outcome(False, detail, retry_after_s=_retry_after(r.header("retry-after")))
    return Outcome(False, detail, permanent=True)


def _reason(r: HttpResult) -> str:
    data = r.json
    if isinstance(data, dict):
        for name in ("error", "message", "description", "errorMessages", "errors"):
            if data.get(name):
                return one_line(json.dumps(data[name], ensure_ascii=False)[:200] if not isinstance(data[name], str)
                                else data[name], 200)
    return r.text(120)


def _retry_after(value: str | None) -> float | None:
    """A help desk's `Retry-After` (seconds or an HTTP date), at most an hour."""
    from copycar_assist.checks.api_support import parse_retry_after  # imports httpx: only when sending

    said = parse_retry_after(value)
    return None if said is None else min(float(said.seconds), 3600.0)


_T = TypeVar("_T")


def required(value: _T | None, setting: str) -> _T:
    """A setting a destination sends with. Only destinations that `configured` finds ready are
    sent to, so a missing one is a bug: ValueError, which the sender records as the attempt's error."""
    if not value:
        raise ValueError(f"{setting} is not set")
    return value


def configured(settings: Settings) -> tuple[list[str], list[str]]:
    """(destinations to send to, `send_to` names that are not configured)."""
    h = settings.helpdesk
    ready = {
        "webhook": bool(h.webhook_url),
        "email": bool(h.email_to and settings.smtp.host and settings.smtp.from_addr),
        "zendesk": bool(h.zendesk_url and h.zendesk_email and h.zendesk_token),
        "jira": bool(h.jira_url and h.jira_email and h.jira_token and h.jira_project),
    }
    wanted = list(h.send_to) or [n for n in NAMES if ready[n]]
    return [n for n in wanted if ready[n]], [n for n in wanted if not ready[n]]


def destination(name: str) -> Deliver:
    from importlib import import_module

    if name not in NAMES:
        raise KeyError(name)
    module = import_module(f"{__name__}.{'mail' if name == 'email' else name}")
    deliver: Deliver = module.deliver  # each destination module defines its `deliver` so
    return deliver
