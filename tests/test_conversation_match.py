"""The engine up to the symptoms: confident match, close call, no match and its hand-off,
browsing, free-text answers in both languages, commands, language detection and switching.
Real knowledge, real matcher."""

from __future__ import annotations

from copycar_assist.conversation import (
    Answered,
    Conversation,
    Escalated,
    LanguageChanged,
    Matched,
    Prompt,
    Say,
    State,
    StepShown,
    UserSaid,
)
from copycar_assist.conversation.table import DIAGNOSIS
from copycar_assist.i18n import t

from fixtures_conversation import (
    choice_ids,
    choose,
    of,
    one,
    prompt_of,
    send,
    start,
    texts,
)


async def test_greeting_then_describe(kb, matcher):
    conv = Conversation(kb, matcher)
    events = await start(conv)
    assert conv.state is State.DESCRIBE
    assert "CopyCar" in events[0].text
    prompt = prompt_of(events)
    assert prompt.expects == "description" and [c.role for c in prompt.choices] == ["browse"]


async def test_confident_match_shows_symptoms_and_asks(kb, matcher):
    conv = Conversation(kb, matcher)
    await start(conv)
    events = await send(conv, "my api key expired, 401 Unauthorized")
    assert one(events, UserSaid).text == "my api key expired, 401 Unauthorized"
    assert one(events, Matched).result.best == "invalid-api-key"
    assert conv.state is State.CONFIRM
    assert choice_ids(events) == ["yes", "no", "escalate"]
    symptoms = [e for e in of(events, Say) if e.markdown]
    for s in kb.entries["invalid-api-key"].symptoms("en"):
        assert s in symptoms[-1].text
    assert conv.lang == "en"


async def test_language_follows_the_first_description(kb, matcher):
    conv = Conversation(kb, matcher)
    await start(conv)
    events = await send(conv, "la api key ha caducado y me sale 401 unauthorized")
    assert one(events, LanguageChanged).lang == "es"
    assert prompt_of(events).text == "¿Ves estos síntomas?"
    # a later English paste does not flip the conversation
    await choose(conv, "no")
    await send(conv, "my api key expired, 401 Unauthorized")
    assert conv.lang == "es"


async def test_language_follows_until_a_description_is_understood(kb, matcher):
    conv = Conversation(kb, matcher)
    await start(conv)
    await send(conv, "hola")  # a greeting is not a problem: nothing settles the language yet
    assert conv.lang == "es"
    events = await send(conv, "emails going to spam")
    assert one(events, LanguageChanged).lang == "en"
    await choose(conv, "restart")
    await send(conv, "la api key ha caducado, 401")  # understood in English first: stays
    assert conv.lang == "en"


async def test_given_language_is_kept(kb, matcher):
    conv = Conversation(kb, matcher, lang="en")
    await start(conv)
    events = await send(conv, "la api key ha caducado, 401")
    assert not of(events, LanguageChanged)
    assert conv.lang == "en"


async def test_close_call_offers_the_top_entries(kb, wide_matcher):
    conv = Conversation(kb, wide_matcher)
    await start(conv)
    events = await send(conv, "el prompt es muy genérico")
    result = one(events, Matched).result
    assert result.ambiguous
    assert conv.state is State.CLARIFY
    prompt = prompt_of(events)
    entries = [c for c in prompt.choices if c.role == "pick_entry"]
    assert 2 <= len(entries) <= 3
    assert [c.entry for c in entries] == [m.id for m in result.matches[: len(entries)]]
    assert [c.role for c in prompt.choices[len(entries):]] == ["rephrase", "browse"]
    events = await send(conv, "2")  # a number picks the nth option
    assert conv.state is State.CONFIRM
    assert conv.facts.entry_id == entries[1].entry


async def test_no_match_offers_a_hand_off(kb, matcher):
    conv = Conversation(kb, matcher, lang="es")
    await start(conv)
    events = await send(conv, "la impresora de la oficina hace un ruido raro")
    assert one(events, Matched).result.best is None
    assert conv.state is State.NO_MATCH
    assert [c.role for c in prompt_of(events).choices] == ["rephrase", "browse", "handoff"]
    events = await choose(conv, "handoff")
    esc = one(events, Escalated)
    assert esc.reason == "handoff" and esc.ticket
    assert "soporte" in texts(events)
    assert conv.lang == "es"


# In scope, in lay words, and nothing confident: the matcher lists the right entry among others.
VAGUE_EN = ("Every Monday my two staff and I sit down to write the week's promo emails with the AI helper. "
            "Lately, once all three of us are going at once, it tells us to hold on and try again shortly "
            "and greys out the button for a minute or so.")
VAGUE_ES = ("Ninguna de las computadoras de la tienda logra comunicarse con la herramienta, sale una pantalla "
            "de «no se puede establecer conexión». Internet sí tenemos, YouTube abre normal.")


async def test_nothing_confident_offers_the_closest_entries_and_keeps_the_words(kb, matcher):
    for text, lang, right in ((VAGUE_EN, "en", "rate-limit-exceeded"), (VAGUE_ES, "es", "api-unreachable")):
        conv = Conversation(kb, matcher, lang=lang)
        await start(conv)
        events = await send(conv, text)
        result = one(events, Matched).result
        assert result.best is None and not result.ambiguous
        assert conv.state is State.NO_MATCH
        prompt = prompt_of(events)
        offered = [c.entry for c in prompt.choices if c.role == "pick_entry"]
        assert right in offered and 2 <= len(offered) <= 3
        assert offered == [m.id for m in result.matches[:len(offered)]]  # in the matcher's order
        assert [c.role for c in prompt.choices[len(offered):]] == ["rephrase", "browse", "handoff"]
        assert prompt.text == {"en": "These known problems come closest: is it one of them?",
                               "es": "Estos problemas conocidos son los más parecidos: ¿es alguno de ellos?"}[lang]
        events = await send(conv, str(offered.index(right) + 1))  # picked by its number
        assert conv.state is State.CONFIRM and conv.facts.entry_id == right
        title = kb.entries[right].title[lang]
        assert f"**{title}**." in texts(events) and {"en": "Let's look at: ", "es": "Veamos: "}[lang] in texts(events)
        assert conv.facts.descriptions == [text]  # what they said still counts in the diagnosis


async def test_nothing_is_offered_for_what_no_entry_is_near(kb, matcher):
    conv = Conversation(kb, matcher, lang="es")
    await start(conv)
    await send(conv, VAGUE_ES)
    assert conv.facts.clarify_ids
    await choose(conv, "rephrase")
    for text in ("la impresora de la oficina hace un ruido raro", "quiero hablar con una persona"):
        events = await send(conv, text)
        assert conv.state is State.NO_MATCH and conv.facts.clarify_ids == []  # the last offer is gone
        assert [c.role for c in prompt_of(events).choices] == ["rephrase", "browse", "handoff"]
        assert prompt_of(events).text == "¿Cómo quieres seguir?"
        await choose(conv, "rephrase")


async def test_browse_categories_then_entries(kb, matcher):
    conv = Conversation(kb, matcher, lang="en")
    await start(conv)
    events = await choose(conv, "browse")
    assert conv.state is State.BROWSE_CATEGORIES
    cats = [c for c in prompt_of(events).choices if c.role == "browse"]
    assert "connection-auth" in [c.value for c in cats]
    events = await choose(conv, "cat:connection-auth")
    assert conv.state is State.BROWSE_ENTRIES
    assert "entry:invalid-api-key" in choice_ids(events)
    assert choice_ids(events)[-1] == "back"
    await choose(conv, "back")
    assert conv.state is State.BROWSE_CATEGORIES
    await choose(conv, "cat:connection-auth")
    await choose(conv, "entry:invalid-api-key")
    assert conv.state is State.CONFIRM


async def test_symptoms_not_seen_goes_back_to_describe(kb, matcher):
    conv = Conversation(kb, matcher, lang="es")
    await start(conv)
    await choose(conv, "entry:invalid-api-key")
    events = await send(conv, "no")
    assert conv.state is State.DESCRIBE
    assert "otras palabras" in texts(events)


async def test_the_same_problem_told_again_after_no_goes_on_without_the_symptoms_again(kb, matcher):
    """"No" to the usual symptoms, then the problem in other words: it is still that entry, so the
    diagnosis starts from what was said (the same list was shown again, and again)."""
    conv = Conversation(kb, matcher, lang="en")
    await start(conv)
    await send(conv, "our campaign emails bounce")
    assert conv.state is State.CONFIRM and conv.facts.entry_id == "email-delivery-failed"
    events = await send(conv, "no, they dont bounce, they just never arrive at the customer")
    assert one(events, UserSaid).text == "no, they dont bounce, they just never arrive at the customer"
    assert conv.state is not State.CONFIRM and conv.facts.entry_id == "email-delivery-failed"
    assert "It still looks like this: **Email delivery failed**." in texts(events)
    assert not [e for e in of(events, Say) if e.text.startswith("Usual symptoms")]
    assert conv.facts.descriptions[-1] == "they dont bounce, they just never arrive at the customer"


async def test_no_to_the_symptoms_offers_the_other_entries_the_description_matched(kb, matcher):
    """A newsletter send that hangs matches the alert e-mails first; "no" to their symptoms offers
    the other entries the same words matched (e-mail delivery among them), not a blank prompt."""
    for lang, text, closest in (
            ("en", "since this morning the newsletter send just hangs forever and nothing reaches our customers",
             "Which one is closest?"),
            ("es", "desde esta mañana el envío de la newsletter se queda colgado y no llega nada a los clientes",
             "¿Cuál se parece más?")):
        conv = Conversation(kb, matcher, lang=lang)
        await start(conv)
        await send(conv, text)
        assert conv.state is State.CONFIRM and conv.facts.entry_id == "alert-emails-missing"
        events = await send(conv, "no")
        assert conv.state is State.CLARIFY
        assert t("conv.maybe_others", lang) in texts(events)
        offered = [c.entry for c in prompt_of(events).choices if c.role == "pick_entry"]
        assert "email-delivery-failed" in offered and "alert-emails-missing" not in offered
        assert [c.role for c in prompt_of(events).choices][-2:] == ["rephrase", "browse"]
        assert prompt_of(events).text == closest
        await choose(conv, "entry:email-delivery-failed")
        assert conv.state is State.CONFIRM and conv.facts.entry_id == "email-delivery-failed"
        await choose(conv, "yes")  # and on into its diagnosis, with what was said at first
        assert conv.state in DIAGNOSIS and conv.facts.descriptions[0].startswith(("since", "desde"))


async def test_no_then_another_problem_shows_its_symptoms(kb, matcher):
    conv = Conversation(kb, matcher, lang="en")
    await start(conv)
    await send(conv, "our campaign emails bounce")
    await send(conv, "no")
    assert conv.state is State.DESCRIBE
    events = await send(conv, "my api key expired, 401 Unauthorized")
    assert conv.state is State.CONFIRM and conv.facts.entry_id == "invalid-api-key"
    assert [e for e in of(events, Say) if e.text.startswith("Usual symptoms")]


async def test_answers_as_words_in_both_languages(kb, matcher):
    for lang, yes, not_sure, done, back in (("es", "vale", "no lo sé", "listo", "atrás"),
                                            ("en", "sure", "dunno", "done", "back")):
        conv = Conversation(kb, matcher, lang=lang)
        await start(conv)
        await choose(conv, "entry:low-personalization-score")
        await send(conv, yes)  # the symptoms: yes
        assert conv.state is State.QUESTION and conv.prompt.causes  # a narrowing question first
        await send(conv, yes)  # data is missing → the check wants the account data
        assert conv.state is State.GATHER
        await send(conv, "1")  # the first option: skip it → the first question
        assert conv.state is State.QUESTION
        first = conv.facts.question[0]
        await send(conv, not_sure)
        assert conv.facts.answers[-1] == ("low-personalization-score", first, "unsure")
        events = await send(conv, back)  # the previous question again
        assert conv.facts.question[0] == first
        assert one(events, Answered).role == "back"
        await send(conv, "no, no es eso" if lang == "es" else "no, not that")  # an answer led by "no"
        assert conv.facts.answers[-1][2] == "no"
        events = await send(conv, "s" if lang == "es" else "y")  # the key of «sí» / "yes"
        assert conv.state is State.STEP
        one(events, StepShown)
        await send(conv, done)
        assert conv.facts.attempt.marks[0] == "done"


async def test_unrelated_text_in_a_step_is_kept_as_evidence(kb, matcher):
    conv = Conversation(kb, matcher, lang="en")
    await start(conv)
    await choose(conv, "cause:invalid-api-key#wrong-key")
    assert conv.state is State.STEP
    events = await send(conv, "hmm let me think")
    assert conv.state is State.STEP
    assert one(events, StepShown).index == 0
    assert "hmm let me think" in conv.facts.descriptions
    # a lone answer word where no such answer is offered is not a description either
    events = await send(conv, "browse")
    assert "didn't get that" in texts(events) and conv.state is State.STEP
    events = await send(conv, "no")  # at a step: not yet
    assert "No rush" in texts(events) and conv.state is State.STEP
    assert conv.facts.descriptions.count("no") == 0 and "browse" not in conv.facts.descriptions


async def test_a_new_problem_in_the_middle_starts_over(kb, matcher):
    conv = Conversation(kb, matcher, lang="en")
    await start(conv)
    await choose(conv, "cause:invalid-api-key#wrong-key")
    events = await send(conv, "429 Too Many Requests, rate limit exceeded")
    assert one(events, Matched).result.best == "rate-limit-exceeded"
    assert conv.state is State.CONFIRM
    assert conv.facts.attempts == []


async def test_commands_in_both_languages(kb, matcher):
    conv = Conversation(kb, matcher, lang="es")
    await start(conv)
    await choose(conv, "entry:invalid-api-key")
    events = await send(conv, "/ayuda")
    assert any(e.markdown and "/reiniciar" in e.text for e in of(events, Say))
    assert conv.state is State.CONFIRM
    await send(conv, "/reiniciar")
    assert conv.state is State.DESCRIBE and conv.facts.entry_id is None
    events = await send(conv, "/escalar")
    esc = one(events, Escalated)
    assert esc.severity == "MEDIUM"  # no entry identified
    assert conv.lang == "es" and not of(events, LanguageChanged)  # /escalar does not switch language
    events = await send(conv, "/escalate")
    assert conv.lang == "es"
    # text that starts with "/" but is no command is a description
    await send(conv, "/restart")
    events = await send(conv, "/v2/verify returns 401 Unauthorized invalid api key")
    assert one(events, Matched).result.best == "invalid-api-key"


async def test_escalation_has_a_way_back(kb, matcher):
    conv = Conversation(kb, matcher, lang="en")
    await start(conv)
    await choose(conv, "entry:invalid-api-key")
    events = await choose(conv, "escalate")
    assert conv.state is State.ESCALATED
    assert "back" in choice_ids(events)
    await choose(conv, "back")
    assert conv.state is State.CONFIRM


async def test_unknown_choice_is_refused_politely(kb, matcher):
    conv = Conversation(kb, matcher, lang="en")
    await start(conv)
    await choose(conv, "entry:invalid-api-key")
    events = await choose(conv, "done")
    assert conv.state is State.CONFIRM
    assert "not available" in texts(events)
    assert choice_ids(events) == ["yes", "no", "escalate"]


async def test_switching_language_resays_the_current_prompt(kb, matcher):
    from copycar_assist.conversation import collect

    conv = Conversation(kb, matcher, lang="es")
    await start(conv)
    await choose(conv, "cause:invalid-api-key#expired-key")
    await choose(conv, "done")
    events = await collect(conv.set_language("en"))
    assert events[0] == LanguageChanged("en")
    step = one(events, StepShown)
    assert step.index == 1
    assert step.text == kb.entries["invalid-api-key"].cause("expired-key").steps["en"][1]
    assert [c.label for c in prompt_of(events).choices][:2] == ["Done", "Skip"]
    events = await send(conv, "/lang es")
    assert one(events, LanguageChanged).lang == "es"
    assert one(events, StepShown).text == kb.entries["invalid-api-key"].cause("expired-key").steps["es"][1]
    await send(conv, "/idioma")  # toggles
    assert conv.lang == "en"
    events = await send(conv, "/lang fr")
    assert "Usage" in texts(events)


async def test_every_prompt_has_distinct_keys_and_typed_choices(kb, matcher):
    from copycar_assist.conversation import Role

    for lang in ("es", "en"):
        conv = Conversation(kb, matcher, lang=lang)
        seen = [await start(conv)]
        for action in ("browse", "cat:connection-auth", "entry:invalid-api-key"):
            seen.append(await choose(conv, action))
        await choose(conv, "restart")
        seen.append(await choose(conv, "cause:low-personalization-score#poor-prompts"))
        seen.append(await choose(conv, "done"))
        seen.append(await choose(conv, "escalate"))
        seen.append(await send(conv, "la impresora hace ruido"))
        for events in seen:
            for p in of(events, Prompt):
                keys = [c.key for c in p.choices if c.key]
                assert len(keys) == len(set(keys)), (lang, p)
                assert all(c.label and isinstance(c.role, Role) for c in p.choices)
    # one key per role and language: «s» is «Sí» in Spanish, never «Saltar»
    conv = Conversation(kb, matcher, lang="es")
    await start(conv)
    events = await choose(conv, "cause:invalid-api-key#wrong-key")
    assert {c.role: c.key for c in prompt_of(events).choices}[Role.SKIP] != "s"


async def test_a_pasted_english_error_does_not_switch_a_spanish_user(kb, matcher):
    conv = Conversation(kb, matcher)
    conv.lang = "es"  # the app starts in the UI's language and still follows the user
    await start(conv)
    events = await send(conv, "Traceback (most recent call last):\n  File \"sync.py\", line 8\n"
                              "requests.exceptions.HTTPError: 401 Client Error: Unauthorized")
    assert not of(events, LanguageChanged) and conv.lang == "es"
    assert conv.facts.entry_id == "invalid-api-key"  # understood all the same
    other = Conversation(kb, matcher)
    other.lang = "es"
    await start(other)
    await send(other, "the api key was rejected")  # words the user wrote: followed
    assert other.lang == "en"


async def test_a_pasted_key_is_shown_masked_and_the_description_still_matches(kb, matcher):
    """Every front end shows what the user said from the engine's `UserSaid`: a key pasted with
    the problem comes back masked there (and in the transcript), the match is unchanged."""
    conv = Conversation(kb, matcher)
    await start(conv)
    events = await send(conv, "my key sk-live-4f9a2c7e1b8d3f60 gives 401 unauthorized")
    assert one(events, UserSaid).text == "my key sk-…3f60 gives 401 unauthorized"
    assert one(events, Matched).result.best == "invalid-api-key"
    assert "4f9a2c7e1b8d" not in conv.transcript_markdown()
