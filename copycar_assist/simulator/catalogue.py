"""Every scenario of the demo world: which service it changes, what it is, and which causes of the
guide it shows (`simulate --list --json`, DESIGN.md's contract). Pure data; `world.py` runs it.

A scenario changes one service — `api` (the CopyCar API and where the settings point for it),
`crm`, `smtp`, `dns`, `redis` — or the material (`content`: the prompt, account records, e-mail
or call log), and may bring its own material too (an API that answers 429 leaves 429s in the
call log). `healthy` changes nothing. Scenarios combine (`expired-key,smtp-no-starttls`) as long
as each changes a different service, or different kinds of material.

`shows` names each cause with how it is found: `check` (a check's outcome names it; `via` is the
`check.outcome`) or `evidence` (no check can tell the cause apart: the scenario's material, of
the kind `via` names, points to it — the words a person would read in that log, e-mail or record).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from copycar_assist.files.msg import Msg
from copycar_assist.i18n import t

from .content import Samples

SERVICES = ("api", "crm", "smtp", "dns", "redis", "content")  # lists name them by `sim.service.<id>` (i18n)


@dataclass(frozen=True)
class Shown:
    entry: str
    cause: str
    how: str  # check | evidence
    via: str  # "check.outcome" for a check; the material kind for evidence

    def to_json(self) -> dict[str, str]:
        return {"entry": self.entry, "cause": self.cause, "how": self.how, "via": self.via}


@dataclass(frozen=True)
class Scenario:
    name: str
    service: str  # one of SERVICES, or "" for healthy
    shows: tuple[Shown, ...] = ()
    samples: dict[str, str] = field(default_factory=dict)  # material kind -> sample key (content.py)

    def summary(self, lang: str) -> str:
        """What the scenario is, in `lang` (the catalogue's sim.scenario.<name>)."""
        return t(f"sim.scenario.{self.name.replace('-', '_')}", lang)

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        return {"name": self.name, "summary": self.summary(lang),
                "services": [self.service] if self.service else [],
                "shows": [s.to_json() for s in self.shows]}


def _c(entry: str, cause: str, via: str) -> Shown:
    return Shown(entry, cause, "check", via)


def _e(entry: str, cause: str, kind: str) -> Shown:
    return Shown(entry, cause, "evidence", kind)


def _smtp_config(outcome: str) -> tuple[Shown, ...]:
    """A wrong SMTP set-up shows in both e-mail entries; the alert entry's own alert-path check
    (monitor.alerts, listed first) sees it first there."""
    return (_c("email-delivery-failed", "smtp-misconfigured", f"email.smtp.{outcome}"),
            _c("alert-emails-missing", "smtp-alerts-failing", f"monitor.alerts.{outcome}"))


_LIST: list[Scenario] = [
    Scenario("healthy", ""),
    # --- the CopyCar API ---
    Scenario("missing-key", "api",
             (_c("invalid-api-key", "missing-key", "api.key_configured.missing"),), {"log": "auth"}),
    Scenario("invalid-key", "api",
             (_c("invalid-api-key", "wrong-key", "api.verify.unauthorized"),), {"log": "auth"}),
    Scenario("expired-key", "api",
             (_c("invalid-api-key", "expired-key", "api.verify.expired"),), {"log": "auth"}),
    Scenario("forbidden", "api",
             (_c("invalid-api-key", "insufficient-permissions", "api.verify.forbidden"),), {"log": "forbidden"}),
    Scenario("rate-limited", "api",
             (_c("rate-limit-exceeded", "too-many-calls", "api.verify.rate_limited"),), {"log": "rate-limited"}),
    Scenario("low-quota", "api",
             (_c("rate-limit-exceeded", "plan-too-small", "api.rate_limit.low_quota"),)),
    Scenario("slow", "api",
             (_c("slow-responses", "high-latency", "api.latency.high_response_time"),), {"log": "slow"}),
    Scenario("flaky", "api",
             (_c("slow-responses", "high-error-rate", "api.latency.high_error_rate"),), {"log": "errors"}),
    Scenario("down", "api",
             (_c("api-unreachable", "service-down", "api.health.unhealthy"),), {"log": "down"}),
    Scenario("connection-refused", "api",
             (_c("api-unreachable", "network", "api.health.connect_failed"),
              _c("content-generation-failed", "connectivity", "api.health.connect_failed"))),
    Scenario("tls-untrusted", "api",
             (_c("api-unreachable", "tls", "api.health.tls_failure"),)),
    Scenario("wrong-base-url", "api",
             (_c("api-unreachable", "wrong-base-url", "api.health.redirect"),
              _c("content-generation-failed", "misconfiguration", "api.health.redirect")), {"log": "low-success"}),
    Scenario("endpoints-down", "api",
             (_c("api-unreachable", "no-healthy-endpoint", "api.endpoints.some_unhealthy"),)),
    # --- the CRM ---
    Scenario("crm-bad-token", "crm",
             (_c("crm-integration-failed", "bad-credentials", "crm.auth.bad_credentials"),)),
    Scenario("crm-missing-scope", "crm",
             (_c("crm-integration-failed", "insufficient-permissions", "crm.permissions.missing_scope"),)),
    Scenario("crm-field-missing", "crm",
             (_c("crm-integration-failed", "field-mapping", "crm.fields.mapping_error"),)),
    Scenario("crm-down", "crm",
             (_c("crm-integration-failed", "crm-api-down", "crm.auth.unavailable"),)),
    # --- mail (SMTP) ---
    Scenario("smtp-no-starttls", "smtp", _smtp_config("no_starttls")),
    Scenario("smtp-bad-login", "smtp", _smtp_config("auth_failed")),
    Scenario("smtp-silent", "smtp", _smtp_config("connect_failed")),
    Scenario("smtp-daily-limit", "smtp",
             (_c("email-delivery-failed", "sending-limit", "email.limits.exceeded"),)),
    Scenario("smtp-busy", "smtp",
             (_c("email-delivery-failed", "smtp-temporary-refusal", "email.smtp.temporary_refusal"),)),
    Scenario("smtp-blocklisted", "smtp",
             (_c("email-delivery-failed", "smtp-client-refused", "email.smtp.client_refused"),)),
    Scenario("smtp-sender-refused", "smtp",
             (_c("email-delivery-failed", "sender-refused", "email.smtp.sender_refused"),)),
    Scenario("smtp-relay-denied", "smtp",
             (_c("email-delivery-failed", "relay-denied", "email.smtp.relay_denied"),)),
    Scenario("smtp-unknown-recipient", "smtp",
             (_c("email-delivery-failed", "recipient-refused", "email.smtp.recipient_refused"),)),
    # --- the sending domain (DNS) ---
    Scenario("dns-no-mx", "dns",
             (_c("email-delivery-failed", "domain-reputation", "email.domain.no_mx"),)),
    Scenario("dns-two-spf", "dns",
             (_c("email-delivery-failed", "domain-reputation", "email.domain.spf_problem"),)),
    Scenario("dns-spf-too-many-lookups", "dns",
             (_c("email-delivery-failed", "domain-reputation", "email.domain.spf_problem"),)),
    Scenario("dns-no-dmarc", "dns",
             (_c("email-delivery-failed", "domain-reputation", "email.domain.dmarc_problem"),)),
    Scenario("dns-dkim-missing", "dns",
             (_c("email-delivery-failed", "domain-reputation", "email.domain.dkim_missing"),)),
    # --- the cache (Redis) ---
    Scenario("redis-down", "redis",
             (_c("cache-problems", "redis-unreachable", "cache.redis.unreachable"),)),
    Scenario("redis-auth", "redis",
             (_c("cache-problems", "redis-auth", "cache.redis.auth_failed"),)),
    Scenario("redis-eviction", "redis",
             (_c("cache-problems", "memory-eviction", "cache.redis.eviction_risk"),)),
    Scenario("redis-low-hits", "redis",
             (_c("cache-problems", "low-hit-ratio", "cache.redis.low_hit_ratio"),)),
    Scenario("redis-blocked", "redis",
             (_c("cache-problems", "keys-blocking", "cache.redis.blocked"),)),
    # --- material checked locally ---
    Scenario("prompt-too-short", "content",
             (_c("content-generation-failed", "malformed-prompt", "content.prompt.too_short"),), {"prompt": "too-short"}),
    Scenario("prompt-too-long", "content",
             (_c("content-generation-failed", "token-limit", "content.prompt.too_long"),), {"prompt": "too-long"}),
    Scenario("account-missing-fields", "content",
             (_c("low-personalization-score", "thin-account-data", "content.personalization.missing_fields"),),
             {"account": "missing-fields"}),
    Scenario("account-thin", "content",
             (_c("low-personalization-score", "limited-context", "content.personalization.thin_context"),),
             {"account": "thin"}),
    Scenario("spammy-email", "content",
             (_c("email-delivery-failed", "spam-content", "email.spam.spammy"),), {"email": "spammy"}),
    Scenario("log-low-success", "content",
             (_c("slow-responses", "low-success-rate", "logs.analyze.low_success_rate"),), {"log": "low-success"}),
    Scenario("log-low-throughput", "content",
             (_c("slow-responses", "low-throughput", "logs.analyze.low_throughput"),), {"log": "low-throughput"}),
    # --- causes no check can tell apart: the material points to them ---
    Scenario("polling-integration", "content",
             (_e("rate-limit-exceeded", "inefficient-calls", "log"),), {"log": "polling"}),
    Scenario("alerts-no-destination", "content",
             (_c("alert-emails-missing", "no-alert-destination", "monitor.alerts.not_configured"),)),
    Scenario("alerts-never-fire", "content",
             (_e("alert-emails-missing", "thresholds-never-trigger", "log"),), {"log": "alerts-silent"}),
    Scenario("alerts-in-spam", "content",
             (_e("alert-emails-missing", "alerts-in-spam", "email"),), {"email": "alert-in-spam"}),
    Scenario("generic-prompt", "content",
             (_e("low-personalization-score", "poor-prompts", "prompt"),), {"prompt": "generic"}),
    Scenario("settings-changed", "content",
             (_e("low-personalization-score", "wrong-settings", "account"),), {"account": "settings-changed"}),
]

SCENARIOS: dict[str, Scenario] = {s.name: s for s in _LIST}
# names the simulator knew before the world: still accepted, the same as healthy
ALIASES = {"crm-ok": "healthy"}


class UnknownScenario(ValueError):
    pass


def resolve(spec: str) -> list[Scenario]:
    """The scenarios of `spec` ("a" or "a,b,…"), checked: known, and at most one per service (per
    kind of material for content). `UnknownScenario` says what is wrong."""
    names = list(dict.fromkeys(p.strip() for p in (spec or "healthy").split(",") if p.strip())) or ["healthy"]
    out: list[Scenario] = []
    for name in names:
        name = ALIASES.get(name, name)
        if name not in SCENARIOS:
            raise UnknownScenario(Msg.of("sim.unknown_scenario", name=repr(name)))
        out.append(SCENARIOS[name])
    if len(out) > 1:
        out = [s for s in out if s.name != "healthy"]
    taken: dict[str, str] = {}
    for s in out:
        keys = [f"content:{k}" for k in s.samples] if s.service == "content" else [s.service]
        for key in keys:
            if key in taken:
                raise UnknownScenario(f"{taken[key]!r} and {s.name!r} both change the {key.replace('content:', '')}: "
                                      "combine scenarios of different services")
            taken[key] = s.name
    return out


def samples_for(scenarios: list[Scenario]) -> Samples:
    """The material of a combination: each scenario's own, content scenarios last (they win)."""
    chosen: dict[str, str] = {}
    for s in sorted(scenarios, key=lambda s: s.service == "content"):
        chosen.update(s.samples)
    return Samples(**chosen)


def by_service() -> dict[str, list[Scenario]]:
    out: dict[str, list[Scenario]] = {}
    for s in _LIST:
        out.setdefault(s.service or "all", []).append(s)
    return out
