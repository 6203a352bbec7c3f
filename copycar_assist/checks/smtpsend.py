"""Sending one message (an alert) over SMTP with every rule of the probe (`smtpprobe.py`).

`SmtpSend` is the probe with one more step after the envelope: further recipients, then `DATA`
and the message. Everything before it is the probe's: per-phase timeouts and a deadline, TLS
that verifies the certificate and the name and fails closed, credentials only over verified TLS
(or to a loopback address with `security = "none"`, which the caller resolves and checks with
`loopback.py`), replies cleaned and capped, `QUIT` at the end. `send_message()` is the one entry
point: it applies the caller's part of the rules (static settings, the CA file, loopback) the
way `email.smtp` does and returns a `SendResult`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import parseaddr
from typing import TYPE_CHECKING, Unpack

from . import loopback
from .smtpprobe import ProbeOptions, ProbeResult, SmtpProbe, _refusal, _Stop, envelope_address, tls_context

if TYPE_CHECKING:
    from copycar_assist.config import SmtpSettings


class SmtpSend(SmtpProbe):
    def __init__(self, host: str, port: int, security: str, *, recipients: list[str], message: bytes,
                 **kw: Unpack[ProbeOptions]):
        good = [r for r in recipients if envelope_address(r)]
        super().__init__(host, port, security, recipient=good[0] if good else None, **kw)
        self.more = good[1:]
        self.message = message
        self.sent = False
        self.accepted: list[str] = []

    async def _after_envelope(self) -> None:
        self.accepted.append(self.recipient or "")
        for address in self.more:
            async def one(addr: str = address) -> str:
                reply = await self._command(f"RCPT TO:<{addr}>")
                if reply.code in (250, 251):
                    self.accepted.append(addr)
                return reply.short()
            await self._phase("rcpt", one)
        await self._phase("data", self._data)

    async def _data(self) -> str:
        reply = await self._command("DATA")
        if reply.code != 354:
            raise _refusal(reply, "client_refused", "data")
        assert self._writer is not None
        lines = self.message.replace(b"\r\n", b"\n").split(b"\n")
        body = b"\r\n".join(b"." + line if line.startswith(b".") else line for line in lines)
        self._writer.write(body + b"\r\n.\r\n")
        await self._writer.drain()
        reply = await self._read_reply()
        if reply.code != 250:
            raise _refusal(reply, "client_refused", "data")
        self._in_transaction = False
        self.sent = True
        return reply.short()


@dataclass
class SendResult:
    sent: bool
    outcome: str  # ok, or one of email.smtp's outcomes
    reason: str = ""
    detail: str = ""
    accepted: tuple[str, ...] = ()
    probe: ProbeResult | None = None

    def text(self) -> str:
        if self.sent:
            return "sent to " + ", ".join(self.accepted)
        return f"{self.outcome}: {self.reason}" + (f" ({self.detail})" if self.detail else "")


def build_message(sender: str, recipients: list[str], subject: str, body: str) -> bytes:
    from email.utils import formatdate, make_msgid

    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain="copycar-assist.invalid")
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to alerts
    msg.set_content(body)
    return msg.as_bytes(policy=SMTP_POLICY)


async def send_message(smtp: SmtpSettings, recipients: list[str], subject: str, body: str, *,
                       phase_timeout_s: float = 5.0, deadline_s: float = 15.0) -> SendResult:
    """Send one message with the settings' SMTP (`settings.smtp`). Never raises for the network."""
    host, port, security = (smtp.host or "").strip(), int(smtp.port or 0), (smtp.security or "").lower()
    sender = parseaddr(smtp.from_addr or "")[1]
    if not host or security not in ("starttls", "tls", "none"):
        return SendResult(False, "misconfigured", "no_server" if not host else "security")
    if not envelope_address(sender):
        return SendResult(False, "misconfigured", "sender", sender)
    good = [parseaddr(r)[1] for r in recipients if envelope_address(parseaddr(r)[1])]
    if not good:
        return SendResult(False, "misconfigured", "no_recipient")
    if smtp.ca_file:
        try:
            await asyncio.to_thread(tls_context, smtp.ca_file)
        except Exception as exc:  # an unreadable or empty CA file: nothing is sent
            return SendResult(False, "misconfigured", "ca_file", type(exc).__name__)
    dial = host
    if security == "none":  # no TLS: only to this machine, by the one rule, and to the address checked
        dest = await loopback.resolve(host, port)
        if not dest.loopback:
            return SendResult(False, "misconfigured", "not_loopback", ", ".join(dest.addresses[:4]))
        dial = dest.address
    message = build_message(sender, good, subject, body)
    sender_probe = SmtpSend(dial, port, security, recipients=good, message=message, username=smtp.username,
                            password=smtp.password, ca_file=smtp.ca_file, sender=sender,
                            phase_timeout_s=phase_timeout_s, deadline_s=deadline_s)
    try:
        r = await sender_probe.run()
    except _Stop as stop:  # pragma: no cover - run() turns every stop into a result
        return SendResult(False, stop.outcome, stop.reason, stop.detail)
    if sender_probe.sent:
        return SendResult(True, "ok", accepted=tuple(sender_probe.accepted), probe=r)
    if r.outcome == "ok":  # the exchange ended without DATA (for example no AUTH where it was needed)
        return SendResult(False, "misconfigured", "not_sent", probe=r)
    return SendResult(False, r.outcome, r.reason, r.detail, probe=r)
