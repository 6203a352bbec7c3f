"""Compiling a knowledge base (kb/compile.py, kb/pool.py, matching/companion.py): in worker
processes or not, from scratch or reusing the files an earlier compile saw, the result is the
same; `kb lint` reusing the store reports exactly what parsing every file reports."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from copycar_assist.kb import default_dir, pool
from copycar_assist.kb.lint import lint
from copycar_assist.kb.store import cache_path, load_cached
from copycar_assist.matching.companion import MATCHER, dump, load, prepare
from copycar_assist.matching.compiled import matcher_for

COPIES = 12  # entries added to the shipped ones


def _copy_entry(text: str, base: str, n: int) -> str:
    """The entry as `<base>-c<n>`, every title and alias given a word of its own."""
    text = re.sub(rf'^id = "{re.escape(base)}"', f'id = "{base}-c{n}"', text, flags=re.M)
    return re.sub(r'^((?:es|en) = ")([^"]*)"', lambda m: f'{m.group(1)}{m.group(2)} copia{n}"', text, flags=re.M)


@pytest.fixture
def big_kb(tmp_path) -> Path:
    dest = tmp_path / "kb"
    shutil.copytree(default_dir(), dest)
    bases = sorted(p for p in dest.glob("*.md") if p.name != "README.md")
    for n in range(COPIES):
        base = bases[n % len(bases)]
        (dest / f"{base.stem}-c{n}.md").write_text(_copy_entry(base.read_text(encoding="utf-8"), base.stem, n),
                                                    encoding="utf-8")
    return dest


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("COPYCAR_ASSIST_CACHE", str(where))
    return where


@pytest.fixture
def parsed(monkeypatch) -> list[Path]:
    """The entry files parsed (not reused) from here on, as they are handed to the workers."""
    files: list[Path] = []
    real = pool.ordered_map

    def spy(fn, items):
        files.extend(items)
        return real(fn, items)

    monkeypatch.setattr("copycar_assist.kb.scan.ordered_map", spy)
    return files


def _copy(kb: Path, n: int) -> Path:
    return next(kb.glob(f"*-c{n}.md"))


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [line for line in conn.iterdump() if "'hash'" not in line and "'base'" not in line]
    finally:
        conn.close()


POOLED = r"""
import json, os, sys, threading
from copycar_assist.kb import pool
from copycar_assist.kb.codec import entry_to_json
from copycar_assist.kb.scan import scan_knowledge

def where(n):
    return n, os.getpid()

pool.MIN_ITEMS = 2
out = {"pids": sorted({pid for _, pid in pool.ordered_map(where, list(range(200)))} - {os.getpid()}),
       "order": [n for n, _ in pool.ordered_map(where, list(range(200)))]}
scan = scan_knowledge(sys.argv[1])
out["entries"] = [entry_to_json(e) for e in scan.entries.values()]
out["problems"] = [str(p) for p in scan.problems]
box = {}
thread = threading.Thread(target=lambda: box.update(pids={pid for _, pid in pool.ordered_map(where, list(range(50)))}))
thread.start(); thread.join()
out["thread_pids"] = sorted(box["pids"])
out["me"] = os.getpid()
print(json.dumps(out))
"""


def _pooled_run(kb: Path, workers: str) -> dict:
    env = {**os.environ, "COPYCAR_ASSIST_WORKERS": workers}
    done = subprocess.run([sys.executable, "-c", POOLED, str(kb)], env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout)


def test_worker_processes_give_what_one_process_gives(big_kb):
    # A fresh interpreter: one thread, as the command line runs (a test runner has threads).
    pooled, alone = _pooled_run(big_kb, "2"), _pooled_run(big_kb, "1")
    if len(os.sched_getaffinity(0)) > 1:
        assert len(pooled["pids"]) >= 1  # the work went to other processes
    assert alone["pids"] == [] and pooled["order"] == alone["order"] == list(range(200))
    assert pooled["entries"] == alone["entries"] and len(alone["entries"]) > COPIES
    assert pooled["problems"] == alone["problems"] == []
    assert pooled["thread_pids"] == [pooled["me"]]  # from a thread: never forked, done in that process


def test_a_prepared_entry_reads_back_as_it_was():
    kb = load_cached(default_dir(), {"COPYCAR_ASSIST_NO_CACHE": "1"})
    for entry in kb.entries.values():
        prep = prepare(entry)
        assert load(dump(prep)) == prep


def test_an_entry_as_json_holds_every_field_in_order_and_reads_back_as_it_was():
    from dataclasses import asdict

    from copycar_assist.kb import load_knowledge
    from copycar_assist.kb.codec import entry_from_json, entry_to_json

    for entry in load_knowledge(default_dir()).entries.values():
        plain = json.loads(json.dumps(asdict(entry) | {"path": str(entry.path)}))
        assert json.loads(entry_to_json(entry)) == plain
        assert list(json.loads(entry_to_json(entry))["causes"][0]) == list(plain["causes"][0])
        assert entry_from_json(entry_to_json(entry)) == entry


@pytest.mark.parametrize("attached", [True, False], ids=["copied-in-one-statement", "read-row-by-row"])
def test_after_an_edit_only_that_file_is_compiled_again_and_the_result_is_a_full_compile(big_kb, cache, tmp_path,
                                                                                          monkeypatch, parsed, attached):
    from copycar_assist.kb.compile import Previous

    load_cached(big_kb, companion=MATCHER)  # the first compile
    parsed.clear()
    if attached:  # the reused rows are copied from the last compile, attached: none is read here
        monkeypatch.setattr(Previous, "row", lambda *_: pytest.fail("a reused row was read one by one"))
    else:  # the last compile cannot be attached: its rows are read one by one
        monkeypatch.setattr(Previous, "attach", lambda *_: False)
    edited = _copy(big_kb, 0)
    edited.write_text(edited.read_text(encoding="utf-8").replace("copia0", "copia0 editada", 1), encoding="utf-8")
    kb = load_cached(big_kb, companion=MATCHER)
    assert parsed == [edited]  # the other files were taken from the last compile
    assert "editada" in kb.entries[edited.stem].title["es"]
    again = matcher_for(kb).match("mi api key dice 401 unauthorized")

    monkeypatch.setattr("copycar_assist.kb.scan.ordered_map", pool.ordered_map)
    fresh_cache = tmp_path / "fresh"
    monkeypatch.setenv("COPYCAR_ASSIST_CACHE", str(fresh_cache))
    fresh = load_cached(big_kb, companion=MATCHER)  # everything parsed
    for kind in ("entries", "matcher"):
        monkeypatch.setenv("COPYCAR_ASSIST_CACHE", str(cache))
        reused = cache_path(big_kb, kind)
        monkeypatch.setenv("COPYCAR_ASSIST_CACHE", str(fresh_cache))
        assert _dump(reused) == _dump(cache_path(big_kb, kind)), kind
    assert matcher_for(fresh).match("mi api key dice 401 unauthorized").to_json() == again.to_json()


def test_lint_reusing_the_store_reports_what_parsing_everything_reports(big_kb, cache, monkeypatch):
    load_cached(big_kb, companion=MATCHER)
    broken, other = _copy(big_kb, 1), _copy(big_kb, 2)
    text = broken.read_text(encoding="utf-8")
    broken.write_text(re.sub(r'^severity = ".*"', 'severity = "HUGE"', text, count=1, flags=re.M), encoding="utf-8")
    other.write_text(re.sub(r"^checks = \[", 'checks = ["no.such", ', other.read_text(encoding="utf-8"), count=1,
                            flags=re.M), encoding="utf-8")
    reusing = lint(big_kb)
    monkeypatch.setenv("COPYCAR_ASSIST_NO_CACHE", "1")
    parsing = lint(big_kb)
    assert reusing == parsing
    assert any(p.path == broken and "severity" in p.message for p in reusing)
    assert any(p.path == other and "no.such" in p.message for p in reusing)


def test_a_compile_another_user_could_have_written_is_not_reused(big_kb, cache, parsed):
    load_cached(big_kb, companion=MATCHER)
    parsed.clear()
    entries = cache_path(big_kb, "entries")
    os.chmod(entries, 0o666)  # writable by others: anyone could have put entries in it
    touched = _copy(big_kb, 1)
    touched.write_text(touched.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    load_cached(big_kb, companion=MATCHER)
    assert len(parsed) == len(list(big_kb.glob("*.md"))) - 1  # every entry parsed (README.md is no entry)


def test_the_app_loading_a_large_knowledge_base_from_a_thread_has_it_compiled_by_a_process_of_its_own(
        big_kb, cache, parsed, monkeypatch):
    """From a thread, workers cannot be forked: a knowledge base large enough for them is
    compiled by a `kb list` of its own (which can fork), and the thread only opens the cache."""
    import threading

    from copycar_assist.cli import build_parser
    from copycar_assist.cli.context import Context
    from copycar_assist.kb.store import compiled

    monkeypatch.setattr(pool, "MIN_ITEMS", 5)  # here: the child keeps its own (400) and works alone
    assert compiled(big_kb, ("entries", "matcher")) == (False, 10 + COPIES)
    box: dict = {}
    with Context(build_parser().parse_args(["--kb", str(big_kb), "kb", "list"])) as ctx:
        thread = threading.Thread(target=lambda: box.update(kb=ctx.load_kb()))
        thread.start()
        thread.join()
    assert parsed == []  # nothing parsed in this process
    assert compiled(big_kb, ("entries", "matcher")) == (True, 10 + COPIES)
    assert sorted(box["kb"].entries) == sorted(p.stem for p in big_kb.glob("*.md") if p.name != "README.md")


def _kb_list_handed(kb: Path, handed: object) -> subprocess.CompletedProcess[bytes]:
    """`kb list` as the app starts it to compile (`cli/context.py`), handed these digests."""
    from copycar_assist.cli.context import HANDED

    data = handed if isinstance(handed, bytes) else json.dumps(handed).encode()
    return subprocess.run([sys.executable, "-m", "copycar_assist", "--kb", str(kb), "kb", "list"], input=data,
                          capture_output=True, env={**os.environ, HANDED: "stdin"}, check=False)


def test_the_command_compiling_for_the_app_takes_the_digests_the_app_computed(big_kb, cache):
    # The app hashes every entry file to know whether its cache is current; the command it then
    # starts to compile takes those digests instead of hashing the files again (a second or
    # two for 10,000 entries): what it compiles is cached under them.
    from copycar_assist.kb.store import compiled, digests

    base, entries = digests(big_kb)
    told = dict(entries)
    first = next(iter(told))
    told[first] = f"{first.name}:told"  # not what hashing the file gives: only a handed digest says it
    done = _kb_list_handed(big_kb, {str(path): digest for path, digest in told.items()})
    assert done.returncode == 0, done.stderr
    assert compiled(big_kb, ("entries", "matcher"), digested=(base, told))[0]
    assert not compiled(big_kb, ("entries", "matcher"))[0]


@pytest.mark.parametrize("handed", [b'{"not json', ["a list"], "one file missing", "a digest not text"])
def test_digests_that_do_not_name_the_folders_files_are_not_taken(big_kb, cache, handed):
    from copycar_assist.kb.store import compiled, digests

    entries = {str(path): digest for path, digest in digests(big_kb)[1].items()}
    if handed == "one file missing":
        entries.pop(next(iter(entries)))
    elif handed == "a digest not text":
        entries[next(iter(entries))] = 7  # type: ignore[assignment]
    given = entries if handed in ("one file missing", "a digest not text") else handed
    done = _kb_list_handed(big_kb, given)
    assert done.returncode == 0, done.stderr
    assert compiled(big_kb, ("entries", "matcher"))[0]  # hashed there, as without any


def test_the_command_compiling_for_the_app_tells_it_how_far_it_is(big_kb, cache, parsed, monkeypatch):
    # The app shows it while a large knowledge base is compiled for the first time (a minute
    # for 10,000 entries): the child `kb list --progress` reports, the context hands it on.
    import threading

    from copycar_assist.cli import build_parser
    from copycar_assist.cli.context import Context

    monkeypatch.setattr(pool, "MIN_ITEMS", 5)  # compiled by a command of its own
    heard: list[tuple[int, int]] = []
    with Context(build_parser().parse_args(["--kb", str(big_kb), "kb", "list"])) as ctx:
        ctx.progress = lambda done, total: heard.append((done, total))
        thread = threading.Thread(target=ctx.load_kb)
        thread.start()
        thread.join()
    total = 10 + COPIES
    assert parsed == [] and heard and heard[-1] == (total, total)  # heard from the child, to the end
    assert [d for d, _ in heard] == sorted(d for d, _ in heard) and {t for _, t in heard} == {total}
    assert len(heard) > total // 2  # as it went, not once at the end
    heard.clear()
    with Context(build_parser().parse_args(["--kb", str(big_kb), "kb", "list"])) as ctx:
        ctx.progress = lambda done, total: heard.append((done, total))
        ctx.load_kb()
    assert heard == []  # compiled already: nothing to tell


def test_a_first_compile_on_a_terminal_says_how_far_it_is_and_leaves_no_trace(big_kb, cache, monkeypatch):
    # A command's first use of a large knowledge base (half a minute for 10,000 entries) shows
    # on stderr how far the compile is, when stderr is a terminal; the line is gone after.
    import io

    from copycar_assist.cli import build_parser, status
    from copycar_assist.cli.context import Context

    class Terminal(io.StringIO):
        encoding = "utf-8"

        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(pool, "MIN_ITEMS", 5)  # in worker processes, as a large one is
    monkeypatch.setattr(status, "AFTER", 0)  # drawn from the start (a small one is done before 0.4 s)
    monkeypatch.setenv("TERM", "xterm")
    for lang, said in (("en", r"Compiling the knowledge base: \d+ of {} files\x1b\[K"),
                       ("es", r"Compilando la base de conocimiento: \d+ de {} archivos\x1b\[K")):
        terminal = Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        with Context(build_parser().parse_args(["--lang", lang, "--kb", str(big_kb), "match", "401"])) as ctx:
            ctx.load_kb()
        total = 10 + COPIES
        drawn = terminal.getvalue()
        assert re.search("\r" + said.format(total), drawn)
        assert drawn.endswith("\r\x1b[K")  # erased
        if lang == "en":
            shutil.rmtree(cache)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with Context(build_parser().parse_args(["--kb", str(big_kb), "match", "401"])) as ctx:
        ctx.load_kb()
    assert terminal.getvalue() == ""  # compiled already: nothing to show


def test_lint_on_a_terminal_says_how_far_it_is(big_kb, cache, monkeypatch):
    # `kb lint` reads every file: ten seconds for 10,000 entries, shown as it goes.
    import io

    from copycar_assist.cli import main, status

    class Terminal(io.StringIO):
        encoding = "utf-8"

        def isatty(self) -> bool:
            return True

    heard: list[tuple[int, int]] = []
    assert lint(big_kb, lambda done, total: heard.append((done, total))) == lint(big_kb)
    total = 10 + COPIES
    assert heard[-1] == (total, total) and [d for d, _ in heard] == sorted(d for d, _ in heard)
    monkeypatch.setattr(status, "AFTER", 0)
    monkeypatch.setattr(status, "EVERY", 0)  # every report drawn: a small base is read in a blink
    monkeypatch.setenv("TERM", "xterm")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["kb", "lint", str(big_kb)]) == 1  # the copies share their effects: lint says so
    drawn = terminal.getvalue()
    assert re.search(rf"\rChecking the knowledge base: \d+ of {total} files\x1b\[K", drawn)
    assert "\r\x1b[K" in drawn and drawn.index("\r\x1b[K") > drawn.rindex("Checking")  # erased, then the summary
    assert "kb lint: " in drawn[drawn.rindex("\r\x1b[K"):]


def test_a_small_knowledge_base_is_loaded_where_it_is_asked_for(big_kb, cache, parsed):
    import threading

    from copycar_assist.cli import build_parser
    from copycar_assist.cli.context import Context

    with Context(build_parser().parse_args(["--kb", str(big_kb), "kb", "list"])) as ctx:
        thread = threading.Thread(target=ctx.load_kb)
        thread.start()
        thread.join()
    assert len(parsed) == 10 + COPIES  # below the workers' threshold: compiled in the thread itself


def test_the_command_compiling_for_the_app_runs_this_package_not_one_in_the_working_directory(
        big_kb, cache, parsed, monkeypatch, tmp_path):
    """Run from a source checkout, `python -m copycar_assist` would import the checkout's files:
    another package, whose cache key differs, and the app would compile everything again."""
    import threading

    import copycar_assist
    from copycar_assist.cli import build_parser
    from copycar_assist.cli.context import Context

    decoy = tmp_path / "checkout"
    shutil.copytree(Path(copycar_assist.__file__).parent, decoy / "copycar_assist",
                    ignore=shutil.ignore_patterns("__pycache__"))
    store = decoy / "copycar_assist" / "kb" / "store.py"
    store.write_text(store.read_text(encoding="utf-8") + "\n# another version\n", encoding="utf-8")
    monkeypatch.chdir(decoy)
    monkeypatch.setattr(pool, "MIN_ITEMS", 5)
    with Context(build_parser().parse_args(["--kb", str(big_kb), "kb", "list"])) as ctx:
        thread = threading.Thread(target=ctx.load_kb)
        thread.start()
        thread.join()
    assert parsed == []


def test_the_cues_read_from_the_compiled_index_are_the_ones_read_from_every_entry(tmp_path, cache):
    # Two entries copied: their evidence's words are now used by two causes each and stop
    # being cues on their own, the other entries' stay. Only the whole knowledge knows that.
    from dataclasses import astuple

    from copycar_assist.kb import load_knowledge
    from copycar_assist.matching.compiled import cues_for
    from copycar_assist.matching.cues import CueFinder

    folder = tmp_path / "kb"
    shutil.copytree(default_dir(), folder)
    for n, base in enumerate(("email-delivery-failed", "cache-problems")):
        (folder / f"{base}-c{n}.md").write_text(_copy_entry((folder / f"{base}.md").read_text(encoding="utf-8"),
                                                            base, n), encoding="utf-8")
    compiled = cues_for(load_cached(folder, companion=MATCHER))
    kb = load_knowledge(folder)
    everything, shipped = CueFinder(kb), CueFinder(load_knowledge(default_dir()))
    assert set(compiled._rare) == set(everything._rare)
    assert 0 < len(everything._rare) < len(shipped._rare) and set(everything._rare) < set(shipped._rare)
    hits = 0
    for entry_id, entry in kb.entries.items():
        mine, theirs = compiled._cues(entry_id), everything._cues(entry_id)
        assert [astuple(p) for p in mine.phrases] == [astuple(p) for p in theirs.phrases], entry_id
        assert mine.surfaces == theirs.surfaces
        assert [(c.cause, c.pattern.pattern) for c in mine.codes] == [(c.cause, c.pattern.pattern) for c in theirs.codes]
        for text in (t for cause in entry.causes for items in cause.evidence.values() for t in items):
            found = compiled.find(entry_id, f"hola, {text}, gracias")
            assert found == everything.find(entry_id, f"hola, {text}, gracias")
            hits += len(found)
    assert hits > len(kb.entries)
    assert compiled.find("no-such-entry", "401") == []


def test_the_apps_matcher_has_the_guides_answerer_made_before_the_first_question(cache):
    # The app builds its matcher in a thread: the first question about the guide should not
    # also build the answerer's topic matcher. A one-shot command leaves it to that question.
    from copycar_assist.matching.compiled import prepared_matcher

    question = "How quickly does level 2 support reply to an email?"
    app = prepared_matcher(load_cached(default_dir(), companion=MATCHER))
    command = matcher_for(load_cached(default_dir(), companion=MATCHER))
    assert "_matcher" in app.answerer._answerer.__dict__ and "_levels" in app.answerer._answerer.__dict__
    assert "_answerer" not in command.answerer.__dict__
    answered = app.match(question).to_json()
    assert answered == command.match(question).to_json() and answered["kind"] == "question" and answered["answer"]


def test_a_compile_is_made_again_when_the_code_that_reads_the_files_changes(monkeypatch):
    """The TOML and file readers (files/) shape every entry as much as the loader does: a change
    in them is a new base, so no entry compiled by the old code is reused."""
    from copycar_assist.kb import store

    before = store.base_digest(default_dir())
    real = store._digest
    monkeypatch.setattr(store, "_digest",
                        lambda path: real(path) + (b"changed" if path.parts[-2:] == ("files", "read.py") else b""))
    assert store.base_digest(default_dir()) != before
