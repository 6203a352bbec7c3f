"""MTA-STS (RFC 8461) and SMTP TLS reporting (RFC 8460) records, as information.

Both only change how other servers deliver mail *to* the domain over TLS, never whether the
domain's own mail is accepted, so nothing here is a warning or a failure: presence, validity
and what a fix would be are reported as notes. The MTA-STS policy file itself is served over
HTTPS at `mta-sts.<domain>`: this check names it but does not fetch it (DNS only).
"""

from __future__ import annotations

import re

from .dnsquery import DnsClient
from .mailverdict import Bi, Part, verdict


def _tags(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        if sep:
            out.setdefault(key.strip().lower(), value.strip())
    return out


async def check_mail_tls(dns: DnsClient, domain: str) -> Part:
    part = Part()
    dns.start(f"_smtp._tls.{domain}", "TXT")
    sts = await dns.query(f"_mta-sts.{domain}", "TXT")
    rpt = await dns.query(f"_smtp._tls.{domain}", "TXT")

    sts_records = [r for r in sts.records if r.lower().startswith("v=stsv1")]
    if sts.undetermined:
        part.evidence["mta_sts"] = sts.describe()
    elif not sts_records:
        part.evidence["mta_sts"] = Bi("no publicado (opcional)", "not published (optional)")
    else:
        tags = _tags(sts_records[0])
        valid = len(sts_records) == 1 and tags.get("v") == "STSv1" and re.fullmatch(r"[A-Za-z0-9]{1,32}", tags.get("id", ""))
        if valid:
            part.evidence["mta_sts"] = Bi(f"publicado (id={tags['id']}); la política HTTPS no se ha descargado",
                                          f"published (id={tags['id']}); the HTTPS policy was not fetched")
        else:
            part.evidence["mta_sts"] = Bi("registro no válido", "invalid record")
            part.add(verdict("info", "ok", "RFC 8461 §3.1",
                             (f"El registro _mta-sts.{domain} no es válido (uno solo, v=STSv1 e id= de 1 a 32 letras o cifras): los remitentes lo ignoran",
                              "Corrígelo: v=STSv1; id=20240101"),
                             (f"The _mta-sts.{domain} record is invalid (exactly one, v=STSv1 and an id= of 1 to 32 letters or digits): senders ignore it",
                              "Correct it: v=STSv1; id=20240101")))

    rpt_records = [r for r in rpt.records if r.lower().startswith("v=tlsrptv1")]
    if rpt.undetermined:
        part.evidence["tls_rpt"] = rpt.describe()
    elif not rpt_records:
        part.evidence["tls_rpt"] = Bi("no publicado (opcional)", "not published (optional)")
    else:
        tags = _tags(rpt_records[0])
        uris = [u.strip() for u in tags.get("rua", "").split(",") if u.strip()]
        good = len(rpt_records) == 1 and uris and all(re.match(r"(mailto:[^@\s]+@[^@\s]+|https://\S+)$", u) for u in uris)
        if good:
            part.evidence["tls_rpt"] = Bi(f"publicado ({', '.join(uris[:2])})", f"published ({', '.join(uris[:2])})")
        else:
            part.evidence["tls_rpt"] = Bi("registro no válido", "invalid record")
            part.add(verdict("info", "ok", "RFC 8460 §3",
                             (f"El registro _smtp._tls.{domain} no es válido (uno solo, v=TLSRPTv1 y rua=mailto: o https:): no llegarán informes TLS",
                              f"Corrígelo: v=TLSRPTv1; rua=mailto:tls-reports@{domain}"),
                             (f"The _smtp._tls.{domain} record is invalid (exactly one, v=TLSRPTv1 and rua=mailto: or https:): no TLS reports will arrive",
                              f"Correct it: v=TLSRPTv1; rua=mailto:tls-reports@{domain}")))
    return part
