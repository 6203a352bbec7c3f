"""A real HTTP server on 127.0.0.1 for the demo API, in a background thread.

Routes: `/v2/...` is the CopyCar API (`scenarios.handle_api`); `/lb/<name>/v2/...` is the same API
as one of many load-balanced endpoints (so `api.endpoints` can list fifty of them on one simulator);
`/v1/...` answers 301 to `/v2/...` (an old version in the base URL); other prefixes can be mounted
with `register_routes(prefix, handler)` (the CRM simulator in `simulator/crm.py` does so). A
handler gets a `SimRequest` and returns a `SimResponse` (or None for 404).

A scenario may be a combination (`"expired-key,crm-bad-token"`): each family of routes sees the
part that belongs to it (the API its own, a mounted prefix the names it registered), or its
healthy default. The server can serve on a socket bound beforehand (the demo world binds every
port at once and starts each server when a check first needs it) and over TLS.

The listen queue holds `LISTEN_BACKLOG` connections: the socketserver default of 5 made the kernel
drop connections as soon as ten checks connected at once, and each paid a one-second SYN retry.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Callable, Container, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import import_module
from typing import Any, TypedDict, Unpack
from urllib.parse import parse_qsl, urlsplit

from .scenarios import API_PREFIX, DEFAULT_SLOW_DELAY_MS, SCENARIOS, SimRequest, SimResponse, handle_api

Handler = Callable[[SimRequest], "SimResponse | None"]

_ROUTES: dict[str, Handler] = {}
_ROUTE_SCENARIOS: dict[str, set[str]] = {}  # prefix -> the scenario names its handler knows
_EXTRA_SCENARIOS: dict[str, None] = {}  # the other routes' scenario names, in the order registered
MAX_REQUEST_BODY = 1024 * 1024
LISTEN_BACKLOG = 128
ENDPOINT_PREFIX = "/lb/"  # /lb/<name>/v2/...: one of many endpoints of the same API
OLD_VERSION_PREFIX = "/v1"  # answers 301 to the same path under /v2
# modules that mount further routes when imported (skipped while they do not exist)
ROUTE_MODULES = ("copycar_assist.simulator.crm",)


def register_routes(prefix: str, handler: Handler, scenarios: Iterable[str] = ()) -> None:
    """Mount `handler` for every path under `prefix` (e.g. "/crm"), with its own scenario names."""
    prefix = "/" + prefix.strip("/")
    if prefix == API_PREFIX:
        raise ValueError(f"{API_PREFIX} is the CopyCar API's prefix")
    _ROUTES[prefix] = handler
    names = list(scenarios)
    _ROUTE_SCENARIOS[prefix] = set(names)
    _EXTRA_SCENARIOS.update(dict.fromkeys(names))


def all_scenarios() -> tuple[str, ...]:
    """Every scenario name the simulator answers to, the API's first (what each means, for people:
    catalogue.py)."""
    _load_route_modules()
    return (*SCENARIOS, *_EXTRA_SCENARIOS)


def split_scenario(scenario: str) -> list[str]:
    """The parts of a combined scenario (`"a,b"`), in order, without blanks or repeats."""
    return list(dict.fromkeys(p.strip() for p in scenario.split(",") if p.strip()))


def _part_for(parts: list[str], known: Container[str], default: str) -> str:
    return next((p for p in parts if p in known), default)


def _load_route_modules() -> None:
    """Import the route modules and mount what each declares in `ROUTES` (prefix, handler, scenarios)."""
    for name in ROUTE_MODULES:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        prefix, handler, scenarios = module.ROUTES
        if prefix not in _ROUTES:
            register_routes(prefix, handler, scenarios)


class SimOptions(TypedDict, total=False):
    """The simulator's options besides its scenario (`SimState.set`)."""

    delay_ms: int | None
    rate_limit_after: int | None


class SimState:
    """The scenario, its options and the request counters; shared by the handler threads."""

    def __init__(self, scenario: str, **options: Unpack[SimOptions]):
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.log: list[tuple[str, str, bool]] = []  # (method, path, whether a key was sent)
        self.keys: list[str | None] = []  # the Bearer key of each request, in order (None: none sent)
        self.set(scenario, **options)

    def set(self, scenario: str, *, delay_ms: int | None = None, rate_limit_after: int | None = None) -> None:
        parts = split_scenario(scenario) or ["healthy"]
        unknown = [p for p in parts if p not in all_scenarios()]
        if unknown:
            known = ", ".join(all_scenarios())
            raise ValueError(f"unknown scenario {unknown[0]!r}; known: {known}")
        if delay_ms is not None and delay_ms < 0:
            raise ValueError("delay_ms must be 0 or more")
        api = _part_for(parts, SCENARIOS, "healthy")
        with self.lock:
            self.scenario = ",".join(parts)
            self.parts = parts
            self.options = {"rate_limit_after": rate_limit_after or 0,
                            "delay_ms": delay_ms if delay_ms is not None else
                            (DEFAULT_SLOW_DELAY_MS if api == "slow" else 0)}
            self.counts: dict[str, int] = {}

    def scenario_for(self, prefix: str | None) -> str:
        """The part of the scenario a family of routes sees: the API's (prefix None) or a prefix's."""
        if prefix is None:
            return _part_for(self.parts, SCENARIOS, "healthy")
        return _part_for(self.parts, _ROUTE_SCENARIOS.get(prefix, set()), self.parts[0])

    def begin(self, method: str, path: str, has_key: bool, key: str | None = None) -> tuple[int, dict[str, int]]:
        with self.lock:
            self.counts[path] = n = self.counts.get(path, 0) + 1
            self.log.append((method, path, has_key))
            self.keys.append(key)
            return n, dict(self.options)


def _make_handler(state: SimState) -> type[BaseHTTPRequestHandler]:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body in separate writes + delayed ACK = 40 ms
        wbufsize = 64 * 1024  # one write per answer; handle_one_request flushes
        server_version = "copycar-sim/1"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:  # no request lines on stderr
            pass

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            path = parts.path
            length = self.headers.get("Content-Length", "0")
            size = int(length) if length.isdigit() else 0
            if size > MAX_REQUEST_BODY:
                self._send(SimResponse(413, {"error": "too_large"}), head=False)
                return
            body = self.rfile.read(size) if size else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            auth = headers.get("authorization", "")
            key = auth[7:].strip() or None if auth[:7].lower() == "bearer " else None
            count, options = state.begin(self.command, path, "authorization" in headers, key)
            req = SimRequest(self.command, path, dict(parse_qsl(parts.query)), headers, body, "", count, options)
            api_path, endpoint = _endpoint_api_path(path)
            resp: SimResponse | None
            if api_path is not None:
                req.path, req.endpoint, req.scenario = api_path, endpoint, state.scenario_for(None)
                resp = handle_api(req)
            elif path == OLD_VERSION_PREFIX or path.startswith(OLD_VERSION_PREFIX + "/"):
                resp = SimResponse(301, {"error": "moved", "message": "API v1 was retired: use /v2"},
                                   {"Location": API_PREFIX + path[len(OLD_VERSION_PREFIX):]})
            else:
                prefix = next((p for p in _ROUTES if path == p or path.startswith(p + "/")), None)
                req.scenario = state.scenario_for(prefix)
                resp = _ROUTES[prefix](req) if prefix else None
            if resp is None:
                resp = SimResponse(404, {"error": "not_found"})
            delay = options.get("delay_ms", 0) / 1000 + resp.delay_s
            if delay > 0 and state.stopping.wait(delay):
                self.close_connection = True  # shutting down: drop the connection, no answer
                return
            self._send(resp, head=self.command == "HEAD")

        def _send(self, resp: SimResponse, head: bool) -> None:
            body = resp.body
            ctype = "text/plain; charset=utf-8"
            if isinstance(body, (dict, list)):
                body, ctype = json.dumps(body).encode(), "application/json"
            elif isinstance(body, str):
                body = body.encode()
            body = body or b""
            self.send_response(resp.status)
            headers = {"Content-Type": ctype, **resp.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _safe_serve(self) -> None:
            try:
                self._serve()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _safe_serve

    return RequestHandler


def _endpoint_api_path(path: str) -> tuple[str | None, str | None]:
    """(the API path `/v2/...` a request path names, directly or under `/lb/<name>`, or None;
    that endpoint's name, or None)."""
    name: str | None = None
    if path.startswith(ENDPOINT_PREFIX):
        name, sep, rest = path[len(ENDPOINT_PREFIX):].partition("/")
        path = "/" + rest if sep and name else ""
    if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
        return path, name or None
    return None, None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG
    tls: ssl.SSLContext | None = None

    def finish_request(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        # the handshake in the connection's thread, never in the accept loop (a TCP server's request
        # is always a socket; the tuple is a datagram server's)
        if self.tls is not None and isinstance(request, socket.socket):
            request.settimeout(5)
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return  # the client refused the certificate: what the TLS scenario shows
        super().finish_request(request, client_address)


class SimulatorHandle:
    """A running simulator. `base_url` is the API's base URL (…/v2); stop() or use `with`."""

    def __init__(self, scenario: str = "healthy", port: int = 0, host: str = "127.0.0.1", *,
                 sock: socket.socket | None = None, tls: ssl.SSLContext | None = None, **options: Unpack[SimOptions]):
        self.state = SimState(scenario, **options)
        if sock is None:
            self._server = _Server((host, port), _make_handler(self.state))
        else:  # a socket bound (and listening) beforehand: serve on it
            self._server = _Server(sock.getsockname()[:2], _make_handler(self.state), bind_and_activate=False)
            self._server.socket.close()
            self._server.socket = sock
            self._server.server_address = sock.getsockname()[:2]
            sock.listen(LISTEN_BACKLOG)
        self._server.tls = tls
        address = self._server.server_address
        self.host, self.port = str(address[0]), int(address[1])
        self.root_url = f"{'https' if tls else 'http'}://{self.host}:{self.port}"
        self.base_url = f"{self.root_url}{API_PREFIX}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"copycar-sim:{self.port}", daemon=True)
        self._thread.start()
        self._stopped = False

    def endpoint_url(self, name: str) -> str:
        """The base URL of one more endpoint of the same API (`…/lb/<name>/v2`)."""
        return f"{self.root_url}{ENDPOINT_PREFIX}{name}{API_PREFIX}"

    @property
    def scenario(self) -> str:
        return self.state.scenario

    def set_scenario(self, name: str, *, delay_ms: int | None = None, rate_limit_after: int | None = None) -> None:
        """Switch scenario at run time; the request counters start again."""
        self.state.set(name, delay_ms=delay_ms, rate_limit_after=rate_limit_after)

    @property
    def requests(self) -> list[tuple[str, str, bool]]:
        with self.state.lock:
            return list(self.state.log)

    @property
    def keys_received(self) -> list[str]:
        """Every distinct Bearer key the simulator received, in the order first seen (a test
        reads which context a check ran in)."""
        with self.state.lock:
            return list(dict.fromkeys(k for k in self.state.keys if k))

    def request_count(self, path: str | None = None) -> int:
        """How many requests arrived (to `path`, e.g. "/v2/verify", when given)."""
        return sum(1 for _m, p, _k in self.requests if path is None or p == path)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.state.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=2)

    def __enter__(self) -> SimulatorHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"SimulatorHandle({self.base_url!r}, scenario={self.scenario!r})"


def start_simulator(scenario: str = "healthy", port: int = 0, *, delay_ms: int | None = None,
                    rate_limit_after: int | None = None, host: str = "127.0.0.1",
                    sock: socket.socket | None = None, tls: ssl.SSLContext | None = None) -> SimulatorHandle:
    """Start the demo API on `host:port` (port 0: a free one), or on `sock`, in a background thread."""
    _load_route_modules()
    return SimulatorHandle(scenario, port, host, sock=sock, tls=tls, delay_ms=delay_ms,
                           rate_limit_after=rate_limit_after)
