"""Support levels, escalation rules and alert thresholds, loaded from `support.toml`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copycar_assist.files.fields import fits, wrong_msg
from copycar_assist.files.msg import Msg

from .datafile import read_data
from .errors import KnowledgeError, Problem
from .model import LANGS, SEVERITIES, Localized

CHANNELS = ("email", "chat", "phone", "sms")
# A fact of [guide]: a string, a number, a list of strings, or a table of strings per language.
GuideValue = str | int | float | list[str] | dict[str, str]


@dataclass(frozen=True)
class Thresholds:
    response_time_ms: float
    error_rate: float
    success_rate: float
    throughput_per_min: float
    personalization_score: float
    prompt_min_chars: int
    prompt_max_tokens: int
    tokens_per_word: float
    cache_ttl_s: int
    health_timeout_s: float
    slower_factor: float = 2.0
    slower_min_ms: float = 250.0


@dataclass(frozen=True)
class AlertRule:
    type: str
    metric: str
    severity: str  # WARNING | CRITICAL
    title: Localized


@dataclass(frozen=True)
class SupportLevel:
    level: int
    name: Localized
    responsibilities: dict[str, list[str]]
    response_minutes: dict[str, int]  # channel -> minutes
    tools: dict[str, list[str]]


@dataclass(frozen=True)
class EscalationRule:
    severity: str
    response_minutes: int
    level: int
    channels: tuple[str, ...]


@dataclass(frozen=True)
class SupportData:
    thresholds: Thresholds
    alerts: tuple[AlertRule, ...]
    levels: dict[int, SupportLevel]
    escalation: dict[str, EscalationRule]
    # Other facts of the guide ([guide]): endpoints, the log format, the monitor's interval …
    guide: dict[str, GuideValue] = field(default_factory=dict)

    def rule(self, severity: str) -> EscalationRule:
        return self.escalation[severity.upper()]

    def level(self, n: int) -> SupportLevel:
        return self.levels[n]


_THRESHOLDS = {
    "response_time_ms": "number", "error_rate": "number", "success_rate": "number",
    "throughput_per_min": "number", "personalization_score": "number", "prompt_min_chars": "int",
    "prompt_max_tokens": "int", "tokens_per_word": "number", "cache_ttl_s": "int", "health_timeout_s": "number",
}
_OPTIONAL_THRESHOLDS = {"slower_factor": "number", "slower_min_ms": "number"}


def load_support(path: Path) -> SupportData:
    """Read and check support.toml: every field's type, every name it refers to; a problem per
    field with its line."""
    data, lines = read_data(path)
    problems: list[Problem] = []

    def bad(keys: tuple[str, ...], why: Msg, nth: int = 0) -> None:
        problems.append(Problem(path, lines.line(*keys, nth=nth) or lines.line(keys[0]), why))

    def field(table: dict[str, Any], keys: tuple[str, ...], spec: str, label: str | Msg, nth: int = 0,
              default: object = None) -> Any:
        """`table[keys[-1]]` when it fits `spec` (a TOML value: its type is what `spec` says),
        else None with a problem; `default` when it is missing (None: it is required)."""
        if keys[-1] not in table and default is None:
            bad(keys, Msg.of("kb.problem.field_missing", field=label), nth)
            return None
        value = table.get(keys[-1], default)
        why = wrong_msg(value, spec)
        if why:
            bad(keys, Msg.of("kb.problem.field_wrong", field=label, why=why), nth)
            return None
        return value

    def section(name: str, spec: str) -> Any:
        value = data.get(name, {} if spec == "table" else [])
        why = wrong_msg(value, spec)
        if why:
            bad((name,), Msg.of("kb.problem.field_wrong", field=name, why=why))
            return {} if spec == "table" else []
        return value

    th = section("thresholds", "table")
    values = {k: field(th, ("thresholds", k), spec, f"[thresholds] {k}") for k, spec in _THRESHOLDS.items()}
    usual = section("usual", "table")  # optional: "slower than usual" (defaults in Thresholds)
    for k, spec in _OPTIONAL_THRESHOLDS.items():
        if k in usual:
            values[k] = field(usual, ("usual", k), spec, f"[usual] {k}")
    if values.get("slower_factor") is not None and values["slower_factor"] < 1:
        bad(("usual", "slower_factor"), Msg.of("kb.problem.slower_factor"))
    for k in ("error_rate", "success_rate", "personalization_score"):
        if values.get(k) is not None and not 0 <= values[k] <= 1:
            bad(("thresholds", k), Msg.of("kb.problem.fraction", name=k))

    alerts = []
    for n, a in enumerate(section("alerts", "list[table]")):
        got = {k: field(a, ("alerts", k), spec, Msg.of("kb.problem.label.alert", n=n + 1, name=k), n)
               for k, spec in (("type", "id"), ("metric", "str"), ("severity", "str"), ("title", "table[str]"))}
        if None in got.values():
            continue
        if got["metric"] not in _THRESHOLDS:
            bad(("alerts", "metric"), Msg.of("kb.problem.alert_metric", n=n + 1, metric=got["metric"]), n)
        alerts.append(AlertRule(got["type"], got["metric"], got["severity"], got["title"]))

    levels: dict[int, SupportLevel] = {}
    for n, lv in enumerate(section("levels", "list[table]")):
        got = {k: field(lv, ("levels", k), spec, Msg.of("kb.problem.label.level", n=n + 1, name=k), n, default)
               for k, spec, default in (("level", "int", None), ("name", "table[str]", None),
                                        ("responsibilities", "table[list[str]]", {}),
                                        ("response_minutes", "table[int]", {}), ("tools", "table[list[str]]", {}))}
        if None in got.values():
            continue
        unknown = [c for c in got["response_minutes"] if c not in CHANNELS]
        if unknown:
            bad(("levels", "response_minutes"), Msg.of("kb.problem.unknown_channels", n=n + 1, channels=str(unknown)), n)
        levels[got["level"]] = SupportLevel(got["level"], got["name"], got["responsibilities"],
                                            got["response_minutes"], got["tools"])

    escalation = {}
    rules = section("escalation", "table")
    for sev in SEVERITIES:
        rule = rules.get(sev)
        if rule is None:
            problems.append(Problem(path, lines.line("escalation"), "kb.problem.escalation_missing", sev=sev))
            continue
        if not isinstance(rule, dict):
            bad(("escalation", sev), Msg.of("kb.problem.escalation_table", sev=sev))
            continue
        keys = ("escalation", sev)
        minutes = field(rule, (*keys, "response_minutes"), "int", f"escalation.{sev} response_minutes")
        lvl = field(rule, (*keys, "level"), "int", f"escalation.{sev} level")
        chans = field(rule, (*keys, "channels"), "list[str]", f"escalation.{sev} channels", default=[])
        if None in (minutes, lvl, chans):
            continue
        if lvl not in levels:
            bad((*keys, "level"), Msg.of("kb.problem.escalation_level", sev=sev, level=lvl))
        if any(c not in CHANNELS for c in chans):
            bad((*keys, "channels"), Msg.of("kb.problem.escalation_channel", sev=sev))
        escalation[sev] = EscalationRule(sev, minutes, lvl, tuple(chans))

    guide: dict[str, GuideValue] = {}
    for name, value in section("guide", "table").items():
        if isinstance(value, dict):
            why = wrong_msg(value, "table[str]") or (
                Msg.of("kb.problem.has_unknown_languages", langs=str(sorted(k for k in value if k not in LANGS)))
                if any(k not in LANGS for k in value) else None)
        elif isinstance(value, list):
            why = wrong_msg(value, "list[str]")
        else:
            why = None if isinstance(value, str) or fits(value, "number") else Msg.of("kb.problem.guide_value")
        if why:
            bad(("guide", name), Msg.of("kb.problem.field_wrong", field=f"[guide] {name}", why=why))
            continue
        guide[name] = value

    if problems:
        raise KnowledgeError(problems)
    return SupportData(Thresholds(**values), tuple(alerts), levels, escalation, guide)
