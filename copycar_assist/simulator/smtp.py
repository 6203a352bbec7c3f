"""The demo world's mail server: aiosmtpd on 127.0.0.1 for the demo domain, with fault scenarios.

Healthy, it greets, offers STARTTLS with a certificate from the demo CA (which the SMTP check
trusts in demo mode only, through `smtp.ca_file`), takes the demo login over TLS, accepts the
envelope the check probes (MAIL FROM, RCPT TO, then RSET) and refuses DATA, so no mail can
exist. Each scenario changes one thing, the way real servers answer:

- smtp-no-starttls        no STARTTLS on offer: credentials would travel in clear
- smtp-bad-login          535 5.7.8 to the demo credentials (a changed or app-specific password)
- smtp-daily-limit        the day's quota is used up: the counters say so (smtp.daily_limit,
                          smtp.sent_today) and DATA would get 550 5.4.5
- smtp-silent             accepts the connection and never says a word
- smtp-busy               421 4.7.0 at the greeting: too many connections, try again later
- smtp-blocklisted        554 5.7.1 at the greeting: the client's address is on a blocklist
- smtp-sender-refused     553 5.7.1 to MAIL FROM: the login may not send as that address
- smtp-relay-denied       554 5.7.1 to RCPT TO outside the demo domain: relaying refused
- smtp-unknown-recipient  550 5.1.1 to RCPT TO: no such mailbox

The server runs on the world's loop (`loop.py`) on a socket the world bound beforehand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ssl

    from aiosmtpd.smtp import SMTP, Envelope, LoginPassword, Session

DOMAIN = "copycar-demo.test"
USER = f"demo@{DOMAIN}"
PASSWORD = "demo-smtp-7c0pyc4r-pa55"
FROM = f"alertas@{DOMAIN}"
TEST_RECIPIENT = "buzon@cliente-demo.test"  # another domain: the probe tests relaying too
DAILY_LIMIT = 2000
SENT_TODAY = 312
HOSTNAME = f"mail.{DOMAIN}"

SMTP_SCENARIOS: tuple[str, ...] = (  # the names this service acts on (what each means: catalogue.py)
    "smtp-no-starttls",
    "smtp-bad-login",
    "smtp-daily-limit",
    "smtp-silent",
    "smtp-busy",
    "smtp-blocklisted",
    "smtp-sender-refused",
    "smtp-relay-denied",
    "smtp-unknown-recipient",
)

GREETINGS = {
    "smtp-busy": "421 4.7.0 mail.copycar-demo.test Too many connections from your address, try again later",
    "smtp-blocklisted": "554 5.7.1 Service unavailable; client host [127.0.0.1] blocked using bl.spam-demo.test",
}


def settings_for(scenario: str | None) -> dict[str, Any]:
    """The smtp.* settings the demo points at this server (host and port come from the world)."""
    sent = DAILY_LIMIT if scenario == "smtp-daily-limit" else SENT_TODAY
    return {"smtp.security": "starttls", "smtp.username": USER, "smtp.from": FROM,
            "smtp.test_recipient": TEST_RECIPIENT, "smtp.daily_limit": DAILY_LIMIT, "smtp.sent_today": sent}


class _Policy:
    """aiosmtpd handler: the envelope answers of a scenario. DATA is always refused."""

    def __init__(self, scenario: str | None):
        self.scenario = scenario

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          mail_options: list[str]) -> str:
        if self.scenario == "smtp-sender-refused":
            return f"553 5.7.1 <{address}>: Sender address rejected: not owned by user {USER}"
        envelope.mail_from = address
        return "250 2.1.0 Ok"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        domain = address.rpartition("@")[2].lower()
        if self.scenario == "smtp-relay-denied" and domain != DOMAIN:
            return f"554 5.7.1 <{address}>: Relay access denied"
        if self.scenario == "smtp-unknown-recipient":
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown in virtual mailbox table"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.scenario == "smtp-daily-limit":
            return "550 5.4.5 Daily user sending quota exceeded"
        return "554 5.6.0 the demo server never takes mail"


class SmtpService:
    """The demo SMTP server on `sock` (bound, not yet listening) for one scenario (None: healthy)."""

    name = "smtp"

    def __init__(self, sock: socket.socket, scenario: str | None, tls: ssl.SSLContext | None):
        self.sock, self.scenario, self.tls = sock, scenario, tls
        self.port = sock.getsockname()[1]
        self._server: asyncio.AbstractServer | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self.sock.listen(64)
        self.sock.setblocking(False)
        if self.scenario == "smtp-silent":
            self._server = await asyncio.start_server(self._silent, sock=self.sock)
            return
        from aiosmtpd.smtp import AuthResult

        from .smtpgreet import greeting_smtp

        # aiosmtpd logs each session at INFO and a deprecation line at WARNING on every login: on
        # the app's screen (Python's last-resort handler writes WARNING to stderr) that is noise
        logging.getLogger("mail.log").setLevel(logging.ERROR)

        scenario, greeting = self.scenario, GREETINGS.get(self.scenario or "")

        def authenticator(server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                          auth_data: LoginPassword) -> AuthResult:
            login = auth_data.login.decode() if isinstance(auth_data.login, bytes) else str(auth_data.login)
            password = auth_data.password.decode() if isinstance(auth_data.password, bytes) else str(auth_data.password)
            ok = scenario != "smtp-bad-login" and (login, password) == (USER, PASSWORD)
            return AuthResult(success=ok, handled=False)

        DemoSMTP = greeting_smtp(greeting)

        loop = asyncio.get_running_loop()
        starttls = None if scenario == "smtp-no-starttls" else self.tls
        policy = _Policy(scenario)
        self._server = await loop.create_server(
            lambda: DemoSMTP(policy, hostname=HOSTNAME, ident="copycar-assist demo ESMTP", tls_context=starttls,
                             authenticator=authenticator, auth_require_tls=True, loop=loop),
            sock=self.sock)

    async def _silent(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        with contextlib.suppress(Exception):
            while await reader.read(4096):
                pass

    async def stop(self) -> None:
        for w in self._writers:
            w.transport.abort()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1):
                    await self._server.wait_closed()
        self.sock.close()
