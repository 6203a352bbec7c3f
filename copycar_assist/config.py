"""Settings: a TOML file, environment overrides, validation with file:line:col, atomic writes.

Loaded once, before any UI starts, and handed down. Secrets are held in `Secret` objects so no
repr, log line or traceback shows them whole. (Shape first; the loader below is hardened by the
diagnostics work: see tests/test_config.py.)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .redact import Redactor, Secret

DEFAULT_BASE_URL = "https://api.copycarai.com/v2"


@dataclass
class ApiSettings:
    base_url: str = DEFAULT_BASE_URL
    key: Secret | None = None
    key_source: str | None = None  # "env" | "file" | "demo" | None
    endpoints: list[str] = field(default_factory=list)  # further base URLs (load balancing)
    timeout_s: float = 10.0


@dataclass
class SmtpSettings:
    host: str | None = None
    port: int = 587
    username: str | None = None
    password: Secret | None = None
    security: str = "starttls"  # starttls | tls | none
    from_addr: str | None = None  # TOML key "from"
    daily_limit: int | None = None
    sent_today: int | None = None  # what the app can see was sent (if known)
    ca_file: str | None = None  # PEM file of CAs to trust instead of the system store (private CA, tests)


@dataclass
class EmailSettings:
    domain: str | None = None
    dkim_selectors: list[str] = field(default_factory=list)
    nameservers: list[str] = field(default_factory=list)
    dns_port: int = 53


@dataclass
class CrmSettings:
    kind: str | None = None  # hubspot | salesforce | rest
    base_url: str | None = None
    token: Secret | None = None
    field_map: dict[str, str] = field(default_factory=dict)


@dataclass
class RedisSettings:
    url: Secret | None = None  # a URL may carry a password: treat it as a secret


@dataclass
class Settings:
    api: ApiSettings = field(default_factory=ApiSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    crm: CrmSettings = field(default_factory=CrmSettings)
    redis: RedisSettings = field(default_factory=RedisSettings)
    language: str | None = None  # "es" | "en" | None (follow the user)
    path: Path | None = None  # the config file these came from

    def secrets(self) -> list[Secret]:
        found = [self.api.key, self.smtp.password, self.crm.token, self.redis.url]
        return [s for s in found if s]

    def redactor(self) -> Redactor:
        r = Redactor(self.secrets())
        url = self.redis.url.reveal() if self.redis.url else ""
        if "@" in url and ":" in url.split("@")[0]:  # redis://user:password@host
            r.add(url.split("@")[0].rsplit(":", 1)[-1])
        return r

    def get(self, dotted: str):
        """Value of a dotted field such as "api.key" or "smtp.host" (None when unset)."""
        section, _, name = dotted.partition(".")
        obj = getattr(self, section, None)
        value = getattr(obj, name, None) if obj is not None else None
        if value in ("", [], {}):
            return None
        return value


def env_overrides(settings: Settings, environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    if env.get("COPYCAR_API_KEY"):
        settings.api.key = Secret(env["COPYCAR_API_KEY"].strip())
        settings.api.key_source = "env"
    if env.get("COPYCAR_BASE_URL"):
        settings.api.base_url = env["COPYCAR_BASE_URL"].strip().rstrip("/")
    return settings
