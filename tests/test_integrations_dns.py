"""email.domain against a real DNS server on loopback (dnslib) and a silent one; plus the pure
SPF/DMARC analysis."""

from __future__ import annotations

import time

import pytest

from copycar_assist.checks.dnscheck import DomainCheck, analyse_dmarc, analyse_spf
from copycar_assist.config import Settings
from tests.fixtures_integrations import *  # noqa: F401,F403
from tests.fixtures_integrations import make_ctx

CHECK = DomainCheck(timeout_s=4.0, try_timeout_s=0.5, lifetime_s=1.0)


def dns_settings(domain: str, port: int, selectors=("s1",)) -> Settings:
    s = Settings()
    s.email.domain = domain
    s.email.dkim_selectors = list(selectors)
    s.email.nameservers = ["127.0.0.1"]
    s.email.dns_port = port
    return s


async def run(domain, port, http_client, **kw):
    return await CHECK.run(make_ctx(dns_settings(domain, port, **kw), http_client))


async def test_good_domain(dns_server, http_client):
    f = await run("good.test", dns_server.port, http_client)
    assert (f.status, f.outcome) == ("pass", "ok"), f.summary
    assert f.evidence["mx"] == "10 mx1.good.test, 20 mx2.good.test"
    assert f.evidence["dmarc_policy"] == "reject"
    assert f.evidence["dkim s1"].startswith("found")
    assert "top level only" in f.evidence["spf_lookups"]
    assert f.evidence["spf_lookups"].startswith("1 / 10")


async def test_nxdomain(dns_server, http_client):
    f = await run("nx-nothing.test", dns_server.port, http_client)
    assert (f.status, f.outcome) == ("fail", "no_mx")
    assert "NXDOMAIN" in f.summary


async def test_servfail_everywhere_is_an_error_with_the_reason(dns_server, http_client):
    f = await run("servfail.test", dns_server.port, http_client)
    assert (f.status, f.outcome) == ("error", "error")
    assert "SERVFAIL" in f.summary


async def test_timeout_within_the_deadline(silent_dns, http_client):
    started = time.monotonic()
    f = await run("good.test", silent_dns, http_client)
    assert time.monotonic() - started < 3.0
    assert (f.status, f.outcome) == ("error", "error")
    assert "timeout" in f.summary.lower()


async def test_two_spf_records_are_a_permerror(dns_server, http_client):
    f = await run("twospf.test", dns_server.port, http_client, selectors=())
    assert (f.status, f.outcome) == ("fail", "spf_problem")
    assert "permerror" in f.summary and "2 SPF" in f.summary


async def test_multi_string_txt_is_concatenated(dns_server, http_client):
    f = await run("multi.test", dns_server.port, http_client, selectors=())
    assert f.evidence["spf"] == "v=spf1 ip4:198.51.100.0/24 include:_spf.mailer.test -all"
    assert f.evidence["dmarc_policy"] == "reject"
    assert (f.status, f.outcome) == ("pass", "ok"), f.summary


async def test_control_characters_in_txt_are_removed(dns_server, http_client):
    f = await run("ctrl.test", dns_server.port, http_client, selectors=())
    blob = f.summary + repr(f.evidence)
    for bad in ("\x1b", "\x07", "\x9b", "\x00"):
        assert bad not in blob
    assert f.evidence["spf"].startswith("v=spf1")
    # p=none (after cleaning) is weak
    assert f.evidence["dmarc_policy"] == "none"


async def test_weak_domain(dns_server, http_client):
    f = await run("weak.test", dns_server.port, http_client, selectors=("s1",))
    assert (f.status, f.outcome) == ("fail", "spf_problem")
    problems = " ".join(f.evidence["problems"])
    assert "11 DNS lookups" in problems and "+all" in problems and "p=none" in problems
    assert "dkim" in problems.lower() or "DKIM" in problems


async def test_missing_mx(dns_server, http_client):
    f = await run("nomx.test", dns_server.port, http_client, selectors=())
    assert (f.status, f.outcome) == ("fail", "no_mx")


async def test_absent_dkim_selector_warns_not_fails(dns_server, http_client):
    f = await run("good.test", dns_server.port, http_client, selectors=("s1", "nope"))
    assert (f.status, f.outcome) == ("warn", "dkim_missing")
    assert "cannot determine" in f.summary


async def test_spanish_summary(dns_server, http_client):
    ctx = make_ctx(dns_settings("twospf.test", dns_server.port, selectors=()), http_client, lang="es")
    f = await CHECK.run(ctx)
    assert "registros SPF" in f.summary


@pytest.mark.parametrize("record, expect", [
    ("v=spf1 -all", []),
    ("v=spf1 include:a.test ?all", ["neutral"]),
    ("v=spf1 mx a ptr exists:x.test include:a.test include:b.test include:c.test include:d.test "
     "include:e.test include:f.test include:g.test -all", ["11 DNS"]),
    ("v=spf1 redirect=_spf.x.test", []),
    ("v=spf1 all", ["+all"]),
    ("v=spf1 foo:bar -all", ["unknown"]),
])
def test_spf_analysis(record, expect):
    verdicts, _ = analyse_spf([record, "other=txt"])
    texts = " ".join(v.en for v in verdicts)
    for word in expect:
        assert word in texts
    if not expect:
        assert verdicts == []


def test_dmarc_analysis():
    assert analyse_dmarc(["v=DMARC1; p=reject"])[0] == []
    assert analyse_dmarc(["v=DMARC1; p=none"])[0][0].status == "warn"
    assert analyse_dmarc(["v=DMARC1; rua=mailto:x@y"])[0][0].status == "fail"
    assert analyse_dmarc(["v=DMARC1; p=reject", "v=DMARC1; p=none"])[0][0].status == "fail"
    assert analyse_dmarc([])[0][0].status == "warn"
