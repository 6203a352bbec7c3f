"""`chat --json`, the machine interface (DESIGN.md): JSON lines in, one event per line out, in order;
and a property-based walker that drives it on every demo scenario with random descriptions,
answers, pasted blocks and commands — never an `error` event, a traceback or a non-zero exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copycar_assist.conversation.choices import Role
from copycar_assist.simulator import all_scenarios

ROOT = Path(__file__).resolve().parents[1]
ROLES = {str(r) for r in Role}


def env(data: Path) -> dict:
    return {**os.environ, "COPYCAR_ASSIST_DATA": str(data), "PYTHONPATH": str(ROOT),
            "COPYCAR_ASSIST_CONFIG": str(data / "none.toml")}


def run(lines: list[dict | str], data: Path, *args: str) -> tuple[int, list[dict], str]:
    feed = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    p = subprocess.run([sys.executable, "-m", "copycar_assist", *args, "chat", "--json"], input=feed,
                       capture_output=True, text=True, cwd=ROOT, env=env(data), timeout=120)
    return p.returncode, [json.loads(line) for line in p.stdout.splitlines()], p.stderr


def test_the_contract(tmp_path):
    code, events, err = run([{"text": "me sale 401 al llamar a la api"}, {"choose": "yes"}], tmp_path,
                            "--demo", "--scenario", "expired-key", "--lang", "es")
    assert code == 0, err
    assert all("type" in e for e in events)
    prompts = [e for e in events if e["type"] == "prompt"]
    assert len(prompts) == 3  # after the greeting, after the description, after the answer
    for p in prompts:
        assert set(p) >= {"state", "text", "about", "choices"}
        assert set(p["about"]) == {"entry", "cause"}
        for c in p["choices"]:
            assert {"id", "label", "key", "role"} <= set(c) and c["role"] in ROLES
    assert prompts[1]["state"] == "confirm_symptoms" and prompts[1]["about"]["entry"] == "invalid-api-key"
    matched = next(e for e in events if e["type"] == "matched")
    assert matched["best"] == "invalid-api-key" and matched["kind"] == "problem"
    checks = [e for e in events if e["type"] == "check" and e["phase"] == "finished"]
    assert {e["id"] for e in checks} == {"api.key_configured", "api.verify"}
    found = next(e for e in events if e["type"] == "cause_found")
    assert (found["entry"], found["cause"], found["via"]) == ("invalid-api-key", "expired-key", "check")
    assert events.index(checks[-1]) < events.index(found) < events.index(prompts[2])
    assert prompts[2]["state"] == "step" and prompts[2]["about"]["cause"] == "expired-key"
    assert [c["role"] for c in prompts[2]["choices"]] == ["done", "skip", "escalate"]


def test_escalation_event_and_bad_lines(tmp_path):
    code, events, err = run(["not json", '{"choose": 5}', {"text": "/escalate"}], tmp_path, "--lang", "en")
    assert code == 0, err
    errors = [e for e in events if e["type"] == "error"]
    assert len(errors) == 2 and "line 1" in errors[0]["message"] and "line 2" in errors[1]["message"]
    esc = next(e for e in events if e["type"] == "escalated")
    assert {"severity", "level", "ticket"} <= set(esc) and esc["severity"] == "MEDIUM"
    assert Path(esc["ticket"]).is_file() and Path(esc["ticket"]).parent == tmp_path / "tickets"
    assert events[-1]["type"] == "prompt" and events[-1]["state"] == "escalated"


def test_a_guide_question_or_a_request_never_gets_an_entry(tmp_path):
    code, events, err = run([{"text": "quiero cambiar mi plan de facturación"}], tmp_path, "--lang", "es")
    assert code == 0, err
    assert next(e for e in events if e["type"] == "matched")["best"] is None
    last = events[-1]
    assert last["state"] == "no_match" and "handoff" in [c["role"] for c in last["choices"]]


# --- the walker -----------------------------------------------------------------------------------

DESCRIPTIONS = [
    "me sale 401", "429 Too Many Requests", "emails going to spam", "la api va muy lenta",
    "Redis NOAUTH Authentication required", "el CRM no sincroniza los contactos", "no llegan las alertas",
    "personalization score is 40%", "content generation failed: empty response", "could not resolve host api.copycarai.com",
    "hola", "quiero cambiar mi plan", "what latency triggers an alert?", "¿qué nivel atiende un error crítico?",
]
PASTES = [
    "Traceback (most recent call last):\n  File \"x.py\", line 3\nhttpx.ReadTimeout: timed out",
    "HTTP/1.1 429 Too Many Requests\nRetry-After: 30\nX-RateLimit-Remaining: 0",
    '{"error": "expired_api_key", "message": "The key has expired"}',
    "Subject: FREE!!! WIN NOW\n\nClick http://bit.ly/x",
    "2024-01-01 10:00:00,123 - copycar_ai - ERROR - API Call: POST /generate - Status: 500 - Time: 12000ms",
]
COMMANDS = ["/restart", "/lang en", "/idioma es", "/escalar", "/escalate", "/back", "/atras", "/help", "/ayuda", "/lang fr"]
JUNK = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)

step = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(DESCRIPTIONS)),
    st.tuples(st.just("text"), st.sampled_from(PASTES)),
    st.tuples(st.just("text"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("text"), JUNK),
    st.tuples(st.just("text"), st.sampled_from(["sí", "no", "listo", "no sé", "atrás", "y", "n", "1", "9", "e"])),
    st.tuples(st.just("pick"), st.integers(0, 8)),
    st.tuples(st.just("pick"), st.integers(0, 8)),
    st.tuples(st.just("choose"), st.sampled_from(["nope", "entry:nope", "cause:x#y", "sev:HIGH"])),
)


class Chat:
    """One `chat --json` process, kept for many walks (each starts with /restart)."""

    def __init__(self, scenario: str, data: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "copycar_assist", "--demo", "--scenario", scenario, "chat", "--json"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
            env=env(data), bufsize=1)
        self.prompt = self.read()[-1]

    def read(self) -> list[dict]:
        events = []
        while True:
            line = self.proc.stdout.readline()
            assert line, f"chat --json stopped: {self.proc.stderr.read()}"
            event = json.loads(line)
            assert event["type"] != "error", event
            events.append(event)
            if event["type"] == "prompt":
                return events

    def send(self, request: dict) -> list[dict]:
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        events = self.read()
        self.prompt = events[-1]
        return events

    def close(self) -> tuple[int, str]:
        self.proc.stdin.close()
        code = self.proc.wait(timeout=60)
        return code, self.proc.stderr.read()


@pytest.fixture(scope="module")
def chats(tmp_path_factory):
    opened: dict[str, Chat] = {}

    def get(scenario: str) -> Chat:
        if scenario not in opened:
            opened[scenario] = Chat(scenario, tmp_path_factory.mktemp(scenario))
        return opened[scenario]

    yield get
    for scenario, chat in opened.items():
        code, err = chat.close()
        assert code == 0 and "Traceback" not in err, (scenario, code, err)


API_SCENARIOS = [s for s in sorted(all_scenarios()) if s != "slow"] + ["slow"]


@pytest.mark.parametrize("scenario", API_SCENARIOS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=8))
def test_random_walks_never_break(chats, scenario, steps):
    chat = chats(scenario)
    chat.send({"text": "/restart"})
    for kind, value in steps:
        if kind == "pick":
            choices = chat.prompt["choices"]
            if not choices:
                continue
            request = {"choose": choices[value % len(choices)]["id"]}
        elif kind == "choose":
            request = {"choose": value}
        else:
            request = {"text": value}
        events = chat.send(request)
        last = events[-1]
        assert last["type"] == "prompt" and last["state"]
        assert all(c["role"] in ROLES for c in last["choices"])
