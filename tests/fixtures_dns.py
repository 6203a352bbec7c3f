"""An authoritative DNS server on loopback (dnslib's server) for the e-mail domain tests and the
peer benchmark, and a silent UDP "DNS server".

`Authority` answers from zone-file text the way an authoritative server does: the AA bit, CNAME
chains followed inside the data, NXDOMAIN only for names that do not exist (an empty
non-terminal or a name with other types gets an empty NOERROR answer), and a SOA in the
authority section of negative answers. Names under `servfail.test` get SERVFAIL. Records that
zone text cannot carry (control bytes, 2,000 records) are added as dnslib RRs.
"""

from __future__ import annotations

import socket
from collections import defaultdict

import pytest


def _label(name) -> str:
    return str(name).rstrip(".").lower()


class Authority:
    def __init__(self, zone_text: str = "", rrs=()):
        from dnslib import RR

        self.records: dict[str, list] = defaultdict(list)
        self.queries: list[tuple[str, str]] = []
        for rr in [*RR.fromZone(zone_text), *rrs] if zone_text else list(rrs):
            self.records[_label(rr.rname)].append(rr)
        self.names = set(self.records)
        for name in list(self.names):  # empty non-terminals exist too
            labels = name.split(".")
            for i in range(1, len(labels)):
                self.names.add(".".join(labels[i:]))

    def add(self, rrs) -> None:
        for rr in rrs:
            self.records[_label(rr.rname)].append(rr)
            labels = _label(rr.rname).split(".")
            for i in range(len(labels)):
                self.names.add(".".join(labels[i:]))

    def resolve(self, request, handler):
        from dnslib import QTYPE, RCODE, RR, SOA

        reply = request.reply()
        reply.header.aa = 1
        name = _label(request.q.qname)
        qtype = QTYPE[request.q.qtype]
        self.queries.append((name, qtype))
        if name == "servfail.test" or name.endswith(".servfail.test"):
            reply.header.rcode = RCODE.SERVFAIL
            reply.header.aa = 0
            return reply
        for _hop in range(8):
            rrs = self.records.get(name, [])
            cname = [rr for rr in rrs if QTYPE[rr.rtype] == "CNAME"]
            if cname and qtype != "CNAME":
                reply.add_answer(cname[0])
                name = _label(cname[0].rdata.label)
                continue
            for rr in rrs:
                if QTYPE[rr.rtype] == qtype:
                    reply.add_answer(rr)
            break
        if not reply.rr:
            if name not in self.names:
                reply.header.rcode = RCODE.NXDOMAIN
            zone = ".".join(name.split(".")[-2:]) or "test"
            reply.add_auth(RR(zone + ".", QTYPE.SOA, ttl=60,
                              rdata=SOA(f"ns.{zone}.", f"hostmaster.{zone}.", (1, 3600, 600, 86400, 60))))
        return reply


class _Quiet:
    def __getattr__(self, name):
        return lambda *a, **k: None


def start_authority(authority: Authority):
    """dnslib's UDP server on 127.0.0.1, a free port; returns the running server (`.port`)."""
    from dnslib.server import DNSServer

    server = DNSServer(authority, address="127.0.0.1", port=0, logger=_Quiet())
    server.start_thread()
    server.port = server.server.server_address[1]
    server.authority = authority
    return server


def stop_authority(server) -> None:
    server.stop()
    server.server.server_close()


@pytest.fixture(scope="session")
def dns_server():
    from email_dns_suite import suite_authority

    server = start_authority(suite_authority())
    yield server
    stop_authority(server)


@pytest.fixture
def silent_dns():
    """A UDP socket that receives DNS queries and never answers: yields its port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()
