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

from copycar_assist import i18n
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
        return i18n.t("check.email.ca_file_no_pem", lang, file=one_line(ca_file, 200))
    return None


# Well-known ports and the security each one expects.
_IMPLICIT_TLS_PORTS = {465}
_STARTTLS_PORTS = {25, 587}


class SmtpCheck(Check):
    id = "email.smtp"
    outcomes = ("ok", "connect_failed", "no_starttls", "tls_failed", "auth_failed", "misconfigured",
                "temporary_refusal", "client_refused", "sender_refused", "relay_denied", "recipient_refused")
    tags = ("email",)

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
        ctx.step(ctx.t("check.email.connecting", host=host, port=port))
        probe = SmtpProbe(dial, port, security, username=s.username, password=s.password,
                          ca_file=s.ca_file, sender=sender, recipient=recipient,
                          phase_timeout_s=self.phase_timeout_s, deadline_s=self.budget())
        r = await probe.run()
        for ph in r.phases:
            state = "ok" if ph.ok else ctx.t("check.email.failed")
            ev[f"{ph.name}"] = f"{state} · {ph.ms} ms" + (f" · {ph.detail}" if ph.detail else "")
        if r.tls:
            ev["tls"] = ctx.t("check.email.certificate_verified", tls=r.tls)
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
            ev["test_recipient_note"] = ctx.t("check.email.sender_smtp_test_recipient")
        if not (envelope_address(sender) and envelope_address(recipient)):
            ev["envelope"] = ctx.t("check.email.not_tested_address_not")
            return None, None
        return sender, recipient

    def _static_problem(self, ctx: CheckContext, host: str, port: int, security: str) -> str | None:
        if not host:
            return ctx.t("check.email.smtp_host_not_set")
        if security not in ("starttls", "tls", "none"):
            return ctx.t("check.email.smtp_security_must_starttls")
        if port in _IMPLICIT_TLS_PORTS and security != "tls":
            return ctx.t("check.email.port_expects_implicit_tls", port=port)
        if port in _STARTTLS_PORTS and security == "tls":
            return ctx.t("check.email.port_speaks_plain_smtp", port=port)
        return None

    @staticmethod
    def _not_loopback(ctx: CheckContext, host: str, dest: Destination) -> str:
        shown = ", ".join(dest.addresses[:4]) or ctx.t("check.no_address")
        return ctx.t("check.email.smtp_security_none_only", host=host, shown=shown)

    # --- after the exchange --------------------------------------------------------------------

    def _success(self, ctx: CheckContext, r: ProbeResult, ev: Evidence, host: str, port: int, security: str) -> Finding:
        s = ctx.settings.smtp
        problems: list[str] = []
        if bool(s.username) != bool(s.password):
            problems.append(ctx.t("check.email.only_one_smtp_username"))
        sender = parseaddr(s.from_addr or "")[1]
        if not sender or "@" not in sender:
            problems.append(ctx.t("check.email.smtp_missing_not_address"))
        else:
            ev["from"] = sender
            domain = (ctx.settings.email.domain or "").lower()
            if domain and not sender.lower().endswith("@" + domain) and not sender.lower().endswith("." + domain):
                ev["from_domain_note"] = ctx.t("check.email.sender_not_spf_dmarc", domain=domain)
        if problems:
            return self.finding("fail", "misconfigured", " ".join(problems), ev)

        if r.auth_result == "accepted":
            auth = ctx.t("check.email.credentials_accepted")
        elif s.username and s.password:
            auth = ctx.t("check.email.auth_not_tested")
        else:
            auth = ctx.t("check.email.no_credentials_configured_auth")
        if r.rcpt_result == "accepted":
            auth += ctx.t("check.email.sender_recipient_accepted_envelope", sender=r.sender, recipient=r.recipient)
        else:
            auth += ctx.t("check.email.envelope_sender_recipient_not")
        if security == "none":
            ev["warning"] = ctx.t("check.email.no_encryption_only_acceptable")
            return self.finding("warn", "misconfigured", ctx.t("check.email.warning_unencrypted_smtp_security",
                                                               host=host, port=port, auth=auth), ev)
        return self.finding("pass", "ok", ctx.t("check.email.smtp_server_answers_tls", host=host, port=port, tls=r.tls,
                                                auth=auth), ev)

    def _failure_text(self, ctx: CheckContext, r: ProbeResult, host: str, port: int, security: str) -> str:
        d, t = r.detail, ctx.t
        where = f"{host}:{port}"
        if r.outcome == "connect_failed":
            if r.reason == "dns":
                return t("check.email.name_does_not_resolve", host=host)
            if r.reason == "refused":
                return t("check.email.refuses_connection_wrong_port", where=where)
            if r.reason in ("timeout", "deadline") and d == "connect":
                return t("check.email.does_not_answer_no", where=where)
            if r.reason in ("timeout", "deadline") and d in ("banner", "tls"):
                return t("check.email.accepts_connection_but_sends", where=where)
            if r.reason in ("timeout", "deadline"):
                return t("check.email.stopped_answering_during", where=where, d=d)
            if r.reason == "ehlo_rejected":
                return t("check.email.server_does_not_understand", d=d)
            if r.reason in ("line_too_long", "reply_too_long", "protocol"):
                return t("check.email.does_not_answer_like", where=where, d=d, max_line=MAX_LINE,
                         max_reply_lines=MAX_REPLY_LINES)
            return t("check.email.connection_failed", where=where, d=d)
        if r.outcome == "temporary_refusal":
            what = {"greeting": t("check.email.greeting"), "ehlo": t("check.email.ehlo"),
                    "starttls_refused": t("check.email.starttls"), "mail": t("check.email.sender"),
                    "rcpt": t("check.email.recipient")}.get(r.reason, t("check.email.login"))
            return t("check.email.refuses_temporarily_4xx_means", where=where, what=what, d=d)
        if r.outcome == "client_refused":
            return t("check.email.refuses_client_permanently_5xx", where=where, d=d)
        if r.outcome == "sender_refused":
            return t("check.email.server_refuses_sender_no", sender=r.sender, d=d)
        if r.outcome == "relay_denied":
            if r.auth_result == "accepted":
                return t("check.email.logged_but_server_does", recipient=r.recipient, d=d)
            return t("check.email.without_login_server_does", recipient=r.recipient, d=d)
        if r.outcome == "recipient_refused":
            return t("check.email.server_refuses_recipient_address", recipient=r.recipient, d=d)
        if r.outcome == "no_starttls":
            return t("check.email.does_not_offer_starttls", where=where)
        if r.outcome == "tls_failed":
            if r.reason == "verify":
                return t("check.email.tls_certificate_not_trusted", where=where, d=d)
            if r.reason == "starttls_refused":
                return t("check.email.server_advertises_starttls_but", d=d)
            return t("check.email.tls_handshake_failed_no", where=where, d=d)
        if r.outcome == "auth_failed":
            return t("check.email.server_rejected_user_name", d=d)
        # misconfigured found during the exchange
        if r.reason == "tls_on_plain_port":
            return t("check.email.speaks_plain_smtp_not", where=where)
        if r.reason == "auth_required":
            return t("check.email.server_requires_login_before", d=d)
        if r.reason == "no_auth_offered":
            return t("check.email.offers_no_auth_port", where=where)
        return t("check.email.server_offers_no_authentication", d=d)


class LimitsCheck(Check):
    """`smtp.daily_limit` against `smtp.sent_today` (or a count handed over in the inputs)."""

    id = "email.limits"
    outcomes = ("ok", "near_limit", "exceeded")
    tags = ("email",)
    timeout_s = 2.0
    NEAR = 0.90  # ≥ 90 % of the limit: near_limit (warn); ≥ 100 %: exceeded (fail)

    async def run(self, ctx: CheckContext) -> Finding:
        limit = ctx.settings.smtp.daily_limit
        sent, source = ctx.settings.smtp.sent_today, "smtp.sent_today"
        if not limit or limit <= 0:
            return self.skipped(ctx, "check.email.no_daily_limit_configured")
        if sent is None:
            return self.skipped(ctx, "check.email.daily_limit_but_how", {"daily_limit": limit}, limit=limit)
        share = sent / limit
        ev = {"daily_limit": limit, "sent_today": sent, "used": f"{share:.0%}", "source": source,
              "thresholds": ctx.t("check.email.near_90_exceeded_100")}
        if share >= 1.0:
            return self.finding("fail", "exceeded", ctx.t("check.email.sending_limit_used_up", sent=sent, limit=limit,
                                                          share=share), ev)
        if share >= self.NEAR:
            return self.finding("warn", "near_limit", ctx.t("check.email.close_sending_limit_today", sent=sent,
                                                            limit=limit, share=share), ev)
        return self.finding("pass", "ok", ctx.t("check.email.within_limit_today", sent=sent, limit=limit,
                                                share=share), ev)


CHECKS = [SmtpCheck(), LimitsCheck(), DomainCheck(), SpamCheck()]
