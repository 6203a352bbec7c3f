"""Real servers on loopback for the integration checks: aiosmtpd (plain, STARTTLS, implicit TLS,
untrusted certificate, 535), silent TCP servers and redis-server processes (the DNS server is in
`fixtures_dns.py`). conftest.py registers this module: tests take its fixtures by name.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field

import httpx
import pytest
import trustme

from copycar_assist.checks.base import CheckContext, Inputs
from copycar_assist.checks.http_client import SharedClient
from copycar_assist.config import Settings
from copycar_assist.redact import Secret

from shipped import knowledge

CANARY_SMTP = "canary-smtp-pass-7f3a9c"
CANARY_CRM = "canary-crm-token-51d0e2b8"
CANARY_REDIS = "canary-redis-pass-c0ffee42"
SMTP_USER = "alerts@example.test"





def make_ctx(settings: Settings, client: httpx.AsyncClient, *, lang: str = "en",
             inputs: Inputs | None = None) -> CheckContext:
    return CheckContext(settings=settings, kb=knowledge(), http=SharedClient.of(client), redactor=settings.redactor(),
                        lang=lang, inputs=inputs or Inputs())


@pytest.fixture
async def http_client():
    from copycar_assist.checks.http import make_client

    async with make_client() as client:
        yield client


# --- TLS material --------------------------------------------------------------------------------


@dataclass
class Certs:
    ca_file: str  # the CA the checks are told to trust
    good: ssl.SSLContext  # server context: cert for localhost/127.0.0.1 from the trusted CA
    untrusted: ssl.SSLContext  # server context: cert from a CA nobody trusts
    wrong_name: ssl.SSLContext  # trusted CA, but the cert is for another name


def _server_ctx(cert) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    return ctx


@pytest.fixture(scope="session")
def certs(tmp_path_factory) -> Certs:
    ca, rogue = trustme.CA(), trustme.CA()
    path = tmp_path_factory.mktemp("tls") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return Certs(str(path), _server_ctx(ca.issue_cert("localhost", "127.0.0.1")),
                 _server_ctx(rogue.issue_cert("localhost", "127.0.0.1")),
                 _server_ctx(ca.issue_cert("mail.other.test")))


# --- SMTP ----------------------------------------------------------------------------------------


@dataclass
class SmtpServer:
    port: int
    received: list[tuple[bool, bytes]] = field(default_factory=list)  # (inside TLS?, bytes)
    auth_attempts: list[tuple[str, str]] = field(default_factory=list)  # (mechanism, login)
    envelope: list[tuple[str, str]] = field(default_factory=list)  # ("MAIL"|"RCPT"|"DATA", address)
    messages: list[bytes] = field(default_factory=list)  # what DATA carried, with take_mail=True
    server: asyncio.AbstractServer | None = None

    def cleartext(self) -> bytes:
        return b"".join(data for tls, data in self.received if not tls)

    def everything(self) -> bytes:
        return b"".join(data for _, data in self.received)

    def commands(self) -> list[str]:
        return [line.split(b" ")[0].decode("ascii", "replace").upper()
                for line in self.everything().split(b"\r\n") if line]


class _Envelope:
    """aiosmtpd handler: answers MAIL and RCPT as told (a reply string, or None to accept)."""

    def __init__(self, handle: SmtpServer, mail_reply, rcpt_reply, take_mail: bool = False):
        self.handle, self.mail_reply, self.rcpt_reply = handle, mail_reply, rcpt_reply
        self.take_mail = take_mail

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.handle.envelope.append(("MAIL", address))
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        return "250 2.1.0 Ok"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.handle.envelope.append(("RCPT", address))
        reply = self.rcpt_reply(address) if callable(self.rcpt_reply) else self.rcpt_reply
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        self.handle.envelope.append(("DATA", ""))
        if self.take_mail:  # a help desk's mailbox (the outbox's e-mail destination)
            self.handle.messages.append(bytes(envelope.original_content or b""))
            return "250 2.0.0 Ok: queued"
        return "554 5.6.0 the test server never takes mail"


def relay_only_to(*domains: str):
    """A Postfix-like RCPT policy: local domains are accepted, anything else is not relayed."""
    def reply(address: str) -> str | None:
        if address.rpartition("@")[2].lower() in domains:
            return None
        return f"554 5.7.1 <{address}>: Relay access denied"
    return reply


async def start_smtp(*, starttls: ssl.SSLContext | None = None, implicit: ssl.SSLContext | None = None,
                     accept: tuple[str, str] | None = (SMTP_USER, CANARY_SMTP),
                     auth_in_clear: bool = False, mechanisms_off: tuple[str, ...] = (),
                     greeting: str | None = None, mail_reply: str | None = None, rcpt_reply=None,
                     auth_required: bool = False, take_mail: bool = False) -> SmtpServer:
    """An aiosmtpd server in this event loop that records every byte it receives.

    `greeting` replaces the 220 greeting (a 421 greeting then hangs up, as Postfix does when it
    throttles; any other keeps the session open until QUIT); `mail_reply` / `rcpt_reply` refuse
    MAIL FROM / RCPT TO (see `relay_only_to`); `auth_required` makes MAIL need a login first.
    """
    from aiosmtpd.smtp import AuthResult

    from copycar_assist.simulator.smtpgreet import greeting_smtp

    handle = SmtpServer(0)

    def authenticator(server, session, envelope, mechanism, auth_data):
        login = auth_data.login.decode() if isinstance(auth_data.login, bytes) else str(auth_data.login)
        password = auth_data.password.decode() if isinstance(auth_data.password, bytes) else str(auth_data.password)
        handle.auth_attempts.append((mechanism, login))
        ok = accept is not None and (login, password) == accept
        return AuthResult(success=ok, handled=False)

    class Recording(greeting_smtp(greeting)):  # type: ignore[misc]
        def data_received(self, data: bytes) -> None:
            handle.received.append((self._tls_protocol is not None or implicit is not None, bytes(data)))
            super().data_received(data)

    loop = asyncio.get_running_loop()
    handler = _Envelope(handle, mail_reply, rcpt_reply, take_mail)
    handle.server = await loop.create_server(
        lambda: Recording(handler, hostname="mx.test.local", tls_context=starttls, authenticator=authenticator,
                          auth_require_tls=not (auth_in_clear or implicit), auth_required=auth_required,
                          auth_exclude_mechanism=mechanisms_off or None, loop=loop),
        "127.0.0.1", 0, ssl=implicit)
    handle.port = handle.server.sockets[0].getsockname()[1]
    return handle


@pytest.fixture
async def smtp_factory():
    servers: list[SmtpServer] = []

    async def factory(**kw) -> SmtpServer:
        s = await start_smtp(**kw)
        servers.append(s)
        return s

    yield factory
    for s in servers:
        s.server.close()
        with contextlib.suppress(Exception):
            async with asyncio.timeout(1):
                await s.server.wait_closed()


@pytest.fixture
async def silent_tcp():
    """A TCP server that accepts and never says a word; yields its port; records bytes received."""
    got: list[bytes] = []
    writers = []

    async def handler(reader, writer):
        writers.append(writer)
        with contextlib.suppress(Exception):
            while data := await reader.read(4096):
                got.append(data)

    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    server.received = got
    yield server
    for w in writers:
        w.transport.abort()
    server.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Redis ---------------------------------------------------------------------------------------

REDIS_SERVER = shutil.which("redis-server")


@dataclass
class RedisProc:
    port: int
    proc: subprocess.Popen
    password: str | None = None

    def url(self, password: str | None = None) -> str:
        pw = self.password if password is None else password
        return f"redis://:{pw}@127.0.0.1:{self.port}/0" if pw else f"redis://127.0.0.1:{self.port}/0"

    def cli(self, *args: str) -> None:
        """Talk to the server directly (test set-up only: the check itself never writes)."""
        import redis

        r = redis.Redis(host="127.0.0.1", port=self.port, password=self.password, socket_timeout=5)
        try:
            r.execute_command(*args)
        finally:
            r.close()

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password, socket_timeout=5)


@dataclass
class RedisTls:
    """Files for a TLS-only redis-server: a certificate for 127.0.0.1 from a CA the check trusts."""

    cert: str
    key: str
    ca_file: str


@pytest.fixture(scope="session")
def redis_tls(tmp_path_factory) -> RedisTls:
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    d = tmp_path_factory.mktemp("redis-tls")
    ca.cert_pem.write_to_path(str(d / "ca.pem"))
    cert.private_key_pem.write_to_path(str(d / "key.pem"))
    cert.cert_chain_pems[0].write_to_path(str(d / "cert.pem"))
    return RedisTls(str(d / "cert.pem"), str(d / "key.pem"), str(d / "ca.pem"))


def start_redis(*extra: str, password: str | None = None, tls: RedisTls | None = None) -> RedisProc:
    """A redis-server on loopback; with `tls`, it speaks only TLS (no plain port)."""
    if not REDIS_SERVER:
        pytest.skip("redis-server is not installed (apt-get install redis-server): Redis tests skipped")
    port = free_port()
    ports = (["--port", "0", "--tls-port", str(port), "--tls-cert-file", tls.cert, "--tls-key-file", tls.key,
              "--tls-ca-cert-file", tls.ca_file, "--tls-auth-clients", "no"] if tls else ["--port", str(port)])
    args = [REDIS_SERVER, *ports, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--loglevel", "warning", *extra]
    if password:
        args += ["--requirepass", password]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            # (the arguments are not shown: they may hold the test password)
            pytest.skip(f"redis-server refused this test's options (exit code {proc.returncode}): "
                        "an older version (DEBUG needs 7.0) or a build without TLS")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                if tls:
                    return RedisProc(port, proc, password)  # listening is enough: the probe does TLS
                s.sendall(b"PING\r\n")
                if s.recv(64):
                    return RedisProc(port, proc, password)
        except OSError:
            time.sleep(0.02)
    proc.kill()
    pytest.fail("redis-server did not start within 5 s")


@pytest.fixture
def redis_proc():
    procs: list[RedisProc] = []

    def factory(*extra: str, password: str | None = None, tls: RedisTls | None = None) -> RedisProc:
        p = start_redis(*extra, password=password, tls=tls)
        procs.append(p)
        return p

    yield factory
    for p in procs:
        p.proc.terminate()
        try:
            p.proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            p.proc.kill()


def smtp_settings(port: int, *, security: str = "starttls", ca_file: str | None = None,
                  password: str = CANARY_SMTP, username: str = SMTP_USER, host: str = "127.0.0.1") -> Settings:
    s = Settings()
    s.smtp.host, s.smtp.port, s.smtp.security = host, port, security
    s.smtp.username, s.smtp.password = username, Secret(password) if password else None
    s.smtp.from_addr = "alerts@example.test"
    s.smtp.ca_file = ca_file
    return s
