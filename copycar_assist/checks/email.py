"""E-mail delivery checks (entry `email-delivery-failed`): SMTP exchange, sending limit, domain
DNS, content spam score.

- `email.smtp`   the SMTP exchange phase by phase (`smtpprobe.py`): greeting, TLS, login, then
                 the envelope (MAIL FROM the sender, RCPT TO `smtp.test_recipient`, default the
                 sender, then RSET) so a refused sender or relay shows. Never sends DATA, so never
                 mail, and never sends credentials without verified TLS.
- `email.limits` the configured daily limit against what the app can see was sent.
- `email.domain` MX, SPF, DMARC, DKIM through dnspython (`dnscheck.py`).
- `email.spam`   explainable content rules in Spanish and English (`spam.py`, `spam_rules.toml`).
"""

from __future__ import annotations

import asyncio
import ssl
from email.utils import parseaddr

from copycar_assist.files.read import ReadError
from copycar_assist.textsafe import one_line

from . import loopback
from .base import Check, CheckContext, Evidence, Finding
from .dnscheck import DomainCheck
from .loopback import Destination
from .smtpprobe import MAX_LINE, MAX_REPLY_LINES, ProbeResult, SmtpProbe, envelope_address, tls_context
from .spam import SpamCheck


def _ca_problem(ca_file: str, lang: str) -> str | None:
    """Why `smtp.ca_file` cannot be used (not a small regular file, no PEM certificate), or None."""
    try:
        tls_context(ca_file)
    except ReadError as exc:
        return "smtp.ca_file: " + exc.message(lang)
    except ssl.SSLError:
        return (f"smtp.ca_file: {one_line(ca_file, 200)}: no contiene ningún certificado PEM utilizable" if lang == "es"
                else f"smtp.ca_file: {one_line(ca_file, 200)}: holds no usable PEM certificate")
    return None


# Well-known ports and the security each one expects.
_IMPLICIT_TLS_PORTS = {465}
_STARTTLS_PORTS = {25, 587}


class SmtpCheck(Check):
    id = "email.smtp"
    outcomes = ("ok", "connect_failed", "no_starttls", "tls_failed", "auth_failed", "misconfigured",
                "temporary_refusal", "client_refused", "sender_refused", "relay_denied", "recipient_refused")
    tags = ("email",)
    needs = ("smtp.host",)

    def __init__(self, *, timeout_s: float = 15.0, phase_timeout_s: float = 5.0):
        self.timeout_s = timeout_s
        self.phase_timeout_s = phase_timeout_s

    async def run(self, ctx: CheckContext) -> Finding:
        s = ctx.settings.smtp
        host, port, security = (s.host or "").strip(), int(s.port or 0), (s.security or "").lower()
        ev: Evidence = {"server": f"{host}:{port}", "security": security}
        static = self._static_problem(ctx, host, port, security)
        if static:
            return self.finding("fail", "misconfigured", static, ev)

        if s.ca_file:
            problem = await asyncio.to_thread(_ca_problem, s.ca_file, ctx.lang)
            if problem:
                return self.finding("fail", "misconfigured", problem, ev)
        dial = host
        if security == "none":  # no TLS: only to loopback by the one rule, and to the address checked
            dest = await loopback.resolve(host, port)
            if not dest.loopback:
                return self.finding("fail", "misconfigured", self._not_loopback(ctx, host, dest), ev)
            dial = dest.address
        sender, recipient = self._envelope(ctx, ev)
        ctx.step(ctx.t(es=f"Conectando con {host}:{port}…", en=f"Connecting to {host}:{port}…"))
        probe = SmtpProbe(dial, port, security, username=s.username, password=s.password,
                          ca_file=s.ca_file, sender=sender, recipient=recipient,
                          phase_timeout_s=self.phase_timeout_s, deadline_s=self.budget())
        r = await probe.run()
        for ph in r.phases:
            state = "ok" if ph.ok else ctx.t(es="FALLO", en="FAILED")
            ev[f"{ph.name}"] = f"{state} · {ph.ms} ms" + (f" · {ph.detail}" if ph.detail else "")
        if r.tls:
            ev["tls"] = ctx.t(es=f"{r.tls}, certificado verificado", en=f"{r.tls}, certificate verified")
        if r.starttls_offered is not None:
            ev["starttls_offered"] = r.starttls_offered
        if r.auth_mechanisms:
            ev["auth_mechanisms"] = " ".join(r.auth_mechanisms)
        ev["credentials_sent"] = r.auth_sent
        ev["mail_sent"] = False
        ev["session_ended_with_quit"] = r.quit_sent

        if r.outcome != "ok":
            return self.finding("fail", r.outcome, self._failure_text(ctx, r, host, port, security), ev)
        return self._success(ctx, r, ev, host, port, security)

    # --- before connecting ---------------------------------------------------------------------

    def _envelope(self, ctx: CheckContext, ev: Evidence) -> tuple[str | None, str | None]:
        """(sender, recipient) to probe, or (None, None) when the envelope cannot be tested."""
        s = ctx.settings.smtp
        sender = parseaddr(s.from_addr or "")[1]
        recipient = parseaddr(s.test_recipient or "")[1] or sender
        if not sender or bool(s.username) != bool(s.password):
            return None, None  # reported after the exchange (missing sender, half the credentials)
        ev["test_recipient"] = recipient
        if not s.test_recipient:
            ev["test_recipient_note"] = ctx.t(
                es="es el remitente (smtp.test_recipient sin configurar): el reenvío a otros dominios no se prueba",
                en="it is the sender (smtp.test_recipient not set): relaying to other domains is not tested")
        if not (envelope_address(sender) and envelope_address(recipient)):
            ev["envelope"] = ctx.t(es="no probado: dirección que no es ASCII simple",
                                   en="not tested: an address that is not plain ASCII")
            return None, None
        return sender, recipient

    def _static_problem(self, ctx: CheckContext, host: str, port: int, security: str) -> str | None:
        if not host:
            return ctx.t(es="Falta smtp.host: no hay servidor SMTP configurado.",
                         en="smtp.host is not set: no SMTP server is configured.")
        if security not in ("starttls", "tls", "none"):
            return ctx.t(es="smtp.security debe ser starttls, tls o none.",
                         en="smtp.security must be starttls, tls or none.")
        if port in _IMPLICIT_TLS_PORTS and security != "tls":
            return ctx.t(
                es=f"El puerto {port} espera TLS implícito: pon smtp.security = \"tls\" (o usa el puerto 587 con STARTTLS).",
                en=f"Port {port} expects implicit TLS: set smtp.security = \"tls\" (or use port 587 with STARTTLS).")
        if port in _STARTTLS_PORTS and security == "tls":
            return ctx.t(
                es=f"El puerto {port} habla SMTP en claro y sube a TLS con STARTTLS: pon smtp.security = \"starttls\" (o usa el puerto 465 con TLS implícito).",
                en=f"Port {port} speaks plain SMTP and upgrades with STARTTLS: set smtp.security = \"starttls\" (or use port 465 for implicit TLS).")
        return None

    @staticmethod
    def _not_loopback(ctx: CheckContext, host: str, dest: Destination) -> str:
        shown = ", ".join(dest.addresses[:4]) or ctx.t(es="ninguna dirección", en="no address")
        return ctx.t(
            es=f"smtp.security = \"none\" solo se admite hacia esta máquina; {host} resuelve a {shown}, no solo a loopback, y las credenciales viajarían en claro. No se ha conectado. Usa starttls o tls.",
            en=f"smtp.security = \"none\" is only allowed to this machine; {host} resolves to {shown}, not only to loopback, and the credentials would travel in clear. Not connected. Use starttls or tls.")

    # --- after the exchange --------------------------------------------------------------------

    def _success(self, ctx: CheckContext, r: ProbeResult, ev: Evidence, host: str, port: int, security: str) -> Finding:
        s = ctx.settings.smtp
        problems: list[str] = []
        if bool(s.username) != bool(s.password):
            problems.append(ctx.t(
                es="Solo está configurado uno de smtp.username / smtp.password: la autenticación no puede funcionar.",
                en="Only one of smtp.username / smtp.password is set: authentication cannot work."))
        sender = parseaddr(s.from_addr or "")[1]
        if not sender or "@" not in sender:
            problems.append(ctx.t(es="Falta smtp.from (o no es una dirección): los envíos no tendrán remitente válido.",
                                  en="smtp.from is missing (or not an address): messages will have no valid sender."))
        else:
            ev["from"] = sender
            domain = (ctx.settings.email.domain or "").lower()
            if domain and not sender.lower().endswith("@" + domain) and not sender.lower().endswith("." + domain):
                ev["from_domain_note"] = ctx.t(
                    es=f"el remitente no es del dominio {domain}: SPF/DMARC pueden no alinear",
                    en=f"the sender is not in {domain}: SPF/DMARC may not align")
        if problems:
            return self.finding("fail", "misconfigured", " ".join(problems), ev)

        if r.auth_result == "accepted":
            auth = ctx.t(es="credenciales aceptadas", en="credentials accepted")
        elif s.username and s.password:
            auth = ctx.t(es="AUTH no probado", en="AUTH not tested")
        else:
            auth = ctx.t(es="sin credenciales configuradas: AUTH no probado",
                         en="no credentials configured: AUTH not tested")
        if r.rcpt_result == "accepted":
            auth += ctx.t(es=f"; acepta el remitente {r.sender} y el destinatario {r.recipient} (solo el sobre, con RSET antes de DATA)",
                          en=f"; sender {r.sender} and recipient {r.recipient} accepted (envelope only, RSET before DATA)")
        else:
            auth += ctx.t(es="; sobre (remitente/destinatario) no probado", en="; envelope (sender/recipient) not tested")
        if security == "none":
            ev["warning"] = ctx.t(es="SIN CIFRADO: solo aceptable hacia localhost",
                                  en="NO ENCRYPTION: only acceptable to localhost")
            return self.finding("warn", "misconfigured", ctx.t(
                es=f"ATENCIÓN: SMTP sin cifrar (security = \"none\") hacia {host}:{port}; responde ({auth}). Solo vale para un relé local: en producción usa starttls o tls.",
                en=f"WARNING: unencrypted SMTP (security = \"none\") to {host}:{port}; it answers ({auth}). Only fit for a local relay: use starttls or tls in production."), ev)
        return self.finding("pass", "ok", ctx.t(
            es=f"El servidor SMTP {host}:{port} responde; TLS verificado ({r.tls}); {auth}. No se envió ningún correo.",
            en=f"The SMTP server {host}:{port} answers; TLS verified ({r.tls}); {auth}. No mail was sent."), ev)

    def _failure_text(self, ctx: CheckContext, r: ProbeResult, host: str, port: int, security: str) -> str:
        d, t = r.detail, ctx.t
        where = f"{host}:{port}"
        if r.outcome == "connect_failed":
            if r.reason == "dns":
                return t(es=f"El nombre {host} no se resuelve (DNS): revisa smtp.host.",
                         en=f"The name {host} does not resolve (DNS): check smtp.host.")
            if r.reason == "refused":
                return t(es=f"{where} rechaza la conexión: puerto equivocado, servidor parado o cortafuegos.",
                         en=f"{where} refuses the connection: wrong port, server down or a firewall.")
            if r.reason in ("timeout", "deadline") and d == "connect":
                return t(es=f"{where} no responde (sin conexión dentro del tiempo): cortafuegos o puerto bloqueado por el proveedor.",
                         en=f"{where} does not answer (no connection in time): a firewall or a port blocked by the provider.")
            if r.reason in ("timeout", "deadline") and d in ("banner", "tls"):
                return t(es=f"{where} acepta la conexión pero no envía el saludo SMTP: puerto equivocado (¿TLS implícito en 465?) o servidor colgado.",
                         en=f"{where} accepts the connection but sends no SMTP greeting: wrong port (implicit TLS on 465?) or a hung server.")
            if r.reason in ("timeout", "deadline"):
                return t(es=f"{where} dejó de responder durante {d}.", en=f"{where} stopped answering during {d}.")
            if r.reason == "ehlo_rejected":
                return t(es=f"El servidor no entiende EHLO ({d}): no parece un servidor SMTP actual; revisa smtp.host y smtp.port.",
                         en=f"The server does not understand EHLO ({d}): it does not look like a current SMTP server; check smtp.host and smtp.port.")
            if r.reason in ("line_too_long", "reply_too_long", "protocol"):
                return t(es=f"{where} no responde como un servidor SMTP ({d}; límites: {MAX_LINE} bytes por línea, {MAX_REPLY_LINES} líneas por respuesta). Se cortó la conexión. ¿Es el puerto de un servidor de correo?",
                         en=f"{where} does not answer like an SMTP server ({d}; caps: {MAX_LINE} bytes a line, {MAX_REPLY_LINES} lines a reply). The connection was dropped. Is this a mail server's port?")
            return t(es=f"La conexión con {where} falló: {d}", en=f"The connection to {where} failed: {d}")
        if r.outcome == "temporary_refusal":
            what = {"greeting": t(es="al saludar", en="at the greeting"), "ehlo": t(es="el EHLO", en="EHLO"),
                    "starttls_refused": t(es="STARTTLS", en="STARTTLS"), "mail": t(es="el remitente", en="the sender"),
                    "rcpt": t(es="el destinatario", en="the recipient")}.get(r.reason, t(es="el inicio de sesión", en="the login"))
            return t(es=f"{where} rechaza de forma TEMPORAL ({what}): {d}. Un 4xx significa «vuelve a intentarlo más tarde»: el servidor está ocupado, limita las conexiones o los envíos de este cliente, o aplica greylisting. No cambies la configuración: reintenta con espera y reduce el ritmo.",
                     en=f"{where} refuses TEMPORARILY ({what}): {d}. A 4xx means 'try again later': the server is busy, throttling this client's connections or sending rate, or greylisting. Do not change the settings: retry with a delay and slow down.")
        if r.outcome == "client_refused":
            return t(es=f"{where} rechaza a este cliente de forma PERMANENTE ({d}). Un 5xx al saludar no se arregla reintentando: suele ser la IP de salida en una lista negra o una red que el servidor no admite.",
                     en=f"{where} refuses this client PERMANENTLY ({d}). A 5xx greeting is not fixed by retrying: usually the sending IP address is on a blocklist or on a network the server does not accept.")
        if r.outcome == "sender_refused":
            return t(es=f"El servidor rechaza el remitente {r.sender} ({d}). No se envió ningún correo. Pon en smtp.from una dirección que esta cuenta pueda usar (la suya o un alias o dominio verificado).",
                     en=f"The server refuses the sender {r.sender} ({d}). No mail was sent. Set smtp.from to an address this account may send as (its own, or a verified alias or domain).")
        if r.outcome == "relay_denied":
            if r.auth_result == "accepted":
                return t(es=f"Sesión iniciada, pero el servidor NO reenvía a {r.recipient}: {d}. Los correos a ese destino no salen. Esta cuenta no puede enviar fuera de sus dominios, o es el servidor de entrada (MX) y no el de envío.",
                         en=f"Logged in, but the server does NOT relay to {r.recipient}: {d}. Mail to that address never leaves. This account may not send outside its domains, or this is the inbound (MX) server rather than the submission server.")
            return t(es=f"Sin iniciar sesión, el servidor NO reenvía a {r.recipient}: {d}. Configura smtp.username y smtp.password (o pide que se autorice la IP de la aplicación) y usa el servidor de envío (587), no el MX del dominio.",
                     en=f"Without a login, the server does NOT relay to {r.recipient}: {d}. Set smtp.username and smtp.password (or have the application's IP allowed) and use the submission server (587), not the domain's MX.")
        if r.outcome == "recipient_refused":
            return t(es=f"El servidor rechaza el destinatario {r.recipient} ({d}): la dirección no existe o no puede recibir. Si es la dirección de prueba, pon en smtp.test_recipient una que exista.",
                     en=f"The server refuses the recipient {r.recipient} ({d}): the address does not exist or cannot receive mail. If it is the test address, set smtp.test_recipient to one that exists.")
        if r.outcome == "no_starttls":
            return t(es=f"{where} no ofrece STARTTLS: NO se enviaron las credenciales (irían en claro). Usa el puerto 587 con STARTTLS o el 465 con TLS implícito.",
                     en=f"{where} does not offer STARTTLS: the credentials were NOT sent (they would travel in clear). Use port 587 with STARTTLS or 465 with implicit TLS.")
        if r.outcome == "tls_failed":
            if r.reason == "verify":
                return t(es=f"El certificado TLS de {where} no es de confianza ({d}). No se enviaron credenciales.",
                         en=f"The TLS certificate of {where} is not trusted ({d}). No credentials were sent.")
            if r.reason == "starttls_refused":
                return t(es=f"El servidor anuncia STARTTLS pero lo rechaza: {d}",
                         en=f"The server advertises STARTTLS but refuses it: {d}")
            return t(es=f"Falló la negociación TLS con {where}: {d}. No se enviaron credenciales.",
                     en=f"The TLS handshake with {where} failed: {d}. No credentials were sent.")
        if r.outcome == "auth_failed":
            return t(es=f"El servidor rechazó usuario/contraseña ({d}). Revisa smtp.username y smtp.password (muchos proveedores exigen una contraseña de aplicación).",
                     en=f"The server rejected the user name/password ({d}). Check smtp.username and smtp.password (many providers require an app password).")
        # misconfigured found during the exchange
        if r.reason == "tls_on_plain_port":
            return t(es=f"{where} habla SMTP en claro, no TLS implícito: usa security = \"starttls\" en este puerto.",
                     en=f"{where} speaks plain SMTP, not implicit TLS: use security = \"starttls\" on this port.")
        if r.reason == "auth_required":
            return t(es=f"El servidor exige iniciar sesión antes de aceptar correo ({d}): configura smtp.username y smtp.password.",
                     en=f"The server requires a login before it accepts mail ({d}): set smtp.username and smtp.password.")
        if r.reason == "no_auth_offered":
            return t(es=f"{where} no ofrece AUTH en este puerto: el puerto de envío autenticado suele ser el 587.",
                     en=f"{where} offers no AUTH on this port: authenticated submission is usually port 587.")
        return t(es=f"El servidor no admite un método de autenticación que sepamos usar ({d}).",
                 en=f"The server offers no authentication method we can use ({d}).")


class LimitsCheck(Check):
    """`smtp.daily_limit` against `smtp.sent_today` (or a count handed over in the inputs)."""

    id = "email.limits"
    outcomes = ("ok", "near_limit", "exceeded")
    tags = ("email",)
    needs = ("smtp.daily_limit",)
    timeout_s = 2.0
    NEAR = 0.90  # ≥ 90 % of the limit: near_limit (warn); ≥ 100 %: exceeded (fail)

    async def run(self, ctx: CheckContext) -> Finding:
        limit = ctx.settings.smtp.daily_limit
        sent, source = ctx.settings.smtp.sent_today, "smtp.sent_today"
        if not limit or limit <= 0:
            return self.skipped(ctx, es="No hay límite diario configurado (smtp.daily_limit).",
                                en="No daily limit is configured (smtp.daily_limit).")
        if sent is None:
            return self.skipped(ctx,
                                es=f"Límite diario {limit}, pero no se sabe cuántos se enviaron hoy: indícalo en smtp.sent_today (o mira el panel del proveedor).",
                                en=f"Daily limit {limit}, but how many were sent today is unknown: set smtp.sent_today (or look at the provider's dashboard).",
                                evidence={"daily_limit": limit})
        share = sent / limit
        ev = {"daily_limit": limit, "sent_today": sent, "used": f"{share:.0%}", "source": source,
              "thresholds": ctx.t(es="cerca ≥ 90 %, superado ≥ 100 %", en="near ≥ 90 %, exceeded ≥ 100 %")}
        if share >= 1.0:
            return self.finding("fail", "exceeded", ctx.t(
                es=f"Límite de envío agotado: {sent} de {limit} hoy ({share:.0%}). El proveedor rechazará o retrasará los envíos hasta mañana o hasta ampliar el plan.",
                en=f"Sending limit used up: {sent} of {limit} today ({share:.0%}). The provider will reject or defer mail until tomorrow or a plan upgrade."), ev)
        if share >= self.NEAR:
            return self.finding("warn", "near_limit", ctx.t(
                es=f"Cerca del límite de envío: {sent} de {limit} hoy ({share:.0%}).",
                en=f"Close to the sending limit: {sent} of {limit} today ({share:.0%})."), ev)
        return self.finding("pass", "ok", ctx.t(
            es=f"Dentro del límite: {sent} de {limit} hoy ({share:.0%}).",
            en=f"Within the limit: {sent} of {limit} today ({share:.0%})."), ev)


CHECKS = [SmtpCheck(), LimitsCheck(), DomainCheck(), SpamCheck()]
