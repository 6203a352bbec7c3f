"""The transition table, walked: every state is reached, every role it lists is offered there and
picked, in both languages, and lands where the table says. Every prompt offers only roles of its
state, and every state has a way on or back. Real knowledge, real matcher, the demo simulator."""

from __future__ import annotations

import pytest

from copycar_assist.conversation import TABLE, Conversation, Role, State

from fixtures_conversation import choose, finish_steps, send, settings_for, start

S = State
SAMPLES = {"account": [("thin record", '{"company": "Acme"}')]}


async def _to(conv: Conversation, sim, state: State, role: Role) -> None:
    """Bring a fresh conversation to `state`, with `role` on offer there."""
    await start(conv)
    if state is S.DESCRIBE:
        return
    if state is S.CLARIFY:
        await send(conv, "el prompt es muy genérico")
    elif state is S.NO_MATCH:  # something near for an entry to be offered, else nothing near
        await send(conv, "Cambiamos la descripción de la promoción en la herramienta, pero en la página siguen "
                         "saliendo los textos de antes, y eso que ya pasó más de un día." if role is Role.PICK_ENTRY
                   else "la impresora de la oficina hace un ruido raro")
    elif state is S.BROWSE_CATEGORIES:
        await choose(conv, "browse")
    elif state is S.BROWSE_ENTRIES:
        await choose(conv, "browse")
        await choose(conv, "cat:connection-auth")
    elif state is S.CONFIRM:
        await choose(conv, "entry:invalid-api-key")
    elif state in (S.GATHER, S.QUESTION, S.NO_CAUSE):
        await choose(conv, "entry:low-personalization-score")
        await choose(conv, "yes")  # the symptoms → the account data (a sample is on offer: one key)
        if state is not S.GATHER:
            await choose(conv, "skip")  # → a narrowing question ("is data missing?")
        if state is S.QUESTION and role is Role.BACK:
            await choose(conv, "no")
        elif state is S.NO_CAUSE:
            while conv.state in (S.QUESTION, S.GATHER):
                await choose(conv, "no" if conv.state is S.QUESTION else "skip")
    elif state in (S.STEP, S.ASK_FIXED) and role is Role.OTHER:  # a fix that is a setting: apply:1
        from copycar_assist.simulator.demo import use_demo

        use_demo(conv.settings, sim)  # the demo CRM: its `company` field was renamed company_name
        sim.set_scenario("crm-field-missing")
        await choose(conv, "entry:crm-integration-failed")
        await choose(conv, "yes")
        if state is S.ASK_FIXED:
            await finish_steps(conv)
    elif state in (S.STEP, S.ASK_FIXED, S.RESOLVED):
        await choose(conv, "cause:low-personalization-score#poor-prompts")
        if state is S.STEP and role is Role.BACK:
            await choose(conv, "done")
        if state is not S.STEP:
            await finish_steps(conv)
        if state is S.RESOLVED:
            await choose(conv, "fixed")
    elif state is S.VERIFY_FAILED:
        sim.set_scenario("expired-key")
        await choose(conv, "entry:invalid-api-key")
        await choose(conv, "yes")  # api.verify: expired
        await finish_steps(conv)
        await choose(conv, "fixed")  # the check still says expired
    elif state is S.ESCALATED:
        await choose(conv, "entry:invalid-api-key")
        await choose(conv, "escalate")
    assert conv.state is state, (state, role, conv.state)


CASES = [(state, role) for state, roles in TABLE.items() for role in roles]


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("state,role", CASES, ids=[f"{s}-{r}" for s, r in CASES])
async def test_every_transition(kb, matcher, wide_matcher, sim, data_dir, lang, state, role):
    sim.set_scenario("healthy")
    m = wide_matcher if state is S.CLARIFY else matcher
    async with Conversation(kb, m, settings_for(sim), lang=lang, samples=SAMPLES) as conv:
        await _to(conv, sim, state, role)
        offered = [c for c in conv.prompt.choices if c.role is role]
        assert offered, f"{state} does not offer {role}: {[c.role for c in conv.prompt.choices]}"
        assert all(c.role in TABLE[state] for c in conv.prompt.choices), conv.prompt.choices
        events = [e async for e in conv.choose(offered[0].id)]
        assert events[-1].type == "prompt" and not [e for e in events if e.type == "error"]
        assert conv.state in TABLE[state][role], (state, role, conv.state)
        assert conv.lang == lang


def test_every_state_has_a_way_on_or_back():
    for state, roles in TABLE.items():
        targets = set().union(*roles.values())
        assert targets - {state}, f"{state} leads nowhere else"
        assert roles.keys() & {Role.BACK, Role.REPHRASE, Role.ESCALATE, Role.OTHER, Role.HANDOFF, Role.BROWSE,
                               Role.SEVERITY}, f"{state} has no way back"
    waits = {s for s in State}  # every state the engine waits in has a row in the table
    assert waits == set(TABLE)


def test_the_engine_dispatches_exactly_the_table(kb, matcher):
    conv = Conversation(kb, matcher)
    assert set(conv._handlers) == {(s, r) for s, roles in TABLE.items() for r in roles}
