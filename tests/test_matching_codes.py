"""Codes and exception names: found in free text, and strong evidence for their entry."""

import pytest

from copycar_assist.matching.codes import find_codes


def codes(text):
    return [c.code for c in find_codes(text)]


def test_status_codes_found_alone_not_inside_numbers_times_or_ports():
    assert codes("Error 429 Too Many Requests") == ["429"]
    assert codes("HTTP/1.1 503 Service Unavailable") == ["503"]
    assert codes("prompt of 4000 tokens at 10:41:22, score 0.45") == []
    assert codes("connection refused on port 587") == []
    assert codes("errores 5xx") == ["5xx"]


def test_exception_names_and_identifiers():
    found = codes("smtplib.SMTPAuthenticationError: (535, b'5.7.8 not accepted') invalid_api_key LOW_SUCCESS_RATE")
    assert found == ["smtpauthenticationerror", "535", "invalidapikey", "lowsuccessrate"]


def test_generic_exception_names_are_not_evidence():
    assert codes("httpx.HTTPStatusError and a ValueError") == []


@pytest.mark.parametrize("text, entry", [
    ("401", "invalid-api-key"),
    ("got a 429", "rate-limit-exceeded"),
    ("503", "api-unreachable"),
    ("502 from the gateway", "api-unreachable"),
    ("smtplib.SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted')", "email-delivery-failed"),
    ("httpx.ConnectError: [Errno 111] Connection refused", "api-unreachable"),
    ("expired_api_key", "invalid-api-key"),
    ("LOW_SUCCESS_RATE", "slow-responses"),
])
def test_a_known_code_alone_is_a_confident_match(matcher, text, entry):
    r = matcher.match(text)
    assert r.best == entry, r.to_json()


def test_context_outweighs_a_shared_code(matcher):
    # 403 points at the API key, but every other word is about the CRM.
    r = matcher.match("hubspot sync error 403 insufficient scopes on contacts")
    assert r.best == "crm-integration-failed", r.to_json()


def test_code_in_a_long_log_line_still_decides(matcher):
    line = "2024-05-02 10:13:22 - copycar_ai - ERROR - API Call: POST /generate - Status: 429 - Response Time: 85ms"
    assert matcher.match(line).best == "rate-limit-exceeded"


def test_a_code_of_four_or_more_words_is_still_a_code(matcher):
    # "X-RateLimit-Remaining" splits into four words (x rate limit remaining); it is one code.
    r = matcher.match("X-RateLimit-Remaining llega a cero enseguida")
    assert r.best == "rate-limit-exceeded", r.to_json()
    assert "X-RateLimit-Remaining" in r.matches[0].why
