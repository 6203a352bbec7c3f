"""Fixtures for the conversation, support and chat tests: the shipped knowledge, the real
matcher, the demo simulator on loopback and settings pointing at it. No doubles of our code."""

from __future__ import annotations

from copycar_assist.config import Settings
from copycar_assist.conversation import Conversation
from copycar_assist.redact import Secret
from copycar_assist.simulator import DEMO_KEY

# A canary API key: it must never appear whole (or as any 12-character piece) anywhere.
CANARY_KEY = "sk-canary-7d1f0c3a9b8e4f2a6c5d0e1f"


def settings_for(sim, key: str = DEMO_KEY) -> Settings:
    s = Settings()
    s.api.base_url = sim.base_url
    s.api.key = Secret(key)
    s.api.key_source = "demo"
    return s


def of(events, cls) -> list:
    return [e for e in events if isinstance(e, cls)]


def one(events, cls):
    found = of(events, cls)
    assert len(found) == 1, f"expected one {cls.__name__} in {events}"
    return found[0]


def prompt_of(events):
    """The prompt a turn ends with (every turn ends with one)."""
    from copycar_assist.conversation import Prompt

    assert events and isinstance(events[-1], Prompt), f"the turn does not end with a prompt: {events[-1:]}"
    return events[-1]


def choice_ids(events) -> list[str]:
    return [c.id for c in prompt_of(events).choices]


def texts(events) -> str:
    from copycar_assist.conversation import Say

    return "\n".join(e.text for e in of(events, Say))


async def send(conv: Conversation, text: str) -> list:
    from copycar_assist.conversation import collect

    return await collect(conv.send(text))


async def choose(conv: Conversation, choice_id: str) -> list:
    from copycar_assist.conversation import collect

    return await collect(conv.choose(choice_id))


async def start(conv: Conversation) -> list:
    from copycar_assist.conversation import collect

    return await collect(conv.start())


async def to_entry(conv: Conversation, entry_id: str, skip_inputs: bool = True) -> list:
    """Start, pick the entry, confirm its symptoms, skip any input a check asks for (then the
    checks run): the events of the last step."""
    from copycar_assist.conversation import State

    await start(conv)
    await choose(conv, f"entry:{entry_id}")
    events = await choose(conv, "yes")
    while skip_inputs and conv.state is State.GATHER:
        events = await choose(conv, "skip")
    return events


async def finish_steps(conv: Conversation, marks=("done",)) -> list:
    """Mark every step (cycling through `marks`) until the engine asks whether it is fixed."""
    from copycar_assist.conversation import State

    events: list = []
    n = 0
    while conv.state is State.STEP:
        events = await choose(conv, marks[n % len(marks)])
        n += 1
        assert n < 20
    return events


async def answer_no_until(conv: Conversation, cause_id: str | None) -> list:
    """Answer "no" to the questions asked (and skip any material asked for) until the one about
    `cause_id` (None: until none is left); the events of the last answer ([] if none was needed)."""
    from copycar_assist.conversation import State

    events: list = []
    n = 0
    while conv.state in (State.QUESTION, State.GATHER) and (cause_id is None or conv.facts.question is None
                                                             or conv.facts.question[0] != cause_id):
        events = await choose(conv, "no" if conv.state is State.QUESTION else "skip")
        n += 1
        assert n < 20
    return events
