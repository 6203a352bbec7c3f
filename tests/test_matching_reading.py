"""Reading a ticket before scoring it: pasted material is read for its failure, prose clauses
get a role, numbers past the guide's thresholds become readings, big pastes stay fast."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def weight_of(reading, phrase):
    start = reading.text.index(phrase)
    return max(reading.weights[start:start + len(phrase)])


def test_traceback_is_read_for_its_last_line(matcher):
    text = ('Traceback (most recent call last):\n  File "/app/send.py", line 12, in send\n'
            "    cache.get(key)\n  File \"/usr/lib/redis/client.py\", line 9, in get\n    raise X\n"
            "smtplib.SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted')")
    r = matcher.read(text)
    assert weight_of(r, "SMTPAuthenticationError") == 1.0
    assert weight_of(r, "cache.get(key)") < 0.1  # the source line of a frame says little
    assert matcher.match(text).matches[0].id == "email-delivery-failed"


def test_json_failure_reason_outweighs_field_names(matcher):
    body = json.dumps({"id": "gen_1", "status": "failed", "personalization_score": None,
                       "failure_reason": "empty_completion", "campaign_id": 4471}, indent=2)
    r = matcher.read(body)
    assert weight_of(r, "empty_completion") == 1.0
    assert weight_of(r, "personalization_score") < 0.2
    assert matcher.match(body).matches[0].id == "content-generation-failed"


def test_a_count_in_a_body_is_not_a_status_code(matcher):
    # "generated": 500 is how many, not an HTTP 500
    body = '{"campaign": 9, "generated": 500, "sent": 500, "bounced": 388, "bounce_reasons": {"550 5.7.1 SPF check failed": 371}}'
    r = matcher.read(body)
    assert weight_of(r, "500") < 0.2
    assert matcher.match(body).matches[0].id == "email-delivery-failed"


def test_curl_timings_read_as_slowness_not_connectivity(matcher):
    text = ("$ curl -o /dev/null -s -w 'connect: %{time_connect}\\nstarttransfer: %{time_starttransfer}\\n' "
            "https://api.copycarai.com/v2/campaigns\nconnect: 0.021\nstarttransfer: 14.912\ntotal: 15.001\n")
    r = matcher.read(text)
    assert [s.words for _, _, s in r.signals] == ["high response time, slow responses"]
    res = matcher.match(text)
    assert res.matches[0].id == "slow-responses"
    assert any("starttransfer" in w for w in res.matches[0].why)


@pytest.mark.parametrize("text", [
    "why is everything so slow today, like 10s per call",
    "Hi, I timed our calls and each request now takes between 8 and 12 seconds, all 200 OK",
    "va lentísimo hoy copycar, 15 seg por texto",
    "el percentil 95 está en 7,5 segundos desde el jueves",
])
def test_a_call_time_said_in_prose_past_the_threshold_reads_as_slowness(matcher, text):
    r = matcher.read(text)
    assert [s.words for _, _, s in r.signals] == ["high response time, slow responses"]
    assert matcher.match(text).matches[0].id == "slow-responses"


@pytest.mark.parametrize("text", [
    "antes iba en 1 seg y ahora tarda bastante más",  # under the threshold
    "429 Too Many Requests, the header says retry after 60 seconds",  # a wait
    "getting 502s and 503s from copycar all morning",  # status codes in the plural
    "older accounts still score in the 80s, the new ones under 70",  # not a time
    "generation request takes 60s and then fails with a timeout",  # when it gave up
    "no salta ninguna alerta aunque la api tardaba 10 seg",  # what should have warned
    "the cache keeps results for 3600 seconds",  # a period
])
def test_waits_periods_timeouts_and_codes_are_not_call_times(matcher, text):
    assert not matcher.read(text).signals


def test_a_fast_first_byte_is_no_signal(matcher):
    assert not matcher.read("namelookup: 0.004\nconnect: 0.031\nstarttransfer: 0.210\ntotal: 0.300").signals


def test_guide_log_reads_the_error_line_not_the_prefix(matcher):
    line = ("2024-06-11 07:45:19,330 - copycar_ai - ERROR - Error: AuthenticationError - Message: Invalid API key"
            " - Context: {'endpoint': '/v2/campaigns'}")
    r = matcher.read(line)
    assert weight_of(r, "copycar_ai") < 0.1
    assert weight_of(r, "Invalid API key") == 1.0
    assert matcher.match(line).best == "invalid-api-key"


def test_metrics_past_thresholds_come_from_the_support_data(matcher, kb):
    limit = kb.support.thresholds.response_time_ms
    above = matcher.read(f"copycar_api_response_time_ms_avg{{env=\"prod\"}} {limit + 500}")
    below = matcher.read(f"copycar_api_response_time_ms_avg{{env=\"prod\"}} {limit - 500}")
    assert above.signals and not below.signals
    low = matcher.read('{"personalization_score": 0.41, "warnings": ["insufficient_account_context"]}')
    assert [s.words for _, _, s in low.signals] == ["low personalization score"]


@pytest.mark.parametrize("text, role", [
    ("Hola, buenas tardes", "greeting"),
    ("this is not about the monitoring alerts", "denial"),
    ("The health endpoint returns 200 and DNS resolves fine", "working"),
    ("our emails stopped arriving since Monday", "failure"),
    ("I'm the platform engineer at a marketing agency", "background"),
])
def test_clause_roles(matcher, text, role):
    [clause] = matcher.read(text).clauses
    assert clause.role == role


def test_side_remarks_weigh_less_than_the_failure(matcher):
    text = ("Hi, I'm Ana from a logistics startup. To be clear, this is not about the alert e-mails, those work fine. "
            "Our campaign e-mails stopped arriving at our prospects' inboxes since Tuesday.")
    r = matcher.read(text)
    assert weight_of(r, "alert e-mails") < weight_of(r, "stopped arriving")
    assert matcher.match(text).matches[0].id == "email-delivery-failed"


def test_a_code_said_not_to_happen_says_nothing(matcher):
    r = matcher.read("Nothing is erroring and there's no 429 anywhere; each request just takes far longer.")
    assert weight_of(r, "429") < 0.2


def test_a_big_log_is_cut_to_the_lines_that_fail(matcher):
    ok = "2024-06-01 10:00:{:02d},000 - copycar_ai - INFO - API Call: GET /v2/campaigns/{} - Status: 200 - Response Time: 120ms"
    lines = [ok.format(n % 60, n) for n in range(1500)]
    lines[777] = "2024-06-01 10:12:57,000 - copycar_ai - ERROR - Error: RateLimitError - Message: Too many requests - Context: {}"
    text = "\n".join(lines)
    assert len(text) > 100_000
    r = matcher.read(text)
    assert len(r.text) <= 4000 and "RateLimitError" in r.text
    assert matcher.match(text).matches[0].id == "rate-limit-exceeded"


PASTE_LINES = st.sampled_from([
    "Traceback (most recent call last):", '  File "x.py", line 1, in <module>', "    f()",
    "ValueError: Prompt excede 4000 tokens", "HTTP/1.1 429 Too Many Requests", "Retry-After: 30",
    '{"error": "rate_limit_exceeded", "message": "slow down"}', "* Trying 1.2.3.4:443...",
    "curl: (28) Connection timed out", "550 5.7.26 DMARC policy", "starttransfer: 14.9",
    "2024-01-01 00:00:00,000 - copycar_ai - ERROR - Error: X - Message: y - Context: {}",
    "copycar_api_error_rate{env=\"prod\"} 0.2", ">>> score", "127.0.0.1:6379> INFO", "", "{", "}",
    "los correos no llegan desde el lunes", "\x1b[31mred\x1b[0m", "a=1 b=2 c=3", "🙂" * 30,
])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.one_of(PASTE_LINES, st.text(max_size=120)), max_size=60))
def test_any_paste_reads_consistently(matcher, lines):
    text = "\n".join(lines)
    r = matcher.read(text)
    assert len(r.weights) >= len(r.text)
    assert all(0.0 <= w <= 1.0 for w in r.weights)
    assert "\x1b" not in r.text
    for clause in r.clauses:
        assert 0 <= clause.start < clause.end <= len(r.text)
    obj = matcher.match(text).to_json()
    json.dumps(obj)
    assert obj["confidence"] is None or 0.0 <= obj["confidence"] <= 1.0
