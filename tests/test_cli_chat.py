"""`copycar-assist chat --plain` through a real pipe: the whole dialogue, EOF, language,
history, a canary key never printed, control sequences never reach the terminal."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_terminal import on_a_terminal

from fixtures_conversation import CANARY_KEY

ROOT = Path(__file__).resolve().parents[1]


def chat(stdin: str, *args: str, data: Path, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("COPYCAR_")}
    full_env = {**base, "COPYCAR_ASSIST_DATA": str(data), "PYTHONPATH": str(ROOT),
                "COPYCAR_ASSIST_CONFIG": str(data / "none.toml"), **(env or {})}
    return subprocess.run([sys.executable, "-m", "copycar_assist", *args], input=stdin.encode(),
                          capture_output=True, cwd=ROOT, env=full_env, timeout=timeout)


def test_pipe_dialogue_expired_key_to_resolution(tmp_path):
    script = "me sale 401, la api key ha caducado\nsí\n1\n2\nh\nsí\n"
    p = chat(script, "--demo", "--scenario", "expired-key", "chat", "--plain", data=tmp_path)
    out = p.stdout.decode()
    assert p.returncode == 0, p.stderr.decode()
    assert "Parece que es: API key inválida." in out
    assert "¿Ves estos síntomas?\n  1) Sí [s]\n  2) No [n]\n" in out
    assert "  ✗ Verificación de la clave (GET /verify)" in out
    assert "Causa encontrada: La clave ha caducado" in out
    assert "Paso 1/3: Genera una clave nueva en el panel de CopyCar.ai." in out
    assert "¿Se ha solucionado?" in out
    # the demo still answers "expired": the verification says so
    assert "La comprobación sigue mostrando el mismo problema" in out
    assert out.index("Voy a comprobarlo") < out.index("  ✓ Clave de API configurada")
    assert p.stderr == b""
    sessions = list((tmp_path / "sessions").glob("*.jsonl"))
    assert len(sessions) == 1


@pytest.mark.parametrize(("scenario", "first"), [
    ("dns-no-mx", "Step 1/5: MX: check that the domain has an MX"),
    ("dns-no-dmarc", "Step 1/5: DMARC: publish a TXT at `_dmarc.<your-domain>`"),
    ("dns-dkim-missing", "Step 1/5: DKIM: turn signing on at your provider"),
])
def test_the_fix_starts_with_the_dns_record_the_check_found_missing(tmp_path, scenario, first):
    """One cause covers every record of the sending domain; its walk began with SPF whatever was missing."""
    p = chat("our campaign emails never reach anyone and replies bounce back\ny\n", "--lang", "en", "--demo",
             "--scenario", scenario, "chat", "--plain", data=tmp_path)
    out = p.stdout.decode()
    assert "Cause found: Low domain reputation" in out, out
    assert first in out and "Step 1/5: SPF" not in out


def test_english_escalation_and_no_history(tmp_path):
    script = "401 unauthorized, invalid api key\nyes\n/escalate\n"
    p = chat(script, "--demo", "--scenario", "invalid-key", "--lang", "en", "chat", "--plain", "--no-history",
             data=tmp_path)
    out = p.stdout.decode()
    assert p.returncode == 0, p.stderr.decode()
    assert "Cause found: The key is not right" in out
    assert "----- ticket -----" in out and "# Support ticket: Invalid API key — HIGH" in out
    assert "sk-demo-7c0pyc4r" not in out
    assert not (tmp_path / "sessions").exists()


def test_eof_right_away_and_quit(tmp_path):
    p = chat("", "chat", "--plain", data=tmp_path)
    assert p.returncode == 0 and b"CopyCar Assist" in p.stdout
    p = chat("/quit\nnever read\n", "chat", "--plain", "--no-history", data=tmp_path)
    assert p.returncode == 0 and b"never read" not in p.stdout


def test_canary_key_and_control_sequences_never_printed(tmp_path):
    # the key comes from the environment; the API is a closed loopback port (no network)
    pasted = f"mi clave {CANARY_KEY} da 401 \x1b]52;c;ZXZpbA==\x07\x1b[2J invalid api key\nsí\n/escalate\n"
    p = chat(pasted, "chat", "--plain", data=tmp_path,
             env={"COPYCAR_API_KEY": CANARY_KEY, "COPYCAR_BASE_URL": "http://127.0.0.1:9/v2"})
    out, err = p.stdout.decode(), p.stderr.decode()
    assert p.returncode == 0, err
    for text in (out, err):
        assert CANARY_KEY not in text
        assert not any(CANARY_KEY[i:i + 12] in text for i in range(len(CANARY_KEY) - 11))
        assert "\x1b" not in text and "\x07" not in text
    assert "----- ticket -----" in out
    raw = next((tmp_path / "sessions").glob("*.jsonl")).read_text(encoding="utf-8")
    assert CANARY_KEY not in raw and "\x1b" not in raw


def test_bad_scenario_is_a_usage_error(tmp_path):
    p = chat("", "--demo", "--scenario", "nope", "chat", "--plain", data=tmp_path)
    assert p.returncode == 3 and b"--scenario" in p.stderr
    p = chat("", "--scenario", "down", "chat", "--plain", data=tmp_path)
    assert p.returncode == 3 and b"needs --demo" in p.stderr


def test_on_an_80_column_terminal_the_dialogue_fits_and_paragraphs_read_as_one(tmp_path):
    """The knowledge's paragraphs are wrapped to the terminal, not at the source's own line
    breaks; list items hang under their marker; nothing is wider than the terminal."""
    from copycar_assist.cli.columns import width

    code, lines = on_a_terminal(tmp_path, 80, "--lang", "es", "--demo", "--scenario", "smtp-bad-login", "chat",
                                "--plain", stdin="no salen los emails, el log dice 535 Authentication failed\ns\n")
    assert code == 0, lines
    assert all(width(line) <= 79 for line in lines), [line for line in lines if width(line) > 79]
    text = "\n".join(lines)
    assert "Causa encontrada: Configuración SMTP incorrecta" in text
    # the cause's paragraph (broken at other places in its source) is wrapped as one: each of
    # its lines ends only where the next word would not fit
    start = next(i for i, line in enumerate(lines) if line.startswith("La aplicación no consigue conectar"))
    end = next(i for i in range(start, len(lines)) if lines[i].endswith("`SMTPAuthenticationError`)."))
    for above, below in zip(lines[start:end], lines[start + 1:end + 1]):
        assert width(above) + 1 + width(below.split()[0]) > 79, (above, below)
    # a check's finding is said under it, its lines hanging under the first
    item = next(i for i, line in enumerate(lines) if line.startswith("  ✗ Conexión SMTP ("))
    assert lines[item + 1].startswith("      El servidor rechazó") and lines[item + 2].startswith("      c")
    # and once: not again as "what the checks found", as the cause's evidence, or among the
    # causes it rules out; the walk starts with the step about the 535 it found
    words = " ".join(text.split())
    assert words.count("Authentication credentials invalid") == 1
    assert "El servidor rechaza el remitente; El servidor no reenvía a ese destinatario (Conexión SMTP)." in words
    assert "Paso 1/4: Ante un `535` o `SMTPAuthenticationError`" in words


def test_after_an_escalation_and_a_doctor_run_sessions_tickets_and_history_fit_80_columns(tmp_path):
    from copycar_assist.cli.columns import width

    data = tmp_path / "data"
    p = chat("desde ayer por la tarde no salen los emails de la campaña de bienvenida y el log dice 535 "
             "Authentication failed cada vez\ns\ne\n1\n", "--lang", "es", "--demo",
             "--scenario", "smtp-bad-login", "chat", "--plain", data=data, env={"COPYCAR_ASSIST_CONFIG": str(tmp_path / "absent.toml")})
    assert p.returncode == 0, p.stderr.decode()
    on_a_terminal(tmp_path, 80, "--demo", "--scenario", "invalid-key", "doctor", "--only", "api")
    for argv in (("sessions", "list"), ("tickets", "list"), ("history",)):
        code, lines = on_a_terminal(tmp_path, 80, "--lang", "es", *argv)
        assert code == 0 and lines, (argv, lines)
        assert all(width(line) <= 79 for line in lines), (argv, [line for line in lines if width(line) > 79])
    listed = on_a_terminal(tmp_path, 80, "tickets", "list")[1]
    assert any(re.search(r" (CRITICAL|HIGH|MEDIUM|LOW)  Falla la entrega de emails", line) for line in listed), listed


def test_a_key_the_user_pastes_is_never_echoed_whole(tmp_path):
    """`chat --json` echoes what the user said (`user`, `matched.query`) and `match` its query:
    a pasted key comes back masked, in the JSON and in the text, like everywhere else."""
    pasted = "my key sk-live-4f9a2c7e1b8d3f60 gives 401 since this morning"
    p = chat(json.dumps({"text": pasted}) + "\n", "chat", "--json", data=tmp_path)
    assert p.returncode == 0, p.stderr.decode()
    events = [json.loads(line) for line in p.stdout.decode().splitlines()]
    said = next(e for e in events if e["type"] == "user")
    assert said["text"] == "my key sk-…3f60 gives 401 since this morning"
    for args in (("match", pasted), ("match", "--json", pasted)):
        out = chat("", *args, data=tmp_path).stdout.decode()
        assert "sk-…3f60" in out
    for out in (p.stdout.decode(), chat("", "match", "--json", pasted, data=tmp_path).stdout.decode()):
        assert not any("sk-live-4f9a2c7e1b8d3f60"[i:i + 12] in out for i in range(len("sk-live-4f9a2c7e1b8d3f60") - 11))


def test_ctrl_c_at_the_prompt_ends_the_dialogue_with_130(tmp_path):
    """The line is read by a thread that Ctrl+C does not wait for: the dialogue ends at once
    (it used to wait for one more line, or for the end of the input)."""
    import signal
    import time

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("COPYCAR_")}, "PYTHONPATH": str(ROOT),
           "COPYCAR_ASSIST_DATA": str(tmp_path), "COPYCAR_ASSIST_CONFIG": str(tmp_path / "none.toml")}
    for argv in (("chat", "--plain"), ("train", "--plain", "--quiz", "2")):
        proc = subprocess.Popen([sys.executable, "-m", "copycar_assist", *argv], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env)
        assert proc.stdout is not None
        proc.stdout.readline()  # its first line: it is waiting for the user now
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        try:
            assert proc.wait(timeout=10) == 130, argv
        finally:
            proc.kill()
            proc.communicate()


async def test_a_line_typed_after_a_timed_out_wait_is_the_next_line(tmp_path):
    """`train --exam` waits for an answer with a time limit: the line that comes after the time
    ran out is the next one read, not taken by the reader of the wait that gave up."""
    import asyncio

    from copycar_assist.cli.streams import InputLines

    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "r", encoding="utf-8") as inp, os.fdopen(write_end, "w", encoding="utf-8") as out:
        lines = InputLines(inp, 1000)
        try:
            await asyncio.wait_for(lines.next(), 0.2)
            raise AssertionError("nothing was typed yet")
        except TimeoutError:
            pass
        out.write("first\nsecond\n")
        out.flush()
        assert await asyncio.wait_for(lines.next(), 5) == "first\n"
        assert await asyncio.wait_for(lines.next(), 5) == "second\n"
        out.close()
        assert await asyncio.wait_for(lines.next(), 5) == ""


def test_the_greeting_comes_before_the_event_loop_and_input_that_ends_at_once_never_starts_it(tmp_path):
    """`chat --plain` greets, and reads its first line, before it imports asyncio (a sixth of its
    start): with no input it ends without it; a first line starts the loop and is answered."""
    code = ("import sys\n"
            "from copycar_assist.cli import main\n"
            "code = main(['chat', '--plain'])\n"
            "print('asyncio' in sys.modules, code, file=sys.stderr)\n")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("COPYCAR_")}, "PYTHONPATH": str(ROOT),
           "COPYCAR_ASSIST_DATA": str(tmp_path), "COPYCAR_ASSIST_CONFIG": str(tmp_path / "none.toml")}
    for stdin, loop in (("", False), ("my api key gives 401 unauthorized\n", True)):
        p = subprocess.run([sys.executable, "-c", code], input=stdin.encode(), capture_output=True, cwd=ROOT, env=env,
                           timeout=60)
        assert p.stderr.decode().split()[-2:] == [str(loop), "0"], p.stderr.decode()
        assert "CopyCar Assist" in p.stdout.decode()
        assert ("Invalid API key" in p.stdout.decode()) is loop


async def test_greeting_at_once_is_the_same_turn_as_start(kb, matcher):
    from copycar_assist.conversation import Conversation, collect

    now, looped = Conversation(kb, matcher, lang="es"), Conversation(kb, matcher, lang="es")
    assert now.greet() == await collect(looped.start())
    assert now.transcript() == looped.transcript() and now.state is looped.state


def test_a_chat_nobody_answers_leaves_no_session(tmp_path):
    data = tmp_path / "data"
    for stdin in ("", "\n\n"):
        p = chat(stdin, "--demo", "chat", "--plain", data=data)
        assert p.returncode == 0, p.stderr.decode()
    assert not (data / "sessions").exists() or not list((data / "sessions").iterdir())
    p = chat("my api key gives 401\n", "--demo", "chat", "--plain", data=data)
    assert p.returncode == 0 and len(list((data / "sessions").iterdir())) == 1


def test_causes_ruled_out_by_checks_shown_a_turn_before_name_the_check_only(tmp_path):
    """The checks pass, a question is asked, the answer finds the cause: what the checks found
    was shown under each of them, and the causes they rule out name them, not their findings."""
    p = chat("the api is slow and the alerts do not arrive\n1\ny\n", "--lang", "en", "--demo", "chat", "--plain",
             data=tmp_path)
    out = p.stdout.decode()
    assert p.returncode == 0, p.stderr.decode()
    assert "Ruled out: Sending the alerts over SMTP fails (SMTP connection)." in out
    assert out.count("The alert path is ready") == 1


def _read_until(fd: int, wanted: bytes, seen: bytearray, timeout: float = 30) -> None:
    """Read the terminal's output into `seen` until `wanted` appears in what comes from now on (a
    failure after `timeout`)."""
    import select
    import time

    end, start = time.monotonic() + timeout, len(seen)
    while wanted not in seen[start:]:
        ready, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
        assert ready, f"{wanted!r} never came; the terminal showed: {seen.decode(errors='replace')[-600:]!r}"
        seen += os.read(fd, 65536)


def test_a_paste_on_a_terminal_is_one_message_and_the_terminal_is_left_as_it_was(tmp_path):
    """`chat --plain` at a terminal: a pasted traceback is one description (its last line, the
    error, ends with the user's Enter), not one turn per line, the first of which matched the
    wrong entry and the rest were "noted"; the paste's marks are neither shown nor read."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    before = termios.tcgetattr(slave)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("COPYCAR_")}, "PYTHONPATH": str(ROOT),
           "TERM": "xterm", "COPYCAR_ASSIST_DATA": str(tmp_path), "COPYCAR_ASSIST_CONFIG": str(tmp_path / "none.toml")}
    proc = subprocess.Popen([sys.executable, "-m", "copycar_assist", "--lang", "en", "chat", "--plain"], cwd=ROOT,
                            env=env, stdin=slave, stdout=slave, stderr=subprocess.DEVNULL)
    seen = bytearray()
    try:
        _read_until(master, b"> ", seen)
        assert b"\x1b[?2004h" in seen  # bracketed paste on
        os.write(master, b"hi\r")  # a greeting first: the paste is then read by the dialogue's reader
        _read_until(master, b"\n> ", seen)
        os.write(master, b"\x1b[200~our password reset emails stopped going out. the worker log says:\r"
                         b"Traceback (most recent call last):\r  File \"mailer.py\", line 42, in send\r"
                         b"    server.login(user, password)\r"
                         b"smtplib.SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted')"
                         b"\x1b[201~")
        os.write(master, b"\r")  # the user's Enter
        _read_until(master, b"Do you see these symptoms?", seen)
        _read_until(master, b"\n> ", seen)
        shown = seen.decode(errors="replace")
        assert "This looks like: Email delivery failed." in shown
        assert "Invalid API key" not in shown and "Noted" not in shown and "^[[20" not in shown
        os.write(master, b"/quit\r")
        assert proc.wait(timeout=30) == 0
        _read_until(master, b"\x1b[?2004l", seen)  # off again
        assert termios.tcgetattr(slave) == before  # the terminal's echo settings as they were
    finally:
        proc.kill()
        os.close(master)
        os.close(slave)


def test_a_marked_paste_is_read_as_one_message():
    import io

    from copycar_assist.cli.streams import PASTE_END, PASTE_START, read_message

    stream = io.StringIO(f"{PASTE_START}one\ntwo\nthree{PASTE_END}\nnext\n")
    assert read_message(stream, 1, 100) == ("one\ntwo\nthree\n", 3)
    assert read_message(stream, 4, 100) == ("next\n", 1)
    # the input ends before the paste's end mark: what was read
    assert read_message(io.StringIO(f"{PASTE_START}one\ntwo\n"), 1, 100) == ("one\ntwo\n", 2)
    # a paste longer than the limit: its start kept, all of it read (no part of it is a message of its own)
    stream = io.StringIO(PASTE_START + "x" * 50 + "\n" + ("y" * 50 + "\n") * 10 + f"z{PASTE_END}\nnext\n")
    text, read = read_message(stream, 1, 120)
    assert (len(text), read, text[:3]) == (120, 12, "xxx")
    assert read_message(stream, 13, 120) == ("next\n", 1)
