"""Helpers for the local-check tests (content, logs): a check context and generated log lines."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from copycar_assist.checks.base import CheckContext, Inputs
from copycar_assist.checks.http_client import SharedClient
from copycar_assist.config import Settings
from copycar_assist.redact import Secret

from shipped import knowledge

DATA = Path(__file__).resolve().parent / "data"
T0 = datetime(2025, 3, 1, 10, 0, 0)


class NoNetwork(SharedClient):
    """A content check reads what it is given, never the network."""

    def get(self):  # never returns
        raise AssertionError("a content check asked for the HTTP client")


def make_ctx(lang: str = "en", key: str | None = None, **inputs) -> CheckContext:
    settings = Settings()
    if key:
        settings.api.key, settings.api.key_source = Secret(key), "env"
    return CheckContext(settings=settings, kb=knowledge(), http=NoNetwork(), redactor=settings.redactor(),
                        lang=lang, inputs=Inputs(**inputs))


def log_line(t: datetime, msg: str, level: str = "INFO", name: str = "copycar_ai") -> str:
    return f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d} - {name} - {level} - {msg}\n"


def api_line(t: datetime, status: int | str, ms: float | str, method: str = "GET", endpoint: str = "/generate") -> str:
    return log_line(t, f"API Call: {method} {endpoint} - Status: {status} - Response Time: {ms}ms",
                    "INFO" if str(status).startswith("2") else "WARNING")


def error_line(t: datetime, kind: str, message: str = "failed", context: str = "{}") -> str:
    return log_line(t, f"Error: {kind} - Message: {message} - Context: {context}", "ERROR")


def write_calls(path: Path, calls: list[tuple[int | str, float]], *, per_minute: float = 120.0,
                extra: list[str] = ()) -> Path:
    """A log of `calls` (status, ms) spread evenly at `per_minute`, then the `extra` lines."""
    step = 60.0 / per_minute
    lines = [api_line(T0 + timedelta(seconds=i * step), status, ms) for i, (status, ms) in enumerate(calls)]
    path.write_text("".join(lines) + "".join(extra), encoding="utf-8")
    return path
