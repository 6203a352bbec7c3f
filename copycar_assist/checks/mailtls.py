"""MTA-STS (RFC 8461) and SMTP TLS reporting (RFC 8460) records, as information.

Both only change how other servers deliver mail *to* the domain over TLS, never whether the
domain's own mail is accepted, so nothing here is a warning or a failure: presence, validity
and what a fix would be are reported as notes. The MTA-STS policy file itself is served over
HTTPS at `mta-sts.<domain>`: this check names it but does not fetch it (DNS only).
"""

from __future__ import annotations

import re

from copycar_assist.files.msg import Msg

from .dnsquery import DnsClient
from .mailverdict import Part, verdict


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
        part.evidence["mta_sts"] = Msg.of("check.mailtls.not_published_optional")
    else:
        tags = _tags(sts_records[0])
        valid = len(sts_records) == 1 and tags.get("v") == "STSv1" and re.fullmatch(r"[A-Za-z0-9]{1,32}", tags.get("id", ""))
        if valid:
            part.evidence["mta_sts"] = Msg.of("check.mailtls.published_id_https_policy", id=tags['id'])
        else:
            part.evidence["mta_sts"] = Msg.of("check.mailtls.invalid_record")
            part.add(verdict("info", "ok", "RFC 8461 §3.1",
                             Msg.of("check.mailtls.mta_sts_record_invalid", domain=domain),
                             Msg.of("check.mailtls.mta_sts_record_invalid_fix")))

    rpt_records = [r for r in rpt.records if r.lower().startswith("v=tlsrptv1")]
    if rpt.undetermined:
        part.evidence["tls_rpt"] = rpt.describe()
    elif not rpt_records:
        part.evidence["tls_rpt"] = Msg.of("check.mailtls.not_published_optional")
    else:
        tags = _tags(rpt_records[0])
        uris = [u.strip() for u in tags.get("rua", "").split(",") if u.strip()]
        good = len(rpt_records) == 1 and uris and all(re.match(r"(mailto:[^@\s]+@[^@\s]+|https://\S+)$", u) for u in uris)
        if good:
            part.evidence["tls_rpt"] = Msg.of("check.mailtls.published", uris=', '.join(uris[:2]))
        else:
            part.evidence["tls_rpt"] = Msg.of("check.mailtls.invalid_record")
            part.add(verdict("info", "ok", "RFC 8460 §3",
                             Msg.of("check.mailtls.smtp_tls_record_invalid", domain=domain),
                             Msg.of("check.mailtls.smtp_tls_record_invalid_fix", domain=domain)))
    return part
