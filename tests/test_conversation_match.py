"""The engine up to the symptoms: confident match, close call, no match, browsing, free-text
answers, commands, language detection and switching. Real knowledge, real matcher."""

from __future__ import annotations

from fixtures_conversation import choice_ids, data_dir, kb, matcher, of, one, texts, wide_matcher  # noqa: F401

from copycar_assist.conversation import (
    Choices, Conversation, Escalated, LanguageChanged, MatchesShown, Say, State, StepShown,
)


async def test_greeting_then_describe(kb, matcher):
    conv = Conversation(kb, matcher)
    events = conv.start()
    assert conv.state is State.DESCRIBE
    assert of(events, Say) and not of(events, Choices)
    assert "CopyCar" in events[0].text


async def test_confident_match_shows_symptoms_and_asks(kb, matcher):
    conv = Conversation(kb, matcher)
    conv.start()
    events = await conv.send("my api key expired, 401 Unauthorized")
    result = one(events, MatchesShown).result
    assert result.best == "invalid-api-key"
    assert conv.state is State.CONFIRM
    assert choice_ids(events) == ["yes", "no"]
    symptoms = [e for e in of(events, Say) if e.markdown]
    for s in kb.entries["invalid-api-key"].symptoms("en"):
        assert s in symptoms[-1].text
    assert conv.lang == "en"


async def test_language_follows_the_first_description(kb, matcher):
    conv = Conversation(kb, matcher)
    conv.start()
    events = await conv.send("la api key ha caducado y me sale 401 unauthorized")
    assert one(events, LanguageChanged).lang == "es"
    assert conv.lang == "es"
    assert one(events, Choices).prompt == "¿Ves estos síntomas?"
    # only the first description decides; later English text does not flip it back
    await conv.choose("no")
    await conv.send("my api key expired, 401 Unauthorized")
    assert conv.lang == "es"


async def test_language_follows_until_a_description_is_understood(kb, matcher):
    conv = Conversation(kb, matcher)
    conv.start()
    await conv.send("hola")  # a greeting is not a problem: nothing settles the language yet
    assert conv.lang == "es"
    events = await conv.send("emails going to spam")
    assert one(events, LanguageChanged).lang == "en"
    assert one(events, Choices).prompt == "Do you see these symptoms?"
    await conv.choose("no")
    await conv.send("la api key ha caducado, 401")  # understood in English first: stays
    assert conv.lang == "en"


async def test_given_language_is_kept(kb, matcher):
    conv = Conversation(kb, matcher, lang="en")
    conv.start()
    events = await conv.send("la api key ha caducado, 401")
    assert not of(events, LanguageChanged)
    assert conv.lang == "en"


async def test_close_call_offers_the_top_entries(kb, wide_matcher):
    conv = Conversation(kb, wide_matcher)
    conv.start()
    events = await conv.send("el prompt es muy genérico")
    result = one(events, MatchesShown).result
    assert result.ambiguous
    assert conv.state is State.CLARIFY
    ids = choice_ids(events)
    entries = [i for i in ids if i.startswith("entry:")]
    assert 2 <= len(entries) <= 3
    assert entries == [f"entry:{m.id}" for m in result.matches[: len(entries)]]
    assert ids[len(entries):] == ["rephrase", "browse"]
    # a number picks the nth option
    events = await conv.send("2")
    assert conv.state is State.CONFIRM
    assert conv.facts.entry_id == entries[1][6:]


async def test_no_match_offers_rephrase_or_browse(kb, matcher):
    conv = Conversation(kb, matcher)
    conv.start()
    events = await conv.send("la impresora de la oficina hace un ruido raro")
    assert one(events, MatchesShown).result.best is None
    assert conv.state is State.NO_MATCH
    assert choice_ids(events) == ["rephrase", "browse"]
    events = await conv.choose("rephrase")
    assert conv.state is State.DESCRIBE and not of(events, Choices)


async def test_browse_categories_then_entries(kb, matcher):
    conv = Conversation(kb, matcher, lang="en")
    conv.start()
    await conv.send("the printer makes a strange noise")
    events = await conv.choose("browse")
    assert conv.state is State.BROWSE_CATEGORIES
    cats = [i for i in choice_ids(events) if i.startswith("cat:")]
    assert "cat:connection-auth" in cats
    events = await conv.choose("cat:connection-auth")
    assert conv.state is State.BROWSE_ENTRIES
    assert "entry:invalid-api-key" in choice_ids(events)
    assert choice_ids(events)[-1] == "back"
    await conv.choose("back")
    assert conv.state is State.BROWSE_CATEGORIES
    await conv.choose("cat:connection-auth")
    events = await conv.choose("entry:invalid-api-key")
    assert conv.state is State.CONFIRM


async def test_symptoms_not_seen_goes_back_to_describe(kb, matcher):
    conv = Conversation(kb, matcher, lang="es")
    conv.start()
    await conv.choose("entry:invalid-api-key")
    events = await conv.send("no")
    assert conv.state is State.DESCRIBE
    assert "otras palabras" in texts(events)


async def test_free_text_answers(kb, matcher):
    conv = Conversation(kb, matcher, lang="es")
    conv.start()
    await conv.choose("entry:low-personalization-score")
    await conv.send("vale")  # yes → the check wants the account file
    assert conv.state is State.GATHER
    await conv.send("1")  # the first (only) option: skip it → the first question
    assert conv.state is State.QUESTION
    await conv.send("no, no es eso")  # a short answer led by "no"
    assert conv.state is State.QUESTION
    assert conv.facts.answers[-1][2] is False
    events = await conv.send("s")  # the Spanish key of "sí"
    assert conv.state is State.STEP
    one(events, StepShown)
    await conv.send("ok")  # yes word in a step → done
    assert conv.facts.attempt.marks[0] == "done"


async def test_unrelated_text_in_a_step_keeps_the_step(kb, matcher):
    conv = Conversation(kb, matcher, lang="en")
    conv.start()
    await conv.choose("cause:invalid-api-key#wrong-key")
    assert conv.state is State.STEP
    events = await conv.send("hmm let me think")
    assert conv.state is State.STEP
    assert one(events, StepShown).index == 0
    assert "didn't get that" in texts(events)
    # a lone yes/no word where none is offered is not a description either
    await conv.choose("escalate")
    events = await conv.send("yes")
    assert conv.state is State.ESCALATED


async def test_a_new_problem_in_the_middle_starts_over(kb, matcher):
    conv = Conversation(kb, matcher, lang="en")
    conv.start()
    await conv.choose("cause:invalid-api-key#wrong-key")
    events = await conv.send("429 Too Many Requests, rate limit exceeded")
    assert one(events, MatchesShown).result.best == "rate-limit-exceeded"
    assert conv.state is State.CONFIRM
    assert conv.facts.attempts == []


async def test_commands(kb, matcher):
    conv = Conversation(kb, matcher, lang="en")
    conv.start()
    await conv.choose("entry:invalid-api-key")
    events = await conv.send("/help")
    assert any(e.markdown and "/restart" in e.text for e in of(events, Say))
    assert conv.state is State.CONFIRM and choice_ids(events) == ["yes", "no"]
    events = await conv.send("/restart")
    assert conv.state is State.DESCRIBE and conv.facts.entry_id is None
    events = await conv.send("/escalate")
    esc = one(events, Escalated)
    assert esc.severity == "MEDIUM"  # no entry identified
    # text that starts with "/" but is no command is a description
    await conv.send("/restart")
    events = await conv.send("/v2/verify returns 401 Unauthorized invalid api key")
    assert one(events, MatchesShown).result.best == "invalid-api-key"


async def test_unknown_choice_is_refused_politely(kb, matcher):
    conv = Conversation(kb, matcher, lang="en")
    conv.start()
    await conv.choose("entry:invalid-api-key")
    events = await conv.choose("done")
    assert conv.state is State.CONFIRM
    assert "not available" in texts(events)
    assert choice_ids(events) == ["yes", "no"]


async def test_switching_language_resays_the_current_prompt(kb, matcher):
    conv = Conversation(kb, matcher, lang="es")
    conv.start()
    await conv.choose("cause:invalid-api-key#expired-key")
    await conv.choose("done")
    events = conv.set_language("en")
    assert events[0] == LanguageChanged("en")
    step = one(events, StepShown)
    assert step.index == 1
    assert step.text == kb.entries["invalid-api-key"].cause("expired-key").steps["en"][1]
    assert [o.label for o in one(events, Choices).options][:2] == ["Done", "Skip"]
    events = await conv.send("/lang es")
    assert one(events, LanguageChanged).lang == "es"
    assert one(events, StepShown).text == kb.entries["invalid-api-key"].cause("expired-key").steps["es"][1]
    events = await conv.send("/lang")  # toggles
    assert conv.lang == "en"
    events = await conv.send("/lang fr")
    assert "Usage" in texts(events)


async def test_choice_keys_are_unique_in_every_prompt(kb, matcher):
    for lang in ("es", "en"):
        conv = Conversation(kb, matcher, lang=lang)
        conv.start()
        seen = []
        for action in ("browse", "cat:connection-auth", "entry:invalid-api-key"):
            seen.append(await conv.choose(action))
        await conv.choose("restart")
        seen.append(await conv.choose("cause:low-personalization-score#poor-prompts"))
        seen.append(await conv.choose("done"))
        seen.append(await conv.choose("escalate"))
        seen.append(await conv.send("la impresora hace ruido"))
        for events in seen:
            for c in of(events, Choices):
                keys = [o.key for o in c.options if o.key]
                assert len(keys) == len(set(keys)), (lang, c)
                assert all(o.label for o in c.options)
