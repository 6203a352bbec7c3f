"""The `config` command in a subprocess: path, set (secrets from stdin), show masked, unset, and
errors that exit 3 naming the field, never the value."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from test_config import CANARY, ROOT, SMTP_CANARY, assert_no_leak, write

from copycar_assist.config import load_settings

# --- the `config` command -----------------------------------------------------------------------


def run_cli(tmp_path, *args, stdin: str | None = None, env: dict | None = None, cfg: Path | None = None):
    base = {k: v for k, v in os.environ.items() if not k.startswith("COPYCAR")}
    base["COPYCAR_ASSIST_CONFIG"] = str(cfg or tmp_path / "cfg" / "config.toml")
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "copycar_assist", "config", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, env=base, timeout=60,
    )


def test_cli_set_secret_from_stdin_show_and_unset(tmp_path):
    cfg = tmp_path / "cfg" / "config.toml"
    r = run_cli(tmp_path, "path")
    assert r.returncode == 0 and r.stdout.strip() == str(cfg)

    r = run_cli(tmp_path, "set", "api.key", "-", stdin=CANARY + "\n")
    assert r.returncode == 0, r.stderr
    assert "api.key = sk-…6c0e" in r.stdout
    assert_no_leak(r.stdout + r.stderr, CANARY)
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600 and stat.S_IMODE(cfg.parent.stat().st_mode) == 0o700
    assert load_settings(cfg, environ={}).api.key.reveal() == CANARY

    for args in (("smtp.port", "2525"), ("crm.field_map.company", "Company_Name__c"),
                 ("api.endpoints", "https://a.example/v2, https://b.example/v2")):
        r = run_cli(tmp_path, "set", *args)
        assert r.returncode == 0, r.stderr

    r = run_cli(tmp_path, "show", "--json", env={"COPYCAR_BASE_URL": "http://127.0.0.1:1/v2"})
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)  # stdout is JSON only
    st = doc["settings"]
    assert st["api.key"] == {"value": "sk-…6c0e", "source": "file", "secret": True, "env": "COPYCAR_API_KEY"}
    assert st["api.base_url"]["source"] == "env" and st["api.base_url"]["value"] == "http://127.0.0.1:1/v2"
    assert st["smtp.port"]["value"] == 2525 and st["smtp.port"]["source"] == "file"
    assert st["smtp.security"] == {"value": "starttls", "source": "default", "secret": False, "env": None}
    assert st["crm.field_map"]["value"] == {"company": "Company_Name__c"}
    assert st["api.endpoints"]["value"] == ["https://a.example/v2", "https://b.example/v2"]
    assert_no_leak(r.stdout + r.stderr, CANARY)

    r = run_cli(tmp_path, "show")
    assert r.returncode == 0 and "sk-…6c0e  (file)" in r.stdout and "smtp.security" in r.stdout
    assert_no_leak(r.stdout + r.stderr, CANARY)

    r = run_cli(tmp_path, "unset", "crm.field_map.company")
    assert r.returncode == 0
    r = run_cli(tmp_path, "unset", "smtp.port")
    assert r.returncode == 0
    s = load_settings(cfg, environ={})
    assert s.crm.field_map == {} and s.smtp.port == 587 and s.api.key.reveal() == CANARY
    assert "[crm" not in cfg.read_text()  # emptied tables are dropped


def test_cli_masks_every_secret_by_one_rule(tmp_path):
    from test_config import REDIS_CANARY

    from copycar_assist.redact import mask

    assert run_cli(tmp_path, "set", "smtp.password", "-", stdin=SMTP_CANARY + "\n").returncode == 0
    r = run_cli(tmp_path, "set", "redis.url", "-", stdin=f"redis://:{REDIS_CANARY}@127.0.0.1:6379/0\n")
    assert r.returncode == 0, r.stderr
    assert f"redis.url = redis://:{mask(REDIS_CANARY)}@127.0.0.1:6379/0" in r.stdout
    r = run_cli(tmp_path, "show", "--json")
    st = json.loads(r.stdout)["settings"]
    # the SMTP password and the password inside the Redis URL show the same way: the last four
    assert st["smtp.password"]["value"] == mask(SMTP_CANARY) == "…e5f6"
    assert st["redis.url"]["value"] == f"redis://:{mask(REDIS_CANARY)}@127.0.0.1:6379/0"
    assert mask(REDIS_CANARY) == "…88bb"
    assert_no_leak(r.stdout + r.stderr, SMTP_CANARY, REDIS_CANARY)


def test_cli_secret_on_the_command_line_is_accepted_with_a_warning(tmp_path):
    r = run_cli(tmp_path, "set", "smtp.password", SMTP_CANARY)
    assert r.returncode == 0
    assert "shell history" in r.stderr and "config set smtp.password -" in r.stderr
    assert_no_leak(r.stdout + r.stderr, SMTP_CANARY)


@pytest.mark.parametrize(("args", "field", "reason"), [
    (("set", "smtp.port", "abc"), "smtp.port", "whole number"),
    (("set", "smtp.port", "0"), "smtp.port", "1-65535"),
    (("set", "api.base_url", f"ftp://{CANARY}"), "api.base_url", "http:// or https://"),
    (("set", "smtp.security", "ssl"), "smtp.security", "starttls, tls, none"),
    (("set", "api.kee", "x"), "api.kee", "unknown setting (did you mean 'api.key'?)"),
    (("set", "crm.field_map", "x"), "crm.field_map", "one mapping at a time"),
    (("set", "api.key", "-"), "api.key", "nothing was read from stdin"),
    (("bogus",), None, "invalid choice"),
])
def test_cli_errors_exit_3_and_name_the_field(tmp_path, args, field, reason):
    r = run_cli(tmp_path, *args, stdin="")
    assert r.returncode == 3, (r.stdout, r.stderr)
    if field:
        assert f"error: {field}: " in r.stderr
    assert reason in r.stderr
    assert_no_leak(r.stdout + r.stderr, CANARY)
    assert not (tmp_path / "cfg" / "config.toml").exists()


def test_cli_malformed_config_exits_3_without_the_value(tmp_path):
    cfg = write(tmp_path / "bad.toml", f'[api]\nkey = "{CANARY}\n')
    for args in (("show",), ("show", "--json"), ("set", "smtp.port", "25")):
        r = run_cli(tmp_path, *args, cfg=cfg)
        assert r.returncode == 3
        assert f"{cfg}:2:" in r.stderr and "invalid TOML" in r.stderr
        assert r.stdout == ""
        assert_no_leak(r.stderr, CANARY)
        assert "Traceback" not in r.stderr


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_cli_refuses_a_world_readable_config(tmp_path):
    cfg = write(tmp_path / "open.toml", f'[api]\nkey = "{CANARY}"\n', 0o644)
    r = run_cli(tmp_path, "show", cfg=cfg)
    assert r.returncode == 3 and "chmod 600" in r.stderr
    assert_no_leak(r.stdout + r.stderr, CANARY)
