"""The demo world's services against the real checks: built cheaply, started on demand, combined,
honest where redis-server is missing, and gone without a trace when stopped.

Every scenario's verdict through `diagnose` and the chat is in test_demo_coverage.py; here each
service runs its scenarios through the check runner, and the world's own promises are held.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from fixtures_terminal import on_a_terminal

from copycar_assist.checks import CheckContext, SharedClient, run_checks
from copycar_assist.cli import main
from copycar_assist.config import Settings
from copycar_assist.simulator.cache import PASSWORD as REDIS_PASSWORD
from copycar_assist.simulator.cache import redis_server
from copycar_assist.simulator.catalogue import SCENARIOS, SERVICES
from copycar_assist.simulator.content import LABELS
from copycar_assist.simulator.demo import start_demo, use_demo
from copycar_assist.simulator.smtp import PASSWORD as SMTP_PASSWORD

from fixtures_demo import ROOT, Footprint, clean_env
from fixtures_tui import settle

ALL = ["api.key_configured", "api.verify", "api.health", "api.endpoints", "api.rate_limit", "crm.auth",
       "crm.permissions", "crm.fields", "email.smtp", "email.limits", "email.domain", "cache.redis"]
needs_redis = pytest.mark.skipif(redis_server() is None, reason="redis-server is not installed")


@pytest.fixture(autouse=True)
def no_outside_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("COPYCAR_ASSIST_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("COPYCAR_ASSIST_DATA", str(tmp_path / "data"))
    for name in ("COPYCAR_API_KEY", "COPYCAR_BASE_URL", "COPYCAR_REDIS_URL", "COPYCAR_SMTP_PASSWORD",
                 "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


async def check(kb, settings: Settings, ids: list[str]) -> dict:
    async with SharedClient(settings) as http:
        ctx = CheckContext(settings=settings, kb=kb, http=http, redactor=settings.redactor(), lang="en")
        report = await run_checks(ctx, ids, deadline_s=20)
    return {r.id: r for r in report.results}


def refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def test_building_the_world_starts_nothing_and_stopping_removes_it(kb):
    before, threads = Footprint(), threading.active_count()
    world = start_demo("healthy")
    settings = Settings()
    use_demo(settings, world)
    assert Footprint().children == before.children and threading.active_count() == threads
    assert refuses(world.http_port) and refuses(settings.smtp.port)  # bound, not listening
    assert settings.services is world and settings.source("smtp.host") == "demo"
    assert settings.api.base_url == f"http://127.0.0.1:{world.http_port}/v2"
    folder = world.dir
    assert not folder.exists()  # nothing written yet either
    world.stop()
    world.stop()  # idempotent
    assert not folder.exists()
    assert before.left() == {}


async def test_each_service_starts_when_a_check_first_needs_it(kb):
    before = Footprint()
    world = start_demo("healthy")
    settings = Settings()
    use_demo(settings, world)
    try:
        got = await check(kb, settings, ["api.verify"])
        assert got["api.verify"].outcome == "ok"
        assert refuses(settings.smtp.port) and Footprint().children == before.children  # mail, Redis: not yet
        got = await check(kb, settings, ["email.smtp", "email.domain"])
        assert (got["email.smtp"].status, got["email.domain"].status) == ("pass", "pass")
        assert "TLS verified" in got["email.smtp"].summary and Footprint().children == before.children
        assert oct(world.dir.stat().st_mode & 0o777) == "0o700" and Path(settings.smtp.ca_file).is_file()
    finally:
        world.stop()
    assert before.left() == {} and not world.dir.exists()


async def test_the_demo_certificate_is_trusted_in_demo_mode_only(kb):
    with start_demo("healthy") as world:
        settings = Settings()
        use_demo(settings, world)
        await world.prepare(["email.smtp"])
        settings.smtp.ca_file = None  # the settings a real configuration would have: the system's CAs
        got = await check(kb, settings, ["email.smtp"])
    r = got["email.smtp"]
    assert (r.status, r.outcome) == ("fail", "tls_failed") and r.evidence["credentials_sent"] is False


@needs_redis
async def test_every_service_in_one_combination_against_the_real_checks(kb):
    """One scenario for each service at once: every check sees its own fault, and only it."""
    before = Footprint()
    world = start_demo("expired-key,crm-down,smtp-no-starttls,dns-no-dmarc,redis-eviction,account-thin")
    settings = Settings()
    use_demo(settings, world)
    try:
        got = await check(kb, settings, ALL)
        redis_pid = next(iter(Footprint().children - before.children))
        with open(f"/proc/{redis_pid}/cmdline", "rb") as fh:
            argv = fh.read()
    finally:
        world.stop()
    verdicts = {cid: (r.outcome, r.cause) for cid, r in got.items()}
    assert verdicts == {
        "api.key_configured": ("ok", None), "api.verify": ("expired", "expired-key"), "api.health": ("ok", None),
        "api.endpoints": ("skipped", None), "api.rate_limit": ("skipped", None),  # no quota from an expired key
        "crm.auth": ("unavailable", "crm-api-down"), "crm.permissions": ("skipped", None),
        "crm.fields": ("skipped", None), "email.smtp": ("no_starttls", "smtp-misconfigured"),
        "email.limits": ("ok", None), "email.domain": ("dmarc_problem", "domain-reputation"),
        "cache.redis": ("eviction_risk", "memory-eviction")}, verdicts
    assert REDIS_PASSWORD.encode() not in argv  # the configuration went in on standard input
    assert SMTP_PASSWORD not in json.dumps([r.to_json() for r in got.values()])
    assert before.left() == {}  # redis-server waited for, every port closed


async def test_without_redis_server_the_cache_scenarios_say_so(kb, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no redis-server on this PATH
    with start_demo("redis-eviction") as world:
        settings = Settings()
        use_demo(settings, world)
        got = await check(kb, settings, ["cache.redis", "api.health"])
    assert got["cache.redis"].status == "skipped"
    assert got["cache.redis"].summary.startswith("Install redis-server to see the cache scenarios")
    assert got["api.health"].status == "pass"
    with start_demo("redis-down") as world:  # nothing to run: this one needs no server
        settings = Settings()
        use_demo(settings, world)
        got = await check(kb, settings, ["cache.redis"])
    assert (got["cache.redis"].outcome, got["cache.redis"].cause) == ("unreachable", "redis-unreachable")


def test_scenarios_combine_only_across_services(capsys):
    assert main(["--demo", "--scenario", "expired-key,invalid-key", "doctor", "--only", "api"]) == 3
    assert "both change the api" in capsys.readouterr().err
    assert main(["--demo", "--scenario", "healthy,nope", "doctor"]) == 3
    assert "unknown scenario 'nope'" in capsys.readouterr().err
    assert main(["--hide-scenario", "doctor"]) == 3
    assert "--hide-scenario needs --demo" in capsys.readouterr().err


def test_simulate_list_json_is_the_design_contract(capsys):
    assert main(["simulate", "--list", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    names = [s["name"] for s in doc["scenarios"]]
    assert names == list(SCENARIOS) and len(names) == len(set(names))
    for s in doc["scenarios"]:
        assert set(s) == {"name", "summary", "services", "shows"} and s["summary"]
        assert set(s["services"]) <= set(SERVICES)
        for shown in s["shows"]:
            assert set(shown) == {"entry", "cause", "how", "via"} and shown["how"] in ("check", "evidence")
    assert main(["simulate", "--list"]) == 0
    text = capsys.readouterr().out
    assert "Mail (SMTP):" in text and "  smtp-no-starttls" in text and "Cache (Redis):" in text


def test_the_scenario_list_on_an_80_column_terminal_wraps_each_summary_under_its_column(tmp_path):
    from copycar_assist.cli.columns import width
    from copycar_assist.cli.simulate_cmd import list_text

    code, lines = on_a_terminal(tmp_path, 80, "simulate", "--list")
    piped = list_text("en").splitlines()
    assert code == 0 and all(width(line) <= 79 for line in lines)
    assert " ".join(" ".join(lines).split()) == " ".join(" ".join(piped).split())
    wrapped = [line for line in lines if line.startswith(" " * 29) and line.strip()]
    assert wrapped  # a summary's second line, under the summaries


def test_samples_are_neutral_and_fit_the_checks():
    """Labels never name the fault (practice); each scenario's material is there for every kind."""
    from copycar_assist.simulator.catalogue import samples_for

    for scenario in SCENARIOS.values():
        offered = samples_for([scenario]).offered()
        assert set(offered) == set(LABELS)
        for kind, [(label, text)] in offered.items():
            assert label == LABELS[kind] and text.strip() or (kind, scenario.name) == ("prompt", "")
    assert samples_for([SCENARIOS["expired-key"], SCENARIOS["log-low-success"]]).log == "low-success"


def test_doctor_in_demo_mode_uses_the_scenario_material(capsys):
    code = main(["--demo", "--scenario", "prompt-too-short", "--lang", "en", "diagnose", "content-generation-failed",
                 "--json"])
    out, err = capsys.readouterr()
    assert code == 1 and json.loads(out)["cause"]["id"] == "malformed-prompt"
    assert "Demo mode (prompt-too-short)" in err and "sample material: prompt" in err
    main(["--demo", "--hide-scenario", "--scenario", "prompt-too-short", "diagnose", "content-generation-failed"])
    assert "prompt-too-short" not in capsys.readouterr().err


def test_chat_json_through_the_console_script_offers_the_scenario_material(tmp_path):
    lines = [{"choose": "entry:low-personalization-score"}, {"choose": "yes"}, {"choose": "sample:1"}]
    p = subprocess.run([sys.executable, "-m", "copycar_assist", "--demo", "--scenario", "account-missing-fields",
                        "--lang", "en", "chat", "--json", "--no-history"],
                       input="".join(json.dumps(x) + "\n" for x in lines), capture_output=True, text=True,
                       cwd=ROOT, env=clean_env(tmp_path), timeout=60)
    assert p.returncode == 0, p.stderr
    events = [json.loads(line) for line in p.stdout.splitlines()]
    offer = next(e for e in events if e["type"] == "prompt" and e["state"] == "gather_input")
    sample = next(c for c in offer["choices"] if c["id"] == "sample:1")
    assert sample["role"] == "input" and LABELS["account"] in sample["label"]
    found = next(e for e in events if e["type"] == "cause_found")
    assert (found["entry"], found["cause"], found["via"]) == ("low-personalization-score", "thin-account-data", "check")


async def test_the_app_header_can_keep_the_scenario_secret_and_the_help_lists_them(kb):
    from textual.widgets import Markdown

    from copycar_assist.tui.app import CopyCarApp

    with start_demo("smtp-no-starttls") as world:
        settings = Settings()
        use_demo(settings, world)
        shown = CopyCarApp(kb, settings, lang="en", demo_scenario=world.scenario, samples=world.samples)
        hidden = CopyCarApp(kb, settings, lang="es", demo_scenario=world.scenario, hide_scenario=True,
                            samples=world.samples)
        async with shown.run_test(size=(100, 30)) as pilot:
            await settle(shown, pilot)
            assert shown.sub_title == 'DEMO "smtp-no-starttls"'  # the scenario keeps the room (not "Checks use your settings · …")
        async with hidden.run_test(size=(100, 30)) as pilot:
            await settle(hidden, pilot)
            assert hidden.sub_title == "DEMO · práctica"  # never the scenario
            assert hidden.chat().conversation.samples == world.samples.offered()
            await pilot.press("f1")
            await settle(hidden, pilot)
            help_text = hidden.screen.query_one("#help-text", Markdown).source
            assert "## Escenarios de la demo" in help_text
            assert all(f"`{name}`" in help_text for name in SCENARIOS)


@needs_redis
def test_sigterm_stops_the_world_and_its_redis_server(tmp_path):
    """Ended from outside (SIGTERM) mid-conversation, the command still stops redis-server."""
    import signal
    import time

    proc = subprocess.Popen([sys.executable, "-m", "copycar_assist", "--demo", "--scenario", "redis-low-hits",
                             "--lang", "en", "chat", "--json", "--no-history"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=clean_env(tmp_path))
    try:
        proc.stdin.write('{"choose": "entry:cache-problems"}\n{"choose": "yes"}\n')
        proc.stdin.flush()
        for line in proc.stdout:  # until the cache check has run against redis-server
            if '"cause_found"' in line:
                break
        redis = [pid for pid in os.listdir("/proc") if pid.isdigit() and _parent(pid) == proc.pid]
        assert len(redis) == 1
        proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while os.path.exists(f"/proc/{redis[0]}") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not os.path.exists(f"/proc/{redis[0]}")
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
    assert proc.returncode == 128 + signal.SIGTERM and "Traceback" not in proc.stderr.read()


def _parent(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


def test_the_foreground_world_wraps_its_sentences_and_leaves_its_settings_to_copy():
    """`simulate` on a terminal: its sentences fit, the settings (TOML, to be copied) are as they are."""
    from copycar_assist.cli.columns import width
    from copycar_assist.cli.simulate_cmd import _describe
    from copycar_assist.simulator.world import DemoWorld

    world = DemoWorld("healthy")
    try:
        plain, fitted = _describe(world, {}, "es"), _describe(world, {}, "es", 60)
    finally:
        world.stop()
    head = fitted.split("\n  API:")[0].split("\n")
    assert len(head) > 1 and all(width(line) <= 59 for line in head)
    assert fitted.split("[api]")[1] == plain.split("[api]")[1]
    assert " ".join(fitted.split()) == " ".join(plain.split())
