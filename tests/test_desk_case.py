"""A case runs in the customer's context: profiles in the settings file, --profile, keys typed for
a case. The simulator records the key each request carried, so the tests see which one went."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from copycar_assist.checks.base import CheckContext
from copycar_assist.checks.http_client import SharedClient
from copycar_assist.checks.runner import run_checks
from copycar_assist.cli import main
from copycar_assist.config import ConfigError, Settings, load_settings
from copycar_assist.desk.case import Case, Customer

AGENT_KEY = "sk-agent-own-0000aaaa1111bbbb"
CUSTOMER_KEY = "sk-acme-customer-2222cccc3333"
TYPED_KEY = "sk-typed-in-case-4444dddd5555"


def write_config(path: Path, text: str) -> Path:
    path.write_text(text)
    os.chmod(path, 0o600)
    return path


@pytest.fixture
def config(tmp_path, sim, monkeypatch):
    monkeypatch.setenv("COPYCAR_ASSIST_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("COPYCAR_API_KEY", raising=False)
    monkeypatch.delenv("COPYCAR_BASE_URL", raising=False)
    path = write_config(tmp_path / "config.toml", f"""
[api]
base_url = "{sim.base_url}"
key = "{AGENT_KEY}"

[profiles.acme]
language = "en"
[profiles.acme.api]
base_url = "{sim.base_url}"
key = "{CUSTOMER_KEY}"
""")
    monkeypatch.setenv("COPYCAR_ASSIST_CONFIG", str(path))
    return path


async def run_in(settings: Settings, kb, ids):
    async with SharedClient(settings) as http:
        ctx = CheckContext(settings, kb, http, settings.redactor())
        return await run_checks(ctx, ids)


def test_profiles_are_validated_with_file_line_and_field(tmp_path):
    path = write_config(tmp_path / "c.toml", '[profiles.acme.api]\ntimeout_s = "soon"\n[profiles.acme.helpdesk]\n'
                                             'email_to = "x@example.com"\n[profiles."bad name"]\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    text = str(caught.value)
    assert "c.toml:2:13: [profiles.acme.api] timeout_s: expected a number of seconds" in text
    assert "[profiles.acme.helpdesk]: is the agent's own setting" in text
    assert "a profile's name is letters" in text


async def test_a_case_runs_with_the_customers_key_and_never_the_agents(config, sim, kb):
    agent = load_settings(config)
    case = Case.from_profile(agent, "acme", reference="ZD-4411")
    assert case.customer == Customer("acme", "ZD-4411", "en")
    report = await run_in(case.settings, kb, ["api.verify", "api.health"])
    assert report.get("api.verify").status == "pass"
    assert sim.keys_received == [CUSTOMER_KEY]
    # the agent's key is masked in the case's output too, and its environment does not leak in
    assert AGENT_KEY not in case.settings.redactor()(f"x {AGENT_KEY} y")
    assert case.settings.api.key.reveal() == CUSTOMER_KEY


async def test_a_case_without_a_key_is_skipped_and_the_agents_key_is_not_used(config, sim, kb, monkeypatch):
    monkeypatch.setenv("COPYCAR_API_KEY", AGENT_KEY)
    agent = load_settings(config)
    case = Case.typed(agent, Customer("Globex", "T-9", "es"), {"api.base_url": sim.base_url})
    report = await run_in(case.settings, kb, ["api.verify"])
    r = report.get("api.verify")
    assert (r.status, r.outcome) == ("skipped", "skipped")
    assert "Globex" in r.summary and "your own settings are not used" in r.summary
    assert sim.request_count("/v2/verify") == 0 and sim.keys_received == []


async def test_a_typed_key_stays_in_memory_until_the_case_is_saved(config, sim, kb, tmp_path):
    agent = load_settings(config)
    case = Case.typed(agent, Customer("Globex Corp", "T-9", "es"),
                      {"api.base_url": sim.base_url, "api.key": TYPED_KEY})
    await run_in(case.settings, kb, ["api.verify"])
    assert sim.keys_received == [TYPED_KEY]
    assert not on_disk(tmp_path, TYPED_KEY)
    assert "sk-…5555" in repr(case.settings.api)  # never whole in a repr
    saved = case.save_profile()
    assert saved == config and stat.S_IMODE(config.stat().st_mode) == 0o600
    again = load_settings(config)
    assert set(again.profiles) == {"acme", "globex-corp"}
    assert again.profiles["globex-corp"].api.key.reveal() == TYPED_KEY
    assert again.profiles["globex-corp"].language == "es"
    assert again.api.key.reveal() == AGENT_KEY  # the agent's own settings are kept as they were


def test_a_case_refuses_agent_settings_and_bad_values(config):
    case = Case.typed(load_settings(config), Customer("X"))
    with pytest.raises(ConfigError, match="not a setting of a customer's context"):
        case.set("helpdesk.webhook_url", "https://example.com/hook")
    with pytest.raises(ConfigError, match=r"\[api\] base_url: expected an http"):
        case.set("api.base_url", "ftp://example.com")


def test_cli_profile_runs_doctor_in_the_case(config, sim, capsys):
    code = main(["--profile", "acme", "doctor", "--only", "api", "--json"])
    captured = capsys.readouterr()
    out = captured.out
    assert code in (0, 1), out
    assert json.loads(out)["schema_version"]
    assert "case acme: checks run in [profiles.acme], not your own settings" in captured.err
    assert sim.keys_received == [CUSTOMER_KEY]
    assert main(["--profile", "nobody", "doctor"]) == 3
    assert "no profile named 'nobody'" in capsys.readouterr().err


def on_disk(root: Path, secret: str) -> list[str]:
    """Files under `root` (and the data dir) holding the secret, or a 12-character piece of it."""
    pieces = {secret[i:i + 12] for i in range(len(secret) - 11)}
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes().decode("utf-8", "replace")
            if any(p in data for p in pieces):
                found.append(str(path))
    return found


async def test_a_whole_case_leaves_the_typed_key_on_no_file(config, sim, kb, tmp_path):
    """Session log, Markdown ticket, outbox document: the key typed for the case is in none of them."""
    from copycar_assist.conversation import Conversation
    from copycar_assist.matching import Matcher
    from copycar_assist.redact import make_scrubber
    from copycar_assist.support.history import SessionLog

    sim.set_scenario("expired-key")
    case = Case.typed(load_settings(config), Customer("Globex", "T-1", "en"),
                      {"api.base_url": sim.base_url, "api.key": TYPED_KEY})
    history = SessionLog.start(make_scrubber(case.settings), meta={"ui": "test"})
    async with Conversation(kb, Matcher(kb), lang="en", case=case, history=history) as conv:
        for stream in (conv.start(), conv.send("my api key stopped working, 401 expired"),
                       conv.choose("entry:invalid-api-key"), conv.choose("yes"), conv.choose("escalate")):
            async for _ in stream:
                pass
        assert conv.state == "escalated" and conv.ticket_path
    assert sim.keys_received == [TYPED_KEY]
    written = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert {p.parent.name for p in written} >= {"sessions", "tickets", "outbox"}
    assert on_disk(tmp_path, TYPED_KEY) == []


def test_cli_chat_in_a_profile_escalates_the_customers_case(config, sim, monkeypatch, capsys):
    import io
    import sys

    from copycar_assist.support.outbox import Outbox

    sim.set_scenario("expired-key")
    monkeypatch.setattr(sys, "stdin", io.StringIO("my api key says 401 expired\n/escalate\n"))
    assert main(["--profile", "acme", "--lang", "en", "chat", "--plain"]) == 0
    items, _ = Outbox().items()
    [item] = items
    assert item.document["customer"]["name"] == "acme" and item.document["reply"]["language"] == "en"
    assert item.document["context"] == {**item.document["context"], "owner": "customer", "profile": "acme"}
    assert CUSTOMER_KEY not in capsys.readouterr().out
