"""A read-only Redis probe: connect, TLS, AUTH, SELECT, PING twice, INFO twice. Never writes.

Written on asyncio streams rather than redis-py so that every guarantee is visible here:

- one attempt, no retries (redis-py retries by default); every round trip has its own timeout
  and the whole exchange a deadline;
- every round trip is timed on its own, and "connected, but no answer in time" (`blocked`: a
  slow command holds the server) is told apart from "cannot connect" (`unreachable`);
- replies are capped: a status, error or length line at `MAX_LINE` bytes, a bulk string (the
  INFO text) at `MAX_BULK` bytes. A larger announced length is refused before a byte of it is
  read, so a 200 MB reply costs nothing (the stream reader buffers about twice `MAX_LINE`);
- `rediss://` always verifies the certificate and the host name (`ssl_ca_certs=` in the URL names
  a CA file for a private CA); URL options that would weaken that (`ssl_cert_reqs=none`) are
  ignored: TLS fails closed;
- only AUTH, SELECT (when the db is not 0), PING and INFO are sent: never KEYS, never a write, no
  HELLO (RESP2, so Redis < 6 answers too), no CLIENT SETINFO;
- the URL's password is a `Secret`, revealed only inside the expression that sends it; the
  server's replies are untrusted text, cleaned and capped.

The probe returns a `RedisResult` (timed round trips, INFO as a dict, and on failure the
catalogue outcome of `cache.redis` with a reason code); the check judges and words it.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from copycar_assist.redact import Secret
from copycar_assist.textsafe import one_line

from .smtpprobe import tls_context

# A RESP2 reply to the commands sent: a status or bulk string, an integer, or a null bulk string.
Reply = str | int | None
_T = TypeVar("_T")

MAX_LINE = 8 * 1024  # bytes of a status, error or length line
MAX_BULK = 1024 * 1024  # bytes of a bulk string (a real INFO is 5-20 KB)
MAX_INFO_FIELDS = 5000
DEFAULT_PORT = 6379


class BadUrl(ValueError):
    """redis.url cannot be used; the message never contains the URL (it may hold a password)."""


@dataclass(frozen=True)
class Target:
    scheme: str  # redis | rediss | unix
    host: str | None
    port: int
    path: str | None  # unix socket
    db: int
    username: str | None
    password: Secret | None
    ca_file: str | None

    def address(self) -> str:
        """scheme://host:port/db, without user or password."""
        if self.scheme == "unix":
            return f"unix:{self.path}"
        host = f"[{self.host}]" if self.host and ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}/{self.db}"


def parse_url(url: str) -> Target:
    """The parts of a redis://, rediss:// or unix:// URL, as redis-py reads them."""
    try:
        u = urllib.parse.urlsplit(url.strip())
        port = u.port
    except ValueError:
        raise BadUrl("it does not parse (host or port)") from None
    query = {k: v[0] for k, v in urllib.parse.parse_qs(u.query).items() if v}
    password = urllib.parse.unquote(u.password) if u.password else query.get("password")
    username = urllib.parse.unquote(u.username) if u.username else query.get("username")
    db_text = query.get("db") or (u.path.strip("/") if u.scheme != "unix" else "") or "0"
    try:
        db = int(db_text)
    except ValueError:
        raise BadUrl("the database number is not a whole number") from None
    if u.scheme == "unix":
        if not u.path:
            raise BadUrl("a unix:// URL needs the socket path")
        host, path = None, urllib.parse.unquote(u.path)
    elif u.scheme in ("redis", "rediss"):
        if not u.hostname:
            raise BadUrl("it has no host")
        host, path = urllib.parse.unquote(u.hostname), None
    else:
        raise BadUrl("the scheme must be redis://, rediss:// or unix://")
    return Target(u.scheme, host, port or DEFAULT_PORT, path, db, username or None,
                  Secret(password) if password else None, query.get("ssl_ca_certs"))


@dataclass
class RoundTrip:
    name: str  # connect | tls | auth | select | ping | ping_2 | info | info_commandstats
    ok: bool
    ms: float
    detail: str = ""


@dataclass
class RedisResult:
    trips: list[RoundTrip] = field(default_factory=list)
    outcome: str = "ok"  # ok | unreachable | blocked | auth_failed | error
    reason: str = ""  # machine code: refused, dns, connect_timeout, tls_verify, timeout, noauth, ...
    detail: str = ""  # cleaned text from the server or the system
    step: str = ""  # the round trip that ended the probe
    connected: bool = False
    info: dict[str, Any] | None = None
    info_error: str | None = None  # what INFO got instead (an ACL without INFO)
    commandstats: dict[str, Any] = field(default_factory=dict)


class _Stop(Exception):
    def __init__(self, outcome: str, reason: str, detail: str = ""):
        super().__init__(reason)
        self.outcome, self.reason, self.detail = outcome, reason, detail


class ReplyError(Exception):
    """A RESP error reply (`-ERR …`, `-NOAUTH …`): the server answered, and said no."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text
        self.code = text.split(" ", 1)[0].upper()


class RedisProbe:
    def __init__(self, target: Target, *, connect_timeout_s: float = 3.0, reply_timeout_s: float = 3.0,
                 deadline_s: float = 7.0):
        self.target = target
        self.connect_timeout_s, self.reply_timeout_s, self.deadline_s = connect_timeout_s, reply_timeout_s, deadline_s
        self.result = RedisResult()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._end = 0.0
        self._answered = False  # the server has sent at least one well-formed reply

    async def run(self) -> RedisResult:
        self._end = time.monotonic() + self.deadline_s
        try:
            await self._exchange()
        except _Stop as stop:
            r = self.result
            r.outcome, r.reason, r.detail = stop.outcome, stop.reason, stop.detail
            r.step = r.trips[-1].name if r.trips else ""
        finally:
            self._close()
        return self.result

    async def _exchange(self) -> None:
        t = self.target
        await self._trip("connect", self._connect, self.connect_timeout_s)
        self.result.connected = True
        if t.scheme == "rediss":
            await self._trip("tls", self._handshake, self.connect_timeout_s)
        if t.password:
            await self._trip("auth", self._auth)
        if t.db:
            await self._trip("select", lambda: self._call(b"SELECT", str(t.db).encode()))
        await self._trip("ping", self._ping)
        await self._trip("ping_2", self._ping)
        try:
            info = await self._trip("info", lambda: self._call(b"INFO"))
        except ReplyError as exc:  # INFO renamed or denied by an ACL (managed services)
            self.result.info_error = one_line(exc.text, limit=200)
            return
        self.result.info = parse_info(_text_reply("INFO", info))
        try:
            stats = await self._trip("info_commandstats", lambda: self._call(b"INFO", b"commandstats"))
        except ReplyError:
            return
        self.result.commandstats = parse_info(_text_reply("INFO commandstats", stats))

    async def _trip(self, name: str, step: Callable[[], Awaitable[_T]], timeout_s: float | None = None) -> _T:
        """One timed round trip. A `ReplyError` is recorded and re-raised for the caller to judge."""
        budget = min(timeout_s or self.reply_timeout_s, self._end - time.monotonic())
        started = time.perf_counter()

        def record(ok: bool, detail: str = "") -> None:
            ms = round((time.perf_counter() - started) * 1000, 2)
            self.result.trips.append(RoundTrip(name, ok, ms, one_line(detail, limit=200)))

        if budget <= 0:
            record(False, "deadline reached")
            raise _Stop("blocked" if self.result.connected else "unreachable", "deadline", name)
        try:
            async with asyncio.timeout(budget):
                value = await step()
        except TimeoutError:
            record(False, f"no answer within {budget:.1f} s")
            if name == "connect":
                raise _Stop("unreachable", "connect_timeout", f"{budget:.1f} s") from None
            if name == "tls":
                raise _Stop("unreachable", "tls_timeout", f"{budget:.1f} s") from None
            raise _Stop("blocked", "timeout", f"{budget:.1f} s") from None
        except ReplyError as exc:
            record(False, exc.text)
            if name == "info" or name == "info_commandstats":
                raise
            raise self._refused(name, exc) from None
        except _Stop as stop:
            record(False, stop.detail or stop.reason)
            raise
        except ssl.SSLCertVerificationError as exc:
            msg = one_line(exc.verify_message or str(exc))
            record(False, msg)
            raise _Stop("unreachable", "tls_verify", msg) from None
        except ssl.SSLError as exc:
            msg = one_line(exc.reason or str(exc))
            record(False, msg)
            raise _Stop("unreachable", "tls_handshake", msg) from None
        except (ConnectionError, OSError, EOFError, asyncio.IncompleteReadError) as exc:
            msg = one_line(_os_error_text(exc))
            record(False, msg)
            if name == "connect":
                reason = ("dns" if isinstance(exc, socket.gaierror)
                          else "refused" if isinstance(exc, (ConnectionRefusedError, FileNotFoundError)) else "network")
                raise _Stop("unreachable", reason, msg) from None
            if name == "tls":
                raise _Stop("unreachable", "tls_handshake", msg) from None
            # hung up before a single reply: typical of a TLS-only port spoken to in plain text
            raise _Stop("unreachable", "closed" if self._answered else "closed_at_start", msg) from None
        record(True, value if isinstance(value, str) and len(value) < 80 else "")
        return value

    def _refused(self, name: str, exc: ReplyError) -> _Stop:
        code, text = exc.code, one_line(exc.text, limit=200)
        if code in ("WRONGPASS", "NOAUTH", "NOPERM"):
            return _Stop("auth_failed", code.lower(), text)
        if name == "auth":
            # "-ERR AUTH <password> called without any password configured for the default user"
            # (and Redis < 6: "-ERR Client sent AUTH, but no password is set")
            if "no password" in text.lower() or "without any password" in text.lower():
                return _Stop("auth_failed", "no_password_on_server", text)
            return _Stop("auth_failed", "rejected", text)
        if code in ("BUSY", "LOADING"):  # a script that runs too long; the dataset still loading
            return _Stop("blocked", code.lower(), text)
        if name == "select":
            return _Stop("unreachable", "bad_db", text)
        return _Stop("unreachable", "error_reply", text)

    # --- steps ---------------------------------------------------------------------------------

    async def _connect(self) -> str:
        t = self.target
        if t.scheme == "unix":
            assert t.path is not None
            self._reader, self._writer = await asyncio.open_unix_connection(t.path, limit=MAX_LINE)
            return ""
        self._reader, self._writer = await asyncio.open_connection(t.host, t.port, limit=MAX_LINE)
        return ""

    async def _handshake(self) -> str:
        assert self._writer is not None
        await self._writer.start_tls(tls_context(self.target.ca_file), server_hostname=self.target.host)
        ssl_obj = self._writer.get_extra_info("ssl_object")
        return ssl_obj.version() if ssl_obj else "TLS"

    async def _auth(self) -> Reply:
        t = self.target
        assert t.password is not None
        # the password is revealed only inside this expression: no local holds it in clear
        if t.username:
            return await self._call(b"AUTH", t.username.encode(), t.password.reveal().encode())
        return await self._call(b"AUTH", t.password.reveal().encode())

    async def _ping(self) -> Reply:
        reply = await self._call(b"PING")
        if reply != "PONG":
            raise _Stop("unreachable", "protocol", "PING got " + one_line(str(reply), limit=60))
        return reply

    # --- wire ----------------------------------------------------------------------------------

    async def _call(self, *args: bytes) -> Reply:
        assert self._writer is not None
        data = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
        del args  # may hold the password: not kept while waiting for the reply
        self._writer.write(data)
        del data
        await self._writer.drain()
        reply = await self._read_reply()
        self._answered = True
        return reply

    async def _read_reply(self) -> Reply:
        """One RESP2 reply to a command that answers with a status, an error, an integer or a
        bulk string. Arrays are not expected from AUTH/SELECT/PING/INFO and are refused."""
        assert self._reader is not None
        try:
            line = await self._reader.readuntil(b"\r\n")
        except asyncio.LimitOverrunError:
            raise _Stop(self._cap_outcome(), "line_too_long", f"a reply line over {MAX_LINE} bytes") from None
        except asyncio.IncompleteReadError as exc:
            if exc.partial:
                raise _Stop("unreachable", "protocol", "not a Redis reply: "
                            + one_line(exc.partial.decode("utf-8", "replace"), limit=60)) from None
            raise
        kind, body = line[:1], line[1:-2].decode("utf-8", "replace")
        if kind == b"+":
            return body
        if kind == b"-":
            raise ReplyError(body)
        if kind == b":":
            return _int(body)
        if kind == b"$":
            length = _int(body)
            if length == -1:
                return None
            if length > MAX_BULK:
                raise _Stop(self._cap_outcome(), "too_large",
                            f"a reply of {length / 1048576:.1f} MB announced, over the {MAX_BULK // 1024} KB cap")
            data = await self._reader.readexactly(length + 2)
            return data[:-2].decode("utf-8", "replace")
        if kind in (b"\x15", b"\x16"):  # a TLS record: the port speaks TLS
            raise _Stop("unreachable", "tls_port", "the server answered with TLS")
        raise _Stop("unreachable", "protocol", "not a Redis reply: " + one_line(line.decode("utf-8", "replace"), limit=60))

    def _cap_outcome(self) -> str:
        # before the server has proved to be a Redis, an oversized reply means it is not one
        return "error" if self._answered else "unreachable"

    def _close(self) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        try:
            writer.transport.abort()
        except Exception:
            pass


def _text_reply(command: str, reply: Reply) -> str:
    """A reply that must be text (INFO's is a bulk string); anything else is not a Redis."""
    if not isinstance(reply, str):
        raise _Stop("unreachable", "protocol", f"{command} got " + one_line(repr(reply), limit=60))
    return reply


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _Stop("unreachable", "protocol", "not a Redis reply: " + one_line(text, limit=40)) from None


def parse_info(text: str) -> dict[str, Any]:
    """INFO's `key:value` lines; `a=1,b=2` values become dicts, numbers become numbers."""
    out: dict[str, Any] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        out[key] = _info_value(value)
        if len(out) >= MAX_INFO_FIELDS:
            break
    return out


def _info_value(value: str) -> Any:
    parts = value.split(",")
    if "=" in value and all("=" in p for p in parts):
        return {k: _number(v) for k, _, v in (p.partition("=") for p in parts)}
    return _number(value)


def _number(value: str) -> Any:
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def _os_error_text(exc: BaseException) -> str:
    if isinstance(exc, asyncio.IncompleteReadError):
        return "the server closed the connection"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
