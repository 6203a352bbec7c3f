"""`copycar-assist setup` in line mode: each group verified live before it is saved, nothing on
the command line, nothing echoed, the file 0600; a key the API refuses is never written."""

from __future__ import annotations

import io
import os
import re
import stat
import sys

import pytest

from copycar_assist.cli import main
from copycar_assist.config import load_settings

GOOD = "sk-setup-typed-key-0000aaaa1111"
BAD = "sk-setup-expired-key-2222bbbb33"


@pytest.fixture
def config(tmp_path, monkeypatch):
    path = tmp_path / "conf" / "config.toml"
    monkeypatch.setenv("COPYCAR_ASSIST_CONFIG", str(path))
    monkeypatch.setenv("COPYCAR_ASSIST_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("COPYCAR_API_KEY", raising=False)
    monkeypatch.delenv("COPYCAR_BASE_URL", raising=False)
    return path


def run_setup(monkeypatch, capsys, lines: list[str], *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(line + "\n" for line in lines)))
    code = main(["setup", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_a_refused_key_is_not_saved_and_a_good_one_is(config, sim, monkeypatch, capsys):
    sim.set_scenario("expired-key")
    code, out = run_setup(monkeypatch, capsys, [sim.base_url, BAD, "n"], "--only", "api")
    assert "✗ Key verification" in out and "Not saved" in out and "Nothing was saved." in out
    assert code == 1 and not config.exists()
    assert sim.keys_received == [BAD]

    sim.set_scenario("healthy")
    code, out = run_setup(monkeypatch, capsys, [sim.base_url, GOOD], "--only", "api")
    assert code == 0 and "✓ Key verification" in out and f"Saved to {config} (0600)." in out
    assert stat.S_IMODE(config.stat().st_mode) == 0o600 and stat.S_IMODE(config.parent.stat().st_mode) == 0o700
    saved = load_settings(config)
    assert saved.api.key.reveal() == GOOD and saved.api.base_url == sim.base_url
    for secret in (GOOD, BAD):  # never echoed, never in an error
        assert secret[:12] not in out and secret[-12:] not in out


def test_the_whole_walk_skips_optional_groups_and_sets_up_a_profile(config, sim, monkeypatch, capsys):
    code, out = run_setup(monkeypatch, capsys, [sim.base_url, GOOD, "n", "n", "n", "n"], "--profile", "acme")
    assert code == 0, out
    assert "[profiles.acme]" in out and out.count("Set it up now?") == 4
    saved = load_settings(config)
    assert saved.api.key is None and saved.profiles["acme"].api.key.reveal() == GOOD


def test_a_bad_value_names_the_field_without_echoing_it(config, monkeypatch, capsys):
    code, out = run_setup(monkeypatch, capsys, ["ftp://nowhere.example", "sk-whatever-0000", "n"], "--only", "api")
    assert "[api] base_url: expected an http:// or https:// URL" in out and "sk-whatever" not in out
    assert not config.exists() and code == 1


def test_end_of_input_stops_cleanly(config, monkeypatch, capsys):
    code, out = run_setup(monkeypatch, capsys, [], "--only", "smtp")
    assert code == 0 and "Nothing was saved." in out and not config.exists()
    assert os.environ["COPYCAR_ASSIST_CONFIG"] == str(config)


def test_while_a_slow_server_is_verified_a_terminal_says_what_is_running(config, sim, monkeypatch, capsys):
    # The verification waits on the API (up to 20 s): a terminal is not left at "Checking…".
    class Terminal(io.StringIO):
        encoding = "utf-8"

        def isatty(self) -> bool:
            return True

    sim.set_scenario("slow", delay_ms=1200)
    terminal = Terminal()
    monkeypatch.setenv("TERM", "xterm")
    # every change drawn at once: the two checks may end within one redraw interval of each other
    monkeypatch.setattr("copycar_assist.cli.status.AFTER", 0.0)
    monkeypatch.setattr("copycar_assist.cli.status.EVERY", 0.0)
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{sim.base_url}\n{GOOD}\n"))
    monkeypatch.setattr(sys, "stderr", terminal)
    code = main(["setup", "--only", "api"])
    drawn = terminal.getvalue()
    assert code == 0 and "✓ Key verification" in capsys.readouterr().out
    # both checks wait on the slow server; whichever ends first, the line then names the other
    assert re.search(r"0 of 2 checks done · \d s · running: ", drawn)
    assert re.search(r"1 of 2 checks done · \d s · running: (Key verification|Health and connectivity)", drawn)
    assert drawn.endswith("\r\x1b[K")  # erased before the results are printed
    assert GOOD[:12] not in drawn
