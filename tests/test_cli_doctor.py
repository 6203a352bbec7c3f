"""`doctor` and `diagnose`: JSON contract, exit codes, readable text, causes found, no leaks."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path

import pytest
from fixtures_terminal import on_a_terminal

from copycar_assist.cli import main
from copycar_assist.simulator import start_simulator

from fixtures_http import CANARY, raw_server, response_bytes

ROOT = Path(__file__).resolve().parents[1]
RESULT_FIELDS = {"id", "status", "outcome", "summary", "evidence", "duration_ms", "entry", "cause"}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    monkeypatch.setenv("COPYCAR_ASSIST_CONFIG", str(tmp_path / "absent.toml"))
    for name in ("COPYCAR_API_KEY", "COPYCAR_BASE_URL", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                 "http_proxy", "https_proxy", "all_proxy", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C")


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys, *argv):
    code, out, err = cli(capsys, *argv, "--json")
    return code, json.loads(out), err


def test_doctor_json_contract(capsys):
    code, doc, err = cli_json(capsys, "--demo", "doctor", "--only", "api")
    assert code == 0
    assert doc["schema_version"] == 1 and doc["command"] == "doctor"
    assert isinstance(doc["duration_ms"], int) and doc["duration_ms"] >= 0
    assert [r["id"] for r in doc["results"]][:2] == ["api.key_configured", "api.verify"]
    for r in doc["results"]:
        assert RESULT_FIELDS <= set(r)
        # one base URL: the endpoints check leaves it to api.health instead of judging it twice
        assert r["status"] == ("skipped" if r["id"] == "api.endpoints" else "pass"), r
    assert doc["summary"]["pass"] == len(doc["results"]) - 1
    assert "127.0.0.1" in err  # the demo note goes to stderr, never into the JSON stream


@pytest.mark.parametrize("scenario,entry,cause_entry,cause", [
    ("invalid-key", "invalid-api-key", "invalid-api-key", "wrong-key"),
    ("expired-key", "invalid-api-key", "invalid-api-key", "expired-key"),
    ("forbidden", "invalid-api-key", "invalid-api-key", "insufficient-permissions"),
    ("rate-limited", "rate-limit-exceeded", "rate-limit-exceeded", "too-many-calls"),
    ("down", "api-unreachable", "api-unreachable", "service-down"),
])
def test_diagnose_names_the_cause_and_its_steps(capsys, scenario, entry, cause_entry, cause):
    code, doc, _ = cli_json(capsys, "--demo", "--scenario", scenario, "diagnose", entry)
    assert code == 1
    assert doc["command"] == "diagnose" and doc["entry"]["id"] == entry
    assert (doc["cause"]["entry"], doc["cause"]["id"]) == (cause_entry, cause)
    assert doc["cause"]["steps"] and all(isinstance(s, str) and s for s in doc["cause"]["steps"])
    assert doc["cause"]["title"]


def test_diagnose_missing_key(capsys, monkeypatch):
    with start_simulator() as sim:
        monkeypatch.setenv("COPYCAR_BASE_URL", sim.base_url)
        code, doc, _ = cli_json(capsys, "diagnose", "invalid-api-key")
    assert code == 1
    assert doc["cause"]["id"] == "missing-key"
    verify = next(r for r in doc["results"] if r["id"] == "api.verify")
    assert verify["status"] == "skipped" and "COPYCAR_API_KEY" in verify["summary"]


def test_healthy_diagnose_asks_the_remaining_questions(capsys):
    code, doc, _ = cli_json(capsys, "--demo", "diagnose", "invalid-api-key")
    assert code == 0 and doc["cause"] is None
    assert isinstance(doc["open_questions"], list)


def test_exit_2_when_a_check_could_not_run(capsys, monkeypatch):
    monkeypatch.setenv("COPYCAR_BASE_URL", "http://127.0.0.1:9/v2")
    monkeypatch.setenv("COPYCAR_API_KEY", CANARY)
    code, doc, _ = cli_json(capsys, "diagnose", "invalid-api-key")
    assert code == 2
    verify = next(r for r in doc["results"] if r["id"] == "api.verify")
    assert (verify["status"], verify["outcome"]) == ("error", "unreachable")
    assert doc["cause"]["entry"] == "api-unreachable"


@pytest.mark.parametrize("argv,needle", [
    (["diagnose", "invalid-api-keyy"], "did you mean invalid-api-key"),
    (["doctor", "--only", "nonsense"], "unknown tag"),
    (["doctor", "--prompt-file", "/nonexistent/prompt.txt"], "/nonexistent/prompt.txt"),
    (["doctor", "--account-file", "/nonexistent/a.csv"], "/nonexistent/a.csv"),
])
def test_usage_errors_exit_3(capsys, argv, needle):
    code, out, err = cli(capsys, *argv, "--json")
    assert code == 3 and out == "" and needle in err


def test_bad_config_is_a_usage_error_without_the_value(capsys, monkeypatch, tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[api]\nkey = "{CANARY}"\ntimeout_s = "soon"\n')
    cfg.chmod(0o600)
    monkeypatch.setenv("COPYCAR_ASSIST_CONFIG", str(cfg))
    code, out, err = cli(capsys, "doctor", "--only", "api")
    assert code == 3 and "timeout_s" in err
    assert CANARY not in err + out


def test_readable_text(capsys):
    code, out, err = cli(capsys, "--demo", "--scenario", "invalid-key", "doctor", "--only", "api")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("copycar-assist doctor · 6 checks")
    # one line per area, the area's worst result leading it
    assert any(line.lstrip().startswith("✗ API key ") and "401" in line for line in lines)
    assert any(line.lstrip().startswith("✓ API health") for line in lines)
    assert not any("API key configured" in line for line in lines)
    assert "invalid-api-key#wrong-key" in out
    assert "      1. Copy the key again" in out
    assert "1 failed" in lines[-1] and "(exit 1)" in lines[-1] and "-v" in lines[-1]
    assert "\x1b" not in out  # no colour when stdout is not a terminal


def test_verbose_text_shows_every_check_and_its_evidence(capsys):
    code, out, err = cli(capsys, "--demo", "--scenario", "invalid-key", "doctor", "--only", "api", "-v")
    assert code == 1
    lines = out.splitlines()
    assert any(line.lstrip().startswith("✓ API key configured") for line in lines)
    assert any(line.lstrip().startswith("✗ Key verification") for line in lines)
    assert any(line.lstrip().startswith("– Request quota") for line in lines)
    assert any(line.strip().startswith("status: 401") for line in lines)
    assert "from api.verify = unauthorized" in out


def _no_settings(monkeypatch):
    """Nothing set up, and an API address where nothing listens (no network needed)."""
    monkeypatch.setenv("COPYCAR_BASE_URL", "http://127.0.0.1:9/v2")


@pytest.mark.parametrize("lang,setup_word", [("en", "Not set up"), ("es", "Sin configurar")])
def test_skipped_checks_are_grouped_with_one_setup_hint(capsys, monkeypatch, lang, setup_word):
    _no_settings(monkeypatch)
    code, out, _ = cli(capsys, "--lang", lang, "doctor", "--no-history")
    assert code == 1
    body = out.split("\n\n")[1]  # the area lines, before the causes
    assert sum(1 for line in body.splitlines() if setup_word in line) == 1
    setup_line = body[body.index(setup_word):]
    for area in (("SMTP", "CRM", "Redis") if lang == "en" else ("SMTP", "CRM", "Redis", "DNS del correo")):
        assert area in setup_line
    assert setup_line.count("copycar-assist setup") == 1
    # the per-check "how to set it" sentence is never repeated in the default view
    assert "set it up with" not in out and "configúralo con" not in out
    assert "set them up with" not in out and "configúralos con" not in out
    # one line per area: no check's own title among the area lines
    for title in ("CRM permissions", "CRM field mapping", "Sending limit", "Permisos del CRM"):
        assert title not in body


def test_one_cause_per_root_failure(capsys, monkeypatch):
    _no_settings(monkeypatch)
    monkeypatch.setenv("COPYCAR_API_KEY", CANARY)
    code, doc, _ = cli_json(capsys, "doctor", "--only", "api", "--no-history")
    assert code == 1
    health = next(r for r in doc["results"] if r["id"] == "api.health")
    assert (health["status"], health["outcome"]) == ("fail", "connect_failed")
    # the connection failure shows in three checks; it is one thing to fix
    assert [(c["check"], c["id"]) for c in doc["causes"]] == [("api.health", "network")]
    assert doc["causes"][0]["explains"] == ["api.verify", "api.rate_limit", "api.latency"]
    assert len(doc["results"]) == 6  # --json keeps every result
    code, out, _ = cli(capsys, "doctor", "--only", "api", "--no-history")
    causes = out.split("What to fix:")[1]
    assert sum(1 for line in causes.splitlines() if line.startswith("  ✗ ")) == 1
    assert "high-error-rate" not in out and "no-healthy-endpoint" not in out


def test_no_nonsense_figures_when_nothing_answers(capsys, monkeypatch):
    _no_settings(monkeypatch)
    monkeypatch.setenv("COPYCAR_API_KEY", CANARY)
    code, doc, _ = cli_json(capsys, "doctor", "--only", "api", "--no-history")
    latency = next(r for r in doc["results"] if r["id"] == "api.latency")
    assert latency["outcome"] == "high_error_rate" and latency["evidence"]["answered"] == 0
    for figure in ("avg_ms", "p95_ms", "throughput_per_min", "usual_p95_ms"):
        assert figure not in latency["evidence"]
    assert "average" not in latency["summary"] and "None of the 20 requests got an answer" in latency["summary"]


@pytest.mark.parametrize("scenario", ["down", "connection-refused", "healthy"])
def test_no_contradictory_lines_about_one_url(capsys, scenario):
    code, out, _ = cli(capsys, "--demo", "--scenario", scenario, "doctor", "--only", "api", "--no-history")
    healthy_said = "The API is healthy" in out
    unhealthy_said = ("No endpoint is healthy" in out or "could not connect" in out.lower()
                      or re.search(r"\b503\b", out) is not None)  # never the port of a URL
    assert not (healthy_said and unhealthy_said), out
    assert "no-healthy-endpoint" not in out  # one base URL: no load balancer to blame
    code, doc, _ = cli_json(capsys, "--demo", "--scenario", scenario, "doctor", "--only", "api", "--no-history")
    assert not any(c["id"] == "no-healthy-endpoint" for c in doc["causes"])
    assert len(doc["causes"]) <= 1


@pytest.mark.parametrize("scenario,cause", [("expired-key", "expired-key"), ("invalid-key", "wrong-key"),
                                            ("forbidden", "insufficient-permissions")])
def test_a_refused_key_is_one_cause_though_the_log_shows_its_401s_too(capsys, scenario, cause):
    code, doc, _ = cli_json(capsys, "--demo", "--scenario", scenario, "doctor", "--no-history")
    log = next(r for r in doc["results"] if r["id"] == "logs.analyze")
    assert (log["status"], log["outcome"]) == ("fail", "auth_errors")  # the demo log's rejected calls
    keyed = [c for c in doc["causes"] if c["entry"] == "invalid-api-key"]
    assert [(c["check"], c["id"]) for c in keyed] == [("api.verify", cause)]  # not also "copy the key again"
    assert "logs.analyze" in keyed[0]["explains"]


def test_readable_text_in_spanish(capsys):
    code, out, _ = cli(capsys, "--demo", "--scenario", "expired-key", "--lang", "es", "diagnose", "invalid-api-key")
    assert code == 1
    assert "Causa encontrada" in out and "caducado" in out and "(salida 1)" in out


def test_only_several_tags_and_skipped_inputs(capsys):
    code, doc, _ = cli_json(capsys, "--demo", "doctor", "--only", "api", "content")
    ids = [r["id"] for r in doc["results"]]
    assert any(i.startswith("api.") for i in ids) and any(i.startswith("content.") for i in ids)
    assert not any(i.startswith(("email.", "crm.", "cache.")) for i in ids)
    assert code == 0


# --- no leaks, no escapes: the real process -----------------------------------------------------------

HOSTILE = "[/bold][@click=app.quit] \x1b[2J\x1b]52;c;ZXZpbA==\x07\x9b31m \u202e"


async def _hostile_api(srv, reader, writer):
    """/verify: 401 echoing the Authorization header; /health: 503 with a hostile body."""
    head = await srv.read_request(reader)
    if not head:
        return
    path = head.split(b" ", 2)[1]
    echoed = [line.decode("latin-1") for line in head.split(b"\r\n") if line.lower().startswith(b"authorization")]
    if path.endswith(b"/verify"):
        body = json.dumps({"error": "invalid_api_key", "message": f"{HOSTILE} you sent {echoed}"}).encode()
        writer.write(response_bytes(401, {"Content-Type": "application/json"}, body))
    else:
        body = json.dumps({"status": "down", "error": HOSTILE}).encode()
        writer.write(response_bytes(503, {"Content-Type": "application/json", "X-Hint": "[bold]\x9b"}, body))
    await writer.drain()


async def _run_cli(*argv, env):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "copycar_assist", *argv, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, out.decode(), err.decode()


@pytest.mark.parametrize("as_json", [True, False])
async def test_canary_and_escapes_never_reach_the_output(as_json, tmp_path):
    async with raw_server(_hostile_api) as srv:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "COPYCAR_API_KEY": CANARY,
               "COPYCAR_BASE_URL": srv.url("/v2"), "COPYCAR_ASSIST_CONFIG": str(tmp_path / "absent.toml")}
        argv = ["doctor", "--only", "api", "-v"] + (["--json"] if as_json else [])
        code, out, err = await _run_cli(*argv, env=env)
        assert any(CANARY.encode() in r for r in srv.requests)  # it really was sent (loopback)
    assert code == 1, err
    if as_json:
        json.loads(out)
    both = out + err
    assert "Traceback" not in err
    assert CANARY not in both
    for i in range(len(CANARY) - 11):
        assert CANARY[i:i + 12] not in both
    for c in ("\x1b", "\x07", "\x9b", "\u202e", "\x00"):
        assert c not in both, repr(c)
    assert "[/bold][@click=app.quit]" in out  # shown as inert text


def test_demo_points_an_unconfigured_crm_at_the_simulator(capsys):
    code, doc, _ = cli_json(capsys, "--demo", "--scenario", "crm-bad-token", "doctor", "--only", "crm")
    auth = next(r for r in doc["results"] if r["id"] == "crm.auth")
    assert (auth["status"], auth["outcome"]) == ("fail", "bad_credentials") and code == 1


def test_one_smtp_failure_is_one_cause_for_mail_and_alerts(capsys):
    code, doc, _ = cli_json(capsys, "--demo", "--scenario", "smtp-bad-login", "doctor", "--only", "email",
                            "monitor", "--no-history")
    alerts = next(r for r in doc["results"] if r["id"] == "monitor.alerts")
    assert (alerts["status"], alerts["outcome"]) == ("fail", "auth_failed")
    assert [c["check"] for c in doc["causes"]] == ["email.smtp"]
    assert doc["causes"][0]["explains"] == ["monitor.alerts"]


@pytest.mark.parametrize("lang,scenario,failing", [
    ("en", "connection-refused", "Could not verify the key: Could not connect to 127.0.0.1 (Connection refused)."),
    ("es", "smtp-bad-login", "Revisa smtp.username y smtp.password (muchos proveedores exigen una contraseña de aplicación)."),
])
def test_on_an_80_column_terminal_every_line_fits_and_nothing_failing_is_cut(tmp_path, lang, scenario, failing):
    from copycar_assist.cli.columns import width

    code, lines = on_a_terminal(tmp_path, 80, "--lang", lang, "--demo", "--scenario", scenario, "doctor",
                                 "--no-history")
    assert code == 1, lines
    assert all(width(line) <= 79 for line in lines), [line for line in lines if width(line) > 79]
    words = " ".join(" ".join(lines).split())
    assert failing in words  # a failing summary wraps under its column, whole
    assert "(demo simulator)" in words or "(simulador de demostración)" in words
    assert any(line.endswith("…") for line in lines)  # a passing one is cut to its line
    code, lines = on_a_terminal(tmp_path, 80, "--lang", lang, "--demo", "--scenario", scenario, "doctor", "-v",
                                 "--no-history")
    assert all(width(line) <= 79 for line in lines), [line for line in lines if width(line) > 79]
