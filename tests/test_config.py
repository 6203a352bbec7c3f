"""Settings: loading, validation errors (file:line:col, field, never the value), the private-file
rule, environment overrides, atomic writes and masking (the `config` command: test_config_cli.py)."""

from __future__ import annotations

import os
import stat
import traceback
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copycar_assist.config import (
    ConfigError,
    Settings,
    config_path,
    load_settings,
    save_settings,
    settings_from_dict,
)
from copycar_assist.redact import Secret

ROOT = Path(__file__).resolve().parents[1]
CANARY = "sk-CANARY-7f3a9c1e5b2d8f4a6c0e"
SMTP_CANARY = "smtp-CANARY-pw-91b2c3d4e5f6"
REDIS_CANARY = "redisCANARYpw77aa88bb"


def pieces(secret: str, n: int = 12) -> list[str]:
    return [secret[i : i + n] for i in range(len(secret) - n + 1)]


def assert_no_leak(text: str, *secrets: str) -> None:
    for s in secrets:
        for p in pieces(s):
            assert p not in text, f"a piece of a secret leaked: {p!r}"


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


FULL = f"""\
language = "es"

[api]
base_url = "https://api.example.test/v2/"
key = "{CANARY}"
endpoints = ["https://a.example.test/v2", "https://b.example.test/v2"]
timeout_s = 7

[smtp]
host = "smtp.example.test"
port = 465
username = "mailer"
password = "{SMTP_CANARY}"
security = "tls"
from = "Alerts <alerts@example.test>"
daily_limit = 500
sent_today = 120

[email]
domain = "example.test"
dkim_selectors = ["s1", "google"]
nameservers = ["127.0.0.1"]
dns_port = 5353

[crm]
kind = "hubspot"
base_url = "http://127.0.0.1:8080/crm"
token = "crm-token-abcdef123456"

[crm.field_map]
company = "company_name"
industry = "industry__c"

[redis]
url = "redis://:{REDIS_CANARY}@127.0.0.1:6379/0"
"""


# --- loading ------------------------------------------------------------------------------------


def test_missing_file_gives_defaults(tmp_path):
    s = load_settings(tmp_path / "nope.toml", environ={})
    assert s.api.base_url == "https://api.copycarai.com/v2"
    assert s.api.key is None and s.api.key_source is None
    assert s.smtp.port == 587 and s.smtp.security == "starttls"
    assert s.source("api.base_url") == "default"
    assert s.path == tmp_path / "nope.toml"


def test_full_file_loads_every_section(tmp_path):
    s = load_settings(write(tmp_path / "c.toml", FULL), environ={})
    assert s.language == "es"
    assert s.api.base_url == "https://api.example.test/v2"  # trailing slash dropped
    assert isinstance(s.api.key, Secret) and s.api.key.reveal() == CANARY
    assert s.api.key_source == "file" and s.source("api.key") == "file"
    assert s.api.endpoints == ["https://a.example.test/v2", "https://b.example.test/v2"]
    assert s.api.timeout_s == 7.0
    assert (s.smtp.host, s.smtp.port, s.smtp.security) == ("smtp.example.test", 465, "tls")
    assert s.smtp.from_addr == "Alerts <alerts@example.test>" and s.get("smtp.from") == s.smtp.from_addr
    assert s.smtp.password.reveal() == SMTP_CANARY
    assert (s.smtp.daily_limit, s.smtp.sent_today) == (500, 120)
    assert s.email.dkim_selectors == ["s1", "google"] and s.email.dns_port == 5353
    assert s.crm.kind == "hubspot" and s.crm.field_map == {"company": "company_name", "industry": "industry__c"}
    assert isinstance(s.redis.url, Secret)
    assert s.get("smtp.host") == "smtp.example.test" and s.get("smtp.ca_file") is None


def test_path_from_environment_and_platform_default(tmp_path):
    p = tmp_path / "x.toml"
    assert config_path({"COPYCAR_ASSIST_CONFIG": str(p)}) == p
    default = config_path({})
    assert default.name == "config.toml" and "copycar-assist" in str(default)
    write(p, '[api]\nbase_url = "https://env-path.example/v2"\n')
    assert load_settings(environ={"COPYCAR_ASSIST_CONFIG": str(p)}).api.base_url == "https://env-path.example/v2"


def test_environment_overrides_the_file(tmp_path):
    env = {
        "COPYCAR_API_KEY": "  sk-from-env-0123456789abcd \n",
        "COPYCAR_BASE_URL": "http://127.0.0.1:9999/v2",
        "COPYCAR_SMTP_PASSWORD": "env-smtp-pass-123456",
        "COPYCAR_CRM_TOKEN": "env-crm-token-123456",
        "COPYCAR_REDIS_URL": "redis://127.0.0.1:6390/1",
    }
    s = load_settings(write(tmp_path / "c.toml", FULL), environ=env)
    assert s.api.key.reveal() == "sk-from-env-0123456789abcd"
    assert s.api.key_source == "env" and s.source("api.key") == "env"
    assert s.api.base_url == "http://127.0.0.1:9999/v2" and s.source("api.base_url") == "env"
    assert s.smtp.password.reveal() == "env-smtp-pass-123456"
    assert s.crm.token.reveal() == "env-crm-token-123456"
    assert s.redis.url.reveal() == "redis://127.0.0.1:6390/1"
    assert s.source("smtp.host") == "file"
    # an empty variable is "not set"
    assert load_settings(tmp_path / "none.toml", environ={"COPYCAR_API_KEY": " "}).api.key is None


def test_bad_environment_value_names_the_variable_not_the_value(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path / "none.toml", environ={"COPYCAR_BASE_URL": f"ftp://{CANARY}.example"})
    assert "environment: COPYCAR_BASE_URL:" in str(err.value)
    assert err.value.field == "COPYCAR_BASE_URL"
    assert_no_leak(str(err.value), CANARY)


# --- syntax errors: file:line:col, never the value ----------------------------------------------

MALFORMED = [
    # (text, line, col) — the canary sits near the error every time
    (f'[api]\nkey = "{CANARY}\n', 2, None),  # unterminated string
    (f'[api]\nkey = "{CANARY[:8]}\x01{CANARY[8:]}"\n', 2, 16),  # control character in a string
    (f'[api]\nkey = {CANARY}\n', 2, 7),  # bare value
    (f'[api]\nkey "{CANARY}"\n', 2, 5),  # missing '='
    (f'[api]\nkey = "{CANARY}"\nkey = "{CANARY}"\n', 3, None),  # duplicate key
    (f'[api]\n[api]\nkey = "{CANARY}"\n', 2, None),  # table declared twice
    (f'# {CANARY}\n[api\nkey = "x"\n', 2, 5),  # broken header after a comment holding it
    (f'[api]\nendpoints = ["{CANARY}",\n', 3, None),  # unclosed array
    (f'[api]\nkey = """{CANARY}\n\n', 4, None),  # unterminated multi-line string
]


@pytest.mark.parametrize(("text", "line", "col"), MALFORMED)
def test_malformed_toml_gives_file_line_col_and_no_value(tmp_path, text, line, col):
    p = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError) as err:
        load_settings(p, environ={})
    msg = str(err.value)
    prob = err.value.problems[0]
    assert msg.startswith(f"{p}:{prob.line}:{prob.col}: invalid TOML")
    assert prob.line == line or (line is None and prob.line is not None)
    if col is not None:
        assert prob.col == col
    assert_no_leak(msg, CANARY)
    assert CANARY[:4] + CANARY[8:12] not in msg
    # the original tomllib error is not chained into a traceback either
    tb = "".join(traceback.format_exception(err.value))
    assert_no_leak(tb, CANARY)
    assert "\x01" not in msg


def test_invalid_utf8_gives_line_and_column(tmp_path):
    p = tmp_path / "bin.toml"
    p.write_bytes(b'[api]\nkey = "ab\xff\xfecd"\n')
    os.chmod(p, 0o600)
    with pytest.raises(ConfigError) as err:
        load_settings(p, environ={})
    assert f"{p}:2:10: is not valid UTF-8" in str(err.value)


# --- wrong types, unknown keys, values out of range ---------------------------------------------

INVALID = [
    ('[api]\ntimeout_s = "ten"\n', 2, "[api] timeout_s", "got a string"),
    ("[api]\ntimeout_s = 0\n", 2, "[api] timeout_s", "0 < s <= 600"),
    ("[api]\nkey = 12345\n", 2, "[api] key", "expected a string, got an integer"),
    (f'[api]\nbase_url = "ftp://{CANARY}.example/v2"\n', 2, "[api] base_url", "http:// or https://"),
    (f'[api]\nbase_url = "https://u:{CANARY}@h.example/v2"\n', 2, "[api] base_url", "user or password"),
    (f'[api]\nendpoints = ["https://ok.example", "{CANARY}"]\n', 2, "[api] endpoints", "item 2"),
    ('[api]\nendpoints = "https://one.example"\n', 2, "[api] endpoints", "got a string"),
    (f'[api]\nkee = "{CANARY}"\n', 2, "[api] kee", "did you mean 'key'"),
    ("\n\n[smtp]\nport = 0\n", 4, "[smtp] port", "1-65535"),
    ("[smtp]\nport = 70000\n", 2, "[smtp] port", "1-65535"),
    ('[smtp]\nport = "25"\n', 2, "[smtp] port", "got a string"),
    ("[smtp]\nport = true\n", 2, "[smtp] port", "got a boolean"),
    ('[smtp]\nsecurity = "ssl"\n', 2, "[smtp] security", "one of starttls, tls, none"),
    ('[smtp]\nfrom = "nobody"\n', 2, "[smtp] from", "e-mail address"),
    ('[smtp]\nhost = "smtp://x.example:25"\n', 2, "[smtp] host", "host name"),
    ("[smtp]\ndaily_limit = -1\n", 2, "[smtp] daily_limit", ">= 0"),
    ('[email]\nnameservers = ["dns.example"]\n', 2, "[email] nameservers", "IP address"),
    ('[email]\ndomain = "localhost"\n', 2, "[email] domain", "domain name"),
    ('[crm]\nkind = "zoho"\n', 2, "[crm] kind", "hubspot, salesforce, rest"),
    ("[crm.field_map]\ncompany = 3\n", 2, "[crm] field_map", "got an integer"),
    (f'[redis]\nurl = "http://:{CANARY}@127.0.0.1"\n', 2, "[redis] url", "redis://"),
    ('language = "fr"\n', 1, "language", "one of es, en"),
    ("[foo]\nbar = 1\n", 1, "foo", "unknown key"),
    ("colour = 1\n", 1, "colour", "unknown key"),
    ("api = 5\n", 1, "[api]", "expected a table, got an integer"),
    ('smtp = { port = "x" }\n', 1, "[smtp] port", "got a string"),  # inline table: the parent's line
]


@pytest.mark.parametrize(("text", "line", "field", "reason"), INVALID)
def test_invalid_values_name_file_line_and_field(tmp_path, text, line, field, reason):
    p = write(tmp_path / "c.toml", text)
    with pytest.raises(ConfigError) as err:
        load_settings(p, environ={})
    msg = str(err.value)
    assert msg.startswith(f"{p}:{line}:"), msg
    assert f": {field}: " in msg
    assert reason in msg
    assert_no_leak(msg, CANARY)


def test_a_secret_written_as_a_key_name_is_not_echoed(tmp_path):
    for text in (f'"{CANARY}" = 1\n', f'[api]\n"{CANARY}" = "x"\n', f'["{CANARY}"]\nx = 1\n'):
        p = write(tmp_path / "c.toml", text)
        with pytest.raises(ConfigError) as err:
            load_settings(p, environ={})
        assert "unknown key" in str(err.value)
        assert_no_leak(str(err.value), CANARY)


def test_key_lines_skip_multiline_strings(tmp_path):
    text = '[smtp]\nusername = """\nport = 1\n"""\nport = 0\n'
    p = write(tmp_path / "c.toml", text)
    with pytest.raises(ConfigError) as err:
        load_settings(p, environ={})
    assert str(err.value).startswith(f"{p}:5:8: [smtp] port:")


@settings(max_examples=150, deadline=None)
@given(pos=st.integers(0, 60), char=st.sampled_from(list('"=[]{}\n\x01\x7f#,.\'\\ ')), delete=st.booleans())
def test_property_one_typo_never_echoes_the_secret(tmp_path_factory, pos, char, delete):
    text = f'[api]\nkey = "{CANARY}"\ntimeout_s = 5\n'
    pos = min(pos, len(text) - 1)
    text = text[:pos] + text[pos + 1:] if delete else text[:pos] + char + text[pos:]
    p = write(tmp_path_factory.mktemp("h") / "c.toml", text)
    try:
        load_settings(p, environ={})
    except ConfigError as exc:
        assert_no_leak(str(exc), CANARY)


def test_every_problem_is_reported_in_line_order(tmp_path):
    p = write(tmp_path / "c.toml", '[smtp]\nport = 0\nsecurity = "x"\n[api]\ntimeout_s = "x"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(p, environ={})
    assert [pr.line for pr in err.value.problems] == [2, 3, 5]
    assert [pr.field for pr in err.value.problems] == ["[smtp] port", "[smtp] security", "[api] timeout_s"]


def test_lines_are_found_for_dotted_and_quoted_keys(tmp_path):
    p = write(tmp_path / "c.toml", 'language = "es"\n\n"api".timeout_s = "x"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(p, environ={})
    assert str(err.value).startswith(f"{p}:3:")


# --- the private-file rule ------------------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602])
def test_file_others_can_read_or_write_is_refused(tmp_path, mode):
    p = write(tmp_path / "c.toml", FULL, mode)
    with pytest.raises(ConfigError) as err:
        load_settings(p, environ={})
    msg = str(err.value)
    assert str(p) in msg and "chmod 600" in msg and f"{mode:04o}" in msg
    assert_no_leak(msg, CANARY, SMTP_CANARY)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_file_without_a_secret_may_be_read_by_others_but_never_written(tmp_path):
    """`language = "es"` written by hand (umask 022: mode 0644) is read; the same file others may
    write is refused (it could point the key elsewhere), and so is one a profile's key is in."""
    assert load_settings(write(tmp_path / "lang.toml", 'language = "es"\n[api]\ntimeout_s = 5\n', 0o644),
                         environ={}).language == "es"
    for mode in (0o664, 0o646):
        with pytest.raises(ConfigError) as err:
            load_settings(write(tmp_path / f"w{mode:o}.toml", 'language = "es"\n', mode), environ={})
        assert f"{mode:04o}" in str(err.value) and "chmod 600" in str(err.value)
    profile = f'language = "es"\n[profiles.acme.api]\nkey = "{CANARY}"\n'
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path / "profile.toml", profile, 0o644), environ={})
    assert "0644" in str(err.value)
    assert_no_leak(str(err.value), CANARY)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_owner_only_modes_are_accepted(tmp_path):
    for mode in (0o600, 0o400, 0o700):
        assert load_settings(write(tmp_path / "c.toml", FULL, mode), environ={}).api.key


def test_symlink_is_refused_even_to_a_private_file(tmp_path):
    real = write(tmp_path / "real.toml", FULL)
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    with pytest.raises(ConfigError) as err:
        load_settings(link, environ={})
    assert "symbolic link" in str(err.value) and str(link) in str(err.value)
    dangling = tmp_path / "dangling.toml"
    dangling.symlink_to(tmp_path / "missing.toml")
    with pytest.raises(ConfigError):
        load_settings(dangling, environ={})


def test_directory_is_refused(tmp_path):
    d = tmp_path / "dir.toml"
    d.mkdir(mode=0o700)
    with pytest.raises(ConfigError) as err:
        load_settings(d, environ={})
    assert str(d) in str(err.value)


# --- writing --------------------------------------------------------------------------------------


def test_save_is_atomic_private_and_round_trips(tmp_path):
    target = tmp_path / "a" / "b" / "config.toml"
    data = {"api": {"key": CANARY, "timeout_s": 3.5}, "crm": {"field_map": {"company": "Name"}}, "language": "en"}
    save_settings(data, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o700
    s = load_settings(target, environ={})
    assert s.api.key.reveal() == CANARY and s.api.timeout_s == 3.5 and s.language == "en"
    assert s.crm.field_map == {"company": "Name"}
    inode = target.stat().st_ino
    save_settings({"api": {"timeout_s": 4}}, target)
    assert target.stat().st_ino != inode  # replaced, not rewritten in place
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(os.listdir(target.parent)) == ["config.toml"]  # no temporary file left


def test_save_refuses_invalid_data_and_keeps_the_old_file(tmp_path):
    target = tmp_path / "config.toml"
    save_settings({"smtp": {"port": 25}}, target)
    before = target.read_bytes()
    with pytest.raises(ConfigError) as err:
        save_settings({"smtp": {"port": 0, "password": SMTP_CANARY}}, target)
    assert "[smtp] port" in str(err.value)
    assert_no_leak(str(err.value), SMTP_CANARY)
    assert target.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["config.toml"]


def test_existing_directory_is_left_alone(tmp_path):
    d = tmp_path / "shared"
    d.mkdir(mode=0o755)
    os.chmod(d, 0o755)
    save_settings({"language": "es"}, d / "config.toml")
    assert stat.S_IMODE(d.stat().st_mode) == 0o755


def test_saving_settings_never_writes_environment_secrets(tmp_path):
    src = write(tmp_path / "c.toml", '[smtp]\nhost = "mail.example.test"\n')
    s = load_settings(src, environ={"COPYCAR_API_KEY": CANARY, "COPYCAR_BASE_URL": "https://e.example/v2"})
    out = tmp_path / "out.toml"
    save_settings(s, out)
    text = out.read_text()
    assert CANARY not in text and "e.example" not in text
    assert 'host = "mail.example.test"' in text
    # Settings built in code: non-default values are written, demo keys are not
    code = Settings()
    code.api.key, code.api.key_source = Secret("sk-demo-0123456789abcdef"), "demo"
    code.smtp.port = 2525
    save_settings(code, out)
    assert load_settings(out, environ={}).smtp.port == 2525
    assert "sk-demo" not in out.read_text()


def test_settings_from_dict_validates_without_a_file():
    with pytest.raises(ConfigError) as err:
        settings_from_dict({"api": {"base_url": "nope"}}, "<test>")
    assert str(err.value) == "<test>: [api] base_url: expected an http:// or https:// URL with a host"


# --- masking --------------------------------------------------------------------------------------


def test_repr_and_tracebacks_never_show_a_secret(tmp_path):
    s = load_settings(write(tmp_path / "c.toml", FULL), environ={})
    for text in (repr(s), str(s), repr(s.api), repr(s.smtp), repr(s.crm), repr(s.redis), f"{s}"):
        assert_no_leak(text, CANARY, SMTP_CANARY, REDIS_CANARY, "crm-token-abcdef123456")
    assert "sk-…6c0e" in repr(s)

    def crash(settings):
        key = settings.api.key  # noqa: F841 - a local holding the secret
        raise RuntimeError("boom")

    try:
        crash(s)
    except RuntimeError as exc:
        tb = "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())
    assert "boom" in tb
    assert_no_leak(tb, CANARY, SMTP_CANARY, REDIS_CANARY)


def test_redactor_knows_every_secret_and_the_redis_password(tmp_path):
    s = load_settings(write(tmp_path / "c.toml", FULL), environ={})
    r = s.redactor()
    text = f"key={CANARY} pw={SMTP_CANARY} tok=crm-token-abcdef123456 redis pw={REDIS_CANARY}"
    out = r(text)
    assert_no_leak(out, CANARY, SMTP_CANARY, REDIS_CANARY, "crm-token-abcdef123456")
    # the Redis host alone is not secret: diagnostics may name it
    assert r("connecting to redis://127.0.0.1:6379/0") == "connecting to redis://127.0.0.1:6379/0"


def test_redactor_knows_a_redis_password_given_as_a_query_parameter():
    s = Settings()
    s.redis.url = Secret(f"redis://127.0.0.1:6379/0?password={REDIS_CANARY}")
    out = s.redactor()(f"AUTH {REDIS_CANARY} failed")
    assert REDIS_CANARY not in out and out.startswith("AUTH ") and out.endswith(" failed")
    assert_no_leak(out, REDIS_CANARY)
