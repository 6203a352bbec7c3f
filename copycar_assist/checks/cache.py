"""`cache.redis`: is the Redis cache reachable, authenticated, answering in time, healthy on
memory, and useful?

The exchange is `redisprobe.py`: one attempt, a timeout on every round trip and a deadline on
the whole, capped replies, read-only (AUTH, SELECT, PING twice, INFO twice; never KEYS, never a
write). The URL may carry a password: it is a `Secret`, and only scheme://host:port/db is shown.

Thresholds (documented here and shown in the evidence):
- latency: every round trip (TCP connect, TLS, AUTH, SELECT, PING, INFO) is judged against
  `SLOW_MS` (250 ms; a cache answers in about 1 ms, and a busy client machine can add a hundred
  milliseconds of its own to one round trip). Connected but no answer within the reply
  timeout -> `blocked` (fail: a slow command such as KEYS or DEBUG SLEEP holds the server, or
  what listens is not Redis); a round trip over `SLOW_MS` -> `blocked` (warn), worded as a stall
  when the fastest round trip was quick and as a slow path when every one was slow.
- memory: policy `noeviction` and used_memory >= 90 % of maxmemory -> `eviction_risk` (fail);
  the OOM errors already returned (`errorstat_OOM`) are counted in the wording; `noeviction`
  with OOM errors but memory below 90 % now -> `eviction_risk` (warn); an evicting policy with
  evicted_keys > 0 -> `eviction_risk` (warn: entries are pushed out before their TTL).
- hit ratio: keyspace_hits / (hits + misses) below 80 % with at least 1,000 lookups since the
  last stats reset -> `low_hit_ratio` (warn). Fewer lookups: not judged (too little traffic).
- `INFO commandstats` showing calls to KEYS: a hint to use SCAN (KEYS blocks the server while
  it walks every key), shown in the evidence without changing the outcome.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from . import loopback
from .base import Check, CheckContext, Evidence, Finding
from .redisprobe import MAX_BULK, BadUrl, RedisProbe, RedisResult, parse_url

NEAR_MAX = 0.90
MIN_HIT_RATIO = 0.80
MIN_LOOKUPS = 1000
SLOW_MS = 250.0

_STEP_NAMES = {"connect": "TCP", "tls": "TLS", "auth": "AUTH", "select": "SELECT", "ping": "PING",
               "ping_2": "PING", "info": "INFO", "info_commandstats": "INFO commandstats"}


def _mb(n: int) -> str:
    return f"{n / 1048576:.1f} MB"


class CacheCheck(Check):
    id = "cache.redis"
    outcomes = ("ok", "unreachable", "blocked", "auth_failed", "eviction_risk", "low_hit_ratio")
    tags = ("cache",)

    def __init__(self, *, timeout_s: float = 8.0, socket_timeout_s: float = 3.0,
                 min_lookups: int = MIN_LOOKUPS, slow_ms: float = SLOW_MS):
        self.timeout_s, self.socket_timeout_s, self.min_lookups = timeout_s, socket_timeout_s, min_lookups
        self.slow_ms = slow_ms

    async def run(self, ctx: CheckContext) -> Finding:
        secret = ctx.settings.redis.url
        if not secret:
            return self.finding("skipped", "skipped", ctx.t("check.cache.set_redis_url"))
        try:
            target = parse_url(secret.reveal())
        except BadUrl as exc:
            return self.finding("fail", "unreachable", ctx.t("check.cache.redis_url_not_valid", exc=exc), {})
        where = target.address()
        ev: Evidence = {"server": where}
        if target.scheme == "redis" and target.host and (target.password is not None or target.username):
            # A password without TLS goes only to loopback by the one rule (loopback.py), and then
            # to the address that was checked.
            dest = await loopback.resolve(target.host, target.port)
            if not dest.loopback:
                shown = ", ".join(dest.addresses[:4]) or ctx.t("check.no_address")
                return self.finding("error", "error", ctx.t("check.cache.password_not_sent_redis", host=target.host,
                                                            shown=shown), ev)
            target = dataclasses.replace(target, host=dest.address)
        ctx.step(ctx.t("check.cache.connecting", where=where))
        probe = RedisProbe(target, connect_timeout_s=self.socket_timeout_s, reply_timeout_s=self.socket_timeout_s,
                           deadline_s=self.budget())
        r = await probe.run()
        ev["round_trips_ms"] = {t.name: t.ms for t in r.trips}
        ping = next((t for t in r.trips if t.name == "ping_2" and t.ok), None)
        if ping:
            ev["ping_ms"] = ping.ms
        if r.outcome == "error":
            ev["error"] = r.detail
            return self.finding("error", "error", ctx.t("check.cache.redis_answers_ping_but", where=where,
                                                        step=_STEP_NAMES.get(r.step, r.step), detail=r.detail,
                                                        max_bulk=MAX_BULK // 1024), ev)
        if r.outcome != "ok":
            ev["waited" if r.reason in ("timeout", "connect_timeout", "tls_timeout", "deadline") else "error"] = r.detail
            return self.finding("fail", r.outcome, self._failure_text(ctx, r, where, target.password is not None), ev)
        slow = self._latency(ctx, r, ev)
        if r.info is None:
            ev["info"] = r.info_error
            if slow:
                return self.finding("warn", "blocked", slow, ev)
            return self.finding("pass", "ok", ctx.t("check.cache.redis_answers_ping_ms_2", where=where,
                                                    ping_ms=ev['ping_ms']), ev)
        return self._judge(ctx, r.info, r.commandstats, ev, slow)

    # --- failures ------------------------------------------------------------------------------

    def _failure_text(self, ctx: CheckContext, r: RedisResult, where: str, has_password: bool) -> str:
        t, d, reason = ctx.t, r.detail, r.reason
        step = _STEP_NAMES.get(r.step, r.step)
        tcp = next((x.ms for x in r.trips if x.name == "connect" and x.ok), None)
        if r.outcome == "blocked":
            if reason in ("busy", "loading"):
                return t("check.cache.redis_busy_serves_no", where=where, d=d)
            return t("check.cache.connected_tcp_ms_but", where=where, tcp=tcp, step=step, d=d)
        if r.outcome == "auth_failed":
            if reason == "noauth" and not has_password:
                return t("check.cache.redis_requires_password_redis", where=where, d=d)
            if reason == "no_password_on_server":
                return t("check.cache.redis_url_carries_password", where=where, d=d)
            if reason == "noperm":
                return t("check.cache.redis_accepts_user_but", where=where, step=step, d=d)
            return t("check.cache.redis_rejects_password_acl", where=where, d=d)
        # unreachable
        if reason == "dns":
            return t("check.cache.host_does_not_resolve", where=where)
        if reason == "refused":
            return t("check.cache.refuses_connection_redis_not", where=where)
        if reason == "connect_timeout":
            return t("check.cache.could_not_connect_within", where=where, d=d)
        if reason == "tls_verify":
            return t("check.cache.tls_certificate_not_trusted", where=where, d=d)
        if reason in ("tls_timeout", "tls_handshake"):
            return t("check.cache.tls_handshake_failed_if", where=where, d=d)
        if reason in ("closed_at_start", "tls_port"):
            hint = t("check.cache.if_port_only_accepts") if where.startswith("redis://") else ""
            return t("check.cache.dropped_connection_first_command", where=where, d=d, hint=hint)
        if reason in ("protocol", "line_too_long", "too_large"):
            return t("check.cache.what_answers_does_not", where=where, d=d)
        if reason == "bad_db":
            return t("check.cache.redis_no_such_database", where=where, d=d)
        return t("check.cache.redis_answered_error", where=where, d=d)

    # --- latency -------------------------------------------------------------------------------

    def _latency(self, ctx: CheckContext, r: RedisResult, ev: Evidence) -> str | None:
        """A warning text when a round trip reached `slow_ms`, else None."""
        trips = [x for x in r.trips if x.ok]
        if not trips:
            return None
        slowest = max(trips, key=lambda x: x.ms)
        fastest = min(trips, key=lambda x: x.ms)
        ev["slowest_round_trip"] = f"{_STEP_NAMES.get(slowest.name, slowest.name)} {slowest.ms} ms"
        if slowest.ms < self.slow_ms:
            return None
        where, name = ev["server"], _STEP_NAMES.get(slowest.name, slowest.name)
        if fastest.ms >= self.slow_ms:
            return ctx.t("check.cache.every_round_trip_redis", where=where, slow_ms=self.slow_ms, ms=fastest.ms,
                         name=name, ms2=slowest.ms)
        return ctx.t("check.cache.redis_stalled_took_ms", where=where, name=name, ms=slowest.ms, slow_ms=self.slow_ms,
                     ms2=fastest.ms)

    def _judge(self, ctx: CheckContext, info: dict[str, Any], cmdstats: dict[str, Any], ev: Evidence, slow: str | None) -> Finding:
        where = ev["server"]
        ev["redis_version"] = str(info.get("redis_version", "?"))
        numbers = {}
        for name in ("used_memory", "maxmemory", "evicted_keys", "keyspace_hits", "keyspace_misses"):
            try:
                numbers[name] = int(info.get(name, 0) or 0)
            except (TypeError, ValueError):
                return self.finding("error", "error", ctx.t("check.cache.redis_gave_value_info", where=where,
                                                            name=name), ev)
        used, maxmem, evicted = numbers["used_memory"], numbers["maxmemory"], numbers["evicted_keys"]
        hits, misses = numbers["keyspace_hits"], numbers["keyspace_misses"]
        policy = str(info.get("maxmemory_policy", "?"))
        oom = info.get("errorstat_OOM")
        refused = _int(oom.get("count")) if isinstance(oom, dict) else 0
        ev.update({"used_memory": _mb(used),
                   "maxmemory": _mb(maxmem) if maxmem else ctx.t("check.cache.no_limit"),
                   "maxmemory_policy": policy, "evicted_keys": evicted,
                   "keyspace_hits": hits, "keyspace_misses": misses,
                   "thresholds": ctx.t("check.cache.round_trip_ms_memory", slow_ms=self.slow_ms, near_max=NEAR_MAX,
                                       min_hit_ratio=MIN_HIT_RATIO, min_lookups=self.min_lookups)})
        if refused:
            ev["oom_errors"] = refused
        stats = cmdstats.get("cmdstat_keys")
        keys_calls = _int(stats.get("calls")) if isinstance(stats, dict) else 0
        if keys_calls:
            ev["keys_command_calls"] = keys_calls
            ev["hint"] = ctx.t("check.cache.something_calls_keys_blocks")
        if not maxmem:
            ev["memory_note"] = ctx.t("check.cache.no_maxmemory_redis_grows")
        share = used / maxmem if maxmem else 0.0
        if maxmem:
            ev["memory_used"] = f"{share:.0%}"
        if policy == "noeviction" and maxmem and share >= NEAR_MAX:
            if refused:
                return self.finding("fail", "eviction_risk", ctx.t("check.cache.redis_full_maxmemory_policy",
                                                                   where=where, share=share, refused=refused), ev)
            return self.finding("fail", "eviction_risk", ctx.t("check.cache.redis_uses_maxmemory_policy", where=where,
                                                               share=share), ev)
        if slow:
            return self.finding("warn", "blocked", slow, ev)
        if policy == "noeviction" and refused:
            return self.finding("warn", "eviction_risk", ctx.t("check.cache.redis_refused_writes_oom", where=where,
                                                               refused=refused, share=share), ev)
        if policy != "noeviction" and evicted > 0:
            return self.finding("warn", "eviction_risk", ctx.t("check.cache.redis_evicted_keys_lack", where=where,
                                                               evicted=evicted, policy=policy), ev)
        lookups = hits + misses
        if lookups:
            ev["hit_ratio"] = f"{hits / lookups:.1%}"
        if lookups >= self.min_lookups and hits / lookups < MIN_HIT_RATIO:
            return self.finding("warn", "low_hit_ratio", ctx.t("check.cache.cache_hit_ratio_over", hits=hits / lookups,
                                                               min_hit_ratio=MIN_HIT_RATIO, lookups=lookups), ev)
        if lookups < self.min_lookups:
            ev["hit_ratio_note"] = ctx.t("check.cache.too_few_lookups_judge", lookups=lookups)
        return self.finding("pass", "ok", ctx.t("check.cache.redis_answers_ping_ms", where=where, ping_ms=ev['ping_ms'],
                                                slow_ms=self.slow_ms), ev)


def _int(value: Any) -> int:
    """An INFO number as an int (0 when absent or not a number)."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


CHECKS = [CacheCheck()]
