"""CopyCar API checks: the key (configured, verified), the quota; health, endpoints and latency
live in `api_net.py`. Every check here is read-only and makes at most one request: api.verify and
api.rate_limit share the run's one GET /verify.
"""

from __future__ import annotations

import re

from copycar_assist.textsafe import one_line

from .api_net import EndpointsCheck, HealthCheck, LatencyCheck
from .api_support import (
    NOT_THERE,
    ApiCheck,
    api_url,
    body_error,
    body_message,
    failure_text,
    int_header,
    network_evidence,
    parse_reset,
    parse_retry_after,
    request_deadline,
    verify_response,
)
from .base import CheckContext, Evidence, Finding
from .http import HttpResult

KEY_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{15,199}")
SOURCES = {"env": ("variable de entorno COPYCAR_API_KEY", "environment variable COPYCAR_API_KEY"),
           "file": ("fichero de configuración", "config file"), "demo": ("clave de demostración", "demo key")}


def key_problems(raw: str) -> list[tuple[str, str]]:
    """What is wrong with a key's shape: a list of (Spanish, English) reasons; empty when fine."""
    problems = []
    if raw != raw.strip():
        problems.append(("tiene espacios o saltos de línea alrededor", "has spaces or line breaks around it"))
    core = raw.strip()
    if len(core) >= 2 and core[0] == core[-1] and core[0] in "'\"`":
        problems.append(("está entre comillas", "is wrapped in quotes"))
        core = core[1:-1]
    if core.lower().startswith("bearer "):
        problems.append(("incluye la palabra «Bearer»", "includes the word 'Bearer'"))
        core = core[7:]
    if any(c.isspace() for c in core):
        problems.append(("tiene espacios dentro", "has spaces inside"))
    if any(not c.isprintable() or ord(c) > 126 for c in core if not c.isspace()):
        problems.append(("tiene caracteres invisibles o no ASCII", "has invisible or non-ASCII characters"))
    if not problems:
        if len(core) < 16:
            problems.append((f"es demasiado corta ({len(core)} caracteres)", f"is too short ({len(core)} characters)"))
        elif not KEY_SHAPE.fullmatch(core):
            problems.append(("tiene caracteres que una clave no lleva", "has characters a key does not contain"))
    return problems


class KeyConfiguredCheck(ApiCheck):
    id = "api.key_configured"
    outcomes = ("ok", "missing", "malformed")
    timeout_s = 2.0

    async def run(self, ctx: CheckContext) -> Finding:
        t = ctx.t
        key = ctx.settings.api.key
        source = ctx.settings.api.key_source or "unknown"
        src_es, src_en = SOURCES.get(source, (source, source))
        if not key or not key.reveal().strip():
            return self.finding("fail", "missing", t(
                es="No hay ninguna clave de API configurada: ejecuta `copycar-assist setup` o define COPYCAR_API_KEY.",
                en="No API key is configured: run `copycar-assist setup` or set COPYCAR_API_KEY."),
                {"source": "none"})
        evidence: Evidence = {"source": source, "key": key.masked, "length": len(key.reveal())}
        problems = key_problems(key.reveal())
        if problems:
            evidence["problems"] = "; ".join(en for _es, en in problems)
            return self.finding("fail", "malformed", t(
                es=f"La clave ({src_es}) {', '.join(es for es, _en in problems)}.",
                en=f"The key ({src_en}) {', '.join(en for _es, en in problems)}."), evidence)
        return self.finding("pass", "ok", t(es=f"Clave configurada ({src_es}): {key.masked}.",
                                            en=f"Key configured ({src_en}): {key.masked}."), evidence)


def _says_expired(r: HttpResult) -> bool:
    texts = [body_error(r), str(r.json_field("message") or ""), r.header("www-authenticate") or ""]
    return any("expired" in s.lower() or "caducad" in s.lower() for s in texts)


class VerifyCheck(ApiCheck):
    id = "api.verify"
    needs = ("api.key",)
    outcomes = ("ok", "unauthorized", "expired", "forbidden", "rate_limited", "unreachable", "server_error",
                "redirect", "insecure", "not_found")

    async def run(self, ctx: CheckContext) -> Finding:
        t = ctx.t
        ctx.step(t(es="Llamando a GET /verify con la clave…", en="Calling GET /verify with the key…"))
        r = await verify_response(ctx, request_deadline(ctx, self.timeout_s - 1))
        ev = network_evidence(r)
        if r.error == "insecure":
            return self.finding("fail", "insecure", failure_text(ctx, r), ev)
        if r.error:
            return self.finding("error", "unreachable", t(
                es=f"No se pudo verificar la clave: {failure_text(ctx, r)}",
                en=f"Could not verify the key: {failure_text(ctx, r)}"), ev)
        status = r.status or 0
        err, message = body_error(r), body_message(r)
        if err:
            ev["api_error"] = err
        if message and message != err:
            ev["api_message"] = message
        if status == 200:
            return self._valid(ctx, r, ev)
        if 300 <= status < 400:
            to = r.location or t(es="(sin Location)", en="(no Location)")
            return self.finding("fail", "redirect", t(
                es=f"GET /verify respondió {status} y redirige a {to}; no se sigue. La URL base parece incorrecta.",
                en=f"GET /verify answered {status}, redirecting to {to}; not followed. The base URL looks wrong."), ev)
        if status == 401:
            if _says_expired(r):
                return self.finding("fail", "expired", t(es="La API dice que la clave ha caducado (401).",
                                                         en="The API says the key has expired (401)."), ev)
            return self.finding("fail", "unauthorized", t(es="La API no acepta la clave (401 Unauthorized).",
                                                          en="The API does not accept the key (401 Unauthorized)."), ev)
        if status == 403:
            return self.finding("fail", "forbidden", t(
                es="La clave es válida pero no tiene permiso para esta operación (403 Forbidden).",
                en="The key is valid but not allowed to do this (403 Forbidden)."), ev)
        if status == 429:
            retry = parse_retry_after(r.header("retry-after"))
            if retry:
                ev.update(retry.evidence())
            when = f"; {retry.text(ctx)}" if retry else ""
            return self.finding("fail", "rate_limited", t(
                es=f"La API limita las peticiones (429 Too Many Requests){when}.",
                en=f"The API is rate limiting (429 Too Many Requests){when}."), ev)
        if status in NOT_THERE:
            return self.finding("fail", "not_found", t(
                es=f"GET /verify respondió {status}: en esa dirección no está la API de CopyCar. "
                   "La URL base parece incorrecta (se espera …/v2).",
                en=f"GET /verify answered {status}: the CopyCar API is not at that address. "
                   "The base URL looks wrong (…/v2 expected)."), ev)
        if status >= 500:
            return self.finding("error", "server_error", t(
                es=f"La API falló al verificar ({status}); no se puede saber si la clave es válida.",
                en=f"The API failed while verifying ({status}); the key's validity is unknown."), ev)
        return self.finding("error", "unreachable", t(
            es=f"Respuesta inesperada de GET /verify ({status}); revisa la URL base.",
            en=f"Unexpected answer from GET /verify ({status}); check the base URL."), ev)

    def _valid(self, ctx: CheckContext, r: HttpResult, ev: Evidence) -> Finding:
        facts_es, facts_en = [], []
        plan = r.json_field("plan", "tier")
        if isinstance(plan, str):
            ev["plan"] = one_line(plan, 60)
            facts_es.append(f"plan {ev['plan']}")
            facts_en.append(f"plan {ev['plan']}")
        scopes = r.json_field("scopes", "permissions")
        if isinstance(scopes, list):
            ev["scopes"] = ", ".join(one_line(str(s), 40) for s in scopes[:20])
        expires = r.json_field("expires_at", "expiry", "expires")
        if isinstance(expires, str):
            ev["expires_at"] = one_line(expires, 40)
            facts_es.append(f"caduca {ev['expires_at']}")
            facts_en.append(f"expires {ev['expires_at']}")
        more_es = f" ({', '.join(facts_es)})" if facts_es else ""
        more_en = f" ({', '.join(facts_en)})" if facts_en else ""
        return self.finding("pass", "ok", ctx.t(es=f"La API acepta la clave{more_es}.",
                                                en=f"The API accepts the key{more_en}."), ev)


class RateLimitCheck(ApiCheck):
    id = "api.rate_limit"
    needs = ("api.key",)
    outcomes = ("ok", "low_quota", "exhausted")
    low_fraction = 0.10

    async def run(self, ctx: CheckContext) -> Finding:
        t = ctx.t
        ctx.step(t(es="Leyendo las cabeceras de cuota de GET /verify…", en="Reading the quota headers of GET /verify…"))
        r = await verify_response(ctx, request_deadline(ctx, self.timeout_s - 1))
        ev: Evidence = {"url": api_url(ctx.settings.api.base_url, "verify"), "source": "GET /verify headers"}
        if r.error or r.status is None:
            return self.finding("skipped", "skipped", t(
                es=f"No se puede leer la cuota: {failure_text(ctx, r)}",
                en=f"Cannot read the quota: {failure_text(ctx, r)}"), ev)
        ev["status"] = r.status
        limit, remaining = int_header(r, "x-ratelimit-limit"), int_header(r, "x-ratelimit-remaining")
        reset = parse_reset(r.header("x-ratelimit-reset"))
        if limit is not None:
            ev["limit"] = limit
        if remaining is not None:
            ev["remaining"] = remaining
        reset_es = reset_en = ""
        if reset:
            ev["reset_in_s"] = reset[0]
            ev["reset_at"] = reset[1].strftime("%Y-%m-%d %H:%M:%S UTC")
            reset_es = f"; se renueva a las {reset[1]:%H:%M:%S} UTC"
            reset_en = f"; resets at {reset[1]:%H:%M:%S} UTC"
        retry = parse_retry_after(r.header("retry-after")) if r.status == 429 else None
        if retry:
            ev.update(retry.evidence())
        if r.status == 429 or remaining == 0:
            when = f"; {retry.text(ctx)}" if retry else ""
            return self.finding("fail", "exhausted", t(
                es=f"Cuota agotada: no quedan peticiones{when}{'' if retry else reset_es}.",
                en=f"Quota used up: no requests left{when}{'' if retry else reset_en}."), ev)
        if remaining is None:
            if r.status != 200:
                return self.finding("skipped", "skipped", t(
                    es=f"Cuota desconocida: GET /verify respondió {r.status} sin cabeceras de cuota.",
                    en=f"Quota unknown: GET /verify answered {r.status} with no quota headers."), ev)
            return self.finding("pass", "ok", t(es="La API no envía cabeceras de cuota; no hay señales de límite.",
                                                en="The API sends no quota headers; no sign of a limit."), ev)
        if limit:
            ev["used_pct"] = round(100 * (limit - remaining) / limit, 1)
            if remaining < self.low_fraction * limit:
                return self.finding("warn", "low_quota", t(
                    es=f"Quedan pocas peticiones: {remaining} de {limit}{reset_es}.",
                    en=f"Few requests left: {remaining} of {limit}{reset_en}."), ev)
        of_es, of_en = (f" de {limit}", f" of {limit}") if limit else ("", "")
        return self.finding("pass", "ok", t(es=f"Quedan {remaining}{of_es} peticiones{reset_es}.",
                                            en=f"{remaining}{of_en} requests left{reset_en}."), ev)


CHECKS = [KeyConfiguredCheck(), VerifyCheck(), HealthCheck(), RateLimitCheck(), EndpointsCheck(), LatencyCheck()]
