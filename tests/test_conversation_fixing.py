"""The engine from the cause on: the fix walked step by step (done, skipped, back; the step about
what was found first; the code a step means), "did that fix it?" verified by the checks, "still
broken" checked again, closing on the user's word, and the next cause. Real checks against the
demo simulator; no doubles of our code."""

from __future__ import annotations

import re

import pytest

from copycar_assist.conversation import (
    CauseFound,
    ChecksStarted,
    Conversation,
    Escalated,
    Resolved,
    State,
    StepShown,
    UserSaid,
)

from fixtures_conversation import (
    answer_no_until,
    choice_ids,
    choose,
    finish_steps,
    of,
    one,
    send,
    settings_for,
    start,
    texts,
    to_entry,
)


async def test_steps_done_skipped_and_back(kb, matcher, sim):
    sim.set_scenario("expired-key")
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        await to_entry(conv, "invalid-api-key")
        events = await choose(conv, "done")
        assert one(events, StepShown).index == 1
        assert "back" in choice_ids(events)
        events = await choose(conv, "back")
        assert one(events, StepShown).index == 0
        await choose(conv, "skip")
        await choose(conv, "done")
        events = await choose(conv, "done")
        assert conv.state is State.ASK_FIXED
        assert choice_ids(events) == ["fixed", "not_fixed", "back", "escalate"]
        assert conv.facts.attempt.marks == ["skipped", "done", "done"]


async def test_a_question_at_a_step_is_not_taken_for_done(kb, matcher, sim):
    """«y dónde está el panel?» at a step: "and where…", not "y(es)"; the words are kept whole."""
    sim.set_scenario("expired-key")
    async with Conversation(kb, matcher, settings_for(sim), lang="es") as conv:
        await to_entry(conv, "invalid-api-key")
        assert conv.state is State.STEP and conv.facts.step_index == 0
        events = await send(conv, "y donde esta el panel? no lo encuentro")
        assert conv.state is State.STEP and conv.facts.step_index == 0
        assert conv.facts.attempt.marks[0] is None
        events = await send(conv, "ya, lo he hecho con la clave nueva")  # an answer, then more words
        assert one(events, UserSaid).text == "ya, lo he hecho con la clave nueva"
        assert conv.facts.attempt.marks[0] == "done" and conv.facts.step_index == 1


@pytest.mark.parametrize(("lang", "said", "reply"), [
    ("es", "no", "Sin prisa"), ("es", "todavía no", "Sin prisa"), ("en", "nope", "No rush"),
    ("en", "not yet, give me a minute", "No rush"),
    ("es", "no puedo, no tengo acceso al panel", "quien administre la cuenta"),
    ("en", "I can't, I have no access to it", "whoever administers the account"),
    ("es", "no sé dónde está eso", "no da más detalle de este paso"),  # it was taken as «no sé»: skipped
    ("en", "where is the dashboard?", "says no more about this step"),
    ("es", "no funciona", "al terminar los pasos"), ("en", "still broken", "once the steps are through"),
    ("es", "ya funciona", "al final compruebo"), ("en", "it works", "at the end I check"),
])
async def test_words_about_the_step_get_an_answer_and_leave_the_step_as_it_was(kb, matcher, sim, lang, said, reply):
    """At "Step 1 of 3: done?", "no" was "I didn't get that as an answer", "no sé dónde está eso"
    skipped the step, and "no puedo…" was "Noted"."""
    sim.set_scenario("expired-key")
    async with Conversation(kb, matcher, settings_for(sim), lang=lang) as conv:
        await to_entry(conv, "invalid-api-key")
        events = await send(conv, said)
        assert reply in texts(events)
        assert conv.state is State.STEP and conv.facts.step_index == 0 and conv.facts.attempt.marks[0] is None
        assert one(events, UserSaid).text == said and not conv.facts.cues
        assert events[-1].type == "prompt" and "done" in choice_ids(events)


async def test_another_problem_told_at_a_step_is_still_another_problem(kb, matcher, sim):
    sim.set_scenario("expired-key")
    async with Conversation(kb, matcher, settings_for(sim), lang="es") as conv:
        await to_entry(conv, "invalid-api-key")
        await send(conv, "aparte, no puedo enviar correos: rebotan todos con error 550")
        assert conv.facts.entry_id == "email-delivery-failed"


async def test_fix_verified_by_rerunning_the_check(kb, matcher, sim):
    sim.set_scenario("expired-key")
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        await to_entry(conv, "invalid-api-key")
        await finish_steps(conv)
        sim.set_scenario("healthy")  # the user put a new key in place
        before = sim.request_count()
        events = await choose(conv, "fixed")
        assert set(one(events, ChecksStarted).check_ids) == {"api.verify"}
        assert sim.request_count() == before + 1
        resolved = one(events, Resolved)
        assert resolved.verified and resolved.steps_done == 3
        assert conv.state is State.RESOLVED
        assert "passes now" in texts(events)
        assert conv.facts.attempt.verified == "pass"
        assert choice_ids(events) == ["restart", "not_fixed"]


async def test_fix_claimed_but_check_still_fails(kb, matcher, sim):
    sim.set_scenario("expired-key")
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        await to_entry(conv, "invalid-api-key")
        await finish_steps(conv)
        events = await choose(conv, "fixed")
        assert not of(events, Resolved)
        assert conv.state is State.VERIFY_FAILED
        assert "still shows the same problem" in texts(events)
        assert choice_ids(events) == ["back", "next_cause", "fixed", "escalate"]
        events = await choose(conv, "back")  # the steps again
        assert one(events, StepShown).index == 0
        await finish_steps(conv)
        await choose(conv, "fixed")
        events = await choose(conv, "escalate")
        esc = one(events, Escalated)
        assert conv.state is State.ESCALATED
        assert "expired-key" in esc.ticket_markdown


async def test_closed_on_the_users_word_while_the_check_still_sees_it(kb, matcher, sim):
    """A DNS record that has not spread yet: the check still fails, the user closes the case on
    their word; it is never called verified."""
    sim.set_scenario("expired-key")
    async with Conversation(kb, matcher, settings_for(sim), lang="es") as conv:
        await to_entry(conv, "invalid-api-key")
        await finish_steps(conv)
        await choose(conv, "fixed")
        assert conv.state is State.VERIFY_FAILED
        assert [c.label for c in conv.prompt.choices if c.role == "fixed"] == ["Darlo por resuelto igualmente"]
        events = await choose(conv, "fixed")
        resolved = one(events, Resolved)
        assert not resolved.verified and conv.state is State.RESOLVED
        assert "seguía viendo la causa" in texts(events) and "verificado" not in texts(events).replace("no verificado", "")
        assert conv.facts.attempt.verified == "still"


async def test_not_fixed_while_the_check_still_sees_the_cause_keeps_the_cause(kb, matcher, sim):
    """The cause a check found is not dropped on "still broken": the check runs again and still
    sees it, so the fix has not taken effect (it said "that was not it" and asked about other
    causes); asking for another cause then moves on, once."""
    sim.set_scenario("expired-key")
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        await to_entry(conv, "invalid-api-key")
        await finish_steps(conv)
        before = sim.request_count()
        events = await choose(conv, "not_fixed")
        assert set(one(events, ChecksStarted).check_ids) == {"api.verify"} and sim.request_count() == before + 1
        assert "that was not it" not in texts(events)
        assert "the check still sees the cause" in texts(events) and "expired" in texts(events)
        assert conv.state is State.VERIFY_FAILED and conv.facts.cause == ("invalid-api-key", "expired-key")
        events = await choose(conv, "next_cause")
        assert "next most probable cause" in texts(events)
        assert conv.state is State.QUESTION and conv.facts.question[0] != "expired-key"  # another cause
        assert ("invalid-api-key", "expired-key") in conv.facts.tried


async def test_not_fixed_when_the_check_no_longer_sees_the_cause_looks_further(kb, matcher, sim):
    sim.set_scenario("expired-key")
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        await to_entry(conv, "invalid-api-key")
        await finish_steps(conv)
        sim.set_scenario("healthy")  # the new key works, yet the customer still sees the problem
        events = await choose(conv, "not_fixed")
        assert one(events, ChecksStarted)
        assert "no longer sees that cause" in texts(events) and "that was not it" not in texts(events)
        assert conv.state is not State.VERIFY_FAILED
        assert ("invalid-api-key", "expired-key") in conv.facts.tried


async def test_a_check_that_passed_before_the_fix_does_not_verify_it(kb, matcher, sim):
    """Healthy world, a cause chosen from the user's answers: the check that can see it passed
    before the fix as well, so "fixed" is the user's word, not "verified"."""
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        await to_entry(conv, "invalid-api-key")  # healthy: every check passes
        while conv.state is State.QUESTION:
            await choose(conv, "yes")
        assert conv.state is State.STEP
        await finish_steps(conv)
        events = await choose(conv, "fixed")
        resolved = one(events, Resolved)
        assert not resolved.verified and "cannot tell whether it worked" in texts(events)
        assert "Solved and verified" not in texts(events)


async def test_next_cause_after_a_failed_verification_does_not_crash(kb, matcher, sim):
    """The path that crashed in the first version: invalid key, every step done, "not fixed",
    then "try the next likely cause"."""
    sim.set_scenario("invalid-key")
    async with Conversation(kb, matcher, settings_for(sim), lang="es") as conv:
        await start(conv)
        await send(conv, "me sale 401")
        await send(conv, "s")
        await finish_steps(conv)
        events = await send(conv, "s")  # «sí, resuelto» — the check says otherwise
        assert conv.state is State.VERIFY_FAILED
        events = await send(conv, "c")  # «probar otra causa»
        assert not of(events, type(None))
        assert events[-1].type == "prompt"
        assert conv.state in (State.QUESTION, State.STEP, State.ASK_FIXED)
        assert ("invalid-api-key", "wrong-key") in conv.facts.tried


async def test_next_cause_is_the_next_most_probable(kb, matcher):
    async with Conversation(kb, matcher, lang="en") as conv:
        await to_entry(conv, "low-personalization-score")
        await choose(conv, "no")  # the narrowing question: no data is missing
        first = conv.facts.question[0]
        await choose(conv, "yes")
        await finish_steps(conv)
        events = await choose(conv, "not_fixed")
        assert "that was not it" in texts(events)
        assert conv.state is State.QUESTION
        belief = conv.belief()
        assert belief.p[first] == 0.0
        assert conv.facts.question[0] == belief.ranked()[0]  # the most probable cause left
        # answer no to everything left: nothing remains after a failed fix → escalate
        events = await answer_no_until(conv, None)
        esc = one(events, Escalated)
        assert esc.reason == "exhausted"
        assert "no more likely causes" in texts(events)
        assert f"(`low-personalization-score#{first}`) — not fixed" in esc.ticket_markdown


async def test_verification_shows_another_cause(kb, matcher, sim):
    """The new key is valid but lacks a scope: the re-run /verify answers 403."""
    sim.set_scenario("expired-key")
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        await to_entry(conv, "invalid-api-key")
        await finish_steps(conv)
        sim.set_scenario("forbidden")
        events = await choose(conv, "fixed")
        assert not of(events, Resolved)
        assert "now shows something else" in texts(events)
        found = one(events, CauseFound)
        assert (found.entry, found.cause) == ("invalid-api-key", "insufficient-permissions")
        assert [r.outcome for r in found.evidence] == ["forbidden"]
        assert [a.verified for a in conv.facts.attempts] == ["pass", None]
        assert conv.state is State.STEP


async def test_the_step_about_a_pasted_code_comes_first_and_the_ticket_keeps_that_order(kb, matcher):
    """535 pasted: the guide's third step (about a 535) is shown first, the others after it in
    the guide's order; the ticket lists the steps as they were shown, each with its mark."""
    from copycar_assist.conversation.ticketing import ticket_data

    guide = kb.entries["email-delivery-failed"].cause("smtp-misconfigured").steps["en"]
    async with Conversation(kb, matcher, lang="en") as conv:
        await start(conv)
        await send(conv, "our campaign mails fail: smtplib.SMTPAuthenticationError: (535, b'5.7.8 not accepted')")
        events = await choose(conv, "cause:email-delivery-failed#smtp-misconfigured")
        assert "I start with the step about what was found (535, SMTPAuthenticationError)" in texts(events)
        assert one(events, StepShown).text == guide[2]
        events = await choose(conv, "done")
        assert one(events, StepShown).text == guide[0]
        await choose(conv, "skip")
        attempt = ticket_data(conv).attempts[-1]
        assert [(m.text, m.mark) for m in attempt.steps] == [
            (guide[2], "done"), (guide[0], "skipped"), (guide[1], None), (guide[3], None)]


async def test_without_a_code_the_steps_keep_the_guide_order(kb, matcher):
    guide = kb.entries["email-delivery-failed"].cause("smtp-misconfigured").steps["es"]
    async with Conversation(kb, matcher, lang="es") as conv:
        await start(conv)
        await send(conv, "los correos de la campaña no salen, el error dice 5350 mensajes en cola")  # 5350 is not 535
        events = await choose(conv, "cause:email-delivery-failed#smtp-misconfigured")
        assert "Empiezo por el paso" not in texts(events)
        assert one(events, StepShown).text == guide[0]


async def test_a_step_that_points_to_code_shows_it(kb, matcher):
    async with Conversation(kb, matcher, lang="en") as conv:
        await start(conv)
        await choose(conv, "cause:email-delivery-failed#smtp-misconfigured")
        events = await choose(conv, "done")  # step 2 says "(see the code)"
        step = one(events, StepShown)
        assert "see the code" in step.text
        # only the sample this cause names (`code = [1]`): the SMTP test, not the sending domain's DNS
        assert [("smtplib" in c.code, "dns.resolver" in c.code) for c in step.code] == [(True, False)]
        # the step that tells the user to run this very diagnosis is not shown in the chat
        all_steps = conv.steps()
        assert not any("copycar-assist diagnose" in s for s in all_steps)


@pytest.mark.parametrize(("lang", "cause", "steps_before", "shown"), [
    ("es", "api-unreachable#no-healthy-endpoint", 2, ["class RoundRobin"]),  # `code = [2]`: not the diagnosis script
    ("en", "rate-limit-exceeded#too-many-calls", 1, ["class TokenBucket", "def call_with_retry"]),  # no `code`: all
])
async def test_a_code_step_shows_the_samples_its_cause_names(kb, matcher, lang, cause, steps_before, shown):
    async with Conversation(kb, matcher, lang=lang) as conv:
        await start(conv)
        events = await choose(conv, f"cause:{cause}")
        for _ in range(steps_before):
            events = await choose(conv, "done")
        step = one(events, StepShown)
        assert re.search(r"\b(?:code|código)\b", step.text)
        assert [next((s for s in shown if s in c.code), None) for c in step.code] == shown
