"""`logs.analyze`: read a call log in the guide's format and say what it shows.

Parsing and statistics live in `logparse.py` (pure, reused by the TUI and the conversation); this
module compares them with `kb.support.thresholds` and the alert rules and picks one outcome.

Precedence, most specific first (the others that also hold are listed in the evidence, `also`):
  1. `auth_errors`        any 401/403: a key or permission problem, which also inflates every rate
  2. `rate_limited`       any 429: too many calls, which also inflates the error rate
  3. `high_error_rate`    error rate above the threshold (alert HIGH_ERROR_RATE, CRITICAL)
  4. `low_success_rate`   success rate below the threshold (LOW_SUCCESS_RATE)
  5. `high_response_time` average response time above the threshold (HIGH_RESPONSE_TIME)
  6. `low_throughput`     calls per minute below the threshold over a span of at least a minute
                          (LOW_THROUGHPUT; last, because it depends on how busy the client is)
Status: an alert's severity decides it (CRITICAL → fail, WARNING → warn); `auth_errors` is a
fail; `rate_limited` is a fail when 429s alone are over the error-rate threshold, else a warn.
A log with no API calls and no Error lines is an `error` (nothing to analyse: wrong file?).
Everything shown from the log (endpoints, error types) is stripped of control characters and
redacted: log lines are untrusted and may hold the key.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from copycar_assist.files.read import ReadError
from copycar_assist.i18n import number
from copycar_assist.textsafe import one_line

from . import logparse
from .base import Check, CheckContext, Evidence, Finding, Status

ALERT_OUTCOME = {
    "HIGH_ERROR_RATE": "high_error_rate",
    "LOW_SUCCESS_RATE": "low_success_rate",
    "HIGH_RESPONSE_TIME": "high_response_time",
    "LOW_THROUGHPUT": "low_throughput",
}
PRECEDENCE = ("auth_errors", "rate_limited", "high_error_rate", "low_success_rate",
              "high_response_time", "low_throughput")


def _pct(x: float | None, lang: str = "en") -> str:
    """A share as a percentage, written the language's way ("12,1 %" in Spanish)."""
    return "-" if x is None else number(x * 100, lang, ".1f") + " %"


def _ms(x: float | None) -> str:
    return "-" if x is None else f"{x:.0f} ms"


def _span(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = int(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h} h {m} min" if h else (f"{m} min {sec} s" if m else f"{sec} s")


class LogAnalyzeCheck(Check):
    id = "logs.analyze"
    outcomes = ("ok", "high_response_time", "high_error_rate", "low_success_rate", "low_throughput", "rate_limited",
                "auth_errors")
    tags = ("logs",)
    timeout_s = 30.0

    async def run(self, ctx: CheckContext) -> Finding:
        t = ctx.t
        path, pasted = ctx.inputs.log_file, ctx.inputs.log_text
        if pasted and not path:
            lines = pasted.splitlines()[: logparse.MAX_LINES]
            stats = await asyncio.to_thread(logparse.analyze_lines, lines)
            return self.judge(ctx, stats, t("check.logs.pasted_lines"))
        if not path:
            return self.finding("skipped", "skipped", t("check.logs.no_log_analyse_choose"))
        shown = one_line(Path(path).name, 120)
        ctx.step(t("check.reading", shown=shown))
        try:
            stats = await asyncio.to_thread(logparse.analyze_file, path)
        except ReadError as exc:
            return self.finding("error", "error", one_line(exc.message(ctx.lang), 400), {"file": shown})
        return self.judge(ctx, stats, shown)

    def judge(self, ctx: CheckContext, stats: logparse.LogStats, shown: str) -> Finding:
        t = ctx.t
        th = ctx.kb.support.thresholds
        def clean(s: object, n: int = 80) -> str:
            return ctx.redactor(one_line(ctx.redactor(str(s)), n))

        ev: Evidence = {
            "file": shown,
            "lines": stats.lines,
            "unrecognised_lines": stats.unrecognised,
            "calls": stats.calls,
            "error_lines": stats.error_lines,
        }
        if stats.truncated:
            ev["truncated"] = stats.truncated
        if not stats.operations:
            return self.finding("error", "error", t("check.logs.no_api_calls_no", shown=shown,
                                                    unrecognised=stats.unrecognised, lines=stats.lines), ev)

        tp = stats.throughput_per_min
        ev.update({
            "avg_response": _ms(stats.avg_ms),
            "p95_response": _ms(stats.p95_ms),
            "max_response": _ms(stats.max_ms),
            "error_rate": _pct(stats.error_rate),
            "success_rate": _pct(stats.success_rate),
            "throughput_per_min": f"{tp:.1f}" if tp is not None else t("check.logs.log_spans_less_than"),
            "time_span": _span(stats.span_s),
            "status_429": stats.rate_limited,
            "status_401_403": stats.auth_errors,
            "thresholds": (f"avg ≤ {th.response_time_ms:g} ms, errors ≤ {th.error_rate * 100:g} %, "
                           f"success ≥ {th.success_rate * 100:g} %, ≥ {th.throughput_per_min:g}/min"),
        })
        if stats.first and stats.last:
            ev["from"], ev["to"] = stats.first.isoformat(sep=" "), stats.last.isoformat(sep=" ")
        if stats.error_types:
            ev["error_types"] = ", ".join(f"{clean(k, 60)} ×{n}" for k, n in stats.error_types.most_common(5))
        if stats.perf_warnings:
            ev["performance_warnings"] = ", ".join(f"{clean(k, 40)} ×{n}" for k, n in stats.perf_warnings.most_common(5))
        slow = stats.slowest_endpoint()
        if slow and len(stats.endpoint_times) > 1:
            ev["slowest_endpoint"] = f"{clean(slow[0], 80)} ({_ms(slow[1])}, {slow[2]} calls)"

        alerts = logparse.triggered_alerts(stats, th)
        if alerts:
            ev["alerts"] = ", ".join(alerts)
        found = {ALERT_OUTCOME[a] for a in alerts}
        if stats.auth_errors:
            found.add("auth_errors")
        if stats.rate_limited:
            found.add("rate_limited")
        if not found:
            return self.finding("pass", "ok", t("check.logs.calls_average_p95_errors", calls=stats.calls,
                                                ms=_ms(stats.avg_ms), ms2=_ms(stats.p95_ms), pct=_pct(stats.error_rate, ctx.lang),
                                                pct2=_pct(stats.success_rate, ctx.lang)), ev)
        ordered = [o for o in PRECEDENCE if o in found]
        outcome = ordered[0]
        if len(ordered) > 1:
            ev["also"] = ", ".join(ordered[1:])
        return self.finding(self._status(ctx, stats, outcome), outcome, self._summary(ctx, stats, outcome), ev)

    @staticmethod
    def _status(ctx: CheckContext, stats: logparse.LogStats, outcome: str) -> Status:
        if outcome == "auth_errors":
            return "fail"
        if outcome == "rate_limited":
            share = stats.rate_limited / stats.operations
            return "fail" if share > ctx.kb.support.thresholds.error_rate else "warn"
        alert = next((a for a, o in ALERT_OUTCOME.items() if o == outcome), None)
        severity = next((r.severity for r in ctx.kb.support.alerts if r.type == alert), "WARNING")
        return "fail" if severity.upper() == "CRITICAL" else "warn"

    @staticmethod
    def _summary(ctx: CheckContext, s: logparse.LogStats, outcome: str) -> str:
        t, th = ctx.t, ctx.kb.support.thresholds
        if outcome == "auth_errors":
            counts = ", ".join(f"{code} ×{s.statuses[code]}" for code in (401, 403) if s.statuses.get(code))
            return t("check.logs.log_rejected_authentication_responses", counts=counts, calls=s.calls)
        if outcome == "rate_limited":
            return t("check.logs.log_429_responses_rate", rate_limited=s.rate_limited, calls=s.calls)
        if outcome == "high_error_rate":
            return t("check.logs.error_rate_threshold", pct=_pct(s.error_rate, ctx.lang), errors=s.errors,
                     operations=s.operations, error_rate=th.error_rate * 100)
        if outcome == "low_success_rate":
            return t("check.logs.success_rate_should_least", pct=_pct(s.success_rate, ctx.lang),
                     success_rate=th.success_rate * 100)
        if outcome == "high_response_time":
            return t("check.logs.average_response_time_p95", ms=_ms(s.avg_ms), ms2=_ms(s.p95_ms),
                     response_time_ms=th.response_time_ms)
        tp = s.throughput_per_min or 0.0
        return t("check.logs.throughput_calls_min_over", tp=tp, span=_span(s.span_s),
                 throughput_per_min=th.throughput_per_min)


CHECKS = [LogAnalyzeCheck()]
