"""CopyCar API checks: the key (configured, verified), the quota; health, endpoints and latency
live in `api_net.py`. Every check here is read-only and makes at most one request: api.verify and
api.rate_limit share the run's one GET /verify.
"""

from __future__ import annotations

import re

from copycar_assist.files.msg import Msg
from copycar_assist.textsafe import one_line

from .api_net import EndpointsCheck, HealthCheck, LatencyCheck
from .api_support import (
    NOT_THERE,
    ApiCheck,
    api_url,
    body_error,
    body_message,
    failure_text,
    int_header,
    network_evidence,
    parse_reset,
    parse_retry_after,
    request_deadline,
    verify_response,
)
from .base import CheckContext, Evidence, Finding
from .http import HttpResult

KEY_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{15,199}")
SOURCES = ("env", "file", "demo")  # where the key came from: check.api.source.*


def key_problems(raw: str) -> list[Msg]:
    """What is wrong with a key's shape (catalogue messages, check.api.key_shape.*); empty when fine."""
    problems = []
    if raw != raw.strip():
        problems.append(Msg.of("check.api.key_shape.spaces_around"))
    core = raw.strip()
    if len(core) >= 2 and core[0] == core[-1] and core[0] in "'\"`":
        problems.append(Msg.of("check.api.key_shape.quoted"))
        core = core[1:-1]
    if core.lower().startswith("bearer "):
        problems.append(Msg.of("check.api.key_shape.bearer"))
        core = core[7:]
    if any(c.isspace() for c in core):
        problems.append(Msg.of("check.api.key_shape.spaces_inside"))
    if any(not c.isprintable() or ord(c) > 126 for c in core if not c.isspace()):
        problems.append(Msg.of("check.api.key_shape.invisible"))
    if not problems:
        if len(core) < 16:
            problems.append(Msg.of("check.api.key_shape.too_short", length=len(core)))
        elif not KEY_SHAPE.fullmatch(core):
            problems.append(Msg.of("check.api.key_shape.characters"))
    return problems


class KeyConfiguredCheck(ApiCheck):
    id = "api.key_configured"
    outcomes = ("ok", "missing", "malformed")
    timeout_s = 2.0

    async def run(self, ctx: CheckContext) -> Finding:
        t = ctx.t
        key = ctx.settings.api.key
        source = ctx.settings.api.key_source or "unknown"
        src = t(f"check.api.source.{source}") if source in SOURCES else source
        if not key or not key.reveal().strip():
            return self.finding("fail", "missing", t("check.api.no_api_key_configured"),
                {"source": "none"})
        evidence: Evidence = {"source": source, "key": key.masked, "length": len(key.reveal())}
        problems = key_problems(key.reveal())
        if problems:
            evidence["problems"] = "; ".join(problem.text("en") for problem in problems)
            return self.finding("fail", "malformed", Msg.of("check.api.key_malformed", source=src,
                                                            problems=tuple(problems)).text(ctx.lang), evidence)
        return self.finding("pass", "ok", t("check.api.key_configured", source=src, masked=key.masked), evidence)


def _says_expired(r: HttpResult) -> bool:
    texts = [body_error(r), str(r.json_field("message") or ""), r.header("www-authenticate") or ""]
    return any("expired" in s.lower() or "caducad" in s.lower() for s in texts)


class VerifyCheck(ApiCheck):
    id = "api.verify"
    outcomes = ("ok", "unauthorized", "expired", "forbidden", "rate_limited", "unreachable", "server_error",
                "redirect", "insecure", "not_found")

    async def run(self, ctx: CheckContext) -> Finding:
        t = ctx.t
        ctx.step(t("check.api.calling_get_verify_key"))
        r = await verify_response(ctx, request_deadline(ctx, self.timeout_s - 1))
        ev = network_evidence(r)
        if r.error == "insecure":
            return self.finding("fail", "insecure", failure_text(ctx, r), ev)
        if r.error:
            return self.finding("error", "unreachable", t("check.api.could_not_verify_key",
                                                          failure_text=failure_text(ctx, r)), ev)
        status = r.status or 0
        err, message = body_error(r), body_message(r)
        if err:
            ev["api_error"] = err
        if message and message != err:
            ev["api_message"] = message
        if status == 200:
            return self._valid(ctx, r, ev)
        if 300 <= status < 400:
            to = r.location or t("check.api.no_location")
            return self.finding("fail", "redirect", t("check.api.get_verify_answered_redirecting", status=status,
                                                      to=to), ev)
        if status == 401:
            if _says_expired(r):
                return self.finding("fail", "expired", t("check.api.api_says_key_expired"), ev)
            return self.finding("fail", "unauthorized", t("check.api.api_does_not_accept"), ev)
        if status == 403:
            return self.finding("fail", "forbidden", t("check.api.key_valid_but_not"), ev)
        if status == 429:
            retry = parse_retry_after(r.header("retry-after"))
            if retry:
                ev.update(retry.evidence())
            when = f"; {retry.text(ctx)}" if retry else ""
            return self.finding("fail", "rate_limited", t("check.api.api_rate_limiting_429", when=when), ev)
        if status in NOT_THERE:
            return self.finding("fail", "not_found", t("check.api.get_verify_answered_copycar", status=status), ev)
        if status >= 500:
            return self.finding("error", "server_error", t("check.api.api_failed_while_verifying", status=status), ev)
        return self.finding("error", "unreachable", t("check.api.unexpected_answer_get_verify", status=status), ev)

    def _valid(self, ctx: CheckContext, r: HttpResult, ev: Evidence) -> Finding:
        facts: list[Msg] = []
        plan = r.json_field("plan", "tier")
        if isinstance(plan, str):
            ev["plan"] = one_line(plan, 60)
            facts.append(Msg.of("check.api.plan", plan=ev["plan"]))
        scopes = r.json_field("scopes", "permissions")
        if isinstance(scopes, list):
            ev["scopes"] = ", ".join(one_line(str(s), 40) for s in scopes[:20])
        expires = r.json_field("expires_at", "expiry", "expires")
        if isinstance(expires, str):
            ev["expires_at"] = one_line(expires, 40)
            facts.append(Msg.of("check.api.expires", at=ev["expires_at"]))
        if facts:
            said = Msg.of("check.api.key_accepted_with", facts=tuple(facts))
            return self.finding("pass", "ok", said.text(ctx.lang), ev)
        return self.finding("pass", "ok", ctx.t("check.api.key_accepted"), ev)


class RateLimitCheck(ApiCheck):
    id = "api.rate_limit"
    outcomes = ("ok", "low_quota", "exhausted")
    low_fraction = 0.10

    async def run(self, ctx: CheckContext) -> Finding:
        t = ctx.t
        ctx.step(t("check.api.reading_quota_headers_get"))
        r = await verify_response(ctx, request_deadline(ctx, self.timeout_s - 1))
        ev: Evidence = {"url": api_url(ctx.settings.api.base_url, "verify"), "source": "GET /verify headers"}
        if r.error or r.status is None:
            return self.finding("skipped", "skipped", t("check.api.cannot_read_quota",
                                                        failure_text=failure_text(ctx, r)), ev)
        ev["status"] = r.status
        limit, remaining = int_header(r, "x-ratelimit-limit"), int_header(r, "x-ratelimit-remaining")
        reset = parse_reset(r.header("x-ratelimit-reset"))
        if limit is not None:
            ev["limit"] = limit
        if remaining is not None:
            ev["remaining"] = remaining
        resets = ""
        if reset:
            ev["reset_in_s"] = reset[0]
            ev["reset_at"] = reset[1].strftime("%Y-%m-%d %H:%M:%S UTC")
            resets = t("check.api.resets_at", at=f"{reset[1]:%H:%M:%S}")
        retry = parse_retry_after(r.header("retry-after")) if r.status == 429 else None
        if retry:
            ev.update(retry.evidence())
        if r.status == 429 or remaining == 0:
            when = f"; {retry.text(ctx)}" if retry else ""
            return self.finding("fail", "exhausted", t("check.api.quota_used_up", when=when or resets), ev)
        if remaining is None:
            if r.status != 200:
                return self.finding("skipped", "skipped", t("check.api.quota_unknown_get_verify", status=r.status), ev)
            return self.finding("pass", "ok", t("check.api.api_sends_no_quota"), ev)
        if limit:
            ev["used_pct"] = round(100 * (limit - remaining) / limit, 1)
            if remaining < self.low_fraction * limit:
                return self.finding("warn", "low_quota", t("check.api.few_requests_left", remaining=remaining,
                                                           limit=limit, resets=resets), ev)
        if limit:
            return self.finding("pass", "ok", t("check.api.requests_left_of", remaining=remaining, limit=limit,
                                                resets=resets), ev)
        return self.finding("pass", "ok", t("check.api.requests_left", remaining=remaining, resets=resets), ev)


CHECKS = [KeyConfiguredCheck(), VerifyCheck(), HealthCheck(), RateLimitCheck(), EndpointsCheck(), LatencyCheck()]
