"""The alert path (entry `alert-emails-missing`): where the monitor's alerts go, and whether they
can get there. Read-only: nothing is sent.

`monitor.alerts` checks that alerts have a destination (`monitor.alert_to` with the SMTP
settings, or `monitor.webhook_url`); probes the SMTP envelope to every alert recipient with the
SMTP check's probe and rules (verified TLS, credentials only over verified TLS, `MAIL FROM`, one
`RCPT TO` per recipient, `RSET`, never `DATA`); and reads the run history for the last alert
deliveries: an alert whose e-mail or webhook failed is reported with the reason. Sending one on
purpose is `copycar-assist monitor --test-alert`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from email.utils import parseaddr
from typing import Unpack

from copycar_assist.runs import runquery
from copycar_assist.textsafe import one_line

from . import loopback
from .base import Check, CheckContext, Evidence, Finding
from .smtpprobe import ProbeOptions, SmtpProbe, envelope_address


class _EnvelopeToAll(SmtpProbe):
    """The probe, with a `RCPT TO` for every further recipient before its `RSET`."""

    def __init__(self, host: str, port: int, security: str, *, recipient: str | None, more: list[str],
                 **kw: Unpack[ProbeOptions]):
        super().__init__(host, port, security, recipient=recipient, **kw)
        self.more = more
        self.refused: list[str] = []

    async def _after_envelope(self) -> None:
        for address in self.more:
            async def one(addr: str = address) -> str:
                reply = await self._command(f"RCPT TO:<{addr}>")
                if reply.code not in (250, 251):
                    self.refused.append(f"{addr}: {reply.short()}")
                return reply.short()
            await self._phase("rcpt", one)


class AlertPathCheck(Check):
    id = "monitor.alerts"
    outcomes = ("ok", "not_configured", "delivery_failed", "connect_failed", "no_starttls", "tls_failed",
                "auth_failed", "misconfigured", "temporary_refusal", "client_refused", "sender_refused",
                "relay_denied", "recipient_refused")
    tags = ("monitor", "email")
    needs = ()

    def __init__(self, *, timeout_s: float = 15.0):
        self.timeout_s = timeout_s

    async def run(self, ctx: CheckContext) -> Finding:
        t = ctx.t
        m = ctx.settings.monitor
        recipients = [parseaddr(a)[1] for a in m.alert_to]
        ev: Evidence = {"alert_to": ", ".join(recipients) or t(es="(ninguno)", en="(none)"),
                    "webhook": t(es="configurado", en="configured") if m.webhook_url else t(es="no", en="no")}
        if not recipients and m.webhook_url is None:
            return self.finding("warn", "not_configured", t(
                es="Las alertas del monitor no tienen destino: solo se ven en pantalla. Configura monitor.alert_to "
                   "(con smtp.host y smtp.from) o monitor.webhook_url y envía una de prueba con "
                   "`copycar-assist monitor --test-alert`.",
                en="The monitor's alerts have no destination: they only show on screen. Set monitor.alert_to "
                   "(with smtp.host and smtp.from) or monitor.webhook_url, and send a test one with "
                   "`copycar-assist monitor --test-alert`."), ev)
        if recipients:
            problem = await self._envelope(ctx, recipients, ev)
            if problem is not None:
                return problem
        failed = await asyncio.to_thread(self._failed_deliveries, ctx, ev)
        if failed:
            return self.finding("fail", "delivery_failed", t(
                es=f"La última alerta no llegó a su destino: {failed}. Revisa el canal y prueba con "
                   "`copycar-assist monitor --test-alert`.",
                en=f"The last alert did not reach its destination: {failed}. Check that channel and try "
                   "`copycar-assist monitor --test-alert`."), ev)
        return self.finding("pass", "ok", t(
            es=f"El camino de las alertas está listo: {self._where(ctx, recipients)}. No se envió nada.",
            en=f"The alert path is ready: {self._where(ctx, recipients)}. Nothing was sent."), ev)

    @staticmethod
    def _where(ctx: CheckContext, recipients: list[str]) -> str:
        parts = []
        if recipients:
            parts.append(ctx.t(es=f"el servidor SMTP acepta el remitente y {len(recipients)} destinatario(s) "
                                  "(solo el sobre)",
                               en=f"the SMTP server accepts the sender and {len(recipients)} recipient(s) "
                                  "(envelope only)"))
        if ctx.settings.monitor.webhook_url is not None:
            parts.append(ctx.t(es="webhook configurado (no se prueba: sería enviar)",
                               en="webhook configured (not tried: that would send)"))
        return "; ".join(parts)

    async def _envelope(self, ctx: CheckContext, recipients: list[str], ev: Evidence) -> Finding | None:
        t, s = ctx.t, ctx.settings.smtp
        host, port, security = (s.host or "").strip(), int(s.port or 0), (s.security or "").lower()
        sender = parseaddr(s.from_addr or "")[1]
        if not host or not envelope_address(sender) or security not in ("starttls", "tls", "none"):
            return self.finding("fail", "misconfigured", t(
                es="Hay destinatarios de alertas pero falta la configuración SMTP (smtp.host, smtp.from, "
                   "smtp.security): las alertas por correo no pueden salir.",
                en="Alert recipients are set but the SMTP settings are missing (smtp.host, smtp.from, "
                   "smtp.security): alert e-mails cannot go out."), ev)
        bad = [r for r in recipients if not envelope_address(r)]
        if bad:
            return self.finding("fail", "misconfigured", t(
                es=f"Dirección de alerta que no se puede usar en el sobre SMTP: {one_line(bad[0], 80)}.",
                en=f"An alert address that cannot go into the SMTP envelope: {one_line(bad[0], 80)}."), ev)
        dial = host
        if security == "none":
            dest = await loopback.resolve(host, port)
            if not dest.loopback:
                return self.finding("fail", "misconfigured", t(
                    es=f"smtp.security = \"none\" solo se admite hacia esta máquina y {host} no es loopback.",
                    en=f"smtp.security = \"none\" is only allowed to this machine and {host} is not loopback."), ev)
            dial = dest.address
        ctx.step(t(es=f"Sobre SMTP hacia {len(recipients)} destinatario(s) de alertas…",
                   en=f"SMTP envelope to {len(recipients)} alert recipient(s)…"))
        probe = _EnvelopeToAll(dial, port, security, username=s.username, password=s.password, ca_file=s.ca_file,
                               sender=sender, recipient=recipients[0], more=recipients[1:],
                               phase_timeout_s=5.0, deadline_s=self.budget())
        r = await probe.run()
        ev["smtp"] = f"{host}:{port} ({security})"
        if r.tls:
            ev["tls"] = t(es=f"{r.tls}, certificado verificado", en=f"{r.tls}, certificate verified")
        ev["mail_sent"] = False
        if r.outcome != "ok":
            # the detail often repeats the reason's code ("535" + "535 5.7.8 …"): say it once
            said = r.detail if r.reason and r.detail.startswith(r.reason) else f"{r.reason} {r.detail}"
            return self.finding("fail", r.outcome, t(
                es=f"El servidor SMTP de las alertas falla en «{r.phase}»: {said}".strip(),
                en=f"The alerts' SMTP server fails at '{r.phase}': {said}".strip()), ev)
        if probe.refused:
            return self.finding("fail", "recipient_refused", t(
                es=f"El servidor rechaza destinatarios de alertas: {'; '.join(probe.refused[:3])}.",
                en=f"The server refuses alert recipients: {'; '.join(probe.refused[:3])}."), ev)
        return None

    @staticmethod
    def _failed_deliveries(ctx: CheckContext, ev: Evidence) -> str:
        if ctx.history is None:
            return ""
        alerts = runquery.recent_alerts(ctx.history, limit=1)
        if not alerts:
            ev["last_alert"] = ctx.t(es="ninguna guardada", en="none kept")
            return ""
        a = alerts[0]
        when = datetime.fromtimestamp(float(a["at"])).strftime("%Y-%m-%d %H:%M")
        states = {k: v for k, v in (a.get("delivery") or {}).items() if isinstance(v, dict)}
        ev["last_alert"] = f"{a['type']} {a['state']} {when}: " + (
            ", ".join(f"{k} {v.get('state')}" for k, v in states.items()) or "-")
        failed = [f"{k} ({one_line(str(v.get('detail', '')), 120)})" for k, v in states.items()
                  if v.get("state") == "failed"]
        return f"{a['type']} {when}: " + "; ".join(failed) if failed else ""


CHECKS = [AlertPathCheck()]
