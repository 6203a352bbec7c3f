"""The guide's alert rules with hysteresis: raised once, cleared once, never one per sample.

The rules are the knowledge's (`support.toml`: `[[alerts]]` and `[thresholds]`): high response
time, high error rate, low success rate, low throughput. Each rule is watched per target with a
small state machine:

    ok ──over──▶ pending ──over for raise_after_s──▶ FIRING (event "raised")
     ▲             │ back within                      │ back within the clear level
     └─────────────┘                                  ▼
     ◀──within the clear level for clear_after_s── recovering (event "cleared" on leaving)
                                                      │ over the clear level again: firing, no event

No transition happens on a window with fewer than `min_samples` samples. The clear level sits a
margin inside the threshold (90 % of it for "above" rules; a tenth of the way to 100 % for a
success rate), so a metric that hovers at the threshold does not flap.

The response-time rule compares the window's p95 (the guide's pitfall: alert on the p95, not the
mean) with the guide's 5,000 ms and, when the target has a usual latency in the history, with
"slower than usual": at least `slower_factor` times the usual p95 and `slower_min_ms` more. The
lower of the two limits applies and the event says which. The throughput rule only applies to a
followed log: the monitor's own requests per minute are its sampling rate, not the user's traffic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from copycar_assist.i18n import duration, number, t
from copycar_assist.kb import pick

from .window import Metrics

if TYPE_CHECKING:
    from copycar_assist.kb.support import SupportData

DIRECTION = {"response_time_ms": "above", "error_rate": "above", "success_rate": "below",
             "throughput_per_min": "below"}
RATES = ("error_rate", "success_rate")


@dataclass(frozen=True)
class Rule:
    type: str  # HIGH_ERROR_RATE …
    metric: str  # response_time_ms | error_rate | success_rate | throughput_per_min
    severity: str  # WARNING | CRITICAL
    title: dict[str, str]
    threshold: float
    direction: str  # above | below
    for_probes: bool  # applies to the monitor's own requests


def rules_from(support: SupportData) -> list[Rule]:
    th = support.thresholds
    out = []
    for a in support.alerts:
        if a.metric not in DIRECTION:
            continue
        out.append(Rule(a.type, a.metric, a.severity, dict(a.title), float(getattr(th, a.metric)),
                        DIRECTION[a.metric], a.metric != "throughput_per_min"))
    return out


@dataclass(frozen=True)
class Policy:
    raise_after_s: float = 60.0
    clear_after_s: float = 120.0
    min_samples: int = 12
    clear_margin: float = 0.1
    slower_factor: float = 2.0
    slower_min_ms: float = 250.0


@dataclass(frozen=True)
class AlertEvent:
    target: str
    type: str
    severity: str
    state: str  # raised | cleared | test
    at: float
    value: float | None
    threshold: float  # the limit that applied
    reason: str  # threshold | baseline | test
    metric: str
    title: dict[str, str] = field(default_factory=dict)
    usual_ms: float | None = None  # the usual p95 when the reason is the baseline
    samples: int = 0
    window_s: float = 0.0

    def message(self, lang: str) -> str:
        span = (t("monitor.span.minutes", lang, minutes=f"{self.window_s / 60:.0f}", n=self.samples)
                if self.window_s >= 60 else t("monitor.span.requests", lang, n=self.samples))
        shown = {"value": fmt(self.metric, self.value, lang), "limit": fmt(self.metric, self.threshold, lang),
                 "usual": fmt("response_time_ms", self.usual_ms, lang), "span": span,
                 "what": t(f"monitor.metric.{self.metric}", lang),
                 "target": self.target, "type": self.type, "severity": self.severity}
        return t(f"monitor.alert.{self.state}.{self.reason}", lang, **shown)

    @property
    def message_en(self) -> str:
        return self.message("en")

    def title_in(self, lang: str) -> str:
        return pick(self.title, lang, self.type)

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "type": self.type, "severity": self.severity, "state": self.state,
                "at": self.at, "metric": self.metric, "value": self.value, "threshold": self.threshold,
                "reason": self.reason, "usual_ms": self.usual_ms, "samples": self.samples,
                "message": {"es": self.message("es"), "en": self.message("en")}}


def fmt(metric: str, value: float | None, lang: str = "en") -> str:
    """A metric's value to read, in the language's way ("0,5%", "1,2 s" in Spanish)."""
    if value is None:
        return "–"
    if metric in RATES:
        whole = abs(value * 100 - round(value * 100)) < 0.05
        return number(value, lang, ".0%" if whole or value >= 0.1 else ".1%")
    if metric == "throughput_per_min":
        return f"{value:.0f}/min"
    return duration(value, lang)


@dataclass
class _Track:
    state: str = "ok"  # ok | pending | firing | recovering
    since: float = 0.0
    raised: AlertEvent | None = None


class AlertTracker:
    """Feeds each window's metrics through every rule; returns the events (raised / cleared)."""

    def __init__(self, rules: list[Rule], policy: Policy | None = None):
        self.rules = rules
        self.policy = policy or Policy()
        self._tracks: dict[tuple[str, str], _Track] = {}

    def limit(self, rule: Rule, usual_p95: float | None) -> tuple[float, str]:
        """(the limit that applies, "threshold" | "baseline")."""
        if rule.metric == "response_time_ms" and usual_p95 is not None:
            slower = max(usual_p95 * self.policy.slower_factor, usual_p95 + self.policy.slower_min_ms)
            if slower < rule.threshold:
                return slower, "baseline"
        return rule.threshold, "threshold"

    def _clear_level(self, rule: Rule, limit: float) -> float:
        m = self.policy.clear_margin
        if rule.direction == "above":
            return limit * (1 - m)
        if rule.metric in RATES:
            return limit + (1 - limit) * m
        return limit * (1 + m)

    @staticmethod
    def beyond(rule: Rule, value: float, level: float) -> bool:
        return value > level if rule.direction == "above" else value < level

    def evaluate(self, m: Metrics, *, source: str = "probe", usual_p95: float | None = None,
                 window_s: float = 0.0) -> list[AlertEvent]:
        events: list[AlertEvent] = []
        for rule in self.rules:
            if source == "probe" and not rule.for_probes:
                continue
            value = m.value(rule.metric)
            if value is None or m.samples < self.policy.min_samples:
                continue
            limit, reason = self.limit(rule, usual_p95)
            track = self._tracks.setdefault((m.target, rule.type), _Track())
            over = self.beyond(rule, value, limit)
            still_bad = self.beyond(rule, value, self._clear_level(rule, limit))
            now = m.end

            def event(state: str) -> AlertEvent:
                return AlertEvent(m.target, rule.type, rule.severity, state, now, value, limit, reason,
                                  rule.metric, rule.title, usual_p95 if reason == "baseline" else None,
                                  m.samples, window_s)

            if track.state == "ok" and over:
                track.state, track.since = "pending", now
            if track.state == "pending":
                if not over:
                    track.state = "ok"
                elif now - track.since >= self.policy.raise_after_s:
                    track.state, track.raised = "firing", event("raised")
                    events.append(track.raised)
            elif track.state == "firing" and not still_bad:
                track.state, track.since = "recovering", now
            elif track.state == "recovering":
                if still_bad:
                    track.state = "firing"
                elif now - track.since >= self.policy.clear_after_s:
                    track.state, track.raised = "ok", None
                    cleared = event("cleared")
                    events.append(AlertEvent(**{**cleared.__dict__, "reason": reason}))
        return events

    def state(self, target: str, alert_type: str) -> str:
        track = self._tracks.get((target, alert_type))
        return track.state if track else "ok"

    def firing(self, target: str | None = None) -> list[AlertEvent]:
        """The alerts raised and not yet cleared (of one target, or all)."""
        return [tr.raised for (tgt, _), tr in self._tracks.items()
                if tr.raised is not None and tr.state in ("firing", "recovering") and target in (None, tgt)]

    def settled(self, target: str, metric_type: str) -> bool:
        """True when the rule is quiet for the target (neither pending nor firing)."""
        return self.state(target, metric_type) == "ok"
