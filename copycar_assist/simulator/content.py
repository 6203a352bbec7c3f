"""The demo world's material: the prompt, account records, e-mail and call log a scenario comes
with, offered in the chat when a check asks for material and used by `doctor`/`diagnose` in demo
mode when no file is given. Pure data and a deterministic log generator; nothing here does I/O.

Every scenario has one sample of each kind: the healthy one unless the scenario changes it (an
API scenario brings the call log it would leave; a content scenario its prompt, records or
e-mail). Logs are in the guide's format (`checks/logparse.py`), timestamps fixed, so a sample
reads the same every time. Labels look like file names and never name the fault, so practice
stays practice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

KINDS = ("prompt", "account", "email", "log")
LABELS = {"prompt": "prompt-seguimiento.txt", "account": "cuentas-crm.json", "email": "borrador.eml",
          "log": "copycar_ai.log"}
T0 = datetime(2024, 6, 3, 9, 0, 0)

# --- prompts ----------------------------------------------------------------------------------------

PROMPTS = {
    "good": ("Escribe un correo de seguimiento breve (120 palabras como máximo) para María López, directora de "
             "operaciones de Logística Norte (transporte, 250 empleados, Bilbao). En la reunión del martes nos "
             "contó que los retrasos en las entregas de última milla les cuestan clientes. Menciona el piloto de "
             "rutas dinámicas que redujo un 18 % los retrasos en Transportes Ebro y propón una llamada el jueves. "
             "Tono cercano y profesional, en español, sin emojis."),
    "too-short": "Hola",
    "too-long": "Resume para el equipo comercial esta conversación exportada del CRM:\n\n" + "\n".join(
        f"[{n:04d}] Cliente: seguimos esperando la propuesta revisada con los precios por volumen y las condiciones "
        f"de integración con el ERP; Comercial: la enviamos esta semana junto con el calendario del piloto."
        for n in range(200)),
    "generic": ("# Plantilla genérica de la campaña de junio, la puntuación de personalización no pasa del 41 %\n"
                "Escribe un email de ventas para {{nombre}} de {{empresa}} presentando CopyCar. "
                "Hazlo personalizado y convincente."),
}

# --- account records ----------------------------------------------------------------------------------

_COMPLETE = [
    {"company": "Logística Norte", "contact_name": "María López", "job_title": "Directora de operaciones",
     "industry": "Transporte", "employees": 250, "pain_points": "Retrasos en la última milla",
     "recent_activity": "Reunión el 28/05: piden un piloto", "website": "logisticanorte.example",
     "location": "Bilbao", "tech_stack": "SAP, HubSpot"},
    {"company": "Clínicas Sonrisa", "contact_name": "Jordi Puig", "job_title": "CMO", "industry": "Salud",
     "employees": 80, "pain_points": "Pocas citas desde la web", "recent_activity": "Descargó la guía de captación",
     "website": "clinicassonrisa.example", "location": "Barcelona", "tech_stack": "WordPress, Salesforce"},
    {"company": "Hotel Mirador", "contact_name": "Ana Ruiz", "job_title": "Directora comercial", "industry": "Hostelería",
     "employees": 45, "pain_points": "Ocupación baja entre semana", "recent_activity": "Visitó la página de precios",
     "website": "hotelmirador.example", "location": "Málaga", "tech_stack": "Mews, Mailchimp"},
]
ACCOUNTS = {
    "complete": _COMPLETE,
    "thin": [{"company": r["company"], "contact_name": r["contact_name"], "website": r["website"]} for r in _COMPLETE],
    "missing-fields": [
        {"company": "Logística Norte", "contact_name": "", "job_title": "Directora de operaciones",
         "industry": "Transporte", "pain_points": "Retrasos en la última milla"},
        {"company": "n/a", "contact_name": "{{first_name}}", "industry": "Salud", "employees": 80},
        _COMPLETE[2],
    ],
    "settings-changed": [dict(_COMPLETE[0], notes=(
        "Account manager, 4 June: the personalization score dropped overnight for every account at once, "
        "since we changed the settings on 3 June (personalization level 'basic', wrong language: English "
        "for Spanish customers, target audience 'developers')."))],
}

# --- e-mails -------------------------------------------------------------------------------------------

EMAILS = {
    "clean": ("From: María López <alertas@copycar-demo.test>\nTo: ana.ruiz@hotelmirador.example\n"
              "Subject: Propuesta para llenar las noches entre semana\n\n"
              "Hola Ana:\n\nGracias por la visita a nuestra página de precios. Te adjunto el caso del Hotel Brisa, que "
              "subió un 12 % la ocupación de martes a jueves con campañas segmentadas.\n\n¿Te viene bien una llamada "
              "el jueves a las 10:00?\n\nUn saludo,\nMaría\n\nSi no quieres recibir más correos, responde BAJA o "
              "visita https://copycar-demo.test/baja\n"),
    "spammy": ("From: Ofertas <alertas@copycar-demo.test>\nTo: clientes@hotelmirador.example\n"
               "Subject: ¡¡¡GANA DINERO YA!!! 100% GRATIS - ÚLTIMA OPORTUNIDAD\n\n"
               "¡¡¡ENHORABUENA!!! Has sido seleccionado. DINERO GRATIS, resultados 100% GARANTIZADOS y sin riesgo.\n"
               "Oferta limitada: solo hoy. Haz clic aquí: http://bit.ly/gana-ya  http://203.0.113.9/premio\n"
               "Compra ya y no te lo pierdas $$$ €€€\n"),
    "alert-in-spam": ("From: CopyCar Monitor <alertas@copycar-demo.test>\nTo: guardia@copycar-demo.test\n"
                      "Subject: [ALERTA] monitorización: umbral superado\n"
                      "X-Spam-Flag: YES\nX-Spam-Status: Yes, score=6.1 required=5.0\nX-Folder: Junk\n\n"
                      "Esta alerta de la monitorización llegó a la carpeta de spam: las alertas van a spam y la "
                      "guardia no vio el aviso.\n"),
}

# --- call logs -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogProfile:
    calls: int = 240
    span_s: float = 120.0
    ms: tuple[int, int] = (150, 900)
    statuses: tuple[tuple[int, float], ...] = ((200, 1.0),)  # (status, share)
    endpoints: tuple[str, ...] = ("POST /v2/content/generate", "GET /v2/verify", "POST /v2/personalize")
    notes: tuple[tuple[str, str], ...] = ()  # (level, message) lines spread through the log
    name: str = "copycar_ai"


_ERRORS = {401: ("AuthenticationError", "Invalid API key"), 403: ("PermissionError", "This key may not use this endpoint"),
           429: ("RateLimitError", "Rate limit exceeded, retry after 30 s"), 500: ("APIError", "Internal server error"),
           502: ("APIError", "Bad gateway"), 503: ("ServiceUnavailable", "Service unavailable"),
           404: ("NotFoundError", "Unknown endpoint"), 301: ("", "")}

LOGS = {
    "healthy": LogProfile(),
    "slow": LogProfile(ms=(5200, 9800)),
    "errors": LogProfile(statuses=((200, 0.88), (502, 0.07), (503, 0.05))),
    "down": LogProfile(calls=60, statuses=((503, 1.0),)),
    "rate-limited": LogProfile(statuses=((200, 0.85), (429, 0.15))),
    "auth": LogProfile(calls=120, statuses=((401, 1.0),)),
    "forbidden": LogProfile(statuses=((200, 0.7), (403, 0.3))),
    "low-success": LogProfile(statuses=((200, 0.92), (301, 0.06), (404, 0.02)),
                              endpoints=("POST /v2/content/generate", "GET /v1/verify", "POST /v2/personalize")),
    "low-throughput": LogProfile(calls=90, span_s=300.0, ms=(300, 1200),
                                 notes=(("WARNING", "Job queue backlog: 1240 pending requests, workers idle waiting"),)),
    "polling": LogProfile(calls=10, span_s=9.0, ms=(120, 260), endpoints=("GET /v2/content/jobs/4711",),
                          notes=(("INFO", "sync_worker: polling every second for job 4711, same request over and over, no caching"),
                                 ("WARNING", "X-RateLimit-Remaining: 4 of 60"))),
    "alerts-silent": LogProfile(calls=5, span_s=4.0, ms=(560, 660), endpoints=("POST /v2/content/generate",),
                                notes=(("INFO", "monitor: alert check: error rate over the last hour 12 %, threshold 5 %: "
                                                "no alert raised"),
                                       ("INFO", "monitor: alert check: threshold 5000 read in seconds instead of "
                                                "milliseconds: no alert raised"),
                                       ("INFO", "monitor: the metrics cross the threshold and nothing: no alert email, "
                                                "no notification, not even in the log"))),
}


def make_log(p: LogProfile, seed: int = 7) -> str:
    """A call log in the guide's format for a profile: the same text for the same profile."""
    import random

    rnd = random.Random(seed)
    statuses = [s for s, share in p.statuses for _ in range(max(1, round(share * 100)))]
    lines: list[tuple[datetime, str]] = []
    step = p.span_s / max(p.calls - 1, 1)
    for n in range(p.calls):
        ts = T0 + timedelta(seconds=n * step)
        status = statuses[(n * 37) % len(statuses)]
        endpoint = p.endpoints[n % len(p.endpoints)]
        ms = rnd.randint(*p.ms)
        lines.append((ts, f"INFO - API Call: {endpoint} - Status: {status} - Response Time: {ms}ms"))
        if status >= 400:
            kind, message = _ERRORS.get(status, ("APIError", "Request failed"))
            lines.append((ts + timedelta(milliseconds=1), f"ERROR - Error: {kind} - Message: {message} - "
                                                          f"Context: {{'endpoint': '{endpoint}', 'status': {status}}}"))
        if ms > 5000:
            lines.append((ts + timedelta(milliseconds=2), f"WARNING - Performance: response_time = {ms} - Status: WARNING"))
    for i, (level, message) in enumerate(p.notes):
        ts = T0 + timedelta(seconds=p.span_s * (i + 1) / (len(p.notes) + 1), milliseconds=500)
        lines.append((ts, f"{level} - {message}"))
    lines.sort(key=lambda x: x[0])
    return "".join(f"{ts:%Y-%m-%d %H:%M:%S},{ts.microsecond // 1000:03d} - {p.name} - {text}\n" for ts, text in lines)


@dataclass(frozen=True)
class Samples:
    """Which sample of each kind a scenario comes with (keys of the tables above)."""

    prompt: str = "good"
    account: str = "complete"
    email: str = "clean"
    log: str = "healthy"

    def text(self, kind: str) -> str:
        key = getattr(self, kind)
        if kind == "prompt":
            return PROMPTS[key]
        if kind == "account":
            import json

            return json.dumps(ACCOUNTS[key], ensure_ascii=False, indent=1)
        if kind == "email":
            return EMAILS[key]
        return make_log(LOGS[key])

    def offered(self) -> dict[str, list[tuple[str, str]]]:
        """The chat's offer: input kind -> [(label, text)]."""
        return {kind: [(LABELS[kind], self.text(kind))] for kind in KINDS}
