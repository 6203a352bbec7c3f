"""The demo world: every service the guide involves, on loopback, in this process, for one
scenario or a combination of them (`catalogue.py`).

    world = DemoWorld("expired-key,smtp-no-starttls")   # binds its ports; starts nothing
    world.settings()          # dotted setting -> value: where every check should point
    await world.prepare(["api.verify", "email.smtp"])   # starts what those checks talk to
    world.samples             # the scenario's prompt, account records, e-mail and call log
    world.stop()              # stops every service, closes every port, removes its files

Construction is cheap (a few bound sockets; the private directory comes with SMTP), so the first frame
never waits for the world: each service starts the first time a check needs it (the check
runner calls `prepare` through `Settings.services`). Ports are bound at once, so the settings
know every address before anything runs; a socket that is bound but not listening refuses
connections, which is also what the `connection-refused` and `redis-down` scenarios point at.
Redis is the exception: redis-server binds its own port (chosen free at construction, chosen
again if it was taken meanwhile). Nothing here writes outside the world's private directory.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from copycar_assist.files.msg import Msg

from . import cache, dns, smtp
from .catalogue import Scenario, resolve, samples_for
from .content import Samples
from .crm import CRM_SCENARIOS, DEMO_CRM_TOKEN, DEMO_FIELD_MAP
from .crm import PREFIX as CRM_PREFIX
from .scenarios import DEMO_KEY, DOWN_ENDPOINTS
from .scenarios import SCENARIOS as API_SCENARIOS

if TYPE_CHECKING:
    from copycar_assist.config_schema import Value

    from .loop import LoopThread
    from .server import SimOptions, SimulatorHandle

log = logging.getLogger(__name__)
HOST = "127.0.0.1"
ENDPOINTS = ("eu-west-1", *DOWN_ENDPOINTS)  # endpoints-down: the load balancer's three endpoints


def _tcp(port: int = 0) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((HOST, port))
    except OSError:
        s.close()
        raise
    return s


def _udp() -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((HOST, 0))
    return s


def _port_of(sock: socket.socket) -> int:
    """The port an IPv4 socket is bound to (typeshed types the address as Any)."""
    port: int = sock.getsockname()[1]
    return port


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return _port_of(s)


def service_of(check_id: str) -> str | None:
    """The demo service a check talks to (None: it reads only settings or material)."""
    if check_id.startswith(("api.", "crm.")):
        return "http"
    return {"email.smtp": "smtp", "monitor.alerts": "smtp", "email.domain": "dns", "cache.redis": "redis"}.get(check_id)


class _AsyncService(Protocol):
    """A demo service served on the world's event loop (SMTP, DNS)."""

    def start(self) -> Coroutine[Any, Any, None]: ...

    def stop(self) -> Coroutine[Any, Any, None]: ...


# What a started service is kept as: the API's servers, the redis-server (None: the scenario has
# nothing listen), or a service on the world's loop.
_Started = list["SimulatorHandle"] | cache.RedisService | _AsyncService | None


class DemoWorld:
    def __init__(self, scenario: str = "healthy", *, http_port: int = 0, delay_ms: int | None = None,
                 rate_limit_after: int | None = None) -> None:
        """`http_port`: the API's port (0: a free one; `OSError` when taken); `delay_ms` and
        `rate_limit_after`: the API simulator's options (`server.SimState`)."""
        self.parts: list[Scenario] = resolve(scenario)  # UnknownScenario (a ValueError) when bad
        self._http_options: SimOptions = {"delay_ms": delay_ms, "rate_limit_after": rate_limit_after}
        self.names = [s.name for s in self.parts]
        self.scenario = ",".join(self.names)
        self.samples: Samples = samples_for(self.parts)
        self._lock = threading.Lock()
        self._started: dict[str, _Started] = {}
        self._failed: dict[str, Msg] = {}
        self._loop: LoopThread | None = None
        self._stopped = False
        # called with (dotted setting, new value) when an address changes
        self.on_moved: Callable[[str, str], None] | None = None
        self._http_sock = _tcp(http_port)
        # the private directory (the demo CA for SMTP) is made when SMTP starts: a world that
        # never needs it leaves nothing behind even if the process is killed
        self.dir = Path(tempfile.gettempdir()) / f"copycar-demo-{os.getpid()}-{os.urandom(6).hex()}"
        self._tls_sock = _tcp() if self.has("tls-untrusted") else None
        self._smtp_sock = _tcp()
        self._dns_sock = _udp()
        # bound and never listening: connections to it are refused at once
        self._refused_sock = _tcp() if self.has("connection-refused") or self.has("redis-down") else None
        self.redis_port = _free_port()

    # --- what the world is --------------------------------------------------------------------

    def has(self, name: str) -> bool:
        return name in self.names

    def part(self, service: str) -> str | None:
        """The scenario that changes `service`, or None (healthy there)."""
        return next((s.name for s in self.parts if s.service == service), None)

    @property
    def http_port(self) -> int:
        return _port_of(self._http_sock)

    @property
    def root_url(self) -> str:
        return f"http://{HOST}:{self.http_port}"

    def _port(self, sock: socket.socket | None) -> int:
        assert sock is not None
        return _port_of(sock)

    def base_url(self) -> str:
        if self.has("connection-refused"):
            return f"http://{HOST}:{self._port(self._refused_sock)}/v2"
        if self.has("tls-untrusted"):
            return f"https://{HOST}:{self._port(self._tls_sock)}/v2"
        if self.has("wrong-base-url"):
            return f"{self.root_url}/v1"
        return f"{self.root_url}/v2"

    def redis_url(self) -> str:
        if self.has("redis-down"):
            return cache.url(self._port(self._refused_sock))
        return cache.url(self.redis_port)

    def ca_file(self) -> str:
        return str(self.dir / "demo-ca.pem")

    def settings(self) -> dict[str, Value | None]:
        """Every setting the demo points at its services: dotted name -> value (secrets as text)."""
        out: dict[str, Value | None] = {
            "api.base_url": self.base_url(),
            "api.key": None if self.has("missing-key") else DEMO_KEY,
            "api.endpoints": [f"{self.root_url}/lb/{n}/v2" for n in ENDPOINTS] if self.has("endpoints-down") else [],
            "crm.kind": "rest", "crm.base_url": self.root_url + CRM_PREFIX, "crm.token": DEMO_CRM_TOKEN,
            "crm.field_map": dict(DEMO_FIELD_MAP),
            "smtp.host": HOST, "smtp.port": self._port(self._smtp_sock), "smtp.password": smtp.PASSWORD,
            "smtp.ca_file": self.ca_file(), **smtp.settings_for(self.part("smtp")),
            **dns.settings_for(self._port(self._dns_sock)),
            "redis.url": self.redis_url(),
            # the monitor's alerts go to the demo team, unless the scenario leaves them nowhere to go
            "monitor.alert_to": [] if self.has("alerts-no-destination") else [f"guardia@{smtp.DOMAIN}"],
        }
        return out

    def http_scenario(self) -> str:
        """The part of the scenario the HTTP simulator plays (the API's and the CRM's)."""
        parts = [n for n in self.names if n in API_SCENARIOS or n in CRM_SCENARIOS]
        return ",".join(parts) or "healthy"

    # --- starting on demand ---------------------------------------------------------------------

    async def prepare(self, check_ids: list[str]) -> dict[str, Msg]:
        """Start what these checks talk to (`config.OnDemand`); check id -> why it cannot run."""
        needed = list(dict.fromkeys(s for s in map(service_of, check_ids) if s))
        for name in needed:
            await asyncio.to_thread(self.ensure, name)
        out: dict[str, Msg] = {}
        for cid in check_ids:
            reason = self._failed.get(service_of(cid) or "")
            if reason:
                out[cid] = reason
        return out

    def ensure(self, name: str) -> None:
        """Start one service (http, smtp, dns, redis) unless it runs already; blocking."""
        with self._lock:
            if self._stopped or name in self._started or name in self._failed:
                return
            try:
                self._started[name] = self._start(name)
            except cache.NotInstalled:
                self._failed[name] = cache.NOT_INSTALLED
            except Exception as exc:
                log.info("demo service %s did not start: %s", name, exc)
                what = f"{type(exc).__name__}: {exc}"
                self._failed[name] = Msg.of("sim.service_not_started", name=name, what=what)

    def start_all(self) -> dict[str, Msg]:
        """Start every service now (`simulate` in the foreground); service -> why it did not start."""
        for name in ("http", "smtp", "dns", "redis"):
            self.ensure(name)
        return dict(self._failed)

    def _start(self, name: str) -> _Started:
        if name == "http":
            from .server import start_simulator

            handles = [start_simulator(self.http_scenario(), sock=self._http_sock, **self._http_options)]
            if self._tls_sock is not None:  # the API over TLS, with a certificate nobody trusts
                from .certs import DemoCA

                handles.append(start_simulator("healthy", sock=self._tls_sock, tls=DemoCA().server_context()))
            return handles
        if name == "redis":
            if self.has("redis-down"):
                return None  # nothing to start: the point is that nothing listens
            if cache.redis_server() is None:
                raise cache.NotInstalled()
            return self._start_redis()
        service: _AsyncService
        if name == "smtp":
            from .certs import DemoCA

            ca = DemoCA()
            self.dir.mkdir(mode=0o700)  # exclusive: an existing one (a collision, a trap) is an error
            ca.write_ca(Path(self.ca_file()))
            service = smtp.SmtpService(self._smtp_sock, self.part("smtp"), ca.server_context())
        elif name == "dns":
            service = dns.DnsService(self._dns_sock, self.part("dns"))
        else:
            raise ValueError(f"unknown demo service {name!r}")
        self._loop_thread().call(service.start(), 10)
        return service

    def _start_redis(self) -> cache.RedisService:
        for _attempt in range(3):
            service = cache.RedisService(self.redis_port, self.part("redis"))
            try:
                service.start()
                return service
            except OSError:
                service.stop()
                self.redis_port = _free_port()  # taken meanwhile: another one, and the settings follow
                if self.on_moved is not None:
                    self.on_moved("redis.url", self.redis_url())
            except BaseException:
                service.stop()
                raise
        raise OSError("redis-server could not bind a free port")


    def _loop_thread(self) -> LoopThread:
        if self._loop is None:
            from .loop import LoopThread

            self._loop = LoopThread()
        return self._loop

    # --- stopping ---------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop every service, close every socket, remove the private directory. Idempotent."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            started, self._started = self._started, {}
        for name, service in started.items():
            try:
                if isinstance(service, list):  # the API's servers
                    for handle in service:
                        handle.stop()
                elif isinstance(service, cache.RedisService):
                    service.stop()
                elif service is not None:  # a service on the world's loop, which started it
                    assert self._loop is not None
                    self._loop.call(service.stop(), 5)
            except Exception as exc:
                log.info("demo service %s did not stop cleanly: %s", name, exc)
        if self._loop is not None:
            self._loop.stop()
        for sock in (self._http_sock, self._tls_sock, self._smtp_sock, self._dns_sock, self._refused_sock):
            if sock is not None:
                sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> DemoWorld:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"DemoWorld({self.scenario!r}, started={sorted(self._started)})"
