"""Helpers shared by the CopyCar API checks: URLs, the one shared GET /verify, messages, headers."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from copycar_assist.textsafe import one_line

from .base import Check, CheckContext, Evidence, shared
from .http import HttpResult, fetch, phase_words


class ApiCheck(Check):
    """The API checks' tags; everything else is the base's."""

    tags: tuple[str, ...] = ("api",)


def api_url(base: str, path: str) -> str:
    return base.rstrip("/") + "/" + path.lstrip("/")


def request_deadline(ctx: CheckContext, cap: float) -> float:
    """The per-request deadline: the configured API timeout, but inside the check's own bound."""
    try:
        configured = float(ctx.settings.api.timeout_s)
    except (TypeError, ValueError):
        configured = 10.0
    return max(0.5, min(configured, cap))


async def verify_response(ctx: CheckContext, deadline_s: float) -> HttpResult:
    """The run's one GET {base}/verify with the key; api.verify and api.rate_limit share it."""
    url = api_url(ctx.settings.api.base_url, "verify")
    return await shared(ctx, ("GET", url),
                        lambda: fetch(ctx.client, url, key=ctx.settings.api.key, deadline_s=deadline_s))


def host_of(url: str) -> str:
    try:
        return one_line(httpx.URL(url).host or url, 120)
    except Exception:
        return one_line(url, 120)


def failure_text(ctx: CheckContext, r: HttpResult) -> str:
    """One sentence on why a request got no answer, in the context's language."""
    t = ctx.t
    detail = r.detail
    host = host_of(r.url)
    if r.error == "dns":
        return t("check.api_support.could_not_resolve", host=host, detail=detail)
    if r.error == "connect":
        return t("check.api_support.could_not_connect", host=host, detail=detail)
    if r.error == "tls":
        return t("check.api_support.tls_verification_failed", host=host, detail=detail)
    if r.error == "timeout":
        return t("check.api_support.no_complete_answer", host=host, phase=phase_words(r.phase, ctx.lang))
    if r.error == "proxy":
        return t("check.api_support.proxy_did_not_let", proxy=r.proxy, detail=detail)
    if r.error == "invalid_url":
        return t("check.api_support.base_url_not_valid", detail=detail)
    if r.error == "insecure":
        return t("check.api_support.key_not_sent_unencrypted", host=host)
    return t("check.api_support.invalid_answer", host=host, detail=detail)


def network_evidence(r: HttpResult) -> Evidence:
    ev: Evidence = {"url": r.url}
    if r.status is not None:
        ev["status"] = f"{r.status} {r.reason}".strip()
    if r.error:
        ev["error"] = r.error
        if r.detail:
            ev["detail"] = r.detail
    ev["proxy"] = r.proxy or "none"
    if r.addresses:
        ev["addresses"] = ", ".join(r.addresses)
    ev.update(r.timings.evidence())
    if r.location:
        ev["redirect_to"] = r.location + ("" if r.location_same_origin else " (other origin)")
    if r.body_note:
        ev["body"] = r.body_note
    return ev


def body_error(r: HttpResult) -> str:
    """The error code the body gives, if any (cleaned)."""
    for name in ("error", "code", "error_code"):
        value = r.json_field(name)
        if isinstance(value, dict):
            value = value.get("code") or value.get("message")
        if isinstance(value, str) and value.strip():
            return one_line(value, 120)
    return ""


def body_message(r: HttpResult) -> str:
    """The human message the body gives, if any (cleaned); a short text body otherwise."""
    for name in ("message", "detail", "error_description"):
        value = r.json_field(name)
        if isinstance(value, str) and value.strip():
            return one_line(value, 200)
    if r.json is None and r.body and not r.body_note:
        return r.text(200)
    return ""


# Statuses that say "nothing of that name here": the base URL does not lead to the API.
NOT_THERE = frozenset({404, 405, 410})


def plain_http_remote(url: str, result: HttpResult) -> bool:
    """Whether `url` is plain http to a host that is not loopback by the one rule (every address
    `result`'s request resolved it to; unknown counts as remote)."""
    try:
        u = httpx.URL(url)
    except Exception:
        return False
    return u.scheme == "http" and not result.loopback


@dataclass
class RetryAfter:
    seconds: int
    at: datetime

    def evidence(self) -> dict[str, Any]:
        return {"retry_after_s": self.seconds, "retry_at": self.at.strftime("%Y-%m-%d %H:%M:%S UTC")}

    def text(self, ctx: CheckContext) -> str:
        when = self.at.strftime("%H:%M:%S UTC")
        return ctx.t("check.api_support.retry_s", seconds=self.seconds, when=when)


def parse_retry_after(value: str | None, now: datetime | None = None) -> RetryAfter | None:
    """`Retry-After` as delay-seconds or as an HTTP date (RFC 9110), turned into a time."""
    if not value:
        return None
    now = now or datetime.now(UTC)
    value = value.strip()
    if value.isdigit():
        seconds = min(int(value), 10 * 365 * 86400)
        return RetryAfter(seconds, datetime.fromtimestamp(now.timestamp() + seconds, UTC))
    try:
        at = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return RetryAfter(max(0, int(at.timestamp() - now.timestamp())), at.astimezone(UTC))


def parse_reset(value: str | None) -> tuple[int, datetime] | None:
    """`X-RateLimit-Reset`: epoch seconds (large values) or seconds from now. (in_s, at)."""
    if not value:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    now = time.time()
    if number > 1e9:  # an epoch timestamp
        at = number
    elif number >= 0:
        at = now + number
    else:
        return None
    return max(0, int(at - now)), datetime.fromtimestamp(at, UTC)


def int_header(r: HttpResult, name: str) -> int | None:
    value = r.header(name)
    if value is None:
        return None
    try:
        return int(float(value.strip()))
    except ValueError:
        return None
