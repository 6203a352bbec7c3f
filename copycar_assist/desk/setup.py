"""The guided set-up: groups of settings, each verified live by its check before it is saved.

    group = GROUPS["api"]
    candidate = try_values(settings, group, {"api.base_url": "", "api.key": "sk-…"})  # ConfigError names the field
    ok, results = await verify(kb, candidate, group, lang="en")       # the group's checks, on these values
    save(path, group, values, profile=None)                           # only then: under the lock, 0600

`copycar-assist setup` (line mode) and the app's set-up screen drive it the same way; nothing
passes through a command line (no value is an argument), and a secret is read without echo.
A value left empty keeps what the settings have (or the default); an optional group can be
skipped. A group is saved only when its checks pass (a warning is fine): a key the API refuses
is never written. With `profile`, the values go to `[profiles.NAME]` instead (a customer's).
Never imports Textual.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from copycar_assist.config import ConfigError, ConfigProblem, Settings
from copycar_assist.config_schema import BY_NAME, CliValue, Invalid, parse_cli_value
from copycar_assist.files.msg import Msg
from copycar_assist.i18n import t

if TYPE_CHECKING:
    from copycar_assist.checks.base import CheckResult, Event
    from copycar_assist.kb import KnowledgeBase


@dataclass(frozen=True)
class Ask:
    field: str  # dotted setting; its label is `setup.ask.<field>` in the catalogue
    placeholder: str = ""

    @property
    def secret(self) -> bool:
        return BY_NAME[self.field].secret

    def label(self, lang: str) -> str:
        return t(f"setup.ask.{self.field}", lang)


@dataclass(frozen=True)
class Group:
    id: str  # its title is `setup.group.<id>` in the catalogue
    asks: tuple[Ask, ...]
    checks: tuple[str, ...]
    optional: bool = True

    def title(self, lang: str) -> str:
        return t(f"setup.group.{self.id}", lang)


GROUPS: dict[str, Group] = {g.id: g for g in (
    Group("api", (
        Ask("api.base_url", "https://api.copycarai.com/v2"),
        Ask("api.key", "sk-…"),
    ), ("api.health", "api.verify"), optional=False),
    Group("smtp", (
        Ask("smtp.host", "smtp.example.com"),
        Ask("smtp.port", "587"),
        Ask("smtp.security", "starttls"),
        Ask("smtp.username", "alerts@example.com"),
        Ask("smtp.password", ""),
        Ask("smtp.from", "alerts@example.com"),
    ), ("email.smtp",)),
    Group("email", (
        Ask("email.domain", "example.com"),
    ), ("email.domain",)),
    Group("crm", (
        Ask("crm.kind", "hubspot"),
        Ask("crm.base_url", "https://api.hubapi.com"),
        Ask("crm.token", ""),
    ), ("crm.auth",)),
    Group("redis", (
        Ask("redis.url", "redis://localhost:6379/0"),
    ), ("cache.redis",)),
)}
ORDER = ("api", "smtp", "email", "crm", "redis")


def group_for(field: str) -> Group | None:
    """The group that asks for a setting (what "set it up now" opens for a skipped check)."""
    return next((g for g in GROUPS.values() if any(a.field == field for a in g.asks)), None)


def _parsed(field: str, text: str) -> CliValue:
    f = BY_NAME[field]
    try:
        value = parse_cli_value(f, text)
        f.check(value)
    except Invalid as exc:
        raise ConfigError([ConfigProblem("<setup>", None, None, f.label(), exc.reason)]) from None
    return value


def typed(group: Group, values: dict[str, str]) -> dict[str, CliValue]:
    """The values given (empty ones left out), parsed and checked: `ConfigError` names the field."""
    return {a.field: _parsed(a.field, values[a.field].strip()) for a in group.asks
            if (values.get(a.field) or "").strip()}


def try_values(base: Settings, group: Group, values: dict[str, str]) -> Settings:
    """A copy of `base` with the group's values in it, to verify before anything is saved."""
    candidate = copy.deepcopy(base)
    candidate.profiles = {}
    for field, value in typed(group, values).items():
        candidate._set(BY_NAME[field], BY_NAME[field].check(value), "file")
    return candidate


def passed(results: list[CheckResult]) -> bool:
    return bool(results) and all(r.status in ("pass", "warn") for r in results)


async def verify(kb: KnowledgeBase, settings: Settings, group: Group, *, lang: str = "en",
                 on_event: Callable[[Event], object] | None = None) -> tuple[bool, list[CheckResult]]:
    """Run the group's checks on `settings`; (every one passed or warned, the results)."""
    from copycar_assist.checks.base import CheckContext
    from copycar_assist.checks.http_client import SharedClient
    from copycar_assist.checks.runner import run_checks

    async with SharedClient(settings) as http:
        ctx = CheckContext(settings, kb, http, settings.redactor(), lang=lang)
        report = await run_checks(ctx, group.checks, on_event=on_event, deadline_s=20.0)
    return passed(report.results), report.results


def save(path: Path, group: Group, values: dict[str, str], *, profile: str | None = None) -> dict[str, CliValue]:
    """Write the group's given values into the settings file (or `[profiles.NAME]`), under the
    settings lock, atomically, 0600. Returns what was written (secrets included: do not print)."""
    from copycar_assist.config import update_settings_file

    written = typed(group, values)

    def change(data: dict[str, Any]) -> bool:
        target = data
        if profile:
            target = data.setdefault("profiles", {}).setdefault(profile, {})
        for field, value in written.items():
            section, _, key = field.rpartition(".")
            table = target.setdefault(section, {}) if section else target
            if not isinstance(table, dict):
                raise ConfigError([ConfigProblem(str(path), None, None, f"[{section}]",
                                                 Msg.of("config.problem.not_table_fix"))])
            table[key] = value
        return bool(written)

    update_settings_file(Path(path), change)
    return written


def apply_saved(settings: Settings, written: Mapping[str, CliValue]) -> list[str]:
    """Put what was saved into the settings in memory too; an environment override still wins.
    Returns the environment variables that override a saved value."""
    overridden = []
    for field, value in written.items():
        f = BY_NAME[field]
        if settings.source(field) == "env":
            overridden.append(f.env or field)
            continue
        settings._set(f, f.check(value), "file")
    return overridden
