"""Knowledge problems in the UI language: every problem the loader and `kb lint` report on broken
knowledge (tests/data/kb_broken/* and `kb_broken_rules.CASES`, which break each rule) has its own
Spanish text, and its English text is the message it always had."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from kb_broken_rules import build

from copycar_assist.i18n import MESSAGES
from copycar_assist.kb import Problem
from copycar_assist.kb.lint import lint

from fixtures_kb import KB_BROKEN

# Problems no broken directory can produce here: the compiled store failing to be written,
# `kb convert`'s checks of its own output, and a TOML error in the front matter without a column
# (tomli always gives one). Their Spanish is checked on its own below.
NOT_REACHED = {"kb.problem.store_unwritable", "kb.problem.convert_no_load", "kb.problem.convert_other_facts",
               "kb.problem.front_matter_toml_nocol"}
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`|\[[^\]]*\]|\([a-z]{2}\)|\S*/\S*|\b[\w.-]+\.(?:toml|md)\b")


@pytest.fixture(scope="module")
def linted(tmp_path_factory) -> dict[str, list[Problem]]:
    root = tmp_path_factory.mktemp("broken")
    dirs = build(root) + sorted(p for p in KB_BROKEN.iterdir() if p.is_dir())
    out = {d.name: lint(d) for d in dirs}
    out["missing-dir"] = lint(root / "no-such-dir")
    return out


def _values(problem: Problem) -> set[str]:
    """The words of the values written into the problem's message (ids, keys, file text)."""
    words, todo = set(), [problem.what]
    while todo:
        msg = todo.pop()
        for _, v in msg.params:
            for item in (v if isinstance(v, tuple) else (v,)):
                if hasattr(item, "key"):
                    todo.append(item)
                else:
                    words |= set(re.split(r"[\s,]+", str(item)))
    return words


def _keys(problem: Problem) -> set[str]:
    """The problem's key and those of the messages inside it."""
    found, todo = {f"kb.problem.severity.{problem.severity}"}, [problem.what]
    while todo:
        msg = todo.pop()
        found.add(msg.key)
        todo += [v for _, v in msg.params if hasattr(v, "key")]
        todo += [x for _, v in msg.params if isinstance(v, tuple) for x in v if hasattr(x, "key")]
    return found


def test_every_case_breaks_something(linted):
    assert [name for name, problems in linted.items() if not problems] == []


def test_every_problem_key_is_reached(linted):
    reached = {k for problems in linted.values() for p in problems for k in _keys(p)}
    problem_keys = {k for k in MESSAGES["en"] if k.startswith("kb.problem.") and not k.startswith(
        ("kb.problem.lang.", "kb.problem.label."))}
    assert sorted(problem_keys - reached - NOT_REACHED) == []


def test_spanish_differs_from_english_and_leaves_no_english_words(linted):
    seen = 0
    for name, problems in linted.items():
        for p in problems:
            es, en = p.reason("es"), p.reason("en")
            assert es != en, (name, en)
            # what is left once ids, keys, paths and quoted text are taken out is Spanish prose
            rest_en = set(QUOTED.sub(" ", en).split())
            rest_es = set(QUOTED.sub(" ", es).split())
            english_only = {w for w in rest_es & rest_en - _values(p) if len(w) > 3 and w.isalpha()
                            and w.lower() not in {"toml", "codes", "control", "unicode", "alias"}}
            assert english_only == set(), (name, en, es)
            seen += 1
    assert seen > 80


def test_english_is_the_message_and_str(linted):
    for problems in linted.values():
        for p in problems:
            assert p.reason("en") == p.message and str(p) == p.text("en")
            assert str(p).startswith(str(p.path))


def test_catalogue_keys_never_leak_as_text(linted):
    for problems in linted.values():
        for p in problems:
            for lang in ("es", "en"):
                text = p.text(lang)
                assert not any(k in text for k in ("kb.problem.", "file.toml.", "field.spec.", "field.type.")), text


def test_problems_stay_hashable_comparable_and_picklable():
    import pickle

    a = Problem(Path("x.md"), 3, "kb.problem.unknown_check", check="api.nope")
    b = Problem(Path("x.md"), 3, "kb.problem.unknown_check", check="api.nope")
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert pickle.loads(pickle.dumps(a)) == a
    assert str(a) == "x.md:3: unknown check 'api.nope' (not in checks.toml)"
    assert a.text("es") == "x.md:3: comprobación desconocida 'api.nope' (no está en checks.toml)"
    w = Problem(Path("x.md"), None, "kb.problem.one_language", "warning", langs=[], missing=[])
    assert w.text("en").startswith("x.md: warning: ") and w.text("es").startswith("x.md: aviso: ")


def test_unreached_keys_have_their_spanish():
    for key in NOT_REACHED:
        assert MESSAGES["es"][key] != MESSAGES["en"][key]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "copycar_assist", *args], capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "COPYCAR_ASSIST_NO_CACHE": "1",
                                            "HOME": "/nonexistent"})


def test_kb_lint_and_a_broken_kb_in_spanish():
    target = str(KB_BROKEN / "bad-toml")
    r = _cli("--lang", "es", "kb", "lint", target)
    assert r.returncode == 1
    assert "la cabecera no es TOML válido (columna 16): carácter de control no permitido" in r.stdout
    assert "invalid" not in r.stdout
    r = _cli("--lang", "es", "kb", "lint", "--json", target)
    problem = json.loads(r.stdout)["problems"][0]
    assert problem["message"].startswith("invalid TOML front matter (column 16): ")  # as it always was
    assert problem["text"].startswith("la cabecera no es TOML válido") and problem["key"] == "kb.problem.front_matter_toml"
    r = _cli("--lang", "es", "--kb", target, "match", "hola")
    assert r.returncode == 3
    assert "la base de conocimiento tiene problemas:" in r.stderr and "carácter de control" in r.stderr
    assert "illegal" not in r.stderr
    r = _cli("--lang", "en", "--kb", target, "match", "hola")
    assert "invalid TOML front matter (column 16): illegal control character" in r.stderr
