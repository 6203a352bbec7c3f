"""The settings schema: every key the config file may hold, its type, its check, its env override.

One table (`FIELDS`) drives loading, validation, `config set/unset/show` and writing, so a new
setting is one line here plus its dataclass field in `config.py`. Validation messages say what was
expected and what type was found, never the value (a misplaced secret must not be echoed).

A check that fails raises `Invalid` with a `Msg`, a catalogue key and its values
(`config_errors.py`): English by `str()`, either language by `message(lang)`.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from .config_errors import Invalid as Invalid
from .config_errors import wrong_type
from .files.fields import type_msg
from .files.msg import Msg
from .redact import Secret
from .textsafe import one_line


def shown_key(name: str) -> str:
    """A key from the file as a message may show it: at most 11 characters, else its first 8 and
    an ellipsis, so a secret pasted where a key name goes is never echoed (12 characters of a
    secret count as a leak)."""
    text = one_line(str(name), 40)
    return text if len(text) <= 11 else text[:8] + "…"


# A setting's value once checked (the section dataclasses' field types in `config.py`).
Value = str | int | float | list[str] | dict[str, str] | Secret
# A value as `config set` parses VALUE, before its check.
CliValue = str | int | float | list[str]

_T = TypeVar("_T")


def _need(value: object, kind: type[_T], expected: Msg) -> _T:
    """`value` itself when it is a `kind` (a boolean is never a number), else Invalid."""
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
        raise Invalid(wrong_type(expected, value))
    return value


def _number(value: object, expected: Msg) -> int | float:
    """`value` itself when it is an integer or a float (not a boolean), else Invalid."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid(wrong_type(expected, value))
    return value


def _item(i: int, problem: Invalid) -> Invalid:
    """An array's item `i` (from 0) failed its check."""
    return Invalid(Msg.of("config.problem.item", n=i + 1, problem=problem.reason))


def _text(v: object) -> str:
    return _need(v, str, Msg.of("config.expect.string"))


def _secret(v: object) -> Secret:
    v = _need(v, str, Msg.of("config.expect.string"))
    if not v.strip():
        raise Invalid(Msg.of("config.expect.nonempty"))
    return Secret(v)


def _url(v: object) -> str:
    v = _need(v, str, Msg.of("config.expect.url"))
    try:
        u = urllib.parse.urlsplit(v.strip())
        u.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise Invalid(Msg.of("config.expect.url_parse")) from None
    if u.scheme not in ("http", "https") or not u.hostname:
        raise Invalid(Msg.of("config.expect.url_host"))
    if u.username or u.password:
        raise Invalid(Msg.of("config.problem.user_in_url"))
    return v.strip().rstrip("/")


def _file(v: object) -> str:
    v = _need(v, str, Msg.of("config.expect.file"))
    if not v.strip():
        raise Invalid(Msg.of("config.expect.file_empty"))
    return str(Path(v.strip()).expanduser())


def _urls(v: object) -> list[str]:
    items: list[object] = _need(v, list, Msg.of("config.expect.urls"))
    out = []
    for i, item in enumerate(items):
        try:
            out.append(_url(item))
        except Invalid as exc:
            raise _item(i, exc) from None
    return out


def _port(v: object) -> int:
    v = _need(v, int, Msg.of("config.expect.port"))
    if not 1 <= v <= 65535:
        raise Invalid(Msg.of("config.expect.port"))
    return v


def _count(v: object) -> int:
    v = _need(v, int, Msg.of("config.expect.count"))
    if v < 0:
        raise Invalid(Msg.of("config.expect.count"))
    return v


def _seconds(v: object) -> float:
    v = _number(v, Msg.of("config.expect.seconds"))
    if not 0 < v <= 600:
        raise Invalid(Msg.of("config.expect.seconds"))
    return float(v)


_HOST = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?$")


def _host(v: object) -> str:
    h = _need(v, str, Msg.of("config.expect.host")).strip()
    try:
        ipaddress.ip_address(h.strip("[]"))
        return h
    except ValueError:
        pass
    if not _HOST.match(h):
        raise Invalid(Msg.of("config.expect.host_form"))
    return h


def _domain(v: object) -> str:
    d = _need(v, str, Msg.of("config.expect.domain")).strip().rstrip(".")
    if "." not in d or not _HOST.match(d):
        raise Invalid(Msg.of("config.expect.domain"))
    return d


def _address(v: object) -> str:
    from email.utils import parseaddr  # here: settings without an address never load the e-mail package

    v = _need(v, str, Msg.of("config.expect.address"))
    _, addr = parseaddr(v)
    if "@" not in addr or addr.startswith("@") or addr.endswith("@"):
        raise Invalid(Msg.of("config.expect.address_form"))
    return v.strip()


_SELECTOR = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,62}$")


def _names(v: object) -> list[str]:
    items: list[object] = _need(v, list, Msg.of("config.expect.selectors"))
    names: list[str] = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not _SELECTOR.match(item):
            raise _item(i, Invalid(Msg.of("config.expect.selector")))
        names.append(item)
    return names


def _ips(v: object) -> list[str]:
    items: list[object] = _need(v, list, Msg.of("config.expect.ips"))
    ips: list[str] = []
    for i, item in enumerate(items):
        try:
            ipaddress.ip_address(item if isinstance(item, str) else "")
        except ValueError:
            raise _item(i, Invalid(Msg.of("config.expect.ip"))) from None
        ips.append(str(item))
    return ips


def _map(v: object) -> dict[str, str]:
    table: dict[object, object] = _need(v, dict, Msg.of("config.expect.field_map"))
    out: dict[str, str] = {}
    for k, item in table.items():
        if not isinstance(item, str) or not item.strip():
            raise Invalid(Msg.of("config.problem.map_item", name=shown_key(str(k)), got=type_msg(item)), at=str(k))
        out[str(k)] = item
    return out


def _redis_url(v: object) -> Secret:
    v = _need(v, str, Msg.of("config.expect.redis"))
    try:
        u = urllib.parse.urlsplit(v.strip())
        u.port  # noqa: B018
    except ValueError:
        raise Invalid(Msg.of("config.expect.redis_parse")) from None
    if u.scheme not in ("redis", "rediss", "unix") or (u.scheme != "unix" and not u.hostname):
        raise Invalid(Msg.of("config.expect.redis_host"))
    return Secret(v.strip())


def _window(v: object) -> float:
    v = _number(v, Msg.of("config.expect.window"))
    if not 10 <= v <= 86400:
        raise Invalid(Msg.of("config.expect.window"))
    return float(v)


def _addresses(v: object) -> list[str]:
    items: list[object] = _need(v, list, Msg.of("config.expect.addresses"))
    out = []
    for i, item in enumerate(items):
        try:
            out.append(_address(item))
        except Invalid as exc:
            raise _item(i, exc) from None
    return out


def _secret_url(v: object) -> Secret:
    return Secret(_url(v))


_PROJECT = re.compile(r"^[A-Z][A-Z0-9_]{0,19}$")


def _project(v: object) -> str:
    v = _need(v, str, Msg.of("config.expect.project"))
    if not _PROJECT.match(v.strip()):
        raise Invalid(Msg.of("config.expect.project_form"))
    return v.strip()


DESTINATIONS = ("webhook", "email", "zendesk", "jira")


def _destinations(v: object) -> list[str]:
    expected = Msg.of("config.expect.array_of", choices=", ".join(DESTINATIONS))
    items: list[object] = _need(v, list, expected)
    chosen: list[str] = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or item not in DESTINATIONS:
            raise _item(i, Invalid(expected))
        chosen.append(item)
    return list(dict.fromkeys(chosen))


def _choice(*choices: str) -> Callable[[object], str]:
    expected = Msg.of("config.expect.one_of", choices=", ".join(choices))

    def check(v: object) -> str:
        v = _need(v, str, expected)
        if v not in choices:
            raise Invalid(expected)
        return v

    return check


@dataclass(frozen=True)
class Field:
    dotted: str  # as written in the file: "api.key", "smtp.from", "language"
    attr: str  # attribute on the section dataclass
    check: Callable[[object], Value]
    cli: str  # how `config set` parses VALUE: text | int | float | list
    help: str
    secret: bool = False
    env: str | None = None  # environment variable that overrides it

    @property
    def section(self) -> str:
        return self.dotted.rpartition(".")[0]

    @property
    def key(self) -> str:
        return self.dotted.rpartition(".")[2]

    def label(self) -> str:
        """`[section] key` as error messages name the field."""
        return f"[{self.section}] {self.key}" if self.section else self.key


FIELDS: tuple[Field, ...] = (
    Field("api.base_url", "base_url", _url, "text", "CopyCar API base URL", env="COPYCAR_BASE_URL"),
    Field("api.key", "key", _secret, "text", "CopyCar API key", secret=True, env="COPYCAR_API_KEY"),
    Field("api.endpoints", "endpoints", _urls, "list", "further base URLs (comma-separated)"),
    Field("api.timeout_s", "timeout_s", _seconds, "float", "per-request timeout in seconds"),
    Field("smtp.host", "host", _host, "text", "SMTP server host"),
    Field("smtp.port", "port", _port, "int", "SMTP server port"),
    Field("smtp.username", "username", _text, "text", "SMTP user name"),
    Field("smtp.password", "password", _secret, "text", "SMTP password", secret=True,
          env="COPYCAR_SMTP_PASSWORD"),
    Field("smtp.security", "security", _choice("starttls", "tls", "none"), "text",
          "starttls | tls | none"),
    Field("smtp.from", "from_addr", _address, "text", "sender address of the e-mails"),
    Field("smtp.test_recipient", "test_recipient", _address, "text",
          "RCPT TO of the envelope test, never mailed (default: smtp.from)"),
    Field("smtp.daily_limit", "daily_limit", _count, "int", "the provider's daily sending limit"),
    Field("smtp.sent_today", "sent_today", _count, "int", "messages sent today (if known)"),
    Field("smtp.ca_file", "ca_file", _file, "text", "PEM file of CAs to trust (private CA)"),
    Field("email.domain", "domain", _domain, "text", "sending domain (MX, SPF, DMARC, DKIM)"),
    Field("email.dkim_selectors", "dkim_selectors", _names, "list", "DKIM selectors (comma-separated)"),
    Field("email.nameservers", "nameservers", _ips, "list", "DNS servers to ask (comma-separated IPs)"),
    Field("email.dns_port", "dns_port", _port, "int", "port of those DNS servers"),
    Field("crm.kind", "kind", _choice("hubspot", "salesforce", "rest"), "text",
          "hubspot | salesforce | rest"),
    Field("crm.base_url", "base_url", _url, "text", "CRM API base URL"),
    Field("crm.token", "token", _secret, "text", "CRM access token", secret=True, env="COPYCAR_CRM_TOKEN"),
    Field("crm.field_map", "field_map", _map, "map", "our field -> CRM field (crm.field_map.NAME)"),
    Field("redis.url", "url", _redis_url, "text", "Redis URL (may hold a password)", secret=True,
          env="COPYCAR_REDIS_URL"),
    Field("monitor.interval_s", "interval_s", _seconds, "float", "seconds between two samples of GET /health"),
    Field("monitor.window_s", "window_s", _window, "float", "seconds of the sliding window of the metrics"),
    Field("monitor.verify_every_s", "verify_every_s", _window, "float",
          "budget: at most one GET /verify this often (seconds)"),
    Field("monitor.alert_to", "alert_to", _addresses, "list", "alert e-mail recipients (comma-separated)"),
    Field("monitor.webhook_url", "webhook_url", _secret_url, "text", "alerts are POSTed here as JSON",
          secret=True, env="COPYCAR_ALERT_WEBHOOK"),
    Field("language", "language", _choice("es", "en"), "text", "es | en (default: follow the user)"),
    Field("helpdesk.send_to", "send_to", _destinations, "list",
          "where tickets go: webhook, email, zendesk, jira (default: every one configured)"),
    Field("helpdesk.webhook_url", "webhook_url", _url, "text", "webhook that receives tickets as JSON"),
    Field("helpdesk.webhook_secret", "webhook_secret", _secret, "text", "HMAC-SHA256 key that signs them",
          secret=True, env="COPYCAR_WEBHOOK_SECRET"),
    Field("helpdesk.email_to", "email_to", _address, "text", "help desk address (sent through [smtp])"),
    Field("helpdesk.zendesk_url", "zendesk_url", _url, "text", "https://SUBDOMAIN.zendesk.com"),
    Field("helpdesk.zendesk_email", "zendesk_email", _address, "text", "Zendesk agent e-mail (API token user)"),
    Field("helpdesk.zendesk_token", "zendesk_token", _secret, "text", "Zendesk API token", secret=True,
          env="COPYCAR_ZENDESK_TOKEN"),
    Field("helpdesk.jira_url", "jira_url", _url, "text", "https://SITE.atlassian.net"),
    Field("helpdesk.jira_email", "jira_email", _address, "text", "Jira account e-mail (API token user)"),
    Field("helpdesk.jira_token", "jira_token", _secret, "text", "Jira API token", secret=True,
          env="COPYCAR_JIRA_TOKEN"),
    Field("helpdesk.jira_project", "jira_project", _project, "text", "Jira project key, e.g. SUP"),
    Field("helpdesk.jira_issue_type", "jira_issue_type", _text, "text", "Jira issue type (default: Task)"),
)
BY_NAME: dict[str, Field] = {f.dotted: f for f in FIELDS}
SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(f.section for f in FIELDS if f.section))
ENV_VARS: dict[str, Field] = {f.env: f for f in FIELDS if f.env}
# A profile (`[profiles.NAME]`) is a customer's context: these sections and `language`; the help
# desk is the agent's own and never part of a profile.
AGENT_ONLY: tuple[str, ...] = ("helpdesk",)
PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


def parse_cli_value(f: Field, text: str) -> CliValue:
    """The TOML value `config set` stores for VALUE (then checked by `f.check`)."""
    if f.cli == "int":
        try:
            return int(text.strip())
        except ValueError:
            raise Invalid(Msg.of("config.expect.whole")) from None
    if f.cli == "float":
        try:
            return float(text.strip())
        except ValueError:
            raise Invalid(Msg.of("config.expect.number")) from None
    if f.cli == "list":
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def holds_secret(data: Mapping[str, Any]) -> bool:
    """Whether a settings table holds a secret anywhere (a profile's too): then only its owner
    may read the file."""
    secrets = {tuple(f.dotted.split(".")) for f in FIELDS if f.secret}

    def walk(table: Mapping[str, Any], at: tuple[str, ...]) -> bool:
        for name, value in table.items():
            path = (*at, str(name))
            if isinstance(value, Mapping):
                if walk(value, path):
                    return True
            elif path[-2:] in secrets or path[-1:] in secrets:
                return True
        return False

    return walk(data, ())
