"""A ticket by e-mail through the agent's configured SMTP: the one place that sends `DATA`.

The session is the SMTP probe's (`checks/smtpprobe.py`), so the same rules hold: TLS always
verifies the certificate and the host name and fails closed; credentials go only over verified
TLS (or to a loopback address with `security = "none"`, decided by `checks/loopback.py` and then
dialled by the address that was checked); every phase has a timeout inside one deadline; the
server's replies are capped and cleaned. After `RCPT TO` the sender says `DATA`, sends the
message (dot-stuffed, CRLF) and takes `250` as the acknowledgement.

The message: `From` smtp.from, `To` helpdesk.email_to, the subject line of the ticket, the
Markdown ticket as the text body and the JSON document attached (`ticket.json`). Its
`Message-ID` is made from the delivery's idempotency key (a later revision of the case replies
to the first message: `In-Reply-To`), so a help desk that receives a retry
of a message whose first try ended in doubt (the connection dropped after the final dot) sees
the same message again and drops it.
"""

from __future__ import annotations

import json
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, parseaddr
from typing import Any, Unpack

from copycar_assist.checks import loopback
from copycar_assist.checks.smtpprobe import ProbeOptions, SmtpProbe, _Stop
from copycar_assist.files.msg import Msg
from copycar_assist.redact import Scrub, scrub_obj
from copycar_assist.textsafe import one_line

from ..ticket_json import subject
from . import Outcome, SendContext

MAX_MESSAGE = 10 * 1024 * 1024


def message(doc: dict[str, Any], key: str, sender: str, recipient: str, scrub: Scrub,
            replying_to: str | None = None) -> bytes:
    """The ticket as an e-mail: its Markdown as the text, its JSON document attached; every string
    of it through `scrub` (the writers' one scrub)."""
    doc = scrub_obj(doc, scrub)
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = subject(doc)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = f"<{key}@copycar-assist.invalid>"
    msg["X-CopyCar-Case"] = str(doc.get("case_id"))
    msg["X-CopyCar-Idempotency-Key"] = key
    if replying_to:  # a later revision of the case: threaded under the first message
        msg["In-Reply-To"] = msg["References"] = replying_to
    msg.set_content(doc.get("markdown") or "")
    body = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True)
    msg.add_attachment(body.encode("utf-8"), maintype="application", subtype="json", filename="ticket.json")
    return bytes(msg)


class _Sender(SmtpProbe):
    """The probe's session with `DATA` after a accepted `RCPT TO`."""

    def __init__(self, host: str, port: int, security: str, *, recipient: str | None, data: bytes,
                 **kw: Unpack[ProbeOptions]):
        super().__init__(host, port, security, recipient=recipient, **kw)
        self.data = data
        self.sent = False  # 250 after the final dot
        self.doubt = False  # the final dot went out, no answer came
        self._hold_quit = False

    async def _exchange(self) -> None:
        if not (self.sender and self.recipient):
            raise _Stop("misconfigured", "envelope", "the sender or the help desk address cannot be used on the wire")
        self._hold_quit = True  # the probe's exchange ends with RSET and QUIT: DATA comes first
        try:
            await super()._exchange()
        finally:
            self._hold_quit = False
        await self._phase("data", self._data)
        await self._phase("data_end", self._data_end)
        await self._farewell()

    async def _data(self) -> str:
        reply = await self._command("DATA")
        if reply.code != 354:
            raise _Stop("temporary_refusal" if reply.temporary else "sender_refused", "data", reply.short(),
                        polite=True)
        return reply.short()

    async def _data_end(self) -> str:
        assert self._writer is not None
        lines = self.data.split(b"\r\n")
        stuffed = b"\r\n".join(b"." + ln if ln.startswith(b".") else ln for ln in lines)
        self._writer.write(stuffed.rstrip(b"\r\n") + b"\r\n.\r\n")
        await self._writer.drain()
        self.doubt = True
        reply = await self._read_reply()
        self.doubt = False
        if reply.code != 250:
            raise _Stop("temporary_refusal" if reply.temporary else "sender_refused", "data_end", reply.short(),
                        polite=True)
        self.sent = True
        self._in_transaction = False
        return reply.short()

    async def _farewell(self) -> None:
        if not self._hold_quit:
            await super()._farewell()


async def deliver(ctx: SendContext, doc: dict[str, Any], key: str, previous: dict[str, Any]) -> Outcome:
    s, h = ctx.settings.smtp, ctx.settings.helpdesk
    sender = parseaddr(s.from_addr or "")[1]
    recipient = parseaddr(h.email_to or "")[1]
    security = (s.security or "starttls").lower()
    dial = s.host or ""
    if security == "none":  # no TLS: only to this machine, by the one rule, to the address checked
        dest = await loopback.resolve(dial, int(s.port))
        if not dest.loopback:
            return Outcome(False, Msg.of("cli.tickets.delivery.plain_not_loopback", host=one_line(dial, 80)), permanent=True)
        dial = dest.address
    data = message(doc, key, s.from_addr or sender, h.email_to or recipient, ctx.scrub,
                   (previous.get("remote") or {}).get("id"))
    if len(data) > MAX_MESSAGE:
        return Outcome(False, Msg.of("cli.tickets.delivery.too_large"), permanent=True)
    probe = _Sender(dial, int(s.port), security, username=s.username, password=s.password, ca_file=s.ca_file,
                    sender=sender, recipient=recipient, phase_timeout_s=min(10.0, ctx.deadline_s),
                    deadline_s=ctx.deadline_s, data=data)
    r = await probe.run()
    if probe.sent:
        return Outcome(True, "250 accepted", remote={"id": f"<{key}@copycar-assist.invalid>"})
    what = f"{r.outcome} ({r.reason})" + (f" — {r.detail}" if r.detail else "")
    permanent = r.outcome in ("misconfigured", "auth_failed", "sender_refused", "relay_denied",
                              "recipient_refused", "client_refused", "no_starttls", "tls_failed")
    return Outcome(False, one_line(what, 300), permanent=permanent and not probe.doubt, unknown=probe.doubt)
