"""The engine from the symptoms on: check-driven and question-driven causes, steps, verification
after a fix, the next likely cause, switching entries. Real checks against the demo simulator."""

from __future__ import annotations

from fixtures_conversation import (  # noqa: F401
    answer_no_until, choice_ids, finish_steps, kb, matcher, of, one, settings_for, sim, texts, to_entry,
)

from copycar_assist.conversation import (
    CauseFound, CheckProgress, ChecksStarted, Choices, Conversation, Escalated, Resolved, Say, State,
    StepShown,
)


async def test_expired_key_is_found_by_the_check(kb, matcher, sim):
    sim.set_scenario("expired-key")
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        events = await to_entry(conv, "invalid-api-key")
        started = one(events, ChecksStarted)
        assert started.check_ids == ["api.key_configured", "api.verify"]
        finished = [e.event.result for e in of(events, CheckProgress) if hasattr(e.event, "result")]
        assert {r.id for r in finished} == {"api.key_configured", "api.verify"}
        found = one(events, CauseFound)
        assert (found.entry_id, found.cause_id) == ("invalid-api-key", "expired-key")
        assert [r.id for r in found.evidence] == ["api.verify"]
        assert found.evidence[0].outcome == "expired"
        step = one(events, StepShown)
        steps = kb.entries["invalid-api-key"].cause("expired-key").steps["en"]
        assert (step.index, step.total, step.text) == (0, len(steps), steps[0])
        assert choice_ids(events) == ["done", "skip", "escalate"]
        # order: announcement, progress, results, cause, step
        kinds = [type(e).__name__ for e in events]
        assert kinds.index("ChecksStarted") < kinds.index("CheckProgress") < kinds.index("CauseFound") < kinds.index("StepShown")
        # the checks' words are shown as plain text, never as Markdown
        assert all(not e.markdown for e in of(events, Say) if "(401)" in e.text)


async def test_steps_done_skipped_and_back(kb, matcher, sim):
    sim.set_scenario("expired-key")
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        await to_entry(conv, "invalid-api-key")
        events = await conv.choose("done")
        assert one(events, StepShown).index == 1
        assert "back" in choice_ids(events)
        events = await conv.choose("back")
        assert one(events, StepShown).index == 0
        await conv.choose("skip")
        await conv.choose("done")
        events = await conv.choose("done")
        assert conv.state is State.ASK_FIXED
        assert choice_ids(events) == ["yes", "no", "escalate"]
        assert conv.facts.attempt.marks == ["skipped", "done", "done"]


async def test_fix_verified_by_rerunning_the_check(kb, matcher, sim):
    sim.set_scenario("expired-key")
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        await to_entry(conv, "invalid-api-key")
        await finish_steps(conv)
        sim.set_scenario("healthy")  # the user put a new key in place
        before = sim.request_count()
        events = await conv.choose("yes")
        assert one(events, ChecksStarted).check_ids == ["api.verify"]  # only what found the cause
        assert sim.request_count() == before + 1
        one(events, Resolved)
        assert conv.state is State.RESOLVED
        assert "passes now" in texts(events)
        assert conv.facts.attempt.verified == "pass"
        assert choice_ids(events) == ["restart"]


async def test_fix_claimed_but_check_still_fails(kb, matcher, sim):
    sim.set_scenario("expired-key")
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        await to_entry(conv, "invalid-api-key")
        await finish_steps(conv)
        events = await conv.choose("yes")
        assert not of(events, Resolved)
        assert conv.state is State.VERIFY_FAILED
        assert choice_ids(events) == ["retry", "next", "escalate"]
        assert "still shows" in texts(events)
        events = await conv.choose("retry")
        assert one(events, StepShown).index == 0
        await finish_steps(conv)
        events = await conv.choose("no")
        # the checks ruled out every other cause; those with a question are still asked (the
        # failing integration may use another key), with a word on why; then nothing is left
        entry = kb.entries["invalid-api-key"]
        asked = [c.id for c in entry.causes if c.question and c.id != "expired-key"]
        if asked:
            assert "another key or in another environment" in texts(events)
            assert conv.facts.pending_questions == asked
        events = await answer_no_until(conv, None)
        esc = one(events, Escalated)
        assert conv.state is State.ESCALATED
        assert "expired-key" in esc.ticket_markdown


async def test_cause_from_another_entry_switches_entry(kb, matcher, sim):
    sim.set_scenario("down")
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        events = await to_entry(conv, "invalid-api-key")
        found = one(events, CauseFound)
        assert (found.entry_id, found.cause_id) == ("api-unreachable", "service-down")
        assert "different problem" in texts(events)
        assert conv.facts.entry_id == "api-unreachable"
        events = await conv.choose("escalate")
        esc = one(events, Escalated)
        assert esc.severity == "CRITICAL" and esc.level == 3


async def test_question_driven_cause(kb, matcher):
    """low-personalization-score: its check needs the account data (not given) and is skipped,
    so its causes are asked about, in order."""
    async with Conversation(kb, matcher, lang="en") as conv:
        events = await to_entry(conv, "low-personalization-score")
        entry = kb.entries["low-personalization-score"]
        assert conv.state is State.QUESTION
        assert one(events, Choices).prompt == entry.causes[0].question["en"]
        assert choice_ids(events) == ["yes", "no", "escalate"]
        events = await conv.choose("no")
        assert one(events, Choices).prompt == entry.cause("poor-prompts").question["en"]
        events = await conv.choose("yes")
        found = one(events, CauseFound)
        assert (found.entry_id, found.cause_id, found.evidence) == ("low-personalization-score", "poor-prompts", [])
        assert one(events, StepShown).text == entry.cause("poor-prompts").steps["en"][0]
        await finish_steps(conv)
        events = await conv.choose("yes")
        one(events, Resolved)  # no check can confirm it: the user's word is taken
        assert not of(events, ChecksStarted)
        assert "go by your answer" in texts(events)


async def test_next_likely_cause_when_the_fix_did_not_help(kb, matcher):
    async with Conversation(kb, matcher, lang="en") as conv:
        await to_entry(conv, "low-personalization-score")
        await conv.choose("no")   # thin-account-data: no
        await conv.choose("yes")  # poor-prompts: yes
        await finish_steps(conv, marks=("done", "skip"))
        events = await conv.choose("no")
        assert "that was not it" in texts(events)
        # the next cause in order that is neither tried nor ruled out: limited-context
        assert conv.state is State.QUESTION
        assert conv.facts.pending_questions[0] == "limited-context"
        events = await conv.choose("yes")
        assert one(events, CauseFound).cause_id == "limited-context"
        assert conv.facts.tried == [("low-personalization-score", "poor-prompts")]
        await finish_steps(conv)
        await conv.choose("no")
        events = await conv.choose("no")  # wrong-settings: no → nothing left → escalate
        esc = one(events, Escalated)
        assert esc.severity == kb.entries["low-personalization-score"].severity
        assert "no more likely causes" in texts(events)
        assert "no more likely causes" in esc.ticket_markdown.split("## Transcript")[1]
        assert "(`low-personalization-score#poor-prompts`) — not fixed" in esc.ticket_markdown


async def test_question_asked_when_checks_cannot_finish(kb, matcher):
    """The checks run out of time (slow API): the causes only /verify could tell apart stay
    open and their questions come first; insufficient-permissions is found by its question."""
    from copycar_assist.simulator import start_simulator

    with start_simulator("slow", delay_ms=3000) as slow:
        async with Conversation(kb, matcher, settings_for(slow), lang="en", check_deadline_s=0.5) as conv:
            events = await to_entry(conv, "invalid-api-key")
            results = {e.event.result.id: e.event.result for e in of(events, CheckProgress)
                       if hasattr(e.event, "result")}
            assert results["api.key_configured"].status == "pass"
            assert results["api.verify"].status == "error"
            assert not of(events, CauseFound)
            assert conv.state is State.QUESTION
            entry = kb.entries["invalid-api-key"]
            # missing-key was ruled out by the passing key check; the rest are open
            assert conv.facts.ruled_out == {("invalid-api-key", "missing-key")}
            open_with_question = [c.id for c in entry.causes if c.question and c.id != "missing-key"]
            assert conv.facts.pending_questions == open_with_question
            assert "insufficient-permissions" in open_with_question
            assert "another key" not in texts(events)
            await answer_no_until(conv, "insufficient-permissions")
            events = await conv.choose("yes")
            assert one(events, CauseFound).cause_id == "insufficient-permissions"


async def test_no_cause_found_offers_escalation(kb, matcher, sim):
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        events = await to_entry(conv, "invalid-api-key")  # healthy: every check passes
        assert "did not point to a cause" in texts(events)
        assert conv.facts.ruled_out == {("invalid-api-key", c) for c in
                                        ("missing-key", "wrong-key", "expired-key", "insufficient-permissions")}
        # asked anyway, with the reason, since the failing integration may use another key
        assert "another key or in another environment" in texts(events)
        assert conv.state is State.QUESTION
        assert "insufficient-permissions" in conv.facts.pending_questions
        events = await answer_no_until(conv, None)
        assert conv.state is State.NO_CAUSE
        assert "couldn't find the cause" in texts(events)
        assert choice_ids(events) == ["escalate", "rephrase", "restart"]
        events = await conv.choose("escalate")
        assert one(events, Escalated).severity == "HIGH"


async def test_progress_goes_live_to_on_progress(kb, matcher, sim):
    sim.set_scenario("expired-key")
    live: list = []
    async with Conversation(kb, matcher, settings_for(sim), lang="en", on_progress=live.append) as conv:
        events = await to_entry(conv, "invalid-api-key")
    assert isinstance(live[0], Say) and isinstance(live[1], ChecksStarted)
    assert any(isinstance(e, CheckProgress) for e in live)
    assert not of(events, CheckProgress) and not of(events, ChecksStarted)
    one(events, CauseFound)


async def test_jump_straight_to_a_cause(kb, matcher):
    async with Conversation(kb, matcher, lang="es") as conv:
        conv.start()
        events = await conv.choose("cause:invalid-api-key#wrong-key")
        assert one(events, CauseFound).cause_id == "wrong-key"
        assert one(events, StepShown).text == kb.entries["invalid-api-key"].cause("wrong-key").steps["es"][0]
        events = await conv.choose("cause:invalid-api-key#nope")
        assert "no está disponible" in texts(events)


async def test_verification_shows_another_cause(kb, matcher, sim):
    """The new key is valid but lacks a scope: the re-run /verify answers 403."""
    sim.set_scenario("expired-key")
    async with Conversation(kb, matcher, settings_for(sim), lang="en") as conv:
        await to_entry(conv, "invalid-api-key")
        await finish_steps(conv)
        sim.set_scenario("forbidden")
        events = await conv.choose("yes")
        assert not of(events, Resolved)
        assert "now shows something else" in texts(events)
        found = one(events, CauseFound)
        assert (found.entry_id, found.cause_id) == ("invalid-api-key", "insufficient-permissions")
        assert [r.outcome for r in found.evidence] == ["forbidden"]
        assert conv.facts.tried == [("invalid-api-key", "expired-key")]
        assert [a.verified for a in conv.facts.attempts] == ["pass", None]
        assert conv.state is State.STEP


async def test_rate_limited_verify_switches_to_the_rate_limit_entry(kb, matcher, sim):
    sim.set_scenario("rate-limited")
    async with Conversation(kb, matcher, settings_for(sim), lang="es") as conv:
        # the demo answers 429 after N calls; use them up first
        for _ in range(70):
            if (await to_entry(conv, "invalid-api-key")) and conv.facts.entry_id != "invalid-api-key":
                break
            await conv.choose("restart")
        assert conv.facts.entry_id == "rate-limit-exceeded"
        assert conv.facts.cause == ("rate-limit-exceeded", "too-many-calls")
