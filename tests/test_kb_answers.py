"""Questions about the guide (answers.toml) and effects: loaded, rendered from the support data,
and checked by `kb lint` with file and line."""

from __future__ import annotations

from copycar_assist.kb import load_knowledge
from copycar_assist.kb.answers import render
from copycar_assist.kb.lint import errors, lint

from fixtures_kb import edit, line_of, small_kb_copy

ANSWERS = '''[slots.level]
"1" = ["nivel 1", "level 1"]

[[answers]]
id = "good"
ask.es = ["cuánto tarda el nivel"]
ask.en = ["how long does the level take"]
slot = "level"
answer.es = "Nivel $level: {levels.$level.response_minutes.email|minutes}."
answer.en = "Level $level: {levels.$level.response_minutes.email|minutes}."
source.es = "la guía"
source.en = "the guide"

[[answers]]
id = "broken-path"
ask.es = ["umbral"]
ask.en = ["threshold"]
answer.es = "{thresholds.no_such_threshold} ms"
answer.en = "{thresholds.response_time_ms|ms}"
source.es = "la guía"
source.en = "the guide"

[[answers]]
id = "one-language"
ask.es = ["pregunta"]
ask.en = ["question"]
answer.es = "respuesta"
source.es = "la guía"
source.en = "the guide"
'''


def test_shipped_answers_render_in_both_languages_from_the_support_data():
    kb = load_knowledge()
    topics = {t.id: t for t in kb.answers.topics}
    level = render(topics["support-level"], "es", kb.support, {"level": "2"})
    assert "Nivel 2" in level and "120 minutos (2 horas)" in level and "30 minutos" in level
    alert = render(topics["alert-response-time"], "en", kb.support, {})
    assert f"{int(kb.support.thresholds.response_time_ms)} ms" in alert and "WARNING" in alert
    every = render(topics["escalation"], "en", kb.support, {"severity": None})  # no slot: every severity
    assert all(sev in every for sev in ("CRITICAL", "HIGH", "MEDIUM", "LOW"))


def test_broken_answers_are_lint_errors_with_file_and_line(tmp_path):
    kb = small_kb_copy(tmp_path)
    (kb / "answers.toml").write_text(ANSWERS, encoding="utf-8")
    problems = errors(lint(kb))
    path = kb / "answers.toml"
    broken = [p for p in problems if "'{thresholds.no_such_threshold}' names no fact of support.toml" in p.message]
    assert broken and broken[0].path == path and broken[0].line is not None
    lacking = [p for p in problems if "answer 'one-language': 'answer' lacks en" in p.message]
    assert lacking and lacking[0].path == path
    assert not [p for p in problems if "'good'" in p.message]


def test_an_error_topic_names_only_fields_an_entry_has(tmp_path):
    kb = small_kb_copy(tmp_path)
    (kb / "answers.toml").write_text(
        '[[answers]]\nid = "why"\nslot = "entry"\nask.es = ["causas"]\nask.en = ["causes"]\n'
        'answer.es = "{entry.causes}"\nanswer.en = "{entry.owner}"\nsource.es = "x"\nsource.en = "x"\n', encoding="utf-8")
    messages = [p.message for p in errors(lint(kb))]
    assert any("answer 'why': '{entry.owner}': an entry has title, causes, symptoms, solutions" in m for m in messages), messages


def test_answers_of_a_bad_type_are_named(tmp_path):
    kb = small_kb_copy(tmp_path)
    (kb / "answers.toml").write_text('[[answers]]\nid = "x"\nask = "not a table"\n', encoding="utf-8")
    messages = [p.message for p in errors(lint(kb))]
    assert any("answer 'x': 'ask' expected a table of arrays of strings" in m for m in messages), messages


def test_guide_facts_of_a_bad_type_are_named(tmp_path):
    kb = small_kb_copy(tmp_path)
    support = (load_knowledge().root / "support.toml").read_text(encoding="utf-8")
    (kb / "support.toml").write_text(support.replace('log_file = "copycar_ai.log"', "log_file = [1, 2]"),
                                     encoding="utf-8")
    problems = [p for p in errors(lint(kb)) if "'[guide] log_file'" in p.message]
    assert problems and problems[0].line == line_of(kb / "support.toml", "log_file = [1, 2]")


def test_effect_rules(tmp_path):
    kb = small_kb_copy(tmp_path)
    alpha, beta = kb / "alpha-problem.md", kb / "beta-problem.md"
    edit(alpha, "[[causes]]\nid = \"bad-key\"", '[effects]\nes = ["fallo alfa", "la pantalla se queda en blanco siempre"]\n\n'
         '[[causes]]\nid = "bad-key"\neffects.en = ["the screen stays blank every time"]')
    edit(beta, "[[causes]]", '[effects]\nes = ["la pantalla se queda en blanco siempre"]\nen = ["the screen stays blank"]\n\n[[causes]]')
    messages = [str(p) for p in errors(lint(kb))]
    assert any(f"{alpha}:" in m and "effects are not written in English" in m for m in messages), messages
    assert any("cause 'bad-key': effects are not written in Spanish" in m for m in messages), messages
    assert any("effect 'fallo alfa' repeats an alias" in m for m in messages), messages
    assert any("is also an effect of 'alpha-problem'" in m or "is also an effect of 'beta-problem'" in m
               for m in messages), messages


def test_effects_of_the_wrong_type_are_named(tmp_path):
    kb = small_kb_copy(tmp_path)
    alpha = kb / "alpha-problem.md"
    edit(alpha, "[[causes]]\nid = \"bad-key\"", '[effects]\nes = [""]\nen = ["x"]\n\n[[causes]]\nid = "bad-key"')
    problems = [p for p in errors(lint(kb)) if "'effects' must hold lists of non-empty strings" in p.message]
    assert problems and problems[0].line == line_of(alpha, "[effects]")
