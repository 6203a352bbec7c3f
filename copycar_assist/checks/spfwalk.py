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

from .dnsquery import DnsClient
from .mailverdict import Bi, Part, Verdict, verdict
from .spfsyntax import LOOKUP_MECHANISMS, PROBLEM_WORDS, Parsed, Term, is_spf, parse_spf

LOOKUP_LIMIT = 10  # RFC 7208 §4.6.4
VOID_LIMIT = 2  # RFC 7208 §4.6.4
HARD_LOOKUPS = 20  # we stop following here; a receiver stopped at 11
MX_NAMES_LIMIT = 10  # RFC 7208 §4.6.4: an mx term may bring at most 10 MX names

_FLATTEN = ("Quita o aplana includes (sustitúyelos por rangos ip4:/ip6: de tu proveedor) hasta que el total sea 10 o menos",
            "Remove or flatten includes (replace them with your provider's ip4:/ip6: ranges) until the total is 10 or fewer")


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

    def add(self, level: str, ref: str, es: tuple[str, str], en: tuple[str, str], *, first: bool = False) -> None:
        """Keep what a receiver would meet: it stops at the 11th look-up and at the first permerror
        (the look-up total is still counted past them, and its verdict goes first)."""
        if first:
            self.verdicts.insert(0, verdict(level, "spf_problem", ref, es, en))
            return
        if self.lookups > LOOKUP_LIMIT or (level == "fail" and self.permerror):
            return
        self.permerror = self.permerror or level == "fail"
        self.verdicts.append(verdict(level, "spf_problem", ref, es, en))

    def where(self, domain: str, via: str | None) -> Bi:
        if via is None:
            return Bi(f"el SPF de {domain}", f"the SPF record of {domain}")
        return Bi(f"el SPF de {domain} (al que lleva {via})", f"the SPF record of {domain} (reached through {via})")

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
                     (f"El SPF hace más de {VOID_LIMIT} consultas DNS vacías (NXDOMAIN o sin respuesta; la tercera es {term}): los receptores devuelven permerror",
                      "Quita los mecanismos que apuntan a nombres que no existen o no tienen registros"),
                     (f"SPF makes more than {VOID_LIMIT} void DNS look-ups (NXDOMAIN or empty; the third is {term}): receivers return permerror",
                      "Remove the mechanisms that point to names that do not exist or have no records"))

    # --- one record --------------------------------------------------------------------------

    async def record(self, domain: str, via: str | None) -> str | None:
        lk = await self.dns.query(domain, "TXT")
        w = self.where(domain, via)
        if lk.undetermined:
            self.add("warn", "RFC 7208 §4.4",
                     (f"No se pudo leer {w.es}: {lk.describe('es')}; los receptores devuelven temperror y pueden aplazar o rechazar el correo",
                      "Comprueba que los servidores DNS del dominio responden y repite la comprobación"),
                     (f"Could not read {w.en}: {lk.describe()}; receivers return temperror and may defer or reject mail",
                      "Check that the domain's DNS servers answer, then run the check again"))
            return None
        spf = [r for r in lk.records if is_spf(r)]
        if not spf and via is None:  # the domain itself
            self.add("fail", "RFC 7208 §4.5",
                     (f"{domain} no tiene registro SPF (v=spf1): los receptores no saben qué servidores pueden enviar por el dominio",
                      "Publica un único TXT que empiece por v=spf1, incluya tu servicio de envío y termine en ~all o -all"),
                     (f"{domain} has no SPF record (v=spf1): receivers cannot tell which servers may send for it",
                      "Publish one TXT record that starts with v=spf1, includes your sending service and ends in ~all or -all"))
            return None
        if not spf and via is not None:  # a name an include or redirect points to
            if lk.void:
                self.void(via)
            self.add("fail", "RFC 7208 §5.2" if via.startswith("include") else "RFC 7208 §6.1",
                     (f"{via} apunta a {domain}, que no tiene registro SPF ({lk.describe('es') if lk.void else 'ningún TXT v=spf1'}): permerror",
                      "Corrige el nombre (cópialo de la documentación de tu proveedor) o quita ese término"),
                     (f"{via} points to {domain}, which has no SPF record ({lk.describe() if lk.void else 'no v=spf1 TXT'}): permerror",
                      "Correct the name (copy it from your provider's documentation) or remove the term"))
            return None
        if len(spf) > 1:
            self.add("fail", "RFC 7208 §4.5",
                     (f"{w.es} está publicado {len(spf)} veces: permerror, el SPF falla para todo el correo",
                      "Une los registros v=spf1 en uno solo"),
                     (f"{w.en} is published {len(spf)} times: permerror, SPF fails for all mail",
                      "Merge the v=spf1 records into one"))
            return None
        return spf[0]

    def syntax(self, parsed: Parsed, domain: str, via: str | None) -> bool:
        if not parsed.problems:
            return True
        w = self.where(domain, via)
        shown = parsed.problems[:3]
        es = "; ".join(f"«{_visible(p.term)}» {PROBLEM_WORDS[p.code][0]}" for p in shown)
        en = "; ".join(f"'{_visible(p.term)}' {PROBLEM_WORDS[p.code][1]}" for p in shown)
        more = len(parsed.problems) - len(shown)
        ref = "RFC 7208 §6" if all(p.code == "duplicate_modifier" for p in shown) else "RFC 7208 §4.6, §5"
        self.add("fail", ref,
                 (f"En {w.es}, {es}{f' (y {more} más)' if more else ''}: el registro entero da permerror",
                  "Corrige o quita esos términos" if len(shown) > 1 else "Corrige o quita ese término"),
                 (f"In {w.en}, {en}{f' (and {more} more)' if more else ''}: the whole record is a permerror",
                  "Correct or remove those terms" if len(shown) > 1 else "Correct or remove that term"))
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
                     (f"En {self.where(domain, via).es}, lo que va detrás de all no se evalúa nunca ({', '.join(after_all[:3])})",
                      "Mueve esos términos delante de all"),
                     (f"In {self.where(domain, via).en}, terms after all are never evaluated ({', '.join(after_all[:3])})",
                      "Move those terms before all"))
        if redirect and all_q is not None:
            self.add("warn", "RFC 7208 §6.1",
                     (f"En {self.where(domain, via).es}, redirect= se ignora porque hay un all",
                      "Quita el all o el redirect= según cuál quieras que mande"),
                     (f"In {self.where(domain, via).en}, redirect= is ignored because the record has an all",
                      "Remove either the all or the redirect=, whichever should not apply"))
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
                         (f"include:{target} termina en +all: autoriza a cualquier servidor del mundo a enviar como {self.root}",
                          f"Quita ese include o pide al dueño de {target} que lo cierre con ~all o -all"),
                         (f"include:{target} ends in +all: it authorises every server in the world to send as {self.root}",
                          f"Remove that include, or ask the owner of {target} to close it with ~all or -all"))
            return
        if term.name == "ptr":
            self.add("warn", "RFC 7208 §5.5",
                     (f"El SPF usa ptr ({term.text}): es lento, poco fiable y muchos receptores lo ignoran",
                      "Sustitúyelo por ip4:/ip6: o a: con los servidores que envían"),
                     (f"The SPF record uses ptr ({term.text}): slow, unreliable, and many receivers ignore it",
                      "Replace it with ip4:/ip6: or a: naming the sending servers"))
            return
        rtype = "MX" if term.name == "mx" else "A"
        lk = await self.dns.query(target, rtype)
        if lk.void:
            self.void(term.text)
        elif lk.undetermined:
            self.add("warn", "RFC 7208 §5",
                     (f"No se pudo resolver {term.text} ({lk.describe('es')}): los receptores devolverían temperror",
                      "Comprueba ese nombre y su DNS"),
                     (f"Could not resolve {term.text} ({lk.describe()}): receivers would return temperror",
                      "Check that name and its DNS"))
        elif term.name == "mx" and len(lk.mx) > MX_NAMES_LIMIT:
            self.add("fail", "RFC 7208 §4.6.4",
                     (f"{term.text} trae {len(lk.mx)} nombres MX (máximo {MX_NAMES_LIMIT}): permerror",
                      "Usa ip4:/ip6: o a: para los servidores que envían en lugar de mx"),
                     (f"{term.text} brings {len(lk.mx)} MX names (limit {MX_NAMES_LIMIT}): permerror",
                      "Use ip4:/ip6: or a: for the sending servers instead of mx"))

    async def _follow(self, term: Term, via: str, path: tuple[str, ...]) -> str | None:
        target = term.value.lower().rstrip(".")
        if term.has_macro:
            self.unfollowed.append(term.text)
            return None
        if target in path:
            self.add("fail", "RFC 7208 §4.6.4",
                     (f"{via} vuelve a un registro que ya se está evaluando ({' → '.join(path + (target,))}): bucle, permerror",
                      "Quita el include o redirect que cierra el bucle"),
                     (f"{via} leads back to a record already being evaluated ({' → '.join(path + (target,))}): a loop, permerror",
                      "Remove the include or redirect that closes the loop"))
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
        root.describe() if root.status != "ok" else Bi("ninguno", "none"))
    if len(records) != 1 or root.undetermined:
        return part
    n = f"{w.lookups}" if not w.stopped else f"> {HARD_LOOKUPS - 1}"
    part.evidence["spf_lookups"] = Bi(
        f"{n} / {LOOKUP_LIMIT} (includes y redirect seguidos; {w.top_lookups} en el registro principal)",
        f"{n} / {LOOKUP_LIMIT} (includes and redirects followed; {w.top_lookups} in the top record)")
    part.evidence["spf_void_lookups"] = f"{w.voids} / {VOID_LIMIT}"
    if w.followed:
        part.evidence["spf_followed"] = ", ".join(w.followed[:12])
    if w.unfollowed:
        part.evidence["spf_not_followed"] = Bi(
            ", ".join(w.unfollowed[:6]) + " (dependen de macros del remitente)",
            ", ".join(w.unfollowed[:6]) + " (depend on sender macros)")
    if w.over_limit:
        w.add("fail", "RFC 7208 §4.6.4",
              (f"El SPF necesita {n} consultas DNS contando sus includes ({w.top_lookups} en el registro principal); los receptores paran en {LOOKUP_LIMIT} y devuelven permerror",
               _FLATTEN[0]),
              (f"SPF needs {n} DNS look-ups counting its includes ({w.top_lookups} in the top record); receivers stop at {LOOKUP_LIMIT} and return permerror",
               _FLATTEN[1]), first=True)
    if any(v.level == "fail" for v in w.verdicts):
        part.evidence["spf_all"] = f"{all_q}all" if all_q else "—"
        return part
    part.evidence["spf_all"] = f"{all_q}all" if all_q else Bi("ninguno", "none")
    mechanisms = parse_spf(records[0]).mechanisms
    if all_q == "+":
        w.add("fail", "RFC 7208 §5.1",
              ("El SPF termina en +all (o en un all sin calificador): autoriza a cualquier servidor del mundo a enviar por el dominio",
               "Termina el registro en ~all o -all"),
              ("The SPF record ends in +all (or a bare all): it authorises every server in the world to send for the domain",
               "End the record with ~all or -all"))
    elif all_q in ("?", None):
        w.add("warn", "RFC 7208 §8.2",
              ("El SPF es neutral (?all o sin all): no dice nada de los servidores no listados, así que no protege",
               "Termina el registro en ~all o -all"),
              ("The SPF record is neutral (?all or no all): it says nothing about unlisted servers, so it protects nothing",
               "End the record with ~all or -all"))
    elif all(t.name == "all" for t in mechanisms) and not parsed_has_redirect(records[0]):
        w.add("warn", "RFC 7208 §5.1",
              ("El SPF no autoriza a ningún servidor (solo -all o ~all): todo el correo de este dominio falla SPF y DMARC depende solo de DKIM",
               "Añade el include o los rangos ip4:/ip6: de tu servicio de envío delante del all"),
              ("The SPF record authorises no server at all (only -all or ~all): every message from this domain fails SPF, and DMARC rests on DKIM alone",
               "Add your sending service's include or ip4:/ip6: ranges before the all"))
    if not any(v.level in ("fail", "warn") for v in w.verdicts):
        part.checked = Bi(f"un SPF válido con sus includes ({n}/{LOOKUP_LIMIT} consultas, {all_q}all)",
                          f"one SPF record valid through its includes ({n}/{LOOKUP_LIMIT} look-ups, {all_q}all)")
    return part


def parsed_has_redirect(text: str) -> bool:
    return parse_spf(text).modifier("redirect") is not None


def _visible(term: str) -> str:
    """The term as shown: a byte outside printable ASCII becomes '?', so the reader sees where it is."""
    return "".join(ch if "\x21" <= ch <= "\x7e" else "?" for ch in term[:60])
