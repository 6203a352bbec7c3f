"""End to end: the installed console script `copycar-assist --demo` in a real terminal (tmux).

Types a symptom, reads the screen with `tmux capture-pane -p`, and checks that the API-key entry
and then the cause found by the live check against the simulator appear. Skipped, with the
reason, when the console script is not installed or tmux is missing.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def console_script() -> str | None:
    beside = Path(sys.executable).parent / "copycar-assist"
    if beside.exists():
        return str(beside)
    return shutil.which("copycar-assist")


SCRIPT = console_script()
TMUX = shutil.which("tmux")


class Terminal:
    def __init__(self, command: str, width: int = 120, height: int = 36):
        self.name = f"cca-e2e-{uuid.uuid4().hex[:8]}"
        subprocess.run([TMUX, "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                        command], check=True)

    def screen(self) -> str:
        out = subprocess.run([TMUX, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True)
        return out.stdout

    def send(self, *keys: str) -> None:
        subprocess.run([TMUX, "send-keys", "-t", self.name, *keys], check=True)

    def type(self, text: str) -> None:
        subprocess.run([TMUX, "send-keys", "-t", self.name, "-l", text], check=True)

    def wait_for(self, needle: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if needle in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never appeared; the screen shows:\n{screen}")
            time.sleep(0.2)

    def close(self) -> None:
        subprocess.run([TMUX, "kill-session", "-t", self.name], capture_output=True)


@pytest.mark.skipif(SCRIPT is None, reason="the console script copycar-assist is not installed (pip install .)")
@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
def test_console_script_in_tmux_finds_the_expired_key(tmp_path):
    done = tmp_path / "exit-code"
    env = {
        "COPYCAR_ASSIST_DATA": str(tmp_path / "data"),
        "COPYCAR_ASSIST_CONFIG": str(tmp_path / "no-config.toml"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
    }
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = (f"cd {shlex.quote(str(tmp_path))} && env -u COPYCAR_API_KEY -u COPYCAR_BASE_URL {exports} "
               f"{shlex.quote(SCRIPT)} --demo --scenario expired-key; echo $? > {shlex.quote(str(done))}; sleep 5")
    term = Terminal(command)
    try:
        screen = term.wait_for("CopyCar Assist")
        assert "DEMO" in screen
        term.type("me sale 401")
        term.send("Enter")
        term.wait_for("API key inválida")  # the API-key entry (matched, or offered among close ones)
        try:
            term.wait_for("401 Unauthorized", timeout=2)  # its symptoms, to confirm
        except AssertionError:
            term.type("API key inválida")  # pick it by its label among the close matches
            term.send("Enter")
            term.wait_for("401 Unauthorized")
        term.type("si")
        term.send("Enter")
        screen = term.wait_for("La clave ha caducado")  # the cause the live check found
        assert "✗" in screen or "401" in screen
        term.send("C-q")
        deadline = time.monotonic() + 10
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert done.exists() and done.read_text().strip() == "0"
        assert list((tmp_path / "data" / "sessions").glob("*.jsonl")), "the session was not saved"
    finally:
        term.close()
