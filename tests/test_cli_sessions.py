"""`copycar-assist sessions`: the conversations saved as they went, found again and printed as
Markdown — including one whose process died mid-line, and never with a secret whole."""

from __future__ import annotations

import json
import stat

from test_cli_chat import chat

PASTED_KEY = "sk-live-9f8e7d6c5b4a39281706f5e4d3c2b1a0"


def sessions(*args: str, data, env: dict | None = None):
    return chat("", "sessions", *args, data=data, env=env)


def test_a_plain_chat_is_listed_and_shown(tmp_path):
    script = f"me sale 401 con la clave {PASTED_KEY}\nsí\n"
    p = chat(script, "--demo", "--scenario", "expired-key", "chat", "--plain", data=tmp_path)
    assert p.returncode == 0, p.stderr.decode()
    r = sessions("list", "--json", data=tmp_path)
    assert r.returncode == 0, r.stderr.decode()
    [s] = json.loads(r.stdout)["sessions"]
    assert s["entries"] == ["invalid-api-key"] and s["first_text"].startswith("me sale 401")
    assert PASTED_KEY not in r.stdout.decode()
    r = sessions("show", s["id"][:12], data=tmp_path)
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr.decode()
    assert out.startswith("# CopyCar Assist")
    assert "```text\nme sale 401 con la clave sk-" in out  # the user's words, fenced (inert)
    assert "La clave ha caducado" in out and "¿Ves estos síntomas?" in out
    assert PASTED_KEY not in out


def test_show_to_a_private_file_and_last(tmp_path):
    chat("emails going to spam\n", "chat", "--plain", data=tmp_path)
    dest = tmp_path / "t.md"
    r = sessions("show", "last", "--out", str(dest), data=tmp_path)
    assert r.returncode == 0, r.stderr.decode()
    assert "emails going to spam" in dest.read_text()
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600


def test_a_session_cut_short_still_shows(tmp_path):
    chat("rate limit exceeded 429\n", "chat", "--plain", data=tmp_path)
    [path] = (tmp_path / "sessions").glob("*.jsonl")
    with path.open("ab") as fh:  # the process died while writing a line, with a terminal escape
        fh.write(b'{"type": "input", "text": "half \x1b[31mred')
    r = sessions("list", data=tmp_path)
    assert r.returncode == 0 and "(cut short)" in r.stdout.decode()
    r = sessions("show", "last", data=tmp_path)
    assert r.returncode == 0 and "rate limit exceeded 429" in r.stdout.decode()
    assert b"\x1b" not in r.stdout


def test_unknown_or_ambiguous_ids_are_usage_errors(tmp_path):
    assert b"No saved conversations" in sessions(data=tmp_path).stdout
    r = sessions("show", "nope", data=tmp_path)
    assert r.returncode == 3 and b"sessions list" in r.stderr
    chat("hola\n", "chat", "--plain", data=tmp_path)
    chat("hello\n", "chat", "--plain", data=tmp_path)
    r = sessions("show", "2", data=tmp_path)  # both ids start with the year
    assert r.returncode == 3 and b"2 conversations" in r.stderr
