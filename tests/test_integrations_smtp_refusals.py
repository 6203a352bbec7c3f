"""email.smtp when a real aiosmtpd server refuses: the greeting (421 temporary, 554 permanent), the
sender, the recipient (relay denied, unknown user, greylisting), a login that is required. Each
refusal has its own outcome and cause, the envelope is never followed by DATA, and the session
always ends with QUIT (after RSET when MAIL was accepted)."""

from __future__ import annotations

from copycar_assist.checks.email import SmtpCheck
from copycar_assist.checks.runner import map_outcome

from fixtures_integrations import make_ctx, relay_only_to, smtp_settings
from shipped import knowledge

FAST = SmtpCheck(timeout_s=4.0, phase_timeout_s=1.0)
RELAY_DENIED = "554 5.7.1 <oncall@outside.test>: Relay access denied"


def _never_data(srv):
    assert "DATA" not in srv.commands() and ("DATA", "") not in srv.envelope


async def test_relay_denied_after_login_is_not_healthy(smtp_factory, certs, http_client):
    srv = await smtp_factory(starttls=certs.good, rcpt_reply=relay_only_to("example.test"))
    s = smtp_settings(srv.port, ca_file=certs.ca_file)
    s.smtp.test_recipient = "oncall@outside.test"
    f = await FAST.run(make_ctx(s, http_client))
    assert (f.status, f.outcome) == ("fail", "relay_denied"), f.summary
    assert "Logged in" in f.summary and "Relay access denied" in f.summary
    assert "oncall@outside.test" in f.summary
    assert srv.auth_attempts == [("PLAIN", "alerts@example.test")]
    assert srv.envelope == [("MAIL", "alerts@example.test"), ("RCPT", "oncall@outside.test")]
    # the open transaction is reset, then the session ends; nothing was ever sent
    assert srv.commands()[-4:] == ["MAIL", "RCPT", "RSET", "QUIT"]
    _never_data(srv)
    assert f.evidence["rcpt"].startswith("FAILED") and f.evidence["mail_sent"] is False
    assert "test_recipient_note" not in f.evidence
    assert map_outcome(knowledge(), "email.smtp", "relay_denied") == ("email-delivery-failed", "relay-denied")


async def test_relay_denied_without_credentials_says_to_log_in(smtp_factory, certs, http_client):
    srv = await smtp_factory(starttls=certs.good, rcpt_reply=RELAY_DENIED)
    s = smtp_settings(srv.port, ca_file=certs.ca_file, password="", username="")
    s.smtp.username, s.smtp.test_recipient = None, "oncall@outside.test"
    f = await FAST.run(make_ctx(s, http_client, lang="es"))
    assert (f.status, f.outcome) == ("fail", "relay_denied"), f.summary
    assert "Sin iniciar sesión" in f.summary and "smtp.username" in f.summary
    assert srv.auth_attempts == [] and srv.commands()[-2:] == ["RSET", "QUIT"]


async def test_sender_refused(smtp_factory, certs, http_client):
    srv = await smtp_factory(starttls=certs.good, mail_reply=(
        "553 5.7.1 <alerts@example.test>: Sender address rejected: not owned by user alerts@example.test"))
    f = await FAST.run(make_ctx(smtp_settings(srv.port, ca_file=certs.ca_file), http_client))
    assert (f.status, f.outcome) == ("fail", "sender_refused"), f.summary
    assert "alerts@example.test" in f.summary and "smtp.from" in f.summary and "553" in f.summary
    # no RCPT after a refused sender, no RSET needed (no transaction), but a QUIT
    assert srv.envelope == [("MAIL", "alerts@example.test")]
    assert srv.commands()[-2:] == ["MAIL", "QUIT"]
    assert map_outcome(knowledge(), "email.smtp", "sender_refused") == ("email-delivery-failed", "sender-refused")


async def test_unknown_recipient_is_not_relay_denied(smtp_factory, certs, http_client):
    srv = await smtp_factory(starttls=certs.good, rcpt_reply=(
        "550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown in local recipient table"))
    s = smtp_settings(srv.port, ca_file=certs.ca_file)
    s.smtp.test_recipient = "Nobody <nobody@example.test>"
    f = await FAST.run(make_ctx(s, http_client))
    assert (f.status, f.outcome) == ("fail", "recipient_refused"), f.summary
    assert "nobody@example.test" in f.summary and "smtp.test_recipient" in f.summary
    assert srv.envelope[-1] == ("RCPT", "nobody@example.test")
    assert map_outcome(knowledge(), "email.smtp", "recipient_refused") == ("email-delivery-failed", "recipient-refused")


async def test_greylisting_at_rcpt_is_temporary(smtp_factory, certs, http_client):
    srv = await smtp_factory(starttls=certs.good,
                             rcpt_reply="450 4.2.0 <alerts@example.test>: Recipient address rejected: Greylisted")
    f = await FAST.run(make_ctx(smtp_settings(srv.port, ca_file=certs.ca_file), http_client))
    assert (f.status, f.outcome) == ("fail", "temporary_refusal"), f.summary
    assert "TEMPORARILY" in f.summary and "450" in f.summary
    assert srv.commands()[-2:] == ["RSET", "QUIT"]


async def test_421_greeting_is_temporary_and_554_is_permanent(smtp_factory, http_client):
    busy = await smtp_factory(greeting="421 4.7.0 mx.test.local Error: too many connections from 127.0.0.1")
    refused = await smtp_factory(greeting="554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org")
    f421 = await FAST.run(make_ctx(smtp_settings(busy.port), http_client))
    f554 = await FAST.run(make_ctx(smtp_settings(refused.port), http_client))
    assert (f421.status, f421.outcome) == ("fail", "temporary_refusal"), f421.summary
    assert (f554.status, f554.outcome) == ("fail", "client_refused"), f554.summary
    assert "try again later" in f421.summary and "Do not change the settings" in f421.summary
    assert "PERMANENTLY" in f554.summary and "blocklist" in f554.summary
    assert "zen.spamhaus.org" in f554.summary
    # neither blames the configuration, and they point to different causes
    assert map_outcome(knowledge(), "email.smtp", "temporary_refusal") == ("email-delivery-failed", "smtp-temporary-refusal")
    assert map_outcome(knowledge(), "email.smtp", "client_refused") == ("email-delivery-failed", "smtp-client-refused")
    # the 554 server keeps the line open: it gets a QUIT and nothing else (no EHLO, no AUTH)
    assert refused.commands() == ["QUIT"] and refused.auth_attempts == []
    assert f554.evidence["session_ended_with_quit"] is True


async def test_login_required_before_mail(smtp_factory, certs, http_client):
    srv = await smtp_factory(starttls=certs.good, auth_required=True)
    s = smtp_settings(srv.port, ca_file=certs.ca_file, password="", username="")
    s.smtp.username = None
    f = await FAST.run(make_ctx(s, http_client))
    assert (f.status, f.outcome) == ("fail", "misconfigured"), f.summary
    assert "requires a login" in f.summary and "530" in f.summary
    assert srv.commands()[-2:] == ["MAIL", "QUIT"]


async def test_half_the_credentials_skips_the_envelope(smtp_factory, certs, http_client):
    srv = await smtp_factory(starttls=certs.good)
    s = smtp_settings(srv.port, ca_file=certs.ca_file)
    s.smtp.password = None
    f = await FAST.run(make_ctx(s, http_client))
    assert (f.status, f.outcome) == ("fail", "misconfigured") and "Only one of" in f.summary
    assert srv.envelope == [] and srv.commands()[-1] == "QUIT"


async def test_address_that_is_not_plain_ascii_is_not_put_on_the_wire(smtp_factory, certs, http_client):
    srv = await smtp_factory(starttls=certs.good)
    s = smtp_settings(srv.port, ca_file=certs.ca_file)
    s.smtp.test_recipient = "jos\u00e9@ejemplo.test"
    f = await FAST.run(make_ctx(s, http_client))
    assert (f.status, f.outcome) == ("pass", "ok"), f.summary
    assert srv.envelope == [] and "envelope (sender/recipient) not tested" in f.summary
    assert "not plain ASCII" in f.evidence["envelope"]


def test_test_recipient_setting_is_validated(tmp_path):
    import pytest

    from copycar_assist.config import ConfigError, settings_from_dict

    s = settings_from_dict({"smtp": {"test_recipient": "oncall@outside.test"}}, "<t>")
    assert s.smtp.test_recipient == "oncall@outside.test"
    with pytest.raises(ConfigError) as err:
        settings_from_dict({"smtp": {"test_recipient": "not an address"}}, "<t>")
    assert "[smtp] test_recipient" in str(err.value)
