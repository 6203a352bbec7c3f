"""CopyCar API network checks: health and connectivity, every configured endpoint, a latency sample.

None of them sends the key: `GET /health` needs none.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

from copycar_assist.i18n import duration

from . import latency_usual
from .api_support import (
    NOT_THERE,
    ApiCheck,
    api_url,
    body_error,
    body_message,
    failure_text,
    network_evidence,
    parse_retry_after,
    plain_http_remote,
    request_deadline,
)
from .base import CheckContext, Evidence, Finding, Status
from .http import HttpResult, fetch

ERROR_OUTCOMES = {"dns": "dns_failure", "connect": "connect_failed", "proxy": "connect_failed",
                  "protocol": "connect_failed", "invalid_url": "connect_failed", "tls": "tls_failure",
                  "timeout": "timeout"}
UNHEALTHY_WORDS = {"down", "error", "unhealthy", "degraded", "fail", "failed", "maintenance"}


def _reported_unhealthy(r: HttpResult) -> str | None:
    status = r.json_field("status", "state")
    if isinstance(status, str) and status.strip().lower() in UNHEALTHY_WORDS:
        return status.strip().lower()
    return None


class HealthCheck(ApiCheck):
    id = "api.health"
    outcomes = ("ok", "unhealthy", "dns_failure", "connect_failed", "tls_failure", "timeout", "redirect", "insecure",
                "not_found")

    async def run(self, ctx: CheckContext) -> Finding:
        t = ctx.t
        base = ctx.settings.api.base_url
        ctx.step(t("check.api_net.get_health_dns_connect"))
        r = await fetch(ctx.client, api_url(base, "health"), deadline_s=request_deadline(ctx, self.timeout_s - 1))
        ev = network_evidence(r)
        if r.error:
            return self.finding("fail", ERROR_OUTCOMES.get(r.error, "connect_failed"), failure_text(ctx, r), ev)
        status = r.status or 0
        ms = f"{r.timings.total_ms:.0f} ms"
        if 300 <= status < 400:
            to = r.location or "?"
            return self.finding("fail", "redirect", t("check.api_net.get_health_answered_redirecting", status=status,
                                                      to=to), ev)
        if status in NOT_THERE:
            return self.finding("fail", "not_found", t("check.api_net.get_health_answered_copycar", status=status), ev)
        if status != 200:
            retry = parse_retry_after(r.header("retry-after"))
            if retry:
                ev.update(retry.evidence())
            for name, value in (("api_error", body_error(r)), ("api_message", body_message(r))):
                if value:
                    ev[name] = value
            return self.finding("fail", "unhealthy", t("check.api_net.api_answers_but_not", status=status), ev)
        said = _reported_unhealthy(r)
        if said:
            ev["reported_status"] = said
            return self.finding("warn", "unhealthy", t("check.api_net.get_health_answered_200", said=said), ev)
        if plain_http_remote(base, r):
            return self.finding("warn", "insecure", t("check.api_net.api_answers_but_base", ms=ms), ev)
        return self.finding("pass", "ok", t("check.api_net.api_healthy_200", ms=ms),
                            ev)


def _configured_bases(ctx: CheckContext) -> list[str]:
    seen: list[str] = []
    for url in [ctx.settings.api.base_url, *(ctx.settings.api.endpoints or [])]:
        url = str(url).strip().rstrip("/")
        if url and url not in seen:
            seen.append(url)
    return seen


class EndpointsCheck(ApiCheck):
    """GET /health on every configured endpoint, `concurrency` at a time, inside the check's time.

    Every endpoint is accounted for: the ones that are not healthy are named one by one (up to
    `listed`), healthy ones are named too while they fit, and any the time left no room for are
    counted and named as not checked, with the reason."""

    id = "api.endpoints"
    outcomes = ("ok", "some_unhealthy", "none_healthy")
    concurrency = 64  # the shared client's pool holds 100 connections: leave room for the other checks
    listed = 30  # evidence lines naming single endpoints (the runner keeps 40 evidence keys)

    async def run(self, ctx: CheckContext) -> Finding:
        t = ctx.t
        bases = _configured_bases(ctx)
        if len(bases) <= 1:  # no balancing: api.health already says whether the one base URL answers
            return self.finding("skipped", "skipped", t("check.api_net.there_only_one_base", check=ctx.check_title("api.health")))
        at_once = min(self.concurrency, len(bases))
        ctx.step(t("check.api_net.checking_endpoint_s_time", n_bases=len(bases), at_once=at_once))
        budget = self.timeout_s - 1
        deadline = request_deadline(ctx, budget)
        end = time.monotonic() + budget
        gate = asyncio.Semaphore(self.concurrency)
        results: list[HttpResult | None] = [None] * len(bases)

        async def probe(i: int, base: str) -> None:
            async with gate:
                left = end - time.monotonic()
                if left < 0.5:  # no time to ask: reported as not checked
                    return
                results[i] = await fetch(ctx.client, api_url(base, "health"), deadline_s=min(deadline, left))

        try:
            async with asyncio.timeout(budget + 0.5):
                await asyncio.gather(*(probe(i, b) for i, b in enumerate(bases)))
        except TimeoutError:
            pass
        return self._verdict(ctx, bases, results, budget)

    def _verdict(self, ctx: CheckContext, bases: list[str], results: list[HttpResult | None],
                 budget: float) -> Finding:
        t = ctx.t
        healthy, bad, unchecked = [], [], []
        for i, (base, r) in enumerate(zip(bases, results, strict=True), 1):
            if r is None:
                unchecked.append(base)
            elif r.status == 200 and not r.error and not _reported_unhealthy(r):
                healthy.append((i, f"{r.url} → 200 ({r.timings.total_ms:.0f} ms)"))
            elif r.error:
                bad.append((i, f"{r.url} → {r.error}: {r.detail}"))
            else:
                bad.append((i, f"{r.url} → {r.status}"))
        ev: Evidence = {}
        bad_named = bad[: self.listed]
        healthy_named = healthy[: self.listed - len(bad_named)]
        for i, line in sorted(bad_named + healthy_named):
            ev[f"endpoint_{i}"] = line
        if len(bad) > len(bad_named):
            ev["unhealthy_not_listed"] = len(bad) - len(bad_named)
        if len(healthy) > len(healthy_named):
            ev["healthy_not_listed"] = len(healthy) - len(healthy_named)
        checked = len(bases) - len(unchecked)
        ev["healthy"] = f"{len(healthy)}/{len(bases)}"
        ev["checked"] = f"{checked}/{len(bases)}"
        if unchecked:
            ev["not_checked"] = ", ".join(unchecked)
        not_checked = t("check.api_net.not_checked", n=len(unchecked), budget=budget,
                        at_once=self.concurrency) if unchecked else ""
        if len(healthy) == len(bases):
            return self.finding("pass", "ok", t("check.api_net.every_endpoint_healthy", n_bases=len(bases)), ev)
        if healthy:
            return self.finding("warn", "some_unhealthy", t("check.api_net.some_healthy", healthy=len(healthy),
                                                            n_bases=len(bases)) + not_checked, ev)
        return self.finding("fail", "none_healthy", t("check.api_net.none_healthy",
                                                      n_bases=len(bases)) + not_checked, ev)


def status_for_metric(ctx: CheckContext, metric: str, default: str) -> Status:
    """fail for a metric whose alert the guide calls CRITICAL, warn otherwise."""
    sev = {a.metric: a.severity for a in ctx.kb.support.alerts}
    return "fail" if sev.get(metric, default) == "CRITICAL" else "warn"


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


class LatencyCheck(ApiCheck):
    """A bounded sample of GET /health: average and p95 time, success and error rate vs the guide's
    alert thresholds (knowledge/support.toml), and the p95 vs what is usual for this base URL in
    earlier runs (`latency_usual.py`). Twenty samples: a 1-in-3 failure shows as a high error rate
    with near certainty (P(at most one failure in 20) ≈ 0.3 %). Stops early once the average is
    clearly too high, or (after 8 samples with no error) clearly slower than usual."""

    id = "api.latency"
    outcomes = ("ok", "high_response_time", "high_error_rate", "low_success_rate", "slower_than_usual")
    timeout_s = 25.0
    samples = 20
    concurrency = 4
    budget_s = 20.0

    async def run(self, ctx: CheckContext) -> Finding:
        t = ctx.t
        th = ctx.kb.support.thresholds
        url = api_url(ctx.settings.api.base_url, "health")
        usual = await latency_usual.usual_for(ctx, ctx.settings.api.base_url)
        slower = latency_usual.slower_limit(ctx, usual)
        deadline = request_deadline(ctx, min(self.budget_s, max(2 * th.response_time_ms / 1000, 1.0)))
        samples: list[tuple[float, int | None, str | None]] = []  # (ms, status, error)
        issued = 0
        stop = asyncio.Event()

        async def worker() -> None:
            nonlocal issued
            while issued < self.samples and not stop.is_set():
                issued += 1
                r = await fetch(ctx.client, url, deadline_s=deadline)
                samples.append((r.timings.total_ms, r.status, r.error))
                ctx.step(t("check.api_net.sample", n_samples=len(samples), samples=self.samples))
                if len(samples) >= 3 and sum(s[0] for s in samples) / len(samples) > th.response_time_ms:
                    stop.set()  # clearly slow: no need to wait for the rest
                if slower is not None and len(samples) >= 8 and not any(s[2] or (s[1] or 0) >= 500 for s in samples) \
                        and _percentile([s[0] for s in samples], 95) > slower and min(s[0] for s in samples) > slower:
                    stop.set()  # every sample is slower than usual, none failed

        try:
            async with asyncio.timeout(self.budget_s):
                await asyncio.gather(*(worker() for _ in range(self.concurrency)))
        except TimeoutError:
            pass
        if not samples:
            return self.finding("error", "error", t("check.api_net.no_sample_finished_within"),
                                {"url": url, "budget_s": self.budget_s})
        n = len(samples)
        # times are response times only for requests that got an answer: a name that does not
        # resolve "answers" in 1 ms, which says nothing about the API's speed
        times = [ms for ms, st, _err in samples if st is not None]
        ok = sum(1 for _ms, st, err in samples if not err and st is not None and 200 <= st < 300)
        errors = sum(1 for _ms, st, err in samples if err or (st is not None and st >= 500))
        success_rate, error_rate = ok / n, errors / n
        statuses: dict[str, int] = {}
        for _ms, st, err in samples:
            key = str(st) if st is not None else (err or "error")
            statuses[key] = statuses.get(key, 0) + 1
        answers = ", ".join(f"{k}×{v}" for k, v in statuses.items())
        ev: Evidence = {"url": url, "samples": n, "answered": len(times)}
        if times:
            avg, p95 = sum(times) / len(times), _percentile(times, 95)
            ev.update({"avg_ms": round(avg, 1), "p95_ms": round(p95, 1), "min_ms": round(min(times), 1),
                       "max_ms": round(max(times), 1)})
        ev.update({
            "success_rate": round(success_rate, 3), "error_rate": round(error_rate, 3), "answers": answers,
            "thresholds": f"avg ≤ {th.response_time_ms:g} ms, errors ≤ {th.error_rate:.0%}, success ≥ {th.success_rate:.0%}",
        })
        if not times:  # nothing answered: no speed to judge, only that every request failed
            return self.finding(status_for_metric(ctx, "error_rate", "CRITICAL"), "high_error_rate",
                                t("check.api_net.none_requests_got_answer", n=n, answers=answers), ev)
        ev.update(latency_usual.evidence(usual, slower))
        if n < self.samples:
            ev["stopped_early"] = t("check.api_net.already_clearly_slow") \
                if stop.is_set() else t("check.api_net.time_budget_spent")
        figures = t("check.api_net.figures", avg=avg, p95=p95, success_rate=success_rate, error_rate=error_rate)
        def status_for(metric: str, default: str) -> Status:
            return status_for_metric(ctx, metric, default)

        finding = self._judge(ctx, n, avg, p95, success_rate, error_rate, usual, slower, ev, status_for, figures)
        await latency_usual.remember(ctx, usual, samples=n, avg_ms=avg, p95_ms=p95,
                                     quiet=finding.outcome in ("ok", "high_error_rate", "low_success_rate"))
        return finding

    def _judge(self, ctx: CheckContext, n: int, avg: float, p95: float, success_rate: float, error_rate: float,
               usual: latency_usual.Usual, slower: float | None, ev: Evidence,
               status_for: Callable[[str, str], Status], figures: str) -> Finding:
        t, th = ctx.t, ctx.kb.support.thresholds
        if error_rate > th.error_rate:
            return self.finding(status_for("error_rate", "CRITICAL"), "high_error_rate", t(
                "check.api_net.high_error_rate", error_rate=error_rate, threshold=th.error_rate, n=n,
                figures=figures), ev)
        if avg > th.response_time_ms:
            return self.finding(status_for("response_time_ms", "WARNING"), "high_response_time", t(
                "check.api_net.high_response_time", avg=avg, threshold=th.response_time_ms, figures=figures), ev)
        if success_rate < th.success_rate:
            return self.finding(status_for("success_rate", "WARNING"), "low_success_rate", t(
                "check.api_net.low_success_rate", success_rate=success_rate, threshold=th.success_rate,
                figures=figures), ev)
        if slower is not None and usual.p95_ms is not None and p95 > slower:
            now_s, usual_s = duration(p95, ctx.lang), duration(usual.p95_ms, ctx.lang)
            return self.finding("warn", "slower_than_usual", t(
                "check.api_net.slower_than_usual", now=now_s, usual=usual_s, runs=usual.runs,
                threshold=th.response_time_ms, figures=figures), ev)
        return self.finding("pass", "ok", t("check.api_net.latency_ok", n=n, figures=figures)
                            + latency_usual.usual_sentence(ctx, usual), ev)
