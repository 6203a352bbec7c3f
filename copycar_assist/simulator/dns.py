"""The demo world's DNS: an authoritative server for the demo domain on 127.0.0.1 (UDP, dnslib's
wire format), with fault scenarios. The e-mail domain check asks it instead of the system
resolver (`email.nameservers` and `email.dns_port` point here in demo mode).

Healthy, `copycar-demo.test` has two MX hosts with addresses and matching reverse names, one
SPF record that ends in `-all` through one include, DMARC `p=reject` with reports to itself,
and an RSA-2048 DKIM key at selector `demo1`. Each scenario breaks one thing:

- dns-no-mx                neither MX nor an address: the domain cannot receive mail (bounces
                           and replies to it are lost, and receivers distrust it)
- dns-two-spf              two SPF records: a permanent error, SPF fails for every message
- dns-spf-too-many-lookups includes that need 13 DNS look-ups (the limit is 10): permanent error
- dns-no-dmarc             no DMARC record: receivers apply no policy and send no reports
- dns-dkim-missing         no key at the selector the mail is signed with

Answers follow what authoritative servers do: the AA bit, NXDOMAIN only for names that do not
exist (an existing name without the type asked is an empty NOERROR), a SOA with negative answers.
The addresses come from the documentation ranges (RFC 5737): nothing here points anywhere real.
The DKIM key is a real RSA public key whose private half was never kept.
"""

from __future__ import annotations

import asyncio
import socket
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dnslib import RR

DOMAIN = "copycar-demo.test"
SELECTOR = "demo1"
DKIM_KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAp1cYzl9Kp+wp5jeQio2H3j20oz/Z4OWCTHaBCz/6EQ2QrSf+D3JHhklmp+zdYO5v9l8pjnu9QgAFon7CZjfjCWyJwYIee6Gef3udyhP6/bYj9KJZmI68wdDqiiH654po0SCmVEmQmX3CISZ63GirRwYXUt6th4CYHbEP/yc/+j5gQnXocNzisNT8DDzDrCmF2SwzqR249gC5rqU94I/4lzYsS3xTUWN81nN2adzEMwoJYuKu9Xl9wTe5Q842cb9BCc9v3MxL/45aoYtpFnT3nrjYA5btPgHPd/oe/S0NgfcVZaRqM2mujBwL2CUf6ipqiNbtmQOzs5aWplXHkYsevwIDAQAB"

DNS_SCENARIOS: tuple[str, ...] = (  # the names this service acts on (what each means: catalogue.py)
    "dns-no-mx",
    "dns-two-spf",
    "dns-spf-too-many-lookups",
    "dns-no-dmarc",
    "dns-dkim-missing",
)


def _txt(text: str) -> str:
    """Zone-file TXT data: quoted strings of at most 255 characters each."""
    return " ".join(f'"{text[i:i + 255]}"' for i in range(0, len(text), 255)) or '""'


def zone(scenario: str | None) -> str:
    """The demo domain's zone (zone-file text) in a scenario (None: healthy)."""
    d = DOMAIN
    lines = [f"$ORIGIN {d}.", "$TTL 300",
             f"@ IN SOA ns1.{d}. hostmaster.{d}. 2024060101 3600 600 86400 300",
             f"@ IN NS ns1.{d}.", "ns1 IN A 192.0.2.53"]
    if scenario != "dns-no-mx":
        lines += ["@ IN MX 10 mx1", "@ IN MX 20 mx2", "mx1 IN A 192.0.2.25", "mx2 IN A 192.0.2.26",
                  f"25.2.0.192.in-addr.arpa. IN PTR mx1.{d}.", f"26.2.0.192.in-addr.arpa. IN PTR mx2.{d}."]
    spf = f"v=spf1 ip4:198.51.100.0/28 include:_spf.mailer.{d} -all"
    if scenario == "dns-spf-too-many-lookups":
        # four includes at the top, the first three with three more each: 4 + 9 = 13 look-ups
        spf = "v=spf1 " + " ".join(f"include:i{n}._spf.{d}" for n in range(4)) + " -all"
        for n in range(4):
            kids = [f"l{n}{k}._spf.{d}" for k in range(3)] if n < 3 else []
            terms = " ".join(f"include:{k}" for k in kids) or "ip4:203.0.113.0/28"
            lines.append(f"i{n}._spf IN TXT {_txt(f'v=spf1 {terms} -all')}")
            lines += [f"{k.split('.')[0]}._spf IN TXT {_txt('v=spf1 ip4:203.0.113.16/28 -all')}" for k in kids]
    lines.append(f"@ IN TXT {_txt(spf)}")
    if scenario == "dns-two-spf":
        lines.append(f"@ IN TXT {_txt('v=spf1 include:_spf.newsletter-demo.test ~all')}")
    lines.append(f"_spf.mailer IN TXT {_txt('v=spf1 ip4:203.0.113.0/28 -all')}")
    lines.append(f'@ IN TXT {_txt("copycar-verification=demo-0000")}')
    if scenario != "dns-no-dmarc":
        lines.append(f"_dmarc IN TXT {_txt(f'v=DMARC1; p=reject; rua=mailto:dmarc@{d}')}")
    if scenario != "dns-dkim-missing":
        lines.append(f"{SELECTOR}._domainkey IN TXT {_txt(f'v=DKIM1; k=rsa; p={DKIM_KEY}')}")
    return "\n".join(lines) + "\n"


def settings_for(port: int) -> dict[str, Any]:
    return {"email.domain": DOMAIN, "email.nameservers": ["127.0.0.1"], "email.dns_port": port,
            "email.dkim_selectors": [SELECTOR]}


def _label(name: Any) -> str:
    return str(name).rstrip(".").lower()


class Authority:
    """Answers queries from one zone the way an authoritative server does."""

    def __init__(self, zone_text: str):
        from dnslib import RR

        self.records: dict[str, list[RR]] = {}
        self.names: set[str] = set()
        for rr in RR.fromZone(zone_text):
            name = _label(rr.rname)
            self.records.setdefault(name, []).append(rr)
            labels = name.split(".")
            self.names.update(".".join(labels[i:]) for i in range(len(labels)))
        self.soa = next(rr for rr in self.records[DOMAIN] if rr.rtype == 6)

    def answer(self, data: bytes) -> bytes | None:
        from dnslib import QTYPE, RCODE, DNSError, DNSRecord

        try:
            request = DNSRecord.parse(data)
        except (DNSError, ValueError, IndexError):
            return None  # not a DNS query: no answer, as servers do
        reply = request.reply()
        reply.header.aa = 1
        name, qtype = _label(request.q.qname), request.q.qtype
        for _hop in range(8):  # CNAME chains inside the data
            rrs = self.records.get(name, [])
            cname = [rr for rr in rrs if rr.rtype == QTYPE.CNAME]
            if cname and qtype != QTYPE.CNAME:
                reply.add_answer(cname[0])
                name = _label(cname[0].rdata.label)
                continue
            for rr in rrs:
                if rr.rtype == qtype or qtype == QTYPE.ANY:
                    reply.add_answer(rr)
            break
        if not reply.rr:
            if name not in self.names:
                reply.header.rcode = RCODE.NXDOMAIN
            reply.add_auth(self.soa)
        packed: bytes = reply.pack()  # dnslib is untyped
        return packed


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, authority: Authority):
        self.authority = authority
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.DatagramTransport) -> None:  # type: ignore[override]  # typeshed's DatagramProtocol narrows it too
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        out = self.authority.answer(data[:4096])
        if out is not None and self.transport is not None:
            self.transport.sendto(out, addr)


class DnsService:
    """The demo DNS server on `sock` (a bound UDP socket) for one scenario (None: healthy)."""

    name = "dns"

    def __init__(self, sock: socket.socket, scenario: str | None):
        self.sock, self.scenario = sock, scenario
        self.port = sock.getsockname()[1]
        self._transport: asyncio.DatagramTransport | None = None

    async def start(self) -> None:
        authority = Authority(zone(self.scenario))
        self.sock.setblocking(False)
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(lambda: _Udp(authority), sock=self.sock)

    async def stop(self) -> None:
        if self._transport is not None:
            self._transport.close()
        self.sock.close()
