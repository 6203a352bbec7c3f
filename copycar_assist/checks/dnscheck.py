"""`email.domain`: the sending domain's DNS judged as receivers judge it — MX, SPF, DMARC, DKIM,
plus MTA-STS and TLS reporting as information.

The parts live in their own modules and each returns verdicts (what is wrong, the RFC section,
the fix, in both languages) graded by their effect on delivery:
- `mxhosts`  MX, implicit MX, null MX, hosts' addresses, CNAME targets, reverse DNS.
- `spfwalk`  SPF with every include and redirect followed: look-up and void limits, loops,
             every term's syntax (`spfsyntax`), `+all` anywhere it lets everyone pass.
- `dmarc`    discovery up to the organisational domain (Public Suffix List), tags, report
             destinations and their authorisation.
- `dkimkey`  each configured selector's key, parsed by dkimpy.
- `mailtls`  MTA-STS and TLS-RPT records (notes only).
This module asks the first questions concurrently, runs the parts inside the check's deadline
(a part that does not finish in time becomes a warning that says so), and turns the verdicts
into one result: `fail` if any verdict fails, `warn` if any warns, else `pass`, whose summary
claims only what was checked. `email.nameservers` / `email.dns_port` replace the system
resolver (tests point them at a DNS server on loopback). Read-only: DNS queries, nothing else,
at most `MAX_QUERIES` a run.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from copycar_assist.files.msg import Msg

from .base import Check, CheckContext, Evidence, Finding, Status
from .dkimkey import ed25519_only, judge_key
from .dmarc import check_dmarc
from .dnsquery import DnsClient, Lookup
from .mailtls import check_mail_tls
from .mailverdict import Part, Verdict, verdict
from .mxhosts import check_mx
from .spfwalk import check_spf

if TYPE_CHECKING:
    from dns.asyncresolver import Resolver

MAX_SELECTORS = 8
# which outcome names the result when several areas have verdicts of the same level
_ORDER = ("no_mx", "spf_problem", "dmarc_problem", "dkim_invalid", "dkim_missing", "mx_problem", "ok")
_RANK = {"info": 0, "warn": 1, "fail": 2}


async def check_dkim(dns: DnsClient, domain: str, selectors: list[str]) -> Part:
    part = Part()
    if not selectors:
        part.evidence["dkim"] = Msg.of("check.dnscheck.not_checked_set_email")
        part.checked = Msg.of("check.dnscheck.dkim_not_checked_no")
        return part
    reports = []
    for sel in selectors:
        report = judge_key(sel, domain, await dns.query(f"{sel}._domainkey.{domain}", "TXT"))
        part.evidence[f"dkim {sel}"] = report.fact
        part.verdicts += report.verdicts
        reports.append(report)
    both = ed25519_only(selectors, reports)
    if both:
        part.add(both)
    if not any(v.level in ("fail", "warn") for v in part.verdicts):
        part.checked = Msg.of("check.dnscheck.dkim_key_parses", selectors=', '.join(selectors))
    return part


def _render(value: object, lang: str) -> object:
    if isinstance(value, Msg):
        return value.text(lang)
    if isinstance(value, list):
        return [_render(v, lang) for v in value]
    return value


class DomainCheck(Check):
    id = "email.domain"
    outcomes = ("ok", "no_mx", "mx_problem", "spf_problem", "dmarc_problem", "dkim_missing", "dkim_invalid")
    tags = ("email",)

    def __init__(self, *, timeout_s: float = 10.0, try_timeout_s: float = 2.0, lifetime_s: float = 4.0):
        self.timeout_s, self.try_timeout_s, self.lifetime_s = timeout_s, try_timeout_s, lifetime_s

    def resolver(self, ctx: CheckContext) -> Resolver:
        import dns.asyncresolver

        e = ctx.settings.email
        if e.nameservers:
            r = dns.asyncresolver.Resolver(configure=False)
            r.nameservers = list(e.nameservers)
            r.port = int(e.dns_port or 53)
        else:
            r = dns.asyncresolver.Resolver()
        r.timeout = self.try_timeout_s
        r.lifetime = self.lifetime_s
        r.cache = None
        return r

    async def run(self, ctx: CheckContext) -> Finding:
        e = ctx.settings.email
        domain = (e.domain or "").strip().rstrip(".").lower()
        if not domain:
            return self.finding("skipped", "skipped", ctx.t("check.dnscheck.set_email_domain"))
        try:
            resolver = self.resolver(ctx)
        except Exception as exc:  # no /etc/resolv.conf, a bad nameserver entry
            return self.finding("error", "error", ctx.t("check.dnscheck.no_usable_dns_resolver",
                                                        name=type(exc).__name__))
        selectors = list(dict.fromkeys(e.dkim_selectors))[:MAX_SELECTORS]
        deadline = time.monotonic() + self.budget()
        dns = DnsClient(resolver, min(self.lifetime_s, self.budget()))
        ctx.step(ctx.t("check.dnscheck.querying_dns", domain=domain))
        try:
            return await self._run(ctx, dns, domain, selectors, deadline)
        finally:
            dns.close()

    async def _run(self, ctx: CheckContext, dns: DnsClient, domain: str, selectors: list[str], deadline: float) -> Finding:
        ev: Evidence = {"domain": domain, "nameservers": self._ns_text(ctx)}
        first = [(domain, "MX"), (domain, "TXT"), (f"_dmarc.{domain}", "TXT"),
                 *((f"{s}._domainkey.{domain}", "TXT") for s in selectors),
                 (f"_mta-sts.{domain}", "TXT"), (f"_smtp._tls.{domain}", "TXT")]
        for name, rtype in first:
            dns.start(name, rtype)
        try:
            async with asyncio.timeout(max(0.05, deadline - time.monotonic())):
                asked = [await dns.query(name, rtype) for name, rtype in first[:3 + len(selectors)]]
        except TimeoutError:
            return self.finding("error", "error", ctx.t("check.dnscheck.dns_did_not_answer", domain=domain), ev)
        mx: Lookup = asked[0]
        if all(lk.undetermined for lk in asked):
            ev["dns"] = mx.describe()
            return self.finding("error", "error", ctx.t("check.dnscheck.could_not_query", domain=domain,
                                                        why=mx.describe(ctx.lang)), ev)
        if mx.status == "nxdomain":
            ev["mx"] = mx.describe()
            return self.finding("fail", "no_mx", ctx.t("check.dnscheck.domain_does_not_exist", domain=domain), ev)

        ctx.step(ctx.t("check.dnscheck.following_spf_dmarc_dkim"))
        jobs = {"MX": check_mx(dns, domain, mx), "SPF": check_spf(dns, domain), "DMARC": check_dmarc(dns, domain),
                "DKIM": check_dkim(dns, domain, selectors), "TLS": check_mail_tls(dns, domain)}
        tasks = {name: asyncio.ensure_future(job) for name, job in jobs.items()}
        await asyncio.wait(tasks.values(), timeout=max(0.05, deadline - time.monotonic()))
        parts: list[Part] = []
        for name, task in tasks.items():
            if task.done() and not task.cancelled() and task.exception() is None:
                parts.append(task.result())
                continue
            task.cancel()
            parts.append(self._unfinished(name, task))
        return self._grade(ctx, domain, parts, ev, dns)

    @staticmethod
    def _unfinished(name: str, task: asyncio.Task[Part]) -> Part:
        crashed = task.done() and not task.cancelled() and task.exception() is not None
        why = Msg.of("check.dnscheck.crashed", name=type(task.exception()).__name__) if crashed \
            else Msg.of("check.dnscheck.did_not_finish_within")
        area = {"MX": "mx_problem", "SPF": "spf_problem", "DMARC": "dmarc_problem", "DKIM": "dkim_missing"}.get(name, "ok")
        level = "info" if name == "TLS" else "warn"
        return Part([verdict(level, area, "",
                             Msg.of("check.dnscheck.part_result_cannot_determined", name=name, why=why),
                             Msg.of("check.dnscheck.part_result_cannot_determined_fix"))])

    def _ns_text(self, ctx: CheckContext) -> str:
        e = ctx.settings.email
        if not e.nameservers:
            return "system resolver"
        return ", ".join(f"{ns}:{e.dns_port}" for ns in e.nameservers)

    def _grade(self, ctx: CheckContext, domain: str, parts: list[Part], ev: Evidence, dns: DnsClient) -> Finding:
        lang = ctx.lang
        verdicts: list[Verdict] = []
        for part in parts:
            ev.update({k: _render(v, lang) for k, v in part.evidence.items()})
            verdicts += part.verdicts
        ev["dns_queries"] = dns.sent
        problems = sorted((v for v in verdicts if v.level != "info"),
                          key=lambda v: (-_RANK[v.level], _ORDER.index(v.area)))
        notes = [v.text(lang) for v in verdicts if v.level == "info"]
        if notes:
            ev["notes"] = notes
        if not problems:
            claims = "; ".join(p.checked.text(lang) for p in parts if p.checked)
            return self.finding("pass", "ok", ctx.t("check.dnscheck.dns_passes_what_checked", domain=domain,
                                                    claims=claims), ev)
        ev["problems"] = [v.text(lang) for v in problems]
        status: Status = "fail" if problems[0].level == "fail" else "warn"  # "info" verdicts were left out
        head = ctx.t("check.dnscheck.dns_problems", domain=domain)
        summary, shown = head + problems[0].text(lang), 1
        for v in problems[1:]:
            if len(summary) + len(v.text(lang)) > 540:
                break
            summary, shown = summary + " · " + v.text(lang), shown + 1
        if len(problems) > shown:
            summary += ctx.t("check.dnscheck.more_evidence", n_problems=len(problems) - shown)
        return self.finding(status, problems[0].area, summary, ev)
