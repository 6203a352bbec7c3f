"""The one rule for "is this destination on this machine?" — the question that decides whether a
secret may travel without TLS (an API key over `http://`, SMTP credentials with
`security = "none"`, a CRM token, a Redis password over `redis://`).

A destination is loopback only when EVERY address its name resolves to is a loopback address
(127.0.0.0/8, ::1, or an IPv4-mapped 127.x). The spelling of the name decides nothing:
`/etc/hosts` can map `evil.localhost` (or `localhost` itself) to any address. The caller then
connects to an address that was checked (`Destination.address`), never to the name again, so a
second lookup cannot send the secret elsewhere. A name that does not resolve is not loopback.

Used by HTTP (`http.fetch`), SMTP (`email.py`, `smtpprobe.py`), the CRM (through `fetch`) and
Redis (`cache.py`). Never imports Textual; never logs.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass


def is_loopback_address(text: str) -> bool:
    """Whether `text` is an IP address literal that is loopback (names are never)."""
    try:
        ip = ipaddress.ip_address(text.strip().strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


@dataclass(frozen=True)
class Destination:
    host: str  # as configured
    addresses: tuple[str, ...]  # what it resolved to (an IP literal: itself); empty: no answer

    @property
    def loopback(self) -> bool:
        return bool(self.addresses) and all(is_loopback_address(a) for a in self.addresses)

    @property
    def address(self) -> str:
        """The address to connect to: one that was checked (IPv4 first: local services most often
        listen on 127.0.0.1 alone, and a client pinned to one address cannot fall back)."""
        return next((a for a in self.addresses if ":" not in a), self.addresses[0])


async def resolve(host: str, port: int) -> Destination:
    """Resolve `host` (on the event loop's resolver, off the loop's thread)."""
    bare = host.strip().strip("[]")
    try:
        ipaddress.ip_address(bare.split("%", 1)[0])
        return Destination(host, (bare,))
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(bare, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return Destination(host, ())
    return Destination(host, tuple(dict.fromkeys(str(info[4][0]) for info in infos)))
