import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

from tests.test_cli_chat_json import ROLES, chats, step  # noqa: F401

EXTRA = st.tuples(st.just("text"), st.sampled_from([
    "no, they dont bounce, they just never arrive at the customer", "no, es otra cosa: el crm no sincroniza",
    "y donde esta el panel? no lo encuentro", "ya te dije q ayer funcionaba", "sip", "ni idea la verdad",
    "puede ser, lo desplegaron en un docker nuevo", "no, sigue igual", "si!! ya funciona, gracias",
    "Every Monday my staff write promo emails and it tells us to hold on and try again shortly",
    "Ninguna de las computadoras logra comunicarse con la herramienta, YouTube abre normal",
    "emails not sending, says authentication failed?", "2026-11-30 10:00:01 - INFO - API call: POST /v2/generate - 500 - 120ms\n2026-11-30 10:00:02 - ERROR - Error: boom",
    "/reiniciar", "c", "s", "a",
]))
SCEN = ["invalid-key", "expired-key", "smtp-bad-login", "dns-no-mx", "dns-no-dmarc", "redis-auth", "crm-field-missing",
        "rate-limited", "down", "log-low-success", "prompt-too-short", "healthy", "connection-refused", "alerts-in-spam",
        "spammy-email"]


@pytest.mark.parametrize("scenario", SCEN)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.one_of(step, EXTRA, EXTRA), min_size=1, max_size=40))
def test_long_walks(chats, scenario, steps):
    chat = chats(scenario)
    chat.send({"text": "/restart"})
    for kind, value in steps:
        if kind == "pick":
            choices = chat.prompt["choices"]
            if not choices:
                continue
            request = {"choose": choices[value % len(choices)]["id"]}
        elif kind == "choose":
            request = {"choose": value}
        else:
            request = {"text": value}
        events = chat.send(request)
        last = events[-1]
        assert last["type"] == "prompt" and last["state"]
        assert all(c["role"] in ROLES for c in last["choices"])
