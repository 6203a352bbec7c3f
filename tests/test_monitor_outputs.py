"""What the monitor hands to the systems teams already run: Prometheus text that a real parser
reads (prometheus_client), the same text served on loopback, `monitor --once --json` with
Nagios-style exit codes, and `monitor --test-alert` arriving at a real SMTP server."""

from __future__ import annotations

import json
import os
import stat

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from copycar_assist.checks.http import make_client
from copycar_assist.cli import main
from copycar_assist.monitor.clock import ManualClock
from copycar_assist.monitor.engine import Monitor
from copycar_assist.monitor.exposition import render
from copycar_assist.monitor.serve import start_metrics_server
from copycar_assist.simulator import start_simulator

from fixtures_monitor import monitor_settings
from shipped import knowledge

KB = knowledge()


@pytest.fixture
def sim():
    handle = start_simulator("flaky")
    yield handle
    handle.stop()


def families(text: str) -> dict:
    return {f.name: f for f in text_string_to_metric_families(text)}


async def flaky_monitor(sim, ticks: int = 30) -> Monitor:
    settings = monitor_settings(sim)
    settings.api.endpoints = [sim.endpoint_url("eu-west")]
    async with make_client(settings) as client:
        mon = Monitor(settings, KB, client, clock=ManualClock(), notify=False)
        async for _ in mon.run(ticks=ticks):
            pass
    return mon


async def test_prometheus_text_parses_with_a_real_parser(sim):
    mon = await flaky_monitor(sim)
    fams = families(render(mon.snapshot()))
    assert fams["copycar_monitor_up"].samples[0].value == 1
    errors = {s.labels["target"]: s.value for s in fams["copycar_error_ratio"].samples}
    assert len(errors) == 2 and all(0.25 < v < 0.45 for v in errors.values()), errors
    p95 = fams["copycar_response_time_p95_seconds"].samples
    assert all(0 < s.value < 5 for s in p95)
    thresholds = {s.labels["metric"]: s.value for s in fams["copycar_threshold"].samples}
    assert thresholds == {"error_rate": 0.05, "response_time_ms": 5.0, "success_rate": 0.95,
                          "throughput_per_min": 100.0}
    active = {(s.labels["alert"], s.labels["severity"]) for s in fams["copycar_alert_active"].samples}
    assert ("HIGH_ERROR_RATE", "CRITICAL") in active
    requests = fams["copycar_requests"]
    assert requests.type == "counter"
    by_code = {}
    for s in requests.samples:
        by_code[s.labels["code"]] = by_code.get(s.labels["code"], 0) + s.value
    assert by_code["200"] > 0 and by_code.get("500", 0) + by_code.get("502", 0) + by_code.get("503", 0) > 0
    assert sum(by_code.values()) == sim.request_count()


def test_label_values_are_escaped():
    text = render({"targets": [{"target": 'a "b" \\ c\nd', "samples": 3, "error_rate": 0.5, "alerts": []}]})
    fams = families(text)
    assert fams["copycar_error_ratio"].samples[0].labels["target"] == 'a "b" \\ c\nd'


async def test_metrics_are_served_on_loopback(sim):
    mon = await flaky_monitor(sim, ticks=15)
    server = await start_metrics_server(lambda: render(mon.snapshot()), 0)
    port = server.sockets[0].getsockname()[1]
    try:
        assert server.sockets[0].getsockname()[0] == "127.0.0.1"
        async with httpx.AsyncClient() as client:
            r = await client.get(f"http://127.0.0.1:{port}/metrics")
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain; version=0.0.4")
            assert "copycar_error_ratio" in families(r.text)
            assert (await client.get(f"http://127.0.0.1:{port}/other")).status_code == 404
            assert (await client.post(f"http://127.0.0.1:{port}/metrics")).status_code == 405
    finally:
        server.close()


@pytest.mark.parametrize(("scenario", "code", "state"), [("healthy", 0, "OK"), ("flaky", 2, "CRITICAL"),
                                                         ("invalid-key", 1, "WARNING")])
def test_once_json_and_exit_codes(scenario, code, state, capsys, tmp_path):
    prom = tmp_path / "textfile" / "copycar.prom"
    prom.parent.mkdir()
    rc = main(["--demo", "--scenario", scenario, "monitor", "--once", "--json", "--samples", "12",
               "--prometheus", str(prom)])
    out = capsys.readouterr().out
    doc = json.loads(out)
    assert (rc, doc["state"], doc["exit_code"]) == (code, state, code), out
    assert doc["targets"][0]["samples"] == 13  # 12 GET /health and the one GET /verify
    assert stat.S_IMODE(os.stat(prom).st_mode) == 0o644  # the node exporter runs as another user
    assert "copycar_success_ratio" in families(prom.read_text())


def test_once_nagios_line(capsys):
    rc = main(["--demo", "--scenario", "down", "--lang", "en", "monitor", "--once", "--samples", "5"])
    line = capsys.readouterr().out.strip()
    assert rc == 2 and line.startswith("COPYCAR CRITICAL - ") and "HIGH_ERROR_RATE" in line
    assert " | p95_0=" in line and "error_ratio_0=1.0000;;0.05;0;1" in line


def test_test_alert_arrives_at_a_real_smtp_server(certs, tmp_path, capsys, monkeypatch):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from fixtures_integrations import CANARY_SMTP, SMTP_USER

    got = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            got.append((session.ssl is not None, envelope.rcpt_tos, envelope.content))
            return "250 2.0.0 Ok"

    def authenticator(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=(auth_data.login, auth_data.password) == (SMTP_USER.encode(), CANARY_SMTP.encode()))

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=certs.good, require_starttls=True,
                            authenticator=authenticator, auth_require_tls=True, server_hostname="localhost")
    controller.start()
    try:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[smtp]\nhost = "localhost"\nport = {port}\n'
            f'username = "{SMTP_USER}"\npassword = "{CANARY_SMTP}"\nfrom = "{SMTP_USER}"\n'
            f'ca_file = "{certs.ca_file}"\n[monitor]\nalert_to = ["oncall@example.test"]\n')
        config.chmod(0o600)
        monkeypatch.setenv("COPYCAR_ASSIST_CONFIG", str(config))
        rc = main(["--lang", "en", "monitor", "--test-alert"])  # (--demo would point mail at the demo world)
    finally:
        controller.stop()
    out = capsys.readouterr()
    assert rc == 0 and "email: sent" in out.out, out
    assert len(got) == 1 and got[0][0] and got[0][1] == ["oncall@example.test"]
    assert b"Subject: CopyCar.ai Alert: TEST_ALERT" in got[0][2]
    assert CANARY_SMTP not in out.out + out.err


def test_test_alert_without_a_destination_is_a_usage_error(capsys):
    assert main(["--demo", "--scenario", "alerts-no-destination", "monitor", "--test-alert"]) == 3
    assert "monitor.alert_to" in capsys.readouterr().err




def test_monitor_lines_wrap_under_their_time_on_a_terminal(monkeypatch):
    """On a terminal 60 columns wide a status line goes on under its time; written anywhere
    else it stays one line (a log's line)."""
    import io
    import time

    from copycar_assist.cli.columns import width
    from copycar_assist.cli.monitor_render import LinePrinter

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    snapshot = {"at": time.time(), "targets": [{"target": "http://127.0.0.1:8099/v2", "p95_ms": 16.0, "avg_ms": 10.0,
                                                "success_rate": 1.0, "error_rate": 0.0, "samples": 2,
                                                "requests_per_min": 12.0, "usual_p95_ms": 15.0}]}
    monkeypatch.setenv("COLUMNS", "60")
    shown, logged = Terminal(), io.StringIO()
    LinePrinter("en", lambda text: text, stream=shown).status(snapshot)
    LinePrinter("en", lambda text: text, stream=logged).status(snapshot)
    lines = shown.getvalue().splitlines()
    assert len(lines) > 1 and all(width(line) <= 59 for line in lines)
    assert all(line.startswith(" " * 9) for line in lines[1:])
    assert len(logged.getvalue().splitlines()) == 1
    assert " ".join(shown.getvalue().split()) == " ".join(logged.getvalue().split())
