"""`doctor` and `diagnose`: JSON contract, exit codes, readable text, causes found, no leaks."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest
from fixtures_http import CANARY, raw_server, response_bytes

from copycar_assist.cli import main
from copycar_assist.simulator import start_simulator

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
    assert any(line.lstrip().startswith("✓ API key configured") for line in lines)
    assert any(line.lstrip().startswith("✗ Key verification") for line in lines)
    assert any(line.lstrip().startswith("– Request quota") for line in lines)
    assert "invalid-api-key#wrong-key" in out
    assert "      1. Copy the key again" in out
    assert "1 failed" in lines[-1] and "(exit 1)" in lines[-1]
    assert "\x1b" not in out  # no colour when stdout is not a terminal


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
    pytest.importorskip("copycar_assist.simulator.crm", reason="the CRM simulator is not written yet")
    code, doc, _ = cli_json(capsys, "--demo", "--scenario", "crm-bad-token", "doctor", "--only", "crm")
    auth = next(r for r in doc["results"] if r["id"] == "crm.auth")
    assert (auth["status"], auth["outcome"]) == ("fail", "bad_credentials") and code == 1
