"""Where alerts go besides the screen: e-mail through the configured SMTP, and a webhook.

- E-mail: one message per alert event to every address of `monitor.alert_to`, from
  `smtp.from`, subject `CopyCar.ai Alert: <TYPE>` as the guide writes it (`… cleared: <TYPE>` on
  recovery), through `checks.smtpsend.send_message`: the SMTP check's rules (verified TLS that
  fails closed, credentials only over verified TLS, plain SMTP only to loopback by the one rule).
- Webhook: the event's JSON POSTed to `monitor.webhook_url` through `checks.http.fetch` (deadline,
  no redirects, capped answer). Its URL often carries a token in the path, so it is a secret
  setting, shown by its origin only, and plain `http://` is only allowed to loopback.

`deliver()` never raises: each channel gives a `Delivery` (sent, not configured, or failed with
the reason). Nothing is retried here; the history keeps the outcome and the `monitor.alerts`
check reports failed deliveries. What leaves (the message, the webhook's JSON) and what comes
back (a server's reason) go through the writers' one scrub, `redact.make_scrubber`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from copycar_assist.checks import loopback
from copycar_assist.checks.http import fetch
from copycar_assist.checks.urls import origin
from copycar_assist.i18n import t
from copycar_assist.redact import make_scrubber, scrub_obj
from copycar_assist.textsafe import clean

from .rules import AlertEvent

if TYPE_CHECKING:
    from copycar_assist.config import Settings

EMAIL_DEADLINE_S = 15.0
WEBHOOK_DEADLINE_S = 10.0


@dataclass(frozen=True)
class Delivery:
    channel: str  # email | webhook
    state: str  # sent | failed | not_configured
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return {"state": self.state, "detail": self.detail}


def channels(settings: Settings) -> dict[str, bool]:
    m = settings.monitor
    return {"email": bool(m.alert_to and settings.smtp.host), "webhook": m.webhook_url is not None}


def subject(event: AlertEvent) -> str:
    if event.state == "cleared":
        return f"CopyCar.ai Alert cleared: {event.type}"
    return f"CopyCar.ai Alert: {event.type}"


def body(event: AlertEvent, lang: str, when: str) -> str:
    other = "en" if lang == "es" else "es"
    parts = []
    for lg in (lang, other):
        parts.append("\n".join([
            t("monitor.mail.head", lg, title=event.title_in(lg), type=event.type, severity=event.severity),
            event.message(lg),
            t("monitor.mail.when", lg, when=when),
            t(f"monitor.mail.{'cleared' if event.state == 'cleared' else 'act'}", lg),
        ]))
    return clean("\n\n-- \n\n".join(parts) + "\n")


async def send_email(settings: Settings, event: AlertEvent, lang: str, when: str) -> Delivery:
    from copycar_assist.checks.smtpsend import send_message

    if not channels(settings)["email"]:
        return Delivery("email", "not_configured")
    scrub = make_scrubber(settings)
    result = await send_message(settings.smtp, list(settings.monitor.alert_to), scrub(subject(event)),
                                scrub(body(event, lang, when)), deadline_s=EMAIL_DEADLINE_S)
    if result.sent:
        return Delivery("email", "sent", ", ".join(result.accepted))
    return Delivery("email", "failed", scrub(clean(result.text(), keep_newlines=False, limit=300)))


async def post_webhook(settings: Settings, client: httpx.AsyncClient, event: AlertEvent) -> Delivery:
    secret = settings.monitor.webhook_url
    if secret is None:
        return Delivery("webhook", "not_configured")
    url = secret.reveal()
    try:
        u = httpx.URL(url)
        shown = origin(u)
    except Exception:  # a bad URL is a failed delivery, never an exception
        return Delivery("webhook", "failed", "invalid URL")
    if u.scheme == "http":
        dest = await loopback.resolve(u.host, u.port or 80)
        if not dest.loopback:
            return Delivery("webhook", "failed", f"{shown}: plain http:// only to this machine; use https://")
    scrub = make_scrubber(settings)
    payload = json.dumps(scrub_obj({"source": "copycar-assist", **event.to_json()}, scrub), ensure_ascii=False).encode()
    r = await fetch(client, url, method="POST", content=payload, headers={"Content-Type": "application/json"},
                    deadline_s=WEBHOOK_DEADLINE_S, max_bytes=4096)
    if r.error:
        return Delivery("webhook", "failed", scrub(f"{shown}: {r.error} {r.detail}"[:300]))
    if r.status is None or not 200 <= r.status < 300:
        return Delivery("webhook", "failed", scrub(f"{shown}: HTTP {r.status}"))
    return Delivery("webhook", "sent", f"{shown}: HTTP {r.status}")


async def deliver(settings: Settings, client: httpx.AsyncClient, event: AlertEvent, lang: str,
                  when: str) -> list[Delivery]:
    """Every configured channel, at once; one `Delivery` per channel."""
    import asyncio

    email, hook = await asyncio.gather(send_email(settings, event, lang, when), post_webhook(settings, client, event),
                                       return_exceptions=True)
    out = []
    for channel, got in (("email", email), ("webhook", hook)):
        if isinstance(got, BaseException):
            out.append(Delivery(channel, "failed", f"{type(got).__name__}"))
        else:
            out.append(got)
    return out
