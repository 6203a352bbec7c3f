"""A case: the customer being helped and the context their checks run in.

    case = Case.from_profile(agent_settings, "acme", reference="ZD-4411")
    case = Case.typed(agent_settings, Customer("Acme", "ZD-4411", "en"), {"api.key": "sk-…"})
    case.settings                   # what the conversation, the diagnostics and the fixes receive
    case.save_profile()             # the only way a secret typed for the case reaches the disk

The case's `Settings` hold the customer's values only: a profile's, or what was typed, and the
defaults elsewhere — never the agent's key, SMTP, CRM or Redis, and no environment overrides
(those are the agent's). A check that needs something the case lacks is skipped and says the
case lacks it. The case's redactor masks the agent's secrets as well as the customer's.
Never imports Textual; writes nothing unless `save_profile` is called.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from copycar_assist.config import ConfigError, ConfigProblem, Settings, config_path, settings_to_dict
from copycar_assist.config_schema import AGENT_ONLY, BY_NAME, PROFILE_NAME, Invalid
from copycar_assist.files.msg import Msg

from .fixes import FixBook


class CustomerRecord(TypedDict):
    """The customer as the ticket holds it (`Customer.to_json`)."""

    name: str
    reference: str | None
    language: str | None


@dataclass
class Customer:
    name: str
    reference: str | None = None  # the customer's own ticket or account reference
    language: str | None = None  # "es" | "en": the language of the reply for them

    def to_json(self) -> CustomerRecord:
        return {"name": self.name, "reference": self.reference, "language": self.language}


def _fresh(agent: Settings, base: Settings | None, name: str) -> Settings:
    s = copy.deepcopy(base) if base is not None else Settings()
    s.path, s.profiles = None, {}
    s.language = agent.language  # the agent talks in theirs; the customer's is `Customer.language`
    s.context_name = name
    s.also_redact = agent.secrets()
    return s


class Case:
    def __init__(self, customer: Customer, settings: Settings, *, profile: str | None = None,
                 agent: Settings | None = None) -> None:
        self.customer = customer
        self.settings = settings
        self.profile = profile  # the profile it was opened from (or saved to)
        self.agent = agent  # the agent's own settings: where profiles are saved
        self.fixes = FixBook(settings)  # fixes applied to the case's context, recorded in its ticket

    @classmethod
    def from_profile(cls, agent: Settings, name: str, *, reference: str | None = None) -> Case:
        """A case in the context of `[profiles.NAME]`; `KeyError` names the profiles there are."""
        profile = agent.profiles.get(name)
        if profile is None:
            known = ", ".join(sorted(agent.profiles)) or "none"
            raise KeyError(f"no profile named {name!r} in the settings (profiles: {known})")
        customer = Customer(name, reference, profile.language)
        return cls(customer, _fresh(agent, profile, name), profile=name, agent=agent)

    @classmethod
    def typed(cls, agent: Settings, customer: Customer, values: Mapping[str, object] | None = None) -> Case:
        """A case whose context is what the agent typed (validated field by field)."""
        case = cls(customer, _fresh(agent, None, customer.name), agent=agent)
        for dotted, value in (values or {}).items():
            case.set(dotted, value)
        return case

    def set(self, dotted: str, value: object) -> None:
        """Set one field of the case's context: `ConfigError` naming the field when it is invalid."""
        f = BY_NAME.get(dotted)
        if f is None or f.section in AGENT_ONLY or f.dotted == "language":
            raise ConfigError([ConfigProblem("<case>", None, None, dotted, Msg.of("config.problem.not_in_case"))])
        if value in (None, ""):
            self.settings._set(f, getattr(Settings()._section(f), f.attr), "case")
            self.settings.sources.pop(f.dotted, None)
            return
        try:
            self.settings._set(f, f.check(value), "case")
        except Invalid as exc:
            raise ConfigError([ConfigProblem("<case>", None, None, f.label(), exc.reason)]) from None

    @property
    def label(self) -> str:
        """How the header names the context: the customer, and their reference."""
        ref = f" · {self.customer.reference}" if self.customer.reference else ""
        return f"{self.customer.name}{ref}"

    def context_json(self) -> dict[str, Any]:
        """Whose context the checks ran in, for the ticket (no secret, only whether one is set)."""
        s = self.settings
        return {"owner": "customer", "name": self.customer.name, "profile": self.profile,
                "base_url": s.api.base_url, "key_set": bool(s.api.key),
                "smtp_host": s.smtp.host, "crm_kind": s.crm.kind, "redis_set": bool(s.redis.url)}

    def profile_document(self) -> dict[str, Any]:
        """The `[profiles.NAME]` table for this case (secrets revealed: it is written 0600)."""
        doc = settings_to_dict(self.settings)
        doc.pop("language", None)
        doc.pop("profiles", None)
        if self.customer.language:
            doc["language"] = self.customer.language
        return doc

    def save_profile(self, name: str | None = None, path: Path | None = None) -> Path:
        """Write the case's context as `[profiles.NAME]` in the settings file (under the lock,
        0600); the agent's own settings and other profiles are kept. Returns the file."""
        from copycar_assist.config import update_settings_file

        name = name or self.profile or _slug(self.customer.name)
        if not PROFILE_NAME.match(name):
            raise ConfigError([ConfigProblem("<case>", None, None, "profile", Msg.of("config.problem.profile_name"))])
        target = Path(path) if path is not None else (
            self.agent.path if self.agent is not None and self.agent.path else config_path())
        doc = self.profile_document()

        def change(data: dict[str, Any]) -> None:
            profiles = data.setdefault("profiles", {})
            if not isinstance(profiles, dict):
                raise ConfigError([ConfigProblem(str(target), None, None, "[profiles]", Msg.of("config.problem.not_table"))])
            profiles[name] = doc

        update_settings_file(target, change)
        self.profile = name
        if self.agent is not None:
            self.agent.profiles[name] = copy.deepcopy(self.settings)
        return target


def _slug(text: str) -> str:
    out = "".join(c if c.isalnum() or c in "-_" else "-" for c in text.strip().lower())
    return out.strip("-")[:40] or "customer"
