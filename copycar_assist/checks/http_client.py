"""The shared HTTP client and what decides where a request may go.

`make_client()` builds the one `httpx.AsyncClient` the checks share: no redirects, timeouts, our
User-Agent, `Accept-Encoding: identity`; the key goes per request through `BearerAuth`, whose
repr shows only the masked key. `SharedClient` holds it for a run, a dialogue or the app: made
on first use (a run whose checks are all skipped or local never sets up TLS and its pool, ~30 ms
of a short command), closed once. Proxy helpers say where a request would go; whether a key may
travel without TLS is decided by `loopback.py`, the one rule.
"""

from __future__ import annotations

import ipaddress
import logging
import ssl
import urllib.request
from collections.abc import Generator
from typing import TYPE_CHECKING

import httpx

from copycar_assist import __version__
from copycar_assist.redact import Secret

from .urls import origin

if TYPE_CHECKING:
    from copycar_assist.config import Settings

USER_AGENT = f"copycar-assist/{__version__}"


class BearerAuth(httpx.Auth):
    """Adds `Authorization: Bearer <key>` to one request; its repr shows only the masked key."""

    def __init__(self, key: Secret | str):
        self._key = key if isinstance(key, Secret) else Secret(key)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = "Bearer " + self._key.reveal()
        yield request

    def __repr__(self) -> str:
        return f"BearerAuth({self._key.masked!r})"

    __str__ = __repr__


class BasicAuth(httpx.Auth):
    """HTTP Basic auth for one request (a help desk's API token); its repr masks the secret."""

    def __init__(self, user: str, secret: Secret):
        self._user, self._secret = user, secret

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        import base64

        pair = f"{self._user}:{self._secret.reveal()}".encode()
        request.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        yield request

    def __repr__(self) -> str:
        return f"BasicAuth({self._user!r}, {self._secret.masked!r})"

    __str__ = __repr__


def quiet_http_logs() -> None:
    """httpx logs every request's full URL (query string included) at INFO: keep it quiet."""
    logger = logging.getLogger("httpx")
    if logger.level == logging.NOTSET:  # leave an explicit choice (e.g. a DEBUG session) alone
        logger.setLevel(logging.WARNING)


def make_client(settings: Settings | None = None, *, verify: ssl.SSLContext | bool = True) -> httpx.AsyncClient:
    """The one shared client: no redirects, timeouts, our User-Agent; the key goes per request."""
    quiet_http_logs()
    total = float(settings.api.timeout_s) if settings is not None else 10.0
    return httpx.AsyncClient(
        follow_redirects=False,
        timeout=httpx.Timeout(total, connect=min(total, 5.0)),
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
        verify=verify,
        trust_env=True,
    )


class SharedClient:
    """The one client of a run, a dialogue or the app, made by `make_client(settings)` the first
    time a check asks for it (`get`), closed by `aclose` (or `async with`). `SharedClient.of(c)`
    holds a client made elsewhere (a test's, on its own transport)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings
        self._client: httpx.AsyncClient | None = None

    @classmethod
    def of(cls, client: httpx.AsyncClient) -> SharedClient:
        shared = cls()
        shared._client = client
        return shared

    @property
    def made(self) -> bool:
        """Whether the client exists now (a check asked for it and it was not closed since)."""
        return self._client is not None

    def get(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = make_client(self._settings)
        return self._client

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def __aenter__(self) -> SharedClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


# --- addresses and proxies ---------------------------------------------------------------------


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def proxy_for(url: httpx.URL) -> str | None:
    """The proxy httpx (trust_env=True) would use for this URL, from the environment."""
    env = urllib.request.getproxies_environment()
    if not env:
        return None
    try:
        # in the stdlib since 3.x but left out of typeshed's stubs (undocumented there)
        if urllib.request.proxy_bypass_environment(url.host, env):  # type: ignore[attr-defined]
            return None
    except Exception:  # odd NO_PROXY values: report the proxy, be conservative
        pass
    proxy = env.get(url.scheme) or env.get("all")
    if not proxy:
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


def mask_proxy(proxy: str) -> str:
    """A proxy URL fit to show: no user or password."""
    try:
        p = httpx.URL(proxy)
        return origin(p)
    except Exception:
        return "(unparsable proxy setting)"
