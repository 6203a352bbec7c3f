"""Session history: append-only JSONL, synced per record, private files, a torn last line and
a killed process tolerated, past sessions listed."""

from __future__ import annotations

import json
import os
import select
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from copycar_assist.config import Settings
from copycar_assist.redact import Secret, make_scrubber
from copycar_assist.support.history import SessionLog, list_sessions, load_session
from copycar_assist.support.history import data_dir as history_dir

from fixtures_conversation import CANARY_KEY

ROOT = Path(__file__).resolve().parents[1]


def test_data_dir_env_override(data_dir):
    assert history_dir() == data_dir
    assert history_dir({}) != data_dir  # the platform's user data dir otherwise


def test_append_and_load_roundtrip(data_dir):
    with SessionLog.create(meta={"ui": "test", "lang": "es"}) as log:
        log.append({"type": "input", "text": "me sale 401 ñ"})
        log.append({"type": "state", "state": "describe"})
    assert log.path.parent == data_dir / "sessions"
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.path.parent.stat().st_mode) == 0o700
    s = load_session(log.path)
    assert [r["type"] for r in s.records] == ["session", "input", "state"]
    assert s.header["ui"] == "test" and s.records[1]["text"] == "me sale 401 ñ"
    assert all("at" in r for r in s.records)
    assert not s.torn and s.bad_lines == []


def test_a_session_is_saved_from_the_first_thing_the_user_says(data_dir):
    """A greeting nobody answered (or answered with empty lines) left a file that `sessions list`
    showed as "-"; now the file is made at the first words or pick, with what came before."""
    with SessionLog.create(meta={"ui": "test"}, until_said=True) as log:
        log.append({"type": "say", "text": "Hola"})
        log.append({"type": "input", "text": "  "})
        assert not log.path.exists() and not log.saved
    assert not (data_dir / "sessions").exists() or list((data_dir / "sessions").iterdir()) == []
    with SessionLog.create(meta={"ui": "test"}, until_said=True) as log:
        log.append({"type": "say", "text": "Hola"})
        log.append({"type": "choice", "id": "browse"})
        log.append({"type": "say", "text": "Elige"})
        assert log.saved
    s = load_session(log.path)
    assert [r["type"] for r in s.records] == ["session", "say", "choice", "say"]
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert [x.id for x in list_sessions()] == [log.id]


def test_a_session_that_cannot_be_made_when_the_user_speaks_stops_saving_and_says_why(tmp_path):
    told = []
    blocked = tmp_path / "file"
    blocked.write_text("x")  # the sessions folder cannot be made under a file
    log = SessionLog.start(root=blocked, on_stop=told.append, until_said=True)
    log.append({"type": "say", "text": "Hola"})
    assert told == [] and log.stopped is None
    log.append({"type": "input", "text": "me sale 401"})
    assert len(told) == 1 and log.stopped is not None and not log.saved
    log.append({"type": "input", "text": "otra vez"})  # never raises
    assert len(told) == 1


def test_records_are_scrubbed_before_writing(data_dir):
    settings = Settings()
    settings.api.key = Secret(CANARY_KEY)
    with SessionLog.create(make_scrubber(settings)) as log:
        log.append({"type": "input", "text": f"my key is {CANARY_KEY}", "nested": [{"k": CANARY_KEY}]})
    raw = log.path.read_text(encoding="utf-8")
    assert CANARY_KEY not in raw and CANARY_KEY[10:22] not in raw


def test_torn_last_line_is_tolerated(data_dir):
    with SessionLog.create() as log:
        for n in range(3):
            log.append({"type": "input", "text": f"line {n}"})
    with open(log.path, "ab") as f:
        f.write(b'{"type": "input", "text": "cut sh')  # the process died mid-write
    s = load_session(log.path)
    assert s.torn and s.bad_lines == []
    assert [r.get("text") for r in s.records[1:]] == ["line 0", "line 1", "line 2"]
    # a broken line in the middle is skipped and reported, the rest still loads
    with open(log.path, "ab") as f:
        f.write(b'\n{"type": "input", "text": "after"}\n')
    s = load_session(log.path)
    assert not s.torn and len(s.bad_lines) == 1 and s.records[-1]["text"] == "after"


def test_a_killed_chat_keeps_its_session(data_dir):
    """Run the plain chat, kill it with SIGKILL while it waits for input, read the session."""
    env = {**os.environ, "COPYCAR_ASSIST_DATA": str(data_dir), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "copycar_assist", "--demo", "--scenario", "expired-key", "--lang", "en",
         "chat", "--plain"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env,
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(b"my api key expired, 401 Unauthorized\nyes\n")
        proc.stdin.flush()
        deadline = time.monotonic() + 30
        seen = b""
        fd = proc.stdout.fileno()
        while b"done?" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)  # never block past the deadline
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                seen += chunk
        assert b"done?" in seen, seen.decode(errors="replace")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    files = list((data_dir / "sessions").glob("*.jsonl"))
    assert len(files) == 1
    s = load_session(files[0])
    types = [r["type"] for r in s.records]
    assert "cause_found" in types and "step" in types
    cause = next(r for r in s.records if r["type"] == "cause_found")
    assert (cause["entry"], cause["cause"]) == ("invalid-api-key", "expired-key")
    assert (s.records[-1]["type"], s.records[-1]["state"]) == ("prompt", "step")  # a turn ends with its prompt
    # and a torn write on top of it is tolerated
    with open(files[0], "ab") as f:
        f.write(b'{"type": "Say", "te')
    again = load_session(files[0])
    assert again.torn and again.records == s.records


def test_list_sessions_newest_first(data_dir):
    assert list_sessions() == []
    first = SessionLog.create(meta={"lang": "es"})
    first.append({"type": "input", "text": "primero"})
    first.append({"type": "cause_found", "entry": "invalid-api-key", "cause": "wrong-key"})
    first.close()
    second = SessionLog.create()
    second.append({"type": "input", "text": "second"})
    second.close()
    found = list_sessions()
    assert [s.id for s in found] == [second.id, first.id]
    assert found[1].first_text == "primero" and found[1].entries == ["invalid-api-key"]
    assert found[1].lang == "es"
    assert json.loads(first.path.read_text().splitlines()[0])["type"] == "session"
