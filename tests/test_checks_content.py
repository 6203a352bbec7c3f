"""Local content checks: prompt validation and personalisation readiness of account data files."""

from __future__ import annotations

import json

import pytest

from copycar_assist.checks import accounts
from copycar_assist.checks.accounts import (
    assess,
    field_for,
    flatten,
    is_empty,
    load_accounts,
    normalize_key,
)
from copycar_assist.checks.content import CHECKS, PersonalizationCheck, PromptCheck
from copycar_assist.checks.runner import run_checks

from fixtures_content import DATA, make_ctx
from shipped import knowledge

ACCOUNTS = DATA / "accounts"


async def prompt(text, lang="en"):
    return await PromptCheck().run(make_ctx(lang, prompt=text))


async def personalization(path, lang="en"):
    return await PersonalizationCheck().run(make_ctx(lang, account_file=str(path) if path else None))


def test_checks_match_the_catalogue():
    ids = {c.id for c in CHECKS}
    assert ids == {"content.prompt", "content.personalization"}
    for c in CHECKS:
        spec = knowledge().checks[c.id]
        assert c.tags == spec.tags and spec.needs == () and c.timeout_s > 0


# --- content.prompt ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "status", "outcome"), [
    (None, "skipped", "skipped"),
    ("", "fail", "empty"),
    ("   \n\t  ", "fail", "empty"),
    ("          ", "fail", "empty"),  # ten spaces: the guide's order calls this long enough
    ("  hola   ", "fail", "too_short"),  # 9 characters with the spaces, 4 without
    ("123456789", "fail", "too_short"),
    ("1234567890", "pass", "ok"),
    ("Write a short intro e-mail to the CTO of Acme about data silos.", "pass", "ok"),
    ("word " * 3077, "fail", "too_long"),  # 3077 × 1.3 = 4000.1
    ("word " * 3076, "pass", "ok"),  # 3998.8
    ("x" * 16_004, "fail", "too_long"),  # one 'word': caught by the characters estimate
    ("palabra " * 3000, "pass", "ok"),  # 24,000 characters of real words: the word estimate holds
    ("漢字" * 8001, "fail", "too_long"),
])
async def test_prompt_rules(text, status, outcome):
    f = await prompt(text)
    assert (f.status, f.outcome) == (status, outcome), f.summary
    assert outcome in (*knowledge().checks["content.prompt"].outcomes, "skipped")


async def test_prompt_evidence_shows_counts_estimate_and_limit():
    f = await prompt("  " + "palabra " * 3100)
    ev = f.evidence
    assert ev["words"] == 3100 and ev["characters"] == len(("palabra " * 3100).strip())
    assert ev["estimated_tokens"] == 4030 and ev["max_tokens"] == 4000 and ev["min_characters"] == 10
    assert ev["estimate_by_words"] == "3100 × 1.3 = 4030" and ev["estimated_from"] == "words"
    assert "4030" in f.summary and "4000" in f.summary


async def test_prompt_messages_in_both_languages():
    es = await prompt("corto", "es")
    en = await prompt("corto", "en")
    assert "demasiado corto" in es.summary and "mínimo es 10" in es.summary
    assert "too short" in en.summary
    skipped = await prompt(None, "es")
    assert "--prompt-file" in skipped.summary


# --- accounts: reading and scoring ------------------------------------------------------------------


def test_key_normalisation_and_aliases():
    assert normalize_key("Número de Empleados") == "numero_de_empleados"
    assert normalize_key("jobTitle") == "job_title"
    assert field_for("numero_de_empleados") == "company_size"
    assert field_for("contact_job_title") == "role"
    assert field_for("properties_numberofemployees") == "company_size"
    assert field_for("name") == "company_name"
    assert field_for("owner_id") is None and field_for("owner_name") is None
    assert field_for("crm_pain_points") == "pain_points" and field_for("notes_news") == "recent_activity"
    assert flatten({"company": {"name": "A", "hq": {"city": "B"}}}) == {"company_name": "A", "company_hq_city": "B"}


@pytest.mark.parametrize("value", [None, "", "  ", "N/A", "null", "-", "unknown", "desconocido",
                                   "{{first_name}}", "{company}", "[COMPANY NAME]", [], {}, ["", None], False])
def test_empty_values(value):
    assert is_empty(value)


@pytest.mark.parametrize("value", ["Acme", 0, 12, ["x"], {"a": "b"}, True, "n/a or maybe"])
def test_present_values(value):
    assert not is_empty(value)


def test_weights_add_up_to_100_and_identity_fields():
    assert sum(f.weight for f in accounts.FIELDS) == 100
    assert {f.id for f in accounts.FIELDS if f.identity} == {"company_name", "contact_name"}


def test_scores_of_the_fixture_files():
    good = assess(load_accounts(ACCOUNTS / "good.json").records)
    assert good.records == 2 and good.identity_missing == 0
    assert [round(s.score, 2) for s in good.scores] == [1.0, 0.95]  # the second one has no tech stack
    nested = assess(load_accounts(ACCOUNTS / "hubspot_nested.json").records)
    assert nested.records == 1 and nested.scores[0].score == 0.95  # all but tech stack
    assert nested.scores[0].label == "Delta Logistics"


# --- content.personalization --------------------------------------------------------------------------


async def test_good_file_passes():
    f = await personalization(ACCOUNTS / "good.json")
    assert (f.status, f.outcome) == ("pass", "ok")
    assert f.evidence["score"] == "98 %" and f.evidence["threshold"] == "70 %"
    assert f.evidence["records"] == 2 and f.evidence["format"] == "json"
    assert f.evidence["missing_in_some_records"] == "tech stack (1/2)"


async def test_thin_csv_is_thin_context_with_the_gaps_named():
    f = await personalization(ACCOUNTS / "thin.csv")
    assert (f.status, f.outcome) == ("fail", "thin_context")
    ev = f.evidence
    assert ev["format"] == "csv" and ev["records"] == 3 and ev["records_without_identity"] == 0
    assert "company size" in ev["missing_in_all_records"] and "pain points" in ev["missing_in_all_records"]
    assert "role/title (1/3)" in ev["missing_in_some_records"]
    assert ev["worst_record"] == "#2 (Borealis): 25 %"
    assert "%" in f.summary and "70 %" in f.summary
    es = await personalization(ACCOUNTS / "thin.csv", "es")
    assert "puntúan" in es.summary and "tamaño de la empresa" in es.summary


async def test_missing_identity_is_missing_fields_even_when_the_rest_is_rich():
    f = await personalization(ACCOUNTS / "missing_identity.json")
    assert (f.status, f.outcome) == ("fail", "missing_fields")
    assert f.evidence["records_without_identity"] == 1
    assert "company name" in f.summary and "contact name" in f.summary  # placeholder counts as empty
    assert f.evidence["records"] == 2


async def test_nested_export_is_understood_and_unknown_columns_listed():
    f = await personalization(ACCOUNTS / "hubspot_nested.json")
    assert (f.status, f.outcome) == ("pass", "ok")
    assert f.evidence["unrecognised_columns"] == "owner_id"


async def test_windows_spreadsheet_encoding(tmp_path):
    f = await personalization(ACCOUNTS / "cp1252.csv")
    assert f.evidence["encoding"] == "cp1252" and f.outcome == "thin_context"
    data = load_accounts(ACCOUNTS / "cp1252.csv")
    assert data.records == [{"company": "Café Sol", "contact_name": "José", "industry": "Hostelería", "title": "Dueño"}]


@pytest.mark.parametrize(("name", "where", "reason"), [
    ("bad.json", "bad.json:3:26:", "invalid JSON"),
    ("ragged.csv", "ragged.csv:3:", "row 2 has 4 columns but the header has 3"),
    ("bad_line.jsonl", "bad_line.jsonl:3:", "not a JSON object"),
    ("nope.json", "nope.json:", "does not exist"),
])
async def test_bad_files_are_errors_naming_file_and_line(name, where, reason):
    f = await personalization(ACCOUNTS / name)
    assert (f.status, f.outcome) == ("error", "error")
    assert where in f.summary and reason in f.summary


async def test_more_bad_inputs(tmp_path):
    (tmp_path / "list.json").write_text('[{"company": "A"}, 3]')
    f = await personalization(tmp_path / "list.json")
    assert f.outcome == "error" and "item 2 of the list is not an object" in f.summary
    (tmp_path / "scalar.json").write_text('"just text"')
    assert "expected an object" in (await personalization(tmp_path / "scalar.json")).summary
    (tmp_path / "empty.json").write_text("[]")
    assert "holds no account records" in (await personalization(tmp_path / "empty.json")).summary
    (tmp_path / "empty.csv").write_text("")
    assert "no header row" in (await personalization(tmp_path / "empty.csv")).summary
    (tmp_path / "bin.json").write_bytes(b'{"company": "\xff"}')
    f = await personalization(tmp_path / "bin.json")
    assert "bin.json:1:14:" in f.summary and "UTF-8" in f.summary
    f = await personalization(tmp_path)
    assert "directory" in f.summary
    f = await personalization(None)
    assert (f.status, f.outcome) == ("skipped", "skipped") and "--account-file" in f.summary


async def test_caps_on_size_and_records(tmp_path, monkeypatch):
    rows = [{"company": f"C{i}", "contact_name": "X", "industry": "Y"} for i in range(30)]
    (tmp_path / "many.json").write_text(json.dumps(rows))
    monkeypatch.setattr(accounts, "MAX_RECORDS", 10)
    f = await personalization(tmp_path / "many.json")
    assert f.evidence["records"] == 10 and f.evidence["records_in_file"] == 30
    assert "first 10" in f.evidence["note"]
    monkeypatch.setattr(accounts, "MAX_BYTES", 100)
    f = await personalization(tmp_path / "many.json")
    assert f.outcome == "error" and "larger than" in f.summary


async def test_hostile_values_are_inert_through_the_runner(tmp_path):
    key = "sk-live-CANARY-0123456789abcdef"
    rows = [{"company": "\x1b]52;c;cHduZWQ=\x07Evil\x1b[2J Corp\u202e", "contact_name": key, "industry": ""},
            {"company": "Fine", "contact_name": "Ana", "industry": "SaaS", "title": "CTO"}]
    (tmp_path / "evil\x1b[31m.json").write_text(json.dumps(rows))
    ctx = make_ctx("en", key=key, account_file=str(tmp_path / "evil\x1b[31m.json"))
    report = await run_checks(ctx, ["content.personalization", "content.prompt"])
    text = json.dumps([r.to_json() for r in report.results], ensure_ascii=False)
    assert "\x1b" not in text and "\\u001b" not in text and "\u202e" not in text and "\\u202e" not in text
    assert key not in text and key[8:20] not in text
    assert "Evil Corp" in text


async def test_outcomes_map_to_causes_through_the_runner(tmp_path):
    cases = {
        ("content.personalization", str(ACCOUNTS / "thin.csv")): "thin_context",
        ("content.personalization", str(ACCOUNTS / "missing_identity.json")): "missing_fields",
    }
    for (cid, path), outcome in cases.items():
        report = await run_checks(make_ctx(account_file=path), [cid])
        r = report.results[0]
        assert r.outcome == outcome
        assert r.entry == "low-personalization-score" and r.cause, r
    for text, outcome in (("", "empty"), ("short", "too_short"), ("w " * 4000, "too_long")):
        r = (await run_checks(make_ctx(prompt=text), ["content.prompt"])).results[0]
        assert r.outcome == outcome and r.entry == "content-generation-failed" and r.cause, r
    r = (await run_checks(make_ctx(), ["content.prompt", "content.personalization"])).results
    assert [x.status for x in r] == ["skipped", "skipped"] and all(x.entry is None for x in r)
