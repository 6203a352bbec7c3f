"""The loader: typed entries from front matter and body; bad files name the file and line."""

from __future__ import annotations

import pytest

from copycar_assist.kb import KnowledgeError, load_knowledge
from copycar_assist.kb.scan import scan_knowledge

from fixtures_kb import KB_BROKEN, KB_SMALL, edit, line_of, small_kb_copy


def problems_of(root) -> list:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(root)
    return info.value.problems


def test_shipped_exemplar_is_typed():
    kb = load_knowledge()
    e = kb.entries["invalid-api-key"]
    assert [c.id for c in e.causes] == ["missing-key", "wrong-key", "expired-key", "insufficient-permissions"]
    assert e.languages() == ["es", "en"]
    assert e.title["en"] and e.title["es"]
    assert e.severity in ("CRITICAL", "HIGH", "MEDIUM", "LOW")
    assert all(c.steps["es"] and c.steps["en"] for c in e.causes)
    assert len(e.symptoms("es")) == len(e.symptoms("en")) >= 1
    assert e.outcomes["api.verify.expired"] == "expired-key"
    assert set(e.checks) <= set(kb.checks)
    assert kb.support.thresholds.response_time_ms == 5000


def test_small_fixture_loads_every_part():
    kb = load_knowledge(KB_SMALL)
    assert sorted(kb.entries) == ["alpha-problem", "beta-problem"]
    alpha = kb.entries["alpha-problem"]
    assert alpha.title == {"es": "Problema alfa", "en": "Alpha problem"}
    assert alpha.cause("bad-key").title["en"] == "The key is bad"
    assert alpha.cause("bad-key").explanation["es"] == "La clave no vale."
    assert alpha.cause("bad-key").steps["en"] == ["Copy the key again.", "Try again."]
    assert alpha.cause("other-side").question["es"].startswith("¿")
    assert alpha.sections["en"].pitfalls == ["Retrying without a limit."]
    assert alpha.sections["es"].code[0].lang == "python"
    assert alpha.keywords["codes"] == ["401"]
    # lines point into the file
    assert alpha.cause("other-side").line == line_of(alpha.path, "[[causes]]") + 3
    assert alpha.cause("bad-key").body_line["en"] == line_of(alpha.path, "`bad-key` — The key is bad")
    assert [c.id for c in kb.categories] == ["cat-a", "cat-b", "cat-empty"]
    assert kb.resolve(alpha, "beta-problem#network")[1].id == "network"
    assert kb.resolve(alpha, "beta-problem#nothing") is None


def test_malformed_toml_names_file_and_line():
    root = KB_BROKEN / "bad-toml"
    [p] = problems_of(root)
    path = root / "solo.md"
    assert p.path == path
    assert p.line == line_of(path, 'severity = "LOW')
    assert str(p).startswith(f"{path}:{p.line}: invalid TOML")


def test_missing_language_names_file_and_line():
    root = KB_BROKEN / "missing-language"
    [p] = problems_of(root)
    assert p.path == root / "solo.md"
    assert "'## English'" in p.message
    assert p.line == line_of(p.path, "## Español") - 1  # where the body starts


def test_title_missing_a_language(tmp_path):
    kb = small_kb_copy(tmp_path)
    path = kb / "beta-problem.md"
    edit(path, 'en = "Beta problem"\n', "")
    [p] = problems_of(kb)
    assert p.path == path and p.line == line_of(path, "[title]")
    assert "'title' lacks language(s) ['en']" in p.message


def test_missing_section_heading(tmp_path):
    kb = small_kb_copy(tmp_path)
    path = kb / "beta-problem.md"
    edit(path, "### Symptoms\n\n- It does not connect.\n", "")
    [p] = problems_of(kb)
    assert p.line == line_of(path, "## English")
    assert "'### Symptoms'" in p.message


def test_unknown_cause_id_in_body(tmp_path):
    kb = small_kb_copy(tmp_path)
    path = kb / "beta-problem.md"
    edit(path, "#### `config` — The configuration is wrong", "#### `confg` — The configuration is wrong")
    [p] = problems_of(kb)
    assert p.path == path
    assert p.line == line_of(path, "#### `confg`")
    assert "'confg'" in p.message and "does not declare" in p.message


def test_unknown_check_and_outcome(tmp_path):
    kb = small_kb_copy(tmp_path)
    path = kb / "beta-problem.md"
    edit(path, 'checks = ["api.health"]', 'checks = ["api.health", "api.nothing"]')
    edit(path, '"api.health.down" = "network"', '"api.health.down" = "network"\n"api.health.exploded" = "network"')
    problems = problems_of(kb)
    by_line = {p.line: p.message for p in problems}
    assert "unknown check 'api.nothing'" in by_line[line_of(path, "checks =")]
    assert "'exploded' is not an outcome of api.health" in by_line[line_of(path, "api.health.exploded")]


def test_bad_catalogue_toml_names_its_line(tmp_path):
    kb = small_kb_copy(tmp_path)
    (kb / "checks.toml").write_text('[checks."api.verify"]\noutcomes = ["ok",\ntags = 3\n')
    problems = problems_of(kb)
    assert any(p.path == kb / "checks.toml" and p.line == 3 for p in problems), problems


def test_a_catalogue_naming_unknown_material_or_settings_that_are_not_ids_names_the_line(tmp_path):
    kb = small_kb_copy(tmp_path)
    (kb / "checks.toml").write_text('[checks."api.verify"]\noutcomes = ["ok"]\nmaterial = ["logs", "prompt"]\n\n'
                                    '[checks."api.health"]\noutcomes = ["ok"]\nneeds = "api.key"\n')
    problems = problems_of(kb)
    found = {(p.line, p.message) for p in problems if p.path == kb / "checks.toml"}
    assert (3, "check 'api.verify': 'material' expected each of: prompt, account, log, email; got logs") in found
    assert any(line == 7 and "'needs' expected an array of ids" in message for line, message in found), found


def test_imported_single_language_entry_loads(tmp_path):
    kb = small_kb_copy(tmp_path)
    path = kb / "beta-problem.md"
    text = path.read_text()
    text = text[: text.index("## English")]
    text = text.replace('checks = ["api.health"]', 'checks = ["api.health"]\nlanguages = ["es"]')
    path.write_text(text.replace('en = "Beta problem"\n', ""))
    entry = load_knowledge(kb).entries["beta-problem"]
    assert entry.languages() == ["es"] and entry.declared_languages == ("es",)
    assert entry.symptoms("en") == ["No conecta."]  # falls back to the language it has


def test_scan_never_raises_and_a_missing_dir_is_a_problem(tmp_path):
    scan = scan_knowledge(tmp_path / "nope")
    assert scan.problems and "not found" in scan.problems[0].message
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no entries" in scan_knowledge(empty).problems[0].message


def test_no_traceback_for_garbage_files(tmp_path):
    kb = small_kb_copy(tmp_path)
    (kb / "zz-garbage.md").write_bytes(b"\xff\xfe not utf-8")
    (kb / "zz-notoml.md").write_text("no front matter here\n")
    (kb / "zz-shapes.md").write_text('+++\nid = 3\ncauses = "x"\noutcomes = 4\n+++\n')
    problems = problems_of(kb)
    files = {p.path.name for p in problems}
    assert {"zz-garbage.md", "zz-notoml.md", "zz-shapes.md"} <= files
