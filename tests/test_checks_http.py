"""RELIABILITY.md's HTTP fault matrix, each row against a real loopback server, through the API
checks and the runner (and `fetch` where the row is about the transport itself)."""

from __future__ import annotations

import datetime
import email.utils
import json
import logging
import ssl
import time

import pytest
import trustme

from copycar_assist.checks import CheckContext, SharedClient, make_client, run_checks
from copycar_assist.checks.http import BearerAuth, fetch

from fixtures_http import (
    CANARY,
    big_body,
    blocked_port,
    check_context,
    drip,
    gzip_bomb,
    no_response,
    raw_server,
    respond,
    route,
    settings_for,
)
from shipped import knowledge

API = ["api.verify", "api.health"]
CONTROL = ("\x1b", "\x07", "\x9b", "\x9d", "\x00")


async def run_api(settings, ids=API, verify=True, lang="en"):
    async with check_context(settings, verify=verify, lang=lang) as ctx:
        report = await run_checks(ctx, ids, deadline_s=15)
    return {r.id: r for r in report.results}, report


def dump(results) -> str:
    return json.dumps([r.to_json() for r in results.values()], ensure_ascii=False)


def assert_inert(text: str) -> None:
    assert CANARY not in text and CANARY[5:17] not in text
    for c in CONTROL:
        assert c not in text, repr(c)


# --- the shared client -------------------------------------------------------------------------


async def test_the_client_is_made_only_when_a_check_goes_to_the_network():
    """Checks that are skipped (no CRM set up) or local (is a key configured?) never make the
    client (TLS and its pool: ~30 ms of a short `doctor`); the first request makes it, every
    check of the run shares it, and the end of the run closes it."""
    async with raw_server(respond(200, {"Content-Type": "application/json"}, b'{"status": "ok"}')) as srv:
        settings = settings_for(srv.url("/v2"))
        async with SharedClient(settings) as http:
            ctx = CheckContext(settings=settings, kb=knowledge(), http=http, redactor=settings.redactor())
            report = await run_checks(ctx, ["crm.auth", "crm.fields", "api.key_configured"], deadline_s=15)
            assert [r.status for r in report.results] == ["skipped", "skipped", "pass"]
            assert not http.made
            report = await run_checks(ctx, ["api.health"], deadline_s=15)
            assert report.results[0].status == "pass", report.results[0].summary
            assert http.made and ctx.client is http.get()
        assert not http.made


# --- connection failures -----------------------------------------------------------------------


async def test_connection_refused():
    async with raw_server(respond(200)) as srv:
        url = srv.url("/v2")
    res, _ = await run_api(settings_for(url))
    assert (res["api.health"].status, res["api.health"].outcome) == ("fail", "connect_failed")
    assert "refused" in res["api.health"].summary.lower()
    assert (res["api.verify"].status, res["api.verify"].outcome) == ("error", "unreachable")


async def test_unknown_host():
    res, _ = await run_api(settings_for("https://api.copycar.invalid/v2"))
    assert res["api.health"].outcome == "dns_failure"
    assert "api.copycar.invalid" in res["api.health"].summary
    assert res["api.verify"].outcome == "unreachable"


async def test_connect_timeout_on_a_full_backlog():
    listener, fillers, port = blocked_port()
    try:
        settings = settings_for(f"http://127.0.0.1:{port}/v2")
        settings.api.timeout_s = 1.0
        start = time.perf_counter()
        res, _ = await run_api(settings, ["api.health"])
        assert time.perf_counter() - start < 3
        assert res["api.health"].outcome == "timeout"
        assert "connect" in res["api.health"].summary
    finally:
        for s in [listener, *fillers]:
            s.close()


async def test_no_response_ends_at_the_deadline():
    async with raw_server(no_response) as srv:
        settings = settings_for(srv.url("/v2"))
        settings.api.timeout_s = 1.0
        start = time.perf_counter()
        res, _ = await run_api(settings)
        assert time.perf_counter() - start < 2.5
    assert res["api.health"].outcome == "timeout"
    assert "response headers" in res["api.health"].summary
    assert res["api.verify"].outcome == "unreachable"


async def test_slow_drip_ends_at_the_deadline():
    # one byte every 0.1 s: httpx's per-read timeout would never fire; the overall deadline does
    async with raw_server(drip(0.1)) as srv, make_client() as client:
        start = time.perf_counter()
        r = await fetch(client, srv.url("/v2/health"), deadline_s=1.0)
        elapsed = time.perf_counter() - start
    assert r.error == "timeout" and 0.9 < elapsed < 1.6


# --- TLS ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


def _tls_server_ctx(cert) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    return ctx


def _client_ctx(ca, trust: bool) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    if trust:
        ca.configure_trust(ctx)
    return ctx


@pytest.mark.parametrize("case,expect", [
    ("untrusted", "unable to get local issuer certificate"),
    ("wrong-name", "mismatch"),
    ("expired", "expired"),
])
async def test_tls_failures_fail_closed(ca, case, expect):
    if case == "expired":
        cert = ca.issue_cert("127.0.0.1", not_before=datetime.datetime(2020, 1, 1),
                             not_after=datetime.datetime(2021, 1, 1))
    else:
        cert = ca.issue_cert("other.example" if case == "wrong-name" else "127.0.0.1")
    async with raw_server(respond(200, {"Content-Type": "application/json"}, b"{}"), _tls_server_ctx(cert)) as srv:
        res, _ = await run_api(settings_for(srv.url("/v2")), verify=_client_ctx(ca, case != "untrusted"))
        assert srv.requests == []  # nothing, key included, was sent
    assert res["api.health"].outcome == "tls_failure"
    assert expect in res["api.health"].summary
    assert res["api.verify"].outcome == "unreachable"


async def test_tls_that_verifies_passes(ca):
    cert = ca.issue_cert("127.0.0.1")
    body = b'{"valid": true, "plan": "pro"}'
    async with raw_server(respond(200, {"Content-Type": "application/json"}, body), _tls_server_ctx(cert)) as srv:
        res, _ = await run_api(settings_for(srv.url("/v2")), verify=_client_ctx(ca, True))
    assert res["api.health"].outcome == "ok" and res["api.verify"].outcome == "ok"
    assert res["api.health"].evidence.get("tls_ms") is not None
    assert res["api.health"].evidence.get("connect_ms") is not None


# --- hostile and odd answers -------------------------------------------------------------------

HOSTILE = ("[/bold][@click=app.quit]boom \x1b[31mred\x1b[0m \x1b]52;c;ZXZpbA==\x07 \x1b]0;title\x07 "
           "\x9b2J \u202eevil " + CANARY)


async def test_5xx_with_a_hostile_body_is_shown_as_inert_text():
    body = json.dumps({"error": HOSTILE, "status": "error"}).encode()
    headers = {"Content-Type": "application/json", "X-Note": "[bold]x\x9b31m", "Connection": "keep-alive"}
    async with raw_server(respond(503, headers, body, reason="Oops [/bold]")) as srv:
        res, _ = await run_api(settings_for(srv.url("/v2")))
    verify = res["api.verify"]
    assert (verify.status, verify.outcome) == ("error", "server_error")
    assert "[/bold][@click=app.quit]" in verify.evidence["api_error"]  # inert text, kept
    assert res["api.health"].outcome == "unhealthy"
    assert_inert(dump(res))
    assert "\u202e" not in dump(res)


async def test_hostile_body_echoing_the_key_is_redacted():
    async def echo(srv, reader, writer):
        head = await srv.read_request(reader)
        auth = [line for line in head.split(b"\r\n") if line.lower().startswith(b"authorization")]
        body = json.dumps({"error": "invalid_api_key", "message": f"bad key {auth!r}"}).encode()
        from fixtures_http import response_bytes
        writer.write(response_bytes(401, {"Content-Type": "application/json"}, body))
        await writer.drain()

    async with raw_server(echo) as srv:
        res, _ = await run_api(settings_for(srv.url("/v2")), ["api.verify"])
    assert res["api.verify"].outcome == "unauthorized"
    assert_inert(dump(res))


@pytest.mark.parametrize("retry_after,expect_s", [("120", 120), ("date", 90)])
async def test_429_reports_retry_after_with_exactly_one_request(retry_after, expect_s):
    if retry_after == "date":
        retry_after = email.utils.formatdate(time.time() + 90, usegmt=True)
    headers = {"Content-Type": "application/json", "Retry-After": retry_after,
               "X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0"}
    table = {"/v2/verify": (429, headers, b'{"error": "rate_limit_exceeded"}')}
    async with raw_server(route(table)) as srv:
        res, _ = await run_api(settings_for(srv.url("/v2")), ["api.verify", "api.rate_limit"])
        assert len(srv.requests) == 1  # verify and rate_limit share one request; no retry
    verify, quota = res["api.verify"], res["api.rate_limit"]
    assert verify.outcome == "rate_limited" and quota.outcome == "exhausted"
    assert abs(verify.evidence["retry_after_s"] - expect_s) <= 2
    assert verify.evidence["retry_at"].endswith("UTC")
    assert "retry in" in verify.summary


async def test_malformed_json_does_not_change_the_verdict():
    bad = b'{"plan": "pro", "scopes": [\x1b'
    table = {"/v2/verify": (401, {"Content-Type": "application/json"}, bad),
             "/v2/health": (200, {"Content-Type": "application/json"}, bad)}
    async with raw_server(route(table)) as srv:
        res, _ = await run_api(settings_for(srv.url("/v2")))
    assert res["api.verify"].outcome == "unauthorized"
    assert res["api.health"].outcome == "ok"
    assert res["api.health"].evidence["body"] == "malformed JSON"


@pytest.mark.parametrize("chunked", [False, True])
async def test_50_mb_body_is_capped(chunked):
    async with raw_server(big_body(chunked=chunked)) as srv, make_client() as client:
        start = time.perf_counter()
        r = await fetch(client, srv.url("/v2/health"), deadline_s=5)
        assert time.perf_counter() - start < 2
    assert r.status == 200 and r.error is None
    assert len(r.body) <= 256 * 1024
    assert "cap" in r.body_note


async def test_gzip_bomb_stops_at_the_cap():
    bomb = gzip_bomb()
    assert len(bomb) < 100_000
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    async with raw_server(respond(200, headers, bomb)) as srv, make_client() as client:
        r = await fetch(client, srv.url("/v2/health"))
        assert b"identity" in srv.requests[0].lower()  # we asked for no compression
    assert len(r.body) <= 256 * 1024 and "cap" in r.body_note


async def test_unknown_content_encoding_is_not_decoded():
    headers = {"Content-Type": "application/json", "Content-Encoding": "br"}
    async with raw_server(respond(200, headers, b"\x00\x01garbage")) as srv, make_client() as client:
        r = await fetch(client, srv.url("/v2/health"))
    assert r.status == 200 and r.body == b"" and "Content-Encoding" in r.body_note


# --- redirects and proxies ---------------------------------------------------------------------


async def test_redirect_to_another_origin_is_reported_not_followed():
    async with raw_server(respond(200, {}, b"{}")) as other:
        location = other.url("/v2/verify?from=redirect\x9b31m")
        async with raw_server(respond(302, {"Location": location})) as srv:
            res, _ = await run_api(settings_for(srv.url("/v2")))
            assert len(srv.requests) == 2  # verify and health, once each
        assert other.requests == [] and CANARY.encode() not in other.received
    verify = res["api.verify"]
    assert (verify.status, verify.outcome) == ("fail", "redirect")
    assert verify.evidence["redirect_to"] == f"http://127.0.0.1:{other.port} (other origin)"
    assert res["api.health"].outcome == "redirect"
    assert_inert(dump(res))


async def test_redirect_loop_is_one_request():
    async def loop_handler(srv, reader, writer):
        from fixtures_http import response_bytes
        while await srv.read_request(reader):
            writer.write(response_bytes(301, {"Location": "/v2/verify", "Connection": "keep-alive"}))
            await writer.drain()

    async with raw_server(loop_handler) as srv:
        res, _ = await run_api(settings_for(srv.url("/v2")), ["api.verify"])
        assert len(srv.requests) == 1
    assert res["api.verify"].outcome == "redirect"


async def test_key_is_not_sent_in_clear_to_a_remote_http_url(monkeypatch):
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    async with raw_server(respond(200, {"Content-Type": "application/json"}, b'{"status": "ok"}')) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url(""))
        monkeypatch.setenv("http_proxy", proxy.url(""))
        res, _ = await run_api(settings_for("http://api.copycar.example/v2"))
        assert CANARY.encode() not in proxy.received
        assert len(proxy.requests) == 1  # the key-less GET /health went through the proxy
        assert b"api.copycar.example" in proxy.requests[0]
    verify, health = res["api.verify"], res["api.health"]
    assert (verify.status, verify.outcome) == ("fail", "insecure")
    assert verify.entry == "api-unreachable" or verify.entry is None  # entry written by the KB engineer
    assert health.outcome == "insecure" and health.evidence["proxy"] == f"http://127.0.0.1:{proxy.port}"


async def test_loopback_url_through_a_remote_proxy_is_refused(monkeypatch):
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("http_proxy", "http://proxy.copycar.invalid:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.copycar.invalid:3128")
    res, _ = await run_api(settings_for("http://127.0.0.1:9/v2"), ["api.verify"])
    assert res["api.verify"].outcome == "insecure"


async def test_https_through_a_proxy_tunnels_without_the_key(monkeypatch):
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    async with raw_server(respond(403, {}, b"")) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url(""))
        monkeypatch.setenv("https_proxy", proxy.url(""))
        res, _ = await run_api(settings_for("https://api.copycar.example/v2"))
        assert CANARY.encode() not in proxy.received
        assert all(r.startswith(b"CONNECT api.copycar.example:443") for r in proxy.requests)
    assert res["api.health"].outcome == "connect_failed"
    assert res["api.health"].evidence["proxy"] == f"http://127.0.0.1:{proxy.port}"
    assert res["api.verify"].outcome == "unreachable"


# --- the canary: never in results, reprs or logs ----------------------------------------------


async def test_canary_never_in_logs_reprs_or_results(caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "copycar_assist", "asyncio"):
        caplog.set_level(logging.DEBUG, logger=name)
    from copycar_assist.simulator import start_simulator

    with start_simulator("invalid-key") as sim:
        settings = settings_for(sim.base_url)
        async with check_context(settings) as ctx:
            report = await run_checks(ctx, ["api.key_configured", "api.verify", "api.rate_limit", "api.health"])
            reprs = " ".join(repr(x) for x in (ctx, ctx.client, settings, settings.api, BearerAuth(settings.api.key)))
    assert report.results[1].outcome == "unauthorized"
    assert "httpcore" in caplog.text or "httpx" in caplog.text  # DEBUG logging did happen
    for text in (caplog.text, reprs, json.dumps([r.to_json() for r in report.results], ensure_ascii=False)):
        assert CANARY not in text
        for i in range(len(CANARY) - 11):
            assert CANARY[i:i + 12] not in text


async def test_slow_dns_ends_at_the_deadline(monkeypatch):
    import socket

    real = socket.getaddrinfo

    def slow_resolver(host, *args, **kwargs):  # the environment's resolver hangs for this name
        if host == "slow.copycar.test":
            time.sleep(1.5)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_resolver)
    settings = settings_for("https://slow.copycar.test/v2")
    settings.api.timeout_s = 0.5
    start = time.perf_counter()
    res, _ = await run_api(settings, ["api.health"])
    assert time.perf_counter() - start < 1.2
    assert res["api.health"].outcome == "timeout"
    assert "resolving the name" in res["api.health"].summary


async def test_httpx_info_log_with_full_urls_is_silenced(caplog):
    logger = logging.getLogger("httpx")
    old = logger.level
    logger.setLevel(logging.NOTSET)
    try:
        caplog.set_level(logging.INFO)
        async with raw_server(respond(200)) as srv, make_client() as client:
            await fetch(client, srv.url("/v2/health?token=secret-in-query"))
        assert "secret-in-query" not in caplog.text and "HTTP Request" not in caplog.text
    finally:
        logger.setLevel(old)
