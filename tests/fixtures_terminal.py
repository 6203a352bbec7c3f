"""A command run with its standard output on a pseudo-terminal of a given width, as a user at an
80-column terminal sees it (colour on, as there), for the tests of what fits the width."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_SGR = re.compile(r"\x1b\[[0-9;]*m")


def on_a_terminal(tmp_path: Path, columns: int, *argv: str, stdin: str = "") -> tuple[int, list[str]]:
    """`python -m copycar_assist ARGV` with stdout on a terminal `columns` wide and `stdin` piped
    in: its exit code and the lines it showed, colour codes taken out."""
    code, text = terminal_text(tmp_path, columns, *argv, stdin=stdin)
    return code, text.replace("\r\n", "\n").splitlines()


def terminal_text(tmp_path: Path, columns: int, *argv: str, stdin: str = "", stderr: bool = False,
                  stdout: bool = True, columns_env: bool = True) -> tuple[int, str]:
    """The same, and stderr on the terminal too when `stderr` (stdout elsewhere when not
    `stdout`; the width said by the terminal alone when not `columns_env`): the exit code and
    everything the terminal was sent, colour codes taken out (carriage returns and erase-lines left in)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {**{k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS") and not k.startswith("COPYCAR_")},
           "PYTHONPATH": str(ROOT), "TERM": "xterm",
           "COPYCAR_ASSIST_CONFIG": str(tmp_path / "absent.toml"), "COPYCAR_ASSIST_DATA": str(tmp_path / "data")}
    if columns_env:
        env["COLUMNS"] = str(columns)
    proc = subprocess.Popen([sys.executable, "-m", "copycar_assist", *argv], cwd=ROOT, env=env,
                            stdout=slave if stdout else subprocess.DEVNULL,
                            stderr=slave if stderr else subprocess.DEVNULL, stdin=subprocess.PIPE)
    os.close(slave)
    assert proc.stdin is not None
    proc.stdin.write(stdin.encode())
    proc.stdin.close()
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal's other side is closed: the command has ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    code = proc.wait(timeout=60)
    return code, _SGR.sub("", b"".join(chunks).decode())
