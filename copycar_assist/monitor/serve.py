"""Serve the Prometheus text on `GET /metrics` (loopback by default).

A deliberately small HTTP/1.1 responder on asyncio streams: one request per connection, the
request head capped at 8 KB and 5 s, only `GET /metrics` (and `/`) answered, anything else 404
or 405. Binding to an address other than loopback is the caller's explicit choice
(`--metrics-host`). The body is rendered on every request from the monitor's latest state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

HEAD_LIMIT = 8192
READ_TIMEOUT_S = 5.0
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


async def start_metrics_server(render: Callable[[], str], port: int, host: str = "127.0.0.1") -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(READ_TIMEOUT_S):
                head = await reader.readuntil(b"\r\n\r\n")
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        line = head.split(b"\r\n", 1)[0].decode("latin-1", "replace").split()
        method, path = (line + ["", ""])[:2]
        if method not in ("GET", "HEAD"):
            status, body, ctype = "405 Method Not Allowed", b"only GET\n", "text/plain"
        elif path.split("?", 1)[0] in ("/metrics", "/"):
            status, body, ctype = "200 OK", render().encode("utf-8"), CONTENT_TYPE
        else:
            status, body, ctype = "404 Not Found", b"see /metrics\n", "text/plain"
        writer.write(f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                     "Connection: close\r\n\r\n".encode("ascii") + (body if method != "HEAD" else b""))
        try:
            await writer.drain()
        except ConnectionError:
            pass
        writer.close()

    return await asyncio.start_server(handle, host, port, limit=HEAD_LIMIT)
