"""`copycar-assist sessions`: the conversations saved as they went, found again and printed as
Markdown — including one whose process died mid-line, and never with a secret whole."""

from __future__ import annotations

import json
import stat
import sys

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


def _saved(data, stamp: str, entry: str | None = None, text: str = "hola") -> str:
    """A session file as the app writes it, with a chosen start time (ids sort by time)."""
    sid = f"{stamp}000000Z-abc123"
    folder = data / "sessions"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    at = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]}.000+00:00"
    records = [{"type": "session", "id": sid, "lang": "en", "at": at}, {"type": "input", "text": text, "at": at}]
    if entry:
        records.append({"type": "cause_found", "entry": entry, "cause": "c", "at": at})
    (folder / f"{sid}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return sid


def test_list_pages_and_filters(tmp_path):
    ids = [_saved(tmp_path, f"202401{d:02d}T120000", "invalid-api-key" if d % 2 else None, f"day {d}")
           for d in range(1, 26)]
    newest_first = ids[::-1]
    doc = json.loads(sessions("list", "--json", data=tmp_path).stdout)
    assert [s["id"] for s in doc["sessions"]] == newest_first[:20] and doc["more"] == 5
    out = sessions("list", "--limit", "3", data=tmp_path).stdout.decode()
    assert out.count("«day") == 3 and "… 22 more (--all lists them all" in out
    doc = json.loads(sessions("list", "--all", "--json", data=tmp_path).stdout)
    assert len(doc["sessions"]) == 25 and doc["more"] == 0
    doc = json.loads(sessions("list", "--since", "2024-01-23", "--json", data=tmp_path).stdout)
    assert [s["first_text"] for s in doc["sessions"]] == ["day 25", "day 24", "day 23"]
    doc = json.loads(sessions("list", "--entry", "invalid-api-key", "--limit", "2", "--json", data=tmp_path).stdout)
    assert [s["first_text"] for s in doc["sessions"]] == ["day 25", "day 23"] and doc["more_unknown"]
    r = sessions("list", "--since", "last tuesday", data=tmp_path)
    assert r.returncode == 3 and b"YYYY-MM-DD" in r.stderr
    r = sessions("list", "--entry", "nope", data=tmp_path)
    assert r.returncode == 0 and b"No saved conversation matches" in r.stdout


def test_list_and_show_open_only_what_they_print(tmp_path, monkeypatch):
    """Python's audit hook sees every file opened: with 40 sessions saved, `list --limit 3`
    opens 3 and `show last` opens 1 (names sort by time, so the rest need not be read)."""
    from copycar_assist.cli import main

    ids = [_saved(tmp_path, f"2024{1 + d // 28:02d}{1 + d % 28:02d}T080000") for d in range(40)]
    monkeypatch.setenv("COPYCAR_ASSIST_DATA", str(tmp_path))
    monkeypatch.setenv("COPYCAR_ASSIST_CONFIG", str(tmp_path / "none.toml"))
    opened: list[str] = []
    watching = [False]

    def hook(event, args):
        if watching[0] and event == "open" and str(args[0]).endswith(".jsonl"):
            opened.append(str(args[0]))

    sys.addaudithook(hook)
    try:
        watching[0] = True
        assert main(["sessions", "list", "--limit", "3"]) == 0
        assert len(set(opened)) == 3
        opened.clear()
        assert main(["sessions", "show", "last"]) == 0
        assert len(set(opened)) == 1 and max(ids) in opened[0]
    finally:
        watching[0] = False
