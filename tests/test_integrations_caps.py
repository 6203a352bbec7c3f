"""Hostile SMTP and Redis servers on loopback (small asyncio servers that misbehave on purpose):
a 10 MB reply line, an endless multi-line reply, a 200 MB bulk string, arbitrary bytes. Each
becomes a clear `fail` or `error` result, within bounded time and memory; never a hang, a crash
or a MemoryError.

Caps under test: SMTP 2,048 bytes a reply line and 64 lines a reply (`smtpprobe`); Redis 8 KB
a status/length line and 1 MB a bulk string (`redisprobe`)."""

from __future__ import annotations

import asyncio
import contextlib
import time
import tracemalloc

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copycar_assist.checks.cache import CacheCheck
from copycar_assist.checks.email import SmtpCheck
from copycar_assist.checks.redisprobe import MAX_BULK
from copycar_assist.checks.smtpprobe import MAX_LINE, MAX_REPLY_LINES
from copycar_assist.config import Settings
from copycar_assist.redact import Secret

from fixtures_integrations import make_ctx, smtp_settings

CHUNK = b"x" * 65536  # allocated once, so the servers' own memory is not what gets measured
MEMORY_BOUND = 4 * 1024 * 1024  # what the client may allocate while refusing 10-200 MB


@contextlib.asynccontextmanager
async def hostile(script):
    """A TCP server on loopback running `script(reader, writer)` for each connection."""
    tasks, writers = [], []

    async def handler(reader, writer):
        tasks.append(asyncio.current_task())
        writers.append(writer)
        with contextlib.suppress(Exception):
            await script(reader, writer)
        writer.transport.abort()

    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for w in writers:  # a script blocked in drain() ends with a connection error, not a cancel
            w.transport.abort()
        if tasks:
            await asyncio.wait(tasks, timeout=2)


async def flood(writer, prefix: bytes, total: int, chunk: bytes = CHUNK) -> None:
    writer.write(prefix)
    sent = 0
    while sent < total:
        writer.write(chunk)
        await writer.drain()  # the client stops reading: this blocks, and the server's memory stays flat
        sent += len(chunk)


async def measured(coro):
    """(result, seconds, peak bytes allocated while it ran)."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = await coro
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, time.monotonic() - started, peak


# --- SMTP --------------------------------------------------------------------------------------------

SMTP = SmtpCheck(timeout_s=4.0, phase_timeout_s=1.0)


async def test_smtp_greeting_line_of_10_mb(http_client):
    async def script(reader, writer):
        await flood(writer, b"220 ", 10 * 1024 * 1024)

    async with hostile(script) as port:
        f, seconds, peak = await measured(SMTP.run(make_ctx(smtp_settings(port), http_client)))
    assert (f.status, f.outcome) == ("fail", "connect_failed"), f.summary
    assert f"{MAX_LINE} bytes" in f.summary and "does not answer like an SMTP server" in f.summary
    assert seconds < 1.0, seconds
    assert peak < MEMORY_BOUND, peak


async def test_smtp_ehlo_reply_line_of_10_mb(http_client):
    async def script(reader, writer):
        writer.write(b"220 mx.test ESMTP\r\n")
        await reader.readline()
        await flood(writer, b"250-mx.test ", 10 * 1024 * 1024)

    async with hostile(script) as port:
        f, seconds, peak = await measured(SMTP.run(make_ctx(smtp_settings(port), http_client)))
    assert (f.status, f.outcome) == ("fail", "connect_failed"), f.summary
    assert f.evidence["ehlo"].startswith("FAILED") and "reply line over" in f.evidence["ehlo"]
    assert seconds < 1.0 and peak < MEMORY_BOUND, (seconds, peak)


async def test_smtp_endless_multi_line_reply(http_client):
    lines = b"250-PIPELINING\r\n" * 4096

    async def script(reader, writer):
        writer.write(b"220 mx.test ESMTP\r\n")
        await reader.readline()
        while True:  # never a last line
            writer.write(lines)
            await writer.drain()

    async with hostile(script) as port:
        f, seconds, peak = await measured(SMTP.run(make_ctx(smtp_settings(port), http_client)))
    assert (f.status, f.outcome) == ("fail", "connect_failed"), f.summary
    assert f"more than {MAX_REPLY_LINES} lines" in f.summary
    assert seconds < 1.0 and peak < MEMORY_BOUND, (seconds, peak)


async def test_smtp_endless_reply_dripping_slowly_ends_at_the_phase_timeout(http_client):
    async def script(reader, writer):
        writer.write(b"220 mx.test ESMTP\r\n")
        await reader.readline()
        while True:
            writer.write(b"250-still here\r\n")
            await writer.drain()
            await asyncio.sleep(0.05)

    async with hostile(script) as port:
        started = time.monotonic()
        f = await SmtpCheck(timeout_s=3.0, phase_timeout_s=0.5).run(make_ctx(smtp_settings(port), http_client))
    assert (f.status, f.outcome) == ("fail", "connect_failed"), f.summary
    assert time.monotonic() - started < 1.5


# --- Redis -------------------------------------------------------------------------------------------

REDIS = CacheCheck(timeout_s=4.0, socket_timeout_s=1.0)


def redis_settings(port: int) -> Settings:
    s = Settings()
    s.redis.url = Secret(f"redis://127.0.0.1:{port}/0")
    return s


async def redis_commands(reader):
    """Yield the command names of RESP arrays as the client sends them."""
    while True:
        header = await reader.readline()
        if not header:
            return
        args = []
        for _ in range(int(header[1:])):
            length = int((await reader.readline())[1:])
            args.append((await reader.readexactly(length + 2))[:-2])
        yield args[0].upper()


async def test_redis_info_of_200_mb_is_an_error_result(http_client):
    async def script(reader, writer):
        async for command in redis_commands(reader):
            if command == b"PING":
                writer.write(b"+PONG\r\n")
            elif command == b"INFO":
                await flood(writer, b"$%d\r\n" % (200 * 1024 * 1024), 200 * 1024 * 1024)

    async with hostile(script) as port:
        f, seconds, peak = await measured(REDIS.run(make_ctx(redis_settings(port), http_client)))
    assert (f.status, f.outcome) == ("error", "error"), f.summary
    assert "200.0 MB" in f.summary and f"{MAX_BULK // 1024} KB" in f.summary and "INFO" in f.summary
    assert seconds < 1.0 and peak < MEMORY_BOUND, (seconds, peak)


async def test_redis_huge_reply_to_the_first_ping_is_not_a_redis(http_client):
    async def script(reader, writer):
        await reader.readline()
        await flood(writer, b"$%d\r\n" % (200 * 1024 * 1024), 200 * 1024 * 1024)

    async with hostile(script) as port:
        f, seconds, peak = await measured(REDIS.run(make_ctx(redis_settings(port), http_client)))
    assert (f.status, f.outcome) == ("fail", "unreachable"), f.summary
    assert "does not speak the Redis protocol" in f.summary
    assert seconds < 1.0 and peak < MEMORY_BOUND, (seconds, peak)


async def test_redis_status_line_without_end(http_client):
    async def script(reader, writer):
        await reader.readline()
        await flood(writer, b"+", 50 * 1024 * 1024)

    async with hostile(script) as port:
        f, seconds, peak = await measured(REDIS.run(make_ctx(redis_settings(port), http_client)))
    assert (f.status, f.outcome) == ("fail", "unreachable"), f.summary
    assert "reply line over" in f.summary
    assert seconds < 1.0 and peak < MEMORY_BOUND, (seconds, peak)


async def test_redis_http_server_is_not_a_redis(http_client):
    async def script(reader, writer):
        await reader.read(100)
        writer.write(b"HTTP/1.1 400 Bad Request\r\n\x1b]0;pwned\x07\r\n\r\n")
        await writer.drain()

    async with hostile(script) as port:
        f = await REDIS.run(make_ctx(redis_settings(port), http_client))
    assert (f.status, f.outcome) == ("fail", "unreachable"), f.summary
    assert "not a Redis reply" in f.summary and "\x1b" not in f.summary + str(f.evidence)


# --- anything at all ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=600))
def test_any_bytes_from_a_server_become_a_result(data):
    async def script(reader, writer):  # says its piece and hangs up (timeouts are tested above)
        writer.write(data)
        await writer.drain()

    fast_smtp = SmtpCheck(timeout_s=1.5, phase_timeout_s=0.2)
    fast_redis = CacheCheck(timeout_s=1.5, socket_timeout_s=0.2)

    async def both():
        from copycar_assist.checks.http import make_client

        async with make_client() as client, hostile(script) as port:
            smtp = await fast_smtp.run(make_ctx(smtp_settings(port), client))
            redis = await fast_redis.run(make_ctx(redis_settings(port), client))
        return smtp, redis

    for f in asyncio.run(both()):
        assert f.status in ("pass", "warn", "fail", "error"), f
        assert "\x1b" not in f.summary and "\x1b" not in str(f.evidence)
