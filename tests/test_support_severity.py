"""Severity proposal and escalation lookup, from the shipped support data (knowledge/support.toml)."""

from __future__ import annotations

import pytest

from copycar_assist.checks.base import CheckResult
from copycar_assist.support.escalation import describe, escalation_for, format_minutes
from copycar_assist.support.severity import DOWN_OUTCOMES, propose_severity


def result(check_id: str, status: str, outcome: str) -> CheckResult:
    return CheckResult(check_id, status, outcome, "summary", {}, 5)


def test_entry_severity_is_the_base(kb):
    for entry in kb.entries.values():
        assert propose_severity(kb, entry.id, []).severity == entry.severity


def test_no_entry_is_medium(kb):
    p = propose_severity(kb, None, [])
    assert p.severity == "MEDIUM" and p.reasons[0].code == "default"


@pytest.mark.parametrize("key", sorted(DOWN_OUTCOMES))
def test_api_down_raises_to_critical(kb, key):
    check_id, _, outcome = key.rpartition(".")
    for status in ("fail", "error"):  # a 503 on /verify is status error, outcome server_error
        p = propose_severity(kb, "low-personalization-score", [result(check_id, status, outcome)])
        assert p.severity == "CRITICAL"
        assert [r.code for r in p.reasons] == ["entry", "api_down"]


def test_alert_levels_come_from_the_support_data(kb):
    levels = {a.type: a.severity for a in kb.support.alerts}
    assert levels["HIGH_ERROR_RATE"] == "CRITICAL"
    p = propose_severity(kb, "slow-responses" if "slow-responses" in kb.entries else None,
                         [result("api.latency", "fail", "high_error_rate")])
    assert p.severity == "CRITICAL"
    assert p.reasons[-1].detail == {"check": "api.latency", "alert": "HIGH_ERROR_RATE", "level": "CRITICAL"}
    # a WARNING alert raises a LOW/MEDIUM problem to HIGH, never lowers anything
    p = propose_severity(kb, "low-personalization-score", [result("logs.analyze", "warn", "high_response_time")])
    assert levels["HIGH_RESPONSE_TIME"] == "WARNING" and p.severity == "HIGH"
    p = propose_severity(kb, "api-unreachable", [result("logs.analyze", "warn", "high_response_time")])
    assert p.severity == "CRITICAL"


def test_passing_and_runner_errors_prove_nothing(kb):
    results = [result("api.health", "pass", "ok"), result("api.health", "error", "error"),
               result("api.endpoints", "skipped", "skipped")]
    assert propose_severity(kb, "low-personalization-score", results).severity == "MEDIUM"


def test_escalation_rules_match_the_guide(kb):
    expected = {"CRITICAL": (3, 15, ("email", "sms", "phone")), "HIGH": (2, 60, ("email", "chat")),
                "MEDIUM": (1, 240, ("email",)), "LOW": (1, 480, ("email",))}
    for severity, (level, minutes, channels) in expected.items():
        info = escalation_for(kb.support, severity)
        assert (info.level, info.response_minutes, info.channels) == (level, minutes, channels)
        assert info.level_name["en"] and info.level_name["es"]
    assert escalation_for(kb.support, "CRITICAL").level_response_minutes == {"email": 60, "chat": 30, "phone": 15}


def test_formatting(kb):
    assert [format_minutes(m, "en") for m in (15, 60, 90, 240, 480)] == ["15 min", "1 h", "1 h 30 min", "4 h", "8 h"]
    text = describe(escalation_for(kb.support, "HIGH"), "es")
    assert "nivel 2" in text and "Soporte avanzado" in text and "1 h" in text and "correo, chat" in text
    assert "teléfono 30 min" in text
    text = describe(escalation_for(kb.support, "CRITICAL"), "en")
    assert "level 3" in text and "15 min" in text and "e-mail, SMS, phone" in text


def test_a_low_ticket_says_which_time_holds_for_it(kb):
    """LOW answers in 8 h, and level 1 "answers by e-mail in 4 h": said side by side, the two read as
    a contradiction; the second is said to be the level's time outside an escalation."""
    es = describe(escalation_for(kb.support, "LOW"), "es")
    assert es == ("Severidad LOW → nivel 1 (Soporte básico): plazo de respuesta 8 h, aviso por correo. Ese plazo es "
                  "el de la severidad; fuera de una escalada, el nivel 1 responde por correo 4 h, chat 2 h, teléfono 1 h.")
    en = describe(escalation_for(kb.support, "LOW"), "en")
    assert "response within 8 h" in en and "outside an escalation, level 1 answers by e-mail 4 h" in en
