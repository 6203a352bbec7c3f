"""The unified entry shape: the shipped knowledge loads into exactly the facts it had in the
per-language shape (tests/data/kb_facts_before.json, dumped before the change), the converter
keeps facts, `kb lint` names file and line in the new shape, and `kb new` writes an entry that
passes lint."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from copycar_assist.kb import default_dir, load_knowledge
from copycar_assist.kb.convert import ConvertError, convert_entry, problems_after
from copycar_assist.kb.lint import errors, lint
from copycar_assist.kb.loader import parse_entry
from copycar_assist.kb.model import facts
from copycar_assist.kb.unified import is_unified

from fixtures_kb import DATA, KB_SMALL, line_of, small_kb_copy

BEFORE = DATA / "kb_facts_before.json"
PLACES = {"line", "line_of", "body_line", "path", "markdown", "notes"}  # notes: what markdown holds


def plain(obj):
    """The same dump that wrote kb_facts_before.json."""
    if dataclasses.is_dataclass(obj):
        return {f.name: plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if isinstance(obj, Path):
        return obj.name
    if isinstance(obj, set):
        return sorted(plain(v) for v in obj)
    return obj


def without_places(value):
    if isinstance(value, dict):
        return {k: without_places(v) for k, v in value.items() if k not in PLACES}
    if isinstance(value, list):
        return [without_places(v) for v in value]
    return value


@pytest.fixture(scope="module")
def before_after():
    before = json.loads(BEFORE.read_text(encoding="utf-8"))
    after = plain(load_knowledge())
    after.pop("root")
    return before, json.loads(json.dumps(after))


def test_the_shipped_knowledge_is_in_the_unified_shape():
    for path in sorted(default_dir().glob("*.md")):
        if path.name != "README.md":
            assert is_unified(path.read_text(encoding="utf-8").split("+++", 2)[2]), path


def test_every_loaded_fact_is_what_it_was(before_after):
    before, after = before_after
    assert sorted(before["entries"]) == sorted(after["entries"])
    for entry_id in before["entries"]:
        old, new = without_places(before["entries"][entry_id]), without_places(after["entries"][entry_id])
        for key in old:
            assert old[key] == new[key], f"{entry_id}: {key} differs"
    for part in ("checks", "categories", "support", "answers", "warnings"):
        assert before[part] == after[part], part


def test_counted_facts_are_all_there(before_after):
    _, after = before_after
    entries = after["entries"].values()
    causes = [c for e in entries for c in e["causes"]]
    assert len(after["entries"]) == 10 and len(causes) == 46
    assert all(c["steps"]["es"] and c["steps"]["en"] and c["title"]["es"] and c["explanation"]["en"] for c in causes)
    assert sum(len(e["outcomes"]) for e in entries) == 111
    assert sum(len(e["sections"][lang]["code"]) for e in entries for lang in ("es", "en")) == 30


def test_the_display_text_says_what_it_said(before_after):
    before, after = before_after
    for entry_id, old in before["entries"].items():
        for lang in ("es", "en"):
            was = " ".join(old["sections"][lang]["markdown"].split())
            now = " ".join(after["entries"][entry_id]["sections"][lang]["markdown"].split())
            assert was == now, (entry_id, lang)


def test_converting_the_small_fixture_keeps_its_facts(tmp_path):
    for path in sorted(KB_SMALL.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        new = convert_entry(path, text)
        assert is_unified(new.split("+++", 2)[2]) and "[[causes]]" not in new
        assert problems_after(path, text, new) == []
        old_entry, _ = parse_entry(path, text)
        new_entry, found = parse_entry(path, new)
        assert found == [] and facts(old_entry) == facts(new_entry)
        for target in set(old_entry.outcomes.values()):  # each cause's outcome keys, in their order
            assert ([k for k, v in new_entry.outcomes.items() if v == target]
                    == [k for k, v in old_entry.outcomes.items() if v == target])
    with pytest.raises(ConvertError):
        convert_entry(path, new)


def _notes(entry) -> dict[str, list[tuple[str, str]]]:
    return {lang: [(n.title, n.text) for n in section.notes] for lang, section in entry.sections.items()}


def test_a_section_of_text_for_people_is_a_note_in_both_shapes_and_survives_conversion():
    path = KB_SMALL / "alpha-problem.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("### Errores frecuentes", "### Umbrales\n\n| Métrica | Umbral |\n|---|---|\n| error | 5 % |\n\n"
                        "```text\nlog de muestra\n```\n\n### Errores frecuentes", 1)
    text = text.replace("### Pitfalls", "### Thresholds\n\n| Metric | Threshold |\n|---|---|\n| error | 5 % |\n\n"
                        "### Pitfalls", 1)
    old, found = parse_entry(path, text)
    assert found == []
    assert _notes(old) == {"es": [("Umbrales", "| Métrica | Umbral |\n|---|---|\n| error | 5 % |\n\n```text\nlog de muestra\n```")],
                           "en": [("Thresholds", "| Metric | Threshold |\n|---|---|\n| error | 5 % |")]}
    note, sample = old.sections["es"].notes[0], old.sections["es"].code[0]
    lines = text.splitlines()
    assert lines[note.line - 2] == "### Umbrales" and lines[note.end - 1] == "### Errores frecuentes"
    assert sample.code == "log de muestra\n" and note.line <= sample.line < note.end  # the sample is the note's
    new, found = parse_entry(path, convert_entry(path, text))
    assert found == [] and _notes(new) == _notes(old)
    shipped = load_knowledge().entries["slow-responses"]
    assert [n.title for n in shipped.sections["es"].notes] == ["Umbrales de alerta", "Monitor de rendimiento",
                                                               "Cómo leer los logs"]
    assert shipped.sections["en"].notes[0].text.startswith("| Metric | Threshold | Alert | Severity |")


def test_a_shared_code_block_is_written_once_for_both_languages(tmp_path):
    kb = small_kb_copy(tmp_path)
    path = kb / "alpha-problem.md"
    path.write_text(convert_entry(path, path.read_text(encoding="utf-8")), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    block = "## Code\n\n```python\nprint('same in both')\n```\n\n```sh es\necho hola\n```\n"
    text = text.replace("## Code\n", block, 1) if "## Code\n" in text else text.rstrip() + "\n\n" + block
    path.write_text(text, encoding="utf-8")
    entry = load_knowledge(kb).entries["alpha-problem"]
    es = [(c.lang, c.code) for c in entry.sections["es"].code]
    en = [(c.lang, c.code) for c in entry.sections["en"].code]
    assert ("python", "print('same in both')\n") in es and ("python", "print('same in both')\n") in en
    assert ("sh", "echo hola\n") in es and ("sh", "echo hola\n") not in en
    assert "```python\nprint('same in both')" in entry.sections["es"].markdown


def exact_line(path: Path, needle: str) -> int:
    """1-based line of the one line of `path` that is `needle`, or that contains it once."""
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [n for n, text in enumerate(lines, 1) if text == needle] or [
        n for n, text in enumerate(lines, 1) if needle in text]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


def shipped_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "kb"
    shutil.copytree(default_dir(), dest)
    return dest


def break_entry(kb: Path, old: str, new: str) -> Path:
    path = kb / "invalid-api-key.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "needle", "expected"), [
    ("prior = 0.35", "prior = 0.35\nevidense.es = [\"x\"]", "evidense.es", "unknown key 'evidense'"),
    ('outcomes = ["api.key_configured.malformed", "api.verify.unauthorized"]',
     'outcomes = ["api.key_configured.malformed", "api.verify.unauthorised"]', "api.verify.unauthorised",
     "'unauthorised' is not an outcome of api.verify"),
    ('outcomes = ["api.verify.expired"]', 'outcomes = ["api.verify.expired", "api.verify.unauthorized"]',
     'outcomes = ["api.verify.expired", "api.verify.unauthorized"]', "already leads to 'wrong-key'"),
    ("prior = 0.35", "prior = 0.35 0.2", "prior = 0.35 0.2", "cause 'wrong-key': invalid TOML"),
    ("prior = 0.35", "prior = 7", "prior = 7", "'prior' must be a number in (0, 1]"),
    ("### English: The key is not right", "### Englsh: The key is not right", "### Englsh", "must name a language"),
    ("### English: The key has expired", "### English:", "### English:", "give its title after the language"),
    ("## Cause `expired-key`", "## Cause expired key", "## Cause expired key", "write the cause's id"),
    ("## Pitfalls", "#### Pitfalls", "#### Pitfalls", "only '##' sections"),
])
def test_unified_problems_name_the_file_and_line(tmp_path, old, new, needle, expected):
    kb = shipped_copy(tmp_path)
    path = break_entry(kb, old, new)
    found = [p for p in errors(lint(kb)) if expected in p.message]
    assert found, [str(p) for p in lint(kb)]
    assert found[0].path == path and found[0].line == exact_line(path, needle), str(found[0])


def test_a_cause_without_english_steps_points_at_its_english_text(tmp_path):
    kb = shipped_copy(tmp_path)
    path = kb / "invalid-api-key.md"
    text = path.read_text(encoding="utf-8")
    start = text.index("### English: The key has expired")
    end = text.index("## Cause `insufficient-permissions`")
    path.write_text(text[:start] + "### English: The key has expired\n\nNo steps.\n\n" + text[end:], encoding="utf-8")
    found = [p for p in lint(kb) if "has no solution steps in English" in p.message]
    assert [p.line for p in found] == [line_of(path, "### English: The key has expired")]


def test_text_for_people_may_have_its_own_headings(tmp_path):
    kb = shipped_copy(tmp_path)
    path = kb / "slow-responses.md"
    text = path.read_text(encoding="utf-8")
    assert "### English: Alert thresholds\n" in text
    path.write_text(text.replace("### English: Alert thresholds\n", "### English: Alert thresholds\n\n#### In short\n", 1),
                    encoding="utf-8")
    assert errors(lint(kb)) == []
    assert "#### In short" in load_knowledge(kb).entries["slow-responses"].sections["en"].markdown


def test_old_causes_in_a_unified_entry_are_refused(tmp_path):
    kb = shipped_copy(tmp_path)
    path = break_entry(kb, "[outcomes]", '[[causes]]\nid = "ghost"\n\n[outcomes]')
    found = [p for p in lint(kb) if "move each [[causes]] table there" in p.message]
    assert found and found[0].line == line_of(path, "[[causes]]")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "copycar_assist", *args], capture_output=True, text=True,
                          timeout=60)


def test_kb_new_writes_an_entry_that_passes_lint(tmp_path):
    kb = shipped_copy(tmp_path)
    done = run_cli("kb", "new", "webhook-timeouts", "--dir", str(kb), "--category", "integration")
    assert done.returncode == 0, done.stderr
    path = kb / "webhook-timeouts.md"
    assert done.stdout.strip() == str(path)
    entry = load_knowledge(kb).entries["webhook-timeouts"]
    assert entry.category == "integration" and [c.id for c in entry.causes] == ["first-cause"]
    assert entry.causes[0].question["es"] and entry.causes[0].steps["en"]
    lint_run = run_cli("kb", "lint", str(kb))
    assert lint_run.returncode == 0 and lint_run.stdout == "", lint_run.stdout + lint_run.stderr
    again = run_cli("kb", "new", "webhook-timeouts", "--dir", str(kb))
    assert again.returncode == 3 and "already exists" in again.stderr
    bad = run_cli("kb", "new", "x", "--dir", str(kb), "--category", "nope")
    assert bad.returncode == 3 and "unknown category 'nope'" in bad.stderr and not (kb / "x.md").exists()
    hostile = run_cli("kb", "new", "../escape", "--dir", str(kb))
    assert hostile.returncode == 3 and not (tmp_path / "escape.md").exists()


def test_kb_convert_rewrites_old_entries_in_place(tmp_path):
    kb = small_kb_copy(tmp_path)
    before = {p.name: facts(parse_entry(p, p.read_text(encoding="utf-8"))[0]) for p in kb.glob("*.md")}
    done = run_cli("kb", "convert", str(kb))
    assert done.returncode == 0, done.stdout + done.stderr
    for path in kb.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert "## Cause `" in text
        assert facts(parse_entry(path, text)[0]) == before[path.name]
    assert lint(kb) == []


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "a [[causes]] table without an 'id = \"…\"' line of its own"),
    ("es", "una tabla [[causes]] sin una línea 'id = \"…\"' propia"),
])
def test_kb_convert_says_why_it_leaves_an_entry_alone_in_the_users_language(tmp_path, lang, said):
    kb = small_kb_copy(tmp_path)
    path = kb / "alpha-problem.md"
    broken = path.read_text(encoding="utf-8").replace('[[causes]]\nid = "bad-key"\n', '[[causes]]\n', 1)
    path.write_text(broken, encoding="utf-8")
    done = run_cli("--lang", lang, "kb", "convert", str(kb))
    assert f"{path}: {said}" in done.stdout.splitlines(), done.stdout + done.stderr
    assert path.read_text(encoding="utf-8") == broken  # left as it was
