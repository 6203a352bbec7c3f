"""`checks.areas.overview`: a run's results by area, the checks that could not run grouped by
why, and each consequence's root area — the one model `doctor`'s text and the app's screen show."""

from __future__ import annotations

from copycar_assist.checks.areas import overview
from copycar_assist.checks.base import CheckResult

NEEDS = {"content.prompt": ("prompt",), "content.personalization": ("account",), "logs.analyze": ("log",)}


def result(cid: str, status: str, outcome: str = "ok", **evidence) -> CheckResult:
    return CheckResult(cid, status, outcome, f"{cid} {status}", dict(evidence), 1)  # type: ignore[arg-type]


def test_areas_lead_with_their_worst_result_and_skips_are_grouped_by_why():
    results = [
        result("api.key_configured", "pass"), result("api.verify", "fail", "unauthorized"),
        result("api.health", "pass"),
        result("email.smtp", "skipped", "not_configured", missing="smtp.host"),
        result("email.limits", "skipped", "not_configured", missing="smtp.host, smtp.daily_limit"),
        result("crm.auth", "pass"), result("crm.permissions", "skipped", "not_configured", missing="crm.token"),
        result("content.prompt", "skipped", "no_input"), result("content.personalization", "skipped", "no_input"),
        result("logs.analyze", "skipped", "no_input"),
        result("api.endpoints", "skipped", "single"),
    ]
    view = overview(results, needs_input=NEEDS)
    assert [(a.area.id, a.lead.id) for a in view.ran] == [("api-key", "api.verify"), ("api-health", "api.health"),
                                                          ("crm", "crm.auth")]
    assert [(n.result.id, n.whole_area) for n in view.setup] == [
        ("email.smtp", True), ("email.limits", True), ("crm.permissions", False)]
    assert view.settings() == ["smtp.host", "smtp.daily_limit", "crm.token"]  # each once
    assert [n.area.id for n in view.material] == ["content", "content", "logs"]
    assert view.inputs() == ["prompt", "account", "log"]
    assert [n.result.id for n in view.other] == ["api.endpoints"]
    assert view.follows == {}


def test_a_consequence_names_its_root_area_and_a_failing_area_keeps_its_skips():
    results = [
        result("api.key_configured", "pass"), result("api.verify", "error", "unreachable"),
        result("api.health", "fail", "connect_failed"), result("api.rate_limit", "skipped", "not_run"),
        result("api.latency", "fail", "high_error_rate"),
        result("crm.auth", "fail", "bad_credentials"), result("crm.permissions", "skipped", "not_run"),
    ]
    view = overview(results)
    assert view.follows == {"api.verify": "api.health", "api.rate_limit": "api.health",
                            "api.latency": "api.health", "crm.permissions": "crm.auth"}
    by_id = {r.id: r for r in results}
    assert view.root_area(by_id["api.latency"]).id == "api-health"
    assert view.root_area(by_id["api.rate_limit"]).id == "api-health"  # skipped because of it
    assert view.root_area(by_id["api.health"]) is None and view.root_area(by_id["crm.auth"]) is None
    assert [n.result.id for n in view.other] == ["api.rate_limit"]  # its whole area did not run
    crm = next(a for a in view.ran if a.area.id == "crm")
    assert crm.lead.id == "crm.auth" and [r.id for r in crm.skipped] == ["crm.permissions"]
    assert not view.setup and not view.material  # the failing CRM's skip stays with its area
