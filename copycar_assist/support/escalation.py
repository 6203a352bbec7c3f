"""Escalation: severity → support level, response time and notification channels.

All figures come from the knowledge base's support data (`knowledge/support.toml`):
`support.escalation[SEVERITY]` gives the level, the response minutes and the channels;
`support.levels[n]` gives the level's name and its response time per channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from copycar_assist.i18n import t
from copycar_assist.kb import pick

if TYPE_CHECKING:
    from copycar_assist.kb.support import SupportData


@dataclass(frozen=True)
class EscalationInfo:
    severity: str
    level: int
    level_name: dict[str, str]
    response_minutes: int
    channels: tuple[str, ...]
    level_response_minutes: dict[str, int]  # the level's own response time per channel


def escalation_for(support: SupportData, severity: str) -> EscalationInfo:
    rule = support.rule(severity)
    level = support.levels.get(rule.level)
    return EscalationInfo(
        severity=rule.severity,
        level=rule.level,
        level_name=dict(level.name) if level else {},
        response_minutes=rule.response_minutes,
        channels=tuple(rule.channels),
        level_response_minutes=dict(level.response_minutes) if level else {},
    )


def format_minutes(minutes: int, lang: str) -> str:
    """15 → "15 min", 60 → "1 h", 90 → "1 h 30 min"."""
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    if hours:
        return f"{hours} h"
    return f"{rest} min"


def channel_name(channel: str, lang: str) -> str:
    return t(f"channel.{channel}", lang) if channel else channel


def describe(info: EscalationInfo, lang: str) -> str:
    """One paragraph: level, response time, channels, and the level's times per channel."""
    channels = ", ".join(channel_name(c, lang) for c in info.channels)
    per_channel = ", ".join(
        f"{channel_name(c, lang)} {format_minutes(m, lang)}" for c, m in info.level_response_minutes.items()
    )
    text = t("esc.describe", lang, severity=info.severity, level=info.level,
             level_name=pick(info.level_name, lang, f"{info.level}"),
             time=format_minutes(info.response_minutes, lang), channels=channels)
    if per_channel:
        text += " " + t("esc.level_times", lang, level=info.level, times=per_channel)
    return text
