"""Broken settings, one per validation rule: files (wrong types, values out of range, unknown keys,
bad URLs, bad TOML, wrong permissions, not a regular file), environment overrides, a VALUE typed for
`config set`, the set-up wizard's answers and a case's fields.

    problems(tmp_path)   # name -> the exception each one raises (ConfigError, or Invalid for `config set`)
    shown(exc, tmp_path) # its English text with the temporary folder written as <tmp>

`tests/data/config_problems_en.json` holds the English text main wrote for each one before the
messages moved to the catalogue (`python tests/fixtures_config.py` writes it again; only do that
when a message is meant to change)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

SECRET = "sk-CANARY-7f3a9c1e5b2d8f4a6c0e"
GOLDEN = Path(__file__).resolve().parent / "data" / "config_problems_en.json"

# name -> the settings file's text; every one is refused by `load_settings`
FILES: dict[str, str] = {
    "seconds_type": 'language = "es"\n[api]\ntimeout_s = "soon"\n',
    "seconds_range": "[api]\ntimeout_s = 0\n",
    "seconds_bool": "[api]\ntimeout_s = true\n",
    "seconds_date": "[api]\ntimeout_s = 1979-05-27\n",
    "window_range": "[monitor]\nwindow_s = 5\n",
    "window_type": '[monitor]\nverify_every_s = "often"\n',
    "url_type": "[api]\nbase_url = 3\n",
    "url_scheme": f'[api]\nbase_url = "ftp://{SECRET}.example/v2"\n',
    "url_no_host": '[crm]\nbase_url = "https:///v2"\n',
    "url_parse": '[helpdesk]\njira_url = "http://[::1"\n',
    "url_userinfo": f'[api]\nbase_url = "https://u:{SECRET}@h.example/v2"\n',
    "secret_webhook": '[monitor]\nwebhook_url = "mailto:x@example.com"\n',
    "secret_type": "[api]\nkey = 12345\n",
    "secret_empty": '[api]\nkey = "  "\n',
    "urls_type": '[api]\nendpoints = "https://one.example"\n',
    "urls_item": f'[api]\nendpoints = ["https://ok.example", "{SECRET}"]\n',
    "text_type": "[smtp]\nusername = 7\n",
    "port_type": '[smtp]\nport = "25"\n',
    "port_range": "[smtp]\nport = 70000\n",
    "port_float": "[email]\ndns_port = 53.5\n",
    "count_type": '[smtp]\ndaily_limit = "many"\n',
    "count_range": "[smtp]\nsent_today = -1\n",
    "host_type": "[smtp]\nhost = [1]\n",
    "host_form": '[smtp]\nhost = "smtp://x.example:25"\n',
    "choice": '[smtp]\nsecurity = "ssl"\n',
    "choice_type": "[crm]\nkind = 1\n",
    "address_type": "[smtp]\nfrom = 1\n",
    "address_form": '[smtp]\nfrom = "nobody"\n',
    "file_type": "[smtp]\nca_file = 1\n",
    "file_empty": '[smtp]\nca_file = " "\n',
    "domain_type": "[email]\ndomain = 1\n",
    "domain_form": '[email]\ndomain = "localhost"\n',
    "selectors_type": '[email]\ndkim_selectors = "s1"\n',
    "selectors_item": '[email]\ndkim_selectors = ["ok", "no way"]\n',
    "ips_type": '[email]\nnameservers = "8.8.8.8"\n',
    "ips_item": '[email]\nnameservers = ["dns.example"]\n',
    "map_type": '[crm]\nfield_map = "x"\n',
    "map_item": "[crm.field_map]\ncompany = 3\n",
    "map_empty": '[crm.field_map]\ncompany = " "\n',
    "redis_type": "[redis]\nurl = 1\n",
    "redis_scheme": f'[redis]\nurl = "http://:{SECRET}@127.0.0.1"\n',
    "redis_parse": '[redis]\nurl = "redis://[::1"\n',
    "addresses_type": '[monitor]\nalert_to = "a@example.com"\n',
    "addresses_item": '[monitor]\nalert_to = ["a@example.com", "nobody"]\n',
    "project_type": "[helpdesk]\njira_project = 1\n",
    "project_form": '[helpdesk]\njira_project = "sup"\n',
    "destinations_type": '[helpdesk]\nsend_to = "jira"\n',
    "destinations_item": '[helpdesk]\nsend_to = ["jira", "fax"]\n',
    "language": 'language = "fr"\n',
    "unknown_top_close": "langauge = 1\n",
    "unknown_top": "colour = 1\n",
    "unknown_top_secret": f'"{SECRET}" = 1\n',
    "unknown_section": "[foo]\nbar = 1\n",
    "unknown_key_close": f'[api]\nkee = "{SECRET}"\n',
    "unknown_key": "[smtp]\nspeed = 1\n",
    "section_not_table": "api = 5\n",
    "inline_table": 'smtp = { port = "x" }\n',
    "profiles_not_table": "profiles = 1\n",
    "profile_name": '[profiles."bad name"]\n',
    "profile_not_table": "[profiles]\nacme = 1\n",
    "profile_agent_only": '[profiles.acme.helpdesk]\nemail_to = "x@example.com"\n',
    "profile_field": '[profiles.acme.api]\ntimeout_s = "soon"\n',
    "profile_unknown": "[profiles.acme]\ncolour = 1\n",
    "profile_section_not_table": "[profiles.acme]\napi = 1\n",
    "several": '[smtp]\nport = 0\nsecurity = "x"\n[api]\ntimeout_s = "x"\n',
    "toml_table": "[api\nkey = 1\n",
    "toml_value": "[api]\nkey =\n",
    "toml_string": f'[api]\nkey = "{SECRET}\n',
    "toml_twice": "[api]\ntimeout_s = 1\ntimeout_s = 2\n",
    "toml_statement": "[api]\njust words\n",
    "toml_control": '[api]\nkey = "a\x01b"\n',
    "toml_table_twice": "[api]\n[api]\n",
    "toml_deep": "x = " + "[" * 20 + "]" * 20 + "\n",
}

ENV: dict[str, dict[str, str]] = {
    "env_base_url": {"COPYCAR_BASE_URL": "ftp://example.com"},
    "env_redis": {"COPYCAR_REDIS_URL": "http://example.com"},
    "env_webhook": {"COPYCAR_ALERT_WEBHOOK": "not a url"},
}

# `config set KEY VALUE`: the VALUE as the command parses and checks it (KEY, its map key, VALUE)
CLI_VALUES: dict[str, tuple[str, str | None, str]] = {
    "set_int": ("smtp.port", None, "abc"),
    "set_float": ("api.timeout_s", None, "soon"),
    "set_range": ("smtp.port", None, "0"),
    "set_list_item": ("api.endpoints", None, "https://a.example,nope"),
    "set_map": ("crm.field_map", "company", " "),
}

# the set-up wizard's answers: (group, {field: answer})
SETUP: dict[str, tuple[str, dict[str, str]]] = {
    "setup_port": ("smtp", {"smtp.port": "abc"}),
    "setup_url": ("api", {"api.base_url": "ftp://example.com"}),
    "setup_choice": ("smtp", {"smtp.security": "ssl"}),
}


def _write(path: Path, text: str | bytes, mode: int = 0o600) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def _caught(action: Callable[[], object]) -> Exception:
    try:
        action()
    except Exception as exc:  # the test compares what each one raised
        return exc
    raise AssertionError("nothing was refused")


def problems(tmp_path: Path) -> dict[str, Exception]:
    """Every broken setting's exception, by name (files are written under `tmp_path`)."""
    from copycar_assist.config import Settings, load_settings
    from copycar_assist.config_schema import BY_NAME, parse_cli_value
    from copycar_assist.desk.case import Case, Customer
    from copycar_assist.desk.setup import GROUPS, save, typed

    out: dict[str, Exception] = {}
    folder = tmp_path / "broken"
    folder.mkdir(exist_ok=True)

    def load(path: Path, environ: dict[str, str] | None = None) -> Callable[[], object]:
        return lambda: load_settings(path, environ=environ or {})

    for name, text in FILES.items():
        out[name] = _caught(load(_write(folder / f"{name}.toml", text)))
    out["not_utf8"] = _caught(load(_write(folder / "not_utf8.toml", b'[api]\nkey = "ab\xff\xfecd"\n')))
    out["shared"] = _caught(load(_write(folder / "shared.toml", f'[api]\nkey = "{SECRET}"\n', 0o644)))
    out["too_large"] = _caught(load(_write(folder / "too_large.toml", "#" * (1024 * 1024 + 1))))
    link = folder / "link.toml"
    link.symlink_to(_write(folder / "target.toml", "[api]\n"))
    out["symlink"] = _caught(load(link))
    (folder / "dir.toml").mkdir()
    out["directory"] = _caught(load(folder / "dir.toml"))
    good = _write(folder / "good.toml", "[api]\n")
    for name, environ in ENV.items():
        out[name] = _caught(load(good, environ))

    def set_value(key: str, subkey: str | None, text: str) -> None:  # as `config set` does
        f = BY_NAME[key]
        value = parse_cli_value(f, text)
        f.check({subkey: value} if subkey is not None else value)

    for name, (key, subkey, text) in CLI_VALUES.items():
        out[name] = _caught(lambda k=key, s=subkey, v=text: set_value(k, s, v))
    for name, (group, answers) in SETUP.items():
        out[name] = _caught(lambda g=group, a=answers: typed(GROUPS[g], a))
    not_table = _write(folder / "smtp_not_table.toml", "smtp = 1\n")
    out["setup_not_table"] = _caught(lambda: save(not_table, GROUPS["smtp"], {"smtp.port": "25"}))

    case = Case.typed(Settings(), Customer("Acme"))
    out["case_agent_field"] = _caught(lambda: case.set("helpdesk.jira_url", "https://x.atlassian.net"))
    out["case_value"] = _caught(lambda: case.set("smtp.port", "abc"))
    out["case_profile_name"] = _caught(lambda: case.save_profile("bad name", folder / "case.toml"))
    profiles_not_table = _write(folder / "profiles_not_table.toml", "profiles = 1\n")
    out["case_profiles_not_table"] = _caught(lambda: case.save_profile("acme", profiles_not_table))
    return out


# through the real command line: name -> (the file of FILES it reads, the arguments)
CLI_RUNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "cli_show": ("seconds_type", ("config", "show")),
    "cli_show_toml": ("toml_table", ("config", "show")),
    "cli_show_several": ("several", ("config", "show", "--json")),
    "cli_set": ("seconds_type", ("config", "set", "smtp.port", "25")),
    "cli_set_value": ("good", ("config", "set", "smtp.port", "abc")),
    "cli_doctor": ("profile_field", ("doctor", "--json")),
}


def run_cli(tmp_path: Path, name: str, lang: str | None, environ: dict[str, str] | None = None) -> str:
    """The standard error of CLI_RUNS[name] run as `python -m copycar_assist [--lang LANG] …`,
    with the temporary folder written as <tmp>; the environment says neither language."""
    import subprocess
    import sys

    case, args = CLI_RUNS[name]
    folder = tmp_path / "cli"
    folder.mkdir(exist_ok=True)
    cfg = _write(folder / f"{name}.toml", FILES.get(case, "[api]\n"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COPYCAR", "LC_", "LANG"))}
    env.update({"COPYCAR_ASSIST_CONFIG": str(cfg), "COPYCAR_ASSIST_DATA": str(folder / "data"), "LANG": "C.UTF-8"})
    env.update(environ or {})
    r = subprocess.run([sys.executable, "-m", "copycar_assist", *(["--lang", lang] if lang else []), *args],
                       capture_output=True, text=True, env=env, timeout=60, cwd=Path(__file__).resolve().parents[1])
    assert r.returncode == 3, (r.returncode, r.stdout, r.stderr)
    return r.stderr.replace(str(tmp_path), "<tmp>")


def shown(exc: Exception, tmp_path: Path) -> str:
    return str(exc).replace(str(tmp_path), "<tmp>")


def english(tmp_path: Path) -> dict[str, str]:
    out = {name: shown(exc, tmp_path) for name, exc in problems(tmp_path).items()}
    out.update({name: run_cli(tmp_path, name, "en") for name in CLI_RUNS})
    return out


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        GOLDEN.write_text(json.dumps(english(Path(tmp)), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(GOLDEN)
