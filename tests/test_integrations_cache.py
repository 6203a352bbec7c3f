"""cache.redis against real redis-server processes on loopback (skipped, with the reason, where
redis-server is not installed), a refused port and a silent TCP server."""

from __future__ import annotations

import time

from copycar_assist.checks.cache import CacheCheck
from copycar_assist.config import Settings
from copycar_assist.redact import Secret
from tests.fixtures_integrations import *  # noqa: F401,F403
from tests.fixtures_integrations import CANARY_REDIS, free_port, make_ctx

CHECK = CacheCheck(timeout_s=4.0, socket_timeout_s=0.5, min_lookups=100)


def redis_settings(url: str) -> Settings:
    s = Settings()
    s.redis.url = Secret(url)
    return s


async def run(url, http_client, lang="en"):
    f = await CHECK.run(make_ctx(redis_settings(url), http_client, lang=lang))
    blob = f.summary + repr(f.evidence) + repr(f)
    assert CANARY_REDIS not in blob and CANARY_REDIS[:12] not in blob
    return f


async def test_healthy(redis_proc, http_client):
    r = redis_proc()
    f = await run(r.url(), http_client)
    assert (f.status, f.outcome) == ("pass", "ok"), f.summary
    assert f.evidence["server"] == f"redis://127.0.0.1:{r.port}/0"
    assert isinstance(f.evidence["ping_ms"], float) and f.evidence["redis_version"]
    assert "hit_ratio_note" in f.evidence  # too little traffic to judge


async def test_read_only(redis_proc, http_client):
    r = redis_proc()
    r.cli("CONFIG", "RESETSTAT")
    await run(r.url(), http_client)
    stats = r.client().info("commandstats")
    used = {k.removeprefix("cmdstat_") for k in stats}
    # the test's own CONFIG RESETSTAT aside, the check used only the handshake, PING and INFO
    assert used - {"config|resetstat"} <= {"hello", "auth", "ping", "info"}, used
    assert "keys" not in used and "set" not in used


async def test_wrong_password(redis_proc, http_client):
    r = redis_proc(password=CANARY_REDIS)
    f = await run(r.url(password="wrong-password-123"), http_client)
    assert (f.status, f.outcome) == ("fail", "auth_failed")
    assert "WRONGPASS" in f.evidence["error"] or "invalid" in f.evidence["error"].lower()


async def test_no_password_given(redis_proc, http_client):
    r = redis_proc(password=CANARY_REDIS)
    f = await run(f"redis://127.0.0.1:{r.port}/0", http_client)
    assert (f.status, f.outcome) == ("fail", "auth_failed")


async def test_right_password_never_shown(redis_proc, http_client):
    r = redis_proc(password=CANARY_REDIS)
    f = await run(r.url(), http_client)
    assert f.outcome == "ok"
    assert f.evidence["server"] == f"redis://127.0.0.1:{r.port}/0"


async def test_refused(http_client):
    started = time.monotonic()
    f = await run(f"redis://:{CANARY_REDIS}@127.0.0.1:{free_port()}/0", http_client)
    assert (f.status, f.outcome) == ("fail", "unreachable")
    assert time.monotonic() - started < 1.0  # one attempt, no retries


async def test_silent_server_one_attempt_within_timeout(silent_tcp, http_client):
    port = silent_tcp.sockets[0].getsockname()[1]
    started = time.monotonic()
    f = await run(f"redis://:{CANARY_REDIS}@127.0.0.1:{port}/0", http_client, lang="es")
    elapsed = time.monotonic() - started
    assert (f.status, f.outcome) == ("fail", "unreachable")
    assert elapsed < 1.5, elapsed  # socket timeout 0.5 s, one attempt
    # the silent server did receive the AUTH (it is where the URL points), but only once
    assert b"".join(silent_tcp.received).count(b"AUTH") <= 1


async def test_noeviction_near_max(redis_proc, http_client):
    r = redis_proc("--maxmemory-policy", "noeviction")
    used = r.client().info("memory")["used_memory"]
    r.cli("CONFIG", "SET", "maxmemory", str(int(used * 1.04)))
    f = await run(r.url(), http_client)
    assert (f.status, f.outcome) == ("fail", "eviction_risk"), f.summary
    assert f.evidence["maxmemory_policy"] == "noeviction"


async def test_evictions_with_lru(redis_proc, http_client):
    r = redis_proc("--maxmemory-policy", "allkeys-lru")
    c = r.client()
    used = c.info("memory")["used_memory"]
    c.config_set("maxmemory", used + 300_000)
    for i in range(200):  # one by one: a pipeline's query buffer counts as used memory too
        c.set(f"k{i}", b"x" * 10_000)
    assert c.info("stats")["evicted_keys"] > 0
    f = await run(r.url(), http_client)
    assert (f.status, f.outcome) == ("warn", "eviction_risk"), f.summary


async def test_low_hit_ratio_and_keys_hint(redis_proc, http_client):
    r = redis_proc()
    c = r.client()
    c.set("present", "1")
    pipe = c.pipeline()
    for i in range(150):
        pipe.get(f"missing{i}")
    for _ in range(20):
        pipe.get("present")
    pipe.execute()
    c.keys("copycar:*")  # the guide's pitfall, done by "the app"
    f = await run(r.url(), http_client)
    assert (f.status, f.outcome) == ("warn", "low_hit_ratio"), f.summary
    assert f.evidence["hit_ratio"] == "11.8%"
    assert f.evidence["keys_command_calls"] == 1 and "SCAN" in f.evidence["hint"]
