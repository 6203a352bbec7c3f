"""Which entry a check result belongs to when no entry is in focus (doctor)."""

import json
import subprocess
import sys

import pytest

from copycar_assist.checks.runner import map_outcome


def test_every_check_has_a_home_that_lists_it(kb):
    for spec in kb.checks.values():
        assert spec.home in kb.entries, spec.id
        assert spec.id in kb.entries[spec.home].checks, spec.id


@pytest.mark.parametrize(("check", "outcome", "expected"), [
    # alert-emails-missing also maps email.smtp, and sorts first: the home entry wins.
    ("email.smtp", "auth_failed", ("email-delivery-failed", "smtp-misconfigured")),
    ("api.verify", "expired", ("invalid-api-key", "expired-key")),
    ("logs.analyze", "high_response_time", ("slow-responses", "high-latency")),
])
def test_doctor_maps_to_the_home_entry(kb, check, outcome, expected):
    assert map_outcome(kb, check, outcome) == expected


def test_focus_entry_beats_home(kb):
    assert map_outcome(kb, "email.smtp", "auth_failed", prefer_entry="alert-emails-missing") == (
        "alert-emails-missing", "smtp-alerts-failing")


def test_doctor_scores_an_email_file(tmp_path):
    mail = tmp_path / "mail.txt"
    mail.write_text("Subject: FREE MONEY!!! ACT NOW\n\nCLICK HERE!!! 100% guaranteed http://bit.ly/x\n")
    out = subprocess.run([sys.executable, "-m", "copycar_assist", "doctor", "--only", "email", "--json",
                          "--email-file", str(mail)], capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "COPYCAR_ASSIST_CONFIG": str(tmp_path / "none.toml")})
    doc = json.loads(out.stdout)
    spam = next(r for r in doc["results"] if r["id"] == "email.spam")
    assert spam["outcome"] == "spammy"
    assert (spam["entry"], spam["cause"]) == ("email-delivery-failed", "spam-content")
    assert out.returncode == 1
