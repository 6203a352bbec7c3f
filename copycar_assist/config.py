"""Settings: a TOML file, environment overrides, validation with file:line:col, atomic writes.

Loaded once, before any UI starts, and handed down. Secrets are held in `Secret` objects so no
repr, log line or traceback shows them whole.

Where the file is: `COPYCAR_ASSIST_CONFIG`, else `<platformdirs user config dir>/config.toml`
(`~/.config/copycar-assist/config.toml` on Linux). A missing file means the defaults.

The file must be a regular file (not a symlink) that only its owner can write: a file others can
write could send the key to another host. One that holds a secret (a key, a password, a token, a
Redis URL, a webhook), a profile's too, only its owner may read either (0600); one without (a
hand-written `language = "es"`, mode 0644) others may read. A file that breaks this is refused
with a message that says how to fix it (`chmod 600 …`) rather than read with a warning: a warning
scrolls by, and by then the secret has already been exposed.

Environment overrides (they win over the file; `config show` says which one is in effect):
`COPYCAR_API_KEY`, `COPYCAR_BASE_URL`, `COPYCAR_SMTP_PASSWORD`, `COPYCAR_CRM_TOKEN`,
`COPYCAR_REDIS_URL`.

Errors (`ConfigError`) name the file, line, column and the field, and never contain a value:
`config.toml:3:11: [api] timeout_s: expected a number of seconds (0 < s <= 600), got a string`.
`str()` is English; `message(lang)` says it in Spanish or English (`config_errors.py`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from .config_errors import ConfigError as ConfigError
from .config_errors import ConfigProblem as ConfigProblem
from .config_errors import Invalid, wrong_type
from .config_io import KeyLines, locked, write_atomic
from .config_schema import AGENT_ONLY, BY_NAME, ENV_VARS, FIELDS, SECTIONS, Field, Value, holds_secret
from .files.msg import Msg
from .files.read import SETTINGS, ReadError, read_toml, shared
from .redact import Redactor, Secret

DEFAULT_BASE_URL = "https://api.copycarai.com/v2"
APP_NAME = "copycar-assist"
CONFIG_ENV = "COPYCAR_ASSIST_CONFIG"


class OnDemand(Protocol):
    """Services that start the first time a check needs them (`Settings.services`: the demo
    world). The check runner calls `prepare` with the ids it is about to run, inside its deadline."""

    async def prepare(self, check_ids: list[str]) -> dict[str, Msg]:
        """Start what these checks talk to; check id -> why it cannot run."""
        ...


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
    test_recipient: str | None = None  # RCPT TO of the envelope test (default: the sender); never mailed
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
class MonitorSettings:
    interval_s: float = 5.0  # one GET /health per endpoint this often
    window_s: float = 300.0  # the sliding window the metrics are computed over
    verify_every_s: float = 10.0  # the budget: at most one GET /verify this often
    alert_to: list[str] = field(default_factory=list)  # e-mail recipients of the alerts
    webhook_url: Secret | None = None  # alerts are POSTed here as JSON (its path is often a token)


@dataclass
class HelpdeskSettings:
    """Where escalated tickets go (the agent's own settings; never part of a customer profile)."""

    send_to: list[str] = field(default_factory=list)  # empty: every destination configured
    webhook_url: str | None = None
    webhook_secret: Secret | None = None
    email_to: str | None = None
    zendesk_url: str | None = None
    zendesk_email: str | None = None
    zendesk_token: Secret | None = None
    jira_url: str | None = None
    jira_email: str | None = None
    jira_token: Secret | None = None
    jira_project: str | None = None
    jira_issue_type: str | None = None


@dataclass
class Settings:
    api: ApiSettings = field(default_factory=ApiSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    crm: CrmSettings = field(default_factory=CrmSettings)
    redis: RedisSettings = field(default_factory=RedisSettings)
    monitor: MonitorSettings = field(default_factory=MonitorSettings)
    helpdesk: HelpdeskSettings = field(default_factory=HelpdeskSettings)
    language: str | None = None  # "es" | "en" | None (follow the user)
    path: Path | None = None  # the config file these came from
    # dotted field -> "file" | "env" | "demo"; absent means the default
    sources: dict[str, str] = field(default_factory=dict, repr=False)
    # services started on demand before a check talks to them (the demo world); never read from
    # or written to the file
    services: OnDemand | None = field(default=None, repr=False, compare=False)
    # `[profiles.NAME]`: customers' contexts, each validated like the top level (no env overrides)
    profiles: dict[str, Settings] = field(default_factory=dict, repr=False)
    # whose context these are: None for the agent's own, else the customer's (a case)
    context_name: str | None = None
    # further secrets to mask wherever these settings redact (a case masks the agent's too)
    also_redact: list[Secret] = field(default_factory=list, repr=False)

    def _secret_fields(self) -> list[Secret | None]:
        h = self.helpdesk
        return [self.api.key, self.smtp.password, self.crm.token, self.monitor.webhook_url,
                h.webhook_secret, h.zendesk_token, h.jira_token, *self.also_redact]

    def secrets(self) -> list[Secret]:
        found = [*self._secret_fields(), self.redis.url]
        return [s for s in found if s]

    def redactor(self) -> Redactor:
        """Masks every secret these settings hold. For the Redis URL that is its password (in the
        userinfo or a `password=` query, as redis-py reads it) and the URL's userinfo: the host and
        port alone are not secret and diagnostics name them."""
        from urllib.parse import parse_qs, unquote, urlsplit

        r = Redactor(self._secret_fields())
        url = self.redis.url.reveal() if self.redis.url else ""
        userinfo = url.rpartition("@")[0].partition("://")[2] if "@" in url else ""
        if userinfo:  # redis://user:password@host or redis://:password@host
            password = userinfo.partition(":")[2] or userinfo
            for s in (password, unquote(password), userinfo):
                r.add(s)
        try:
            query = parse_qs(urlsplit(url).query)
        except ValueError:
            query = {}
        for s in query.get("password", []):
            r.add(s)
        return r

    def get(self, dotted: str) -> Value | None:
        """Value of a dotted field such as "api.key" or "smtp.host" (None when unset)."""
        f = BY_NAME.get(dotted)
        value: Value | None  # the section dataclasses' fields hold a Value or None
        if f is not None:
            value = getattr(self._section(f), f.attr, None)
        else:
            section, _, name = dotted.partition(".")
            obj = getattr(self, section, None)
            value = getattr(obj, name, None) if obj is not None else None
        if value in ("", [], {}):
            return None
        return value

    def source(self, dotted: str) -> str:
        """Where the value of a field came from: "default", "file", "env" or "demo"."""
        return self.sources.get(dotted, "default")

    def _section(self, f: Field) -> object:
        return getattr(self, f.section) if f.section else self

    def _set(self, f: Field, value: Value | None, source: str) -> None:
        setattr(self._section(f), f.attr, value)
        self.sources[f.dotted] = source
        if f.dotted == "api.key":
            self.api.key_source = source


# --- errors ---------------------------------------------------------------------------------------


# --- loading --------------------------------------------------------------------------------------


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """The settings file: `COPYCAR_ASSIST_CONFIG`, else the platform's user config dir."""
    env = os.environ if environ is None else environ
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def read_config_dict(path: Path) -> tuple[dict[str, Any], str]:
    """The parsed TOML of `path` and its text ({} and "" when it does not exist). Checks syntax only
    (and that the file is a private regular file, not too large, not nested too deep). Others may
    read a file that holds no secret (`language = "es"` written by hand, mode 0644); one that
    holds a secret must be its owner's alone, and no one else may write any."""
    try:
        data, text = read_toml(path, SETTINGS, missing_ok=True)
        exposed = shared(path) if holds_secret(data) else None
        if exposed is not None:
            raise exposed
        return data, text
    except ReadError as exc:
        raise ConfigError([ConfigProblem(str(path), exc.line, exc.col, None, Msg.of("config.problem.file", file=exc.reason_msg()))]) from None


def _key_name(name: str, known: list[str]) -> str:
    """An unknown key's name as a message shows it. A close typo of a known key is shown whole;
    anything else at most 11 characters, so a secret pasted where a key name goes (`sk-… = 1`)
    is never echoed (12 characters of a secret count as a leak)."""
    import difflib  # here: reading valid settings never needs it

    from .config_schema import shown_key
    from .textsafe import one_line

    text = one_line(str(name), 40)
    if difflib.get_close_matches(name, known, n=1) and len(text) <= 20:
        return text
    return shown_key(name)


def _unknown(name: str, known: list[str]) -> Msg:
    import difflib

    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return Msg.of("config.problem.unknown_close", close=close[0])
    return Msg.of("config.problem.unknown", known=", ".join(known))


# A problem found while validating: the keys where it sits, the field's label, the reason.
Problem = Callable[[tuple[str, ...], str | None, Msg], None]


def settings_from_dict(data: dict[str, Any], path: str = "<settings>", text: str | None = None, *,
                       _at: tuple[str, ...] = ()) -> Settings:
    """Validate a parsed settings document and build `Settings` (sources "file").

    Collects every problem and raises one `ConfigError`, lines taken from `text` when given.
    `[profiles.NAME]` tables are validated the same way (`_at` is where one sits in the file).
    """
    lines = KeyLines(text)
    problems: list[ConfigProblem] = []
    settings = Settings()
    where = ".".join(_at)

    def problem(keys: tuple[str, ...], label: str | None, reason: Msg) -> None:
        line, col = lines.find(*_at, *keys)
        if where and label:
            label = f"[{where}.{label[1:]}" if label.startswith("[") else f"[{where}] {label}"
        problems.append(ConfigProblem(path, line, col, label or (f"[{where}]" if where else None), reason))

    sections = tuple(s for s in SECTIONS if s not in AGENT_ONLY) if _at else SECTIONS
    top_known = [f.dotted for f in FIELDS if not f.section] + list(sections) + ([] if _at else ["profiles"])
    for name, value in data.items():
        if name == "profiles" and not _at:
            _profiles(settings, value, path, text, problem, problems)
        elif _at and name in AGENT_ONLY:
            problem((name,), f"[{name}]", Msg.of("config.problem.agent_only"))
        elif name in SECTIONS:
            if not isinstance(value, dict):
                problem((name,), f"[{name}]", wrong_type(Msg.of("config.expect.table"), value))
                continue
            known = [f.key for f in FIELDS if f.section == name]
            for key, item in value.items():
                f = BY_NAME.get(f"{name}.{key}")
                if f is None:
                    problem((name, key), f"[{name}] {_key_name(key, known)}", _unknown(key, known))
                    continue
                _check(settings, f, item, problem)
        elif name in BY_NAME:
            _check(settings, BY_NAME[name], value, problem)
        else:
            problem((name,), _key_name(name, top_known), _unknown(name, top_known))
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.col or 0))
        raise ConfigError(problems, language=None if _at else settings.language)
    return settings


def _profiles(settings: Settings, value: object, path: str, text: str | None, problem: Problem,
              problems: list[ConfigProblem]) -> None:
    from .config_schema import PROFILE_NAME, shown_key

    if not isinstance(value, dict):
        problem(("profiles",), "[profiles]", wrong_type(Msg.of("config.expect.profiles"), value))
        return
    for pname, pdata in value.items():
        if not PROFILE_NAME.match(str(pname)):
            problem(("profiles", pname), f"[profiles] {shown_key(pname)}", Msg.of("config.problem.profile_name"))
        elif not isinstance(pdata, dict):
            problem(("profiles", pname), f"[profiles.{pname}]", wrong_type(Msg.of("config.expect.table"), pdata))
        else:
            try:
                profile = settings_from_dict(pdata, path, text, _at=("profiles", pname))
            except ConfigError as exc:
                problems.extend(exc.problems)
                continue
            profile.context_name = pname
            settings.profiles[pname] = profile


def _check(settings: Settings, f: Field, value: object, problem: Problem) -> None:
    try:
        converted = f.check(value)
    except Invalid as exc:
        where = tuple(f.dotted.split(".")) + ((exc.at,) if exc.at is not None else ())
        problem(where, f.label(), exc.reason)
        return
    settings._set(f, converted, "file")


def apply_env(settings: Settings, environ: Mapping[str, str] | None = None) -> Settings:
    """Apply the environment overrides (validated; a bad one raises `ConfigError`)."""
    env = os.environ if environ is None else environ
    problems: list[ConfigProblem] = []
    for var, f in ENV_VARS.items():
        raw = env.get(var, "")
        if not raw.strip():
            continue
        try:
            settings._set(f, f.check(raw.strip()), "env")
        except Invalid as exc:
            problems.append(ConfigProblem("environment", None, None, var, exc.reason))
    if problems:
        raise ConfigError(problems, language=settings.language)
    return settings


def env_overrides(settings: Settings, environ: dict[str, str] | None = None) -> Settings:
    """Kept for callers of the first skeleton: same as `apply_env`."""
    return apply_env(settings, environ)


def load_settings(path: str | os.PathLike[str] | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read, validate and return the settings; environment overrides applied.

    A missing file gives the defaults. Raises `ConfigError` (file:line:col, the field, no value).
    """
    env = os.environ if environ is None else environ
    p = Path(path).expanduser() if path is not None else config_path(env)
    data, text = read_config_dict(p)
    settings = settings_from_dict(data, str(p), text)
    settings.path = p
    return apply_env(settings, env)


# --- writing --------------------------------------------------------------------------------------


def settings_to_dict(settings: Settings) -> dict[str, Any]:
    """The TOML document for `settings`: values from the file, or set in code and not default.

    Values that came from the environment or the demo are never written to the file.
    """
    defaults = Settings()
    out: dict[str, Any] = {}
    for f in FIELDS:
        src = settings.sources.get(f.dotted)
        value = getattr(settings._section(f), f.attr)
        if src in ("env", "demo") or (f.dotted == "api.key" and settings.api.key_source in ("env", "demo")):
            continue
        if src != "file" and value == getattr(defaults._section(f), f.attr):
            continue
        if value is None or value in ("", [], {}):
            continue
        if isinstance(value, Secret):
            value = value.reveal()
        if f.section:
            out.setdefault(f.section, {})[f.key] = value
        else:
            out[f.key] = value
    if settings.profiles:
        out["profiles"] = {name: settings_to_dict(p) for name, p in settings.profiles.items()}
    # top-level keys must come before tables in TOML; tomli-w orders them itself
    return out


def save_settings(settings_or_dict: Settings | dict[str, Any], path: str | os.PathLike[str] | None = None) -> Path:
    """Validate and write the settings atomically (mode 0600, parent directory 0700)."""
    import tomli_w

    if path is None:
        path = settings_or_dict.path if isinstance(settings_or_dict, Settings) else None
    p = Path(path).expanduser() if path is not None else config_path()
    if isinstance(settings_or_dict, Settings):
        data = settings_to_dict(settings_or_dict)
    else:
        data = settings_or_dict
    settings_from_dict(data, str(p))  # never write a file we would refuse to load
    write_atomic(p, tomli_w.dumps(data).encode("utf-8"))
    return p


_R = TypeVar("_R")


def update_settings_file(path: Path, change: Callable[[dict[str, Any]], _R]) -> _R:
    """Read the settings document, `change(data)` it and write it back, all under the settings lock,
    so concurrent writers (`config set`, `setup`, a profile saved from a case) never lose each
    other's changes. Nothing is written when `change` returns False. Raises `ConfigError` (the
    file or the result is invalid) or `OSError`."""
    with locked(path):
        data, _ = read_config_dict(path)
        result = change(data)
        if result is not False:
            save_settings(data, path)
    return result
