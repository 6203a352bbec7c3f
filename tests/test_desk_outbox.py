"""Tickets reach the help desk: a real conversation escalates a case, the outbox keeps its JSON
document, and each destination gets the request its documentation describes — checked by a real
HTTP server on loopback (tests/fixtures_helpdesk.py) and a real aiosmtpd server. The help desk
down → the ticket waits → `tickets send` later delivers it exactly once."""

from __future__ import annotations

import base64
import email
import json
import os
import stat
from email import policy
from pathlib import Path

import jsonschema
import pytest

from copycar_assist.cli import main
from copycar_assist.config import Settings
from copycar_assist.conversation import Conversation
from copycar_assist.desk.case import Case, Customer
from copycar_assist.redact import Secret
from copycar_assist.support import outbox as ob
from copycar_assist.support.deliver import webhook
from copycar_assist.support.outbox import Outbox, detail_text, send

from fixtures_helpdesk import HelpDesk
from fixtures_integrations import CANARY_SMTP, SMTP_USER

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "docs" / "ticket.schema.json").read_text())
CUSTOMER_KEY = "sk-customer-acme-9f8e7d6c5b4a"
AGENT_KEY = "sk-agent-own-key-1a2b3c4d5e6f"
HOOK_SECRET = "whsec-canary-0a1b2c3d4e5f6a7b"
ZD_TOKEN = "zd-token-canary-77aa88bb99cc"
JIRA_TOKEN = "jira-token-canary-11dd22ee33ff"
SECRETS = (CUSTOMER_KEY, AGENT_KEY, HOOK_SECRET, ZD_TOKEN, JIRA_TOKEN, CANARY_SMTP)


@pytest.fixture
def desk():
    d = HelpDesk(HOOK_SECRET, ("agent@acme.test", ZD_TOKEN), ("agent@acme.test", JIRA_TOKEN))
    yield d
    d.stop()


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("COPYCAR_ASSIST_DATA", str(tmp_path / "data"))
    for var in ("COPYCAR_API_KEY", "COPYCAR_BASE_URL", "COPYCAR_WEBHOOK_SECRET", "COPYCAR_ZENDESK_TOKEN",
                "COPYCAR_JIRA_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(ob, "RUN_PAUSES_S", (0.01, 0.01))  # a person is not waiting in a test
    monkeypatch.setattr(ob, "MAX_RUN_WAIT_S", 0.5)  # a Retry-After of 1 s ends a run's tries
    return tmp_path


def agent_settings(desk: HelpDesk, sends: list[str]) -> Settings:
    s = Settings()
    s.api.key = Secret(AGENT_KEY)
    h = s.helpdesk
    h.send_to = sends
    h.webhook_url, h.webhook_secret = f"{desk.url}/hook", Secret(HOOK_SECRET)
    h.zendesk_url, h.zendesk_email, h.zendesk_token = desk.url, "agent@acme.test", Secret(ZD_TOKEN)
    h.jira_url, h.jira_email, h.jira_token, h.jira_project = desk.url, "agent@acme.test", Secret(JIRA_TOKEN), "SUP"
    return s


async def escalate_a_case(kb, matcher, sim, agent: Settings) -> str:
    """A case for Acme (their key, English reply) escalated from an expired key; returns the case id."""
    sim.set_scenario("expired-key")
    case = Case.typed(agent, Customer("Acme Corp", "ZD-4411", "en"),
                      {"api.base_url": sim.base_url, "api.key": CUSTOMER_KEY})
    async with Conversation(kb, matcher, lang="es", case=case) as conv:
        async for _ in conv.start():
            pass
        for step in (conv.choose("entry:invalid-api-key"), conv.choose("yes"), conv.choose("escalate")):
            async for _ in step:
                pass
        assert conv.state == "escalated"
        return conv.case_id


def assert_no_secret(data: bytes | str) -> None:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    for secret in SECRETS:
        for i in range(len(secret) - 11):
            assert secret[i:i + 12] not in text, f"a piece of {secret[:6]}… left the process"
        assert base64.b64encode(secret.encode()).decode()[:16] not in text


async def test_a_case_escalation_is_queued_as_a_valid_private_document(env, kb, matcher, sim):
    agent = Settings()
    case_id = await escalate_a_case(kb, matcher, sim, agent)
    item = Outbox().get(case_id)
    assert item is not None and item.idempotency_key == f"copycar-{case_id}-r1" and not item.deliveries
    jsonschema.validate(item.document, SCHEMA)
    doc = item.document
    assert doc["customer"] == {"name": "Acme Corp", "reference": "ZD-4411", "language": "en"}
    assert doc["context"]["owner"] == "customer" and doc["context"]["key_set"] is True
    assert (doc["problem"]["id"], doc["cause"]["id"]) == ("invalid-api-key", "expired-key")
    assert doc["language"] == "es" and doc["reply"]["language"] == "en"  # the agent's UI, the customer's reply
    assert doc["reply"]["text"].startswith("Hi Acme Corp,") and "expired" in doc["reply"]["text"].lower()
    assert "Hola" not in doc["reply"]["text"]
    path = Outbox().path_for(case_id)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert_no_secret(path.read_bytes())
    assert sim.keys_received == [CUSTOMER_KEY]


async def test_webhook_zendesk_and_jira_get_their_documented_requests(env, kb, matcher, sim, desk):
    agent = agent_settings(desk, ["webhook", "zendesk", "jira"])
    case_id = await escalate_a_case(kb, matcher, sim, agent)
    reports, problems = await send(Outbox(), agent)
    assert problems == [] and [r.ok for r in reports] == [True, True, True], reports
    assert desk.problems == []
    by_path = {(m, p): (h, b) for m, p, h, b in desk.requests}
    # webhook: POST JSON, signed, the idempotency key in a header and in the body
    h, body = by_path[("POST", "/hook")]
    assert h["idempotency-key"] == f"copycar-{case_id}-r1"
    assert webhook.verify(HOOK_SECRET, body, h["x-copycar-signature"])
    assert not webhook.verify("another-secret-000000", body, h["x-copycar-signature"])
    assert not webhook.verify(HOOK_SECRET, body + b" ", h["x-copycar-signature"])
    sent = json.loads(body)
    assert sent["event"] == "ticket.escalated"
    jsonschema.validate(sent["ticket"], SCHEMA)
    # Zendesk: the API token user, an internal note, the priority from the severity, the case as external_id
    h, body = by_path[("POST", "/api/v2/tickets.json")]
    assert h["authorization"] == "Basic " + base64.b64encode(f"agent@acme.test/token:{ZD_TOKEN}".encode()).decode()
    assert h["idempotency-key"] == f"copycar-{case_id}-r1"
    t = json.loads(body)["ticket"]
    assert t["external_id"] == case_id and t["comment"]["public"] is False and t["priority"] == "high"
    assert "Acme Corp" in t["subject"] and "copycar-assist" in t["tags"]
    # Jira: project key, issue type, an ADF description, the idempotency label
    h, body = by_path[("POST", "/rest/api/3/issue")]
    f = json.loads(body)["fields"]
    assert f["project"] == {"key": "SUP"} and f["issuetype"] == {"name": "Task"}
    assert f["description"]["type"] == "doc" and f["description"]["content"][1]["type"] == "codeBlock"
    assert f"copycar-copycar-{case_id}-r1" in f["labels"]
    item = Outbox().get(case_id)
    assert item.delivered
    assert item.deliveries["zendesk"].remote["id"] == "1001" and item.deliveries["jira"].remote["id"] == "SUP-1"
    for _, _, _headers, raw in desk.requests:  # nothing secret left, in any body (auth headers aside)
        assert_no_secret(raw)


def test_help_desk_down_then_tickets_send_delivers_exactly_once(env, kb, matcher, sim, desk, capsys):
    import asyncio

    agent = agent_settings(desk, ["webhook", "zendesk", "jira"])
    case_id = asyncio.run(escalate_a_case(kb, matcher, sim, agent))
    config = env / "config.toml"
    config.write_text(
        f'[helpdesk]\nsend_to = ["webhook", "zendesk", "jira"]\nwebhook_url = "{desk.url}/hook"\n'
        f'webhook_secret = "{HOOK_SECRET}"\nzendesk_url = "{desk.url}"\nzendesk_email = "agent@acme.test"\n'
        f'zendesk_token = "{ZD_TOKEN}"\njira_url = "{desk.url}"\njira_email = "agent@acme.test"\n'
        f'jira_token = "{JIRA_TOKEN}"\njira_project = "SUP"\n')
    os.chmod(config, 0o600)
    os.environ["COPYCAR_ASSIST_CONFIG"] = str(config)
    try:
        desk.mode = "down"
        assert main(["tickets", "send"]) == 1
        out = capsys.readouterr().out
        assert "503" in out and "still wait" in out
        # one line per destination, its name said once: "… <case> webhook: 503 Service Unavailable"
        sent = [line for line in out.splitlines() if line.startswith("… ")]
        assert sorted(line.split()[2] for line in sent) == ["jira:", "webhook:", "zendesk:"]
        assert all(line.split()[3] == "503" for line in sent), sent
        assert main(["--lang", "es", "tickets", "show", case_id]) == 0
        shown = capsys.readouterr().out
        assert "  webhook: último error: 503 " in shown and "webhook: webhook" not in shown
        item = Outbox().get(case_id)
        assert not item.delivered
        assert {d.state for d in item.deliveries.values()} == {"pending"}
        # the desk said Retry-After: 1, longer than a run waits: one try each, the next one later
        assert all(d.attempts == 1 and d.next_at > 0 for d in item.deliveries.values())
        assert main(["tickets", "list"]) == 0 and case_id in capsys.readouterr().out
        assert main(["tickets", "send", "--due"]) == 1  # the back-off has not passed: nothing tried
        assert sum(1 for m, *_ in desk.requests if m == "POST") == 3

        desk.mode = "up"
        assert main(["tickets", "send"]) == 0
        assert main(["tickets", "send"]) == 0  # again: nothing left to send
        assert "Nothing waits" in capsys.readouterr().out
        assert [len(desk.created[k]) for k in ("webhook", "zendesk", "jira")] == [1, 1, 1]
        assert main(["tickets", "show", case_id[:12], "--reply"]) == 0
        assert capsys.readouterr().out.startswith("Hi Acme Corp,")
        assert main(["tickets", "list", "--json", "--all"]) == 0
        listed = json.loads(capsys.readouterr().out)["tickets"]
        assert listed[0]["delivered"] is True and listed[0]["deliveries"]["jira"]["remote"]["id"] == "SUP-1"
    finally:
        del os.environ["COPYCAR_ASSIST_CONFIG"]
    assert desk.problems == []


async def test_a_lost_acknowledgement_never_makes_a_second_ticket(env, kb, matcher, sim, desk):
    agent = agent_settings(desk, ["zendesk", "jira"])
    case_id = await escalate_a_case(kb, matcher, sim, agent)
    desk.mode = "drop"  # created, but the answer never comes back
    reports, _ = await send(Outbox(), agent, deadline_s=2.0)
    by = {r.destination: r for r in reports}
    # Jira's second try looked for the issue by its label, found it: acknowledged, still one issue
    assert by["jira"].ok and len(desk.created["jira"]) == 1
    assert detail_text(by["jira"].detail, "en") == "found the issue an earlier attempt created"
    assert detail_text(by["jira"].detail, "es") == "encontrada la incidencia que creó un intento anterior"
    assert not by["zendesk"].ok
    item = Outbox().get(case_id)
    assert item.deliveries["zendesk"].unknown and item.deliveries["zendesk"].state == "pending"
    desk.mode = "up"
    reports, _ = await send(Outbox(), agent)
    assert all(r.ok for r in reports), reports
    # Zendesk answered the retry from its idempotency key; Jira's issue was found by its label
    assert len(desk.created["zendesk"]) == 1 and len(desk.created["jira"]) == 1
    assert Outbox().get(case_id).deliveries["jira"].remote["id"] == "SUP-1"
    assert any(p == "/rest/api/3/search/jql" for _, p, _, _ in desk.requests)


async def test_email_goes_through_verified_tls_with_data(env, kb, matcher, sim, smtp_factory, certs):
    srv = await smtp_factory(starttls=certs.good, take_mail=True)
    agent = Settings()
    s = agent.smtp
    s.host, s.port, s.security, s.ca_file = "127.0.0.1", srv.port, "starttls", certs.ca_file
    s.username, s.password, s.from_addr = SMTP_USER, Secret(CANARY_SMTP), SMTP_USER
    agent.helpdesk.email_to = "support@helpdesk.test"
    case_id = await escalate_a_case(kb, matcher, sim, agent)
    reports, problems = await send(Outbox(), agent)
    assert [r.ok for r in reports] == [True] and problems == [], reports
    assert b"AUTH" not in srv.cleartext() and srv.auth_attempts == [("PLAIN", SMTP_USER)]
    assert srv.envelope == [("MAIL", SMTP_USER), ("RCPT", "support@helpdesk.test"), ("DATA", "")]
    [raw] = srv.messages
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Message-ID"] == f"<copycar-{case_id}-r1@copycar-assist.invalid>"
    assert msg["To"] == "support@helpdesk.test" and "[HIGH]" in msg["Subject"]
    attached = next(p for p in msg.iter_attachments() if p.get_filename() == "ticket.json")
    jsonschema.validate(json.loads(attached.get_content()), SCHEMA)
    assert_no_secret(raw)
    assert Outbox().get(case_id).delivered


async def test_email_without_tls_to_a_remote_host_is_refused_and_waits(env, kb, matcher, sim):
    agent = Settings()
    agent.smtp.host, agent.smtp.port, agent.smtp.security = "192.0.2.10", 25, "none"
    agent.smtp.from_addr, agent.helpdesk.email_to = SMTP_USER, "support@helpdesk.test"
    case_id = await escalate_a_case(kb, matcher, sim, agent)
    reports, _ = await send(Outbox(), agent)
    assert len(reports) == 1 and not reports[0].ok
    assert detail_text(reports[0].detail, "en").startswith('smtp.security = "none" is only allowed to this machine')
    kept = Outbox().get(case_id).deliveries["email"]  # our words kept as a message: read in any language
    assert kept.state == "failed" and "192.0.2.10 no lo es" in detail_text(kept.last_error, "es")


def test_send_to_an_unconfigured_destination_says_so(env, desk):
    agent = agent_settings(desk, ["webhook"])
    agent.helpdesk.send_to = ["webhook", "email"]
    from copycar_assist.support.deliver import configured

    assert configured(agent) == (["webhook"], ["email"])


async def test_a_destination_not_configured_any_more_waits_in_the_readers_language(env, kb, matcher, sim, desk):
    agent = agent_settings(desk, ["webhook"])
    case_id = await escalate_a_case(kb, matcher, sim, agent)
    desk.mode = "down"
    await send(Outbox(), agent)  # the webhook is now the item's destination; it waits
    agent.helpdesk.webhook_url = None
    reports, _ = await send(Outbox(), agent)
    assert [(r.destination, r.ok) for r in reports] == [("webhook", False)]
    assert detail_text(reports[0].detail, "es") == "no está configurado ahora; el ticket lo espera"
    assert detail_text(reports[0].detail, "en") == "not configured now; the ticket waits for it"
    assert Outbox().get(case_id).deliveries["webhook"].state == "pending"



async def test_a_later_revision_updates_what_the_help_desk_holds(env, kb, matcher, sim, desk):
    """A new severity after delivery: a comment on the Zendesk ticket and the Jira issue, a
    `ticket.updated` webhook — never a second ticket."""
    agent = agent_settings(desk, ["webhook", "zendesk", "jira"])
    sim.set_scenario("expired-key")
    case = Case.typed(agent, Customer("Acme Corp", "ZD-4411", "en"),
                      {"api.base_url": sim.base_url, "api.key": CUSTOMER_KEY})
    async with Conversation(kb, matcher, lang="en", case=case) as conv:
        for step in (conv.start(), conv.choose("entry:invalid-api-key"), conv.choose("yes"), conv.choose("escalate")):
            async for _ in step:
                pass
        reports, _ = await send(Outbox(), agent)
        assert all(r.ok for r in reports)
        async for _ in conv.choose("sev:CRITICAL"):
            pass
        item = Outbox().get(conv.case_id)
        assert item.revision == 2 and item.document["severity"] == "CRITICAL"
        assert item.previous["zendesk"]["id"] == "1001" and item.previous["jira"]["id"] == "SUP-1"
        reports, _ = await send(Outbox(), agent)
    assert all(r.ok for r in reports), reports
    assert [len(desk.created[k]) for k in ("webhook", "zendesk", "jira")] == [2, 1, 1]
    assert desk.updates["zendesk"][0]["priority"] == "urgent" and desk.updates["zendesk"][0]["id"] == 1001
    assert len(desk.updates["jira"]) == 1 and desk.problems == []
    events = [json.loads(b)["event"] for m, p, h, b in desk.requests if p == "/hook"]
    assert events == ["ticket.escalated", "ticket.updated"]
