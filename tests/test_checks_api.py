"""The CopyCar API checks on the simulator's scenarios: each outcome and the cause it points to."""

from __future__ import annotations

import copy
import dataclasses
import datetime

import pytest

from copycar_assist.checks import checks_for_tags, run_checks
from copycar_assist.checks.api import key_problems
from copycar_assist.checks.api_support import parse_reset, parse_retry_after
from copycar_assist.simulator import DEMO_KEY, start_simulator

from fixtures_http import CANARY, check_context, settings_for
from shipped import knowledge

API = ["api.key_configured", "api.verify", "api.health", "api.rate_limit"]


@pytest.fixture(scope="module")
def sim():
    with start_simulator() as handle:
        yield handle


async def run(sim, scenario, ids=API, key=DEMO_KEY, knowledge=None, lang="en", prefer=None, **opts):
    sim.set_scenario(scenario, **opts)
    settings = settings_for(sim.base_url, key=key)
    async with check_context(settings, kb=knowledge, lang=lang) as ctx:
        report = await run_checks(ctx, ids, prefer_entry=prefer)
    return {r.id: r for r in report.results}


def need_entry(*ids):
    missing = [i for i in ids if i not in knowledge().entries]
    assert not missing, f"the shipped knowledge lost entries these checks point at: {missing}"


async def test_healthy(sim):
    res = await run(sim, "healthy")
    assert [(r.status, r.outcome) for r in res.values()] == [("pass", "ok")] * 4
    verify = res["api.verify"]
    assert verify.evidence["plan"] == "demo" and "content:write" in verify.evidence["scopes"]
    assert verify.evidence["expires_at"].startswith("2030")
    quota = res["api.rate_limit"]
    assert quota.evidence["limit"] == 60 and quota.evidence["remaining"] == 59
    shown = res["api.key_configured"].evidence["key"]
    assert shown.startswith("sk-…") and shown.endswith(DEMO_KEY[-4:]) and DEMO_KEY not in shown


@pytest.mark.parametrize("scenario,outcome,entry,cause", [
    ("invalid-key", "unauthorized", "invalid-api-key", "wrong-key"),
    ("expired-key", "expired", "invalid-api-key", "expired-key"),
    ("forbidden", "forbidden", "invalid-api-key", "insufficient-permissions"),
    ("rate-limited", "rate_limited", "rate-limit-exceeded", "too-many-calls"),
    ("down", "server_error", "api-unreachable", "service-down"),
])
async def test_verify_outcome_to_cause(sim, scenario, outcome, entry, cause):
    need_entry(entry)
    res = await run(sim, scenario, ["api.verify"], prefer="invalid-api-key")
    r = res["api.verify"]
    assert r.outcome == outcome
    assert (r.entry, r.cause) == (entry, cause)


async def test_a_base_url_without_the_api_is_the_wrong_base_url(sim):
    """The simulator answers 404 outside /v2: a base URL with the wrong version is named as such,
    not as a network failure."""
    sim.set_scenario("healthy")
    settings = settings_for(sim.base_url.replace("/v2", "/v3"))
    async with check_context(settings) as ctx:
        report = await run_checks(ctx, ["api.verify", "api.health"], prefer_entry="invalid-api-key")
    res = {r.id: r for r in report.results}
    assert (res["api.verify"].status, res["api.verify"].outcome) == ("fail", "not_found")
    assert (res["api.verify"].entry, res["api.verify"].cause) == ("api-unreachable", "wrong-base-url")
    assert "404" in res["api.verify"].summary and "base URL" in res["api.verify"].summary
    assert (res["api.health"].outcome, res["api.health"].cause) == ("not_found", "wrong-base-url")


async def test_verify_sends_one_request_and_rate_limit_reuses_it(sim):
    before = sim.request_count("/v2/verify")
    res = await run(sim, "rate-limited", ["api.verify", "api.rate_limit"])
    assert sim.request_count("/v2/verify") - before == 1
    assert res["api.verify"].outcome == "rate_limited"
    assert res["api.rate_limit"].outcome == "exhausted"
    assert res["api.rate_limit"].evidence["retry_after_s"] == 30


async def test_rate_limited_after_n_calls(sim):
    res = await run(sim, "rate-limited", ["api.verify", "api.rate_limit"], rate_limit_after=3)
    assert res["api.verify"].outcome == "ok"
    assert res["api.rate_limit"].evidence["remaining"] == 2
    assert (res["api.rate_limit"].status, res["api.rate_limit"].outcome) == ("warn", "low_quota")  # 2 of 60


async def test_low_quota(sim):
    res = await run(sim, "low-quota", ["api.rate_limit"])
    r = res["api.rate_limit"]
    assert (r.status, r.outcome) == ("warn", "low_quota")
    assert r.evidence["remaining"] == 3 and r.evidence["limit"] == 1000
    if "rate-limit-exceeded" in knowledge().entries:
        assert (r.entry, r.cause) == ("rate-limit-exceeded", "plan-too-small")


async def test_missing_key(sim):
    res = await run(sim, "healthy", key=None)
    assert (res["api.key_configured"].outcome, res["api.key_configured"].cause) == ("missing", "missing-key")
    assert res["api.key_configured"].entry == "invalid-api-key"
    assert res["api.verify"].status == "skipped" and "COPYCAR_API_KEY" in res["api.verify"].summary
    assert res["api.rate_limit"].status == "skipped"


@pytest.mark.parametrize("key,expect", [
    (f" {CANARY}\n", "spaces or line breaks"),
    (f'"{CANARY}"', "quotes"),
    (f"Bearer {CANARY}", "Bearer"),
    ("sk-short", "too short"),
    ("sk-canary-0123456789\u200babcdef", "non-ASCII"),
    ("sk-canary/0123456789+abcdef", "characters"),
])
async def test_malformed_key(sim, key, expect):
    res = await run(sim, "healthy", ["api.key_configured"], key=key)
    r = res["api.key_configured"]
    assert (r.status, r.outcome, r.cause) == ("fail", "malformed", "wrong-key")
    assert expect in r.summary
    assert CANARY not in r.summary and CANARY not in str(r.evidence)


def test_key_shapes():
    assert key_problems(DEMO_KEY) == []
    assert key_problems(CANARY) == []
    assert key_problems("")  # too short


async def test_down_health(sim):
    need_entry("api-unreachable")
    res = await run(sim, "down", ["api.health", "api.endpoints"])
    assert (res["api.health"].outcome, res["api.health"].entry, res["api.health"].cause) == \
        ("unhealthy", "api-unreachable", "service-down")
    assert res["api.health"].evidence["retry_after_s"] == 120
    # one base URL and no other endpoint: nothing is balanced, so no second verdict on the same URL
    assert (res["api.endpoints"].status, res["api.endpoints"].outcome) == ("skipped", "skipped")


async def test_health_timings_and_proxy(sim):
    res = await run(sim, "healthy", ["api.health"])
    ev = res["api.health"].evidence
    assert ev["proxy"] == "none" and ev["status"] == "200 OK"
    assert "total_ms" in ev and ("connect_ms" in ev or ev.get("connection") == "reused")


async def test_endpoints_some_unhealthy(sim):
    sim.set_scenario("healthy")
    dead = "http://127.0.0.1:9/v2"
    settings = settings_for(sim.base_url, endpoints=[dead, sim.base_url + "/"])
    async with check_context(settings) as ctx:
        report = await run_checks(ctx, ["api.endpoints"])
    r = report.results[0]
    assert (r.status, r.outcome) == ("warn", "some_unhealthy")
    assert r.evidence["healthy"] == "1/2"  # the duplicate base URL is checked once


async def test_endpoints_without_extra_urls_leave_it_to_health(sim):
    res = await run(sim, "healthy", ["api.endpoints"])
    assert res["api.endpoints"].status == "skipped"
    # the check that covers it named first (a doctor's line is cut at its end), by its title, not its id
    assert res["api.endpoints"].summary.startswith("Health and connectivity (GET /health) already covers the one base URL")


async def test_latency_flaky_is_a_high_error_rate(sim):
    res = await run(sim, "flaky", ["api.latency"])
    r = res["api.latency"]
    assert (r.status, r.outcome) == ("fail", "high_error_rate")
    assert r.evidence["samples"] == 20 and r.evidence["error_rate"] == pytest.approx(0.3, abs=0.04)
    if "slow-responses" in knowledge().entries:
        assert r.entry == "slow-responses"


async def test_latency_slow_is_a_high_response_time_and_stops_early(sim):
    k = copy.copy(knowledge())
    k.support = dataclasses.replace(k.support, thresholds=dataclasses.replace(k.support.thresholds,
                                                                              response_time_ms=200))
    res = await run(sim, "slow", ["api.latency"], knowledge=k, delay_ms=300)
    r = res["api.latency"]
    assert (r.status, r.outcome) == ("warn", "high_response_time")
    assert r.evidence["avg_ms"] >= 300 and r.evidence["samples"] < 20 and "stopped_early" in r.evidence


async def test_latency_healthy(sim):
    res = await run(sim, "healthy", ["api.latency"])
    r = res["api.latency"]
    assert (r.status, r.outcome) == ("pass", "ok")
    assert r.evidence["samples"] == 20 and r.evidence["success_rate"] == 1.0
    assert r.evidence["p95_ms"] >= r.evidence["avg_ms"] * 0.5


async def test_summaries_in_spanish(sim):
    res = await run(sim, "expired-key", ["api.verify", "api.health"], lang="es")
    assert "caducado" in res["api.verify"].summary
    assert "sana" in res["api.health"].summary
    assert res["api.verify"].title.startswith("Verificación")


async def test_all_api_checks_at_once(sim):
    res = await run(sim, "healthy", checks_for_tags(knowledge(), ["api"]))
    assert set(res) == {cid for cid in knowledge().checks if cid.startswith("api.")}
    assert all(r.status == ("skipped" if r.id == "api.endpoints" else "pass") for r in res.values())


def test_retry_after_parsing():
    now = datetime.datetime(2025, 1, 1, 12, 0, 0, tzinfo=datetime.UTC)
    r = parse_retry_after("30", now)
    assert r.seconds == 30 and r.at == now + datetime.timedelta(seconds=30)
    r = parse_retry_after("Wed, 01 Jan 2025 12:02:00 GMT", now)
    assert r.seconds == 120 and r.at.hour == 12 and r.at.minute == 2
    assert parse_retry_after("soon", now) is None and parse_retry_after(None) is None
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now).seconds == 0


def test_reset_parsing():
    in_s, _at = parse_reset("60")
    assert 59 <= in_s <= 60
    epoch = datetime.datetime.now(datetime.UTC).timestamp() + 600
    in_s, at = parse_reset(str(int(epoch)))
    assert 598 <= in_s <= 600 and at.tzinfo is not None
    assert parse_reset("x") is None and parse_reset("-5") is None
