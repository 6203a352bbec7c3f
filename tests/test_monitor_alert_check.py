"""`monitor.alerts` (entry alert-emails-missing): no destination, the SMTP envelope to every alert
recipient over verified TLS (nothing sent), and a failed delivery found in the history."""

from __future__ import annotations

import time

from copycar_assist.checks import CheckContext, SharedClient, run_checks
from copycar_assist.monitor.rules import AlertEvent
from copycar_assist.runs.runstore import RunStore
from copycar_assist.simulator import start_simulator

from fixtures_monitor import monitor_settings
from shipped import knowledge

KB = knowledge()


async def run(settings, store=None):
    async with SharedClient(settings) as http:
        ctx = CheckContext(settings, KB, http, settings.redactor(), lang="en", history=store)
        return (await run_checks(ctx, ["monitor.alerts"], prefer_entry="alert-emails-missing")).results[0]


async def test_the_alert_path(mailbox, certs, tmp_path):
    sim = start_simulator("healthy")
    try:
        bare = monitor_settings(sim)
        r = await run(bare)
        assert (r.status, r.outcome, r.cause) == ("warn", "not_configured", "no-alert-destination")

        settings = monitor_settings(sim, box=mailbox, ca_file=certs.ca_file)
        store = RunStore.open(tmp_path)
        r = await run(settings, store)
        assert (r.status, r.outcome) == ("pass", "ok"), r.summary
        assert "2 recipient(s)" in r.summary and r.evidence["mail_sent"] is False
        assert mailbox.messages == []  # envelope only

        event = AlertEvent("t", "HIGH_ERROR_RATE", "CRITICAL", "raised", time.time(), 0.3, 0.05, "threshold",
                           "error_rate")
        alert_id = store.record_alert(None, event)
        store.set_delivery(alert_id, {"email": {"state": "failed", "detail": "auth_failed: 535"}})
        r = await run(settings, store)
        assert (r.status, r.outcome, r.cause) == ("fail", "delivery_failed", "smtp-alerts-failing")
        assert "535" in r.summary

        settings.smtp.ca_file = None  # the test CA is not trusted any more: TLS fails closed
        r = await run(settings, store)
        assert (r.outcome, r.cause) == ("tls_failed", "smtp-alerts-failing")
    finally:
        sim.stop()
