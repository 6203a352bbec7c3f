"""Saved sessions under attack and when the disk refuses: FIFOs, links to /dev/zero, a 300 MB
file, a line of 100,000 `[`, fields of the wrong type, ids holding terminal escapes — and a disk
that fills up mid-conversation. `sessions list|show` answer at once with what is wrong; saving
stops with one notice saying why; tickets written in the same second are all kept."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from copycar_assist.support.history import SessionLog, find_sessions, load_session

from fixtures_tui import make_app, record_notices, settle

ROOT = Path(__file__).resolve().parents[1]
CONTROLS = ("\x1b", "\x07", "\x9b", "\x9d", "\u202e")


def cli(data: Path, *args: str) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("copycar-assist")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "copycar_assist"]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("COPYCAR_")},
           "COPYCAR_ASSIST_DATA": str(data), "COPYCAR_ASSIST_CONFIG": str(data / "none.toml")}
    return subprocess.run([*argv, *args], capture_output=True, env=env, cwd=data, timeout=30,
                          stdin=subprocess.DEVNULL)


def session_file(data: Path, stamp: str) -> Path:
    folder = data / "sessions"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"2024010{stamp}T000000000000Z-abcdef.jsonl"


def test_special_and_huge_session_files_are_named_not_read(tmp_path):
    os.mkfifo(session_file(tmp_path, "1"))
    session_file(tmp_path, "2").symlink_to("/dev/zero")
    with open(session_file(tmp_path, "3"), "wb") as fh:  # 300 MB, sparse: nothing is read
        fh.truncate(300 * 1024 * 1024)
    started = time.monotonic()
    r = cli(tmp_path, "sessions", "list")
    assert time.monotonic() - started < 10
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr
    assert "20240101T000000000000Z-abcdef  (cannot be read: is a FIFO (named pipe)" in out
    assert "20240102T000000000000Z-abcdef  (cannot be read: is a character device" in out
    assert "20240103T000000000000Z-abcdef  (cannot be read: is larger than 32 MiB" in out
    r = cli(tmp_path, "sessions", "show", "20240103")
    assert r.returncode == 3 and b"is larger than 32 MiB: too large for a saved session" in r.stderr
    assert b"Traceback" not in r.stderr


def test_a_session_read_stays_within_its_cap(tmp_path):
    """Reading a session never holds more than the 32 MiB cap (plus the interpreter)."""
    path = session_file(tmp_path, "4")
    line = b'{"type": "input", "text": "' + b"x" * (4 * 1024 * 1024 - 64) + b'"}\n'
    path.write_bytes(line * 6 + b'{"type": "input", "text": "' + b"y" * (4608 * 1024) + b'"}\n')
    # the child's own peak (VmHWM): ru_maxrss survives exec on Linux, so it would report the size
    # of the pytest process that started the child, which grows with the tests before this one
    code = ("import sys; from copycar_assist.support.history import summarize; "
            "from pathlib import Path; s = summarize(Path(sys.argv[1])); "
            "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM:')); "
            "print(s.records, int(hwm.split()[1]) // 1024)")
    r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    records, peak_mb = map(int, r.stdout.split())
    assert records == 6 and peak_mb < 250, (records, peak_mb)  # the 4.5 MiB line is over the line cap


def test_hostile_records_are_skipped_and_typed(tmp_path):
    path = session_file(tmp_path, "5")
    lines = [
        {"type": "session", "id": "x", "lang": ["x"], "at": 5},
        {"type": "input", "text": "hola \x1b]0;owned\x07 mundo \u202e"},
        {"type": "cause_found", "entry": 5},
        {"type": "cause_found", "entry": "evil\x1b]52;c;Y2FuYXJ5\x07"},
        {"type": "cause_found", "entry": "invalid-api-key"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines[:2]) + "[" * 100_000 + "\n"
                    + "".join(json.dumps(r) + "\n" for r in lines[2:]))
    session = load_session(path)
    assert len(session.records) == 5 and session.bad_lines == [3]
    [summary] = find_sessions(tmp_path).sessions
    assert summary.entries == ["invalid-api-key"] and summary.lang is None and summary.started == ""
    for args in (("sessions", "list"), ("sessions", "list", "--json"), ("sessions", "show", "last")):
        r = cli(tmp_path, *args)
        assert r.returncode == 0, r.stderr
        text = r.stdout.decode()
        assert "hola" in text and not any(c in text for c in CONTROLS), (args, text)
        assert "\\u001b" not in text and "\\u009b" not in text and "\\u202e" not in text


def test_saving_stops_once_and_says_why(tmp_path):
    told = []
    log = SessionLog.create(root=tmp_path, on_stop=told.append)
    log.append({"type": "input", "text": "before"})
    full = os.open("/dev/full", os.O_WRONLY)
    os.dup2(full, log._fd)  # the disk fills up: every further write fails with ENOSPC
    os.close(full)
    log.append({"type": "input", "text": "lost"})
    log.append({"type": "input", "text": "lost too"})
    assert [s.reason for s in told] == ["No space left on device"] and log.stopped == told[0]
    assert [r.get("text") for r in load_session(log.path).records[1:]] == ["before"]
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("")
    started = SessionLog.start(root=blocked, on_stop=told.append)
    assert started.stopped is not None and told[-1].reason == "Not a directory"
    started.append({"type": "input", "text": "ignored"})  # a no-op, never an exception


def test_chat_plain_under_a_file_size_limit_keeps_talking(tmp_path):
    """A write that fails mid-conversation (here the file size limit: EFBIG) stops saving, not
    the conversation."""
    def limit():
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (600, 600))

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("COPYCAR_")},
           "COPYCAR_ASSIST_DATA": str(tmp_path), "COPYCAR_ASSIST_CONFIG": str(tmp_path / "none.toml"),
           "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-m", "copycar_assist", "--lang", "en", "chat", "--plain"],
                       input=b"my api key expired, 401\nyes\n", capture_output=True, env=env, cwd=ROOT,
                       timeout=60, preexec_fn=limit)
    assert p.returncode == 0 and b"Traceback" not in p.stderr
    assert b"Cause found" in p.stdout or b"symptoms" in p.stdout
    [path] = (tmp_path / "sessions").glob("*.jsonl")
    assert path.stat().st_size <= 600


async def test_the_app_says_once_that_the_conversation_is_not_saved(kb, tmp_path, monkeypatch):
    blocked = tmp_path / "data-is-a-file"
    blocked.write_text("")
    monkeypatch.setenv("COPYCAR_ASSIST_DATA", str(blocked))
    app = make_app(kb, lang="en")
    notices = record_notices(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"hola", "enter")
        await settle(app, pilot)
        notes = [n for n in notices if "not being saved" in n]
        assert len(notes) == 1 and "Not a directory" in notes[0]


def test_two_cases_in_one_second_keep_two_tickets_and_one_case_keeps_one(tmp_path):
    from copycar_assist.conversation.states import new_case_id
    from copycar_assist.support.tickets import TicketStore

    store = TicketStore(tmp_path / "tickets")
    cases = [new_case_id() for _ in range(3)]  # the same second, three cases
    paths = [store.save(case, f"# Ticket {n}\n") for n, case in enumerate(cases)]
    assert len(set(paths)) == 3
    assert sorted(p.read_text() for p in paths) == ["# Ticket 0\n", "# Ticket 1\n", "# Ticket 2\n"]
    again = store.save(cases[0], "# Ticket 0, severity changed\n")  # the same case: the same file
    assert again == paths[0] and again.read_text() == "# Ticket 0, severity changed\n"
    assert len(list((tmp_path / "tickets").iterdir())) == 3


def test_show_out_never_replaces_a_device_or_fifo(tmp_path):
    import stat

    path = session_file(tmp_path, "6")
    path.write_text('{"type": "session", "id": "x", "lang": "en"}\n{"type": "input", "text": "hello"}\n')
    pipe = tmp_path / "out.fifo"
    os.mkfifo(pipe)
    for target, what in ((pipe, "is a FIFO (named pipe)"), (Path("/dev/null"), "is a character device"),
                         (tmp_path, "is a directory")):
        r = cli(tmp_path, "sessions", "show", "last", "--out", str(target))
        assert r.returncode == 3 and what.encode() in r.stderr and b"only a regular file is replaced" in r.stderr
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode) and stat.S_ISCHR(os.stat("/dev/null").st_mode)
    r = cli(tmp_path, "sessions", "show", "last", "--out", str(tmp_path / "t.md"))
    assert r.returncode == 0 and "hello" in (tmp_path / "t.md").read_text()
