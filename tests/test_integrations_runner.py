"""The integration checks through the registry and `run_checks`: ids, outcome → entry/cause
mapping, and canary secrets looked for everywhere (results, JSON, DEBUG logs of every library,
reprs, and what a TLS-less SMTP server received)."""

from __future__ import annotations

import base64
import json
import logging
import urllib.parse

import pytest

from copycar_assist.checks.cache import CacheCheck
from copycar_assist.checks.crm import CrmAuthCheck, CrmFieldsCheck, CrmPermissionsCheck
from copycar_assist.checks.email import LimitsCheck, SmtpCheck
from copycar_assist.checks.registry import all_checks
from copycar_assist.checks.runner import run_checks
from copycar_assist.checks.spam import SpamCheck
from copycar_assist.config import Settings
from copycar_assist.redact import Secret
from copycar_assist.simulator import start_simulator
from copycar_assist.simulator.crm import DEMO_FIELD_MAP

from fixtures_integrations import (
    CANARY_CRM,
    CANARY_REDIS,
    CANARY_SMTP,
    SMTP_USER,
    make_ctx,
)
from shipped import knowledge

OURS = ("email.smtp", "email.limits", "email.domain", "email.spam", "crm.auth", "crm.permissions",
        "crm.fields", "cache.redis")


def test_registry_has_every_integration_check_with_catalogue_tags():
    checks = all_checks()
    for cid in OURS:
        assert cid in checks, cid
        assert set(checks[cid].tags) == set(knowledge().checks[cid].tags)
        assert checks[cid].timeout_s > 0 and checks[cid].budget() < checks[cid].timeout_s


def test_every_outcome_we_report_is_in_the_catalogue():
    """Outcome strings written in our modules are all catalogue outcomes of the right family."""
    import re
    from pathlib import Path

    import copycar_assist.checks as pkg

    root = Path(pkg.__file__).parent
    allowed = {o for cid in OURS for o in knowledge().checks[cid].outcomes} | {"skipped", "error"}
    domain_parts = ("dnscheck.py", "mxhosts.py", "spfwalk.py", "dmarc.py", "dkimkey.py", "mailtls.py")
    seen_areas: set[str] = set()
    for name in ("email.py", "smtpprobe.py", "spam.py", "crm.py", "cache.py", *domain_parts):
        text = (root / name).read_text()
        found = set(re.findall(r'finish\(ctx, "\w+", "(\w+)"', text))
        found |= set(re.findall(r'_Stop\("(\w+)"', text))
        # the e-mail domain parts name their outcome as a verdict's area
        areas = set(re.findall(r'verdict\(\s*"(?:fail|warn|info)",\s*"(\w+)"', text))
        areas |= set(re.findall(r'v\("(?:fail|warn|info)", "(\w+)"', text))
        areas |= set(re.findall(r'verdict\(level, "(\w+)"', text))
        if name in domain_parts:
            assert areas <= set(knowledge().checks["email.domain"].outcomes), (name, areas)
            seen_areas |= areas
        assert found <= allowed, (name, found - allowed)
    assert {"no_mx", "mx_problem", "spf_problem", "dmarc_problem", "dkim_missing", "dkim_invalid"} <= seen_areas


def _forms(secret: str) -> list[str]:
    forms = [secret, urllib.parse.quote(secret, safe=""), json.dumps(secret)[1:-1],
             base64.b64encode(secret.encode()).decode()[:-2],
             base64.b64encode(b"\0" + SMTP_USER.encode() + b"\0" + secret.encode()).decode()]
    forms += [secret[i:i + 12] for i in range(len(secret) - 11)]
    return forms


def assert_clean(blob: str, where: str) -> None:
    for secret in (CANARY_SMTP, CANARY_CRM, CANARY_REDIS):
        for form in _forms(secret):
            assert form not in blob, f"{where} holds a form of a canary secret: {form!r}"


@pytest.fixture
def debug_logs():
    """Every logger at DEBUG, records kept formatted (message and arguments)."""
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage() + " " + repr(record.args))

    names = ("", "httpx", "httpcore", "redis", "aiosmtplib", "asyncio", "dns", "mail.log", "copycar_assist")
    saved = {n: logging.getLogger(n).level for n in names}
    handler = Keep(level=logging.DEBUG)
    logging.getLogger().addHandler(handler)
    for n in names:
        logging.getLogger(n).setLevel(logging.DEBUG)
    yield records
    logging.getLogger().removeHandler(handler)
    for n, level in saved.items():
        logging.getLogger(n).setLevel(level)


FAST = {
    "email.smtp": SmtpCheck(timeout_s=4.0, phase_timeout_s=1.0), "email.limits": LimitsCheck(),
    "email.spam": SpamCheck(), "crm.auth": CrmAuthCheck(), "crm.permissions": CrmPermissionsCheck(),
    "crm.fields": CrmFieldsCheck(), "cache.redis": CacheCheck(timeout_s=4.0, socket_timeout_s=0.5),
}


async def test_everything_through_the_runner_maps_and_leaks_nothing(
        smtp_factory, certs, redis_proc, http_client, debug_logs):
    plain = await smtp_factory(auth_in_clear=True)  # no STARTTLS on offer, AUTH tempting in clear
    good = await smtp_factory(starttls=certs.good)
    redis = redis_proc(password=CANARY_REDIS)
    with start_simulator("crm-missing-scope") as sim:
        reports = {}
        for label, port in (("plain", plain.port), ("good", good.port)):
            s = Settings()
            s.smtp.host, s.smtp.port, s.smtp.username = "127.0.0.1", port, SMTP_USER
            s.smtp.password, s.smtp.from_addr, s.smtp.ca_file = Secret(CANARY_SMTP), SMTP_USER, certs.ca_file
            s.smtp.daily_limit, s.smtp.sent_today = 500, 480
            s.crm.kind, s.crm.base_url, s.crm.token = "hubspot", sim.root_url + "/crm", Secret(CANARY_CRM)
            s.crm.field_map = dict(DEMO_FIELD_MAP)
            s.redis.url = Secret(f"redis://:{CANARY_REDIS}@127.0.0.1:{redis.port}/0" if label == "good"
                                 else f"redis://:wrong-{CANARY_REDIS}@127.0.0.1:{redis.port}/0")
            from copycar_assist.checks.base import Inputs

            ctx = make_ctx(s, http_client, inputs=Inputs(email_text="FREE MONEY!!! click here http://bit.ly/x"))
            events = []
            report = await run_checks(ctx, list(FAST), checks=FAST, on_event=events.append, deadline_s=10,
                                          prefer_entry="email-delivery-failed")
            reports[label] = report
            blob = json.dumps(report.to_json(), ensure_ascii=False) + repr(report) + repr(events)
            assert_clean(blob, f"run {label}")
            assert_clean(repr(s) + repr(ctx) + repr(FAST), "reprs")

    by = {label: {r.id: r for r in rep.results} for label, rep in reports.items()}
    p, g = by["plain"], by["good"]
    assert (p["email.smtp"].outcome, p["email.smtp"].entry, p["email.smtp"].cause) == (
        "no_starttls", "email-delivery-failed", "smtp-misconfigured")
    assert g["email.smtp"].outcome == "ok" and g["email.smtp"].status == "pass"
    assert (g["email.limits"].outcome, g["email.limits"].cause) == ("near_limit", "sending-limit")
    assert (g["email.spam"].outcome, g["email.spam"].cause) == ("spammy", "spam-content")
    assert (g["crm.permissions"].outcome, g["crm.permissions"].entry, g["crm.permissions"].cause) == (
        "missing_scope", "crm-integration-failed", "insufficient-permissions")
    assert (p["cache.redis"].outcome, p["cache.redis"].cause) == ("auth_failed", "redis-auth")
    assert g["cache.redis"].outcome == "ok", (g["cache.redis"].summary, g["cache.redis"].evidence)

    # the TLS-less server never heard an AUTH; the good one only inside TLS
    assert b"AUTH" not in plain.everything().upper() and plain.auth_attempts == []
    assert b"AUTH" not in good.cleartext().upper() and len(good.auth_attempts) == 1
    assert_clean("\n".join(debug_logs), "DEBUG logs")
    assert any("send_request_headers" in r for r in debug_logs)  # DEBUG logging was really on


async def test_skipped_when_not_configured(http_client):
    ctx = make_ctx(Settings(), http_client)
    report = await run_checks(ctx, list(OURS), deadline_s=5)
    for r in report.results:
        assert r.status == "skipped", (r.id, r.status, r.summary)
