"""The settings file under attack: concurrent `config set` lose nothing (a lock around the
read-modify-write), a secret used as a table key is never echoed and its line is right, and a
settings file that is a FIFO, a device or nested thousands deep is a clear error at once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECRET = "sk-live-4f3e2d1c0b9a8f7e6d5c4b3a"


def command() -> list[str]:
    script = Path(sys.executable).with_name("copycar-assist")
    return [str(script)] if script.exists() else [sys.executable, "-m", "copycar_assist"]


def env_for(config: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("COPYCAR_")}
    return {**base, "COPYCAR_ASSIST_CONFIG": str(config), "COPYCAR_ASSIST_DATA": str(config.parent / "data")}


def run(config: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([*command(), *args], capture_output=True, text=True, env=env_for(config),
                          cwd=config.parent, timeout=timeout, stdin=subprocess.DEVNULL)


def test_twenty_concurrent_config_set_keep_all_twenty(tmp_path):
    config = tmp_path / "conf" / "config.toml"
    procs = [subprocess.Popen([*command(), "config", "set", f"crm.field_map.f{n}", f"Field{n}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_for(config), cwd=tmp_path)
             for n in range(20)]
    codes = [p.wait(timeout=60) for p in procs]
    assert codes == [0] * 20, [p.stderr.read() for p in procs]
    kept = tomllib.loads(config.read_text())["crm"]["field_map"]
    assert kept == {f"f{n}": f"Field{n}" for n in range(20)}


def test_a_secret_used_as_a_map_key_is_not_echoed_and_its_line_is_right(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'[crm.field_map]\ncompany = "Company"\n"{SECRET}" = 5\n')
    config.chmod(0o600)
    r = run(config, "config", "show")
    assert r.returncode == 3
    assert f"{config}:3:" in r.stderr and "[crm] field_map: key 'sk-live-…'" in r.stderr
    for i in range(len(SECRET) - 11):
        assert SECRET[i:i + 12] not in r.stdout + r.stderr


@pytest.mark.parametrize("make,expect", [
    (lambda p: os.mkfifo(p), "is a FIFO (named pipe), not a regular file"),
    (lambda p: p.symlink_to("/dev/zero"), "is a symbolic link"),
    (lambda p: p.mkdir(), "is a directory, not a regular file"),
    (lambda p: (p.write_text("a = " + "[" * 5000 + "\n"), p.chmod(0o600)), ":1:13: nests more than 8 levels deep"),
], ids=["fifo", "link-to-dev-zero", "directory", "nested-5000"])
def test_settings_that_are_not_a_small_regular_file(tmp_path, make, expect):
    config = tmp_path / "config.toml"
    make(config)
    started = time.monotonic()
    r = run(config, "config", "show", timeout=20)
    assert time.monotonic() - started < 15
    assert r.returncode == 3 and expect in r.stderr and "Traceback" not in r.stderr
