"""Files handed to the checks under attack: account, log, prompt and e-mail files and the SMTP CA
file that are directories, FIFOs or /dev/zero, and account lines nested thousands deep. Each is
a clear message naming the file (a usage error on the command line, an `error` result in a
check), never "no such file", a hang past the deadline, or "The check crashed"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from copycar_assist.checks import Inputs, run_checks

from fixtures_http import check_context, settings_for

ROOT = Path(__file__).resolve().parents[1]


def doctor(tmp_path: Path, *args: str, config: str = "") -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("copycar-assist")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "copycar_assist"]
    cfg = tmp_path / "config.toml"
    cfg.write_text(config)
    cfg.chmod(0o600)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("COPYCAR_")},
           "COPYCAR_ASSIST_CONFIG": str(cfg), "COPYCAR_ASSIST_DATA": str(tmp_path / "data")}
    return subprocess.run([*argv, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=30,
                          stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("option", ["--account-file", "--log-file", "--prompt-file", "--email-file"])
@pytest.mark.parametrize("target,expect", [
    ("dir", "is a directory, not a regular file"),
    ("fifo", "is a FIFO (named pipe), not a regular file"),
    ("/dev/zero", "is a character device, not a regular file"),
])
def test_input_files_that_are_not_files(tmp_path, option, target, expect):
    path = tmp_path / target
    if target == "dir":
        path.mkdir()
    elif target == "fifo":
        os.mkfifo(path)
    else:
        path = Path(target)
    r = doctor(tmp_path, "doctor", "--only", "content", option, str(path))
    assert r.returncode == 3 and f"{path}: {expect}; only regular files are read ({option})" in r.stderr, r.stderr
    assert "no such file" not in r.stderr and "Traceback" not in r.stderr


async def test_account_lines_nested_deep_are_a_clear_error(tmp_path):
    path = tmp_path / "accounts.jsonl"
    path.write_text(json.dumps({"company": "A"}) + "\n" + '{"a": ' * 5000 + "1" + "}" * 5000 + "\n")
    async with check_context(settings_for("http://127.0.0.1:9/v2")) as ctx:
        ctx.inputs = Inputs(account_file=str(path))
        report = await run_checks(ctx, ["content.personalization"])
    [r] = report.results
    assert (r.status, r.outcome) == ("error", "error")
    assert r.summary == f"{path}:2: nests more than 64 levels deep"


def test_a_ca_file_that_is_a_fifo_ends_within_the_deadline(tmp_path):
    pipe = tmp_path / "ca.pem"
    os.mkfifo(pipe)
    config = f'[smtp]\nhost = "127.0.0.1"\nport = 2525\nsecurity = "starttls"\nca_file = "{pipe}"\n'
    started = time.monotonic()
    r = doctor(tmp_path, "doctor", "--only", "email", "--json", "--deadline", "5", config=config)
    assert time.monotonic() - started < 15
    [smtp] = [x for x in json.loads(r.stdout)["results"] if x["id"] == "email.smtp"]
    assert smtp["outcome"] == "misconfigured"
    assert smtp["summary"] == f"smtp.ca_file: {pipe}: is a FIFO (named pipe), not a regular file; only regular files are read"


async def test_redis_info_that_is_not_a_number_is_a_clear_error():
    """A loopback server speaking just enough RESP: PONG, then INFO with `used_memory:abc`."""
    import asyncio

    from copycar_assist.redact import Secret

    info = b"# Memory\r\nused_memory:abc\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction\r\n"

    async def serve(reader, writer):
        while line := await reader.readline():
            if not line.startswith(b"*"):
                continue
            parts = [await reader.readline() for _ in range(2 * int(line[1:]))][1::2]
            command = parts[0].strip().upper()
            if command == b"PING":
                writer.write(b"+PONG\r\n")
            elif command == b"INFO":
                writer.write(b"$%d\r\n%s\r\n" % (len(info), info))
            else:
                writer.write(b"+OK\r\n")
            await writer.drain()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        settings = settings_for("http://127.0.0.1:9/v2")
        settings.redis.url = Secret(f"redis://127.0.0.1:{port}/0")
        async with check_context(settings) as ctx:
            report = await run_checks(ctx, ["cache.redis"])
    finally:
        server.close()
    [r] = report.results
    assert (r.status, r.outcome) == ("error", "error")
    assert "gave a value in INFO that is not a number (used_memory)" in r.summary and "crashed" not in r.summary


@pytest.mark.parametrize("args,code,cap", [(("match", "--json", "-"), 3, "1 MiB"),
                                           (("chat", "--plain", "--no-history"), 0, "64 KiB")],
                         ids=["match", "chat"])
def test_standard_input_from_dev_zero_is_cut_at_one_line(tmp_path, args, code, cap):
    script = Path(sys.executable).with_name("copycar-assist")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "copycar_assist"]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("COPYCAR_")},
           "COPYCAR_ASSIST_CONFIG": str(tmp_path / "none.toml"), "COPYCAR_ASSIST_DATA": str(tmp_path)}
    with open("/dev/zero", "rb") as zero:
        r = subprocess.run([*argv, *args], stdin=zero, capture_output=True, text=True, env=env, cwd=tmp_path,
                           timeout=30)
    assert r.returncode == code and f"<stdin>:1: a line is longer than {cap}" in r.stderr
    assert "Traceback" not in r.stderr
