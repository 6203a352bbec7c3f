"""DMARC as a receiver finds and reads it (RFC 7489 §6.3, §6.6.3, §7.1).

Discovery: `_dmarc.<domain>`; when no record is there, `_dmarc.<organisational domain>`, found
with the Public Suffix List (`publicsuffixlist`, which ships the list: no download at run time),
whose `sp=` (or else `p=`) then applies — and the report says where the policy came from, so
nobody "fixes" an inherited `p=reject` by publishing a weaker record on the subdomain.

Reading: the record must start with `v=DMARC1`; `p`, `sp` and `np` must be none, quarantine or
reject; `pct` 0–100; `adkim`/`aspf` r or s; `rua`/`ruf` lists of URIs. Report addresses outside
the policy's organisational domain need the destination's consent (`<domain>._report._dmarc.
<destination>`, §7.1), which is looked up; a destination domain that does not exist is named.
Pure parsing in `parse_dmarc`; `check_dmarc` does the look-ups through the run's `DnsClient`.
"""

from __future__ import annotations

import asyncio
import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from copycar_assist.files.msg import Msg

from .dnsquery import DnsClient
from .mailverdict import Part, Verdict, verdict

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

POLICIES = ("none", "quarantine", "reject")
MAX_REPORT_DESTINATIONS = 4  # external destinations whose consent we look up


@functools.cache
def _psl() -> PublicSuffixList:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


async def organisational_domain(domain: str) -> str:
    """RFC 7489 §3.2 with the Public Suffix List; the domain itself when it is a public suffix."""
    psl = await asyncio.to_thread(_psl)  # the first call reads the bundled list (~35 ms)
    return psl.privatesuffix(domain) or domain


def is_dmarc(text: str) -> bool:
    """RFC 7489 §6.6.3: records that do not start with a v=DMARC1 tag are discarded."""
    return bool(re.match(r"v\s*=\s*DMARC1\s*(;|$)", text.strip(), re.IGNORECASE))


@dataclass
class Record:
    tags: dict[str, str] = field(default_factory=dict)  # lower-case names, values stripped
    malformed: list[str] = field(default_factory=list)  # parts without '=', or repeated tags


def parse_dmarc(text: str) -> Record:
    rec = Record()
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep or not re.fullmatch(r"[a-z][a-z0-9_]*", key) or key in rec.tags:
            rec.malformed.append(part[:40])
        else:
            rec.tags[key] = value.strip()
    return rec


_MAILTO = re.compile(r"mailto:([^@\s!,]+)@([A-Za-z0-9._-]+\.[A-Za-z0-9-]+)\.?(?:!\d+[kmgt]?)?", re.IGNORECASE)


def report_uris(value: str) -> tuple[list[tuple[str, str]], list[str]]:
    """`rua=`/`ruf=` value → ([(address, destination domain)], [invalid URIs])."""
    good, bad = [], []
    for uri in (u.strip() for u in value.split(",")):
        if not uri:
            continue
        m = _MAILTO.fullmatch(uri)
        if m:
            good.append((f"{m.group(1)}@{m.group(2)}".lower(), m.group(2).lower().rstrip(".")))
        else:
            bad.append(uri[:60])
    return good, bad


def _v(level: str, ref: str, what: Msg, fix: Msg) -> Verdict:
    return verdict(level, "dmarc_problem", ref, what, fix)


async def check_dmarc(dns: DnsClient, domain: str) -> Part:
    part = Part()
    org = await organisational_domain(domain)
    lk = await dns.query(f"_dmarc.{domain}", "TXT")
    if lk.undetermined:
        part.evidence["dmarc"] = lk.describe()
        part.add(_v("warn", "RFC 7489 §6.6.3",
                    Msg.of("check.dmarc.could_not_read_dmarc", domain=domain, said=lk.said()),
                    Msg.of("check.dns.retry_when_it_answers")))
        return part
    records = [r for r in lk.records if is_dmarc(r)]
    source = domain
    for r in lk.records:
        if not is_dmarc(r) and "dmarc1" in r.lower():
            part.add(_v("fail", "RFC 7489 §6.4, §6.6.3",
                        Msg.of("check.dmarc.txt_dmarc_does_not", domain=domain, r=r[:50]),
                        Msg.of("check.dmarc.txt_dmarc_does_not_fix")))
    if not records and org != domain:
        olk = await dns.query(f"_dmarc.{org}", "TXT")
        if olk.undetermined:
            part.evidence["dmarc"] = f"_dmarc.{org}: {olk.describe()}"
            part.add(_v("warn", "RFC 7489 §6.6.3",
                        Msg.of("check.dmarc.no_dmarc_record_own", domain=domain, org=org, said=olk.said()),
                        Msg.of("check.dmarc.no_dmarc_record_own_fix")))
            return part
        records = [r for r in olk.records if is_dmarc(r)]
        source = org
    inherited = source != domain
    part.evidence["dmarc"] = " | ".join(records) if records else lk.describe()
    if not records:
        what = Msg.of("check.dmarc.no_record_at_either", domain=domain, org=org) if org != domain \
            else Msg.of("check.dmarc.no_record_at", domain=domain)
        part.add(_v("warn", "RFC 7489 §6.1", what, Msg.of("check.dmarc.no_record_at_fix", org=org)))
        return part
    if len(records) > 1:
        part.add(_v("fail", "RFC 7489 §6.6.3",
                    Msg.of("check.dmarc.there_dmarc_records_dmarc", n_records=len(records), source=source),
                    Msg.of("check.dmarc.there_dmarc_records_dmarc_fix")))
        return part
    part.evidence["dmarc_source"] = Msg.of("check.dmarc.source_inherited", source=source, domain=domain) \
        if inherited else f"_dmarc.{source}"
    await _judge(part, dns, parse_dmarc(records[0]), domain, source, org, inherited)
    return part


async def _judge(part: Part, dns: DnsClient, rec: Record, domain: str, source: str, org: str, inherited: bool) -> None:
    tags = rec.tags
    p = tags.get("p", "").lower()
    sp = tags.get("sp", "").lower() if "sp" in tags else None
    where = f"_dmarc.{source}"
    if rec.malformed:
        part.add(_v("warn", "RFC 7489 §6.3",
                    Msg.of("check.dmarc.malformed_repeated_parts_receivers", where=where,
                           malformed=', '.join(rec.malformed[:3])),
                    Msg.of("check.dmarc.malformed_repeated_parts_receivers_fix")))
    if p not in POLICIES:
        part.evidence["dmarc_policy"] = "(missing)" if not p else p[:20]
        part.add(_v("fail", "RFC 7489 §6.3, §6.6.3",
                    Msg.of("check.dmarc.no_valid_p_policy", where=where),
                    Msg.of("check.dmarc.no_valid_p_policy_fix")))
        return
    if sp is not None and sp not in POLICIES:
        part.add(_v("fail", "RFC 7489 §6.3, §6.6.3",
                    Msg.of("check.dmarc.sp_which_not_none", where=where, sp=sp[:20]),
                    Msg.of("check.dmarc.sp_which_not_none_fix")))
        return
    policy = (sp or p) if inherited else p
    part.evidence["dmarc_policy"] = policy
    if inherited:
        part.evidence["dmarc_policy"] = Msg.of("check.dmarc.inherited", policy=policy, where=where,
                                               value=', sp=' if sp else ', p=')
    pct = tags.get("pct")
    if pct is not None:
        part.evidence["dmarc_pct"] = pct[:10]
    if policy == "none":
        if inherited:
            part.add(_v("warn", "RFC 7489 §6.3, §6.6.3",
                        Msg.of("check.dmarc.inherits_none_only_monitors", domain=domain, where=where,
                               value='sp' if sp else 'p'),
                        Msg.of("check.dmarc.inherits_none_only_monitors_fix", value='sp' if sp else 'p', where=where,
                               domain=domain)))
        else:
            part.add(_v("warn", "RFC 7489 §6.3",
                        Msg.of("check.dmarc.dmarc_p_none_only"),
                        Msg.of("check.dmarc.dmarc_p_none_only_fix")))
    elif pct is not None:
        if not re.fullmatch(r"\d{1,3}", pct) or int(pct) > 100:
            part.add(_v("warn", "RFC 7489 §6.3",
                        Msg.of("check.dmarc.pct_not_number_0", where=where, pct=pct[:10]),
                        Msg.of("check.dmarc.pct_not_number_0_fix")))
        elif int(pct) < 100:
            part.add(_v("warn", "RFC 7489 §6.3",
                        Msg.of("check.dmarc.pct_policy_applies_only", pct=pct, policy=policy),
                        Msg.of("check.dmarc.pct_policy_applies_only_fix")))
    for tag in ("adkim", "aspf"):
        if tag in tags and tags[tag].lower() not in ("r", "s"):
            part.add(_v("warn", "RFC 7489 §6.3",
                        Msg.of("check.dmarc.which_neither_r_nor", where=where, tag=tag, tags=tags[tag][:10]),
                        Msg.of("check.dmarc.which_neither_r_nor_fix", tag=tag)))
    if not inherited and sp and POLICIES.index(sp) < POLICIES.index(p):
        part.add(_v("info", "RFC 7489 §6.3",
                    Msg.of("check.dmarc.sp_weaker_than_p", sp=sp, p=p, domain=domain),
                    Msg.of("check.dmarc.sp_weaker_than_p_fix")))
    await _reports(part, dns, tags, source, org)
    if not any(v.level in ("fail", "warn") for v in part.verdicts):
        part.checked = Msg.of("check.dmarc.policy_inherited", policy=policy, where=where) if inherited \
            else Msg.of("check.dmarc.policy", policy=policy)


async def _reports(part: Part, dns: DnsClient, tags: dict[str, str], source: str, org: str) -> None:
    if "rua" not in tags:
        part.add(_v("info", "RFC 7489 §7.2",
                    Msg.of("check.dmarc.there_no_rua_you"),
                    Msg.of("check.dmarc.there_no_rua_you_fix", org=org)))
    destinations: list[tuple[str, str, str]] = []
    for tag in ("rua", "ruf"):
        if tag not in tags:
            continue
        good, bad = report_uris(tags[tag])
        if bad:
            part.add(_v("warn", "RFC 7489 §6.2, §6.3",
                        Msg.of("check.dmarc.holds_invalid_addresses_those", tag=tag, bad=', '.join(bad[:2])),
                        Msg.of("check.dmarc.holds_invalid_addresses_those_fix")))
        part.evidence[f"dmarc_{tag}"] = ", ".join(a for a, _ in good[:4]) or "—"
        destinations += [(tag, addr, dest) for addr, dest in good]
    external: list[tuple[str, str, str]] = []
    for tag, addr, dest in destinations:
        if await organisational_domain(dest) != org and dest not in [d for _, _, d in external]:
            external.append((tag, addr, dest))
    external = external[:MAX_REPORT_DESTINATIONS]
    for _, _, dest in external:  # ask for all of them at once
        dns.start(f"{source}._report._dmarc.{dest}", "TXT")
        dns.start(dest, "MX")
    for tag, addr, dest in external:
        auth, mx = await dns.query(f"{source}._report._dmarc.{dest}", "TXT"), await dns.query(dest, "MX")
        if mx.status == "nxdomain":
            part.add(_v("warn", "RFC 7489 §7.1",
                        Msg.of("check.dmarc.sends_reports_but_domain", tag=tag, addr=addr, dest=dest),
                        Msg.of("check.dmarc.sends_reports_but_domain_fix")))
            continue
        if auth.undetermined:
            part.add(_v("warn", "RFC 7489 §7.1",
                        Msg.of("check.dmarc.could_not_tell_whether", dest=dest, source=source, said=auth.said()),
                        Msg.of("check.dmarc.could_not_tell_whether_fix")))
        elif not any(is_dmarc(r) for r in auth.records):
            part.add(_v("warn", "RFC 7489 §7.1",
                        Msg.of("check.dmarc.sends_reports_outside_not", tag=tag, addr=addr, org=org, dest=dest,
                               source=source),
                        Msg.of("check.dmarc.sends_reports_outside_not_fix", dest=dest)))
        else:
            part.evidence[f"dmarc_{tag}_authorised"] = f"{dest}: {source}._report._dmarc.{dest}"
