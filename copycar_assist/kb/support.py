"""Support levels, escalation rules and alert thresholds, loaded from `support.toml`."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import KnowledgeError, Problem
from .frontmatter import toml_problem
from .model import SEVERITIES, Localized

CHANNELS = ("email", "chat", "phone", "sms")


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

    def rule(self, severity: str) -> EscalationRule:
        return self.escalation[severity.upper()]

    def level(self, n: int) -> SupportLevel:
        return self.levels[n]


def _line(text: str, needle: str) -> int | None:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    return None


def load_support(path: Path) -> SupportData:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError([Problem(path, None, f"cannot read: {exc.strerror}")]) from None
    try:
        data: dict[str, Any] = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError([toml_problem(path, exc)]) from None
    problems: list[Problem] = []

    def need(section: dict, key: str, kind: type | tuple, where: str) -> Any:
        if key not in section:
            problems.append(Problem(path, _line(raw, where), f"'{where}' lacks '{key}'"))
            return None
        value = section[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            problems.append(Problem(path, _line(raw, key), f"'{key}' has the wrong type ({type(value).__name__})"))
            return None
        return value

    th = data.get("thresholds", {})
    num = (int, float)
    fields = {
        "response_time_ms": num, "error_rate": num, "success_rate": num, "throughput_per_min": num,
        "personalization_score": num, "prompt_min_chars": int, "prompt_max_tokens": int,
        "tokens_per_word": num, "cache_ttl_s": int, "health_timeout_s": num,
    }
    values = {k: need(th, k, t, "[thresholds]") for k, t in fields.items()}
    for k in ("error_rate", "success_rate", "personalization_score"):
        if isinstance(values.get(k), (int, float)) and not 0 <= values[k] <= 1:
            problems.append(Problem(path, _line(raw, k), f"'{k}' must be a fraction between 0 and 1"))

    alerts = []
    for a in data.get("alerts", []):
        alerts.append(AlertRule(a.get("type", ""), a.get("metric", ""), a.get("severity", ""), a.get("title", {})))
        if a.get("metric") not in fields:
            problems.append(Problem(path, _line(raw, f'"{a.get("type")}"'), f"alert metric '{a.get('metric')}' is not a threshold"))

    levels = {}
    for lv in data.get("levels", []):
        n = lv.get("level")
        rm = lv.get("response_minutes", {})
        bad = [c for c in rm if c not in CHANNELS]
        if bad:
            problems.append(Problem(path, _line(raw, "response_minutes"), f"unknown channel(s) {bad}"))
        levels[n] = SupportLevel(n, lv.get("name", {}), lv.get("responsibilities", {}), rm, lv.get("tools", {}))

    escalation = {}
    for sev in SEVERITIES:
        rule = data.get("escalation", {}).get(sev)
        if rule is None:
            problems.append(Problem(path, None, f"missing [escalation.{sev}]"))
            continue
        lvl = rule.get("level")
        if lvl not in levels:
            problems.append(Problem(path, _line(raw, f"[escalation.{sev}]"), f"escalation {sev} names unknown level {lvl}"))
        chans = tuple(rule.get("channels", ()))
        if any(c not in CHANNELS for c in chans):
            problems.append(Problem(path, _line(raw, f"[escalation.{sev}]"), f"escalation {sev} names an unknown channel"))
        escalation[sev] = EscalationRule(sev, int(rule.get("response_minutes", 0)), lvl, chans)

    if problems:
        raise KnowledgeError(problems)
    return SupportData(Thresholds(**values), tuple(alerts), levels, escalation)
