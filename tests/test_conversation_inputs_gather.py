"""Checks that need something from the user (a prompt, account data, a log, an e-mail): the engine
asks for it when it is worth it, takes pasted text or a file's path, accepts a skip, and re-asks
for a file that does not exist."""

from __future__ import annotations

import json

from copycar_assist.conversation import CauseFound, CheckUpdate, Conversation, State
from copycar_assist.conversation.inputs import classify

from fixtures_conversation import (
    choose,
    of,
    one,
    prompt_of,
    send,
    settings_for,
    start,
    texts,
)


def finished(events) -> dict:
    return {e.result.id: e.result for e in of(events, CheckUpdate) if e.result is not None}


async def test_pasted_prompt_is_checked(kb, matcher, sim):
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        await start(conv)
        await choose(conv, "entry:content-generation-failed")
        await choose(conv, "yes")  # api.health runs first (no input needed), then the prompt is asked for
        assert conv.state is State.GATHER
        assert conv.prompt.text.startswith("Paste the prompt")
        assert [c.role for c in conv.prompt.choices] == ["skip", "escalate"]
        events = await send(conv, "   hola   ")  # 4 characters: too short
        assert finished(events)["content.prompt"].outcome == "too_short"
        found = one(events, CauseFound)
        assert (found.entry, found.cause, found.via) == ("content-generation-failed", "malformed-prompt", "check")


async def test_a_restart_forgets_the_material_pasted_for_the_last_case(kb, matcher, sim):
    """/reiniciar, then the same problem: the prompt pasted before is asked for again, not checked
    again behind the user's back."""
    async with Conversation(kb, matcher, settings_for(sim), lang="es") as conv:
        await start(conv)
        await choose(conv, "entry:content-generation-failed")
        await choose(conv, "yes")
        assert conv.state is State.GATHER
        await send(conv, "   hola   ")
        assert conv.checks.inputs.prompt
        await send(conv, "/reiniciar")
        assert conv.state is State.DESCRIBE and not conv.checks.inputs.prompt
        await choose(conv, "entry:content-generation-failed")
        await choose(conv, "yes")
        assert conv.state is State.GATHER and conv.prompt.text.startswith("Pega el prompt")


async def test_a_stray_key_at_a_material_prompt_is_not_taken_for_the_material(kb, matcher, sim):
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        await start(conv)
        await choose(conv, "entry:rate-limit-exceeded")
        await choose(conv, "yes")
        while conv.state is not State.GATHER:  # the checks that need nothing run first
            await choose(conv, "no" if conv.state is State.QUESTION else "yes")
        asked = conv.prompt.text
        events = await send(conv, "o")  # the Spanish skip key, typed in English
        assert not finished(events) and conv.state is State.GATHER and conv.prompt.text == asked
        assert "didn't get that" in texts(events)


async def test_a_long_prompt_is_not_cut_to_the_chat_limit(kb, matcher, sim):
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        await start(conv)
        await choose(conv, "entry:content-generation-failed")
        await choose(conv, "yes")
        events = await send(conv, "palabra " * 4000)  # ~5200 estimated tokens > 4000
        assert finished(events)["content.prompt"].outcome == "too_long"
        assert one(events, CauseFound).cause == "token-limit"


async def test_account_file_missing_then_given(kb, matcher, tmp_path):
    thin = tmp_path / "accounts.json"
    thin.write_text(json.dumps([{"company": "Acme", "contact_name": "Ana"},
                                {"company": "Globex", "contact_name": "Bo", "industry": "retail"}]))
    async with Conversation(kb, matcher, lang="es") as conv:
        await start(conv)
        await choose(conv, "entry:low-personalization-score")
        await choose(conv, "yes")
        events = await choose(conv, "yes")  # «¿faltan datos?»: yes, so the data is worth checking
        assert prompt_of(events).text.startswith("Pega los datos de una cuenta")
        events = await send(conv, str(tmp_path / "nope.json"))
        assert conv.state is State.GATHER
        assert "No encuentro ese fichero" in texts(events)
        events = await send(conv, f"'{thin}'")  # quotes from a drag-and-drop are fine
        assert finished(events)["content.personalization"].outcome == "thin_context"
        assert one(events, CauseFound).cause == "limited-context"
        # asked once per case: the same problem again does not ask again
        await choose(conv, "restart")
        await choose(conv, "entry:low-personalization-score")
        await choose(conv, "yes")
        assert conv.state is not State.GATHER or conv.facts.gathering != "account"


async def test_pasted_account_json_is_data_not_a_path(kb, matcher):
    record = json.dumps({"company": "Acme", "contact_name": "Ana", "job_title": "CTO"})
    async with Conversation(kb, matcher, lang="en") as conv:
        await start(conv)
        await choose(conv, "entry:low-personalization-score")
        await choose(conv, "yes")
        await choose(conv, "yes")  # data is missing: the account data is asked for
        events = await send(conv, record)
        assert "can't find that file" not in texts(events)
        result = finished(events)["content.personalization"]
        assert result.status in ("pass", "fail") and result.evidence["records"] == 1


async def test_skipping_leaves_the_check_unrun_and_asks(kb, matcher):
    async with Conversation(kb, matcher, lang="en") as conv:
        await start(conv)
        await choose(conv, "entry:low-personalization-score")
        await choose(conv, "yes")
        await choose(conv, "yes")  # data is missing
        assert conv.state is State.GATHER
        events = await send(conv, "skip")
        assert not finished(events)
        assert conv.state is State.QUESTION


def test_paste_or_path(tmp_path):
    real = tmp_path / "lead.json"
    real.write_text("{}")
    assert classify(str(real), "account").path == str(real)
    assert classify(f'"{real}"', "account").path == str(real)
    missing = classify("/tmp/nope/leads.csv", "account")
    assert missing.missing and missing.path
    assert classify("./leads.csv", "account").missing
    assert classify('{"company": "Acme"}', "account").text == '{"company": "Acme"}'
    assert classify("company,contact\nAcme,Ana", "account").text
    assert classify("Subject: hi\n\nbody", "email").text
    assert classify("/v2/verify", "prompt").text == "/v2/verify"  # a prompt is always text
    assert classify("my leads are in the sheet", "account").text


async def test_samples_are_offered_and_checked(kb, matcher):
    spammy = "Subject: FREE!!! WIN NOW\n\nClick http://bit.ly/x to win free money!!!"
    async with Conversation(kb, matcher, lang="en", samples={"email": [("newsletter", spammy)]}) as conv:
        await start(conv)
        await send(conv, "only the newsletter goes to spam")
        if conv.state is State.CLARIFY:
            await choose(conv, "entry:email-delivery-failed")
        events = await choose(conv, "yes")
        assert conv.state is State.GATHER
        sample = prompt_of(events).choices[0]
        assert (sample.role, sample.key, sample.value) == ("input", "1", spammy)
        events = await send(conv, "1")
        assert finished(events)["email.spam"].outcome == "spammy"
        assert one(events, CauseFound).cause == "spam-content"
