"""The demo API simulator: a real server on loopback, its scenarios, run-time switching, routes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from copycar_assist.simulator import (
    DEMO_KEY,
    SCENARIOS,
    SimResponse,
    register_routes,
    start_simulator,
)
from copycar_assist.simulator.server import all_scenarios

ROOT = Path(__file__).resolve().parents[1]
AUTH = {"Authorization": f"Bearer {DEMO_KEY}"}


@pytest.fixture(scope="module")
def sim():
    with start_simulator() as handle:
        yield handle


def get(sim, path, **kw):
    return httpx.get(sim.base_url + path, timeout=5, **kw)


def test_binds_loopback_on_a_free_port(sim):
    assert sim.base_url.startswith("http://127.0.0.1:") and sim.base_url.endswith("/v2")
    assert sim.port > 0


def test_brief_scenarios_exist():
    assert {"healthy", "invalid-key", "expired-key", "forbidden", "rate-limited", "slow", "flaky", "down"} <= set(SCENARIOS)
    from copycar_assist.simulator.catalogue import SCENARIOS as LISTED

    # every scenario the demo lists says what it is in both languages (the catalogue's sim.scenario.*)
    said = {name: (s.summary("es"), s.summary("en")) for name, s in LISTED.items()}
    assert set(SCENARIOS) - {"healthy"} <= set(said)
    assert all(es and en and es != en and not es.startswith("sim.") for es, en in said.values()), said


@pytest.mark.parametrize("scenario,status,error", [
    ("healthy", 200, None), ("invalid-key", 401, "invalid_api_key"), ("expired-key", 401, "expired_api_key"),
    ("forbidden", 403, "insufficient_scope"), ("rate-limited", 429, "rate_limit_exceeded"),
    ("down", 503, "service_unavailable"),
])
def test_verify_per_scenario(sim, scenario, status, error):
    sim.set_scenario(scenario)
    r = get(sim, "/verify", headers=AUTH)
    assert r.status_code == status
    if error:
        assert r.json()["error"] == error
    if scenario == "rate-limited":
        assert r.headers["Retry-After"] == "30" and r.headers["X-RateLimit-Remaining"] == "0"


def test_healthy_headers_and_missing_key(sim):
    sim.set_scenario("healthy")
    r = get(sim, "/verify", headers=AUTH)
    assert r.headers["X-RateLimit-Limit"] == "60" and r.headers["X-RateLimit-Remaining"] == "59"
    assert int(r.headers["X-RateLimit-Reset"]) > time.time()
    assert get(sim, "/verify").status_code == 401
    assert get(sim, "/health").json()["status"] == "ok"
    assert get(sim, "/nowhere").status_code == 404


def test_rate_limited_after_n_calls(sim):
    sim.set_scenario("rate-limited", rate_limit_after=2)
    codes = [get(sim, "/verify", headers=AUTH).status_code for _ in range(4)]
    assert codes == [200, 200, 429, 429]
    assert get(sim, "/health").status_code == 200  # health is not rate limited


def test_flaky_is_deterministic(sim):
    sim.set_scenario("flaky")
    codes = [get(sim, "/health").status_code for _ in range(9)]
    assert codes == [200, 200, 500, 200, 200, 502, 200, 200, 503]
    sim.set_scenario("flaky")
    assert [get(sim, "/health").status_code for _ in range(3)] == [200, 200, 500]


def test_slow_default_and_configurable_delay(sim):
    sim.set_scenario("slow", delay_ms=300)
    start = time.perf_counter()
    assert get(sim, "/health").status_code == 200
    assert 0.28 < time.perf_counter() - start < 1.5
    sim.set_scenario("slow")
    assert sim.state.options["delay_ms"] == 5500  # over the guide's 5 s threshold


def test_down_health(sim):
    sim.set_scenario("down")
    r = get(sim, "/health")
    assert r.status_code == 503 and r.headers["Retry-After"] == "120"


def test_unknown_scenario(sim):
    with pytest.raises(ValueError, match="unknown scenario"):
        sim.set_scenario("nope")


def test_request_log_counts_and_never_keeps_the_key(sim):
    sim.set_scenario("healthy")
    before = sim.request_count("/v2/verify")
    get(sim, "/verify", headers=AUTH)
    assert sim.request_count("/v2/verify") == before + 1
    assert sim.requests[-1] == ("GET", "/v2/verify", True)
    assert DEMO_KEY not in repr(sim.requests)


def test_registered_routes_and_scenarios():
    def handler(req):
        if req.path == "/zz-test/ping":
            return SimResponse(200, {"scenario": req.scenario, "count": req.count})
        return None

    register_routes("/zz-test", handler, {"zz-mode": ("modo", "mode")})
    assert "zz-mode" in all_scenarios()
    with start_simulator("zz-mode") as s:
        r = httpx.get(s.root_url + "/zz-test/ping", timeout=5)
        assert r.json() == {"scenario": "zz-mode", "count": 1}
        assert httpx.get(s.root_url + "/zz-test/other", timeout=5).status_code == 404
    with pytest.raises(ValueError):
        register_routes("/v2", handler)


def test_stop_is_prompt_even_mid_delay():
    s = start_simulator("slow", delay_ms=5000)
    import threading

    def call():
        try:
            httpx.get(s.base_url + "/health", timeout=10)
        except httpx.HTTPError:
            pass  # the server went away mid-request: expected

    t = threading.Thread(target=call, daemon=True)
    t.start()
    time.sleep(0.2)
    start = time.perf_counter()
    s.stop()
    assert time.perf_counter() - start < 1.5
    s.stop()  # idempotent


def test_simulate_command_serves_and_stops_on_ctrl_c():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "copycar_assist", "simulate", "--scenario", "expired-key"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        base = None
        deadline = time.time() + 10
        while time.time() < deadline and not (lines and lines[-1].startswith("Ctrl-C")):
            line = proc.stdout.readline()
            lines.append(line)
            for word in line.split():
                if word.startswith("http://127.0.0.1:") and base is None:
                    base = word.rstrip(".,")
        assert base, lines
        r = httpx.get(base + "/verify", headers=AUTH, timeout=5)
        assert r.status_code == 401 and r.json()["error"] == "expired_api_key"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=5)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
        assert DEMO_KEY in "".join(lines) + out
    finally:
        if proc.poll() is None:
            proc.kill()


def test_combined_scenario_each_family_sees_its_part(sim):
    sim.set_scenario("expired-key,crm-bad-token")
    assert get(sim, "/verify", headers=AUTH).json()["error"] == "expired_api_key"
    assert httpx.get(sim.root_url + "/crm/me", headers=AUTH, timeout=5).status_code == 401
    sim.set_scenario("crm-bad-token")  # the API on its own default
    assert get(sim, "/verify", headers=AUTH).status_code == 200
    with pytest.raises(ValueError, match="unknown scenario 'nope'"):
        sim.set_scenario("healthy,nope")


def test_endpoints_down_and_the_old_version_redirect(sim):
    sim.set_scenario("endpoints-down")
    assert httpx.get(sim.endpoint_url("eu-west-2") + "/health", timeout=5).status_code == 503
    assert httpx.get(sim.endpoint_url("eu-west-1") + "/health", timeout=5).status_code == 200
    assert get(sim, "/health").status_code == 200
    r = httpx.get(sim.root_url + "/v1/health", timeout=5)
    assert r.status_code == 301 and r.headers["Location"] == "/v2/health"


def test_crm_down_is_503_everywhere(sim):
    sim.set_scenario("crm-down")
    assert httpx.get(sim.root_url + "/crm/me", headers=AUTH, timeout=5).status_code == 503
