"""`monitor --log-file --follow`: the same metrics and alerts from a log in the guide's format as it
grows, through rotation and truncation; and the one-shot judgement of a log's last window."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from copycar_assist.cli import main
from copycar_assist.monitor.logfollow import LogMonitor, LogTail
from copycar_assist.monitor.rules import rules_from

from shipped import knowledge

KB = knowledge()
T0 = datetime(2025, 3, 14, 10, 0, 0)


def lines(start: datetime, seconds: int, *, every_s: float = 0.5, fail_every: int = 0, ms: int = 120,
          errors_only: bool = False) -> list[str]:
    out, n, t = [], 0, start
    while t < start + timedelta(seconds=seconds):
        n += 1
        stamp = t.strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}"
        if fail_every and n % fail_every == 0:
            if errors_only:
                out.append(f"{stamp} - copycar_ai - ERROR - Error: ReadTimeout - Message: timed out - Context: GET /verify")
            else:
                out.append(f"{stamp} - copycar_ai - INFO - API Call: POST /generate - Status: 503 - Response Time: {ms}ms")
        else:
            out.append(f"{stamp} - copycar_ai - INFO - API Call: POST /generate - Status: 200 - Response Time: {ms}ms")
        t += timedelta(seconds=every_s)
    return out


def append(path, text_lines) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n".join(text_lines) + "\n")


def test_follow_through_rotation_and_truncation(tmp_path):
    log = tmp_path / "copycar_ai.log"
    append(log, lines(T0, 300))
    tail = LogTail(str(log))
    mon = LogMonitor(f"log:{log}", rules_from(KB.support))
    events = []

    def step():
        m, ev = mon.feed(tail.poll())
        events.extend(ev)
        return m

    m = step()
    assert m.samples == 600 and m.error_rate == 0 and 115 < m.per_min < 125
    # 5 minutes where one call in four fails, in two halves with a rotation between them
    append(log, lines(T0 + timedelta(seconds=300), 150, fail_every=4))
    step()
    os.rename(log, tmp_path / "copycar_ai.log.1")
    append(tmp_path / "copycar_ai.log.1", lines(T0 + timedelta(seconds=450), 10, fail_every=4))  # late lines of the old file
    append(log, lines(T0 + timedelta(seconds=460), 140, fail_every=4))
    m = step()
    assert tail.rotations == 1
    assert 0.2 < m.error_rate < 0.3, m
    assert [(e.type, e.state) for e in events] == [("HIGH_ERROR_RATE", "raised"), ("LOW_SUCCESS_RATE", "raised")]
    # copytruncate: the file is cut to nothing and written again from the start
    with open(log, "w", encoding="utf-8"):
        pass
    step()  # the follower polls every second: it sees the file shorter than where it was
    append(log, lines(T0 + timedelta(seconds=600), 600))
    m = step()
    assert tail.truncations == 1 and m.error_rate == 0
    assert [(e.type, e.state) for e in events[2:]] == [("HIGH_ERROR_RATE", "cleared"), ("LOW_SUCCESS_RATE", "cleared")]
    tail.close()


def test_error_lines_count_once_and_throughput_is_judged(tmp_path):
    log = tmp_path / "app.log"
    append(log, lines(T0, 300, every_s=6, fail_every=5, errors_only=True))  # 10 calls a minute
    mon = LogMonitor("log", rules_from(KB.support))
    m, events = mon.feed(LogTail(str(log)).poll())
    assert m.samples == 40 and abs(m.error_rate - 10 / 50) < 0.01  # 40 calls + 10 Error lines
    assert m.per_min < 100
    assert sorted((e.type, e.state) for e in events) == [
        ("HIGH_ERROR_RATE", "raised"), ("LOW_SUCCESS_RATE", "raised"), ("LOW_THROUGHPUT", "raised")]
    first = min(e.at for e in events)
    assert first - T0.timestamp() >= 60 + 12 * 6 - 6  # 12 calls in the window, then held for a minute


def test_the_last_window_of_a_log_is_judged_once(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COPYCAR_ASSIST_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("COPYCAR_ASSIST_CONFIG", str(tmp_path / "none.toml"))
    log = tmp_path / "app.log"
    append(log, lines(T0, 300, fail_every=10))
    assert main(["--lang", "en", "monitor", "--log-file", str(log)]) == 2
    out = capsys.readouterr().out
    assert "HIGH_ERROR_RATE (CRITICAL)" in out and "errors 10%" in out
    (tmp_path / "fifo").unlink(missing_ok=True)
    os.mkfifo(tmp_path / "fifo")
    assert main(["monitor", "--log-file", str(tmp_path / "fifo")]) == 3
    assert "FIFO" in capsys.readouterr().err
