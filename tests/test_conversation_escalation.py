"""Escalating from a conversation: severity proposal, level/response/channels, the ticket
(evidence, steps, transcript), redaction of a canary key, fences that hold."""

from __future__ import annotations

import base64

from markdown_it import MarkdownIt

from copycar_assist.conversation import Conversation, Escalated, Say, State
from copycar_assist.redact import make_scrubber
from copycar_assist.support.history import SessionLog, load_session

from fixtures_conversation import (
    CANARY_KEY,
    choice_ids,
    choose,
    of,
    one,
    send,
    settings_for,
    start,
)

HOSTILE = (
    "me sale 401 con la key " + CANARY_KEY + "\n"
    "```` python\n## Injected heading\n[click](https://evil.example) ``` still inside\n"
    "Authorization: Bearer abcDEF1234567890xyz\x1b]52;c;ZXZpbA==\x07"
)


def _leaks(text: str, secret: str = CANARY_KEY) -> list[str]:
    found = [secret] if secret in text else []
    found += [secret[i:i + 12] for i in range(len(secret) - 11) if secret[i:i + 12] in text]
    if base64.b64encode(secret.encode()).decode()[:16] in text:
        found.append("base64")
    return found


async def _escalated_conversation(kb, matcher, sim, **kw) -> tuple[Conversation, Escalated]:
    sim.set_scenario("expired-key")
    conv = Conversation(kb, matcher, settings_for(sim, key=CANARY_KEY), lang="es", **kw)
    await start(conv)
    await send(conv, HOSTILE)  # whatever it matches, the agent picks the entry by hand
    await choose(conv, "entry:invalid-api-key")
    await choose(conv, "yes")
    assert conv.facts.cause == ("invalid-api-key", "expired-key")
    await choose(conv, "done")
    await choose(conv, "skip")
    events = await choose(conv, "escalate")
    return conv, one(events, Escalated)


async def test_ticket_has_the_evidence_and_the_steps(kb, matcher, sim, data_dir):
    conv, esc = await _escalated_conversation(kb, matcher, sim)
    try:
        assert conv.state is State.ESCALATED
        assert (esc.severity, esc.level) == ("HIGH", 2)
        ticket = esc.ticket_markdown
        assert "# Ticket de soporte: API key inválida — HIGH" in ticket
        assert "(`invalid-api-key`)" in ticket and "(`invalid-api-key#expired-key`)" in ticket
        assert "`api.verify`" in ticket and "FAIL" in ticket and "expired_api_key" in ticket
        steps = kb.entries["invalid-api-key"].cause("expired-key").steps["es"]
        assert f"- [x] 1. {steps[0]} _(hecho)_" in ticket
        assert f"- [ ] 2. {steps[1]} _(saltado)_" in ticket
        assert "1 hecho, 1 omitido" in ticket
        assert f"- [ ] 3. {steps[2]} _(no alcanzado)_" in ticket
        # level, response time and channels from the support data
        rule = kb.support.rule("HIGH")
        assert f"nivel {rule.level}" in ticket and "1 h" in ticket and "correo, chat" in ticket
        assert "## Transcripción" in ticket
    finally:
        await conv.aclose()


async def test_ticket_never_holds_the_key_and_its_fences_hold(kb, matcher, sim, data_dir):
    conv, esc = await _escalated_conversation(kb, matcher, sim)
    await conv.aclose()
    ticket = esc.ticket_markdown
    assert _leaks(ticket) == []
    assert "abcDEF1234567890xyz" not in ticket  # a pasted bearer token the settings do not know
    assert "\x1b" not in ticket and "\x07" not in ticket
    tokens = MarkdownIt("commonmark").parse(ticket)
    headings = [tokens[i + 1].content for i, tok in enumerate(tokens) if tok.type == "heading_open"]
    assert "Injected heading" not in headings
    assert not any(tok.type == "inline" and any(c.type == "link_open" for c in tok.children or []) for tok in tokens)
    fences = [tok for tok in tokens if tok.type == "fence"]
    description = [f for f in fences if "## Injected heading" in f.content]
    assert description, "the user's words must sit inside a fence"
    assert description[0].content.startswith("me sale 401 con la key sk-")
    assert "``` still inside" in description[0].content
    assert all(len(f.markup) > 3 for f in description)  # longer than the ```` run inside


async def test_severity_change_rewrites_the_one_ticket_of_the_case(kb, matcher, sim, data_dir):
    from pathlib import Path

    conv, esc = await _escalated_conversation(kb, matcher, sim)
    try:
        assert esc.ticket and Path(esc.ticket).read_text(encoding="utf-8") == esc.ticket_markdown
        assert oct(Path(esc.ticket).stat().st_mode & 0o777) == "0o600"
        events = await choose(conv, "sev:CRITICAL")
        again = one(events, Escalated)
        assert (again.severity, again.level) == ("CRITICAL", 3)
        assert "15 min" in again.ticket_markdown
        assert "- **Severidad:** CRITICAL — fijada por el agente de soporte" in again.ticket_markdown
        assert "sev:CRITICAL" not in choice_ids(events) and "sev:HIGH" in choice_ids(events)
        events = await send(conv, "MEDIUM")  # the label, typed
        third = one(events, Escalated)
        assert third.severity == "MEDIUM"
        # one case, one ticket file, updated in place
        assert again.ticket == third.ticket == esc.ticket
        assert list(Path(esc.ticket).parent.glob("ticket-*.md")) == [Path(esc.ticket)]
        assert "MEDIUM" in Path(esc.ticket).read_text(encoding="utf-8")
    finally:
        await conv.aclose()


async def test_api_down_proposes_critical(kb, matcher, sim, data_dir):
    sim.set_scenario("down")
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        await start(conv)
        await choose(conv, "entry:api-unreachable")
        await choose(conv, "yes")
        events = await send(conv, "/escalate")
        esc = one(events, Escalated)
        rule = kb.support.rule("CRITICAL")
        assert (esc.severity, esc.level) == ("CRITICAL", rule.level)
        summary = next(e.text for e in of(events, Say) if e.markdown)
        assert "CRITICAL" in summary and "15 min" in summary
        for channel in ("e-mail", "SMS", "phone"):
            assert channel in summary


async def test_transcript_export_and_history_are_scrubbed(kb, matcher, sim, data_dir):
    settings = settings_for(sim, key=CANARY_KEY)
    log = SessionLog.create(make_scrubber(settings), meta={"ui": "test"})
    conv, esc = await _escalated_conversation(kb, matcher, sim, history=log)
    assert esc.ticket and _leaks(open(esc.ticket, encoding="utf-8").read()) == []
    md = conv.transcript_markdown()
    await conv.aclose()
    assert _leaks(md) == []
    assert "## Injected heading" in md  # kept, but fenced:
    tokens = MarkdownIt("commonmark").parse(md)
    assert "Injected heading" not in [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    session = load_session(log.path)
    raw = log.path.read_text(encoding="utf-8")
    assert _leaks(raw) == [] and "\x1b" not in raw
    types = [r["type"] for r in session.records]
    assert types[0] == "session"
    for kind in ("input", "matched", "checks_started", "check", "cause_found", "step", "answered", "escalated"):
        assert kind in types, kind
    assert (session.records[-1]["type"], session.records[-1]["state"]) == ("prompt", "escalated")
    assert not session.torn and not session.bad_lines
