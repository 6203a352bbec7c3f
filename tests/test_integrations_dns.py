"""email.domain beyond the suite: DNS faults (SERVFAIL, silence), hostile zones (an include bomb,
2,000 records, control bytes), the query budget and deadline, Spanish output, evidence shape;
plus the pure SPF / DMARC parsers, with hypothesis for hostile text."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copycar_assist.checks.dkimkey import judge_key
from copycar_assist.checks.dmarc import is_dmarc, parse_dmarc, report_uris
from copycar_assist.checks.dnscheck import DomainCheck
from copycar_assist.checks.dnsquery import MAX_QUERIES, Lookup
from copycar_assist.checks.spfsyntax import domain_spec_problem, is_spf, parse_spf
from copycar_assist.config import Settings

from email_dns_suite import q
from fixtures_dns import Authority, start_authority, stop_authority
from fixtures_integrations import make_ctx

CHECK = DomainCheck(timeout_s=4.0, try_timeout_s=0.5, lifetime_s=1.0)


def dns_settings(domain: str, port: int, selectors=("s1",)) -> Settings:
    s = Settings()
    s.email.domain = domain
    s.email.dkim_selectors = list(selectors)
    s.email.nameservers = ["127.0.0.1"]
    s.email.dns_port = port
    return s


async def run(domain, port, http_client, lang="en", **kw):
    return await CHECK.run(make_ctx(dns_settings(domain, port, **kw), http_client, lang=lang))


def _bomb_zone() -> str:
    """An SPF include tree 10 wide and 3 deep (1,110 records) and a wildcard-free MX fan-out."""
    lines = ["$ORIGIN bomb.test.", "$TTL 60", "@ IN MX 10 mx", "mx IN A 192.0.2.7",
             "@ IN TXT " + q("v=spf1 " + " ".join(f"include:i{i}.bomb.test" for i in range(10)) + " -all"),
             "_dmarc IN TXT " + q("v=DMARC1; p=reject")]
    for i in range(10):
        lines.append(f"i{i} IN TXT " + q("v=spf1 " + " ".join(f"include:j{i}-{j}.bomb.test" for j in range(10)) + " -all"))
        for j in range(10):
            lines.append(f"j{i}-{j} IN TXT " + q("v=spf1 " + " ".join(f"include:k{i}-{j}-{k}.bomb.test" for k in range(10)) + " -all"))
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def hostile_dns():
    from dnslib import QTYPE, RR, TXT

    auth = Authority(_bomb_zone() + "$ORIGIN ctrl.test.\n@ IN MX 10 mx\nmx IN A 192.0.2.8\n")
    auth.add([RR("ctrl.test.", QTYPE.TXT, ttl=60, rdata=TXT([b"v=spf1 \x1b]0;pwned\x07-all \x1b[31mred\x9b2J"])),
              RR("_dmarc.ctrl.test.", QTYPE.TXT, ttl=60, rdata=TXT([b"v=DMARC1; p=none\x00\x1b[2J; rua=mailto:\x1b[31m@x.test"])),
              RR("s1._domainkey.ctrl.test.", QTYPE.TXT, ttl=60, rdata=TXT([b"v=DKIM1; p=\x1b]52;c;AAAA\x07\xc3\x28"]))])
    server = start_authority(auth)
    yield server
    stop_authority(server)


# --- the suite's good domain, evidence shape -------------------------------------------------------

async def test_good_domain_evidence(dns_server, http_client):
    f = await run("good.test", dns_server.port, http_client)
    assert (f.status, f.outcome) == ("pass", "ok"), f.summary
    ev = f.evidence
    assert ev["mx"] == "10 mx1.good.test, 20 mx2.good.test"
    assert ev["mx_hosts"] == ["mx1.good.test → 192.0.2.1", "mx2.good.test → 192.0.2.2"]
    assert ev["mx_reverse_dns"] == ["192.0.2.1 → mx1.good.test ✓", "192.0.2.2 → mx2.good.test ✓"]
    assert ev["spf_lookups"].startswith("1 / 10 (includes and redirects followed")
    assert ev["spf_void_lookups"] == "0 / 2" and ev["spf_all"] == "-all"
    assert ev["spf_followed"] == "include:_spf.mailer.test"
    assert ev["dmarc_policy"] == "reject" and ev["dmarc_rua"] == "dmarc@good.test"
    assert ev["dkim s1"] == "found and parses (RSA 2048)"
    assert ev["mta_sts"] == "not published (optional)"
    assert 0 < ev["dns_queries"] <= MAX_QUERIES
    assert "problems" not in ev


async def test_inherited_policy_names_its_source(dns_server, http_client):
    f = await run("mail.inherit.test", dns_server.port, http_client)
    assert f.evidence["dmarc_source"].startswith("_dmarc.inherit.test (inherited")
    assert "RFC 7489 §6.6.3" in f.evidence["dmarc_source"]
    # the walk asked the subdomain first, then the organisational domain
    asked = [n for n, t in dns_server.authority.queries if n.startswith("_dmarc.") and "inherit" in n]
    assert "_dmarc.mail.inherit.test" in asked and "_dmarc.inherit.test" in asked


async def test_1024_bit_key_passes_with_a_note(dns_server, http_client):
    f = await run("dkim-1024.test", dns_server.port, http_client)
    assert f.status == "pass"
    assert any("1024-bit RSA" in n and "RFC 8301" in n for n in f.evidence["notes"])


# --- faults ----------------------------------------------------------------------------------------

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


# --- hostile zones ---------------------------------------------------------------------------------

async def test_an_include_bomb_stops_at_the_caps(hostile_dns, http_client):
    hostile_dns.authority.queries.clear()
    started = time.monotonic()
    f = await run("bomb.test", hostile_dns.port, http_client, selectors=())
    assert time.monotonic() - started < 4.0
    assert (f.status, f.outcome) == ("fail", "spf_problem")
    assert f.evidence["spf_lookups"].startswith("> 19 / 10")
    assert "receivers stop at 10" in f.summary
    assert len(hostile_dns.authority.queries) <= MAX_QUERIES
    assert f.evidence["dns_queries"] <= MAX_QUERIES


async def test_two_thousand_records_are_refused_in_bounded_time(dns_server, http_client):
    started = time.monotonic()
    f = await run("huge-txt.test", dns_server.port, http_client)
    assert time.monotonic() - started < 3.0
    assert f.status == "warn"
    assert "2001 records (limit 100)" in f.summary
    assert len(repr(f.evidence)) < 20_000


@pytest.mark.parametrize("lang", ["en", "es"])
async def test_control_characters_never_leave(hostile_dns, http_client, lang):
    from copycar_assist.checks import run_checks

    ctx = make_ctx(dns_settings("ctrl.test", hostile_dns.port), http_client, lang=lang)
    f = (await run_checks(ctx, [CHECK.id], checks={CHECK.id: CHECK})).results[0]  # the runner cleans
    blob = f.summary + repr(f.evidence)
    for bad in ("\x1b", "\x07", "\x9b", "\x00", "\\x1b", "\\x07", "\\x9b", "\\x00"):
        assert bad not in blob
    # judged on the bytes a receiver sees: the control bytes make the term invalid
    assert (f.status, f.outcome) == ("fail", "spf_problem")
    problems = " ".join(f.evidence["problems"])
    assert ("printable ASCII" if lang == "en" else "ASCII imprimible") in problems
    assert "?]0;pwned?-all" in problems  # where the bytes were is visible
    assert "DKIM" in problems


async def test_spanish_texts(dns_server, http_client):
    f = await run("spf-13.test", dns_server.port, http_client, lang="es")
    assert "consultas DNS" in f.summary and "RFC 7208 §4.6.4" in f.summary and "aplana" in f.summary
    g = await run("good.test", dns_server.port, http_client, lang="es")
    assert g.summary.startswith("El DNS de good.test pasa lo comprobado")
    assert g.evidence["dkim s1"] == "encontrada y legible (RSA 2048)"


# --- pure parsers ----------------------------------------------------------------------------------

@pytest.mark.parametrize("record, problem", [
    ("v=spf1 -all", None),
    ("v=spf1 ip4:127.0.5.300 -all", "bad_ip4"),
    ("v=spf1 ip4:10.0.0.1/33", "bad_cidr"),
    ("v=spf1 ip4:010.0.0.1", "bad_ip4"),
    ("v=spf1 ip4:1.2.3", "bad_ip4"),
    ("v=spf1 ip6:2001:db8::/48 ip6:::1", None),
    ("v=spf1 ip6:fe80::1%eth0", "bad_ip6"),
    ("v=spf1 ip6:2001:db8::/129", "bad_cidr"),
    ("v=spf1 a/24//64 mx:mail.example.com/28 ~all", None),
    ("v=spf1 a//129", "bad_cidr"),
    ("v=spf1 include:", "missing_value"),
    ("v=spf1 include:1.2.3.4", "bad_domain"),
    ("v=spf1 include:localhost", "bad_domain"),
    ("v=spf1 include:a..example.com", "bad_domain"),
    ("v=spf1 exists:%{i}.%{h}._spf.example.com", None),
    ("v=spf1 exists:%{c}.example.com", "bad_macro"),
    ("v=spf1 exp=explain.%{d} -all", None),
    ("v=spf1 exp=%{c}.%{d2r}.example.com -all", None),
    ("v=spf1 redirect=a.example.com redirect=b.example.com", "duplicate_modifier"),
    ("v=spf1 -redirect=a.example.com", "unknown_mechanism"),
    ("v=spf1 foo=bar -all", None),
    ("v=spf1 all:x", "bad_value"),
    ("v=spf1 ip4:1.2.3.4\t-all", "bad_char"),
    ("v=spf1 include:ex\u00e1mple.com", "bad_char"),
    ("v=spf1 mx:example.com/", "bad_domain"),
])
def test_spf_syntax(record, problem):
    got = parse_spf(record).problems
    assert [p.code for p in got][:1] == ([problem] if problem else []), got


def test_spf_record_detection():
    assert is_spf("v=spf1") and is_spf("V=SPF1 -all") and is_spf("v=spf1 ip4:1.2.3.4")
    assert not is_spf("v=spf10 -all") and not is_spf(" v=spf1") and not is_spf("spf1")
    assert domain_spec_problem("_spf.example.com.") is None


def test_dmarc_parsing():
    assert is_dmarc("v=DMARC1; p=reject") and is_dmarc("v = DMARC1") and not is_dmarc("p=reject; v=DMARC1")
    rec = parse_dmarc("v=DMARC1; p=reject; p=none; junk; sp=none;")
    assert rec.tags["p"] == "reject" and rec.tags["sp"] == "none"
    assert rec.malformed == ["p=none", "junk"]
    good, bad = report_uris("mailto:a@x.example, mailto:b@y.example!10m, https://r.example/, c@z.example")
    assert good == [("a@x.example", "x.example"), ("b@y.example", "y.example")]
    assert bad == ["https://r.example/", "c@z.example"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600))
def test_spf_parser_never_crashes_on_hostile_text(text):
    parsed = parse_spf("v=spf1 " + text)
    assert len(parsed.terms) + len(parsed.problems) <= len(text.split(" ")) + 1


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("v=spf1 :/%{}.-_+~?aimxpncludeo0123456789")), max_size=300))
def test_spf_parser_on_near_miss_records(text):
    parsed = parse_spf("v=spf1 " + text)
    for p in parsed.problems:
        assert p.code


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=700))
def test_dkim_judge_never_crashes_on_hostile_records(raw):
    lk = Lookup("s1._domainkey.x.test", "TXT", "ok", [raw.decode("utf-8", "replace")])
    report = judge_key("s1", "x.test", lk)
    assert report.fact.text("en") and report.fact.text("es")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_dmarc_parser_never_crashes(text):
    rec = parse_dmarc("v=DMARC1; " + text)
    report_uris(rec.tags.get("rua", ""))
