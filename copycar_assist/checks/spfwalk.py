"""SPF as a receiver evaluates it, without a sender: every include and redirect followed.

`check_spf(dns, domain)` walks the domain's record and, recursively, every `include:` and
`redirect=` target in the order a receiver meets them, and counts what RFC 7208 §4.6.4 limits:
DNS-querying terms (include, a, mx, ptr, exists, redirect — 10 at most across the whole tree)
and void look-ups (answers that are NXDOMAIN or empty — 2 at most). It also finds loops, targets
without an SPF record, more than one record, syntax errors at any depth (`spfsyntax`), more than
10 MX names behind an `mx` term, an include whose record passes everyone (`+all`), and the
effective `all` after redirects. Terms whose target is built from sender macros (`%{i}`, `%{s}` …)
cannot be followed without a sender: they are counted and named in the evidence.

The walk is bounded: it stops following once `HARD_LOOKUPS` terms are counted (the report then
says "more than"), every query goes through the run's capped `DnsClient`, and each record's
targets are asked for concurrently before the walk reads them in order.
Never sends mail, never evaluates for a particular IP.

Why our own walker and not a library: pyspf evaluates check_host() for one sender IP and stops at
the first match, so it counts the look-ups of that sender, not of the record (and it is
synchronous, last released in 2020); checkdmarc's parser is synchronous, resolves through its own
resolver set-up and calls `+all` valid. Here the walk runs on the check's async resolver, inside
its deadline and query budget, and its grammar is tested against both in
benchmarks/email_dns_peer.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from copycar_assist.files.msg import Msg

from .dnsquery import DnsClient
from .mailverdict import Part, Verdict, verdict
from .spfsyntax import LOOKUP_MECHANISMS, Parsed, Term, is_spf, parse_spf

LOOKUP_LIMIT = 10  # RFC 7208 §4.6.4
VOID_LIMIT = 2  # RFC 7208 §4.6.4
HARD_LOOKUPS = 20  # we stop following here; a receiver stopped at 11
MX_NAMES_LIMIT = 10  # RFC 7208 §4.6.4: an mx term may bring at most 10 MX names



@dataclass
class _Walk:
    dns: DnsClient
    root: str
    lookups: int = 0
    voids: int = 0
    top_lookups: int = 0
    stopped: bool = False  # HARD_LOOKUPS reached
    over_limit: bool = False
    over_void: bool = False
    permerror: bool = False
    followed: list[str] = field(default_factory=list)
    unfollowed: list[str] = field(default_factory=list)  # macro targets
    verdicts: list[Verdict] = field(default_factory=list)

    def add(self, level: str, ref: str, what: Msg, fix: Msg, *, first: bool = False) -> None:
        """Keep what a receiver would meet: it stops at the 11th look-up and at the first permerror
        (the look-up total is still counted past them, and its verdict goes first)."""
        if first:
            self.verdicts.insert(0, verdict(level, "spf_problem", ref, what, fix))
            return
        if self.lookups > LOOKUP_LIMIT or (level == "fail" and self.permerror):
            return
        self.permerror = self.permerror or level == "fail"
        self.verdicts.append(verdict(level, "spf_problem", ref, what, fix))

    def where(self, domain: str, via: str | None) -> Msg:
        if via is None:
            return Msg.of("check.spf.spf_record", domain=domain)
        return Msg.of("check.spf.spf_record_reached_through", domain=domain, via=via)

    # --- counting ----------------------------------------------------------------------------

    def count(self, depth: int) -> bool:
        """Count one DNS-querying term; False once the walk must stop following."""
        self.lookups += 1
        if depth == 0:
            self.top_lookups += 1
        if self.lookups > LOOKUP_LIMIT:
            self.over_limit = True
        if self.lookups >= HARD_LOOKUPS:
            self.stopped = True
        return not self.stopped

    def void(self, term: str) -> None:
        self.voids += 1
        if self.voids > VOID_LIMIT and not self.over_void:
            self.over_void = True
            self.add("fail", "RFC 7208 §4.6.4",
                     Msg.of("check.spf.spf_makes_more_than", void_limit=VOID_LIMIT, term=term),
                     Msg.of("check.spf.spf_makes_more_than_fix"))

    # --- one record --------------------------------------------------------------------------

    async def record(self, domain: str, via: str | None) -> str | None:
        lk = await self.dns.query(domain, "TXT")
        w = self.where(domain, via)
        if lk.undetermined:
            self.add("warn", "RFC 7208 §4.4",
                     Msg.of("check.spf.could_not_read_receivers", w=w, said=lk.said()),
                     Msg.of("check.dns.retry_when_it_answers"))
            return None
        spf = [r for r in lk.records if is_spf(r)]
        if not spf and via is None:  # the domain itself
            self.add("fail", "RFC 7208 §4.5",
                     Msg.of("check.spf.no_spf_record_v", domain=domain),
                     Msg.of("check.spf.no_spf_record_v_fix"))
            return None
        if not spf and via is not None:  # a name an include or redirect points to
            if lk.void:
                self.void(via)
            self.add("fail", "RFC 7208 §5.2" if via.startswith("include") else "RFC 7208 §6.1",
                     Msg.of("check.spf.points_to_no_record", via=via, domain=domain,
                            said=lk.said() if lk.void else Msg.of("check.spf.no_spf_txt")),
                     Msg.of("check.spf.points_to_no_record_fix"))
            return None
        if len(spf) > 1:
            self.add("fail", "RFC 7208 §4.5",
                     Msg.of("check.spf.published_times_permerror_spf", w=w, n_spf=len(spf)),
                     Msg.of("check.spf.published_times_permerror_spf_fix"))
            return None
        return spf[0]

    def syntax(self, parsed: Parsed, domain: str, via: str | None) -> bool:
        if not parsed.problems:
            return True
        w = self.where(domain, via)
        shown = parsed.problems[:3]
        said: Msg | None = None
        for p in shown:  # "«term» what is wrong with it; …"
            term = Msg.of("check.spf.term_problem", term=_visible(p.term),
                          problem=Msg.of(f"check.spf.problem.{p.code}"))
            said = term if said is None else Msg.of("check.spf.then", before=said, after=term)
        more = len(parsed.problems) - len(shown)
        ref = "RFC 7208 §6" if all(p.code == "duplicate_modifier" for p in shown) else "RFC 7208 §4.6, §5"
        self.add("fail", ref,
                 Msg.of("check.spf.syntax_permerror", where=w, problems=said,
                        more=Msg.of("check.spf.and_more", more=more) if more else ""),
                 Msg.of("check.spf.syntax_permerror_fix_many" if len(shown) > 1 else "check.spf.syntax_permerror_fix"))
        return False

    async def walk(self, domain: str, path: tuple[str, ...], via: str | None) -> str | None:
        """Evaluate one record; returns its effective `all` qualifier (after redirects) or None."""
        text = await self.record(domain, via)
        if text is None:
            return None
        parsed = parse_spf(text)
        if not self.syntax(parsed, domain, via):
            return None
        depth = len(path) - 1
        self._prefetch(parsed, domain)
        all_q: str | None = None
        after_all: list[str] = []
        for term in parsed.mechanisms:
            if all_q is not None:
                after_all.append(term.text)
                continue
            if term.name == "all":
                all_q = term.qualifier
                continue
            if term.name not in LOOKUP_MECHANISMS or self.stopped:
                continue
            if not self.count(depth):
                break
            await self._mechanism(term, domain, path)
        redirect = parsed.modifier("redirect")
        if after_all:
            self.add("warn", "RFC 7208 §5.1",
                     Msg.of("check.spf.terms_after_all_never", where=self.where(domain, via),
                            after_all=', '.join(after_all[:3])),
                     Msg.of("check.spf.terms_after_all_never_fix"))
        if redirect and all_q is not None:
            self.add("warn", "RFC 7208 §6.1",
                     Msg.of("check.spf.redirect_ignored_because_record", where=self.where(domain, via)),
                     Msg.of("check.spf.redirect_ignored_because_record_fix"))
        elif redirect and not self.stopped and self.count(depth):
            return await self._follow(redirect, f"redirect={redirect.value}", path)
        return all_q

    async def _mechanism(self, term: Term, domain: str, path: tuple[str, ...]) -> None:
        target = term.value or domain
        if term.has_macro:
            self.unfollowed.append(term.text)
            return
        if term.name == "include":
            all_q = await self._follow(term, f"include:{target}", path)
            if all_q == "+" and term.qualifier in ("+", ""):
                self.add("fail", "RFC 7208 §5.2",
                         Msg.of("check.spf.include_ends_all_authorises", target=target, root=self.root),
                         Msg.of("check.spf.include_ends_all_authorises_fix", target=target))
            return
        if term.name == "ptr":
            self.add("warn", "RFC 7208 §5.5",
                     Msg.of("check.spf.spf_record_uses_ptr", text=term.text),
                     Msg.of("check.spf.spf_record_uses_ptr_fix"))
            return
        rtype = "MX" if term.name == "mx" else "A"
        lk = await self.dns.query(target, rtype)
        if lk.void:
            self.void(term.text)
        elif lk.undetermined:
            self.add("warn", "RFC 7208 §5",
                     Msg.of("check.spf.could_not_resolve_receivers", text=term.text, said=lk.said()),
                     Msg.of("check.spf.could_not_resolve_receivers_fix"))
        elif term.name == "mx" and len(lk.mx) > MX_NAMES_LIMIT:
            self.add("fail", "RFC 7208 §4.6.4",
                     Msg.of("check.spf.brings_mx_names_limit", text=term.text, n_mx=len(lk.mx),
                            mx_names_limit=MX_NAMES_LIMIT),
                     Msg.of("check.spf.brings_mx_names_limit_fix"))

    async def _follow(self, term: Term, via: str, path: tuple[str, ...]) -> str | None:
        target = term.value.lower().rstrip(".")
        if term.has_macro:
            self.unfollowed.append(term.text)
            return None
        if target in path:
            self.add("fail", "RFC 7208 §4.6.4",
                     Msg.of("check.spf.leads_back_record_already", via=via, path=' → '.join(path + (target,))),
                     Msg.of("check.spf.leads_back_record_already_fix"))
            return None
        self.followed.append(via)
        return await self.walk(target, path + (target,), via)

    def _prefetch(self, parsed: Parsed, domain: str) -> None:
        """Ask for every target of this record at once; `walk` then reads them in order."""
        for term in parsed.terms:
            if term.has_macro:
                continue
            if term.name in ("include", "redirect"):
                self.dns.start(term.value, "TXT")
            elif term.name in ("a", "exists"):
                self.dns.start(term.value or domain, "A")
            elif term.name == "mx":
                self.dns.start(term.value or domain, "MX")


async def check_spf(dns: DnsClient, domain: str) -> Part:
    """The SPF part of the domain check: verdicts, evidence, and what a pass may claim."""
    w = _Walk(dns, domain)
    all_q = await w.walk(domain, (domain,), None)
    part = Part(verdicts=w.verdicts)
    root = await dns.query(domain, "TXT")
    records = [r for r in root.records if is_spf(r)]
    part.evidence["spf"] = " | ".join(records) if records else (
        root.describe() if root.status != "ok" else Msg.of("check.none"))
    if len(records) != 1 or root.undetermined:
        return part
    n = f"{w.lookups}" if not w.stopped else f"> {HARD_LOOKUPS - 1}"
    part.evidence["spf_lookups"] = Msg.of("check.spf.includes_redirects_followed_top", n=n, lookup_limit=LOOKUP_LIMIT,
                                          top_lookups=w.top_lookups)
    part.evidence["spf_void_lookups"] = f"{w.voids} / {VOID_LIMIT}"
    if w.followed:
        part.evidence["spf_followed"] = ", ".join(w.followed[:12])
    if w.unfollowed:
        part.evidence["spf_not_followed"] = Msg.of("check.spf.not_followed", names=", ".join(w.unfollowed[:6]))
    if w.over_limit:
        w.add("fail", "RFC 7208 §4.6.4",
              Msg.of("check.spf.too_many_lookups", n=n, top_lookups=w.top_lookups, lookup_limit=LOOKUP_LIMIT),
              Msg.of("check.spf.flatten"), first=True)
    if any(v.level == "fail" for v in w.verdicts):
        part.evidence["spf_all"] = f"{all_q}all" if all_q else "—"
        return part
    part.evidence["spf_all"] = f"{all_q}all" if all_q else Msg.of("check.none")
    mechanisms = parse_spf(records[0]).mechanisms
    if all_q == "+":
        w.add("fail", "RFC 7208 §5.1",
              Msg.of("check.spf.spf_record_ends_all"),
              Msg.of("check.spf.spf_record_ends_all_fix"))
    elif all_q in ("?", None):
        w.add("warn", "RFC 7208 §8.2",
              Msg.of("check.spf.spf_record_neutral_all"),
              Msg.of("check.spf.spf_record_ends_all_fix"))
    elif all(t.name == "all" for t in mechanisms) and not parsed_has_redirect(records[0]):
        w.add("warn", "RFC 7208 §5.1",
              Msg.of("check.spf.spf_record_authorises_no"),
              Msg.of("check.spf.spf_record_authorises_no_fix"))
    if not any(v.level in ("fail", "warn") for v in w.verdicts):
        part.checked = Msg.of("check.spf.one_spf_record_valid", n=n, lookup_limit=LOOKUP_LIMIT, all_q=all_q)
    return part


def parsed_has_redirect(text: str) -> bool:
    return parse_spf(text).modifier("redirect") is not None


def _visible(term: str) -> str:
    """The term as shown: a byte outside printable ASCII becomes '?', so the reader sees where it is."""
    return "".join(ch if "\x21" <= ch <= "\x7e" else "?" for ch in term[:60])
