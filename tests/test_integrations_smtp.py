"""email.smtp against real aiosmtpd servers on loopback: what the check concludes, and what the
server received (no AUTH without verified TLS, the envelope probed with MAIL/RCPT then RSET, never
DATA, and always a QUIT while the server is still talking)."""

from __future__ import annotations

import base64
import time

from copycar_assist.checks.email import SmtpCheck

from fixtures_integrations import CANARY_SMTP, make_ctx, smtp_settings

FAST = SmtpCheck(timeout_s=4.0, phase_timeout_s=1.0)


def _assert_no_canary(finding, server=None):
    text = repr(finding) + str(finding.evidence) + finding.summary
    assert CANARY_SMTP not in text
    assert base64.b64encode(CANARY_SMTP.encode()).decode()[:12] not in text


def _no_mail_commands(server):
    assert "DATA" not in server.commands()
    assert ("DATA", "") not in server.envelope


async def test_starttls_verified_and_auth_accepted(smtp_factory, certs, http_client):
    srv = await smtp_factory(starttls=certs.good)
    ctx = make_ctx(smtp_settings(srv.port, ca_file=certs.ca_file), http_client)
    f = await FAST.run(ctx)
    assert (f.status, f.outcome) == ("pass", "ok"), f.summary
    assert f.evidence["credentials_sent"] is True and f.evidence["mail_sent"] is False
    assert "TLS" in f.evidence["tls"]
    for phase in ("connect", "banner", "ehlo", "starttls", "ehlo_tls", "auth", "quit"):
        assert f.evidence[phase].startswith("ok · "), (phase, f.evidence)
    # AUTH went only inside TLS, and nothing that sends mail was ever said
    assert b"AUTH" not in srv.cleartext()
    assert srv.auth_attempts == [("PLAIN", "alerts@example.test")]
    _no_mail_commands(srv)
    _assert_no_canary(f)
    # the envelope was probed (sender as recipient by default), then reset, then QUIT
    assert srv.commands()[-4:] == ["MAIL", "RCPT", "RSET", "QUIT"]
    assert srv.envelope == [("MAIL", "alerts@example.test"), ("RCPT", "alerts@example.test")]
    assert f.evidence["mail"].startswith("ok · ") and f.evidence["rcpt"].startswith("ok · ")
    assert "relaying to other domains is not tested" in f.evidence["test_recipient_note"]
    assert "envelope only" in f.summary and "No mail was sent" in f.summary
    # the STARTTLS that was used stays recorded as offered (the EHLO inside TLS does not offer it)
    assert f.evidence["starttls_offered"] is True


async def test_auth_login_when_plain_is_not_offered(smtp_factory, certs, http_client):
    srv = await smtp_factory(starttls=certs.good, mechanisms_off=("PLAIN",))
    f = await FAST.run(make_ctx(smtp_settings(srv.port, ca_file=certs.ca_file), http_client))
    assert (f.status, f.outcome) == ("pass", "ok"), f.summary
    assert srv.auth_attempts == [("LOGIN", "alerts@example.test")]
    assert b"AUTH" not in srv.cleartext()


async def test_no_starttls_never_sends_auth(smtp_factory, http_client):
    # the server offers AUTH in clear and no STARTTLS: the check must stop before AUTH
    srv = await smtp_factory(auth_in_clear=True)
    ctx = make_ctx(smtp_settings(srv.port), http_client)
    f = await FAST.run(ctx)
    assert (f.status, f.outcome) == ("fail", "no_starttls")
    assert f.evidence["credentials_sent"] is False
    wire = srv.everything()
    assert b"AUTH" not in wire.upper() and CANARY_SMTP.encode() not in wire
    assert base64.b64encode(b"\0alerts@example.test\0" + CANARY_SMTP.encode()) not in wire
    assert srv.auth_attempts == []
    assert "NOT sent" in f.summary
    _assert_no_canary(f)
    # the session still ends properly: the server logs a QUIT, not a lost connection
    assert srv.commands() == ["EHLO", "QUIT"]
    assert f.evidence["session_ended_with_quit"] is True and f.evidence["starttls_offered"] is False


async def test_untrusted_certificate_is_tls_failed_and_no_auth(smtp_factory, certs, http_client):
    srv = await smtp_factory(starttls=certs.untrusted)
    ctx = make_ctx(smtp_settings(srv.port, ca_file=certs.ca_file), http_client)
    f = await FAST.run(ctx)
    assert (f.status, f.outcome) == ("fail", "tls_failed")
    assert "certificate" in f.summary.lower()
    assert srv.auth_attempts == [] and b"AUTH" not in srv.everything().upper()
    assert f.evidence["credentials_sent"] is False
    _assert_no_canary(f)


async def test_system_trust_store_rejects_a_private_ca(smtp_factory, certs, http_client):
    # no ca_file: the trustme CA is not in the system store, so verification must fail closed
    srv = await smtp_factory(starttls=certs.good)
    f = await FAST.run(make_ctx(smtp_settings(srv.port), http_client))
    assert f.outcome == "tls_failed" and srv.auth_attempts == []


async def test_wrong_host_name_is_tls_failed(smtp_factory, certs, http_client):
    srv = await smtp_factory(starttls=certs.wrong_name)
    f = await FAST.run(make_ctx(smtp_settings(srv.port, ca_file=certs.ca_file), http_client))
    assert f.outcome == "tls_failed"
    assert "mismatch" in f.summary.lower() or "hostname" in f.summary.lower()
    assert srv.auth_attempts == []


async def test_auth_rejected_535(smtp_factory, certs, http_client):
    srv = await smtp_factory(starttls=certs.good, accept=None)
    f = await FAST.run(make_ctx(smtp_settings(srv.port, ca_file=certs.ca_file), http_client))
    assert (f.status, f.outcome) == ("fail", "auth_failed")
    assert "535" in f.summary
    assert f.evidence["credentials_sent"] is True
    _no_mail_commands(srv)
    _assert_no_canary(f)
    # QUIT after the refused AUTH (Postfix would otherwise log "lost connection after AUTH")
    assert srv.commands()[-2:] == ["AUTH", "QUIT"] and srv.envelope == []


async def test_silent_server_times_out_within_deadline(silent_tcp, http_client):
    port = silent_tcp.sockets[0].getsockname()[1]
    check = SmtpCheck(timeout_s=3.0, phase_timeout_s=0.5)
    started = time.monotonic()
    f = await check.run(make_ctx(smtp_settings(port), http_client))
    elapsed = time.monotonic() - started
    assert (f.status, f.outcome) == ("fail", "connect_failed")
    assert elapsed < 2.0, elapsed
    assert f.evidence["banner"].startswith("FAILED")
    assert b"AUTH" not in b"".join(silent_tcp.received)


async def test_refused_port(http_client):
    from fixtures_integrations import free_port

    f = await FAST.run(make_ctx(smtp_settings(free_port()), http_client))
    assert (f.status, f.outcome) == ("fail", "connect_failed")
    assert "refuse" in f.summary.lower()


async def test_unknown_host_is_connect_failed(http_client):
    f = await FAST.run(make_ctx(smtp_settings(2525, host="nonexistent.invalid"), http_client))
    assert f.outcome == "connect_failed"


async def test_implicit_tls(smtp_factory, certs, http_client):
    srv = await smtp_factory(implicit=certs.good)
    f = await FAST.run(make_ctx(smtp_settings(srv.port, security="tls", ca_file=certs.ca_file), http_client))
    assert (f.status, f.outcome) == ("pass", "ok"), f.summary
    assert srv.auth_attempts == [("PLAIN", "alerts@example.test")]
    assert "starttls_offered" not in f.evidence  # not a question with implicit TLS


async def test_implicit_tls_against_plain_port_is_misconfigured(smtp_factory, certs, http_client):
    srv = await smtp_factory(starttls=certs.good)
    f = await FAST.run(make_ctx(smtp_settings(srv.port, security="tls", ca_file=certs.ca_file), http_client))
    assert f.outcome == "misconfigured", f.summary
    assert srv.auth_attempts == []


async def test_port_security_combinations_are_misconfigured_without_connecting(http_client):
    for port, security in ((465, "starttls"), (587, "tls"), (25, "tls"), (465, "none")):
        f = await FAST.run(make_ctx(smtp_settings(port, security=security), http_client))
        assert (f.status, f.outcome) == ("fail", "misconfigured"), (port, security)
        assert "connect" not in f.evidence


async def test_security_none_refused_to_remote_host(http_client):
    f = await FAST.run(make_ctx(smtp_settings(2525, security="none", host="smtp.example.com"), http_client))
    assert f.outcome == "misconfigured" and "connect" not in f.evidence
    assert "clear" in f.summary


async def test_security_none_to_loopback_is_loud(smtp_factory, http_client):
    srv = await smtp_factory(auth_in_clear=True)
    f = await FAST.run(make_ctx(smtp_settings(srv.port, security="none"), http_client))
    assert (f.status, f.outcome) == ("warn", "misconfigured")
    assert "WARNING" in f.summary and "NO ENCRYPTION" in f.evidence["warning"]


async def test_missing_from_is_misconfigured(smtp_factory, certs, http_client):
    srv = await smtp_factory(starttls=certs.good)
    s = smtp_settings(srv.port, ca_file=certs.ca_file)
    s.smtp.from_addr = None
    f = await FAST.run(make_ctx(s, http_client))
    assert (f.status, f.outcome) == ("fail", "misconfigured") and "smtp.from" in f.summary


async def test_no_credentials_connects_without_auth(smtp_factory, certs, http_client):
    srv = await smtp_factory(starttls=certs.good)
    s = smtp_settings(srv.port, ca_file=certs.ca_file, password="", username="")
    s.smtp.username = None
    f = await FAST.run(make_ctx(s, http_client, lang="es"))
    assert (f.status, f.outcome) == ("pass", "ok")
    assert "AUTH no probado" in f.summary
    assert srv.auth_attempts == []


async def test_hostile_banner_is_cleaned(http_client):
    import asyncio

    async def handler(reader, writer):
        writer.write(b"554-\x1b]52;c;ZXZpbA==\x07[bold]evil\x1b[2J\r\n554 go away\r\n")
        await writer.drain()
        await reader.read(100)
        writer.close()

    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    try:
        f = await FAST.run(make_ctx(smtp_settings(server.sockets[0].getsockname()[1]), http_client))
    finally:
        server.close()
    assert f.outcome == "client_refused"
    blob = f.summary + str(f.evidence)
    assert "\x1b" not in blob and "\x07" not in blob and "554" in blob


async def test_ipv6_loopback_literal(http_client):
    import asyncio
    import socket

    if not socket.has_ipv6:
        return
    try:
        server = await asyncio.start_server(lambda r, w: w.close(), "::1", 0)
    except OSError:
        return  # no IPv6 loopback here
    port = server.sockets[0].getsockname()[1]
    server.close()  # closed again: the literal must reach connect and be refused, not misparsed
    f = await FAST.run(make_ctx(smtp_settings(port, host="[::1]"), http_client))
    assert f.outcome == "connect_failed" and "resolve" not in f.summary
