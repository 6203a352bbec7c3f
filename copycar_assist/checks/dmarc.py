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

from .dnsquery import DnsClient
from .mailverdict import Bi, Part, Verdict, verdict

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


def _v(level: str, ref: str, es: tuple[str, str], en: tuple[str, str]) -> Verdict:
    return verdict(level, "dmarc_problem", ref, es, en)


async def check_dmarc(dns: DnsClient, domain: str) -> Part:
    part = Part()
    org = await organisational_domain(domain)
    lk = await dns.query(f"_dmarc.{domain}", "TXT")
    if lk.undetermined:
        part.evidence["dmarc"] = lk.describe()
        part.add(_v("warn", "RFC 7489 §6.6.3",
                    (f"No se pudo leer _dmarc.{domain} ({lk.describe('es')}): no se puede saber qué política aplican los receptores",
                     "Comprueba que los servidores DNS del dominio responden y repite la comprobación"),
                    (f"Could not read _dmarc.{domain} ({lk.describe()}): the policy receivers apply cannot be told",
                     "Check that the domain's DNS servers answer, then run the check again")))
        return part
    records = [r for r in lk.records if is_dmarc(r)]
    source = domain
    for r in lk.records:
        if not is_dmarc(r) and "dmarc1" in r.lower():
            part.add(_v("fail", "RFC 7489 §6.4, §6.6.3",
                        (f"El TXT de _dmarc.{domain} no empieza por v=DMARC1 («{r[:50]}»): los receptores lo descartan",
                         "Pon v=DMARC1 como primera etiqueta: v=DMARC1; p=…"),
                        (f"The TXT at _dmarc.{domain} does not start with v=DMARC1 ('{r[:50]}'): receivers discard it",
                         "Put v=DMARC1 as the first tag: v=DMARC1; p=…")))
    if not records and org != domain:
        olk = await dns.query(f"_dmarc.{org}", "TXT")
        if olk.undetermined:
            part.evidence["dmarc"] = f"_dmarc.{org}: {olk.describe()}"
            part.add(_v("warn", "RFC 7489 §6.6.3",
                        (f"{domain} no tiene DMARC propio y no se pudo leer el del dominio organizativo _dmarc.{org} ({olk.describe('es')})",
                         "Comprueba que los servidores DNS responden y repite la comprobación"),
                        (f"{domain} has no DMARC record of its own and the organisational domain's _dmarc.{org} could not be read ({olk.describe()})",
                         "Check that the DNS servers answer, then run the check again")))
            return part
        records = [r for r in olk.records if is_dmarc(r)]
        source = org
    inherited = source != domain
    part.evidence["dmarc"] = " | ".join(records) if records else lk.describe()
    if not records:
        part.add(_v("warn", "RFC 7489 §6.1",
                    (f"No hay registro DMARC en _dmarc.{domain}" + (f" ni en _dmarc.{org}" if org != domain else "")
                     + ": nada protege el dominio de suplantación, y Gmail y Yahoo rechazan o mandan a spam el correo masivo sin DMARC",
                     f"Publica en _dmarc.{org} un TXT como v=DMARC1; p=none; rua=mailto:dmarc@{org} y pasa a quarantine o reject cuando los informes salgan limpios"),
                    (f"There is no DMARC record at _dmarc.{domain}" + (f" nor at _dmarc.{org}" if org != domain else "")
                     + ": nothing protects the domain from spoofing, and Gmail and Yahoo reject or junk bulk mail without DMARC",
                     f"Publish a TXT at _dmarc.{org} such as v=DMARC1; p=none; rua=mailto:dmarc@{org}, and move to quarantine or reject once the reports are clean")))
        return part
    if len(records) > 1:
        part.add(_v("fail", "RFC 7489 §6.6.3",
                    (f"Hay {len(records)} registros DMARC en _dmarc.{source}: los receptores no aplican ninguno",
                     "Deja uno solo"),
                    (f"There are {len(records)} DMARC records at _dmarc.{source}: receivers apply none of them",
                     "Keep exactly one")))
        return part
    part.evidence["dmarc_source"] = Bi(
        f"_dmarc.{source}" + (f" (heredado del dominio organizativo de {domain}, RFC 7489 §6.6.3)" if inherited else ""),
        f"_dmarc.{source}" + (f" (inherited: the organisational domain of {domain}, RFC 7489 §6.6.3)" if inherited else ""))
    await _judge(part, dns, parse_dmarc(records[0]), domain, source, org, inherited)
    return part


async def _judge(part: Part, dns: DnsClient, rec: Record, domain: str, source: str, org: str, inherited: bool) -> None:
    tags = rec.tags
    p = tags.get("p", "").lower()
    sp = tags.get("sp", "").lower() if "sp" in tags else None
    where = f"_dmarc.{source}"
    if rec.malformed:
        part.add(_v("warn", "RFC 7489 §6.3",
                    (f"{where} tiene partes mal formadas o repetidas que los receptores ignoran: {', '.join(rec.malformed[:3])}",
                     "Escribe cada etiqueta una sola vez, como nombre=valor, separadas por ;"),
                    (f"{where} has malformed or repeated parts that receivers ignore: {', '.join(rec.malformed[:3])}",
                     "Write each tag once, as name=value, separated by ;")))
    if p not in POLICIES:
        part.evidence["dmarc_policy"] = "(missing)" if not p else p[:20]
        part.add(_v("fail", "RFC 7489 §6.3, §6.6.3",
                    (f"{where} no tiene una política p= válida (none, quarantine o reject): los receptores lo tratan como p=none o lo ignoran",
                     "Añade p=none para empezar, o quarantine o reject si SPF y DKIM ya alinean"),
                    (f"{where} has no valid p= policy (none, quarantine or reject): receivers treat it as p=none or ignore it",
                     "Add p=none to start with, or quarantine or reject if SPF and DKIM already align")))
        return
    if sp is not None and sp not in POLICIES:
        part.add(_v("fail", "RFC 7489 §6.3, §6.6.3",
                    (f"{where} tiene sp={sp[:20]}, que no es none, quarantine ni reject: los receptores lo tratan como p=none o lo ignoran",
                     "Corrige sp= o quítalo"),
                    (f"{where} has sp={sp[:20]}, which is not none, quarantine or reject: receivers treat the record as p=none or ignore it",
                     "Correct sp= or remove it")))
        return
    policy = (sp or p) if inherited else p
    part.evidence["dmarc_policy"] = policy
    if inherited:
        part.evidence["dmarc_policy"] = Bi(f"{policy} (heredada de {where}{', sp=' if sp else ', p='}{policy})",
                                           f"{policy} (inherited from {where}{', sp=' if sp else ', p='}{policy})")
    pct = tags.get("pct")
    if pct is not None:
        part.evidence["dmarc_pct"] = pct[:10]
    if policy == "none":
        if inherited:
            part.add(_v("warn", "RFC 7489 §6.3, §6.6.3",
                        (f"{domain} hereda de {where} la política {'sp' if sp else 'p'}=none: solo observa, no protege",
                         f"Endurece {'sp' if sp else 'p'}= en {where} a quarantine o reject cuando SPF y DKIM alineen; no publiques p=none en _dmarc.{domain}"),
                        (f"{domain} inherits {'sp' if sp else 'p'}=none from {where}: it only monitors, it protects nothing",
                         f"Raise {'sp' if sp else 'p'}= in {where} to quarantine or reject once SPF and DKIM align; do not publish p=none at _dmarc.{domain}")))
        else:
            part.add(_v("warn", "RFC 7489 §6.3",
                        ("DMARC con p=none solo observa: no protege el dominio",
                         "Pasa a p=quarantine o p=reject cuando los informes muestren SPF y DKIM alineados"),
                        ("DMARC with p=none only monitors: it does not protect the domain",
                         "Move to p=quarantine or p=reject once the reports show SPF and DKIM aligned")))
    elif pct is not None:
        if not re.fullmatch(r"\d{1,3}", pct) or int(pct) > 100:
            part.add(_v("warn", "RFC 7489 §6.3",
                        (f"{where} tiene pct={pct[:10]}, que no es un número de 0 a 100: los receptores lo ignoran",
                         "Quita pct= (100 por defecto) o pon un número de 0 a 100"),
                        (f"{where} has pct={pct[:10]}, not a number from 0 to 100: receivers ignore it",
                         "Remove pct= (100 by default) or set a number from 0 to 100")))
        elif int(pct) < 100:
            part.add(_v("warn", "RFC 7489 §6.3",
                        (f"pct={pct}: la política {policy} solo se aplica al {pct} % del correo que falla DMARC",
                         "Sube pct a 100 (o quítalo) cuando los informes salgan limpios"),
                        (f"pct={pct}: the {policy} policy applies to only {pct} % of the mail that fails DMARC",
                         "Raise pct to 100 (or remove it) once the reports are clean")))
    for tag in ("adkim", "aspf"):
        if tag in tags and tags[tag].lower() not in ("r", "s"):
            part.add(_v("warn", "RFC 7489 §6.3",
                        (f"{where} tiene {tag}={tags[tag][:10]}, que no es r ni s: se aplica el valor por defecto (r)",
                         f"Pon {tag}=r o {tag}=s, o quítalo"),
                        (f"{where} has {tag}={tags[tag][:10]}, which is neither r nor s: the default (r) applies",
                         f"Set {tag}=r or {tag}=s, or remove it")))
    if not inherited and sp and POLICIES.index(sp) < POLICIES.index(p):
        part.add(_v("info", "RFC 7489 §6.3",
                    (f"sp={sp} es más débil que p={p}: los subdominios de {domain} están menos protegidos",
                     "Si los subdominios no envían correo, pon sp=reject"),
                    (f"sp={sp} is weaker than p={p}: the subdomains of {domain} are less protected",
                     "If the subdomains send no mail, set sp=reject")))
    await _reports(part, dns, tags, source, org)
    if not any(v.level in ("fail", "warn") for v in part.verdicts):
        came = f" (heredada de {where})" if inherited else ""
        came_en = f" (inherited from {where})" if inherited else ""
        part.checked = Bi(f"DMARC p={policy}{came}", f"DMARC p={policy}{came_en}")


async def _reports(part: Part, dns: DnsClient, tags: dict[str, str], source: str, org: str) -> None:
    if "rua" not in tags:
        part.add(_v("info", "RFC 7489 §7.2",
                    ("No hay rua=: no recibirás informes agregados de quién envía en nombre del dominio",
                     f"Añade rua=mailto:dmarc@{org} (o la dirección de tu servicio de informes)"),
                    ("There is no rua=: you get no aggregate reports of who sends as the domain",
                     f"Add rua=mailto:dmarc@{org} (or your report service's address)")))
    destinations: list[tuple[str, str, str]] = []
    for tag in ("rua", "ruf"):
        if tag not in tags:
            continue
        good, bad = report_uris(tags[tag])
        if bad:
            part.add(_v("warn", "RFC 7489 §6.2, §6.3",
                        (f"{tag}= tiene direcciones no válidas ({', '.join(bad[:2])}): esos informes no se envían",
                         "Escribe cada destino como mailto:direccion@dominio, separados por comas"),
                        (f"{tag}= holds invalid addresses ({', '.join(bad[:2])}): those reports are not sent",
                         "Write each destination as mailto:address@domain, separated by commas")))
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
                        (f"{tag}= manda informes a {addr}, pero el dominio {dest} no existe: se pierden",
                         "Corrige la dirección de informes"),
                        (f"{tag}= sends reports to {addr}, but the domain {dest} does not exist: they are lost",
                         "Correct the report address")))
            continue
        if auth.undetermined:
            part.add(_v("warn", "RFC 7489 §7.1",
                        (f"No se pudo comprobar si {dest} acepta informes de {source} ({auth.describe('es')})",
                         "Repite la comprobación más tarde"),
                        (f"Could not tell whether {dest} accepts reports for {source} ({auth.describe()})",
                         "Run the check again later")))
        elif not any(is_dmarc(r) for r in auth.records):
            part.add(_v("warn", "RFC 7489 §7.1",
                        (f"{tag}= manda informes a {addr}, fuera de {org}, y {dest} no lo autoriza: falta el TXT v=DMARC1 en {source}._report._dmarc.{dest}, así que los receptores no envían esos informes",
                         f"Pide a {dest} que publique ese registro (los servicios de informes lo hacen al dar de alta el dominio)"),
                        (f"{tag}= sends reports to {addr}, outside {org}, and {dest} has not authorised it: there is no v=DMARC1 TXT at {source}._report._dmarc.{dest}, so receivers do not send those reports",
                         f"Ask {dest} to publish that record (report services do when you register the domain)")))
        else:
            part.evidence[f"dmarc_{tag}_authorised"] = f"{dest}: {source}._report._dmarc.{dest}"
