"""A mail server that takes mail (aiosmtpd, STARTTLS with a trustme CA, AUTH) for the alert
tests, and the monitor's settings pointed at the simulator. Import what you use:
"""

from __future__ import annotations

import asyncio
import email
from dataclasses import dataclass, field
from email.policy import default as default_policy

import pytest

from copycar_assist.config import Settings
from copycar_assist.redact import Secret

from fixtures_integrations import CANARY_SMTP, SMTP_USER


@dataclass
class Mailbox:
    port: int
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    tls_sessions: int = 0
    server: asyncio.AbstractServer | None = None

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]


async def start_mailbox(tls) -> Mailbox:
    from aiosmtpd.smtp import SMTP, AuthResult

    box = Mailbox(0)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            box.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            box.messages.append(email.message_from_bytes(envelope.original_content or envelope.content,
                                                         policy=default_policy))
            if session.ssl:
                box.tls_sessions += 1
            return "250 2.0.0 Ok: queued"

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login, auth_data.password) in ((SMTP_USER.encode(), CANARY_SMTP.encode()),
                                                        (SMTP_USER, CANARY_SMTP))
        return AuthResult(success=ok, handled=False)

    loop = asyncio.get_running_loop()
    box.server = await loop.create_server(
        lambda: SMTP(Handler(), hostname="mail.test.local", tls_context=tls, require_starttls=True,
                     authenticator=authenticator, auth_require_tls=True, loop=loop),
        "127.0.0.1", 0)
    box.port = box.server.sockets[0].getsockname()[1]
    return box


@pytest.fixture
async def mailbox(certs):
    box = await start_mailbox(certs.good)
    yield box
    box.server.close()


def monitor_settings(sim, *, key: bool = True, box: Mailbox | None = None, ca_file: str | None = None,
                     recipients: tuple[str, ...] = ("oncall@example.test", "ops@example.test")) -> Settings:
    from copycar_assist.simulator.demo import use_demo

    s = Settings()
    use_demo(s, sim)
    if not key:
        s.api.key = None
    s.api.timeout_s = 5.0
    if box is not None:
        s.smtp.host, s.smtp.port, s.smtp.security = "localhost", box.port, "starttls"
        s.smtp.username, s.smtp.password = SMTP_USER, Secret(CANARY_SMTP)
        s.smtp.from_addr, s.smtp.ca_file = SMTP_USER, ca_file
        s.monitor.alert_to = list(recipients)
    return s
