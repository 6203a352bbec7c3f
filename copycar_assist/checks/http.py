"""The one safe way for a check to make an HTTP request.

`fetch()` never raises for network trouble: it returns an `HttpResult` whose `error` names what
went wrong (dns, connect, tls, timeout, proxy, protocol, insecure, invalid_url). It holds the
promises of RELIABILITY.md:

- one overall deadline (`asyncio.timeout`) around DNS, connect, headers and body: httpx's read
  timeout is per read, so a server dripping a byte a second would otherwise never time out;
- a size cap: `Content-Length` first, then the raw stream is counted as it arrives;
- `Accept-Encoding: identity`; a server that compresses anyway is decompressed here with the
  same cap (a gzip bomb stops at the cap), other encodings are not decoded;
- redirects are never followed, only reported (status and the origin of `Location`);
- the key is never sent over plain `http://` unless both the host and any proxy are loopback by
  the one rule (`loopback.py`: every address they resolve to), and then the connection goes to
  an address that was checked (the URL carries it, `Host` the name);
- the proxy in use is reported, the DNS lookup is timed here (`loopback.resolve`), TCP connect
  and TLS handshake through httpx's `trace` extension;
- everything that came from the server is cleaned with `textsafe` before anyone stores it.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import ssl
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import httpx

from copycar_assist.redact import Secret
from copycar_assist.textsafe import one_line

from . import loopback
from .http_client import (
    USER_AGENT,
    BasicAuth,
    BearerAuth,
    _is_ip,
    make_client,
    mask_proxy,
    proxy_for,
    quiet_http_logs,
)
from .loopback import is_loopback_address
from .urls import display_url, origin

__all__ = ["MAX_BODY", "PHASES", "USER_AGENT", "BasicAuth", "BearerAuth", "HttpResult", "Timings", "display_url", "fetch",
           "make_client", "origin", "proxy_for", "quiet_http_logs"]

MAX_BODY = 256 * 1024  # bytes kept of any answer (after decompression)
MAX_JSON = 64 * 1024  # bodies larger than this are not parsed
MAX_HEADERS = 40
# --- the result ------------------------------------------------------------------------------


@dataclass
class Timings:
    dns_ms: float | None = None
    connect_ms: float | None = None
    tls_ms: float | None = None
    wait_ms: float | None = None  # request sent → response headers
    total_ms: float = 0.0
    reused: bool = False  # the connection came from the pool (no connect, no handshake)

    def evidence(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in ("dns_ms", "connect_ms", "tls_ms", "wait_ms", "total_ms"):
            value = getattr(self, name)
            if value is not None:
                out[name] = round(value, 1)
        if self.reused:
            out["connection"] = "reused"
        return out


@dataclass
class HttpResult:
    url: str  # display form: no userinfo, no query
    status: int | None = None
    reason: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names, cleaned values
    body: bytes = b""  # decoded, at most MAX_BODY bytes
    body_note: str | None = None  # why the body is partial or undecoded
    json: Any = None  # parsed when the body is small JSON
    error: str | None = None  # dns|connect|tls|timeout|proxy|protocol|insecure|invalid_url
    detail: str = ""  # cleaned, one line
    phase: str | None = None  # what was happening when it failed
    timings: Timings = field(default_factory=Timings)
    proxy: str | None = None  # masked proxy URL, when one was used
    addresses: list[str] = field(default_factory=list)
    loopback: bool | None = None  # every address the host resolved to is loopback (None: not resolved)
    location: str | None = None  # origin of a redirect's Location
    location_same_origin: bool | None = None

    @property
    def is_redirect(self) -> bool:
        return self.status is not None and 300 <= self.status < 400

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def text(self, limit: int = 200) -> str:
        return one_line(self.body.decode("utf-8", "replace"), limit)

    def json_field(self, *names: str) -> Any:
        if isinstance(self.json, dict):
            for name in names:
                if name in self.json:
                    return self.json[name]
        return None


# --- the request -----------------------------------------------------------------------------


class _Tracer:
    """Receives httpcore's trace events: when each phase started and finished."""

    def __init__(self) -> None:
        self.marks: dict[str, float] = {}
        self.last: str | None = None

    async def __call__(self, name: str, info: dict[str, Any]) -> None:
        self.marks.setdefault(name, time.perf_counter())
        self.last = name

    def span(self, what: str) -> float | None:
        a, b = self.marks.get(f"{what}.started"), self.marks.get(f"{what}.complete")
        return (b - a) * 1000 if a is not None and b is not None else None

    def phase(self) -> str:
        """Where the exchange was: connect | tls | headers | body (see PHASES)."""
        last = self.last or ""
        if "connect_tcp" in last and not last.endswith(".complete"):
            return "connect"
        if "start_tls" in last and not last.endswith(".complete"):
            return "tls"
        if "receive_response_body" in last or last.endswith("receive_response_headers.complete"):
            return "body"
        if last:
            return "headers"
        return "connect"


# the phases of an exchange; what each means, for messages, is the catalogue's check.http.phase.*
PHASES = ("dns", "connect", "tls", "headers", "body")


def phase_words(phase: str | None, lang: str) -> str:
    """What a phase of the exchange means, in words ("" for none)."""
    from copycar_assist.i18n import t

    return t(f"check.http.phase.{phase}", lang) if phase in PHASES else ""


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _classify(exc: BaseException) -> tuple[str, str]:
    """(error kind, cleaned detail) for an exception raised while talking to the server."""
    for e in _chain(exc):
        if isinstance(e, ssl.SSLCertVerificationError):
            return "tls", one_line(e.verify_message or e.reason or "certificate verification failed")
        if isinstance(e, ssl.SSLError):
            return "tls", one_line(e.reason or type(e).__name__)
        if isinstance(e, socket.gaierror):
            return "dns", one_line(e.strerror or "name not resolved")
    if isinstance(exc, httpx.TimeoutException):
        return "timeout", one_line(type(exc).__name__)
    if isinstance(exc, httpx.ProxyError):
        return "proxy", one_line(str(exc) or "the proxy refused the connection")
    if isinstance(exc, (httpx.ConnectError, ConnectionError)):
        for e in _chain(exc):
            if isinstance(e, OSError) and (e.errno or e.strerror):
                return "connect", one_line(os.strerror(e.errno) if e.errno else (e.strerror or ""))
        return "connect", one_line(str(exc) or type(exc).__name__)
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return "invalid_url", one_line(str(exc))
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return "protocol", one_line(str(exc) or type(exc).__name__)
    return "protocol", one_line(f"{type(exc).__name__}: {exc}")


class _Decompressor(Protocol):
    """What the body reader needs of a `zlib.decompressobj`."""

    def decompress(self, data: bytes, max_length: int = 0, /) -> bytes: ...

    @property
    def unconsumed_tail(self) -> bytes: ...


def _decoder(encoding: str) -> _Decompressor | Literal["refuse"] | None:
    enc = encoding.strip().lower()
    if enc in ("", "identity"):
        return None
    if enc in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if enc == "deflate":
        return zlib.decompressobj(32 + zlib.MAX_WBITS)  # zlib or gzip framing
    return "refuse"


async def _read_body(response: httpx.Response, result: HttpResult, max_bytes: int) -> None:
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        result.body_note = f"not read: Content-Length {int(length)} is over the {max_bytes}-byte cap"
        return
    decoder = _decoder(response.headers.get("content-encoding", ""))
    if decoder == "refuse":
        result.body_note = "not decoded: unsupported Content-Encoding " + one_line(
            response.headers.get("content-encoding", ""), 40)
        return
    out = bytearray()
    wire = 0
    async for chunk in response.aiter_raw():
        wire += len(chunk)
        if decoder is not None:
            try:
                data = decoder.decompress(chunk, max_bytes + 1 - len(out))
            except zlib.error:
                result.body_note = "not decoded: corrupt compressed body"
                return
            out += data
            if len(out) > max_bytes or decoder.unconsumed_tail:
                del out[max_bytes:]
                result.body_note = f"capped at {max_bytes} bytes (decompressed)"
                break
        else:
            out += chunk
            if len(out) > max_bytes:
                del out[max_bytes:]
                result.body_note = f"capped at {max_bytes} bytes"
                break
        if wire > 4 * max_bytes:  # a stream of empty decompressed output
            result.body_note = f"capped at {max_bytes} bytes"
            break
    result.body = bytes(out)


def _parse_json(response: httpx.Response, result: HttpResult) -> None:
    ctype = response.headers.get("content-type", "").lower()
    if "json" not in ctype or not result.body or len(result.body) > MAX_JSON or result.body_note:
        return
    try:
        result.json = json.loads(result.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        result.body_note = "malformed JSON"


def _headers(response: httpx.Response) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in response.headers.items():
        if len(out) >= MAX_HEADERS:
            break
        key = one_line(name.lower(), 60)
        if key not in out:
            out[key] = one_line(value, 300)
    return out


async def _insecure(u: httpx.URL, result: HttpResult, proxy: str | None) -> HttpResult | None:
    """The key goes over plain http only when the target, and the proxy if one is used, are
    loopback by the one rule (`loopback.py`: every address they resolve to); else the result
    says so and nothing is sent."""
    why = ""
    if not result.loopback:
        shown = ", ".join(result.addresses) or u.host
        why = f"{u.host} is not loopback (it resolves to {shown})" if result.addresses else f"{u.host} is not loopback"
    elif proxy:
        proxy_url = httpx.URL(proxy)
        dest = await loopback.resolve(proxy_url.host, proxy_url.port or 80)
        if not dest.loopback:
            why = f"the proxy {result.proxy} is not loopback"
    if not why:
        return None
    result.error = "insecure"
    result.detail = one_line(f"refused to send the key over plain http: {why}", 300)
    return result


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    method: str = "GET",
    key: Secret | None = None,
    deadline_s: float = 10.0,
    max_bytes: int = MAX_BODY,
    auth: httpx.Auth | None = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
    private: bool = False,
) -> HttpResult:
    """Make one request the safe way. Never raises for network or server trouble.

    `key` sends a Bearer key, `auth` another credential (e.g. `BasicAuth`); either one — or
    `private=True` for a body that must not travel in clear (a ticket) — goes over plain http only
    to loopback. `content` and `headers` are the request's body and extra headers."""
    start = time.perf_counter()
    try:
        u = httpx.URL(url)
        if u.scheme not in ("http", "https") or not u.host:
            raise httpx.InvalidURL("the URL must start with https:// and name a host")
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        return HttpResult(one_line(str(url), 200), error="invalid_url", detail=one_line(str(exc)))
    result = HttpResult(display_url(u))
    proxy = proxy_for(u)
    if proxy:
        result.proxy = mask_proxy(proxy)
    tracer = _Tracer()
    resolving = False
    port = u.port or (443 if u.scheme == "https" else 80)
    try:
        async with asyncio.timeout(deadline_s):
            keyed_plain = (bool(key) or auth is not None or private) and u.scheme == "http"
            dial = u
            if _is_ip(u.host):
                result.loopback = is_loopback_address(u.host)
            elif not proxy or keyed_plain:
                t0 = time.perf_counter()
                resolving = True
                dest = await loopback.resolve(u.host, port)
                resolving = False
                result.timings.dns_ms = (time.perf_counter() - t0) * 1000
                if not dest.addresses and not keyed_plain:
                    result.error, result.detail, result.phase = "dns", "name not resolved", "dns"
                    return result
                result.addresses = sorted(one_line(a, 60) for a in dest.addresses)[:4]
                result.loopback = dest.loopback
                if keyed_plain and dest.loopback and not proxy:
                    dial = u.copy_with(host=dest.address)  # connect to the address that was checked
            if keyed_plain:
                refused = await _insecure(u, result, proxy)
                if refused:
                    return refused
            sent_headers = {"Accept-Encoding": "identity", "Accept": "application/json", **(headers or {})}
            if dial is not u:
                sent_headers["Host"] = u.netloc.decode("ascii")
            request = client.build_request(method, dial, extensions={"trace": tracer}, headers=sent_headers,
                                           content=content)
            sent = time.perf_counter()
            response = await client.send(request, auth=BearerAuth(key) if key else auth,
                                         stream=True, follow_redirects=False)
            try:
                result.status = response.status_code
                result.reason = one_line(response.reason_phrase or "", 80)
                result.headers = _headers(response)
                headers_at = tracer.marks.get("http11.receive_response_headers.complete") or time.perf_counter()
                result.timings.wait_ms = (headers_at - (tracer.marks.get("http11.send_request_headers.started") or sent)) * 1000
                if result.is_redirect and "location" in response.headers:
                    try:
                        target = u.join(response.headers["location"])
                        result.location = origin(target)
                        result.location_same_origin = result.location == origin(u)
                    except Exception:
                        result.location = "(unparsable Location)"
                        result.location_same_origin = False
                await _read_body(response, result, max_bytes)
            finally:
                await response.aclose()
            _parse_json(response, result)
    except TimeoutError:
        result.error, result.phase = "timeout", "dns" if resolving else tracer.phase()
        result.detail = f"no complete answer within {deadline_s:g} s ({phase_words(result.phase, 'en')})"
    except httpx.HTTPError as exc:
        result.error, result.detail = _classify(exc)
        result.phase = tracer.phase()
    except (OSError, ssl.SSLError) as exc:
        result.error, result.detail = _classify(exc)
        result.phase = tracer.phase()
    finally:
        result.timings.connect_ms = tracer.span("connection.connect_tcp")
        result.timings.tls_ms = tracer.span("connection.start_tls")
        result.timings.reused = "connection.connect_tcp.started" not in tracer.marks and result.status is not None
        result.timings.total_ms = (time.perf_counter() - start) * 1000
    return result
