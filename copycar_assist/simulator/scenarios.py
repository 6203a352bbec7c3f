"""The demo CopyCar API's scenarios: what `/v2/health` and `/v2/verify` answer in each.

Each scenario decides the verdict whatever key is sent (only a missing `Authorization` header is
told apart, as the real API would). Pure functions of the request and the simulator's counters,
so tests and trainees get the same answers every time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

API_PREFIX = "/v2"
DEMO_KEY = "sk-demo-7c0pyc4r-a551st-d3m0-k3y"
DEFAULT_SLOW_DELAY_MS = 5500  # over the guide's 5 s response-time threshold
RATE_LIMIT = 60  # requests per minute the demo plan allows
RETRY_AFTER_S = 30

SCENARIOS: tuple[str, ...] = (  # the names this service acts on (what each means: catalogue.py)
    "healthy",
    "invalid-key",
    "expired-key",
    "forbidden",
    "rate-limited",
    "low-quota",
    "slow",
    "flaky",
    "down",
    "endpoints-down",
)
# endpoints-down: which /lb/<name> endpoints are down
DOWN_ENDPOINTS = ("eu-west-2", "us-east-1")


@dataclass
class SimResponse:
    status: int = 200
    body: bytes | str | dict[str, Any] | list[Any] | None = None  # a dict or list is sent as JSON
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # extra delay for this answer (on top of the scenario's)


@dataclass
class SimRequest:
    method: str
    path: str  # without the query string
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    scenario: str
    count: int  # 1-based number of this request to this path in the current scenario
    options: dict[str, int] = field(default_factory=dict)  # scenario options (delay_ms, rate_limit_after)
    endpoint: str | None = None  # the <name> of /lb/<name>/v2/..., when the request came that way

    @property
    def bearer(self) -> str | None:
        value = self.headers.get("authorization", "")
        return value[7:].strip() or None if value[:7].lower() == "bearer " else None


def _quota_headers(remaining: int, limit: int = RATE_LIMIT) -> dict[str, str]:
    reset = int(time.time()) // 60 * 60 + 60  # the next minute boundary, epoch seconds
    return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(max(0, remaining)),
            "X-RateLimit-Reset": str(reset)}


def _health(req: SimRequest) -> SimResponse:
    s = req.scenario
    if s == "down" or (s == "endpoints-down" and req.endpoint in DOWN_ENDPOINTS):
        return SimResponse(503, {"status": "down", "error": "service_unavailable"}, {"Retry-After": "120"})
    if s == "flaky" and req.count % 3 == 0:
        return SimResponse((500, 502, 503)[(req.count // 3 - 1) % 3], {"status": "error", "error": "upstream_failed"})
    return SimResponse(200, {"status": "ok", "version": "2.4.1", "region": "demo"})


def _verify(req: SimRequest) -> SimResponse:
    s = req.scenario
    n = req.count
    if s == "down" or (s == "endpoints-down" and req.endpoint in DOWN_ENDPOINTS):
        return SimResponse(503, {"error": "service_unavailable"}, {"Retry-After": "120"})
    if s == "flaky" and n % 3 == 0:
        return SimResponse(502, {"error": "bad_gateway"})
    if s == "rate-limited":
        after = int(req.options.get("rate_limit_after", 0) or 0)
        if n > after:
            return SimResponse(429, {"error": "rate_limit_exceeded", "message": "Rate limit exceeded"},
                               {"Retry-After": str(RETRY_AFTER_S), **_quota_headers(0)})
        return SimResponse(200, _valid_body(), _quota_headers(after - n))
    if req.bearer is None:
        return SimResponse(401, {"error": "missing_api_key", "message": "No API key was sent"},
                           {"WWW-Authenticate": 'Bearer realm="copycar"'})
    if s == "invalid-key":
        return SimResponse(401, {"error": "invalid_api_key", "message": "Invalid API key"},
                           {"WWW-Authenticate": 'Bearer realm="copycar", error="invalid_token"'})
    if s == "expired-key":
        return SimResponse(401, {"error": "expired_api_key", "message": "API key expired"},
                           {"WWW-Authenticate": 'Bearer realm="copycar", error="invalid_token", '
                                                'error_description="The API key expired"'})
    if s == "forbidden":
        return SimResponse(403, {"error": "insufficient_scope", "message": "This key may not use this endpoint"},
                           _quota_headers(RATE_LIMIT - n))
    if s == "low-quota":
        return SimResponse(200, _valid_body(), _quota_headers(3, 1000))
    return SimResponse(200, _valid_body(), _quota_headers(RATE_LIMIT - n))


def _valid_body() -> dict[str, Any]:
    return {"valid": True, "plan": "demo", "scopes": ["content:write", "crm:read", "email:send"],
            "expires_at": "2030-01-01T00:00:00Z"}


def handle_api(req: SimRequest) -> SimResponse:
    """Answer a request under `/v2`."""
    sub = req.path[len(API_PREFIX):] or "/"
    if req.method not in ("GET", "HEAD"):
        return SimResponse(405, {"error": "method_not_allowed"}, {"Allow": "GET"})
    if sub == "/health":
        return _health(req)
    if sub == "/verify":
        return _verify(req)
    return SimResponse(404, {"error": "not_found"})
