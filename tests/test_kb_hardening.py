"""A knowledge directory under attack: entries that are FIFOs or links to /dev/zero, data files
with every field of the wrong type, front matter nested thousands deep, ids holding terminal
escapes. Each is a `file:line: reason` problem, quickly; never a hang or a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copycar_assist.kb import KnowledgeError, default_dir
from copycar_assist.kb.scan import scan_knowledge
from copycar_assist.kb.support import load_support

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def kb_copy(tmp_path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(default_dir(), root)
    return root


def problems(root: Path) -> list[str]:
    started = time.monotonic()
    scan = scan_knowledge(root)
    assert time.monotonic() - started < 5
    return [str(p) for p in scan.problems]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("copycar-assist")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "copycar_assist"]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("COPYCAR_")},
           "COPYCAR_ASSIST_CONFIG": str(cwd / "none.toml"), "COPYCAR_ASSIST_DATA": str(cwd / "data")}
    return subprocess.run([*argv, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=30,
                          stdin=subprocess.DEVNULL)


def test_an_entry_that_is_a_fifo_or_a_link_to_dev_zero(kb_copy):
    os.mkfifo(kb_copy / "zz-fifo.md")
    (kb_copy / "zz-zero.md").symlink_to("/dev/zero")
    found = problems(kb_copy)
    assert f"{kb_copy / 'zz-fifo.md'}: is a FIFO (named pipe), not a regular file; only regular files are read" in found
    assert f"{kb_copy / 'zz-zero.md'}: is a character device, not a regular file; only regular files are read" in found
    r = cli("--kb", str(kb_copy), "kb", "list", cwd=kb_copy.parent)
    assert r.returncode == 3 and "zz-fifo.md" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("name,text,expect", [
    ("categories.toml", 'categories = "all"\n', "categories.toml:1: 'categories' must be an array of tables"),
    ("categories.toml", "[[categories]]\nid = 5\n", "categories.toml:2: category #1: 'id' expected an id"),
    ("categories.toml", '[[categories]]\nid = "a"\ntitle = ["x"]\n', "categories.toml:3: category #1: 'title' expected a table of strings, got an array"),
    ("checks.toml", '[checks."api.verify"]\noutcomes = "ok"\n', "checks.toml:2: check 'api.verify': 'outcomes' expected an array of ids"),
    ("checks.toml", '[checks."api.verify"]\noutcomes = ["ok"]\ntags = 3\n', "checks.toml:3: check 'api.verify': 'tags' expected an array of ids"),
    ("checks.toml", "checks = [1, 2]\n", "checks.toml:1: 'checks' must be a table"),
], ids=["categories-not-list", "category-id-int", "category-title-list", "outcomes-str", "tags-int", "checks-list"])
def test_wrong_types_in_data_files(kb_copy, name, text, expect):
    (kb_copy / name).write_text(text)
    found = problems(kb_copy)
    assert any(p.endswith(expect) or expect in p for p in found), found


@pytest.mark.parametrize("mangle,expect", [
    (lambda t: t.replace("response_time_ms = 5000", 'response_time_ms = "fast"'),
     ":5: '[thresholds] response_time_ms' expected a number, got a string"),
    (lambda t: t.replace('level = 2\nname = {', 'level = "two"\nname = {'), ":50: 'level #2 level' expected a whole number"),
    (lambda t: "alerts = 3\n" + t.replace("[[alerts]]", "[[x]]"), ":1: 'alerts' expected an array of tables"),
    (lambda t: t.replace('channels = ["email", "chat"]', "channels = 7"), "'escalation.HIGH channels' expected an array of strings"),
    (lambda t: t.replace("response_minutes = { email = 240", 'response_minutes = { email = "x"'), "'level #1 response_minutes' expected a table of whole numbers"),
], ids=["threshold-str", "level-str", "alerts-int", "channels-int", "minutes-str"])
def test_wrong_types_in_support_toml(kb_copy, mangle, expect):
    path = kb_copy / "support.toml"
    path.write_text(mangle(path.read_text()))
    with pytest.raises(KnowledgeError) as err:
        load_support(path)
    assert expect in str(err.value), str(err.value)


def test_front_matter_nested_5000_deep(kb_copy):
    (kb_copy / "deep.md").write_text("+++\nid = \"deep\"\nx = " + "[" * 5000 + "\n+++\n")
    assert f"{kb_copy / 'deep.md'}:3: nests more than 16 levels deep" in problems(kb_copy)


def test_ids_with_terminal_escapes_are_refused(kb_copy):
    path = kb_copy / "invalid-api-key.md"
    text = path.read_text()
    path.write_text(text.replace("## Cause `wrong-key`", "## Cause `wrong-key\x1b]0;owned\x07`", 1)
                    .replace('category = "connection-auth"', 'category = "conn\\u009b31m"'))
    found = [p for p in problems(kb_copy) if "invalid-api-key.md" in p]
    assert any(":3: 'category' must be letters, digits" in p for p in found), found
    assert any("a cause id must be letters, digits" in p for p in found), found
    assert all("\x1b" not in p and "\x9b" not in p for p in found)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["id", "category", "severity", "checks", "related", "title", "causes",
                                        "outcomes", "aliases", "keywords", "languages"]),
                       st.one_of(st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=2),
                                 st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)), max_size=6))
def test_front_matter_of_any_type_is_a_problem_never_a_crash(tmp_path_factory, meta):
    import tomli_w

    root = tmp_path_factory.mktemp("fuzzkb")
    (root / "fuzz.md").write_text("+++\n" + tomli_w.dumps(meta) + "+++\n## English\n")
    scan = scan_knowledge(root)
    assert all(str(p).startswith(str(root)) for p in scan.problems)


# --- kb import -------------------------------------------------------------------------------------

NESTED = "# Errores\n\n## Error: Anidado\n\n" + "```markdown\nSÍNTOMAS:\n- algo falla\n" * 800 + "```\n" * 800


@pytest.mark.parametrize("make,expect", [
    (lambda p: Path("/dev/zero"), "/dev/zero: is a character device, not a regular file"),
    (lambda p: (os.mkfifo(p), p)[1], "is a FIFO (named pipe), not a regular file"),
    (lambda p: (p.write_bytes(b"# T\n\xff\xfe"), p)[1], "guide.md:2:1: is not valid UTF-8"),
], ids=["dev-zero", "fifo", "latin1"])
def test_import_refuses_what_is_not_a_guide(tmp_path, make, expect):
    guide = make(tmp_path / "guide.md")
    r = cli("kb", "import", str(guide), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert r.returncode == 3 and expect in r.stderr and "Traceback" not in r.stderr


def test_import_of_hostile_guides_ends_with_an_answer(tmp_path):
    """A 24 KB guide of 800 nested fences (once 78 s and RecursionError) and 20,000 headings
    (once quadratic): each ends with an answer well inside the subprocess timeout."""
    nested = tmp_path / "nested.md"
    nested.write_text(NESTED)
    r = cli("kb", "import", str(nested), "--out", str(tmp_path / "o1"), cwd=tmp_path)
    assert r.returncode in (0, 1) and "Traceback" not in r.stderr and "RecursionError" not in r.stderr
    headings = tmp_path / "headings.md"
    headings.write_text("".join(f"## Heading {n}\n\ntext\n\n" for n in range(20_000)))
    r = cli("kb", "import", str(headings), "--out", str(tmp_path / "o2"), cwd=tmp_path)
    assert r.returncode == 1 and "no errors found" in r.stderr


@pytest.mark.parametrize("content,expect", [
    (b'[[categories]]\nid = "x"\ntitle = \n', "categories.toml:3:"),
    (b"# caf\xe9\n", "categories.toml:1:6: is not valid UTF-8"),
    (b'categories = "none"\n', "'categories' must be an array of tables"),
], ids=["malformed", "latin1", "wrong-type"])
def test_import_into_a_dir_whose_categories_are_broken(tmp_path, content, expect):
    guide = ROOT / "tests" / "data" / "guides" / "billing-guide.md"
    out = tmp_path / "out"
    out.mkdir()
    (out / "categories.toml").write_bytes(content)
    r = cli("kb", "import", str(guide), "--out", str(out), cwd=tmp_path)
    assert r.returncode == 3 and expect in r.stderr and "Traceback" not in r.stderr
    assert list(out.glob("*.md")) == []  # nothing written
