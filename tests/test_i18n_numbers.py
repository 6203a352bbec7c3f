"""Numbers in Spanish text are written with a decimal comma ("Tasa de error 12,1 %", "11,3 s"),
in English with a point; what is not a number (a version, an address, an SMTP code) is left as
it is."""

from __future__ import annotations

import pytest

from copycar_assist.i18n import duration, number, t
from copycar_assist.monitor.rules import fmt


def test_number_and_duration_in_each_language():
    assert (number(12.1, "es", ".1f"), number(12.1, "en", ".1f")) == ("12,1", "12.1")
    assert number("p95 1.5 s", "es") == "p95 1,5 s" and number(3, "es") == "3"
    assert [duration(ms, "es") for ms in (480, 1500, 11300)] == ["480 ms", "1,5 s", "11,3 s"]
    assert duration(1500, "en") == "1.5 s"
    assert (fmt("error_rate", 0.005, "es"), fmt("error_rate", 0.125, "en")) == ("0,5%", "12%")


def test_a_template_writes_its_numbers_the_languages_way():
    es = t("check.api_net.high_error_rate", "es", error_rate=0.125, threshold=0.05, n=10, figures="x")
    assert "12%" in es
    text = t("check.logs.error_rate_threshold", "es", pct="12,1 %", errors=29, operations=240, error_rate=2.5)
    assert text == "Tasa de error 12,1 % (29 de 240); el umbral es 2,5 %."
    assert t("check.logs.error_rate_threshold", "en", pct="12.1 %", errors=29, operations=240,
             error_rate=2.5).endswith("the threshold is 2.5 %.")


@pytest.mark.parametrize("value", ["5.7.1", "127.0.0.1", "v2.3"])
def test_text_given_to_a_template_is_not_a_number(value):
    assert value in t("conv.noted_cue", "es", quote=value, titles="x")


def test_the_log_check_says_its_rates_in_spanish(tmp_path):
    import subprocess
    import sys

    log = tmp_path / "calls.log"
    lines = [f"2024-01-15 10:{m:02d}:00,000 - app - INFO - API Call: POST /v2/generate - Status: {500 if m % 8 == 0 else 200} "
             f"- Response Time: 300ms" for m in range(40)]
    log.write_text("\n".join(lines) + "\n")
    out = subprocess.run([sys.executable, "-m", "copycar_assist", "--lang", "es", "doctor", "--only", "logs",
                          "--log-file", str(log), "--no-history"], capture_output=True, text=True, timeout=60,
                         env={"COPYCAR_ASSIST_CONFIG": str(tmp_path / "none.toml"), "PATH": "/usr/bin:/bin",
                              "COPYCAR_ASSIST_DATA": str(tmp_path / "data")})
    assert "Tasa de error 12,5 % (5 de 40)" in out.stdout, out.stdout + out.stderr
    assert "doctor · 1 comprobación · " in out.stdout  # it said "1 comprobaciones"


def test_counts_are_grouped_the_languages_way():
    # "1,000" reads as one with three decimals in Spanish: it groups with a point, from 10.000
    assert [number(n, "es", ",") for n in (160, 1000, 10000, 1234567)] == ["160", "1000", "10.000", "1.234.567"]
    assert [number(n, "en", ",") for n in (160, 1000, 10000)] == ["160", "1,000", "10,000"]
    assert number(12345.5, "es", ",.1f") == "12.345,5"


@pytest.mark.parametrize(("lang", "said"), [("es", "5000 de 10.000 entradas"), ("en", "5,000 of 10,000 entries")])
def test_the_app_says_how_far_a_first_compile_is_in_the_languages_numbers(lang, said):
    from copycar_assist.tui.knowledge import Knowledge

    knowledge = Knowledge(None, lambda: None)  # type: ignore[arg-type, return-value]
    knowledge.note_progress(5000, 10000)
    assert said in knowledge.loading_text(lang)
