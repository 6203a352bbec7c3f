"""Fixes that are a setting: proposed from what the checks saw, applied to the case's context, re-checked
by the conversation, undone, recorded in the ticket. Real checks against the simulator and its CRM."""

from __future__ import annotations

import pytest

from copycar_assist.checks.base import CheckResult
from copycar_assist.config import Settings
from copycar_assist.conversation import Conversation
from copycar_assist.desk.case import Case, Customer
from copycar_assist.desk.fixes import FixBook, proposals_for
from copycar_assist.redact import Secret
from copycar_assist.simulator.demo import use_demo

from fixtures_conversation import choice_ids

NEW_KEY = "sk-new-key-for-acme-000111222"


def result(cid: str, outcome: str, **evidence) -> CheckResult:
    return CheckResult(cid, "fail", outcome, "", dict(evidence), 1)


async def turn(stream) -> list:
    return [e async for e in stream]


def test_the_proposals_follow_what_the_checks_saw():
    s = Settings()
    s.api.base_url = "https://api.example.test"
    s.api.endpoints = ["https://eu.api.example.test/v2"]
    s.smtp.port, s.smtp.security = 465, "starttls"
    s.crm.field_map = {"company": "company"}
    found = proposals_for("x", "y", {
        "api.health": result("api.health", "not_found"),
        "email.smtp": result("email.smtp", "misconfigured"),
        "crm.fields": result("crm.fields", "mapping_error", suggest={"company": "company_name"}),
        "api.verify": result("api.verify", "expired"),
    }, s)
    kinds = {p.kind: p for p in found}
    assert set(kinds) == {"base_url", "smtp_security", "crm_field"}  # no key: the line modes cannot ask for one
    assert kinds["base_url"].changes[0].new == "https://api.example.test/v2"
    assert kinds["smtp_security"].changes[0].new == "tls"
    assert kinds["crm_field"].changes[0].field == "crm.field_map.company"
    with_key = proposals_for("x", "y", {"api.verify": result("api.verify", "expired")}, s, ask_secrets=True)
    assert [p.kind for p in with_key] == ["key"] and with_key[0].needs_value == "api.key"
    # a dead base URL and a healthy endpoint: swap them (the evidence numbers the endpoints as configured)
    dead = proposals_for("x", "y", {"api.health": result("api.health", "connect_failed"),
                                    "api.endpoints": result("api.endpoints", "some_unhealthy",
                                                            endpoint_1="… → connect: refused",
                                                            endpoint_2="https://eu…/health → 200 (12 ms)")}, s)
    [swap] = dead
    assert [(c.field, c.new) for c in swap.changes] == [
        ("api.base_url", "https://eu.api.example.test/v2"), ("api.endpoints", ["https://api.example.test"])]


def test_apply_and_undo_a_key_keep_secrets_masked():
    s = Settings()
    s.api.key = Secret("sk-old-key-aaaabbbbcccc")
    book = FixBook(s, ask_secrets=True)
    book.propose("invalid-api-key", "expired-key", {"api.verify": result("api.verify", "expired")})
    with pytest.raises(ValueError, match="type the new value first"):
        book.apply(1)
    book.provide("api.key", NEW_KEY)
    assert "sk-…1222" in book.diff(book.offered[0]) and NEW_KEY not in book.diff(book.offered[0])
    applied = book.apply(1)
    assert s.api.key.reveal() == NEW_KEY and s.sources["api.key"] == "case"
    record = applied.to_json()
    assert (record["old"], record["new"]) == ("sk-…cccc", "sk-…1222")
    assert "aaaabbbbcccc" not in s.redactor()("old sk-old-key-aaaabbbbcccc")  # the old key stays masked
    book.undo(1)
    assert s.api.key.reveal() == "sk-old-key-aaaabbbbcccc" and book.records()[0]["undone"] is True
    assert NEW_KEY not in s.redactor()(f"x {NEW_KEY}")


async def test_a_crm_mapping_fix_is_applied_rechecked_undone_and_in_the_ticket(kb, matcher, sim, tmp_path,
                                                                              monkeypatch):
    monkeypatch.setenv("COPYCAR_ASSIST_DATA", str(tmp_path / "data"))
    sim.set_scenario("crm-field-missing")  # the CRM renamed `company` to `company_name`
    demo = Settings()
    use_demo(demo, sim)
    case = Case.typed(Settings(), Customer("Acme", "ZD-7", "es"))
    for field in ("api.base_url", "crm.kind", "crm.base_url"):
        case.set(field, demo.get(field))
    case.set("crm.token", demo.crm.token.reveal())
    case.settings.crm.field_map = dict(demo.crm.field_map)
    async with Conversation(kb, matcher, lang="en", case=case) as conv:
        await turn(conv.start())
        await turn(conv.choose("entry:crm-integration-failed"))
        events = await turn(conv.choose("yes"))
        assert conv.facts.cause == ("crm-integration-failed", "field-mapping")
        said = "\n".join(e.text for e in events if e.type == "say")
        assert "in the case's context (Acme" in said
        assert "- crm.field_map.company = company\n+ crm.field_map.company = company_name" in said
        assert choice_ids(events)[0] == "apply:1" and conv.prompt.choices[0].key == "1"
        events = await turn(conv.choose("apply:1"))
        assert case.settings.crm.field_map["company"] == "company_name"
        assert [e.result.status for e in events if e.type == "check" and e.phase == "finished"
                and e.check_id == "crm.fields"] == ["pass"]
        assert conv.state == "resolved" and any(e.type == "resolved" and e.verified for e in events)
        assert "undo:1" in choice_ids(events)
        events = await turn(conv.choose("undo:1"))
        assert case.settings.crm.field_map["company"] == "company" and conv.state in ("step", "ask_fixed")
        assert "apply:1" in choice_ids(events)
        await turn(conv.choose("escalate"))
        markdown = conv.ticket_markdown()
    assert "crm.field_map.company" in markdown and "applied, then undone" in markdown and "re-check: pass" in markdown
    record = case.fixes.records()[0]
    assert (record["kind"], record["recheck"], record["undone"]) == ("crm_field", "pass", True)
