"""The e-mail domain suite (tests/email_dns_suite.py) through our `email.domain` and through a
trusted peer — checkdmarc (MX, SPF, DMARC) with dkimpy (DKIM keys) — side by side, against the
same authoritative DNS server on loopback. Prints a table and both scores; asserts nothing.

    pip install -e '.[test,peer]'
    python benchmarks/email_dns_peer.py [--cases]

Offline by construction: both sides get a resolver pointed at 127.0.0.1:<port>, checkdmarc's
MTA-STS/BIMI (HTTPS) and MX TLS probes are not called, its per-MX DNSSEC and TLSA look-ups (which
ignore the resolver it is given) are replaced by "not checked", and an audit hook refuses any socket
connection, datagram or name resolution that is not to loopback, so a stray look-up fails loudly
instead of leaving the machine.

How the peer's answer becomes a verdict: `fail` when checkdmarc calls a part invalid (an
`error`) — except "no DMARC record", which we both grade as a warning — or dkimpy cannot load a
key, or loads one under 1024 bits; `warn` when any part has warnings, or dkimpy finds no record
at the selector; else `pass`. Two scores per side: exact (the case's status) and problem-found
(pass vs not pass), plus false passes (a pass where the RFCs want a warning or a failure).
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from copycar_assist.checks.dnscheck import DomainCheck
from copycar_assist.checks.http import make_client
from copycar_assist.config import Settings
from tests.email_dns_suite import CASES, suite_authority
from tests.fixtures_dns import start_authority, stop_authority
from tests.fixtures_integrations import make_ctx

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _offline_guard(event: str, args: tuple) -> None:
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        address = args[-1] if event != "socket.sendmsg" else args[-1]
        host = address[0] if isinstance(address, tuple) and address else None
        if host is not None and host not in _LOOPBACK:
            raise RuntimeError(f"offline benchmark: refused a connection to {host}")
    elif event == "socket.getaddrinfo":
        host = args[0]
        if isinstance(host, bytes):
            host = host.decode()
        if host not in (None, *_LOOPBACK):
            raise RuntimeError(f"offline benchmark: refused to resolve {host}")


def loopback_resolver(port: int):
    import dns.resolver

    r = dns.resolver.Resolver(configure=False)
    r.nameservers, r.port = ["127.0.0.1"], port
    r.timeout, r.lifetime, r.cache = 0.5, 1.0, None
    return r


def peer_verdict(domain: str, selectors: tuple[str, ...], resolver) -> tuple[str, str]:
    """checkdmarc (MX, SPF, DMARC) + dkimpy (keys) → (status, short reason)."""
    import checkdmarc
    import dkim
    import dns.resolver

    kw = {"resolver": resolver, "timeout": 1.0, "retries": 0}
    fails, warns = [], []
    try:
        mx = checkdmarc.check_mx(domain, check_mx_tls=False, **kw)
    except Exception as exc:  # the peer's own crash is its verdict: an error
        mx = {"error": f"{type(exc).__name__}"}
    if mx.get("error"):
        fails.append("mx: " + str(mx["error"])[:60])
    warns += ["mx: " + str(w)[:60] for w in mx.get("warnings", [])]
    for name, fn in (("spf", checkdmarc.check_spf), ("dmarc", checkdmarc.check_dmarc)):
        try:
            res = fn(domain, **kw)
        except Exception as exc:
            res = {"valid": False, "error": f"{type(exc).__name__}"}
        if not res.get("valid", True) or res.get("error"):
            err = str(res.get("error", ""))
            (warns if name == "dmarc" and "does not exist" in err else fails).append(f"{name}: {err[:60]}")
        warns += [f"{name}: {str(w)[:60]}" for w in res.get("warnings", [])]

    def txt(name, timeout=5):
        try:
            answer = resolver.resolve(name.decode() if isinstance(name, bytes) else name, "TXT")
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return None
        return b"".join(b"".join(r.strings) for r in answer)

    for sel in selectors:
        try:
            _pk, bits, _k, _t = dkim.load_pk_from_dns(f"{sel}._domainkey.{domain}".encode(), dnsfunc=txt)
            if bits is not None and bits < 1024:
                fails.append(f"dkim {sel}: {bits} bits")
        except Exception as exc:
            text = str(exc)
            (warns if "missing public key" in text else fails).append(f"dkim {sel}: {text[:50]}")
    if fails:
        return "fail", fails[0]
    if warns:
        return "warn", warns[0]
    return "pass", ""


async def ours(domain: str, selectors, port: int, client) -> tuple[str, str]:
    s = Settings()
    s.email.domain, s.email.dkim_selectors = domain, list(selectors)
    s.email.nameservers, s.email.dns_port = ["127.0.0.1"], port
    f = await DomainCheck().run(make_ctx(s, client))
    return f.status, f.outcome


def score(rows: list[tuple], i: int) -> tuple[int, int, int]:
    exact = sum(r[i] == r[1] for r in rows)
    found = sum((r[i] == "pass") == (r[1] == "pass") for r in rows)
    false_pass = sum(r[i] == "pass" and r[1] != "pass" for r in rows)
    return exact, found, false_pass


async def main(show_cases: bool) -> None:
    try:
        import checkdmarc
    except ModuleNotFoundError:
        sys.exit("checkdmarc is not installed: pip install -e '.[peer]'")
    # checkdmarc's MX check asks DNSSEC and TLSA questions through the system resolver whatever
    # resolver it is given (the guard below caught it); neither is part of this comparison
    import checkdmarc.smtp

    checkdmarc.smtp.check_dnssec = lambda *a, **k: False
    checkdmarc.smtp.get_tlsa_records = lambda *a, **k: []
    sys.addaudithook(_offline_guard)
    server = start_authority(suite_authority())
    resolver = loopback_resolver(server.port)
    rows, t_ours, t_peer = [], 0.0, 0.0
    try:
        async with make_client() as client:
            for case in CASES:
                t0 = time.perf_counter()
                status, outcome = await ours(case.domain, case.selectors, server.port, client)
                t1 = time.perf_counter()
                peer, why = await asyncio.to_thread(peer_verdict, case.domain, case.selectors, resolver)
                t2 = time.perf_counter()
                t_ours, t_peer = t_ours + t1 - t0, t_peer + t2 - t1
                rows.append((case.domain, case.expect, status, peer, outcome, why, case.rfc))
    finally:
        stop_authority(server)
    n = len(rows)
    if show_cases:
        print(f"{'domain':<24} {'RFC':<5} {'ours':<5} {'peer':<5}  peer's first reason / what the RFCs say")
        for domain, expect, mine, peer, _outcome, why, rfc in rows:
            mark = lambda got: got if got == expect else got.upper()  # noqa: E731
            print(f"{domain:<24} {expect:<5} {mark(mine):<5} {mark(peer):<5}  {why or rfc}"[:160])
        print("(UPPER CASE: differs from the RFC verdict)\n")
    for label, i, secs in (("copycar-assist email.domain", 2, t_ours), ("checkdmarc + dkimpy", 3, t_peer)):
        exact, found, false_pass = score(rows, i)
        print(f"{label:<28} exact {exact}/{n} ({exact / n:.0%})   problem found or not {found}/{n}   "
              f"false passes {false_pass}   {secs / n * 1000:.0f} ms a domain")


if __name__ == "__main__":
    asyncio.run(main("--cases" in sys.argv))
