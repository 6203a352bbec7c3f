"""`email.domain`: the sending domain's DNS — MX, SPF, DMARC, DKIM — through dnspython.

Lookups run concurrently on dnspython's async resolver with a per-try timeout and a lifetime per
query, inside the check's deadline. `email.nameservers` / `email.dns_port` replace the system
resolver (tests point them at a local dnslib server).

What is judged (the pure functions below are unit-tested on their own):
- MX: at least one usable record (a "null MX" `0 .` says the domain takes no mail).
- SPF (RFC 7208): exactly one `v=spf1` TXT record (two or more are a permerror); DNS-querying
  terms (include, a, mx, ptr, exists, redirect) at most 10 — counted at the top level only, since
  following every include would multiply the queries; the evidence says so; `+all` or a bare
  `all` authorises the whole internet and `?all` (or no `all`) asserts nothing: weak.
- DMARC (RFC 7489): one `v=DMARC1` record at `_dmarc.<domain>` with a `p=` tag; `p=none` only
  monitors: weak. (The organisational-domain fallback needs the Public Suffix List: not done.)
- DKIM: `<selector>._domainkey.<domain>` for each configured selector. A missing record usually
  means the selector name is not the one the provider signs with, so it is "cannot determine"
  (warn), never a fail.
TXT records made of several strings are concatenated; their text is decoded leniently and
cleaned of control characters before it is judged or shown.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

from copycar_assist.textsafe import one_line

from .base import CheckContext, Finding
from .integ import IntegrationCheck, finish

SPF_LOOKUP_LIMIT = 10
_SPF_LOOKUP_TERMS = {"include", "a", "mx", "ptr", "exists", "redirect"}
_SPF_MECHANISMS = {"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"}
MAX_SELECTORS = 8


@dataclass
class Lookup:
    name: str
    rtype: str
    status: str  # ok | nxdomain | noanswer | servfail | timeout | error
    records: list[str] = field(default_factory=list)
    detail: str = ""

    @property
    def undetermined(self) -> bool:
        return self.status in ("servfail", "timeout", "error")

    def describe(self, lang: str = "en") -> str:
        texts = {"nxdomain": ("NXDOMAIN (el nombre no existe)", "NXDOMAIN (the name does not exist)"),
                 "noanswer": ("no hay registros de este tipo", "no record of this type"),
                 "servfail": ("SERVFAIL (falló el servidor DNS)", "SERVFAIL (the DNS server failed)"),
                 "timeout": ("timeout (el DNS no respondió)", "timeout (no DNS answer)")}
        pair = texts.get(self.status)
        if pair is None:
            return self.detail or self.status
        return pair[0] if lang == "es" else pair[1]


def txt_text(rdata) -> str:
    """A TXT record's strings concatenated (RFC 7208 §3.3), decoded leniently, cleaned."""
    raw = b"".join(rdata.strings)
    return one_line(raw.decode("utf-8", "replace"), limit=4000)


async def lookup(resolver, name: str, rtype: str, lifetime: float) -> Lookup:
    import dns.exception
    import dns.resolver

    try:
        answer = await resolver.resolve(name, rtype, lifetime=lifetime, search=False)
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
    if rtype == "MX":
        records = [one_line(f"{r.preference} {r.exchange.to_text(omit_final_dot=True) or '.'}", limit=120)
                   for r in sorted(answer, key=lambda r: r.preference)]
    else:
        records = [txt_text(r) for r in answer]
    return Lookup(name, rtype, "ok", records)


# --- pure analysis -----------------------------------------------------------------------------


@dataclass
class Verdict:
    status: str  # pass | warn | fail
    es: str
    en: str


def is_spf(text: str) -> bool:
    return bool(re.match(r"(?i)^v=spf1(\s|$)", text.strip()))


def analyse_spf(records: list[str]) -> tuple[list[Verdict], dict]:
    """SPF problems of a domain's TXT records, and facts for the evidence."""
    spf = [r for r in records if is_spf(r)]
    facts: dict = {}
    if not spf:
        return [Verdict("fail", "no hay registro SPF (v=spf1): los receptores no saben qué servidores pueden enviar por el dominio",
                        "there is no SPF record (v=spf1): receivers cannot tell which servers may send for the domain")], facts
    if len(spf) > 1:
        facts["spf_records"] = len(spf)
        return [Verdict("fail", f"hay {len(spf)} registros SPF: es un permerror (RFC 7208) y el SPF no vale; únelos en uno",
                        f"there are {len(spf)} SPF records: a permerror (RFC 7208), so SPF fails; merge them into one")], facts
    terms = spf[0].split()[1:]
    lookups, all_q, has_redirect, unknown = 0, None, False, []
    for term in terms:
        name = term.lstrip("+-~?").lower()
        if "=" in name.split(":", 1)[0]:  # a modifier
            key = name.split("=", 1)[0]
            if key == "redirect":
                has_redirect = True
                lookups += 1
            continue
        mech = re.split(r"[:/]", name, maxsplit=1)[0]
        if mech not in _SPF_MECHANISMS:
            unknown.append(one_line(term, limit=40))
            continue
        if mech in _SPF_LOOKUP_TERMS:
            lookups += 1
        if mech == "all":
            all_q = term[0] if term[0] in "+-~?" else "+"
    if all_q and has_redirect:
        lookups -= 1  # redirect is ignored when "all" is present
    facts["spf_lookups"] = lookups
    facts["spf_all"] = f"{all_q}all" if all_q else ("redirect" if has_redirect else "none")
    found: list[Verdict] = []
    if unknown:
        found.append(Verdict("fail", f"el SPF tiene términos desconocidos ({', '.join(unknown)}): permerror",
                             f"the SPF record has unknown terms ({', '.join(unknown)}): permerror"))
    if lookups > SPF_LOOKUP_LIMIT:
        found.append(Verdict("fail", f"el SPF hace {lookups} consultas DNS (máximo {SPF_LOOKUP_LIMIT}): permerror; aplana includes",
                             f"the SPF record needs {lookups} DNS lookups (limit {SPF_LOOKUP_LIMIT}): permerror; flatten includes"))
    if all_q == "+":
        found.append(Verdict("warn", "el SPF termina en +all: autoriza a cualquier servidor del mundo; usa ~all o -all",
                             "the SPF record ends in +all: it authorises every server in the world; use ~all or -all"))
    elif all_q == "?" or (all_q is None and not has_redirect):
        found.append(Verdict("warn", "el SPF es neutral (?all o sin all): no protege; termina en ~all o -all",
                             "the SPF record is neutral (?all or no all): it protects nothing; end it with ~all or -all"))
    return found, facts


def dmarc_tags(text: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        if sep:
            tags.setdefault(key.strip().lower(), value.strip())
    return tags


def analyse_dmarc(records: list[str]) -> tuple[list[Verdict], dict]:
    dmarc = [r for r in records if re.match(r"(?i)^v\s*=\s*DMARC1\s*(;|$)", r.strip())]
    facts: dict = {}
    if not dmarc:
        return [Verdict("warn", "no hay registro DMARC en _dmarc: Gmail y Yahoo lo exigen a quien envía en volumen",
                        "there is no DMARC record at _dmarc: Gmail and Yahoo require one from bulk senders")], facts
    if len(dmarc) > 1:
        return [Verdict("fail", f"hay {len(dmarc)} registros DMARC: los receptores ignoran todos; deja uno",
                        f"there are {len(dmarc)} DMARC records: receivers ignore them all; keep one")], facts
    tags = dmarc_tags(dmarc[0])
    policy = tags.get("p", "").lower()
    facts["dmarc_policy"] = policy or "(missing)"
    if "pct" in tags:
        facts["dmarc_pct"] = tags["pct"]
    if policy not in ("none", "quarantine", "reject"):
        return [Verdict("fail", "el registro DMARC no tiene una política p= válida (none, quarantine o reject)",
                        "the DMARC record has no valid p= policy (none, quarantine or reject)")], facts
    if policy == "none":
        return [Verdict("warn", "DMARC con p=none solo observa: no protege el dominio; pasa a quarantine o reject cuando SPF y DKIM alineen",
                        "DMARC with p=none only monitors: it does not protect the domain; move to quarantine or reject once SPF and DKIM align")], facts
    return [], facts


def analyse_dkim(selector: str, lk: Lookup) -> tuple[Verdict | None, tuple[str, str]]:
    """(problem or None, (es, en) fact for the evidence)."""
    if lk.status in ("nxdomain", "noanswer"):
        return (Verdict("warn", f"no se encontró la clave DKIM del selector '{selector}': no se puede determinar (¿es ese el selector con el que firma tu proveedor?)",
                        f"no DKIM key found for selector '{selector}': cannot determine (is that the selector your provider signs with?)"),
                ("no encontrado: " + lk.describe("es"), "not found: " + lk.describe()))
    if lk.undetermined:
        return (Verdict("warn", f"no se pudo consultar DKIM del selector '{selector}' ({lk.describe('es')})",
                        f"could not look up DKIM for selector '{selector}' ({lk.describe()})"), (lk.describe("es"), lk.describe()))
    keys = [dmarc_tags(r) for r in lk.records if "p=" in r.replace(" ", "")]
    if not keys:
        return (Verdict("warn", f"el registro DKIM de '{selector}' no contiene una clave (p=)",
                        f"the DKIM record of '{selector}' holds no key (p=)"), ("sin etiqueta p=", "no p= tag"))
    if not keys[0].get("p"):
        return (Verdict("warn", f"la clave DKIM de '{selector}' está revocada (p= vacío)",
                        f"the DKIM key of '{selector}' is revoked (empty p=)"), ("revocada (p= vacío)", "revoked (empty p=)"))
    k = one_line(keys[0].get("k", "rsa"), limit=20)
    return None, (f"encontrada (k={k})", f"found (k={k})")


# --- the check ---------------------------------------------------------------------------------

_ORDER = ("no_mx", "spf_problem", "dmarc_problem", "dkim_missing")
_RANK = {"pass": 0, "warn": 1, "fail": 2}


class DomainCheck(IntegrationCheck):
    id = "email.domain"
    tags = ("email",)
    needs = ("email.domain",)

    def __init__(self, *, timeout_s: float = 10.0, try_timeout_s: float = 2.0, lifetime_s: float = 4.0):
        self.timeout_s, self.try_timeout_s, self.lifetime_s = timeout_s, try_timeout_s, lifetime_s

    def resolver(self, ctx: CheckContext):
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
            return finish(ctx, "skipped", "skipped", ctx.t(es="Configura email.domain.", en="Set email.domain."))
        try:
            resolver = self.resolver(ctx)
        except Exception as exc:  # no /etc/resolv.conf, a bad nameserver entry
            return finish(ctx, "error", "error", ctx.t(
                es=f"No hay resolvedor DNS utilizable ({type(exc).__name__}): define email.nameservers.",
                en=f"No usable DNS resolver ({type(exc).__name__}): set email.nameservers."))
        selectors = list(dict.fromkeys(e.dkim_selectors))[:MAX_SELECTORS]
        lifetime = min(self.lifetime_s, self.budget())
        ctx.step(ctx.t(es=f"Consultando el DNS de {domain}…", en=f"Querying the DNS of {domain}…"))
        jobs = [lookup(resolver, domain, "MX", lifetime), lookup(resolver, domain, "TXT", lifetime),
                lookup(resolver, f"_dmarc.{domain}", "TXT", lifetime)]
        jobs += [lookup(resolver, f"{sel}._domainkey.{domain}", "TXT", lifetime) for sel in selectors]
        try:
            async with asyncio.timeout(self.budget()):
                mx, txt, dmarc, *dkims = await asyncio.gather(*jobs)
        except TimeoutError:
            return finish(ctx, "error", "error", ctx.t(
                es=f"El DNS no respondió a tiempo para {domain}.", en=f"DNS did not answer in time for {domain}."),
                {"nameservers": self._ns_text(ctx)})
        return self._judge(ctx, domain, selectors, mx, txt, dmarc, dkims)

    def _ns_text(self, ctx: CheckContext) -> str:
        e = ctx.settings.email
        if not e.nameservers:
            return "system resolver"
        return ", ".join(f"{ns}:{e.dns_port}" for ns in e.nameservers)

    def _judge(self, ctx, domain, selectors, mx: Lookup, txt: Lookup, dmarc: Lookup, dkims: list[Lookup]) -> Finding:
        ev: dict = {"domain": domain, "nameservers": self._ns_text(ctx)}
        found: list[tuple[str, Verdict]] = []
        every = [mx, txt, dmarc, *dkims]
        if all(lk.undetermined for lk in every):
            ev["dns"] = mx.describe()
            return finish(ctx, "error", "error", ctx.t(
                es=f"No se pudo consultar el DNS de {domain}: {mx.describe('es')}.",
                en=f"Could not query the DNS of {domain}: {mx.describe()}."), ev)
        if mx.status == "nxdomain":
            ev["mx"] = mx.describe()
            return finish(ctx, "fail", "no_mx", ctx.t(
                es=f"El dominio {domain} no existe en el DNS (NXDOMAIN): revisa email.domain o el registro del dominio.",
                en=f"The domain {domain} does not exist in DNS (NXDOMAIN): check email.domain or the domain's registration."), ev)

        # MX
        if mx.status == "ok" and any(not r.endswith(" .") for r in mx.records):
            ev["mx"] = ", ".join(mx.records[:5])
        elif mx.status == "ok":
            ev["mx"] = "null MX (0 .)"
            found.append(("no_mx", Verdict("fail", "el dominio publica un MX nulo: declara que no recibe correo (los rebotes no llegan)",
                                           "the domain publishes a null MX: it says it receives no mail (bounces are lost)")))
        elif mx.undetermined:
            ev["mx"] = mx.describe()
            found.append(("no_mx", Verdict("warn", f"no se pudo consultar el MX ({mx.describe('es')})",
                                           f"could not look up MX ({mx.describe()})")))
        else:
            ev["mx"] = mx.describe()
            found.append(("no_mx", Verdict("fail", "el dominio no tiene registros MX: muchos receptores rechazan remitentes sin MX",
                                           "the domain has no MX records: many receivers reject senders without MX")))
        # SPF
        if txt.undetermined:
            ev["spf"] = txt.describe()
            found.append(("spf_problem", Verdict("warn", f"no se pudo consultar el SPF ({txt.describe('es')})",
                                                 f"could not look up SPF ({txt.describe()})")))
        else:
            spf_records = [r for r in txt.records if is_spf(r)]
            ev["spf"] = " | ".join(one_line(r, limit=160) for r in spf_records) or ctx.t(es="ninguno", en="none")
            verdicts, facts = analyse_spf(txt.records)
            if "spf_lookups" in facts:
                n = facts.pop("spf_lookups")
                facts["spf_lookups"] = ctx.t(
                    es=f"{n} / {SPF_LOOKUP_LIMIT} (solo el nivel superior; los include pueden sumar más)",
                    en=f"{n} / {SPF_LOOKUP_LIMIT} (top level only; included records can add more)")
            ev.update(facts)
            found += [("spf_problem", v) for v in verdicts]
        # DMARC
        if dmarc.undetermined:
            ev["dmarc"] = dmarc.describe()
            found.append(("dmarc_problem", Verdict("warn", f"no se pudo consultar DMARC ({dmarc.describe('es')})",
                                                   f"could not look up DMARC ({dmarc.describe()})")))
        else:
            ev["dmarc"] = " | ".join(one_line(r, limit=160) for r in dmarc.records) or dmarc.describe()
            verdicts, facts = analyse_dmarc(dmarc.records)
            ev.update(facts)
            found += [("dmarc_problem", v) for v in verdicts]
        # DKIM
        if not selectors:
            ev["dkim"] = ctx.t(es="no comprobado: configura email.dkim_selectors",
                               en="not checked: set email.dkim_selectors")
        for sel, lk in zip(selectors, dkims):
            verdict, fact = analyse_dkim(sel, lk)
            ev[f"dkim {sel}"] = ctx.t(es=fact[0], en=fact[1])
            if verdict:
                found.append(("dkim_missing", verdict))

        if not found:
            dkim_es = "DKIM encontrado" if selectors else "DKIM sin comprobar (no hay selectores configurados)"
            dkim_en = "DKIM found" if selectors else "DKIM not checked (no selectors configured)"
            return finish(ctx, "pass", "ok", ctx.t(
                es=f"El DNS de {domain} está bien: MX, un SPF válido, DMARC con política; {dkim_es}.",
                en=f"The DNS of {domain} looks right: MX, one valid SPF record, an enforcing DMARC policy; {dkim_en}."), ev)
        worst = max(_RANK[v.status] for _, v in found)
        top = [(o, v) for o, v in found if _RANK[v.status] == worst]
        top.sort(key=lambda ov: _ORDER.index(ov[0]))
        outcome = top[0][0]
        status = "fail" if worst == 2 else "warn"
        ev["problems"] = [ctx.t(es=v.es, en=v.en) for _, v in sorted(found, key=lambda ov: (-_RANK[ov[1].status], _ORDER.index(ov[0])))]
        head = ctx.t(es=f"Problemas en el DNS de {domain}: ", en=f"DNS problems for {domain}: ")
        return finish(ctx, status, outcome, head + "; ".join(ctx.t(es=v.es, en=v.en) for _, v in top[:3]) + ".", ev)
