"""`lint`: the decision tree is whole; every problem names its file and line."""

from __future__ import annotations

import pytest

from copycar_assist.kb.lint import errors, lint

from fixtures_kb import KB_BROKEN, KB_SMALL, edit, line_of, small_kb_copy


def messages(problems) -> list[str]:
    return [str(p) for p in problems]


def test_shipped_knowledge_is_whole():
    problems = lint()
    assert errors(problems) == [], "\n".join(messages(problems))


def test_small_fixture_is_whole():
    assert lint(KB_SMALL) == []


@pytest.mark.parametrize(("case", "needle", "expected"), [
    ("no-solution", "#### `second` — Second", "cause 'second' has no solution steps in English"),
    ("dangling-outcome", '"api.health.down" = "nowhere"', "points to 'nowhere': this entry has no cause 'nowhere'"),
    ("missing-language", "## Español", "the '## English' section (en) is missing"),
    ("bad-toml", 'severity = "LOW', "invalid TOML front matter"),
])
def test_broken_fixtures_fail_with_file_and_line(case, needle, expected):
    path = KB_BROKEN / case / "solo.md"
    problems = errors(lint(KB_BROKEN / case))
    hits = [p for p in problems if expected in p.message]
    assert hits, messages(problems)
    line = line_of(path, needle) - (1 if case == "missing-language" else 0)
    assert f"{path}:{line}: " in str(hits[0])


def test_missing_dir_is_a_problem_not_an_exception(tmp_path):
    [p] = lint(tmp_path / "nowhere")
    assert "not found" in p.message


def _one(problems, needle):
    hits = [p for p in problems if needle in p.message]
    assert len(hits) == 1, messages(problems)
    return hits[0]


def test_outcome_rules(tmp_path):
    kb = small_kb_copy(tmp_path)
    alpha = kb / "alpha-problem.md"
    edit(alpha, '"api.verify.unreachable" = "beta-problem#network"\n', "")
    edit(alpha, '"api.verify.unauthorized" = "bad-key"', '"api.verify.unauthorized" = "bad-key"\n'
         '"api.verify.ok" = "bad-key"\n"api.health.down" = "gamma#x"')
    problems = lint(kb)
    unmapped = _one(problems, "outcome(s) unreachable map to no cause")
    assert unmapped.line == line_of(alpha, "[outcomes]")
    ok = _one(problems, "'ok' means this is not the problem")
    assert ok.line == line_of(alpha, '"api.verify.ok"')
    not_listed = _one(problems, "check 'api.health' is not listed in 'checks'")
    assert not_listed.line == line_of(alpha, '"api.health.down"')
    assert _one(problems, "there is no entry 'gamma'").line == not_listed.line


def test_cause_without_question_or_outcome(tmp_path):
    kb = small_kb_copy(tmp_path)
    beta = kb / "beta-problem.md"
    edit(beta, 'question.es = "¿Cambiaste la configuración hace poco?"\n'
               'question.en = "Did you change the configuration recently?"\n', "")
    p = _one(lint(kb), "cause 'config' is reached by no check outcome and has no question")
    assert p.path == beta and p.line == line_of(beta, 'id = "config"') - 1


def test_question_missing_a_language(tmp_path):
    kb = small_kb_copy(tmp_path)
    beta = kb / "beta-problem.md"
    edit(beta, 'question.en = "Did you change the configuration recently?"\n', "")
    _one(lint(kb), "the question of cause 'config' lacks English")


def test_category_related_and_symptom_counts(tmp_path):
    kb = small_kb_copy(tmp_path)
    alpha = kb / "alpha-problem.md"
    edit(alpha, 'category = "cat-a"', 'category = "cat-zzz"')
    edit(alpha, 'related = ["beta-problem"]', 'related = ["beta-problem", "ghost"]')
    edit(alpha, "- Nothing works.\n", "- Nothing works.\n- And a third one.\n")
    problems = lint(kb)
    assert _one(problems, "unknown category 'cat-zzz'").line == line_of(alpha, "category =")
    assert _one(problems, "related entry 'ghost' does not exist").line == line_of(alpha, "related =")
    assert _one(problems, "Spanish lists 2 symptom(s), English 3").line == line_of(alpha, "## English")


def test_cause_not_described_in_a_language(tmp_path):
    kb = small_kb_copy(tmp_path)
    beta = kb / "beta-problem.md"
    edit(beta, "#### `config` — The configuration is wrong\n\n1. Check the configuration.\n2. Restart.\n", "")
    p = _one(lint(kb), "cause 'config' is not described in the English section")
    assert p.line == line_of(beta, 'id = "config"') - 1


def test_entry_without_causes(tmp_path):
    kb = small_kb_copy(tmp_path)
    beta = kb / "beta-problem.md"
    text = beta.read_text()
    start, end = text.index("[[causes]]"), text.index("[outcomes]")
    text = text[:start] + text[end:]
    text = text.replace('"api.health.down" = "network"', "")
    for head in ("#### `network` — La red falla\n\n1. Revisa la red.\n",
                 "#### `config` — La configuración está mal\n\n1. Revisa la configuración.\n2. Reinicia.\n",
                 "#### `network` — The network fails\n\n1. Check the network.\n",
                 "#### `config` — The configuration is wrong\n\n1. Check the configuration.\n2. Restart.\n"):
        text = text.replace(head, "")
    beta.write_text(text)
    problems = lint(kb)
    _one(problems, "no causes: every symptom must lead to at least one cause")
    _one(problems, "check 'api.health': outcome(s) down map to no cause")


def test_one_language_entry_is_a_warning_only(tmp_path):
    kb = small_kb_copy(tmp_path)
    beta = kb / "beta-problem.md"
    text = beta.read_text()
    text = text[: text.index("## English")].replace('severity = "LOW"', 'severity = "LOW"\nlanguages = ["es"]')
    beta.write_text(text.replace('en = "Beta problem"\n', ""))
    problems = lint(kb)
    assert errors(problems) == []
    [warning] = problems
    assert warning.severity == "warning" and "Spanish only" in warning.message
    assert str(warning).startswith(f"{beta}:{line_of(beta, '## Español') - 1}: warning: ")
