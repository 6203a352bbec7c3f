"""Checks that need something from the user (a pasted prompt, an account file): the engine asks
for it before running them, accepts a skip, and re-asks for a file that does not exist."""

from __future__ import annotations

import json

from fixtures_conversation import choice_ids, kb, matcher, of, one, settings_for, sim, texts  # noqa: F401

from copycar_assist.conversation import CauseFound, CheckProgress, Choices, Conversation, State


def finished(events) -> dict:
    return {e.event.result.id: e.event.result for e in of(events, CheckProgress) if hasattr(e.event, "result")}


async def test_pasted_prompt_is_checked(kb, matcher, sim):
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        conv.start()
        await conv.choose("entry:content-generation-failed")
        events = await conv.choose("yes")
        assert conv.state is State.GATHER
        assert one(events, Choices).prompt.startswith("Paste the prompt")
        assert choice_ids(events) == ["skip"]
        events = await conv.send("   hola   ")  # 4 characters: too short
        results = finished(events)
        assert results["content.prompt"].outcome == "too_short"
        assert results["api.health"].status == "pass"
        found = one(events, CauseFound)
        assert (found.entry_id, found.cause_id) == ("content-generation-failed", "malformed-prompt")


async def test_a_long_prompt_is_not_cut_to_the_chat_limit(kb, matcher):
    async with Conversation(kb, matcher, lang="en") as conv:
        conv.start()
        await conv.choose("entry:content-generation-failed")
        await conv.choose("yes")
        events = await conv.send("palabra " * 4000)  # ~5200 estimated tokens > 4000
        assert finished(events)["content.prompt"].outcome == "too_long"
        assert one(events, CauseFound).cause_id == "token-limit"


async def test_account_file_missing_then_given(kb, matcher, tmp_path):
    thin = tmp_path / "accounts.json"
    thin.write_text(json.dumps([{"company": "Acme", "contact_name": "Ana"},
                                {"company": "Globex", "contact_name": "Bo", "industry": "retail"}]))
    async with Conversation(kb, matcher, lang="es") as conv:
        conv.start()
        await conv.choose("entry:low-personalization-score")
        events = await conv.choose("yes")
        assert one(events, Choices).prompt.startswith("Escribe la ruta del fichero de datos de cuentas")
        events = await conv.send(str(tmp_path / "nope.json"))
        assert conv.state is State.GATHER
        assert "No encuentro ese fichero" in texts(events)
        events = await conv.send(f"'{thin}'")  # quotes from a drag-and-drop are fine
        results = finished(events)
        assert results["content.personalization"].outcome == "thin_context"
        assert one(events, CauseFound).cause_id == "limited-context"
        # asked once per conversation: the next diagnosis of this entry does not ask again
        await conv.choose("restart")
        await conv.choose("entry:low-personalization-score")
        events = await conv.choose("yes")
        assert conv.state is not State.GATHER


async def test_skipping_leaves_the_check_skipped(kb, matcher):
    async with Conversation(kb, matcher, lang="en") as conv:
        conv.start()
        await conv.choose("entry:low-personalization-score")
        await conv.choose("yes")
        events = await conv.send("skip this check")
        assert finished(events)["content.personalization"].status == "skipped"
        assert conv.state is State.QUESTION
