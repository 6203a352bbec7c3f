"""A read-only SMTP probe: connect, banner, EHLO, STARTTLS, AUTH, envelope, QUIT. Never sends mail.

Written on asyncio streams rather than a mail library so that every guarantee is visible here:

- every phase has its own timeout, and the whole exchange has a deadline;
- TLS always verifies the certificate and the host name (`ssl.create_default_context()`, with
  an optional CA file for private CAs and tests) and fails closed: no retry without verification;
- credentials are only sent over verified TLS (STARTTLS or implicit TLS). When the server does
  not offer STARTTLS the probe stops before AUTH (outcome `no_starttls`). `security = "none"` is
  only allowed to a loopback address (the caller resolves the name by the one rule in
  `loopback.py`, reports a refusal, and hands the probe the address it checked);
- nothing is logged; the server's replies are untrusted text and are cleaned and capped: a reply
  line over `MAX_LINE` bytes or a reply of more than `MAX_REPLY_LINES` lines ends the probe
  (the stream reader never buffers more than about twice `MAX_LINE`);
- the envelope is probed without sending: `MAIL FROM` the sender, `RCPT TO` the test recipient,
  then `RSET` and `QUIT`. `DATA` is never sent, so no message can exist;
- the session always ends with `QUIT` while the server is still talking (after a refused AUTH,
  a missing STARTTLS or a refused greeting too), so the server logs an orderly end instead of
  "lost connection after AUTH".

Reply codes decide the outcome: 4xx anywhere is a temporary refusal (retry later), a 5xx greeting
or EHLO is a permanent refusal of this client, and a refused `MAIL FROM` / `RCPT TO` names the
sender or the relay. The probe returns a `ProbeResult` with the timed phases and, on failure,
the catalogue outcome of `email.smtp` it maps to plus a reason code; the check turns that into
bilingual text.
"""

from __future__ import annotations

import asyncio
import base64
import re
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypedDict

from copycar_assist.files.read import CA, read_text
from copycar_assist.redact import Secret
from copycar_assist.textsafe import one_line

from .loopback import is_loopback_address

MAX_LINE = 2048  # bytes per reply line (RFC 5321 allows 512; be lenient, but bounded)
MAX_REPLY_LINES = 64  # lines per (multi-line) reply
FAREWELL_S = 2.0  # at most this long for RSET + QUIT after a refusal

# An envelope address we may put between < and > on the wire: printable ASCII, no spaces,
# no angle brackets, one @ with something on each side.
_ENVELOPE_ADDRESS = re.compile(r"^[!-;=?-~]{1,64}@[A-Za-z0-9.\-\[\]:]{1,190}$")


def tls_context(ca_file: str | None = None) -> ssl.SSLContext:
    """A verifying client context: system trust store, or only `ca_file` when given (read through
    the one reader: a FIFO or a device is a `ReadError`, never a wait). Blocking: call it in a
    thread."""
    ctx = ssl.create_default_context(cadata=read_text(ca_file, CA)) if ca_file else ssl.create_default_context()
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def envelope_address(addr: str | None) -> bool:
    """True when `addr` can go into MAIL FROM / RCPT TO as it is (no injection, plain ASCII)."""
    return bool(addr) and bool(_ENVELOPE_ADDRESS.match(addr or ""))


@dataclass
class Phase:
    name: str  # connect | tls | banner | ehlo | starttls | ehlo_tls | auth | mail | rcpt | rset | quit
    ok: bool
    ms: int
    detail: str = ""


@dataclass
class ProbeResult:
    phases: list[Phase] = field(default_factory=list)
    outcome: str = "ok"  # one of email.smtp's outcomes
    reason: str = ""  # machine code: refused, dns, timeout, verify, handshake, greeting, ...
    detail: str = ""  # cleaned text from the server or the TLS library
    phase: str = ""  # the phase that ended the probe (on failure)
    tls: str | None = None  # e.g. "TLSv1.3"
    extensions: list[str] = field(default_factory=list)
    starttls_offered: bool | None = None  # from the EHLO before TLS; None with implicit TLS
    auth_mechanisms: list[str] = field(default_factory=list)
    auth_sent: bool = False
    auth_result: str = "not_tried"  # not_tried | accepted | rejected
    sender: str | None = None  # what MAIL FROM carried, when the envelope was probed
    recipient: str | None = None  # what RCPT TO carried
    mail_result: str = "not_tried"  # not_tried | accepted | refused
    rcpt_result: str = "not_tried"  # not_tried | accepted | refused
    quit_sent: bool = False


class _Stop(Exception):
    """Ends the probe with an outcome; raised inside a phase.

    `polite`: the server answered with a complete reply and is still in a command state, so the
    session can be ended properly (RSET if a transaction is open, then QUIT).
    """

    def __init__(self, outcome: str, reason: str, detail: str = "", *, polite: bool = False):
        super().__init__(reason)
        self.outcome, self.reason, self.detail, self.polite = outcome, reason, detail, polite


class _Reply:
    def __init__(self, code: int, lines: list[str]):
        self.code, self.lines = code, lines

    @property
    def text(self) -> str:
        return one_line(" ".join(self.lines), limit=160)

    @property
    def temporary(self) -> bool:
        return 400 <= self.code < 500

    def short(self) -> str:
        return one_line(f"{self.code} {self.text}", limit=170)


def _refusal(reply: _Reply, outcome_5xx: str, reason: str) -> _Stop:
    """A refused command: 4xx is temporary whatever was asked, 5xx is `outcome_5xx`."""
    if reply.temporary:
        return _Stop("temporary_refusal", reason, reply.short(), polite=True)
    return _Stop(outcome_5xx, reason, reply.short(), polite=True)


# Timeouts in phases that happen before TLS mean the server (or the path to it) is not there.
_TIMEOUT_OUTCOME = {"connect": "connect_failed", "banner": "connect_failed", "ehlo": "connect_failed",
                    "starttls": "tls_failed", "tls": "connect_failed", "ehlo_tls": "connect_failed",
                    "auth": "connect_failed", "mail": "connect_failed", "rcpt": "connect_failed",
                    "data": "connect_failed", "rset": "ok", "quit": "ok"}


class ProbeOptions(TypedDict, total=False):
    """The probe's keyword settings beside the server and the envelope's recipient (what the
    probes built on it pass through)."""

    username: str | None
    password: Secret | None
    ca_file: str | None
    sender: str | None
    phase_timeout_s: float
    deadline_s: float


class SmtpProbe:
    def __init__(self, host: str, port: int, security: str, *, username: str | None = None,
                 password: Secret | None = None, ca_file: str | None = None,
                 sender: str | None = None, recipient: str | None = None,
                 phase_timeout_s: float = 5.0, deadline_s: float = 12.0):
        self.host, self.port, self.security = host, int(port), security
        self.username, self.password = username, password
        self.ca_file = ca_file
        # the envelope is probed only with addresses that are safe on the wire
        self.sender = sender if envelope_address(sender) else None
        self.recipient = recipient if envelope_address(recipient) else None
        self.phase_timeout_s, self.deadline_s = phase_timeout_s, deadline_s
        self.result = ProbeResult()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._end = 0.0
        self._tls_verified = False
        self._in_transaction = False  # MAIL accepted, not yet reset

    # --- driver --------------------------------------------------------------------------------

    async def run(self) -> ProbeResult:
        self._end = time.monotonic() + self.deadline_s
        try:
            await self._exchange()
        except _Stop as stop:
            self.result.outcome, self.result.reason, self.result.detail = stop.outcome, stop.reason, stop.detail
            self.result.phase = self.result.phases[-1].name if self.result.phases else ""
            if stop.polite:
                await self._farewell()
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
                self.result.phases.append(Phase("starttls", False, 0, "not offered"))
                raise _Stop("no_starttls", "not_offered", polite=True)
            await self._phase("starttls", self._starttls)
            await self._phase("ehlo_tls", self._ehlo)
        # without TLS only to a loopback ADDRESS: the caller resolved the name by the one rule
        may_auth = self._tls_verified or (self.security == "none" and is_loopback_address(self.host))
        if self.username and self.password and may_auth:
            await self._phase("auth", self._auth)
        if self.sender and self.recipient:
            await self._phase("mail", self._mail)
            await self._phase("rcpt", self._rcpt)
            await self._after_envelope()
        await self._farewell()

    async def _after_envelope(self) -> None:
        """Nothing: the probe never sends DATA. (`smtpsend.SmtpSend`, the alert sender, sends
        its message here, after every rule above has held.)"""

    async def _phase(self, name: str, step: Callable[[], Awaitable[str]]) -> str:
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
            # 421: busy or throttling, come back later; 554 (any 5xx): this client is refused
            raise _refusal(reply, "client_refused", "greeting")
        return reply.short()

    async def _ehlo(self) -> str:
        first = self.result.starttls_offered is None and not self._tls_verified
        reply = await self._command(f"EHLO {self._ehlo_name()}")
        if reply.code != 250:
            if reply.code in (500, 502, 504):  # EHLO itself not understood: not a modern SMTP server
                raise _Stop("connect_failed", "ehlo_rejected", reply.short(), polite=True)
            raise _refusal(reply, "client_refused", "ehlo")
        exts = [one_line(line, limit=80) for line in reply.lines[1:]]
        self.result.extensions = exts
        upper = [e.upper() for e in exts]
        if first and self.security != "tls":
            # what the server offers in clear; the EHLO inside TLS never offers STARTTLS again
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
            raise _refusal(reply, "tls_failed", "starttls_refused")
        return await self._handshake()

    async def _auth(self) -> str:
        mechs = self.result.auth_mechanisms
        if not mechs:
            raise _Stop("misconfigured", "no_auth_offered", polite=True)
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
            raise _Stop("misconfigured", "no_common_mechanism", " ".join(mechs), polite=True)
        if reply.code == 235:
            self.result.auth_result = "accepted"
            return reply.short()
        self.result.auth_result = "rejected"
        if reply.code in (504, 502):
            raise _Stop("misconfigured", "mechanism_refused", reply.short(), polite=True)
        raise _refusal(reply, "auth_failed", str(reply.code))

    async def _mail(self) -> str:
        self.result.sender = self.sender
        reply = await self._command(f"MAIL FROM:<{self.sender}>")
        if reply.code == 250:
            self.result.mail_result = "accepted"
            self._in_transaction = True
            return reply.short()
        self.result.mail_result = "refused"
        if reply.code == 530 and self.result.auth_result != "accepted":
            # "530 5.7.0 Authentication required": the server wants a login first
            raise _Stop("misconfigured", "auth_required", reply.short(), polite=True)
        raise _refusal(reply, "sender_refused", "mail")

    async def _rcpt(self) -> str:
        self.result.recipient = self.recipient
        reply = await self._command(f"RCPT TO:<{self.recipient}>")
        if reply.code in (250, 251):
            self.result.rcpt_result = "accepted"
            return reply.short()
        self.result.rcpt_result = "refused"
        if reply.code == 530 and self.result.auth_result != "accepted":
            raise _Stop("misconfigured", "auth_required", reply.short(), polite=True)
        raise _refusal(reply, _rcpt_outcome(reply), "rcpt")

    async def _farewell(self) -> None:
        """RSET when a transaction is open, then QUIT; bounded, and never reported as a failure."""
        if self._writer is None or self._reader is None:
            return
        # a refusal may come right at the deadline: the farewell gets its own small budget
        self._end = max(self._end, time.monotonic() + FAREWELL_S)
        try:
            if self._in_transaction:
                await self._phase("rset", self._send_rset)
            await self._phase("quit", self._send_quit)
        except _Stop:
            pass  # a server that hangs up on RSET or QUIT is not a problem worth reporting

    async def _send_rset(self) -> str:
        reply = await self._command("RSET")
        self._in_transaction = False
        return reply.short()

    async def _send_quit(self) -> str:
        self.result.quit_sent = True
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
            except ValueError:  # longer than MAX_LINE: the reader has dropped what it buffered
                raise _Stop("connect_failed", "line_too_long", f"a reply line over {MAX_LINE} bytes") from None
            if not raw:
                raise _Stop("connect_failed", "closed", "the server closed the connection")
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            code, sep = text[:3], text[3:4]
            if not code.isdigit() or sep not in ("", " ", "-"):
                raise _Stop("connect_failed", "protocol", "not an SMTP reply: " + one_line(text, limit=60))
            lines.append(text[4:])
            if len(lines) > MAX_REPLY_LINES:
                raise _Stop("connect_failed", "reply_too_long", f"a reply of more than {MAX_REPLY_LINES} lines")
            if sep != "-":
                return _Reply(int(code), lines)

    async def _close(self) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        try:
            writer.transport.abort()
        except Exception:
            pass


def _rcpt_outcome(reply: _Reply) -> str:
    """A permanent RCPT refusal: relaying denied (policy, 5.7.x) or an address that fails."""
    text = reply.text.lower()
    if "relay" in text or re.match(r"5\.7\.\d", reply.text):
        return "relay_denied"
    return "recipient_refused"


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
