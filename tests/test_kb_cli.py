"""`copycar-assist kb …` through a real subprocess: exit codes, JSON, file:line messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fixtures_terminal import on_a_terminal

from fixtures_kb import BILLING_GUIDE, KB_BROKEN, KB_SMALL, OUR_GUIDE, need_our_guide

REPO = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "copycar_assist", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def test_list_json_shipped():
    r = run("kb", "list", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)  # stdout holds JSON only
    rows = {e["id"]: e for e in data["entries"]}
    assert "invalid-api-key" in rows
    assert all(set(e) == {"id", "title", "category", "severity"} for e in data["entries"])
    assert rows["invalid-api-key"]["title"] == "Invalid API key"  # English by default


def test_list_in_spanish_with_kb_and_lang():
    r = run("--kb", str(KB_SMALL), "kb", "list", "--json", "--lang", "es")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"entries": [
        {"id": "alpha-problem", "title": "Problema alfa", "category": "cat-a", "severity": "HIGH"},
        {"id": "beta-problem", "title": "Problema beta", "category": "cat-b", "severity": "LOW"},
    ]}
    r = run("--lang", "es", "--kb", str(KB_SMALL), "kb", "list")  # the global --lang works too
    assert r.returncode == 0 and "Problema alfa" in r.stdout


def test_show_plain_text():
    r = run("--kb", str(KB_SMALL), "kb", "show", "alpha-problem", "--lang", "es")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for text in ("Problema alfa", "Síntomas", "- Sale un 401.", "La clave es mala  [bad-key]",
                 "lo detecta: api.verify.unauthorized", "1. Copia la clave otra vez.",
                 "pregunta: ¿Falla también desde otra máquina?", "Errores frecuentes",
                 'print("alfa")'):
        assert text in out, text
    assert run("--kb", str(KB_SMALL), "kb", "show", "alpha-problem").stdout.count("Symptoms") == 1


def test_show_on_an_80_column_terminal_wraps_the_prose_and_leaves_the_code(tmp_path):
    from copycar_assist.cli.columns import width

    piped = run("--lang", "es", "kb", "show", "rate-limit-exceeded").stdout.splitlines()
    code, shown = on_a_terminal(tmp_path, 80, "--lang", "es", "kb", "show", "rate-limit-exceeded")
    assert code == 0
    sample = piped[piped.index("  --- python ---"):]  # the code samples, to the end
    assert shown[-len(sample):] == sample  # copied as they are, however long their lines
    prose = shown[:-len(sample)]
    assert all(width(line) <= 79 for line in prose), [line for line in prose if width(line) > 79]
    assert " ".join(" ".join(prose).split()) == " ".join(" ".join(piped[:-len(sample)]).split())  # every word


def test_show_has_the_entry_s_sections_of_text_for_people(tmp_path):
    """The guide's thresholds table, how to read the logs …: in both languages, a table row whole
    on an 80-column terminal, a code sample written there shown there and not again."""
    sample = "2025-03-14 10:32:07,412 - copycar_ai - INFO - API Call: GET /verify - Status: 200 - Response Time: 123ms"
    for lang, titles, row in (
            ("es", ("Umbrales de alerta", "Monitor de rendimiento", "Cómo leer los logs"),
             "  | Tiempo de respuesta | más de 5000 ms | `HIGH_RESPONSE_TIME` | WARNING (aviso) |"),
            ("en", ("Alert thresholds", "Performance monitor", "Reading the logs"),
             "  | Response time | above 5000 ms | `HIGH_RESPONSE_TIME` | WARNING |")):
        out = run("--lang", lang, "kb", "show", "slow-responses").stdout.splitlines()
        assert [line for line in out if line in titles] == list(titles)
        assert row in out and out.count(f"  {sample}") == 1
        code, shown = on_a_terminal(tmp_path, 80, "--lang", lang, "kb", "show", "slow-responses")
        assert code == 0 and row in shown and shown.count(f"  {sample}") == 1


def test_list_and_match_on_an_80_column_terminal_keep_a_row_to_a_line(tmp_path):
    from copycar_assist.cli.columns import width

    code, rows = on_a_terminal(tmp_path, 80, "--lang", "es", "kb", "list")
    assert code == 0 and len(rows) == 10  # one line an entry, the title cut to fit
    assert all(width(row) <= 79 for row in rows) and any(row.endswith("…") for row in rows)
    code, lines = on_a_terminal(tmp_path, 60, "match", "my api key gives 401 unauthorized since this morning")
    assert code == 0 and lines[2].startswith("*") and "invalid-api-key" in lines[2]
    assert all(width(line) <= 59 for line in lines), lines


def test_show_unknown_id_exits_3_with_close_ids():
    r = run("--kb", str(KB_SMALL), "kb", "show", "alpha-problme")
    assert r.returncode == 3
    assert "no entry 'alpha-problme'" in r.stderr and "alpha-problem" in r.stderr
    assert r.stdout == ""


def test_lint_clean_and_broken():
    r = run("kb", "lint", str(KB_SMALL))
    assert r.returncode == 0 and r.stdout == ""
    assert "0 error(s)" in r.stderr
    path = KB_BROKEN / "no-solution" / "solo.md"
    r = run("kb", "lint", str(KB_BROKEN / "no-solution"))
    assert r.returncode == 1
    assert f"{path}:51: cause 'second' has no solution steps in English" in r.stdout
    r = run("--kb", str(KB_BROKEN / "bad-toml"), "kb", "lint", "--json")
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert data["errors"] == 1 and data["problems"][0]["line"] == 4


def test_a_broken_kb_is_a_usage_error_for_other_commands():
    r = run("--kb", str(KB_BROKEN / "bad-toml"), "kb", "list")
    assert r.returncode == 3
    assert "solo.md:4: invalid TOML" in r.stderr and "Traceback" not in r.stderr


def test_import_then_use_with_kb(tmp_path):
    need_our_guide()
    out = tmp_path / "imported"
    r = run("kb", "import", str(OUR_GUIDE), "--out", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 6
    r = run("--kb", str(out), "kb", "list", "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["entries"]) == 6
    r = run("--kb", str(out), "kb", "lint", cwd=tmp_path)
    assert r.returncode == 0 and "6 warning(s)" in r.stderr
    r = run("kb", "import", str(OUR_GUIDE), "--out", str(out), cwd=tmp_path)
    assert r.returncode == 3 and "--force" in r.stderr


def test_import_errors(tmp_path):
    r = run("kb", "import", str(tmp_path / "missing.md"), "--out", str(tmp_path / "o"))
    assert r.returncode == 3 and "cannot read" in r.stderr
    prose = tmp_path / "prose.md"
    prose.write_text("# Nothing here\n")
    r = run("kb", "import", str(prose), "--out", str(tmp_path / "o"))
    assert r.returncode == 1 and "no errors found" in r.stderr
    r = run("kb", "import", str(BILLING_GUIDE))
    assert r.returncode == 3  # --out is required
