"""The runner: concurrency, per-check timeout, total deadline, crash → error, cancel, skipped,
stable order, events, contract checks, outcome → entry/cause mapping; the registry vs the catalogue."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
import sys
import time
import types

import pytest

from copycar_assist.checks import (
    CheckFinished,
    CheckStarted,
    CheckStep,
    Finding,
    all_checks,
    checks_for_entry,
    checks_for_tags,
    run_checks,
)
from copycar_assist.checks.base import Check, CheckResult
from copycar_assist.checks.registry import FAMILIES, RegistrationError, _family, checks_named, register
from copycar_assist.checks.results import Results, without_running
from copycar_assist.kb.model import CheckSpec

from fixtures_http import CANARY, check_context, settings_for
from shipped import knowledge


class Probe:
    """A check for runner tests: sleeps, then returns or raises what it is told."""

    tags = ("test",)

    def __init__(self, id: str, delay: float = 0.0, finding: Finding | None = None, exc: BaseException | None = None,
                 timeout_s: float = 5.0, steps: tuple[str, ...] = ()):
        self.id, self.delay, self.exc, self.timeout_s, self.steps = id, delay, exc, timeout_s, steps
        self.result = finding or Finding("pass", "ok", "fine")
        self.cancelled = False
        self.finished_at: float | None = None

    async def run(self, ctx) -> Finding:
        for s in self.steps:
            ctx.step(s)
        try:
            await asyncio.sleep(self.delay)
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        self.finished_at = time.perf_counter()
        if self.exc is not None:
            raise self.exc
        return self.result


def probe_kb(needs: dict[str, tuple[str, ...]] | None = None):
    """The shipped knowledge with test.a … test.d catalogued; `needs`: id -> the settings it needs."""
    k = copy.copy(knowledge())
    k.checks = dict(k.checks)
    for name in ("a", "b", "c", "d"):
        cid = f"test.{name}"
        k.checks[cid] = CheckSpec(cid, ("test",), {"es": f"Prueba {name}", "en": f"Probe {name}"}, ("ok", "bad"),
                                  needs=(needs or {}).get(cid, ()))
    return k


async def run(probes, ids=None, key=CANARY, needs=None, **kw):
    settings = settings_for("http://127.0.0.1:9/v2", key=key)
    async with check_context(settings, kb=probe_kb(needs)) as ctx:
        return await run_checks(ctx, ids or [p.id for p in probes], checks={p.id: p for p in probes}, **kw)


async def test_checks_run_concurrently():
    probes = [Probe(f"test.{n}", 0.4) for n in "abc"]
    report = await run(probes)
    assert [r.status for r in report.results] == ["pass"] * 3
    assert report.duration_ms < 1000  # 3 × 0.4 s one after another would be 1.2 s
    assert all(350 <= r.duration_ms < 1000 for r in report.results)


async def test_results_keep_the_given_order():
    probes = [Probe("test.a", 0.3), Probe("test.b", 0.1), Probe("test.c", 0.0)]
    report = await run(probes, ids=["test.a", "test.b", "test.c", "test.a"])
    assert [r.id for r in report.results] == ["test.a", "test.b", "test.c"]
    assert probes[2].finished_at < probes[0].finished_at


async def test_a_check_past_its_timeout_becomes_an_error():
    report = await run([Probe("test.a", 5, timeout_s=0.2), Probe("test.b", 0.0)])
    a, b = report.results
    assert (a.status, a.outcome) == ("error", "error")
    assert "0.2 s" in a.summary and "time limit" in a.summary
    assert b.status == "pass"
    assert report.duration_ms < 1500


async def test_a_crash_becomes_an_error_naming_the_exception_without_secrets():
    report = await run([Probe("test.a", exc=ValueError(f"boom\x1b]52;c;AAAA\x07 key={CANARY}"))])
    r = report.results[0]
    assert (r.status, r.outcome) == ("error", "error")
    assert "ValueError" in r.summary and "boom" in r.summary
    assert CANARY not in r.summary and CANARY[-14:] not in json.dumps(r.to_json())
    assert "\x1b" not in r.summary and "\x07" not in r.summary
    assert "Traceback" not in r.summary


async def test_the_total_deadline_turns_unfinished_checks_into_errors():
    start = time.perf_counter()
    report = await run([Probe("test.a", 10), Probe("test.b", 0.0)], deadline_s=0.3)
    assert time.perf_counter() - start < 2
    a, b = report.results
    assert a.status == "error" and "total deadline" in a.summary
    assert b.status == "pass"


async def test_cancelling_the_run_cancels_the_checks_promptly():
    probes = [Probe("test.a", 10), Probe("test.b", 10)]
    task = asyncio.create_task(run(probes))
    await asyncio.sleep(0.2)
    start = time.perf_counter()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.perf_counter() - start < 0.5
    assert all(p.cancelled for p in probes)


async def test_a_missing_setting_skips_the_check_and_says_how_to_set_it():
    probe = Probe("test.a")
    report = await run([probe], key=None, needs={"test.a": ("api.key",)})
    assert probe.finished_at is None  # never started
    r = report.results[0]
    assert (r.status, r.outcome) == ("skipped", "skipped")
    assert "api.key" in r.summary and "COPYCAR_API_KEY" in r.summary
    assert "copycar-assist setup" in r.summary and "config set" not in r.summary
    assert r.evidence["missing"] == "api.key"


async def test_a_run_in_which_nothing_can_run_is_answered_without_running_and_says_the_same():
    settings = settings_for("http://127.0.0.1:9/v2", key=None)  # no key and no CRM set up
    ids = ["crm.auth", "api.verify", "nope.check", "crm.fields", "crm.auth"]
    async with check_context(settings, lang="es") as ctx:
        ran = await run_checks(ctx, ids)
    settled = without_running(Results(knowledge(), settings, settings.redactor(), "es"), ids)
    assert settled is not None
    assert [r.to_json() for r in settled.results] == [r.to_json() for r in ran.results]
    assert [(r.id, r.status) for r in settled.results] == [
        ("crm.auth", "skipped"), ("api.verify", "skipped"), ("nope.check", "error"), ("crm.fields", "skipped")]
    assert "crm.kind, crm.token, crm.field_map" in settled.results[3].summary
    # one check that could run: the run is the runner's
    assert without_running(Results(knowledge(), settings, settings.redactor(), "es"), [*ids, "api.health"]) is None


async def test_progress_events_per_check():
    events = []
    await run([Probe("test.a", steps=("one", "two\x1b[2J")), Probe("test.b")], on_event=events.append)
    for cid in ("test.a", "test.b"):
        mine = [e for e in events if getattr(e, "check_id", None) == cid or
                (isinstance(e, CheckFinished) and e.result.id == cid)]
        assert isinstance(mine[0], CheckStarted) and isinstance(mine[-1], CheckFinished)
    steps = [e.message for e in events if isinstance(e, CheckStep)]
    assert steps == ["one", "two"]
    assert events[0].title in ("Probe a", "Probe b")


async def test_a_broken_listener_does_not_break_the_run():
    def listener(event):
        raise RuntimeError("listener bug")

    report = await run([Probe("test.a")], on_event=listener)
    assert report.results[0].status == "pass"


@pytest.mark.parametrize("finding", [
    Finding("pass", "nonsense", "x"),  # not in the catalogue
    Finding("warn", "ok", "x"),  # ok ⇒ pass
    Finding("maybe", "bad", "x"),  # not a status
    Finding("fail", "error", "x"),  # the runner's own outcome with the wrong status
])
async def test_invalid_findings_become_errors(finding):
    r = (await run([Probe("test.a", finding=finding)])).results[0]
    assert (r.status, r.outcome) == ("error", "error")


async def test_a_check_may_report_skipped_itself():
    r = (await run([Probe("test.a", finding=Finding("skipped", "skipped", "no input"))])).results[0]
    assert (r.status, r.outcome, r.summary) == ("skipped", "skipped", "no input")


async def test_unknown_and_unimplemented_ids_are_errors_never_quiet_skips():
    report = await run([], ids=["nope.nothing", "test.a"])
    unknown, unimplemented = report.results
    assert unknown.status == "error" and "nope.nothing" in unknown.summary
    assert unimplemented.status == "error" and "test.a" in unimplemented.summary


async def test_evidence_and_summary_are_redacted_and_cleaned():
    finding = Finding("fail", "bad", f"server said \x1b[31m{CANARY}\x1b[0m",
                      {"body": f"[/bold]\x9b2J{CANARY}", f"k\x1b]0;t\x07{CANARY}": [CANARY, 1, 2.5]})
    r = (await run([Probe("test.a", finding=finding)])).results[0]
    text = json.dumps(r.to_json(), ensure_ascii=False)
    assert CANARY not in text and CANARY[4:16] not in text
    assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text
    assert "[/bold]" in text  # inert text: markup safety is the renderer's job


def _real(check_id, outcome):
    return Probe(check_id, finding=Finding("fail", outcome, "x"))


async def test_outcome_maps_to_entry_and_cause():
    report = await run([_real("api.verify", "expired"), _real("api.key_configured", "missing")])
    assert [(r.entry, r.cause) for r in report.results] == [("invalid-api-key", "expired-key"),
                                                            ("invalid-api-key", "missing-key")]


async def test_prefer_entry_wins_and_cross_entry_targets_resolve():
    assert "rate-limit-exceeded" in knowledge().entries
    report = await run([_real("api.verify", "rate_limited")], prefer_entry="rate-limit-exceeded")
    assert (report.results[0].entry, report.results[0].cause) == ("rate-limit-exceeded", "too-many-calls")
    report = await run([_real("api.verify", "rate_limited")], prefer_entry="invalid-api-key")
    assert (report.results[0].entry, report.results[0].cause) == ("rate-limit-exceeded", "too-many-calls")


async def test_ok_maps_to_nothing():
    r = (await run([Probe("api.verify")])).results[0]
    assert (r.entry, r.cause) == (None, None)


# --- the registry against the catalogue -------------------------------------------------------------


@pytest.mark.parametrize("check_id", sorted(knowledge().checks))
def test_every_catalogued_check_is_implemented(check_id):
    assert check_id in all_checks(), f"{check_id} is in knowledge/checks.toml but no module implements it"


def test_no_check_outside_the_catalogue():
    extra = set(all_checks()) - set(knowledge().checks)
    assert not extra


@pytest.mark.parametrize("check_id", sorted(knowledge().checks))
def test_declared_outcomes_are_the_catalogues(check_id):
    check = all_checks()[check_id]
    assert isinstance(check, Check)
    assert set(check.outcomes) == set(knowledge().checks[check_id].outcomes)


@pytest.mark.parametrize("check_id", sorted(knowledge().checks))
def test_every_check_refuses_an_outcome_it_does_not_have(check_id):
    check = all_checks()[check_id]
    with pytest.raises(ValueError, match="has no outcome"):
        check.finding("fail", "no_such_outcome", "x")
    with pytest.raises(ValueError, match="does not fit"):
        check.finding("fail", "ok", "x")
    with pytest.raises(ValueError, match="does not fit"):
        check.finding("pass", "skipped", "x")
    assert check.finding("skipped", "skipped", "x").status == "skipped"


class _Declared(Check):
    id = "api.health"
    outcomes = ("ok", "unhealthy")


def test_registration_refuses_outcomes_that_differ_from_the_catalogue():
    catalogue = knowledge().checks
    with pytest.raises(RegistrationError, match=r"api.health declares.*missing: dns_failure"):
        register([_Declared()], catalogue)
    extra = _Declared()
    extra.outcomes = (*catalogue["api.health"].outcomes, "melted")
    with pytest.raises(RegistrationError, match="not catalogued: melted"):
        register([extra], catalogue)


def test_registration_refuses_a_catalogue_that_needs_a_setting_there_is_not():
    catalogue = dict(knowledge().checks)
    catalogue["api.verify"] = dataclasses.replace(catalogue["api.verify"], needs=("api.kee",))
    with pytest.raises(RegistrationError, match="api.verify needs unknown setting.s. api.kee"):
        register([all_checks()["api.verify"]], catalogue)


def test_registration_refuses_unknown_ids_twins_and_non_checks():
    catalogue = knowledge().checks
    stranger = _Declared()
    stranger.id = "api.nowhere"
    with pytest.raises(RegistrationError, match="api.nowhere is not in checks.toml"):
        register([stranger], catalogue)
    twin = all_checks()["api.verify"]
    with pytest.raises(RegistrationError, match="defined twice"):
        register([twin, twin], catalogue)
    with pytest.raises(RegistrationError, match="is not a Check"):
        register([Probe("api.verify")], catalogue)


def test_checks_named_loads_the_families_asked_for_and_refuses_a_family_defining_anothers(monkeypatch):
    assert set(checks_named(["api.verify", "nope.check", "crm.nope", "api.verify"])) == {"api.verify"}
    stray = types.ModuleType("copycar_assist.checks.stray")
    stray.CHECKS = [all_checks()["api.verify"]]
    monkeypatch.setitem(sys.modules, "copycar_assist.checks.stray", stray)
    with pytest.raises(RegistrationError, match="the stray family defines checks of another family: api.verify"):
        _family("stray")


def test_checks_for_entry_and_tags():
    k = knowledge()
    assert checks_for_entry(k, "invalid-api-key") == k.entries["invalid-api-key"].checks
    with pytest.raises(KeyError):
        checks_for_entry(k, "no-such-entry")
    api = checks_for_tags(k, ["api"])
    assert api and all(c.startswith("api.") for c in api)
    assert checks_for_tags(k, []) == list(k.checks)
    assert set(FAMILIES) >= {c.split(".")[0] for c in k.checks}


def test_check_result_json_fields():
    r = CheckResult("x", "pass", "ok", "s", {}, 1)
    assert set(r.to_json()) >= {"id", "status", "outcome", "summary", "evidence", "duration_ms", "entry", "cause"}


async def test_a_check_that_cancels_itself_is_an_error_not_a_hang():
    class SelfCancel(Probe):
        async def run(self, ctx):
            raise asyncio.CancelledError()

    report = await run([SelfCancel("test.a"), Probe("test.b")])
    a, b = report.results
    assert a.status == "error" and "interrupted" in a.summary and b.status == "pass"


def test_every_catalogued_check_has_one_area_and_every_rule_names_catalogued_outcomes():
    from copycar_assist.checks.areas import AREAS, BY_CHECK
    from copycar_assist.checks.roots import ANY, RULES

    k = knowledge()
    named = [cid for area in AREAS for cid in area.checks]
    assert len(named) == len(set(named)) and set(named) == set(k.checks)
    assert all(BY_CHECK[cid].title.keys() == {"es", "en"} for cid in k.checks)
    for root, (outcomes, follows) in RULES.items():
        assert set(outcomes) <= set(k.checks[root].outcomes), root
        for cid, theirs in follows.items():
            assert theirs is ANY or set(theirs) <= {*k.checks[cid].outcomes, "error", "skipped"}, cid
