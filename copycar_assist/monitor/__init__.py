"""The performance monitor of the guide, live: samples, sliding-window metrics, alerts with
hysteresis, deliveries (e-mail, webhook), Prometheus text, a followed log. No UI here.

    clock.py       the injectable clock (real, or one that jumps for tests and benchmarks)
    window.py      samples, the window and the guide's metrics over it
    rules.py       the knowledge's alert rules with hysteresis, and "slower than usual"
    budget.py      the /verify budget and the back-off after a 429
    engine.py      the loop: probe, evaluate, record to the history, deliver
    notify.py      e-mail through the SMTP check's rules, and the webhook
    once.py        one measurement for a scheduler (Nagios exit codes, --once --json)
    exposition.py  Prometheus text exposition; serve.py serves it on loopback
    logfollow.py   the same metrics from a log in the guide's format as it grows
"""
