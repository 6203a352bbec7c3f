"""cache.redis against real redis-server processes on loopback (skipped, with the reason, where
redis-server is not installed), a refused port and a silent TCP server: authentication, latency
(a stall, a server blocked past the timeout), memory, hit ratio, TLS."""

from __future__ import annotations

import threading
import time

from copycar_assist.checks.cache import CacheCheck
from copycar_assist.config import Settings
from copycar_assist.redact import Secret

from fixtures_integrations import CANARY_REDIS, free_port, make_ctx
from shipped import knowledge

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
    r = redis_proc(password=CANARY_REDIS)
    observer = r.client()
    observer.ping()  # the observer's own connection handshake happens before the reset
    observer.config_resetstat()
    f = await run(r.url(), http_client)
    assert f.outcome == "ok", f.summary
    stats = observer.info("commandstats")
    calls = {k.removeprefix("cmdstat_"): v["calls"] for k, v in stats.items()}
    # the observer's CONFIG RESETSTAT aside: one AUTH, two PINGs, two INFOs, nothing else
    calls.pop("config|resetstat", None)
    assert calls == {"auth": 1, "ping": 2, "info": 2}, calls


async def test_wrong_password(redis_proc, http_client):
    r = redis_proc(password=CANARY_REDIS)
    f = await run(r.url(password="wrong-password-123"), http_client)
    assert (f.status, f.outcome) == ("fail", "auth_failed")
    assert "WRONGPASS" in f.evidence["error"] and "rejects the password" in f.summary


async def test_no_password_given(redis_proc, http_client):
    r = redis_proc(password=CANARY_REDIS)
    f = await run(f"redis://127.0.0.1:{r.port}/0", http_client)
    assert (f.status, f.outcome) == ("fail", "auth_failed")
    # NOAUTH with no password configured is not "check the password": there is none to check
    assert "requires a password and redis.url has none" in f.summary and "NOAUTH" in f.summary
    assert "rejects" not in f.summary


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
    # connected, but nothing answered: not "cannot be reached"
    assert (f.status, f.outcome) == ("fail", "blocked")
    assert "Conectado" in f.summary and "No es la red" in f.summary
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


async def test_password_sent_to_a_server_without_one(redis_proc, http_client):
    r = redis_proc()
    f = await run(f"redis://:{CANARY_REDIS}@127.0.0.1:{r.port}/0", http_client)
    assert (f.status, f.outcome) == ("fail", "auth_failed")
    assert "has none set" in f.summary


async def test_acl_user_without_info_still_passes_on_ping(redis_proc, http_client):
    r = redis_proc()
    r.cli("ACL", "SETUSER", "app", "on", f">{CANARY_REDIS}", "~*", "+ping", "-info")
    f = await run(f"redis://app:{CANARY_REDIS}@127.0.0.1:{r.port}/0", http_client)
    assert (f.status, f.outcome) == ("pass", "ok"), f.summary
    assert "NOPERM" in f.evidence["info"] and "INFO is not allowed" in f.summary


async def test_missing_database_number(redis_proc, http_client):
    r = redis_proc("--databases", "4")
    f = await run(f"redis://127.0.0.1:{r.port}/9", http_client)
    assert (f.status, f.outcome) == ("fail", "unreachable")
    assert "no such database" in f.summary


# --- latency: judged on every round trip -----------------------------------------------------------


def _sleep_in_background(r, seconds: float) -> threading.Thread:
    """Block the server the way a slow command does (the guide's KEYS pitfall), from another client."""
    t = threading.Thread(target=r.cli, args=("DEBUG", "SLEEP", str(seconds)), daemon=True)
    t.start()
    time.sleep(0.15)  # the server is inside the sleep before the check connects
    return t


async def test_a_stall_on_one_round_trip_is_not_healthy(redis_proc, http_client):
    r = redis_proc("--enable-debug-command", "yes")
    sleeper = _sleep_in_background(r, 1.0)
    check = CacheCheck(timeout_s=6.0, socket_timeout_s=3.0, min_lookups=100)
    f = await check.run(make_ctx(redis_settings(r.url()), http_client))
    sleeper.join(5)
    assert (f.status, f.outcome) == ("warn", "blocked"), f.summary
    trips = f.evidence["round_trips_ms"]
    assert trips["ping"] >= 500 and trips["connect"] < 100 and trips["ping_2"] < 100, trips
    assert "stalled" in f.summary and "PING" in f.summary and "SLOWLOG" in f.summary
    assert f.evidence["slowest_round_trip"].startswith("PING ")


async def test_a_busy_server_is_blocked_not_unreachable(redis_proc, http_client):
    from copycar_assist.checks.runner import map_outcome

    r = redis_proc("--enable-debug-command", "yes")
    sleeper = _sleep_in_background(r, 2.0)
    started = time.monotonic()
    f = await run(r.url(), http_client)
    elapsed = time.monotonic() - started
    sleeper.join(5)
    assert (f.status, f.outcome) == ("fail", "blocked"), f.summary
    assert elapsed < 1.5, elapsed  # the reply timeout (0.5 s), not the length of the sleep
    assert "Connected" in f.summary and "Not the network" in f.summary and "KEYS" in f.summary
    assert f.evidence["round_trips_ms"]["connect"] < 100
    assert map_outcome(knowledge(), "cache.redis", "blocked") == ("cache-problems", "keys-blocking")


async def test_every_round_trip_slow_is_worded_as_a_slow_path(redis_proc, http_client):
    # a threshold below loopback's round trip stands in for a distant server
    r = redis_proc()
    f = await CacheCheck(timeout_s=4.0, socket_timeout_s=0.5, slow_ms=0.0001).run(
        make_ctx(redis_settings(r.url()), http_client))
    assert (f.status, f.outcome) == ("warn", "blocked"), f.summary
    assert "Every round trip" in f.summary and "network path" in f.summary


# --- memory ----------------------------------------------------------------------------------------


async def test_full_noeviction_counts_the_writes_already_refused(redis_proc, http_client):
    import redis

    r = redis_proc("--maxmemory-policy", "noeviction")
    c = r.client()
    c.config_set("maxmemory", c.info("memory")["used_memory"] + 200_000)
    refused = 0
    for i in range(100):
        try:
            c.set(f"k{i}", b"x" * 10_000)
        except redis.exceptions.ResponseError:
            refused += 1
    assert refused > 0
    f = await run(r.url(), http_client)
    assert (f.status, f.outcome) == ("fail", "eviction_risk"), f.summary
    assert f.evidence["oom_errors"] == refused
    assert f"has already refused {refused} writes" in f.summary and "when full" not in f.summary


# --- TLS ---------------------------------------------------------------------------------------------


async def test_rediss_verified_with_a_private_ca(redis_proc, redis_tls, http_client):
    r = redis_proc(tls=redis_tls, password=CANARY_REDIS)
    f = await run(f"rediss://:{CANARY_REDIS}@127.0.0.1:{r.port}/0?ssl_ca_certs={redis_tls.ca_file}", http_client)
    assert (f.status, f.outcome) == ("pass", "ok"), f.summary
    assert "tls" in f.evidence["round_trips_ms"]
    assert f.evidence["server"] == f"rediss://127.0.0.1:{r.port}/0"


async def test_rediss_untrusted_certificate_fails_closed(redis_proc, redis_tls, http_client):
    r = redis_proc(tls=redis_tls, password=CANARY_REDIS)
    # ssl_cert_reqs=none would switch verification off in redis-py: the probe ignores it
    f = await run(f"rediss://:{CANARY_REDIS}@127.0.0.1:{r.port}/0?ssl_cert_reqs=none", http_client)
    assert (f.status, f.outcome) == ("fail", "unreachable")
    assert "not trusted" in f.summary and "password was not sent" in f.summary
    assert "auth" not in f.evidence["round_trips_ms"]


async def test_plain_url_to_a_tls_only_port_hints_rediss(redis_proc, redis_tls, http_client):
    r = redis_proc(tls=redis_tls)
    f = await run(f"redis://127.0.0.1:{r.port}/0", http_client)
    assert (f.status, f.outcome) == ("fail", "unreachable"), f.summary
    assert "use rediss:// instead of redis://" in f.summary


async def test_tls_url_to_a_plain_port_hints_redis(redis_proc, redis_tls, http_client):
    r = redis_proc()
    started = time.monotonic()
    f = await run(f"rediss://127.0.0.1:{r.port}/0?ssl_ca_certs={redis_tls.ca_file}", http_client)
    assert (f.status, f.outcome) == ("fail", "unreachable"), f.summary
    assert "use redis:// instead of rediss://" in f.summary
    assert time.monotonic() - started < 1.5
