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

from copycar_assist.files.msg import Msg

from .dnsquery import DnsClient, Lookup
from .mailverdict import Part, verdict

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
                         Msg.of("check.mx.could_not_look_up", domain=domain, said=mx.said()),
                         Msg.of("check.dns.retry_when_it_answers")))
        return part
    if mx.status != "ok":
        return await _implicit(part, dns, domain)
    hosts = [h for _, h in mx.mx]
    if "" in hosts:
        part.evidence["mx"] = ", ".join(mx.records[:5])
        if len(hosts) > 1:
            part.add(verdict("fail", "no_mx", "RFC 7505 §3",
                             Msg.of("check.mx.publishes_null_mx_0", domain=domain),
                             Msg.of("check.mx.publishes_null_mx_0_fix")))
        else:
            part.add(verdict("fail", "no_mx", "RFC 7505 §4.2",
                             Msg.of("check.mx.publishes_null_mx_0_2", domain=domain),
                             Msg.of("check.mx.publishes_null_mx_0_2_fix")))
        return part
    part.evidence["mx"] = ", ".join(mx.records[:5]) + (f" (+{len(mx.records) - 5})" if len(mx.records) > 5 else "")
    chosen = list(dict.fromkeys(hosts))[:MAX_HOSTS]
    for h in chosen:
        if not _is_ip(h):
            dns.start(h, "A")
            dns.start(h, "AAAA")
    facts: list[str | Msg] = []
    dead: list[str] = []
    addresses: list[tuple[str, str]] = []
    for host in chosen:
        if _is_ip(host):
            dead.append(host)
            facts.append(f"{host}: IP literal")
            part.add(verdict("fail", "mx_problem", "RFC 5321 §5.1",
                             Msg.of("check.mx.mx_ip_address_not", host=host),
                             Msg.of("check.mx.mx_ip_address_not_fix", domain=domain)))
            continue
        a, aaaa = await dns.query(host, "A"), await dns.query(host, "AAAA")
        alias = next((lk.canonical for lk in (a, aaaa) if lk.aliased), "")
        if alias:
            part.add(verdict("warn", "mx_problem", "RFC 2181 §10.3",
                             Msg.of("check.mx.mx_alias_cname_mx", host=host, alias=alias),
                             Msg.of("check.mx.mx_alias_cname_mx_fix", alias=alias)))
        found = a.records + aaaa.records
        if not found and (a.undetermined or aaaa.undetermined):
            bad = a if a.undetermined else aaaa
            facts.append(f"{host}: {bad.describe()}")
            part.add(verdict("warn", "mx_problem", "RFC 5321 §5.1",
                             Msg.of("check.mx.could_not_resolve_mx", host=host, said=bad.said()),
                             Msg.of("check.mx.could_not_resolve_mx_fix")))
            continue
        if not found:
            dead.append(host)
            facts.append(Msg.of("check.mx.no_address", host=host))
            continue
        facts.append(f"{host} → {', '.join(found[:3])}" + (f" (CNAME → {alias})" if alias else ""))
        private = [x for x in found if not_routable(x)]
        if private:
            part.add(verdict("warn", "mx_problem", "RFC 5321 §5.1",
                             Msg.of("check.mx.mx_points_private_local", host=host, private=', '.join(private[:2])),
                             Msg.of("check.mx.mx_points_private_local_fix")))
        addresses += [(host, x) for x in found[:2]]
    part.evidence["mx_hosts"] = facts
    if dead:
        everyone = len(dead) == len(chosen)
        part.add(verdict("fail" if everyone else "warn", "mx_problem", "RFC 5321 §5.1",
                         Msg.of("check.mx.no_host_has_address" if everyone else "check.mx.some_host_has_no_address",
                                hosts=", ".join(dead[:3])),
                         Msg.of("check.mx.host_address_fix")))
    await _reverse(part, dns, addresses[:MAX_PTR])
    if not any(v.level in ("fail", "warn") for v in part.verdicts):
        part.checked = Msg.of("check.mx.mx_hosts_addresses_checked", n_chosen=len(chosen), n_hosts=len(hosts))
    return part


async def _implicit(part: Part, dns: DnsClient, domain: str) -> Part:
    a, aaaa = await asyncio.gather(dns.query(domain, "A"), dns.query(domain, "AAAA"))
    found = a.records + aaaa.records
    part.evidence["mx"] = Msg.of("check.none") if found else a.describe()
    if found:
        part.evidence["implicit_mx"] = ", ".join(found[:3])
        part.add(verdict("warn", "no_mx", "RFC 5321 §5.1",
                         Msg.of("check.mx.no_mx_mail_domain", domain=domain, found=found[0]),
                         Msg.of("check.mx.no_mx_mail_domain_fix")))
    elif a.undetermined or aaaa.undetermined:
        part.add(verdict("warn", "no_mx", "RFC 5321 §5.1",
                         Msg.of("check.mx.no_mx_address_could", domain=domain, said=a.said()),
                         Msg.of("check.mx.no_mx_address_could_fix")))
    else:
        part.add(verdict("fail", "no_mx", "RFC 5321 §5.1",
                         Msg.of("check.mx.neither_mx_nor_address", domain=domain),
                         Msg.of("check.mx.neither_mx_nor_address_fix")))
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
                             Msg.of("check.mx.no_reverse_dns_ptr", ip=ip, host=host),
                             Msg.of("check.mx.no_reverse_dns_ptr_fix")))
            continue
        name = ptr.records[0]
        back = await dns.query(name, "AAAA" if ":" in ip else "A")
        confirmed = ip in back.records
        lines.append(f"{ip} → {name}" + (" ✓" if confirmed else " ✗"))
        if not confirmed:
            part.add(verdict("info", "mx_problem", "RFC 8601 §3 (iprev)",
                             Msg.of("check.mx.reverse_dns_does_not", ip=ip, name=name),
                             Msg.of("check.mx.reverse_dns_does_not_fix", name=name, ip=ip)))
    if lines:
        part.evidence["mx_reverse_dns"] = lines
