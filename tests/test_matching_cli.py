"""The `match` command's contract, through a real subprocess."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "copycar_assist", *args], input=stdin, capture_output=True,
                          text=True, encoding="utf-8", cwd=ROOT, timeout=60, check=False)


def check_shape(obj):
    assert set(obj) >= {"query", "language", "best", "matches"}
    assert obj["language"] in ("es", "en")
    assert obj["best"] is None or obj["best"] == obj["matches"][0]["id"]
    scores = [m["score"] for m in obj["matches"]]
    assert scores == sorted(scores, reverse=True)
    for m in obj["matches"]:
        assert set(m) == {"id", "title", "score", "why"}
        assert isinstance(m["score"], int) and 0 <= m["score"] <= 100
        assert isinstance(m["why"], list) and all(isinstance(w, str) for w in m["why"])


def test_json_single_query():
    p = run("match", "me sale error 401 al llamar a la api", "--json")
    assert p.returncode == 0, p.stderr
    obj = json.loads(p.stdout)  # stdout holds JSON only
    check_shape(obj)
    assert obj["query"] == "me sale error 401 al llamar a la api"
    assert obj["language"] == "es"
    assert obj["best"] == "invalid-api-key"


def test_json_batch_from_stdin_keeps_order_and_count():
    lines = ["hola", "", "HTTP 429 when running the nightly import", "los correos llegan a spam",
             "asdfgh", "\x1b[31m\x1b]0;title\x07api key invalid\x1b[0m", "🙂🙂 la api está caída"]
    p = run("match", "--json", "-", stdin="\n".join(lines) + "\n")
    assert p.returncode == 0, p.stderr
    out = p.stdout.splitlines()
    assert len(out) == len(lines)
    objs = [json.loads(x) for x in out]
    for obj in objs:
        check_shape(obj)
    assert [o["best"] for o in objs] == [None, None, "rate-limit-exceeded", "email-delivery-failed", None,
                                         "invalid-api-key", "api-unreachable"]
    assert "\x1b" not in objs[5]["query"]


def test_batch_streams_one_line_per_query():
    proc = subprocess.Popen([sys.executable, "-m", "copycar_assist", "match", "--json", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, encoding="utf-8", cwd=ROOT)
    try:
        proc.stdin.write("error 429\n")
        proc.stdin.flush()
        first = json.loads(proc.stdout.readline())  # answered before stdin closes
        assert first["best"] == "rate-limit-exceeded"
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
    assert proc.returncode == 0


def test_limit_and_table():
    p = run("match", "timeout", "--json", "--limit", "2")
    assert len(json.loads(p.stdout)["matches"]) <= 2
    p = run("match", "los", "emails", "van", "a", "spam")
    assert p.returncode == 0
    assert "email-delivery-failed" in p.stdout and "{" not in p.stdout


def test_bad_limit_is_a_usage_error():
    p = run("match", "x", "--limit", "0")
    assert p.returncode == 3
    assert "--limit" in p.stderr
