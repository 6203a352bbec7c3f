"""The monitor never spends more of the quota than its budget, and backs off on 429. The
simulator counts the requests that reached it; the clock jumps, so minutes take no real time."""

from __future__ import annotations

import pytest

from copycar_assist.checks.http import make_client
from copycar_assist.monitor.budget import Backoff, VerifyBudget, retry_after_s
from copycar_assist.monitor.clock import ManualClock
from copycar_assist.monitor.engine import Monitor, Tick

from fixtures_monitor import monitor_settings
from shipped import knowledge

KB = knowledge()


async def verify_times(sim, settings, ticks: int) -> tuple[list[float], Monitor]:
    clock = ManualClock()
    at: list[float] = []
    async with make_client(settings) as client:
        mon = Monitor(settings, KB, client, clock=clock, notify=False)
        async for event in mon.run(ticks=ticks):
            if isinstance(event, Tick):
                at += [s.at for s in event.samples if s.path == "verify"]
    return at, mon


async def test_verify_stays_within_its_budget(sim):
    settings = monitor_settings(sim)
    settings.monitor.interval_s = 2.0  # asks for /health every 2 s: /verify must still wait 10 s
    times, mon = await verify_times(sim, settings, ticks=150)  # 300 simulated seconds
    assert sim.request_count("/v2/verify") == len(times) == mon.budget.state.spent
    assert 25 <= len(times) <= 31, len(times)  # one every 10 s at most, and the budget is used
    assert min(b - a for a, b in zip(times, times[1:])) >= 10.0
    assert sim.request_count("/v2/health") == 150


async def test_backs_off_on_429(sim):
    sim.set_scenario("rate-limited", rate_limit_after=3)
    settings = monitor_settings(sim)
    times, mon = await verify_times(sim, settings, ticks=240)  # 20 simulated minutes
    assert sim.request_count("/v2/verify") == len(times)
    gaps = [b - a for a, b in zip(times, times[1:])]
    # the first answers leave 2, 1, 0 of 60 (under the reserve): the monitor waits for the reset
    # between them; the 4th request gets a 429, and from then on every gap is at least its
    # Retry-After (30 s), growing as the monitor doubles its own wait on 429 after 429
    assert all(g >= 10.0 for g in gaps)
    after_429 = gaps[3:]
    assert after_429 and all(g >= 30.0 for g in after_429), gaps
    assert after_429 == sorted(after_429) and after_429[-1] >= 240, gaps
    assert len(times) <= 12, len(times)  # 120 requests the plain budget would have spent
    assert mon.budget.to_json(mon.clock.time())["paused"] in ("backoff", "quota")


def test_retry_after_as_seconds_and_as_a_date():
    now = 1_700_000_000.0
    assert retry_after_s("30", now) == 30
    assert retry_after_s("Tue, 14 Nov 2023 22:14:20 GMT", now) == pytest.approx(60, abs=1)
    assert retry_after_s("soon", now) is None
    b = Backoff(10)
    assert b.hit_429(now, None) == 10 and b.hit_429(now, None) == 20 and b.hit_429(now, "120") == 120
    b.answered()
    assert b.hit_429(now + 500, None) == 10


def test_quota_reserve_pauses_until_the_reset():
    budget = VerifyBudget(10)
    now = 1_700_000_000.0
    assert budget.take(now)
    budget.observe(now, 200, {"x-ratelimit-limit": "1000", "x-ratelimit-remaining": "100",
                              "x-ratelimit-reset": str(int(now + 600))})
    assert budget.why_not(now + 11) == "quota" and budget.why_not(now + 601) is None
