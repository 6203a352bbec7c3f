"""The e-mail domain suite: crafted domains, each with the verdict RFCs 5321, 7208 (SPF), 7489
(DMARC), 6376/8301/8463 (DKIM), 7505 (null MX) and 2181 give it, served by `fixtures_dns.Authority`.

Shared by tests/test_email_dns_suite.py (our check must get every case right) and
benchmarks/email_dns_peer.py (the same cases through checkdmarc + dkimpy). Each case is a zone
(zone-file text relative to the domain, or dnslib RRs for what zone text cannot carry), the DKIM
selectors to configure, the expected status and outcome, and words our English text must hold.

The public keys below are real (RSA 2048/1024/512, Ed25519); their private halves were thrown
away. Addresses come from the documentation ranges (RFC 5737) unless a case is about them.
"""

from __future__ import annotations

from dataclasses import dataclass

K2048 = ("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAinkGUZh91qLryxwMYsUf97IZ3TAb4Cm5Rm3WLMjXW4fkeC42uk4AuZ07pGptMpu4"
         "No+OMmNEqMdJKIdIVa02fxEigPczpQXCTvm6Qrg6jZkqaZtF23l0b+Ksw+rj8e9lN42bRhyYSExM/VcXc3F4/hiWUUhjyvQiPOLY3Pri561w"
         "Pt2GkXebIVnGIhnw6PDt11f/qFzYSKSlEWdEe2LmsoVypWFilmCuZYQMjsNyTTVp8zCFz2cyuAQiALPksjhydtl+DkxQF/43n2xW958886gk"
         "6IohtZ0GPFOYh3HTY/C2D4Oafy3kozNft961qh4fwBBA4buYIOtLUk24Bd7QowIDAQAB")
K1024 = ("MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDPxZZjL2ZwHEhgUa7pWpqpgZPjaVPHu2Fxm0DnObbrJkxFY1pi6EfvHhS1tLmKXYbW8Sdi"
         "MVVuAaDkFAlRQSru48Ve0R3dcb9XkwJ0Q/BpBIV8wmGQLJSM8D/fagKccI8rGQ1v5GfCZ4GypvK0PMKcXbEWMxr/zU4A6/agfnSpBwIDAQAB")
K512 = ("MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAM/AFVZVGKAnY53qOG6tQmQWu/bY7CzFVIUFqprLkVseSuTqWID2nJM/QmOZ/VCiQwdoWwQyQYJy"
        "x4wxjC9FDzECAwEAAQ==")
KED = "fhpIrrnQuEBGgiSNJxKhWwIhf2pNXlRoNld4kkNcnnU="

GOOD_SPF = "v=spf1 ip4:198.51.100.0/24 include:_spf.mailer.test -all"


def q(text: str) -> str:
    """Zone-file TXT data: quoted strings of at most 255 characters (a record longer than that is
    several strings, as DNS panels store it)."""
    return " ".join(f'"{text[i:i + 255]}"' for i in range(0, len(text), 255)) or '""'


def dkim_rsa(key: str = K2048, extra: str = "") -> str:
    return q(f"v=DKIM1; k=rsa;{extra} p={key}")


@dataclass(frozen=True)
class Case:
    domain: str
    expect: str  # pass | warn | fail
    outcome: str  # our outcome; "ok" for a pass
    rfc: str  # what the RFCs say about it, in a few words
    zone: str = ""
    selectors: tuple[str, ...] = ("s1",)
    mentions: tuple[str, ...] = ()  # words our English summary or problems must hold
    rrs: tuple = ()  # dnslib RRs zone text cannot carry (built by `special_rrs`)


_n = iter(range(10, 250))


def std(domain: str, *, mx: str | None = "default", spf: str | list[str] | None = GOOD_SPF,
        dmarc: str | None = "default", dkim: dict[str, str] | None = None, extra: str = "") -> str:
    """A healthy domain's zone, with any part replaced (None leaves it out)."""
    n = next(_n)
    lines = [f"$ORIGIN {domain}.", "$TTL 60"]
    if mx == "default":
        lines += ["@ IN MX 10 mx1", f"mx1 IN A 192.0.2.{n}", f"{n}.2.0.192.in-addr.arpa. IN PTR mx1.{domain}."]
    elif mx:
        lines.append(mx)
    for record in ([spf] if isinstance(spf, str) else spf or []):
        lines.append(f"@ IN TXT {q(record)}")
    lines.append('@ IN TXT "site-verification=0123456789"')
    if dmarc == "default":
        lines.append(f"_dmarc IN TXT {q(f'v=DMARC1; p=reject; rua=mailto:dmarc@{domain}')}")
    elif dmarc:
        lines.append(f"_dmarc IN TXT {q(dmarc)}")
    for sel, data in (dkim if dkim is not None else {"s1": dkim_rsa()}).items():
        lines.append(f"{sel}._domainkey IN TXT {data}")
    lines.append(f"$ORIGIN {domain}.")
    lines.append(extra.strip())
    return "\n".join(lines) + "\n"


def _includes(domain: str, tree: dict[str, list[str]]) -> str:
    """SPF records for `name: [child, ...]` under _spf.<domain>; leaves get an ip4 range."""
    out = []
    for name, kids in tree.items():
        terms = " ".join(f"include:{k}._spf.{domain}" for k in kids) or "ip4:203.0.113.0/28"
        out.append(f"{name}._spf IN TXT {q(f'v=spf1 {terms} -all')}")
    return "\n".join(out)


def _tree(top: int, fanout: list[int]) -> dict[str, list[str]]:
    """`top` includes at the top (i0..), the i-th with fanout[i] includes of leaves."""
    tree: dict[str, list[str]] = {}
    leaf = 0
    for i in range(top):
        kids = []
        for _ in range(fanout[i] if i < len(fanout) else 0):
            kids.append(f"l{leaf}")
            tree[f"l{leaf}"] = []
            leaf += 1
        tree[f"i{i}"] = kids
    return tree


def _deep(domain: str, top: int, fanout: list[int]) -> tuple[str, str]:
    tree = _tree(top, fanout)
    spf = "v=spf1 " + " ".join(f"include:i{i}._spf.{domain}" for i in range(top)) + " -all"
    return spf, _includes(domain, tree)


CASES: list[Case] = []


def case(domain: str, expect: str, outcome: str, rfc: str, *, mentions=(), selectors=("s1",), rrs=(), **zone) -> None:
    CASES.append(Case(domain, expect, outcome, rfc, std(domain, **zone), tuple(selectors), tuple(mentions), rrs))


# --- the healthy baseline ------------------------------------------------------------------------
case("good.test", "pass", "ok", "MX with address and FCrDNS, SPF -all via include, DMARC reject, RSA-2048 DKIM",
     mentions=("one SPF record valid through its includes", "DMARC p=reject", "DKIM key parses at s1"),
     mx="@ IN MX 10 mx1\n@ IN MX 20 mx2\nmx1 IN A 192.0.2.1\nmx2 IN A 192.0.2.2\n"
        "1.2.0.192.in-addr.arpa. IN PTR mx1.good.test.\n2.2.0.192.in-addr.arpa. IN PTR mx2.good.test.")

# --- DKIM (RFC 6376, 8301, 8463) -------------------------------------------------------------------
case("dkim-cut.test", "fail", "dkim_invalid", "p= cut to 240 characters: the key does not parse (RFC 6376 §3.6.1)",
     mentions=("does not parse",), dkim={"s1": q(f"v=DKIM1; k=rsa; p={K2048[:240]}")})
case("dkim-512.test", "fail", "dkim_invalid", "RSA 512: verifiers must not accept < 1024 bits (RFC 8301 §3.2)",
     mentions=("512-bit",), dkim={"s1": dkim_rsa(K512)})
case("dkim-1024.test", "pass", "ok", "RSA 1024 is still valid (RFC 8301 §3.2); 2048 recommended as a note",
     dkim={"s1": dkim_rsa(K1024)})
case("dkim-revoked.test", "fail", "dkim_invalid", "empty p=: the key is revoked, signatures fail (RFC 6376 §3.6.1)",
     mentions=("revoked",), dkim={"s1": q("v=DKIM1; k=rsa; p=")})
case("dkim-absent.test", "warn", "dkim_missing", "no record at the selector: cannot tell whether mail is signed",
     mentions=("cannot determine",), dkim={})
case("dkim-testing.test", "warn", "dkim_invalid", "t=y: verifiers treat signed mail as unsigned (RFC 6376 §3.6.1)",
     mentions=("testing mode",), dkim={"s1": dkim_rsa(extra=" t=y;")})
case("dkim-sha1.test", "fail", "dkim_invalid", "h=sha1 only: rsa-sha1 must not be accepted (RFC 8301 §3.1)",
     mentions=("sha1",), dkim={"s1": dkim_rsa(extra=" h=sha1;")})
case("dkim-notkey.test", "fail", "dkim_invalid", "the selector's TXT is not a key (no p=, RFC 6376 §3.6.1)",
     mentions=("not a DKIM key",), dkim={"s1": q("hello world")})
case("dkim-ed.test", "pass", "ok", "Ed25519 key next to an RSA key: valid dual signing (RFC 8463)",
     selectors=("rsa1", "ed1"), dkim={"rsa1": dkim_rsa(), "ed1": q(f"v=DKIM1; k=ed25519; p={KED}")})
case("dkim-edonly.test", "warn", "dkim_invalid", "Ed25519 only: receivers without RFC 8463 see no valid signature",
     mentions=("Ed25519",), selectors=("ed1",), dkim={"ed1": q(f"v=DKIM1; k=ed25519; p={KED}")})

# --- SPF (RFC 7208) --------------------------------------------------------------------------------
_spf13, _inc13 = _deep("spf-13.test", 4, [3, 2, 2, 2])
case("spf-13.test", "fail", "spf_problem", "4 look-ups at the top, 13 with includes: permerror (§4.6.4)",
     mentions=("13 DNS look-ups", "4 in the top record"), spf=_spf13, extra=_inc13)
_spf10, _inc10 = _deep("spf-10.test", 4, [3, 3])
case("spf-10.test", "pass", "ok", "exactly 10 look-ups with includes: within the limit (§4.6.4)",
     mentions=("10/10",), spf=_spf10, extra=_inc10)
case("spf-badip.test", "fail", "spf_problem", "ip4:127.0.5.300 is not an address: permerror (§5.6)",
     mentions=("127.0.5.300",), spf="v=spf1 ip4:127.0.5.300 include:_spf.mailer.test -all")
case("spf-badcidr.test", "fail", "spf_problem", "ip6 prefix /129: permerror (§5.6)",
     mentions=("prefix length",), spf="v=spf1 ip6:2001:db8::/129 include:_spf.mailer.test -all")
case("spf-unknown.test", "fail", "spf_problem", "foo:bar is no mechanism: permerror (§4.6.1)",
     mentions=("foo:bar",), spf="v=spf1 ip4:198.51.100.0/24 foo:bar -all")
case("spf-loop.test", "fail", "spf_problem", "include loop: permerror (§4.6.4)",
     mentions=("loop",), spf="v=spf1 include:a._spf.spf-loop.test -all",
     extra=f"a._spf IN TXT {q('v=spf1 include:b._spf.spf-loop.test -all')}\n"
           f"b._spf IN TXT {q('v=spf1 include:a._spf.spf-loop.test -all')}")
case("spf-void.test", "fail", "spf_problem", "3 void look-ups (limit 2): permerror (§4.6.4)",
     mentions=("void",), spf="v=spf1 a:gone1.spf-void.test a:gone2.spf-void.test mx:gone3.spf-void.test ip4:198.51.100.0/24 -all")
case("spf-void2.test", "pass", "ok", "2 void look-ups: within the limit (§4.6.4)",
     spf="v=spf1 a:gone1.spf-void2.test a:gone2.spf-void2.test ip4:198.51.100.0/24 -all")
case("spf-redirect.test", "pass", "ok", "redirect= to a good record: its -all applies (§6.1)",
     mentions=("-all",), spf="v=spf1 redirect=_spf.spf-redirect.test",
     extra=f"_spf IN TXT {q(GOOD_SPF)}")
case("spf-redirect-gone.test", "fail", "spf_problem", "redirect= to a name without SPF: permerror (§6.1)",
     mentions=("redirect=",), spf="v=spf1 redirect=_spf.spf-redirect-gone.test")
case("spf-redirect-loop.test", "fail", "spf_problem", "redirect loop: permerror (§4.6.4)",
     mentions=("loop",), spf="v=spf1 redirect=a._spf.spf-redirect-loop.test",
     extra=f"a._spf IN TXT {q('v=spf1 redirect=spf-redirect-loop.test')}")
case("spf-exp.test", "pass", "ok", "exp= with a macro is valid and not counted (§6.2)",
     spf="v=spf1 ip4:198.51.100.0/24 exp=explain._spf.%{d} -all",
     extra=f"explain._spf IN TXT {q('Mail from %{i} is not allowed')}")
case("spf-exp-twice.test", "fail", "spf_problem", "exp= twice: permerror (§6)",
     mentions=("only once",), spf="v=spf1 ip4:198.51.100.0/24 exp=a.spf-exp-twice.test exp=b.spf-exp-twice.test -all")
case("spf-split.test", "pass", "ok", "TXT strings split inside tokens are joined with nothing between (§3.3)",
     mx="@ IN MX 10 mx1\nmx1 IN A 192.0.2.251\n251.2.0.192.in-addr.arpa. IN PTR mx1.spf-split.test.",
     spf=None, extra='@ IN TXT "v=spf1 ip4:198.51." "100.0/24 include:_spf.mail" "er.test -all"')
case("spf-plusall.test", "fail", "spf_problem", "+all authorises everyone",
     mentions=("+all",), spf="v=spf1 include:_spf.mailer.test +all")
case("spf-bareall.test", "fail", "spf_problem", "a bare all is +all",
     mentions=("+all",), spf="v=spf1 ip4:198.51.100.0/24 all")
case("spf-neutral.test", "warn", "spf_problem", "?all asserts nothing (§8.2)",
     mentions=("neutral",), spf="v=spf1 include:_spf.mailer.test ?all")
case("spf-noall.test", "warn", "spf_problem", "no all and no redirect: neutral by default (§4.7)",
     mentions=("neutral",), spf="v=spf1 include:_spf.mailer.test")
case("spf-two.test", "fail", "spf_problem", "two SPF records: permerror (§4.5)",
     mentions=("2 times",), spf=["v=spf1 -all", "v=spf1 include:_spf.mailer.test ~all"])
case("spf-none.test", "fail", "spf_problem", "no SPF record",
     mentions=("no SPF record",), spf=None)
case("spf-nothing.test", "warn", "spf_problem", "v=spf1 -all authorises no server: all its mail fails SPF",
     mentions=("authorises no server",), spf="v=spf1 -all")
case("spf-incplus.test", "fail", "spf_problem", "an include whose record ends in +all passes everyone (§5.2)",
     mentions=("+all",), spf="v=spf1 include:open._spf.spf-incplus.test -all",
     extra=f"open._spf IN TXT {q('v=spf1 +all')}")
case("spf-incnone.test", "fail", "spf_problem", "include of a name without SPF: permerror (§5.2)",
     mentions=("has no SPF record",), spf="v=spf1 include:nospf.spf-incnone.test -all",
     extra='nospf IN TXT "just a note"')
case("spf-tempfail.test", "warn", "spf_problem", "include whose DNS fails: temperror (§4.4)",
     mentions=("temperror",), spf="v=spf1 include:_spf.servfail.test -all")
case("spf-ptr.test", "warn", "spf_problem", "ptr should not be used (§5.5)",
     mentions=("ptr",), spf="v=spf1 ptr include:_spf.mailer.test -all")
case("spf-manymx.test", "fail", "spf_problem", "mx: with 11 MX names: permerror (§4.6.4)",
     mentions=("11 MX names",), spf="v=spf1 mx:big.spf-manymx.test -all",
     extra="\n".join(f"big IN MX {i} m{i}.spf-manymx.test." for i in range(11)))
case("spf-afterall.test", "warn", "spf_problem", "terms after all are never evaluated (§5.1)",
     mentions=("after all",), spf="v=spf1 ip4:198.51.100.0/24 -all include:_spf.mailer.test")
case("spf-macro.test", "pass", "ok", "exists: with sender macros is valid; it cannot be followed without a sender",
     spf="v=spf1 exists:%{i}._ip.spf-macro.test include:_spf.mailer.test -all")
case("spf-ctrl.test", "fail", "spf_problem", "control bytes inside a term: the term is invalid (§4.6.1)",
     mentions=("printable ASCII",), spf=None, rrs=("spf-ctrl",))
case("huge-txt.test", "warn", "spf_problem", "2,000 TXT records: refused as too large, SPF undetermined",
     mentions=("too large",), spf=None, rrs=("huge-txt",))
case("huge-string.test", "warn", "spf_problem", "one TXT of 51 KB: refused as too large, SPF undetermined",
     mentions=("too large",), spf=None, rrs=("huge-string",))

# --- DMARC (RFC 7489) ------------------------------------------------------------------------------
case("mail.inherit.test", "pass", "ok", "no record at the subdomain; the organisational domain's p=reject applies (§6.6.3)",
     mentions=("inherited from _dmarc.inherit.test",), dmarc=None,
     extra=f"$ORIGIN inherit.test.\n_dmarc IN TXT {q('v=DMARC1; p=reject; rua=mailto:dmarc@inherit.test')}")
case("news.dmarc-sp.test", "warn", "dmarc_problem", "inherits sp=none from the organisational domain (§6.3, §6.6.3)",
     mentions=("inherits sp=none", "do not publish p=none"), dmarc=None,
     extra=f"$ORIGIN dmarc-sp.test.\n_dmarc IN TXT {q('v=DMARC1; p=reject; sp=none; rua=mailto:d@dmarc-sp.test')}")
case("dmarc-pct.test", "warn", "dmarc_problem", "pct=25: the policy applies to a quarter of failing mail (§6.3)",
     mentions=("25 %",), dmarc="v=DMARC1; p=quarantine; pct=25; rua=mailto:d@dmarc-pct.test")
case("dmarc-missing.test", "warn", "dmarc_problem", "no DMARC record at the domain or its organisational domain",
     mentions=("no DMARC record",), dmarc=None)
case("dmarc-monitor.test", "warn", "dmarc_problem", "p=none only monitors",
     mentions=("p=none",), dmarc="v=DMARC1; p=none; rua=mailto:d@dmarc-monitor.test")
case("dmarc-two.test", "fail", "dmarc_problem", "two DMARC records: no policy applies (§6.6.3)",
     mentions=("2 DMARC records",), dmarc=None,
     extra=f"_dmarc IN TXT {q('v=DMARC1; p=reject')}\n_dmarc IN TXT {q('v=DMARC1; p=none')}")
case("dmarc-badp.test", "fail", "dmarc_problem", "p=block is no policy (§6.3)",
     mentions=("no valid p=",), dmarc="v=DMARC1; p=block; rua=mailto:d@dmarc-badp.test")
case("dmarc-notfirst.test", "fail", "dmarc_problem", "v=DMARC1 not first: receivers discard the record (§6.4)",
     mentions=("does not start with v=DMARC1",), dmarc="p=reject; v=DMARC1")
case("dmarc-extrua.test", "warn", "dmarc_problem", "reports to another organisation without its consent record (§7.1)",
     mentions=("has not authorised",), dmarc="v=DMARC1; p=reject; rua=mailto:agg@reports.dmarc-service.test")
case("dmarc-extok.test", "pass", "ok", "reports to another organisation that publishes the consent record (§7.1)",
     dmarc="v=DMARC1; p=reject; rua=mailto:agg@reports.dmarc-service.test",
     extra=f"$ORIGIN dmarc-service.test.\ndmarc-extok.test._report._dmarc.reports IN TXT {q('v=DMARC1')}")
case("dmarc-badrua.test", "warn", "dmarc_problem", "rua without mailto: is no URI: no reports (§6.2)",
     mentions=("invalid addresses",), dmarc="v=DMARC1; p=reject; rua=dmarc@dmarc-badrua.test")

# --- MX (RFC 5321 §5.1, RFC 7505, RFC 2181 §10.3) --------------------------------------------------
case("implicit-mx.test", "warn", "no_mx", "no MX but an address: the implicit MX applies (RFC 5321 §5.1)",
     mentions=("implicit MX",), mx="@ IN A 192.0.2.252")
case("no-mail.test", "fail", "no_mx", "neither MX nor address: the domain cannot receive mail", mx=None)
case("null-mx.test", "fail", "no_mx", "null MX: the domain takes no mail; receivers may refuse its mail (RFC 7505 §4.2)",
     mentions=("null MX",), mx="@ IN MX 0 .")
case("mx-mixednull.test", "fail", "no_mx", "null MX next to other MX records is invalid (RFC 7505 §3)",
     mentions=("null MX",), mx="@ IN MX 0 .\n@ IN MX 10 mx1\nmx1 IN A 192.0.2.253")
case("mx-cname.test", "warn", "mx_problem", "MX target is a CNAME (RFC 2181 §10.3)",
     mentions=("CNAME",), mx="@ IN MX 10 mail\nmail IN CNAME real\nreal IN A 192.0.2.254\n"
                             "254.2.0.192.in-addr.arpa. IN PTR real.mx-cname.test.")
case("mx-noaddr.test", "fail", "mx_problem", "the only MX host has no address: mail cannot be delivered",
     mentions=("No MX host has an address",), mx="@ IN MX 10 gone")
case("mx-private.test", "warn", "mx_problem", "MX host at a private address: unreachable from the internet",
     mentions=("private",), mx="@ IN MX 10 mx1\nmx1 IN A 10.0.0.5")
case("nx-nothing.test", "fail", "no_mx", "the domain does not exist (NXDOMAIN)", mentions=("NXDOMAIN",))


def special_rrs(tag: str, domain: str) -> list:
    """Records that zone text cannot carry."""
    from dnslib import QTYPE, RR, TXT

    name = domain + "."
    if tag == "spf-ctrl":
        return [RR(name, QTYPE.TXT, ttl=60, rdata=TXT([b"v=spf1 ip4:198.51.100.0/24\x1b]0;pwned\x07 -all"]))]
    if tag == "huge-txt":
        return [RR(name, QTYPE.TXT, ttl=60, rdata=TXT([b"t%05d" % i])) for i in range(2000)]
    if tag == "huge-string":
        return [RR(name, QTYPE.TXT, ttl=60, rdata=TXT([b"v=spf1 " + b"a" * 248] + [b"x" * 255] * 199))]
    raise ValueError(tag)


SHARED_ZONE = f"""$ORIGIN test.
$TTL 60
_spf.mailer IN TXT {q("v=spf1 ip4:203.0.113.0/24 -all")}
reports.dmarc-service IN MX 10 mx.dmarc-service.test.
mx.dmarc-service IN A 192.0.2.249
"""


def suite_authority():
    """An `Authority` that serves every case of the suite (and the shared names they use)."""
    from fixtures_dns import Authority
    text = SHARED_ZONE + "".join(c.zone for c in CASES if c.domain != "nx-nothing.test")
    auth = Authority(text)
    for c in CASES:
        for tag in c.rrs:
            auth.add(special_rrs(tag, c.domain))
    return auth
