"""The run history (SQLite): two processes writing at once lose nothing; a damaged file is moved
aside and reported, never a crash; comparisons, acknowledgements and baselines."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from functools import partial
from pathlib import Path

from copycar_assist.checks.base import CheckResult
from copycar_assist.runs import runquery
from copycar_assist.runs.runstore import DB_NAME, RunStore

REPO = Path(__file__).resolve().parents[1]


def result(cid: str, status: str, summary: str = "") -> CheckResult:
    return CheckResult(cid, status, "ok" if status == "pass" else "x", summary or f"{cid} {status}", {}, 3)  # type: ignore[arg-type]


class Clock:
    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from copycar_assist.checks.base import CheckResult
    from copycar_assist.runs.runstore import RunStore
    store = RunStore.open(Path(sys.argv[1]))
    assert store.usable, store.problem
    tag = sys.argv[2]
    for i in range(int(sys.argv[3])):
        rows = [CheckResult(f"c{j}", "pass", "ok", f"{tag}-{i}-{j}", {"i": i}, 1) for j in range(5)]
        assert store.record_run("doctor", rows, base_url=tag) is not None
        store.record_latency(tag, "check", samples=10, avg_ms=1.0, p95_ms=2.0, usual=True)
    print("done", tag)
""")


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), tag, "150"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for tag in ("alpha", "beta")]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    db = sqlite3.connect(tmp_path / DB_NAME)
    assert db.execute("SELECT base_url, COUNT(*) FROM runs GROUP BY base_url ORDER BY 1").fetchall() == \
        [("alpha", 150), ("beta", 150)]
    assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 1500
    assert db.execute("SELECT COUNT(*) FROM latency").fetchone()[0] == 300
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert oct((tmp_path / DB_NAME).stat().st_mode & 0o777) == "0o600"


def test_a_corrupt_database_is_moved_aside_and_reported(tmp_path):
    (tmp_path / DB_NAME).write_bytes(b"this is not a database at all\n" * 200)
    store = RunStore.open(tmp_path)
    assert store.usable
    assert store.problem is not None and store.problem.key == "moved_aside"
    aside = [p for p in tmp_path.iterdir() if p.name.startswith(DB_NAME + ".corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")
    assert "moved aside" in store.problem.message("en") and aside[0].name in store.problem.message("en")
    assert "apartado" in store.problem.message("es")
    assert store.record_run("doctor", [result("api.health", "pass")]) is not None
    assert len(runquery.runs(store)) == 1


def test_a_damaged_page_is_found_on_open(tmp_path):
    store = RunStore.open(tmp_path)
    for _ in range(200):
        store.record_run("doctor", [result(f"c{j}", "pass", "x" * 200) for j in range(10)])
    store.close()
    path = tmp_path / DB_NAME
    data = bytearray(path.read_bytes())
    for off in range(8192, min(len(data), 60000), 7):  # scribble over pages after the header
        data[off] = 0xA5
    path.write_bytes(bytes(data))
    again = RunStore.open(tmp_path)
    assert again.problem is not None and again.problem.key == "moved_aside"
    assert again.usable and runquery.runs(again) == []


def test_something_that_is_not_a_file_is_left_alone(tmp_path):
    os.mkfifo(tmp_path / DB_NAME)
    store = RunStore.open(tmp_path)
    assert not store.usable and store.problem.key == "not_regular"
    assert store.record_run("doctor", [result("a", "pass")]) is None  # a no-op, no exception
    assert runquery.runs(store) == [] and (tmp_path / DB_NAME).exists()


def test_new_failures_and_fixes_since_the_last_run(tmp_path):
    clock = Clock()
    store = RunStore.open(tmp_path, clock=clock)
    url = "https://api.copycarai.com/v2"
    store.record_run("doctor", [result("a", "pass"), result("b", "fail"), result("c", "pass")], base_url=url)
    clock.now += 3600
    now = [result("a", "fail", "a broke"), result("b", "pass"), result("c", "pass"), result("d", "fail")]
    run_id = store.record_run("doctor", now, base_url=url)
    changes = runquery.changes_since_last(store, run_id, now)
    assert [c["check"] for c in changes.new_failures] == ["a"]
    assert changes.new_failures[0]["summary"] == "a broke"
    assert [c["check"] for c in changes.fixed] == ["b"]
    # the chat's sentence: this check passed an hour ago
    clock.now += 3600
    note = partial(runquery.previous_note, base_url=url)
    assert note(store, "c", "pass", "en") is None  # the same as last time: nothing to say
    assert note(store, "c", "fail", "en") == "This check passed 1 h ago."
    assert note(store, "a", "pass", "en") == "This check failed 1 h ago."
    assert note(store, "b", "fail", "es") == "Esta comprobación pasó hace 1 h."
    assert note(None, "b", "fail", "es") is None


def test_a_run_against_another_set_up_is_not_before(tmp_path):
    """A demo world (its own loopback URL each time) or another base URL is another set-up: its
    results are no "new failure" or "fixed since" of this one, and the chat does not quote them."""
    clock = Clock()
    store = RunStore.open(tmp_path, clock=clock)
    real, demo = "https://api.copycarai.com/v2", "http://127.0.0.1:46377/v2"
    store.record_run("doctor", [result("a", "pass"), result("b", "fail")], base_url=real)
    clock.now += 60
    store.record_run("doctor", [result("a", "fail"), result("b", "pass")], base_url=demo)  # another world
    clock.now += 60
    now = [result("a", "fail"), result("b", "fail")]
    run_id = store.record_run("doctor", now, base_url=real)
    changes = runquery.changes_since_last(store, run_id, now)
    assert [c["check"] for c in changes.new_failures] == ["a"] and changes.fixed == []  # against the real run
    assert changes.previous_run is not None and changes.previous_run["id"] == 1
    clock.now += 60
    assert runquery.previous_note(store, "b", "pass", "en", base_url=real) == "This check failed 60 s ago."
    assert runquery.previous_note(store, "b", "fail", "en", base_url=demo) == "This check passed 2 min ago."
    assert runquery.previous_note(store, "a", "pass", "en", base_url="http://127.0.0.1:5000/v2") is None


def test_acknowledgements_expire(tmp_path):
    clock = Clock()
    store = RunStore.open(tmp_path, clock=clock)
    assert store.ack("api.latency", clock.now + 3600, "provider incident #42")
    assert runquery.active_acks(store)["api.latency"].reason == "provider incident #42"
    clock.now += 3601
    assert runquery.active_acks(store) == {}


def test_baseline_is_the_median_of_usual_observations(tmp_path):
    clock = Clock()
    store = RunStore.open(tmp_path, clock=clock)
    assert runquery.baseline(store, "https://x/v2") is None
    for p95 in (300, 280, 320, 5000):
        store.record_latency("https://x/v2", "check", samples=20, avg_ms=p95 / 2, p95_ms=p95, usual=p95 < 1000)
        clock.now += 86400 / 4
    store.record_latency("https://other/v2", "check", samples=20, avg_ms=1, p95_ms=2, usual=True)
    b = runquery.baseline(store, "https://x/v2")
    assert b is not None and b.p95_ms == 300 and b.observations == 3
    store.record_latency("https://x/v2", "monitor", samples=20, avg_ms=700, p95_ms=1500, usual=False)
    assert runquery.latency_change(store, "https://x/v2", "en") == "p95 300 ms → 1.5 s since yesterday"
