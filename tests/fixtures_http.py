"""Raw loopback HTTP servers for fault tests: every byte they send is scripted by the test.

    async with raw_server(respond(503, body=b"...")) as srv:
        srv.url("/v2")          # http://127.0.0.1:PORT/v2
        srv.requests            # raw request heads received (bytes)
        srv.received            # every byte received, to look for leaked secrets

Also: a canary key, settings and a check context built the way the CLI builds them.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable

from copycar_assist.checks import CheckContext, SharedClient, make_client
from copycar_assist.config import Settings
from copycar_assist.redact import Secret

from shipped import knowledge

CANARY = "sk-canary-0123456789abcdef"
Handler = Callable[["RawServer", asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]





def settings_for(base_url: str, key: str | None = CANARY, endpoints: list[str] | None = None) -> Settings:
    s = Settings()
    s.api.base_url = base_url
    s.api.key = Secret(key) if key is not None else None
    s.api.key_source = "env" if key is not None else None
    s.api.endpoints = list(endpoints or [])
    s.api.timeout_s = 3.0
    return s


@contextlib.asynccontextmanager
async def check_context(settings: Settings, *, lang: str = "en", verify: ssl.SSLContext | bool = True,
                        kb=None) -> AsyncIterator[CheckContext]:
    async with make_client(settings, verify=verify) as client:
        yield CheckContext(settings=settings, kb=kb or knowledge(), http=SharedClient.of(client),
                           redactor=settings.redactor(), lang=lang)


class RawServer:
    def __init__(self, handler: Handler, ssl_ctx: ssl.SSLContext | None = None):
        self.handler = handler
        self.ssl_ctx = ssl_ctx
        self.requests: list[bytes] = []
        self.received = bytearray()
        self.connections = 0
        self._server: asyncio.base_events.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self.port = 0

    def url(self, path: str = "/v2", host: str = "127.0.0.1") -> str:
        scheme = "https" if self.ssl_ctx else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    async def start(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.ssl_ctx)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await self.handler(self, reader, writer)
        with contextlib.suppress(Exception):
            writer.close()

    async def read_request(self, reader: asyncio.StreamReader) -> bytes:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = await reader.read(4096)
            if not chunk:
                break
            head += chunk
            self.received += chunk
        if head:
            self.requests.append(head)
        return head

    async def close(self) -> None:
        for w in self._writers:
            with contextlib.suppress(Exception):
                w.close()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1)


@contextlib.asynccontextmanager
async def raw_server(handler: Handler, ssl_ctx: ssl.SSLContext | None = None) -> AsyncIterator[RawServer]:
    srv = await RawServer(handler, ssl_ctx).start()
    try:
        yield srv
    finally:
        await srv.close()


def response_bytes(status: int, headers: dict[str, str] | None = None, body: bytes = b"",
                   reason: str = "X") -> bytes:
    hdrs = {"Content-Length": str(len(body)), "Connection": "close", **(headers or {})}
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items()) + "\r\n"
    return head.encode("latin-1", "replace") + body


def respond(status: int, headers: dict[str, str] | None = None, body: bytes = b"", reason: str = "X") -> Handler:
    """Answer every request on the connection with the same response."""
    async def handler(srv: RawServer, reader, writer) -> None:
        while await srv.read_request(reader):
            writer.write(response_bytes(status, headers, body, reason))
            await writer.drain()
            if (headers or {}).get("Connection", "close") == "close":
                break
    return handler


def route(table: dict[str, tuple[int, dict[str, str], bytes]]) -> Handler:
    """Answer by path: {"/v2/health": (200, {...}, b"...")}; 404 otherwise."""
    async def handler(srv: RawServer, reader, writer) -> None:
        head = await srv.read_request(reader)
        if not head:
            return
        path = head.split(b" ", 2)[1].decode("latin-1")
        status, headers, body = table.get(path, (404, {}, b""))
        writer.write(response_bytes(status, headers, body))
        await writer.drain()
    return handler


async def no_response(srv: RawServer, reader, writer) -> None:
    """Read the request, then say nothing until the client gives up."""
    await srv.read_request(reader)
    await reader.read()  # until the client closes


def drip(interval: float = 0.2) -> Handler:
    """Send a valid-looking response one byte at a time, forever (each read gets data)."""
    async def handler(srv: RawServer, reader, writer) -> None:
        await srv.read_request(reader)
        payload = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + b"a" * 10_000
        for byte in payload:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(interval)
    return handler


def big_body(total: int = 50 * 1024 * 1024, chunked: bool = False) -> Handler:
    """A huge body, announced by Content-Length or sent chunked; stops when the client leaves."""
    async def handler(srv: RawServer, reader, writer) -> None:
        await srv.read_request(reader)
        if chunked:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        else:
            writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {total}\r\n\r\n"
                         .encode())
        block = b"x" * 65536
        sent = 0
        while sent < total:
            data = (f"{len(block):x}\r\n".encode() + block + b"\r\n") if chunked else block
            writer.write(data)
            await writer.drain()
            sent += len(block)
        if chunked:
            writer.write(b"0\r\n\r\n")
            await writer.drain()
        srv.sent = sent  # type: ignore[attr-defined]
    return handler


def gzip_bomb(size: int = 50 * 1024 * 1024) -> bytes:
    return gzip.compress(b"\0" * size, compresslevel=9)


def blocked_port() -> tuple[socket.socket, list[socket.socket], int]:
    """A listening socket whose accept queue is full: new connections hang in SYN (a connect
    timeout). Returns (listener, fillers, port); close them all afterwards."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(8):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        with contextlib.suppress(BlockingIOError, OSError):
            s.connect(("127.0.0.1", port))
        fillers.append(s)
    return listener, fillers, port
