"""The status line of a long command (cli/status.py): drawn on a terminal only, once the work has
taken a moment, its text cleaned and cut to the width, erased without a trace; `doctor` says on
it which checks are still running while a server keeps it waiting, and a first compile of a large
knowledge base how far it is."""

from __future__ import annotations

import io
import re

import pytest
from fixtures_terminal import terminal_text

from copycar_assist.cli.columns import width
from copycar_assist.cli.status import StatusLine


class Terminal(io.StringIO):
    encoding = "utf-8"

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def a_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "30")
    monkeypatch.setenv("TERM", "xterm")


def test_the_line_is_cleaned_cut_to_the_width_and_erased():
    out = Terminal()
    line = StatusLine(out, after=0, every=0)
    line.show("smtp\x1b[2J \x1b]0;owned\x07title\r\nrest " + "x" * 60)
    drawn = out.getvalue()
    assert drawn.startswith("\r") and drawn.endswith("\x1b[K")
    text = drawn[1:-3]
    assert "\x1b" not in text and "\r" not in text and "\n" not in text and "\x07" not in text
    assert text.split()[0] == "smtp" and "owned" not in text  # what was shown; the sequences' text never
    assert width(text) <= 29 and text.endswith("…")  # one column short of the width: never wraps
    line.clear()
    assert out.getvalue() == drawn + "\r\x1b[K"
    line.clear()
    assert out.getvalue() == drawn + "\r\x1b[K"  # erased once


def test_nothing_is_drawn_off_a_terminal_on_a_dumb_one_or_before_the_delay(monkeypatch):
    piped = io.StringIO()
    StatusLine(piped, after=0, every=0).show("work")
    assert piped.getvalue() == ""
    quick = Terminal()
    StatusLine(quick, after=60).show("work")
    assert quick.getvalue() == ""
    monkeypatch.setenv("TERM", "dumb")
    dumb = Terminal()
    line = StatusLine(dumb, after=0, every=0)
    line.show("work")
    line.clear()
    assert not line.active and dumb.getvalue() == ""


def test_a_line_is_redrawn_only_when_it_says_something_new_and_not_too_often():
    out = Terminal()
    line = StatusLine(out, after=0, every=0)
    for text in ("1 of 3", "1 of 3", "2 of 3", "2 of 3"):
        line.show(text)
    assert out.getvalue() == "\r1 of 3\x1b[K\r2 of 3\x1b[K"  # the same text is not written again
    spaced = Terminal()
    line = StatusLine(spaced, after=0, every=60)
    line.show("one")
    line.show("two")  # too soon
    assert spaced.getvalue() == "\rone\x1b[K"


@pytest.mark.parametrize(("lang", "running", "done"), [
    ("en", "running: SMTP connection", r"\d of \d+ checks done · \d+ s"),
    ("es", "en curso: Conexión SMTP", r"\d de \d+ comprobaciones terminadas · \d+ s"),
])
def test_doctor_says_what_it_waits_on_while_a_server_keeps_it_waiting(tmp_path, lang, running, done):
    # The demo's SMTP server takes the connection and never greets: without the line, the
    # terminal stays blank until the deadline.
    code, text = terminal_text(tmp_path, 80, "--lang", lang, "--demo", "--scenario", "smtp-silent", "doctor",
                               "--only", "email", "--deadline", "2", "--no-history", stderr=True)
    report = text.index("copycar-assist doctor ·")
    waiting = text[:report]
    assert running in waiting and re.search(done, waiting)
    last = waiting.rindex(running)
    assert "\r\x1b[K" in waiting[last:]  # erased before the report is written
    assert running not in text[report:] and "\x1b[K" not in text[report:]
    assert code in (1, 2)


def test_with_the_report_sent_to_a_file_the_line_fits_the_terminal_stderr_is_on(tmp_path):
    # `doctor > report.txt`: the width is stderr's own terminal's (no COLUMNS said), not the
    # 80 columns a redirected stdout would give, which wrapped the line and left a trail of it.
    code, text = terminal_text(tmp_path, 50, "--demo", "--scenario", "smtp-silent", "doctor", "--only", "email",
                               "--deadline", "2", "--no-history", stderr=True, stdout=False, columns_env=False)
    drawn = [piece.removesuffix("\x1b[K") for line in text.split("\r\n") for piece in line.split("\r")]
    assert any("checks done" in piece and "running: SMTP" in piece for piece in drawn)
    assert all(width(piece) <= 49 for piece in drawn)  # the demo note wrapped to 50 too
    assert code in (1, 2)


def test_doctor_piped_shows_no_status_line(tmp_path):
    import os
    import subprocess
    import sys

    from fixtures_terminal import ROOT

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("COPYCAR_")}, "PYTHONPATH": str(ROOT),
           "COPYCAR_ASSIST_CONFIG": str(tmp_path / "absent.toml"), "COPYCAR_ASSIST_DATA": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "copycar_assist", "--demo", "--scenario", "smtp-silent", "doctor",
                           "--only", "email", "--deadline", "1", "--no-history"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert "checks done" not in done.stderr and "\r" not in done.stderr and "\x1b[K" not in done.stderr
    assert "copycar-assist doctor ·" in done.stdout
