"""The areas a reader thinks in (API key, API health, SMTP, CRM …) and the checks each holds.

`doctor` shows one line per area by default (`-v` shows every check): the area's worst result
leads the line. An area lists its checks in the order their summaries are worth reading when all
pass (the key's verification says more than "a key is configured"). A check no area names gets an
area of its own, titled like the check. No UI here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    id: str
    title: dict[str, str]  # lang -> title
    checks: tuple[str, ...]


AREAS: tuple[Area, ...] = (
    Area("api-key", {"es": "Clave de API", "en": "API key"}, ("api.verify", "api.key_configured")),
    Area("api-health", {"es": "Salud de la API", "en": "API health"}, ("api.health",)),
    Area("rate-limits", {"es": "Cuota de peticiones", "en": "Rate limits"}, ("api.rate_limit",)),
    Area("endpoints", {"es": "Endpoints", "en": "Endpoints"}, ("api.endpoints",)),
    Area("latency", {"es": "Latencia", "en": "Latency"}, ("api.latency",)),
    Area("content", {"es": "Prompt y cuentas", "en": "Prompt and accounts"},
         ("content.prompt", "content.personalization")),
    Area("logs", {"es": "Log de llamadas", "en": "Call log"}, ("logs.analyze",)),
    Area("smtp", {"es": "SMTP", "en": "SMTP"}, ("email.smtp", "email.limits")),
    Area("email-dns", {"es": "DNS del correo", "en": "E-mail DNS"}, ("email.domain",)),
    Area("spam", {"es": "Puntuación de spam", "en": "Spam score"}, ("email.spam",)),
    Area("crm", {"es": "CRM", "en": "CRM"}, ("crm.auth", "crm.permissions", "crm.fields")),
    Area("redis", {"es": "Redis", "en": "Redis"}, ("cache.redis",)),
    Area("alerts", {"es": "Alertas del monitor", "en": "Monitor alerts"}, ("monitor.alerts",)),
)
BY_CHECK = {cid: area for area in AREAS for cid in area.checks}


def group(check_ids: list[str], titles: dict[str, dict[str, str]] | None = None) -> list[Area]:
    """The areas of these checks, in the order of their first check, each holding only the
    given checks (in the area's order). `titles`: check id -> titles, for a check no area names."""
    out: dict[str, Area] = {}
    for cid in check_ids:
        area = BY_CHECK.get(cid) or Area(cid, dict((titles or {}).get(cid) or {"en": cid}), (cid,))
        if area.id not in out:
            out[area.id] = Area(area.id, area.title, tuple(c for c in area.checks if c in check_ids))
    return list(out.values())
