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
    needs = ("redis.url",)

    def __init__(self, *, timeout_s: float = 8.0, socket_timeout_s: float = 3.0,
                 min_lookups: int = MIN_LOOKUPS, slow_ms: float = SLOW_MS):
        self.timeout_s, self.socket_timeout_s, self.min_lookups = timeout_s, socket_timeout_s, min_lookups
        self.slow_ms = slow_ms

    async def run(self, ctx: CheckContext) -> Finding:
        secret = ctx.settings.redis.url
        if not secret:
            return self.finding("skipped", "skipped", ctx.t(es="Configura redis.url.", en="Set redis.url."))
        try:
            target = parse_url(secret.reveal())
        except BadUrl as exc:
            return self.finding("fail", "unreachable", ctx.t(
                es=f"redis.url no es válida: {exc}.", en=f"redis.url is not valid: {exc}."), {})
        where = target.address()
        ev: Evidence = {"server": where}
        if target.scheme == "redis" and target.host and (target.password is not None or target.username):
            # A password without TLS goes only to loopback by the one rule (loopback.py), and then
            # to the address that was checked.
            dest = await loopback.resolve(target.host, target.port)
            if not dest.loopback:
                shown = ", ".join(dest.addresses[:4]) or ctx.t(es="ninguna dirección", en="no address")
                return self.finding("error", "error", ctx.t(
                    es=f"No se envió la contraseña: redis.url usa redis:// (sin TLS) hacia {target.host}, que resuelve a {shown} y no solo a loopback. Usa rediss://.",
                    en=f"The password was not sent: redis.url uses redis:// (no TLS) to {target.host}, which resolves to {shown}, not only to loopback. Use rediss://."), ev)
            target = dataclasses.replace(target, host=dest.address)
        ctx.step(ctx.t(es=f"Conectando con {where}…", en=f"Connecting to {where}…"))
        probe = RedisProbe(target, connect_timeout_s=self.socket_timeout_s, reply_timeout_s=self.socket_timeout_s,
                           deadline_s=self.budget())
        r = await probe.run()
        ev["round_trips_ms"] = {t.name: t.ms for t in r.trips}
        ping = next((t for t in r.trips if t.name == "ping_2" and t.ok), None)
        if ping:
            ev["ping_ms"] = ping.ms
        if r.outcome == "error":
            ev["error"] = r.detail
            return self.finding("error", "error", ctx.t(
                es=f"Redis en {where} responde a PING, pero su respuesta a {_STEP_NAMES.get(r.step, r.step)} no se leyó: {r.detail} (límite {MAX_BULK // 1024} KB). Memoria y tasa de aciertos sin comprobar.",
                en=f"Redis at {where} answers PING, but its {_STEP_NAMES.get(r.step, r.step)} reply was not read: {r.detail} (cap {MAX_BULK // 1024} KB). Memory and hit ratio unchecked."), ev)
        if r.outcome != "ok":
            ev["waited" if r.reason in ("timeout", "connect_timeout", "tls_timeout", "deadline") else "error"] = r.detail
            return self.finding("fail", r.outcome, self._failure_text(ctx, r, where, target.password is not None), ev)
        slow = self._latency(ctx, r, ev)
        if r.info is None:
            ev["info"] = r.info_error
            if slow:
                return self.finding("warn", "blocked", slow, ev)
            return self.finding("pass", "ok", ctx.t(
                es=f"Redis en {where} responde a PING en {ev['ping_ms']} ms; INFO no está permitido, así que memoria y aciertos no se comprueban.",
                en=f"Redis at {where} answers PING in {ev['ping_ms']} ms; INFO is not allowed, so memory and hit ratio are not checked."), ev)
        return self._judge(ctx, r.info, r.commandstats, ev, slow)

    # --- failures ------------------------------------------------------------------------------

    def _failure_text(self, ctx: CheckContext, r: RedisResult, where: str, has_password: bool) -> str:
        t, d, reason = ctx.t, r.detail, r.reason
        step = _STEP_NAMES.get(r.step, r.step)
        tcp = next((x.ms for x in r.trips if x.name == "connect" and x.ok), None)
        if r.outcome == "blocked":
            if reason in ("busy", "loading"):
                return t(es=f"Redis en {where} está ocupado y no atiende comandos ({d}): un script que no termina o la carga de datos tras un reinicio.",
                         en=f"Redis at {where} is busy and serves no commands ({d}): a script that does not finish, or the dataset still loading after a restart.")
            return t(es=f"Conectado con {where} (TCP en {tcp} ms), pero Redis no respondió a {step} en {d}: está bloqueado por un comando lento (KEYS, DEBUG SLEEP, un script Lua largo) o saturado, o lo que escucha ahí no es Redis. No es la red: la conexión se estableció.",
                     en=f"Connected to {where} (TCP in {tcp} ms), but Redis did not answer {step} within {d}: it is blocked by a slow command (KEYS, DEBUG SLEEP, a long Lua script) or overloaded, or what listens there is not Redis. Not the network: the connection was made.")
        if r.outcome == "auth_failed":
            if reason == "noauth" and not has_password:
                return t(es=f"Redis en {where} exige contraseña y redis.url no lleva ninguna ({d}): añádela a la URL (redis://:CONTRASEÑA@host:puerto/db, o con el usuario ACL).",
                         en=f"Redis at {where} requires a password and redis.url has none ({d}): add it to the URL (redis://:PASSWORD@host:port/db, or with the ACL user).")
            if reason == "no_password_on_server":
                return t(es=f"redis.url lleva contraseña, pero Redis en {where} no tiene ninguna configurada ({d}): quítala de la URL o configura requirepass / un usuario ACL en el servidor.",
                         en=f"redis.url carries a password, but Redis at {where} has none set ({d}): remove it from the URL, or set requirepass / an ACL user on the server.")
            if reason == "noperm":
                return t(es=f"Redis en {where} acepta al usuario, pero no le deja ejecutar {step} ({d}): revisa los permisos ACL.",
                         en=f"Redis at {where} accepts the user but does not allow it {step} ({d}): check the ACL permissions.")
            return t(es=f"Redis en {where} rechaza la contraseña (o el usuario ACL) de redis.url ({d}).",
                     en=f"Redis at {where} rejects the password (or ACL user) in redis.url ({d}).")
        # unreachable
        if reason == "dns":
            return t(es=f"El nombre de {where} no se resuelve (DNS): revisa redis.url.",
                     en=f"The host of {where} does not resolve (DNS): check redis.url.")
        if reason == "refused":
            return t(es=f"{where} rechaza la conexión: Redis no está arrancado, el puerto no es ese o un cortafuegos lo impide.",
                     en=f"{where} refuses the connection: Redis is not running, the port is wrong, or a firewall is in the way.")
        if reason == "connect_timeout":
            return t(es=f"No se pudo conectar con {where} en {d} (un solo intento): cortafuegos, host equivocado o red caída.",
                     en=f"Could not connect to {where} within {d} (one attempt): a firewall, the wrong host or a network down.")
        if reason == "tls_verify":
            return t(es=f"El certificado TLS de {where} no es de confianza ({d}). No se envió la contraseña.",
                     en=f"The TLS certificate of {where} is not trusted ({d}). The password was not sent.")
        if reason in ("tls_timeout", "tls_handshake"):
            return t(es=f"La negociación TLS con {where} falló ({d}): si ese puerto habla Redis sin cifrar, usa redis:// en lugar de rediss://.",
                     en=f"The TLS handshake with {where} failed ({d}): if that port speaks plain Redis, use redis:// instead of rediss://.")
        if reason in ("closed_at_start", "tls_port"):
            hint = t(es=" Si el puerto solo acepta TLS, usa rediss:// en lugar de redis://.",
                     en=" If the port only accepts TLS, use rediss:// instead of redis://.") if where.startswith("redis://") else ""
            return t(es=f"{where} cortó la conexión en cuanto recibió el primer comando ({d}).{hint}",
                     en=f"{where} dropped the connection at the first command ({d}).{hint}")
        if reason in ("protocol", "line_too_long", "too_large"):
            return t(es=f"Lo que responde en {where} no habla el protocolo de Redis ({d}). ¿Es el puerto de Redis?",
                     en=f"What answers at {where} does not speak the Redis protocol ({d}). Is this Redis's port?")
        if reason == "bad_db":
            return t(es=f"Redis en {where} no tiene esa base de datos ({d}): revisa el número de base de datos de redis.url.",
                     en=f"Redis at {where} has no such database ({d}): check the database number in redis.url.")
        return t(es=f"Redis en {where} respondió con un error: {d}.", en=f"Redis at {where} answered with an error: {d}.")

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
            return ctx.t(
                es=f"Todas las idas y vueltas a Redis en {where} tardan ≥ {self.slow_ms:g} ms (la más rápida {fastest.ms} ms, la más lenta {name} {slowest.ms} ms): la red hasta Redis es lenta (¿otra región?) o el servidor está saturado.",
                en=f"Every round trip to Redis at {where} takes ≥ {self.slow_ms:g} ms (fastest {fastest.ms} ms, slowest {name} {slowest.ms} ms): the network path to Redis is slow (another region?) or the server is overloaded.")
        return ctx.t(
            es=f"Redis en {where} se detuvo: {name} tardó {slowest.ms} ms (umbral {self.slow_ms:g} ms) cuando la ida y vuelta más rápida tardó {fastest.ms} ms. Un comando lento (KEYS, DEBUG SLEEP, un script largo) lo bloquea; míralo en SLOWLOG GET.",
            en=f"Redis at {where} stalled: {name} took {slowest.ms} ms (threshold {self.slow_ms:g} ms) while the fastest round trip took {fastest.ms} ms. A slow command (KEYS, DEBUG SLEEP, a long script) is blocking it; look in SLOWLOG GET.")

    def _judge(self, ctx: CheckContext, info: dict[str, Any], cmdstats: dict[str, Any], ev: Evidence, slow: str | None) -> Finding:
        where = ev["server"]
        ev["redis_version"] = str(info.get("redis_version", "?"))
        numbers = {}
        for name in ("used_memory", "maxmemory", "evicted_keys", "keyspace_hits", "keyspace_misses"):
            try:
                numbers[name] = int(info.get(name, 0) or 0)
            except (TypeError, ValueError):
                return self.finding("error", "error", ctx.t(
                    es=f"Redis en {where} dio en INFO un valor que no es un número ({name}): no se puede juzgar memoria ni aciertos.",
                    en=f"Redis at {where} gave a value in INFO that is not a number ({name}): memory and hit ratio cannot be judged."), ev)
        used, maxmem, evicted = numbers["used_memory"], numbers["maxmemory"], numbers["evicted_keys"]
        hits, misses = numbers["keyspace_hits"], numbers["keyspace_misses"]
        policy = str(info.get("maxmemory_policy", "?"))
        oom = info.get("errorstat_OOM")
        refused = _int(oom.get("count")) if isinstance(oom, dict) else 0
        ev.update({"used_memory": _mb(used),
                   "maxmemory": _mb(maxmem) if maxmem else ctx.t(es="0 (sin límite)", en="0 (no limit)"),
                   "maxmemory_policy": policy, "evicted_keys": evicted,
                   "keyspace_hits": hits, "keyspace_misses": misses,
                   "thresholds": ctx.t(
                       es=f"ida y vuelta ≥ {self.slow_ms:g} ms; memoria ≥ {NEAR_MAX:.0%} de maxmemory; aciertos < {MIN_HIT_RATIO:.0%} con ≥ {self.min_lookups} lecturas",
                       en=f"round trip ≥ {self.slow_ms:g} ms; memory ≥ {NEAR_MAX:.0%} of maxmemory; hit ratio < {MIN_HIT_RATIO:.0%} with ≥ {self.min_lookups} lookups")})
        if refused:
            ev["oom_errors"] = refused
        stats = cmdstats.get("cmdstat_keys")
        keys_calls = _int(stats.get("calls")) if isinstance(stats, dict) else 0
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
            if refused:
                return self.finding("fail", "eviction_risk", ctx.t(
                    es=f"Redis en {where} está lleno ({share:.0%} de maxmemory, política noeviction) y ya ha rechazado {refused} escrituras con OOM: la caché no guarda nada nuevo. Sube maxmemory o usa allkeys-lru/volatile-lru con TTL.",
                    en=f"Redis at {where} is full ({share:.0%} of maxmemory, policy noeviction) and has already refused {refused} writes with OOM: the cache stores nothing new. Raise maxmemory or use allkeys-lru/volatile-lru with TTLs."), ev)
            return self.finding("fail", "eviction_risk", ctx.t(
                es=f"Redis en {where} usa el {share:.0%} de maxmemory con la política noeviction: al llenarse, las escrituras fallarán con OOM. Sube maxmemory o usa allkeys-lru/volatile-lru con TTL.",
                en=f"Redis at {where} uses {share:.0%} of maxmemory with policy noeviction: when full, writes fail with OOM. Raise maxmemory or use allkeys-lru/volatile-lru with TTLs."), ev)
        if slow:
            return self.finding("warn", "blocked", slow, ev)
        if policy == "noeviction" and refused:
            return self.finding("warn", "eviction_risk", ctx.t(
                es=f"Redis en {where} ha rechazado {refused} escrituras con OOM desde el último reinicio: la memoria se llenó (ahora {share:.0%} de maxmemory, política noeviction). Sube maxmemory o usa allkeys-lru/volatile-lru con TTL.",
                en=f"Redis at {where} has refused {refused} writes with OOM since the last restart: memory filled up (now {share:.0%} of maxmemory, policy noeviction). Raise maxmemory or use allkeys-lru/volatile-lru with TTLs."), ev)
        if policy != "noeviction" and evicted > 0:
            return self.finding("warn", "eviction_risk", ctx.t(
                es=f"Redis en {where} ha expulsado {evicted} claves por falta de memoria ({policy}): el caché pierde entradas antes de su TTL. Sube maxmemory o reduce lo que se guarda.",
                en=f"Redis at {where} has evicted {evicted} keys for lack of memory ({policy}): the cache loses entries before their TTL. Raise maxmemory or store less."), ev)
        lookups = hits + misses
        if lookups:
            ev["hit_ratio"] = f"{hits / lookups:.1%}"
        if lookups >= self.min_lookups and hits / lookups < MIN_HIT_RATIO:
            return self.finding("warn", "low_hit_ratio", ctx.t(
                es=f"Tasa de aciertos del caché {hits / lookups:.0%} (< {MIN_HIT_RATIO:.0%}) en {lookups} lecturas: claves que cambian entre procesos (hash() de Python), TTL demasiado corto o datos que no se repiten.",
                en=f"Cache hit ratio {hits / lookups:.0%} (< {MIN_HIT_RATIO:.0%}) over {lookups} lookups: keys that differ between processes (Python's hash()), TTLs too short, or data that never repeats."), ev)
        if lookups < self.min_lookups:
            ev["hit_ratio_note"] = ctx.t(es=f"pocas lecturas ({lookups}) para juzgar la tasa de aciertos",
                                         en=f"too few lookups ({lookups}) to judge the hit ratio")
        return self.finding("pass", "ok", ctx.t(
            es=f"Redis en {where} responde (PING {ev['ping_ms']} ms, ninguna ida y vuelta ≥ {self.slow_ms:g} ms), memoria y tasa de aciertos correctas.",
            en=f"Redis at {where} answers (PING {ev['ping_ms']} ms, no round trip ≥ {self.slow_ms:g} ms); memory and hit ratio look fine."), ev)


def _int(value: Any) -> int:
    """An INFO number as an int (0 when absent or not a number)."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


CHECKS = [CacheCheck()]
