"""A read-only SMTP probe: connect, banner, EHLO, STARTTLS, AUTH, QUIT. It never sends mail.

Written on asyncio streams rather than a mail library so that every guarantee is visible here:

- every phase has its own timeout, and the whole exchange has a deadline;
- TLS always verifies the certificate and the host name (`ssl.create_default_context()`, with
  an optional CA file for private CAs and tests) and fails closed: no retry without verification;
- credentials are only sent over verified TLS (STARTTLS or implicit TLS). When the server does
  not offer STARTTLS the probe stops before AUTH (outcome `no_starttls`). `security = "none"` is
  only allowed to a loopback address (the caller resolves the name by the one rule in
  `loopback.py`, reports a refusal, and hands the probe the address it checked);
- nothing is logged; the server's replies are untrusted text and are cleaned and capped;
- only EHLO, STARTTLS, AUTH and QUIT are sent: never MAIL, RCPT or DATA.

The probe returns a `ProbeResult` with the timed phases and, on failure, the catalogue outcome
of `email.smtp` it maps to plus a reason code; the check turns that into bilingual text.
"""

from __future__ import annotations

import asyncio
import base64
import ssl
import time
from dataclasses import dataclass, field

from copycar_assist.files.read import CA, read_text
from copycar_assist.redact import Secret
from copycar_assist.textsafe import one_line

from .loopback import is_loopback_address

MAX_LINE = 2048  # bytes per reply line (RFC 5321 allows 512; be lenient, but bounded)
MAX_REPLY_LINES = 64


def tls_context(ca_file: str | None = None) -> ssl.SSLContext:
    """A verifying client context: system trust store, or only `ca_file` when given (read through
    the one reader: a FIFO or a device is a `ReadError`, never a wait). Blocking: call it in a
    thread."""
    ctx = ssl.create_default_context(cadata=read_text(ca_file, CA)) if ca_file else ssl.create_default_context()
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


@dataclass
class Phase:
    name: str  # connect | banner | ehlo | starttls | ehlo_tls | auth | quit
    ok: bool
    ms: int
    detail: str = ""


@dataclass
class ProbeResult:
    phases: list[Phase] = field(default_factory=list)
    outcome: str = "ok"  # one of email.smtp's outcomes
    reason: str = ""  # machine code: refused, dns, timeout, verify, handshake, ...
    detail: str = ""  # cleaned text from the server or the TLS library
    tls: str | None = None  # e.g. "TLSv1.3"
    extensions: list[str] = field(default_factory=list)
    starttls_offered: bool | None = None
    auth_mechanisms: list[str] = field(default_factory=list)
    auth_sent: bool = False
    auth_result: str = "not_tried"  # not_tried | accepted | rejected


class _Stop(Exception):
    """Ends the probe with an outcome; raised inside a phase."""

    def __init__(self, outcome: str, reason: str, detail: str = ""):
        super().__init__(reason)
        self.outcome, self.reason, self.detail = outcome, reason, detail


class _Reply:
    def __init__(self, code: int, lines: list[str]):
        self.code, self.lines = code, lines

    @property
    def text(self) -> str:
        return one_line(" ".join(self.lines), limit=160)

    def short(self) -> str:
        return one_line(f"{self.code} {self.text}", limit=170)


# Timeouts in phases that happen before TLS mean the server (or the path to it) is not there.
_TIMEOUT_OUTCOME = {"connect": "connect_failed", "banner": "connect_failed", "ehlo": "connect_failed",
                    "starttls": "tls_failed", "tls": "connect_failed", "ehlo_tls": "connect_failed",
                    "auth": "connect_failed", "quit": "ok"}


class SmtpProbe:
    def __init__(self, host: str, port: int, security: str, *, username: str | None = None,
                 password: Secret | None = None, ca_file: str | None = None,
                 phase_timeout_s: float = 5.0, deadline_s: float = 12.0):
        self.host, self.port, self.security = host, int(port), security
        self.username, self.password = username, password
        self.ca_file = ca_file
        self.phase_timeout_s, self.deadline_s = phase_timeout_s, deadline_s
        self.result = ProbeResult()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._end = 0.0
        self._tls_verified = False

    # --- driver --------------------------------------------------------------------------------

    async def run(self) -> ProbeResult:
        self._end = time.monotonic() + self.deadline_s
        try:
            await self._exchange()
        except _Stop as stop:
            self.result.outcome, self.result.reason, self.result.detail = stop.outcome, stop.reason, stop.detail
        finally:
            await self._close()
        return self.result

    async def _exchange(self) -> None:
        await self._phase("connect", self._connect)
        if self.security == "tls":
            await self._phase("tls", self._handshake)
        await self._phase("banner", self._banner)
        await self._phase("ehlo", self._ehlo)
        if self.security == "starttls":
            if not self.result.starttls_offered:
                raise _Stop("no_starttls", "not_offered")
            await self._phase("starttls", self._starttls)
            await self._phase("ehlo_tls", self._ehlo)
        # without TLS only to a loopback ADDRESS: the caller resolved the name by the one rule
        may_auth = self._tls_verified or (self.security == "none" and is_loopback_address(self.host))
        if self.username and self.password and may_auth:
            await self._phase("auth", self._auth)
        await self._quit()

    async def _phase(self, name: str, step):
        remaining = self._end - time.monotonic()
        budget = min(self.phase_timeout_s, remaining)
        started = time.perf_counter()

        def record(ok: bool, detail: str) -> None:
            ms = int((time.perf_counter() - started) * 1000)
            self.result.phases.append(Phase(name, ok, ms, one_line(detail, limit=200)))

        if budget <= 0:
            record(False, "deadline reached")
            raise _Stop(_TIMEOUT_OUTCOME[name], "deadline", name)
        try:
            async with asyncio.timeout(budget):
                detail = await step()
        except TimeoutError:
            record(False, f"no answer within {budget:.1f} s")
            raise _Stop(_TIMEOUT_OUTCOME[name], "timeout", name) from None
        except _Stop as stop:
            record(False, stop.detail or stop.reason)
            raise
        except ssl.SSLCertVerificationError as exc:
            msg = one_line(exc.verify_message or str(exc))
            record(False, msg)
            raise _Stop("tls_failed", "verify", msg) from None
        except ssl.SSLError as exc:
            msg = one_line(exc.reason or str(exc))
            record(False, msg)
            if self.security == "tls" and "WRONG_VERSION_NUMBER" in str(exc).upper():
                # a plain-text SMTP banner where a TLS handshake was expected
                raise _Stop("misconfigured", "tls_on_plain_port", msg) from None
            raise _Stop("tls_failed", "handshake", msg) from None
        except (ConnectionError, OSError, EOFError, asyncio.IncompleteReadError) as exc:
            msg = one_line(_os_error_text(exc))
            record(False, msg)
            if name == "connect":
                reason = "dns" if _is_dns_error(exc) else "refused" if isinstance(exc, ConnectionRefusedError) else "network"
                raise _Stop("connect_failed", reason, msg) from None
            if name in ("tls", "starttls"):
                raise _Stop("tls_failed", "handshake", msg) from None
            raise _Stop("connect_failed", "closed", f"{name}: {msg}") from None
        record(True, detail or "")
        return detail

    # --- phases --------------------------------------------------------------------------------

    async def _connect(self) -> str:
        self._reader, self._writer = await asyncio.open_connection(self.host.strip("[]"), self.port, limit=MAX_LINE)
        peer = self._writer.get_extra_info("peername")
        return f"{peer[0]}:{peer[1]}" if peer else ""

    async def _handshake(self) -> str:
        assert self._writer is not None
        ctx = await asyncio.to_thread(tls_context, self.ca_file)
        await self._writer.start_tls(ctx, server_hostname=self.host.strip("[]"))
        self._tls_verified = True
        ssl_obj = self._writer.get_extra_info("ssl_object")
        self.result.tls = ssl_obj.version() if ssl_obj else "TLS"
        return self.result.tls or ""

    async def _banner(self) -> str:
        reply = await self._read_reply()
        if reply.code != 220:
            raise _Stop("connect_failed", "banner_rejected", reply.short())
        return reply.short()

    async def _ehlo(self) -> str:
        name = self._ehlo_name()
        reply = await self._command(f"EHLO {name}")
        if reply.code != 250:
            raise _Stop("connect_failed", "ehlo_rejected", reply.short())
        exts = [one_line(line, limit=80) for line in reply.lines[1:]]
        self.result.extensions = exts
        upper = [e.upper() for e in exts]
        self.result.starttls_offered = any(e == "STARTTLS" or e.startswith("STARTTLS ") for e in upper)
        mechs: list[str] = []
        for e in upper:
            if e.startswith("AUTH ") or e.startswith("AUTH="):
                mechs += [m for m in e[5:].split() if m]
        self.result.auth_mechanisms = sorted(set(mechs))
        return reply.short()

    async def _starttls(self) -> str:
        reply = await self._command("STARTTLS")
        if reply.code != 220:
            raise _Stop("tls_failed", "starttls_refused", reply.short())
        return await self._handshake()

    async def _auth(self) -> str:
        mechs = self.result.auth_mechanisms
        if not mechs:
            raise _Stop("misconfigured", "no_auth_offered")
        assert self.username is not None and self.password is not None
        # the credentials are only ever built inside the expressions that send them, so no frame
        # of a traceback (with locals) holds them in clear
        if "PLAIN" in mechs:
            self.result.auth_sent = True
            reply = await self._command("AUTH PLAIN " + _b64(b"\0" + self.username.encode() + b"\0"
                                                             + self.password.reveal().encode()))
        elif "LOGIN" in mechs:
            self.result.auth_sent = True
            reply = await self._command("AUTH LOGIN")
            if reply.code == 334:
                reply = await self._command(_b64(self.username.encode()))
            if reply.code == 334:
                reply = await self._command(_b64(self.password.reveal().encode()))
        else:
            raise _Stop("misconfigured", "no_common_mechanism", " ".join(mechs))
        if reply.code == 235:
            self.result.auth_result = "accepted"
            return reply.short()
        self.result.auth_result = "rejected"
        if reply.code in (504, 502):
            raise _Stop("misconfigured", "mechanism_refused", reply.short())
        raise _Stop("auth_failed", str(reply.code), reply.short())

    async def _quit(self) -> None:
        try:
            await self._phase("quit", self._send_quit)
        except _Stop:
            pass  # a server that hangs up on QUIT is not a problem worth reporting

    async def _send_quit(self) -> str:
        reply = await self._command("QUIT")
        return reply.short()

    # --- wire ----------------------------------------------------------------------------------

    def _ehlo_name(self) -> str:
        sock = self._writer.get_extra_info("sockname") if self._writer else None
        if not sock:
            return "[127.0.0.1]"
        addr = sock[0]
        return f"[IPv6:{addr}]" if ":" in addr else f"[{addr}]"

    async def _command(self, line: str) -> _Reply:
        assert self._writer is not None
        self._writer.write(line.encode("ascii", "strict") + b"\r\n")
        del line  # may hold encoded credentials: not kept while waiting for the reply
        await self._writer.drain()
        return await self._read_reply()

    async def _read_reply(self) -> _Reply:
        assert self._reader is not None
        lines: list[str] = []
        while True:
            try:
                raw = await self._reader.readline()
            except ValueError:  # longer than MAX_LINE
                raise _Stop("connect_failed", "protocol", "reply line too long") from None
            if not raw:
                raise _Stop("connect_failed", "closed", "the server closed the connection")
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            code, sep = text[:3], text[3:4]
            if not code.isdigit() or sep not in ("", " ", "-"):
                raise _Stop("connect_failed", "protocol", "not an SMTP reply: " + one_line(text, limit=60))
            lines.append(text[4:])
            if len(lines) > MAX_REPLY_LINES:
                raise _Stop("connect_failed", "protocol", "reply too long")
            if sep != "-":
                return _Reply(int(code), lines)

    async def _close(self) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        try:
            writer.transport.abort()
        except Exception:  # noqa: BLE001 - closing is best effort
            pass


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _is_dns_error(exc: BaseException) -> bool:
    import socket

    return isinstance(exc, socket.gaierror)


def _os_error_text(exc: BaseException) -> str:
    if isinstance(exc, asyncio.IncompleteReadError):
        return "the server closed the connection"
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text
