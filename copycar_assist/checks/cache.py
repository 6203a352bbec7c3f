"""`cache.redis`: is the Redis cache reachable, authenticated, healthy on memory, and useful?

One attempt, bounded: redis-py retries by default (one PING to a dead host took 9 s with a
0.5 s timeout), so the client gets `Retry(NoBackoff(), 0)`, connect and socket timeouts, and the
whole check runs inside `asyncio.timeout`. Read-only: the only commands sent are the ones the
URL implies for the handshake (AUTH, SELECT; RESP2, so no HELLO), then PING (twice: connect + ping, then ping alone)
and INFO. Never KEYS, never a write; CLIENT SETINFO is switched off too. The URL may carry a
password: it is a `Secret`, and only host:port/db are shown.

Thresholds (documented here and shown in the evidence):
- memory: policy `noeviction` and used_memory >= 90 % of maxmemory -> `eviction_risk` (fail:
  writes will start failing with OOM); an evicting policy with evicted_keys > 0 ->
  `eviction_risk` (warn: entries are pushed out before their TTL, so misses rise).
- hit ratio: keyspace_hits / (hits + misses) below 80 % with at least 1,000 lookups since the
  last stats reset -> `low_hit_ratio` (warn). Fewer lookups: not judged (too little traffic).
- `INFO commandstats` showing calls to KEYS: a hint to use SCAN (KEYS blocks the server while
  it walks every key), shown in the evidence without changing the outcome.
"""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from typing import Any

from . import loopback
from .base import CheckContext, Finding
from .integ import IntegrationCheck, finish

NEAR_MAX = 0.90
MIN_HIT_RATIO = 0.80
MIN_LOOKUPS = 1000


def safe_address(url: str) -> str:
    """host:port/db of a Redis URL, without user or password."""
    try:
        u = urllib.parse.urlsplit(url)
        if u.scheme == "unix":
            return f"unix:{u.path}"
        db = u.path.strip("/") or "0"
        return f"{u.scheme}://{u.hostname}:{u.port or 6379}/{db}"
    except ValueError:
        return "(unparsable URL)"


def _mb(n: int) -> str:
    return f"{n / 1048576:.1f} MB"


class CacheCheck(IntegrationCheck):
    id = "cache.redis"
    tags = ("cache",)
    needs = ("redis.url",)

    def __init__(self, *, timeout_s: float = 8.0, socket_timeout_s: float = 3.0,
                 min_lookups: int = MIN_LOOKUPS):
        self.timeout_s, self.socket_timeout_s, self.min_lookups = timeout_s, socket_timeout_s, min_lookups

    def client(self, url: str):
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        return Redis.from_url(
            url, socket_connect_timeout=self.socket_timeout_s, socket_timeout=self.socket_timeout_s,
            retry=Retry(NoBackoff(), 0), retry_on_timeout=False, retry_on_error=[],
            single_connection_client=True, health_check_interval=0, decode_responses=True,
            driver_info=None, socket_keepalive=False,
            protocol=2)  # RESP2: plain AUTH, no HELLO, so Redis < 6 answers too

    async def run(self, ctx: CheckContext) -> Finding:
        secret = ctx.settings.redis.url
        if not secret:
            return finish(ctx, "skipped", "skipped", ctx.t(es="Configura redis.url.", en="Set redis.url."))
        url = secret.reveal()
        ev: dict[str, Any] = {"server": safe_address(url)}
        url, refused = await _pinned(ctx, url, ev)
        if refused:
            return refused
        ctx.step(ctx.t(es=f"Conectando con {ev['server']}…", en=f"Connecting to {ev['server']}…"))
        try:
            client = self.client(url)
        except (ValueError, TypeError) as exc:
            return finish(ctx, "fail", "unreachable", ctx.t(
                es=f"redis.url no es válida: {type(exc).__name__}.", en=f"redis.url is not valid: {type(exc).__name__}."), ev)
        del url
        try:
            async with asyncio.timeout(self.budget()):
                return await self._probe(ctx, client, ev)
        except TimeoutError:
            return finish(ctx, "fail", "unreachable", ctx.t(
                es=f"{ev['server']} no respondió dentro de {self.budget():.1f} s (un solo intento).",
                en=f"{ev['server']} did not answer within {self.budget():.1f} s (one attempt)."), ev)
        finally:
            try:
                async with asyncio.timeout(1.0):
                    await client.aclose()
            except BaseException:  # noqa: BLE001 - closing is best effort
                pass

    async def _probe(self, ctx: CheckContext, client, ev: dict) -> Finding:
        from redis import exceptions as rx

        where = ev["server"]
        started = time.perf_counter()
        try:
            await client.ping()
            ev["connect_ping_ms"] = int((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await client.ping()
            ev["ping_ms"] = round((time.perf_counter() - started) * 1000, 2)
        except rx.AuthenticationError as exc:
            ev["error"] = _error_text(exc)
            return finish(ctx, "fail", "auth_failed", ctx.t(
                es=f"Redis en {where} rechaza la autenticación ({ev['error']}): revisa la contraseña (y el usuario ACL) de redis.url.",
                en=f"Redis at {where} rejects the authentication ({ev['error']}): check the password (and ACL user) in redis.url."), ev)
        except rx.ResponseError as exc:
            ev["error"] = _error_text(exc)
            if "NOAUTH" in str(exc).upper() or "WRONGPASS" in str(exc).upper():
                return finish(ctx, "fail", "auth_failed", ctx.t(
                    es=f"Redis en {where} exige autenticación ({ev['error']}).",
                    en=f"Redis at {where} requires authentication ({ev['error']})."), ev)
            return finish(ctx, "fail", "unreachable", ctx.t(
                es=f"Redis en {where} respondió con un error: {ev['error']}.",
                en=f"Redis at {where} answered with an error: {ev['error']}."), ev)
        except (rx.TimeoutError, TimeoutError) as exc:
            ev["error"] = _error_text(exc)
            return finish(ctx, "fail", "unreachable", ctx.t(
                es=f"{where} no responde (timeout de {self.socket_timeout_s:g} s, un solo intento): ¿es un Redis? ¿cortafuegos?",
                en=f"{where} does not answer (timeout {self.socket_timeout_s:g} s, one attempt): is it a Redis? a firewall?"), ev)
        except (rx.ConnectionError, OSError) as exc:
            ev["error"] = _error_text(exc)
            return finish(ctx, "fail", "unreachable", ctx.t(
                es=f"No se puede conectar con Redis en {where}: {ev['error']}.",
                en=f"Cannot connect to Redis at {where}: {ev['error']}."), ev)

        try:
            info = await client.info()
        except rx.ResponseError as exc:  # INFO renamed or denied by ACL (managed services)
            ev["info"] = _error_text(exc)
            return finish(ctx, "pass", "ok", ctx.t(
                es=f"Redis en {where} responde a PING en {ev['ping_ms']} ms; INFO no está permitido, así que memoria y aciertos no se comprueban.",
                en=f"Redis at {where} answers PING in {ev['ping_ms']} ms; INFO is not allowed, so memory and hit ratio are not checked."), ev)
        try:
            cmdstats = await client.info("commandstats")
        except rx.ResponseError:
            cmdstats = {}
        return self._judge(ctx, info, cmdstats, ev)

    def _judge(self, ctx: CheckContext, info: dict, cmdstats: dict, ev: dict) -> Finding:
        where = ev["server"]
        ev["redis_version"] = str(info.get("redis_version", "?"))
        numbers = {}
        for name in ("used_memory", "maxmemory", "evicted_keys", "keyspace_hits", "keyspace_misses"):
            try:
                numbers[name] = int(info.get(name, 0) or 0)
            except (TypeError, ValueError):
                return finish(ctx, "error", "error", ctx.t(
                    es=f"Redis en {where} dio en INFO un valor que no es un número ({name}): no se puede juzgar memoria ni aciertos.",
                    en=f"Redis at {where} gave a value in INFO that is not a number ({name}): memory and hit ratio cannot be judged."), ev)
        used, maxmem, evicted = numbers["used_memory"], numbers["maxmemory"], numbers["evicted_keys"]
        hits, misses = numbers["keyspace_hits"], numbers["keyspace_misses"]
        policy = str(info.get("maxmemory_policy", "?"))
        ev.update({"used_memory": _mb(used),
                   "maxmemory": _mb(maxmem) if maxmem else ctx.t(es="0 (sin límite)", en="0 (no limit)"),
                   "maxmemory_policy": policy, "evicted_keys": evicted,
                   "keyspace_hits": hits, "keyspace_misses": misses,
                   "thresholds": ctx.t(
                       es=f"memoria ≥ {NEAR_MAX:.0%} de maxmemory; aciertos < {MIN_HIT_RATIO:.0%} con ≥ {self.min_lookups} lecturas",
                       en=f"memory ≥ {NEAR_MAX:.0%} of maxmemory; hit ratio < {MIN_HIT_RATIO:.0%} with ≥ {self.min_lookups} lookups")})
        try:
            keys_calls = int((cmdstats.get("cmdstat_keys") or {}).get("calls", 0) or 0)
        except (AttributeError, TypeError, ValueError):
            keys_calls = 0  # an odd commandstats line only loses the KEYS hint
        if keys_calls:
            ev["keys_command_calls"] = keys_calls
            ev["hint"] = ctx.t(
                es="Alguien llama a KEYS: bloquea Redis mientras recorre todas las claves; usa SCAN (scan_iter) con MATCH y COUNT.",
                en="Something calls KEYS: it blocks Redis while it walks every key; use SCAN (scan_iter) with MATCH and COUNT.")
        if not maxmem:
            ev["memory_note"] = ctx.t(es="sin maxmemory: Redis crece hasta que el sistema lo mata",
                                      en="no maxmemory: Redis grows until the system kills it")
        share = used / maxmem if maxmem else 0.0
        if maxmem:
            ev["memory_used"] = f"{share:.0%}"
        if policy == "noeviction" and maxmem and share >= NEAR_MAX:
            return finish(ctx, "fail", "eviction_risk", ctx.t(
                es=f"Redis en {where} usa el {share:.0%} de maxmemory con la política noeviction: al llenarse, las escrituras fallarán con OOM. Sube maxmemory o usa allkeys-lru/volatile-lru con TTL.",
                en=f"Redis at {where} uses {share:.0%} of maxmemory with policy noeviction: when full, writes fail with OOM. Raise maxmemory or use allkeys-lru/volatile-lru with TTLs."), ev)
        if policy != "noeviction" and evicted > 0:
            return finish(ctx, "warn", "eviction_risk", ctx.t(
                es=f"Redis en {where} ha expulsado {evicted} claves por falta de memoria ({policy}): el caché pierde entradas antes de su TTL. Sube maxmemory o reduce lo que se guarda.",
                en=f"Redis at {where} has evicted {evicted} keys for lack of memory ({policy}): the cache loses entries before their TTL. Raise maxmemory or store less."), ev)
        lookups = hits + misses
        if lookups:
            ev["hit_ratio"] = f"{hits / lookups:.1%}"
        if lookups >= self.min_lookups and hits / lookups < MIN_HIT_RATIO:
            return finish(ctx, "warn", "low_hit_ratio", ctx.t(
                es=f"Tasa de aciertos del caché {hits / lookups:.0%} (< {MIN_HIT_RATIO:.0%}) en {lookups} lecturas: claves que cambian entre procesos (hash() de Python), TTL demasiado corto o datos que no se repiten.",
                en=f"Cache hit ratio {hits / lookups:.0%} (< {MIN_HIT_RATIO:.0%}) over {lookups} lookups: keys that differ between processes (Python's hash()), TTLs too short, or data that never repeats."), ev)
        if lookups < self.min_lookups:
            ev["hit_ratio_note"] = ctx.t(es=f"pocas lecturas ({lookups}) para juzgar la tasa de aciertos",
                                         en=f"too few lookups ({lookups}) to judge the hit ratio")
        return finish(ctx, "pass", "ok", ctx.t(
            es=f"Redis en {where} responde (PING {ev['ping_ms']} ms), memoria y tasa de aciertos correctas.",
            en=f"Redis at {where} answers (PING {ev['ping_ms']} ms); memory and hit ratio look fine."), ev)


async def _pinned(ctx: CheckContext, url: str, ev: dict) -> tuple[str, Finding | None]:
    """A password over `redis://` (no TLS) goes only to loopback by the one rule
    (`loopback.py`), and then to the address that was checked; otherwise the check does not run."""
    try:
        u = urllib.parse.urlsplit(url)
        if u.scheme != "redis" or not (u.password or u.username) or not u.hostname:
            return url, None
        port = u.port or 6379
    except ValueError:
        return url, None  # the client reports an unparsable URL
    dest = await loopback.resolve(u.hostname, port)
    if not dest.loopback:
        shown = ", ".join(dest.addresses[:4]) or ctx.t(es="ninguna dirección", en="no address")
        return url, finish(ctx, "error", "error", ctx.t(
            es=f"No se envió la contraseña: redis.url usa redis:// (sin TLS) hacia {u.hostname}, que resuelve a {shown} y no solo a loopback. Usa rediss://.",
            en=f"The password was not sent: redis.url uses redis:// (no TLS) to {u.hostname}, which resolves to {shown}, not only to loopback. Use rediss://."), ev)
    host = f"[{dest.address}]" if ":" in dest.address else dest.address
    userinfo = u.netloc.rpartition("@")[0]
    return urllib.parse.urlunsplit((u.scheme, f"{userinfo}@{host}:{port}", u.path, u.query, u.fragment)), None


def _error_text(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:200]


CHECKS = [CacheCheck()]
