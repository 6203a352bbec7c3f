"""DNS look-ups for the e-mail domain check: one memoised, capped query function over dnspython.

`DnsClient.query(name, rtype)` returns a `Lookup` — never raises for a DNS outcome. Each run of
the check gets its own client: the same (name, type) is asked once, concurrent askers share the
answer, and the number of queries a run may send is capped (SPF includes, MX hosts and report
destinations all come from the domain's own records, so a hostile zone must not make us walk
forever). Answers are capped as well: more than `MAX_RECORDS` records, or more than
`MAX_TXT_BYTES` of TXT text, is refused as `toolarge` with the count in the detail.

TXT text is kept as received (decoded leniently) because a control byte inside an SPF term is
itself the error a receiver sees; whoever shows it cleans it (`textsafe`, `finish`).
This module never judges what it reads.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from copycar_assist.files.msg import Msg
from copycar_assist.textsafe import one_line

if TYPE_CHECKING:
    from dns.asyncresolver import Resolver

MAX_RECORDS = 100  # records in one answer
MAX_TXT_BYTES = 32 * 1024  # TXT text in one answer, all records together
MAX_QUERIES = 90  # queries one run of the check may send

_UNDETERMINED = ("servfail", "timeout", "error", "toolarge", "capped")


# the look-up statuses the catalogue has words for (check.dns.lookup.*)
_SAID = ("nxdomain", "noanswer", "servfail", "timeout", "toolarge", "capped")


@dataclass
class Lookup:
    name: str
    rtype: str
    status: str  # ok | nxdomain | noanswer | servfail | timeout | error | toolarge | capped
    records: list[str] = field(default_factory=list)
    detail: str = ""
    canonical: str = ""  # the name the answer is for, after any CNAME
    mx: list[tuple[int, str]] = field(default_factory=list)  # MX only: (preference, host or "")

    @property
    def undetermined(self) -> bool:
        return self.status in _UNDETERMINED

    @property
    def void(self) -> bool:
        """NXDOMAIN or an empty answer: a "void look-up" in RFC 7208 §4.6.4's words."""
        return self.status in ("nxdomain", "noanswer")

    @property
    def aliased(self) -> bool:
        return bool(self.canonical) and self.canonical != self.name

    def said(self) -> Msg:
        """What the look-up found, as a message (put into words in its reader's language)."""
        if self.status in _SAID:
            return Msg.of(f"check.dns.lookup.{self.status}", detail=self.detail)
        return Msg.of("check.dns.lookup.other", text=self.detail or self.status)

    def describe(self, lang: str = "en") -> str:
        return self.said().text(lang)


def _name(text: str) -> str:
    return text.lower().rstrip(".")


async def lookup(resolver: Resolver, name: str, rtype: str, lifetime: float) -> Lookup:
    """One query, every outcome a `Lookup`; answers over the caps come back as `toolarge`."""
    import dns.exception
    import dns.resolver
    import dns.reversename

    name = _name(name)
    try:
        if rtype == "PTR":
            qname = dns.reversename.from_address(name)
            answer = await resolver.resolve(qname, "PTR", lifetime=lifetime)
        else:
            answer = await resolver.resolve(name + ".", rtype, lifetime=lifetime, search=False)
    except dns.resolver.NXDOMAIN:
        return Lookup(name, rtype, "nxdomain")
    except dns.resolver.NoAnswer:
        return Lookup(name, rtype, "noanswer")
    except dns.resolver.NoNameservers as exc:
        return Lookup(name, rtype, "servfail", detail=one_line(str(exc), limit=160))
    except dns.exception.Timeout:
        return Lookup(name, rtype, "timeout")
    except (dns.exception.DNSException, OSError, ValueError) as exc:
        return Lookup(name, rtype, "error", detail=one_line(f"{type(exc).__name__}: {exc}", limit=160))
    rrs = list(answer)
    canonical = _name(answer.canonical_name.to_text()) if rtype != "PTR" else name
    if len(rrs) > MAX_RECORDS:
        return Lookup(name, rtype, "toolarge", detail=f"{len(rrs)} records (limit {MAX_RECORDS})")
    if rtype == "MX":
        mx = sorted(((int(r.preference), _name(r.exchange.to_text())) for r in rrs), key=lambda p: p[0])
        records = [one_line(f"{p} {h or '.'}", limit=120) for p, h in mx]
        return Lookup(name, rtype, "ok", records, canonical=canonical, mx=mx)
    if rtype == "TXT":
        raw = [b"".join(r.strings) for r in rrs]  # RFC 7208 §3.3: strings joined with nothing between
        size = sum(len(b) for b in raw)
        if size > MAX_TXT_BYTES:
            return Lookup(name, rtype, "toolarge", detail=f"{size} bytes of text (limit {MAX_TXT_BYTES})")
        return Lookup(name, rtype, "ok", [b.decode("utf-8", "replace") for b in raw], canonical=canonical)
    if rtype == "PTR":
        return Lookup(name, rtype, "ok", [_name(r.target.to_text()) for r in rrs], canonical=canonical)
    return Lookup(name, rtype, "ok", [r.to_text() for r in rrs], canonical=canonical)


class DnsClient:
    """Memoised, capped queries for one run of the check (see the module docstring)."""

    def __init__(self, resolver: Resolver, lifetime: float, max_queries: int = MAX_QUERIES):
        self._resolver = resolver
        self.lifetime = lifetime
        self.max_queries = max_queries
        self.sent = 0
        self._tasks: dict[tuple[str, str], asyncio.Task[Lookup]] = {}

    def start(self, name: str, rtype: str) -> asyncio.Task[Lookup] | None:
        """Send the query now (if budget allows) without waiting: a prefetch."""
        key = (_name(name), rtype)
        task = self._tasks.get(key)
        if task is None and self.sent < self.max_queries:
            self.sent += 1
            task = asyncio.ensure_future(lookup(self._resolver, key[0], rtype, self.lifetime))
            self._tasks[key] = task
        return task

    async def query(self, name: str, rtype: str) -> Lookup:
        task = self.start(name, rtype)
        if task is None:
            return Lookup(_name(name), rtype, "capped")
        return await asyncio.shield(task)  # one asker's cancellation leaves the others' answer

    def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
