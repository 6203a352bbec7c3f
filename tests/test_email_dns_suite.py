"""The e-mail domain suite (tests/email_dns_suite.py) through `email.domain`, against an
authoritative DNS server on loopback: every case's status and outcome as the RFCs have it, and
the words that say why. A pass where a warning or failure is due is the error this suite exists
to catch."""

from __future__ import annotations

import pytest

from copycar_assist.checks.dnscheck import DomainCheck
from copycar_assist.config import Settings

from email_dns_suite import CASES
from fixtures_integrations import make_ctx

CHECK = DomainCheck(timeout_s=6.0, try_timeout_s=0.5, lifetime_s=1.0)


def suite_settings(domain: str, port: int, selectors) -> Settings:
    s = Settings()
    s.email.domain = domain
    s.email.dkim_selectors = list(selectors)
    s.email.nameservers = ["127.0.0.1"]
    s.email.dns_port = port
    return s


def test_the_suite_is_large_and_covers_every_verdict():
    assert len(CASES) >= 30
    assert len({c.domain for c in CASES}) == len(CASES)
    assert {c.expect for c in CASES} == {"pass", "warn", "fail"}


@pytest.mark.parametrize("case", CASES, ids=[c.domain for c in CASES])
async def test_case(case, dns_server, http_client):
    f = await CHECK.run(make_ctx(suite_settings(case.domain, dns_server.port, case.selectors), http_client))
    text = f.summary + " " + " ".join(f.evidence.get("problems", [])) + " " + " ".join(f.evidence.get("notes", []))
    assert (f.status, f.outcome) == (case.expect, case.outcome), f"{case.rfc}\n{text}"
    for words in case.mentions:
        assert words in text, f"{words!r} not in: {text}"
    if case.expect != "pass":
        # every problem names the RFC section (or says why none applies) and a fix
        for p in f.evidence.get("problems", []):
            assert "RFC" in p or "could not" in p.lower() or "cannot" in p.lower(), p
