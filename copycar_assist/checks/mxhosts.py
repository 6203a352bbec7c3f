"""The domain's mail hosts: MX records, their addresses and reverse DNS (RFC 5321 §5.1, RFC 7505,
RFC 2181 §10.3).

- No MX but an address: mail goes to that address (the implicit MX of RFC 5321 §5.1) — a warning
  with those words, not a failure. No MX and no address: the domain cannot receive mail.
- A null MX (`0 .`, RFC 7505) says the domain takes no mail, and receivers may refuse mail from
  it (§4.2); a null MX next to other MX records is invalid (§3).
- For the first `MAX_HOSTS` hosts by preference: an MX that names an alias (CNAME) breaks
  RFC 2181 §10.3; a host with no A/AAAA, an IP literal as host name, or a private or loopback
  address cannot take mail from the internet. Reverse DNS (PTR, and whether the PTR name
  resolves back to the address) is information: it matters for mail those hosts send.
No connection is made to the hosts; everything here is DNS through the run's `DnsClient`.
"""

from __future__ import annotations

import asyncio
import ipaddress

from .dnsquery import DnsClient, Lookup
from .mailverdict import Bi, Part, verdict

MAX_HOSTS = 3
MAX_PTR = 3
_NOT_ROUTABLE = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.168.0.0/16", "::/128", "::1/128", "fc00::/7", "fe80::/10")]


def not_routable(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip.version == net.version and ip in net for net in _NOT_ROUTABLE)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


async def check_mx(dns: DnsClient, domain: str, mx: Lookup) -> Part:
    part = Part()
    if mx.undetermined:
        part.evidence["mx"] = mx.describe()
        part.add(verdict("warn", "no_mx", "RFC 5321 §5.1",
                         (f"No se pudo consultar el MX de {domain} ({mx.describe('es')})",
                          "Comprueba que los servidores DNS del dominio responden y repite la comprobación"),
                         (f"Could not look up the MX of {domain} ({mx.describe()})",
                          "Check that the domain's DNS servers answer, then run the check again")))
        return part
    if mx.status != "ok":
        return await _implicit(part, dns, domain)
    hosts = [h for _, h in mx.mx]
    if "" in hosts:
        part.evidence["mx"] = ", ".join(mx.records[:5])
        if len(hosts) > 1:
            part.add(verdict("fail", "no_mx", "RFC 7505 §3",
                             (f"{domain} publica un MX nulo (0 .) junto a otros MX: es inválido y cada receptor lo interpreta a su manera",
                              "Quita el MX nulo si el dominio recibe correo, o los demás MX si no lo recibe"),
                             (f"{domain} publishes a null MX (0 .) next to other MX records: invalid, and each receiver reads it its own way",
                              "Remove the null MX if the domain receives mail, or the other MX records if it does not")))
        else:
            part.add(verdict("fail", "no_mx", "RFC 7505 §4.2",
                             (f"{domain} publica un MX nulo (0 .): declara que no recibe correo, así que los rebotes y respuestas se pierden y los receptores pueden rechazar el correo que envía",
                              "Publica un MX con un servidor que reciba correo, o envía desde un dominio que lo reciba"),
                             (f"{domain} publishes a null MX (0 .): it declares it receives no mail, so bounces and replies are lost and receivers may refuse the mail it sends",
                              "Publish an MX naming a host that receives mail, or send from a domain that does")))
        return part
    part.evidence["mx"] = ", ".join(mx.records[:5]) + (f" (+{len(mx.records) - 5})" if len(mx.records) > 5 else "")
    chosen = list(dict.fromkeys(hosts))[:MAX_HOSTS]
    for h in chosen:
        if not _is_ip(h):
            dns.start(h, "A")
            dns.start(h, "AAAA")
    facts: list[str | Bi] = []
    dead: list[str] = []
    addresses: list[tuple[str, str]] = []
    for host in chosen:
        if _is_ip(host):
            dead.append(host)
            facts.append(f"{host}: IP literal")
            part.add(verdict("fail", "mx_problem", "RFC 5321 §5.1",
                             (f"El MX {host} es una dirección IP, no un nombre: los remitentes lo buscan como nombre y no lo encuentran",
                              f"Crea un nombre (p. ej. mx.{domain}) con un registro A a esa IP y apunta el MX a él"),
                             (f"The MX {host} is an IP address, not a host name: senders look it up as a name and find nothing",
                              f"Create a name (e.g. mx.{domain}) with an A record for that IP and point the MX at it")))
            continue
        a, aaaa = await dns.query(host, "A"), await dns.query(host, "AAAA")
        alias = next((lk.canonical for lk in (a, aaaa) if lk.aliased), "")
        if alias:
            part.add(verdict("warn", "mx_problem", "RFC 2181 §10.3",
                             (f"El MX {host} es un alias (CNAME de {alias}): el MX debe nombrar el servidor directamente, y algunos remitentes no siguen el alias",
                              f"Apunta el MX a {alias}"),
                             (f"The MX {host} is an alias (CNAME of {alias}): an MX must name the host itself, and some senders do not follow the alias",
                              f"Point the MX at {alias}")))
        found = a.records + aaaa.records
        if not found and (a.undetermined or aaaa.undetermined):
            bad = a if a.undetermined else aaaa
            facts.append(f"{host}: {bad.describe()}")
            part.add(verdict("warn", "mx_problem", "RFC 5321 §5.1",
                             (f"No se pudo resolver el MX {host} ({bad.describe('es')})",
                              "Comprueba el DNS de ese servidor y repite la comprobación"),
                             (f"Could not resolve the MX {host} ({bad.describe()})",
                              "Check that host's DNS and run the check again")))
            continue
        if not found:
            dead.append(host)
            facts.append(Bi(f"{host}: sin dirección", f"{host}: no address"))
            continue
        facts.append(f"{host} → {', '.join(found[:3])}" + (f" (CNAME → {alias})" if alias else ""))
        private = [x for x in found if not_routable(x)]
        if private:
            part.add(verdict("warn", "mx_problem", "RFC 5321 §5.1",
                             (f"El MX {host} apunta a una dirección privada o local ({', '.join(private[:2])}): desde internet no se le puede entregar correo",
                              "Pon en el registro A/AAAA la dirección pública del servidor"),
                             (f"The MX {host} points to a private or local address ({', '.join(private[:2])}): mail cannot reach it from the internet",
                              "Put the host's public address in its A/AAAA record")))
        addresses += [(host, x) for x in found[:2]]
    part.evidence["mx_hosts"] = facts
    if dead:
        everyone = len(dead) == len(chosen)
        part.add(verdict("fail" if everyone else "warn", "mx_problem", "RFC 5321 §5.1",
                         (f"{'Ningún' if everyone else 'Algún'} servidor MX tiene dirección ({', '.join(dead[:3])}): "
                          + ("el correo para el dominio no se puede entregar, los rebotes y respuestas se pierden y los receptores que verifican el dominio del remitente lo rechazan" if everyone
                             else "los remitentes pierden tiempo con ellos antes de probar el siguiente"),
                          "Dales un registro A/AAAA o quítalos del MX"),
                         (f"{'No' if everyone else 'Some'} MX host has an address ({', '.join(dead[:3])}): "
                          + ("mail to the domain cannot be delivered, bounces and replies are lost, and receivers that verify the sender's domain refuse it" if everyone
                             else "senders waste time on them before trying the next"),
                          "Give them an A/AAAA record or remove them from the MX")))
    await _reverse(part, dns, addresses[:MAX_PTR])
    if not any(v.level in ("fail", "warn") for v in part.verdicts):
        part.checked = Bi(f"MX con dirección ({len(chosen)} de {len(hosts)} servidores comprobados)",
                          f"MX hosts with addresses ({len(chosen)} of {len(hosts)} checked)")
    return part


async def _implicit(part: Part, dns: DnsClient, domain: str) -> Part:
    a, aaaa = await asyncio.gather(dns.query(domain, "A"), dns.query(domain, "AAAA"))
    found = a.records + aaaa.records
    part.evidence["mx"] = Bi("ninguno", "none") if found else a.describe()
    if found:
        part.evidence["implicit_mx"] = ", ".join(found[:3])
        part.add(verdict("warn", "no_mx", "RFC 5321 §5.1",
                         (f"{domain} no tiene MX: el correo para el dominio va a su dirección {found[0]} (MX implícito), que funciona si ese servidor acepta correo en el puerto 25",
                          "Publica un MX con el servidor de correo real para que quede explícito"),
                         (f"{domain} has no MX: mail for the domain goes to its address {found[0]} (the implicit MX), which works if that host takes mail on port 25",
                          "Publish an MX naming the real mail host to make it explicit")))
    elif a.undetermined or aaaa.undetermined:
        part.add(verdict("warn", "no_mx", "RFC 5321 §5.1",
                         (f"{domain} no tiene MX y no se pudo consultar su dirección ({a.describe('es')})",
                          "Comprueba el DNS del dominio y repite la comprobación"),
                         (f"{domain} has no MX and its address could not be looked up ({a.describe()})",
                          "Check the domain's DNS and run the check again")))
    else:
        part.add(verdict("fail", "no_mx", "RFC 5321 §5.1",
                         (f"{domain} no tiene MX ni dirección: no puede recibir correo, los rebotes y respuestas se pierden y los receptores que verifican el dominio del remitente rechazan su correo",
                          "Publica un registro MX con el servidor que recibe el correo del dominio"),
                         (f"{domain} has neither MX nor address: it cannot receive mail, bounces and replies are lost, and receivers that verify the sender's domain refuse its mail",
                          "Publish an MX record naming the host that receives the domain's mail")))
    return part


async def _reverse(part: Part, dns: DnsClient, addresses: list[tuple[str, str]]) -> None:
    """PTR of each address and whether the PTR name leads back to it (forward-confirmed)."""
    for _, ip in addresses:
        dns.start(ip, "PTR")
    lines = []
    for host, ip in addresses:
        ptr = await dns.query(ip, "PTR")
        if ptr.status != "ok" or not ptr.records:
            lines.append(f"{ip}: {ptr.describe()}")
            part.add(verdict("info", "mx_problem", "RFC 1912 §2.1",
                             (f"{ip} ({host}) no tiene DNS inverso (PTR): si ese servidor también envía correo, muchos receptores lo rechazan",
                              "Pide a quien te da la IP un PTR con el nombre del servidor"),
                             (f"{ip} ({host}) has no reverse DNS (PTR): if that host also sends mail, many receivers refuse it",
                              "Ask whoever provides the IP for a PTR naming the host")))
            continue
        name = ptr.records[0]
        back = await dns.query(name, "AAAA" if ":" in ip else "A")
        confirmed = ip in back.records
        lines.append(f"{ip} → {name}" + (" ✓" if confirmed else " ✗"))
        if not confirmed:
            part.add(verdict("info", "mx_problem", "RFC 8601 §3 (iprev)",
                             (f"El DNS inverso de {ip} ({name}) no vuelve a {ip}: si ese servidor también envía correo, falla la comprobación iprev",
                              f"Haz que {name} tenga un registro A/AAAA con {ip}"),
                             (f"The reverse DNS of {ip} ({name}) does not lead back to {ip}: if that host also sends mail, it fails the iprev check",
                              f"Give {name} an A/AAAA record with {ip}")))
    if lines:
        part.evidence["mx_reverse_dns"] = lines
