"""Fixes that are a setting: proposed from the cause and the checks' results, shown as a diff,
applied to the context in hand (a case's, or the agent's in memory), re-checked and undone.

    book = FixBook(settings)
    book.propose(entry_id, cause_id, results)   # -> [Proposal], also book.offered
    book.diff(proposal, lang)                   # "- api.base_url = …\\n+ api.base_url = …"
    applied = book.apply(1)                     # the first offered; secrets masked in every record
    book.undo(1)                                # the first applied, back as it was
    book.applied                                # every applied fix, for the case and its ticket

What can be proposed (`proposals_for`), each with the checks that tell whether it worked:

| cause seen                                   | change                                          | re-check |
|---|---|---|
| api.verify unauthorized / expired            | api.key → a new key the agent types (masked)    | api.verify |
| api.health not_found, base URL without /v2   | api.base_url → …/v2                             | api.health |
| api.health insecure (http:// to a remote)    | api.base_url → https://…                        | api.health |
| api.health fails, another endpoint healthy   | api.base_url ↔ the healthy endpoint             | api.health, api.endpoints |
| email.smtp: port and security disagree       | smtp.security → tls (465) / starttls (25, 587)  | email.smtp |
| crm.fields: a mapped field is missing        | crm.field_map.X → the CRM's closest field       | crm.fields |

Nothing here writes a file: saving is the agent's choice (`Case.save_profile`, `config`).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypedDict

from copycar_assist.config_schema import Value
from copycar_assist.files.msg import Msg
from copycar_assist.redact import Secret

if TYPE_CHECKING:
    from copycar_assist.checks.base import CheckResult
    from copycar_assist.config import Settings

NEEDS_VALUE = "api.key"  # the one change whose new value the agent types


class ChangeRecord(TypedDict):
    """One change of an applied fix as its record holds it: values shown, secrets masked."""

    field: str
    old: str
    new: str


class AppliedRecord(TypedDict):
    """An applied fix as the case, the ticket and the draft reply hold it (`Applied.to_json`)."""

    kind: str
    field: str
    old: str
    new: str
    changes: list[ChangeRecord]
    applied_at: str
    undone: bool
    undone_at: str | None
    recheck: str | None


@dataclass(frozen=True)
class Change:
    field: str  # dotted: "api.base_url", "api.endpoints", "crm.field_map.company"
    old: Value | None
    new: Value | None

    def shown(self, value: Value | None) -> str:
        if isinstance(value, Secret):
            return value.masked
        if value is None or value in ("", [], {}):
            return "—"
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)


@dataclass
class Proposal:
    kind: str  # key | base_url | endpoint | smtp_security | crm_field
    title: Msg  # what the proposal does, put into words in the reader's language
    changes: list[Change]
    checks: tuple[str, ...]  # re-run after applying
    needs_value: str | None = None  # a field whose new value the agent types first

    def label(self, lang: str) -> str:
        return self.title.text(lang)


@dataclass
class Applied:
    proposal: Proposal
    at: str
    undone_at: str | None = None
    recheck: str | None = None  # "pass" | "warn" | "fail" | "error" | "skipped" of the re-check

    def to_json(self) -> AppliedRecord:
        c = self.proposal.changes[0]
        return {"kind": self.proposal.kind, "field": c.field, "old": c.shown(c.old), "new": c.shown(c.new),
                "changes": [{"field": x.field, "old": x.shown(x.old), "new": x.shown(x.new)}
                            for x in self.proposal.changes],
                "applied_at": self.at, "undone": self.undone_at is not None, "undone_at": self.undone_at,
                "recheck": self.recheck}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _get(settings: Settings, dotted: str) -> Value | None:
    if dotted.startswith("crm.field_map."):
        return settings.crm.field_map.get(dotted[len("crm.field_map."):])
    section, _, name = dotted.partition(".")
    value: Value | None = getattr(getattr(settings, section), "from_addr" if name == "from" else name)
    return list(value) if isinstance(value, list) else value


def _put(settings: Settings, dotted: str, value: Value | None) -> None:
    if dotted.startswith("crm.field_map."):
        key = dotted[len("crm.field_map."):]
        fmap = dict(settings.crm.field_map)
        if value is None:
            fmap.pop(key, None)
        else:
            fmap[key] = str(value)
        settings.crm.field_map = fmap
        settings.sources["crm.field_map"] = "case"
        return
    section, _, name = dotted.partition(".")
    setattr(getattr(settings, section), name, list(value) if isinstance(value, list) else value)
    settings.sources[dotted] = "case"
    if dotted == "api.key":
        settings.api.key_source = "case"


# --- what to propose --------------------------------------------------------------------------


def proposals_for(entry_id: str | None, cause_id: str | None, results: Mapping[str, CheckResult], settings: Settings, *,
                  ask_secrets: bool = False) -> list[Proposal]:
    """Fixes that are a setting for what the checks found (see the module doc). `ask_secrets`:
    the front end can ask for a new key in a masked field (the line modes cannot)."""
    out: list[Proposal] = []
    outcome = {cid: r.outcome for cid, r in results.items()}
    # (not for the demo's key: the simulator's verdict does not depend on the key sent)
    if ask_secrets and outcome.get("api.verify") in ("unauthorized", "expired") and settings.api.key_source != "demo":
        out.append(Proposal("key", Msg.of("desk.fix.new_key"),
                            [Change("api.key", settings.api.key, None)], ("api.verify",), needs_value=NEEDS_VALUE))
    base = (settings.api.base_url or "").rstrip("/")
    health = outcome.get("api.health")
    if health == "not_found" or outcome.get("api.verify") == "not_found":
        fixed = _with_version(base)
        if fixed and fixed != base:
            out.append(_base_url(base, fixed, "desk.fix.why.version_path"))
    if health == "insecure" and base.startswith("http://"):
        out.append(_base_url(base, "https://" + base[len("http://"):], "desk.fix.why.https"))
    if health in ("unhealthy", "connect_failed", "dns_failure", "timeout", "tls_failure") and "api.endpoints" in results:
        healthy = _healthy_endpoint(results["api.endpoints"], settings)
        if healthy and healthy != base:
            others = [e for e in settings.api.endpoints if e.rstrip("/") != healthy] + [base]
            out.append(Proposal("endpoint", Msg.of("desk.fix.endpoint", url=healthy),
                                [Change("api.base_url", base, healthy),
                                 Change("api.endpoints", list(settings.api.endpoints), others)],
                                ("api.health", "api.endpoints")))
    smtp = _smtp_security(settings) if outcome.get("email.smtp") in ("misconfigured", "tls_failed", "no_starttls",
                                                                      "connect_failed") else None
    if smtp:
        out.append(Proposal("smtp_security", Msg.of("desk.fix.smtp_security", value=smtp),
                            [Change("smtp.security", settings.smtp.security, smtp)], ("email.smtp",)))
    crm = results.get("crm.fields")
    suggest = crm.evidence.get("suggest") if crm is not None and outcome.get("crm.fields") == "mapping_error" else None
    if isinstance(suggest, dict):
        for ours, target in list(suggest.items())[:3]:
            if ours in settings.crm.field_map and isinstance(target, str):
                out.append(Proposal("crm_field", Msg.of("desk.fix.crm_field", ours=ours, target=target),
                                    [Change(f"crm.field_map.{ours}", settings.crm.field_map[ours], target)],
                                    ("crm.fields",)))
    return out[:9]


def _base_url(old: str, new: str, why: str) -> Proposal:
    return Proposal("base_url", Msg.of("desk.fix.base_url", why=Msg.of(why), url=new),
                    [Change("api.base_url", old, new)], ("api.health",))


def _with_version(base: str) -> str | None:
    u = urllib.parse.urlsplit(base)
    path = u.path.rstrip("/")
    if re.search(r"/v2$", path):
        return None
    path = re.sub(r"/v\d+$", "", path) + "/v2"
    return urllib.parse.urlunsplit((u.scheme, u.netloc, path, "", ""))


def _healthy_endpoint(result: CheckResult, settings: Settings) -> str | None:
    """The first endpoint api.endpoints saw healthy (its evidence numbers them as configured)."""
    bases: list[str] = []
    for url in [settings.api.base_url, *settings.api.endpoints]:
        url = str(url).strip().rstrip("/")
        if url and url not in bases:
            bases.append(url)
    for n, base in enumerate(bases, 1):
        line = str(result.evidence.get(f"endpoint_{n}", ""))
        if "→ 200" in line:
            return base
    return None


def _smtp_security(settings: Settings) -> str | None:
    port, security = int(settings.smtp.port or 0), (settings.smtp.security or "").lower()
    if port == 465 and security != "tls":
        return "tls"
    if port in (25, 587) and security == "tls":
        return "starttls"
    return None


# --- applying and undoing -------------------------------------------------------------------


class FixBook:
    """The fixes offered and applied in one context (see the module doc)."""

    def __init__(self, settings: Settings, *, ask_secrets: bool = False) -> None:
        self.settings = settings
        self.ask_secrets = ask_secrets
        self.offered: list[Proposal] = []
        self.applied: list[Applied] = []
        self._values: dict[str, Value] = {}

    def propose(self, entry_id: str | None, cause_id: str | None, results: Mapping[str, CheckResult]) -> list[Proposal]:
        self.offered = proposals_for(entry_id, cause_id, results, self.settings, ask_secrets=self.ask_secrets)
        return self.offered

    def pending(self) -> list[tuple[int, Proposal]]:
        """(number, proposal) of the offered fixes not applied now."""
        live = [a.proposal for a in self.applied if a.undone_at is None]
        return [(n, p) for n, p in enumerate(self.offered, 1) if p not in live]

    def live(self) -> list[tuple[int, Applied]]:
        """(number, applied fix) of the fixes in effect now (not undone)."""
        return [(n, a) for n, a in enumerate(self.applied, 1) if a.undone_at is None]

    def provide(self, dotted: str, value: str) -> None:
        """The new value for a proposal that needs one (typed in a masked field)."""
        from copycar_assist.config_schema import BY_NAME

        self._values[dotted] = BY_NAME[dotted].check(value)

    def ready(self, proposal: Proposal) -> bool:
        return proposal.needs_value is None or proposal.needs_value in self._values

    def diff(self, proposal: Proposal) -> str:
        lines = []
        for c in proposal.changes:
            new = self._values.get(c.field, c.new) if proposal.needs_value == c.field else c.new
            lines += [f"- {c.field} = {c.shown(c.old)}",
                      f"+ {c.field} = {c.shown(new) if new is not None else '(…)'}"]
        return "\n".join(lines)

    def apply(self, n: int) -> Applied:
        """Apply the n-th offered fix (1-based) to the settings; `ValueError` if it cannot be."""
        if not 1 <= n <= len(self.offered):
            raise ValueError(f"no fix number {n}")
        proposal = self.offered[n - 1]
        if not self.ready(proposal):
            raise ValueError(f"{proposal.needs_value}: type the new value first")
        changes = []
        for c in proposal.changes:
            new = self._values.pop(c.field) if proposal.needs_value == c.field else c.new
            changes.append(Change(c.field, _get(self.settings, c.field), new))
        done = Proposal(proposal.kind, proposal.title, changes, proposal.checks)
        for c in changes:
            if isinstance(c.old, Secret) and c.old not in self.settings.also_redact:
                self.settings.also_redact.append(c.old)  # the old key stays masked in what follows
            _put(self.settings, c.field, c.new)
        applied = Applied(done, _now())
        self.applied.append(applied)
        self.offered[n - 1] = done
        return applied

    def undo(self, n: int) -> Applied:
        """Put back what the n-th applied fix (1-based) changed."""
        if not 1 <= n <= len(self.applied) or self.applied[n - 1].undone_at is not None:
            raise ValueError(f"no applied fix number {n}")
        applied = self.applied[n - 1]
        for c in reversed(applied.proposal.changes):
            if isinstance(c.new, Secret) and c.new not in self.settings.also_redact:
                self.settings.also_redact.append(c.new)
            _put(self.settings, c.field, c.old)
        applied.undone_at = _now()
        return applied

    def records(self) -> list[AppliedRecord]:
        return [a.to_json() for a in self.applied]

