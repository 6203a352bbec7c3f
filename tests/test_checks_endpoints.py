"""`api.endpoints` with many endpoints: every configured endpoint is checked and accounted for
(none dropped past a fixed number), the unhealthy ones are named, and the ones the check's time
left no room for are counted and named as not checked. The simulator's listen queue takes fifty
connections at once (its speed is measured in benchmarks/doctor_speed.py, not here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from copycar_assist.checks.api_net import EndpointsCheck
from copycar_assist.simulator import DEMO_KEY, start_simulator

from fixtures_http import check_context, no_response, raw_server, settings_for

ROOT = Path(__file__).resolve().parents[1]
DEAD = "http://127.0.0.1:9/v2"  # the discard port: nothing listens there


async def test_fifty_endpoints_are_all_checked_and_the_bad_ones_named():
    with start_simulator() as sim:
        endpoints = [sim.endpoint_url(f"e{n}") for n in range(49)]
        dead_at = (20, 30, 40, 45, 48)  # all beyond the 16 the first version checked
        for n in dead_at:
            endpoints[n] = f"http://127.0.0.1:9/e{n}/v2"
        settings = settings_for(sim.base_url, key=DEMO_KEY, endpoints=endpoints)
        async with check_context(settings) as ctx:
            finding = await EndpointsCheck().run(ctx)
        health_calls = {p for _m, p, _k in sim.requests if p.endswith("/health")}
    assert len(health_calls) == 45  # the base URL and the 44 live endpoints, each asked once
    assert (finding.status, finding.outcome) == ("warn", "some_unhealthy")
    assert "Only 45 of 50 endpoints are healthy" in finding.summary
    ev = finding.evidence
    assert ev["healthy"] == "45/50" and ev["checked"] == "50/50" and "not_checked" not in ev
    named = " ".join(str(v) for v in ev.values())
    for n in dead_at:
        assert f"/e{n}/v2/health → connect" in named
    # 30 endpoints named one by one (the five bad ones first), the other 20 healthy counted
    assert sum(k.startswith("endpoint_") for k in ev) == 30 and ev["healthy_not_listed"] == 20


def test_doctor_reports_fifty_healthy_endpoints(tmp_path):
    """The installed command, a settings file with 50 endpoints on one simulator."""
    with start_simulator() as sim:
        config = tmp_path / "config.toml"
        urls = ", ".join(f'"{sim.endpoint_url(f"e{n}")}"' for n in range(50))
        config.write_text(f'[api]\nbase_url = "{sim.base_url}"\nendpoints = [{urls}]\n')
        config.chmod(0o600)
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("COPYCAR_")},
               "COPYCAR_ASSIST_CONFIG": str(config), "COPYCAR_ASSIST_DATA": str(tmp_path),
               "COPYCAR_API_KEY": DEMO_KEY}
        script = Path(sys.executable).with_name("copycar-assist")
        argv = [str(script)] if script.exists() else [sys.executable, "-m", "copycar_assist"]
        p = subprocess.run([*argv, "doctor", "--only", "api", "--json"], capture_output=True, env=env,
                           cwd=tmp_path, timeout=60)
        health_calls = {path for _m, path, _k in sim.requests if path.endswith("/health")}
    doc = json.loads(p.stdout)
    [r] = [r for r in doc["results"] if r["id"] == "api.endpoints"]
    assert (r["status"], r["summary"]) == ("pass", "Every endpoint is healthy (51).")
    assert r["evidence"]["checked"] == "51/51"
    assert len(health_calls) == 51


async def test_endpoints_the_time_left_no_room_for_are_named():
    async with raw_server(no_response) as silent:
        endpoints = [silent.url(f"/s{n}/v2") for n in range(6)]
        settings = settings_for(DEAD, key=None, endpoints=endpoints)
        check = EndpointsCheck()
        check.timeout_s, check.concurrency = 2.0, 2
        async with check_context(settings) as ctx:
            finding = await check.run(ctx)
    assert (finding.status, finding.outcome) == ("fail", "none_healthy")
    ev = finding.evidence
    assert ev["checked"] == "3/7"  # the dead base URL and the first two silent ones
    assert "4 were not checked: the check's time (1 s) ran out, 2 at a time." in finding.summary
    assert ev["not_checked"] == ", ".join(endpoints[2:])
