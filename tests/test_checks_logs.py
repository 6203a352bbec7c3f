"""`logs.analyze` and the pure log parser behind it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from copycar_assist.checks import logparse
from copycar_assist.checks.logparse import (
    ApiCall,
    ErrorLine,
    OtherLine,
    PerfLine,
    parse_line,
    percentile,
)
from copycar_assist.checks.logs import CHECKS, PRECEDENCE, LogAnalyzeCheck
from copycar_assist.checks.runner import run_checks

from fixtures_content import (
    DATA,
    T0,
    api_line,
    error_line,
    log_line,
    make_ctx,
    write_calls,
)
from shipped import knowledge


async def analyze(path, lang="en", key=None):
    return await LogAnalyzeCheck().run(make_ctx(lang, key=key, log_file=str(path) if path else None))


def test_check_matches_the_catalogue():
    (check,) = CHECKS
    spec = knowledge().checks["logs.analyze"]
    assert check.id == spec.id and check.tags == spec.tags
    assert set(PRECEDENCE) | {"ok"} == set(spec.outcomes)


# --- parsing -------------------------------------------------------------------------------------


def test_parse_each_kind_of_line():
    a = parse_line("2025-03-01 10:00:00,123 - copycar_ai - INFO - API Call: GET /verify - Status: 200 - Response Time: 123ms")
    assert a == ApiCall(T0.replace(microsecond=123000), "GET", "/verify", 200, 123.0)
    a = parse_line("2025-03-01 10:00:00.5 - app.copycar - WARNING - API Call: post /v2/generate - Status: None - Response Time: None ms")
    assert isinstance(a, ApiCall) and a.status is None and a.ms is None and a.method == "POST"
    a = parse_line("2025-03-01T10:00:00 - x - INFO - API Call: GET /h - Status: 503 - Response Time: 12.5ms\r\n")
    assert a.status == 503 and a.ms == 12.5
    e = parse_line("2025-03-01 10:00:01,000 - copycar_ai - ERROR - Error: RateLimitError - Message: slow down - Context: {'a': 1}")
    assert e == ErrorLine(T0 + timedelta(seconds=1), "RateLimitError", "slow down", "{'a': 1}")
    e = parse_line("2025-03-01 10:00:01,000 - copycar_ai - ERROR - Error: Timeout - Message: read timed out")
    assert isinstance(e, ErrorLine) and e.context is None
    p = parse_line("2025-03-01 10:00:02,000 - copycar_ai - INFO - Performance: response_time = 5200 - Status: WARNING")
    assert p == PerfLine(T0 + timedelta(seconds=2), "response_time", "5200", "WARNING")
    o = parse_line("2025-03-01 10:00:03,000 - copycar_ai - INFO - Connected")
    assert o == OtherLine(T0 + timedelta(seconds=3), "INFO", "Connected")
    for junk in ("Traceback (most recent call last):", "", "\x00\xff garbage", "10:00 - INFO - API Call: x",
                 "2025-03-01 10:00:00,000 copycar_ai INFO API Call", "x" * 100_000):
        assert parse_line(junk) is None


def test_percentile_nearest_rank():
    assert percentile([], 95) is None
    assert percentile([5], 95) == 5
    assert percentile(list(range(1, 101)), 95) == 95
    assert percentile(list(range(1, 21)), 95) == 19
    assert percentile([3, 1, 2], 50) == 2


def test_stats_definitions(tmp_path):
    # 100 calls, 5 of them 500 with an Error line each, plus 3 timeouts logged only as Error lines
    calls = [(500 if i % 20 == 0 else 200, 100 + i) for i in range(100)]
    extra = [error_line(T0, "ServerError")] * 5 + [error_line(T0, "Timeout")] * 3
    s = logparse.analyze_file(write_calls(tmp_path / "a.log", calls, per_minute=60, extra=extra))
    assert (s.calls, s.ok_calls, s.failed_calls, s.error_lines) == (100, 95, 5, 8)
    assert s.errors == 8 and s.operations == 103  # never counted twice, never missed
    assert s.error_rate == pytest.approx(8 / 103) and s.success_rate == pytest.approx(95 / 103)
    assert s.avg_ms == pytest.approx(149.5) and s.p95_ms == 194 and s.max_ms == 199
    assert s.span_s == 99 and s.throughput_per_min == pytest.approx(100 / (99 / 60))
    assert s.error_types == {"ServerError": 5, "Timeout": 3}


# --- the check -----------------------------------------------------------------------------------


async def test_healthy_log_passes(tmp_path):
    calls = [(500 if i == 600 else 200, 150 + (i * 37) % 200) for i in range(1210)]
    extra = ["Traceback (most recent call last):\n", '  File "app.py", line 3\n',
             log_line(T0, "Starting CopyCar client"), log_line(T0, "Performance: response_time = 230 - Status: OK")]
    f = await analyze(write_calls(tmp_path / "ok.log", calls, per_minute=121, extra=extra))
    assert (f.status, f.outcome) == ("pass", "ok"), f.summary
    ev = f.evidence
    assert ev["calls"] == 1210 and ev["unrecognised_lines"] == 2 and ev["lines"] == 1214
    assert ev["error_rate"] == "0.1 %" and ev["success_rate"] == "99.9 %"
    assert ev["status_429"] == 0 and ev["status_401_403"] == 0
    assert float(ev["throughput_per_min"]) >= 100
    assert ev["time_span"] == "9 min 59 s" and ev["avg_response"].endswith(" ms")
    assert "alerts" not in ev and "truncated" not in ev


@pytest.mark.parametrize(("calls", "per_minute", "outcome", "status", "also"), [
    ([(200, 100)] * 94 + [(401, 50)] * 3 + [(403, 50)] * 3, 120, "auth_errors", "fail", "high_error_rate"),
    ([(200, 100)] * 999 + [(401, 50)], 120, "auth_errors", "fail", None),
    ([(200, 100)] * 98 + [(429, 50)] * 2, 120, "rate_limited", "warn", None),
    ([(200, 100)] * 90 + [(429, 50)] * 10, 120, "rate_limited", "fail", "high_error_rate"),
    ([(200, 100)] * 90 + [(500, 100)] * 10, 120, "high_error_rate", "fail", "low_success_rate"),
    ([(200, 100)] * 93 + [(304, 100)] * 7, 120, "low_success_rate", "warn", None),
    ([(200, 6000)] * 100, 120, "high_response_time", "warn", None),
    ([(200, 100)] * 30, 3, "low_throughput", "warn", None),
])
async def test_each_outcome(tmp_path, calls, per_minute, outcome, status, also):
    f = await analyze(write_calls(tmp_path / "x.log", calls, per_minute=per_minute))
    assert (f.outcome, f.status) == (outcome, status), (f.summary, f.evidence)
    assert f.evidence.get("also", "").split(", ")[0] == (also or "")


async def test_precedence_and_the_mixed_fixture():
    f = await analyze(DATA / "logs" / "mixed_log.txt")  # .txt: *.log is git-ignored
    assert f.outcome == "auth_errors" and f.status == "fail"
    assert f.evidence["also"] == "rate_limited, high_error_rate, low_success_rate, low_throughput"
    assert f.evidence["alerts"] == "HIGH_ERROR_RATE, LOW_SUCCESS_RATE, LOW_THROUGHPUT"
    assert f.evidence["status_429"] == 5 and f.evidence["status_401_403"] == 3
    assert f.evidence["error_types"] == "RateLimitError ×5"
    assert f.evidence["performance_warnings"] == "response_time ×1"
    assert "(401 ×3) out of 60 calls" in f.summary


async def test_short_span_does_not_judge_throughput(tmp_path):
    f = await analyze(write_calls(tmp_path / "s.log", [(200, 100)] * 20, per_minute=60))
    assert f.outcome == "ok" and "less than a minute" in f.evidence["throughput_per_min"]


async def test_error_lines_alone_are_enough(tmp_path):
    p = tmp_path / "e.log"
    p.write_text("".join(error_line(T0 + timedelta(seconds=i), "Timeout") for i in range(4)))
    f = await analyze(p)
    assert f.outcome == "high_error_rate" and f.evidence["calls"] == 0 and f.evidence["error_rate"] == "100.0 %"


async def test_nothing_to_analyse_is_an_error(tmp_path):
    p = tmp_path / "n.log"
    p.write_text("hello\nworld\n" + log_line(T0, "Starting"))
    f = await analyze(p)
    assert (f.status, f.outcome) == ("error", "error")
    assert "none of its 3 lines is an API call or an error as the guide writes them" in f.summary
    assert "Response Time: 480ms), and 2 are not log lines at all" in f.summary  # what a call line looks like
    p.write_text("")
    assert (await analyze(p)).outcome == "error"
    f = await analyze(tmp_path / "missing.log")
    assert f.outcome == "error" and "missing.log: does not exist" in f.summary
    f = await analyze(None)
    assert (f.status, f.outcome) == ("skipped", "skipped") and "--log-file" in f.summary


async def test_spanish_summaries(tmp_path):
    f = await analyze(write_calls(tmp_path / "x.log", [(200, 100)] * 98 + [(429, 50)] * 2), lang="es")
    assert "429" in f.summary and "límite de peticiones" in f.summary
    f = await analyze(write_calls(tmp_path / "y.log", [(200, 6000)] * 10, per_minute=5), lang="es")
    assert "Tiempo de respuesta medio 6000 ms" in f.summary


def test_caps_keep_the_end_of_the_file(tmp_path):
    lines = [api_line(T0 + timedelta(seconds=i), 200 if i < 500 else 503, 10) for i in range(1000)]
    p = tmp_path / "big.log"
    p.write_text("".join(lines))
    s = logparse.analyze_file(p, max_lines=100)
    assert s.calls == 100 and s.failed_calls == 100 and "last 100 of 1000 lines" in s.truncated
    s = logparse.analyze_file(p, max_bytes=len(lines[-1]) * 10 + 5)
    assert s.calls == 10 and s.unrecognised == 0  # the partial first line is dropped
    assert s.truncated == f"only the last 1.07 KB of {p.stat().st_size / 1024:.3g} KB were read"
    assert len(lines[-1]) * 10 + 5 == 1095
    long = tmp_path / "long.log"
    long.write_text("x" * 3_000_000 + "\n" + lines[0])
    s = logparse.analyze_file(long)
    assert s.calls == 1 and s.unrecognised == 1


async def test_truncation_is_reported_by_the_check(tmp_path, monkeypatch):
    monkeypatch.setattr(logparse, "MAX_LINES", 50)
    monkeypatch.setattr(logparse.analyze_file, "__defaults__", (logparse.MAX_BYTES, 50))
    f = await analyze(write_calls(tmp_path / "t.log", [(200, 100)] * 80))
    assert f.evidence["calls"] == 50 and "last 50 of 80 lines" in f.evidence["truncated"]


async def test_hostile_log_lines_are_inert_and_redacted(tmp_path):
    key = "sk-live-CANARY-0123456789abcdef"
    lines = [
        api_line(T0, 401, 50, endpoint=f"/verify?key={key}"),
        api_line(T0 + timedelta(seconds=1), 200, 9000, endpoint="/\x1b]8;;http://evil/\x1b\\x\x1b]8;;\x1b\\"),
        error_line(T0, f"Auth\x1b[2JError\u202e {key}", message=key, context=f"{{'Authorization': 'Bearer {key}'}}"),
        error_line(T0, "\x9b31mBad\x1b]52;c;cHduZWQ=\x07Type"),
        log_line(T0, f"Performance: {key[:14]}\x1b[0m = 1 - Status: WARNING"),
        "\x1b[31m\x00binary junk\n",
    ]
    p = tmp_path / "evil.log"
    p.write_text("".join(lines), encoding="utf-8")
    report = await run_checks(make_ctx("en", key=key, log_file=str(p)), ["logs.analyze"])
    r = report.results[0]
    assert r.outcome == "auth_errors" and r.entry and r.cause
    text = json.dumps(r.to_json(), ensure_ascii=False)
    for bad in ("\x1b", "\x9b", "\x00", "\u202e", "\x07", "\\u001b", "\\u009b", "\\u202e"):
        assert bad not in text
    for i in range(len(key) - 11):
        assert key[i : i + 12] not in text
    assert "BadType ×1" in text


async def test_outcomes_map_to_causes_through_the_runner(tmp_path):
    cases = {
        "auth_errors": [(200, 100)] * 95 + [(401, 50)] * 5,
        "rate_limited": [(200, 100)] * 95 + [(429, 50)] * 5,
        "high_error_rate": [(200, 100)] * 90 + [(500, 100)] * 10,
        "low_success_rate": [(200, 100)] * 93 + [(304, 100)] * 7,
        "high_response_time": [(200, 6000)] * 100,
    }
    for outcome, calls in cases.items():
        p = write_calls(tmp_path / f"{outcome}.log", calls)
        r = (await run_checks(make_ctx(log_file=str(p)), ["logs.analyze"])).results[0]
        assert r.outcome == outcome and r.entry and r.cause, r
    p = write_calls(tmp_path / "tp.log", [(200, 100)] * 30, per_minute=3)
    r = (await run_checks(make_ctx(log_file=str(p)), ["logs.analyze"])).results[0]
    assert r.outcome == "low_throughput" and r.entry and r.cause
