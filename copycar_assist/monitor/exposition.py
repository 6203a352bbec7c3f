"""The monitor's state in the Prometheus text exposition format (version 0.0.4).

For the systems teams already run: `--prometheus FILE` writes it for the node exporter's
textfile collector (atomically, readable by the exporter's user), `--serve-metrics PORT` serves
it (`serve.py`). Written here rather than with `prometheus_client`: the format is a few lines
of text, the monitor already holds the numbers, and the app gains no runtime dependency; the
tests parse the output with `prometheus_client`'s own parser.

Base units as Prometheus recommends (seconds, ratios 0–1). Label values are escaped
(backslash, double quote, newline) and come from our own names: targets are display URLs
(no user, password or query).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PREFIX = "copycar"


# A sample's labels: name -> value (written as text).
Labels = dict[str, object]


def _escape(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")


def _labels(**labels: object) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


def _number(value: float | int) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


class _Doc:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(self, name: str, kind: str, help_text: str, rows: list[tuple[Labels, float | None]]) -> None:
        present = [(labels, v) for labels, v in rows if v is not None]
        if not present:
            return
        # a counter's family is named with its `_total` in the text format, as Prometheus and
        # prometheus_client write it
        full = f"{PREFIX}_{name}" + ("_total" if kind == "counter" else "")
        self.lines.append(f"# HELP {full} {help_text}")
        self.lines.append(f"# TYPE {full} {kind}")
        for labels, value in present:
            self.lines.append(f"{full}{_labels(**labels)} {_number(value)}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _ms_to_s(value: float | None) -> float | None:
    return None if value is None else value / 1000


def _as_is(value: float | None) -> float | None:
    return value


def render(snapshot: dict[str, Any]) -> str:
    """The text exposition of `Monitor.snapshot()` (or of a `--once` measurement)."""
    d = _Doc()
    targets = snapshot.get("targets", [])

    def per_target(key: str, scale: Callable[[float | None], float | None] = _as_is) -> list[tuple[Labels, float | None]]:
        return [({"target": t["target"]}, scale(t.get(key)) if t.get(key) is not None else None) for t in targets]

    d.family("monitor_up", "gauge", "1 while the copycar-assist monitor is producing metrics.", [({}, 1)])
    d.family("response_time_p95_seconds", "gauge", "95th percentile of the response time over the window.",
             per_target("p95_ms", _ms_to_s))
    d.family("response_time_avg_seconds", "gauge", "Average response time over the window.",
             per_target("avg_ms", _ms_to_s))
    d.family("response_time_usual_p95_seconds", "gauge",
             "Usual p95 of the target (median of earlier quiet windows and latency checks).",
             per_target("usual_p95_ms", _ms_to_s))
    d.family("success_ratio", "gauge", "Share of 2xx answers over the window (0-1).", per_target("success_rate"))
    d.family("error_ratio", "gauge", "Share of 5xx answers and network errors over the window (0-1).",
             per_target("error_rate"))
    d.family("requests_per_minute", "gauge", "Requests per minute over the window (the monitor's own rate "
             "for probes; the application's for a followed log).", per_target("requests_per_min"))
    d.family("window_samples", "gauge", "Samples in the sliding window.", per_target("samples"))
    thresholds = snapshot.get("thresholds", {})
    d.family("threshold", "gauge", "The guide's alert thresholds (knowledge/support.toml), in base units.",
             [({"metric": m}, v / 1000 if m == "response_time_ms" else v) for m, v in sorted(thresholds.items())])
    firing: list[tuple[Labels, float | None]] = [({"target": t["target"], "alert": a["type"], "severity": a["severity"]}, 1)
              for t in targets for a in t.get("alerts", [])]
    d.family("alert_active", "gauge", "1 for each alert raised and not yet cleared.", firing)
    d.family("requests", "counter", "Requests the monitor made, by path and status (or network error).",
             [({"target": r["target"], "path": r["path"], "code": r["status"]}, r["count"])
              for r in snapshot.get("requests", [])])
    budget = snapshot.get("budget") or {}
    if budget:
        d.family("verify_budget_paused", "gauge", "1 while GET /verify is paused (budget, quota or 429 back-off).",
                 [({}, 1 if budget.get("paused") in ("quota", "backoff") else 0)])
    return d.text()
