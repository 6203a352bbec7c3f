"""email.spam (explainable rules, Spanish and English) and email.limits."""

from __future__ import annotations

import pytest

from copycar_assist.checks.base import Inputs
from copycar_assist.checks.email import LimitsCheck
from copycar_assist.checks.spam import SpamCheck, load_rules, score
from copycar_assist.config import Settings

from fixtures_integrations import make_ctx

SPAM_ES = """Asunto: ¡¡GANA DINERO YA!!

¡¡HAZ CLIC AQUÍ!! Oferta limitada, 100% garantizado y totalmente GRATIS!!!
Entra en http://bit.ly/xyz y compra ya $$$"""

SPAM_EN = """Subject: FREE MONEY FOR YOU

ACT NOW!!! Click here to claim your FREE MONEY, 100% guaranteed, risk-free!!!
https://tinyurl.com/abc  https://tinyurl.com/def"""

HAM_ES = """Asunto: Informe mensual de ventas

Hola Marta:

Te adjunto el resumen de las ventas de marzo. Las cuentas nuevas crecieron un 12 % y el equipo
de Valencia cerró tres acuerdos con clientes del sector logístico. El jueves repasamos las cifras
en la reunión de las diez; si prefieres otro día, dímelo y lo movemos.

Un saludo,
Jorge

Si no quieres recibir más estos correos, puedes darte de baja aquí: https://example.com/baja"""

HAM_EN = """Subject: Your March report

Hi Sam, the March numbers are attached. New accounts grew 12 percent and the Leeds team closed
three deals with logistics customers. We will go through the figures at Thursday's meeting at ten;
if another day suits you better, tell me and we will move it.

Best, Jo
Unsubscribe or manage preferences: https://example.com/prefs"""


async def spam(text, http_client, lang="en"):
    return await SpamCheck().run(make_ctx(Settings(), http_client, lang=lang, inputs=Inputs(email_text=text)))


@pytest.mark.parametrize("text, lang", [(SPAM_ES, "es"), (SPAM_EN, "en")])
async def test_spammy_messages_fail_with_their_rules(text, lang, http_client):
    f = await spam(text, http_client, lang)
    assert (f.status, f.outcome) == ("fail", "spammy")
    assert f.evidence["score"] >= load_rules().spammy
    rules = {k for k in f.evidence if k.startswith("rule ")}
    assert {"rule caps", "rule shorteners", "rule no_unsubscribe", "rule exclamations"} <= rules
    # every fired rule shows its weight
    for k in rules:
        assert f.evidence[k].startswith("+")
    assert sum(float(f.evidence[k].split(" ", 1)[0]) for k in rules) == pytest.approx(f.evidence["score"])


@pytest.mark.parametrize("text", [HAM_ES, HAM_EN])
async def test_ordinary_messages_pass(text, http_client):
    f = await spam(text, http_client)
    assert (f.status, f.outcome) == ("pass", "ok"), f.evidence
    assert f.evidence["score"] < load_rules().warn


def test_phrases_are_case_and_accent_insensitive_and_not_double_counted():
    total, fired, _ = score("Todo es GRÁTIS y está 100% GARANTIZADO. Darse de baja: x")
    by_id = {f.id: f for f in fired}
    assert "gratis" in by_id["phrase_free"].detail
    assert by_id["phrase_guarantee"].detail == "«100% garantizado»"  # not also «garantizado»


def test_html_images_and_links():
    html = ('<html><body><img src="a.png"><img src="b.png"><p>Hola</p>'
            '<a href="http://203.0.113.9/x">x</a><a href="https://ex.test/baja">darse de baja</a></body></html>')
    _, fired, _ = score(html)
    ids = {f.id for f in fired}
    assert {"image_ratio", "ip_links", "link_ratio"} <= ids
    assert "no_unsubscribe" not in ids


async def test_no_text_is_skipped(http_client):
    f = await spam("   ", http_client)
    assert (f.status, f.outcome) == ("skipped", "skipped")


async def test_huge_paste_is_cut_and_controls_removed(http_client):
    f = await spam("\x1b]0;title\x07hola " * 40000, http_client)
    assert "note" in f.evidence
    assert "\x1b" not in f.summary + repr(f.evidence)


async def test_borderline_is_warn(http_client):
    text = ("Hi Ann, the report is ready: click here to read it today, it is urgent. "
            + "Plain words about the quarter and its numbers. " * 6)
    f = await spam(text, http_client)
    assert (f.status, f.outcome, f.evidence["score"]) == ("warn", "spammy", 3.0)
    assert set(k for k in f.evidence if k.startswith("rule ")) == {
        "rule phrase_urgency", "rule phrase_click", "rule no_unsubscribe"}


def limits(limit, sent):
    s = Settings()
    s.smtp.daily_limit, s.smtp.sent_today = limit, sent
    return s


@pytest.mark.parametrize("limit, sent, status, outcome", [
    (500, 100, "pass", "ok"), (500, 449, "pass", "ok"), (500, 450, "warn", "near_limit"),
    (500, 500, "fail", "exceeded"), (500, 800, "fail", "exceeded"),
])
async def test_limits(limit, sent, status, outcome, http_client):
    f = await LimitsCheck().run(make_ctx(limits(limit, sent), http_client))
    assert (f.status, f.outcome) == (status, outcome)
    assert f.evidence["daily_limit"] == limit and f.evidence["sent_today"] == sent


async def test_limits_unknown_count_is_skipped_with_reason(http_client):
    f = await LimitsCheck().run(make_ctx(limits(500, None), http_client, lang="es"))
    assert (f.status, f.outcome) == ("skipped", "skipped")
    assert "smtp.sent_today" in f.summary
