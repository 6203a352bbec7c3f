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

    def __init__(self, *, timeout_s: float = 15.0):
        self.timeout_s = timeout_s

    async def run(self, ctx: CheckContext) -> Finding:
        t = ctx.t
        m = ctx.settings.monitor
        recipients = [parseaddr(a)[1] for a in m.alert_to]
        ev: Evidence = {"alert_to": ", ".join(recipients) or t("check.monitor.none"),
                    "webhook": t("check.monitor.configured") if m.webhook_url else t("check.monitor.no")}
        if not recipients and m.webhook_url is None:
            return self.finding("warn", "not_configured", t("check.monitor.monitor_s_alerts_have"), ev)
        if recipients:
            problem = await self._envelope(ctx, recipients, ev)
            if problem is not None:
                return problem
        failed = await asyncio.to_thread(self._failed_deliveries, ctx, ev)
        if failed:
            return self.finding("fail", "delivery_failed", t("check.monitor.last_alert_did_not", failed=failed), ev)
        return self.finding("pass", "ok", t("check.monitor.alert_path_ready_nothing",
                                            where=self._where(ctx, recipients)), ev)

    @staticmethod
    def _where(ctx: CheckContext, recipients: list[str]) -> str:
        parts = []
        if recipients:
            parts.append(ctx.t("check.monitor.smtp_server_accepts_sender", n_recipients=len(recipients)))
        if ctx.settings.monitor.webhook_url is not None:
            parts.append(ctx.t("check.monitor.webhook_configured_not_tried"))
        return "; ".join(parts)

    async def _envelope(self, ctx: CheckContext, recipients: list[str], ev: Evidence) -> Finding | None:
        t, s = ctx.t, ctx.settings.smtp
        host, port, security = (s.host or "").strip(), int(s.port or 0), (s.security or "").lower()
        sender = parseaddr(s.from_addr or "")[1]
        if not host or not envelope_address(sender) or security not in ("starttls", "tls", "none"):
            return self.finding("fail", "misconfigured", t("check.monitor.alert_recipients_set_but"), ev)
        bad = [r for r in recipients if not envelope_address(r)]
        if bad:
            return self.finding("fail", "misconfigured", t("check.monitor.alert_address_cannot_go",
                                                           one_line=one_line(bad[0], 80)), ev)
        dial = host
        if security == "none":
            dest = await loopback.resolve(host, port)
            if not dest.loopback:
                return self.finding("fail", "misconfigured", t("check.monitor.smtp_security_none_only", host=host), ev)
            dial = dest.address
        ctx.step(t("check.monitor.smtp_envelope_alert_recipient", n_recipients=len(recipients)))
        probe = _EnvelopeToAll(dial, port, security, username=s.username, password=s.password, ca_file=s.ca_file,
                               sender=sender, recipient=recipients[0], more=recipients[1:],
                               phase_timeout_s=5.0, deadline_s=self.budget())
        r = await probe.run()
        ev["smtp"] = f"{host}:{port} ({security})"
        if r.tls:
            ev["tls"] = t("check.email.certificate_verified", tls=r.tls)
        ev["mail_sent"] = False
        if r.outcome != "ok":
            # the detail often repeats the reason's code ("535" + "535 5.7.8 …"): say it once
            said = r.detail if r.reason and r.detail.startswith(r.reason) else f"{r.reason} {r.detail}"
            return self.finding("fail", r.outcome, t("check.monitor.smtp_fails_at", phase=r.phase,
                                                     said=said).strip(), ev)
        if probe.refused:
            return self.finding("fail", "recipient_refused", t("check.monitor.server_refuses_alert_recipients",
                                                               refused='; '.join(probe.refused[:3])), ev)
        return None

    @staticmethod
    def _failed_deliveries(ctx: CheckContext, ev: Evidence) -> str:
        if ctx.history is None:
            return ""
        alerts = runquery.recent_alerts(ctx.history, limit=1)
        if not alerts:
            ev["last_alert"] = ctx.t("check.monitor.none_kept")
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
