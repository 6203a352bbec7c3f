"""The compiled knowledge (kb/store.py, matching/compiled.py): the same facts and the same
answers as parsing everything, a private SQLite file (never pickle) keyed by content, rebuilt
when the content changes or the file is not to be trusted."""

from __future__ import annotations

import json
import os
import shutil
import stat
from dataclasses import asdict
from pathlib import Path

import pytest

from copycar_assist.kb import KnowledgeError, default_dir, load_knowledge
from copycar_assist.kb.model import facts
from copycar_assist.kb.store import LazyEntries, load_cached, open_store
from copycar_assist.matching import Matcher
from copycar_assist.matching.compiled import matcher_for, ready_matcher

from fixtures_kb import DATA


@pytest.fixture
def env(tmp_path):
    cache = tmp_path / "cache"
    return {"COPYCAR_ASSIST_CACHE": str(cache)}


@pytest.fixture
def kb_dir(tmp_path):
    dest = tmp_path / "kb"
    shutil.copytree(default_dir(), dest)
    return dest


def files(env) -> list[Path]:
    return sorted(Path(env["COPYCAR_ASSIST_CACHE"]).glob("*.sqlite"))


def test_the_store_holds_the_same_facts(kb_dir, env):
    parsed = load_knowledge(kb_dir)
    for _ in range(2):  # built, then read back from the file
        kb = load_cached(kb_dir, env)
        assert isinstance(kb.entries, LazyEntries) and list(kb.entries) == list(parsed.entries)
        for entry_id, entry in parsed.entries.items():
            assert facts(kb.entries[entry_id]) == facts(entry)
            assert kb.entries[entry_id].sections["es"].markdown == entry.sections["es"].markdown
        assert kb.checks == parsed.checks and kb.support == parsed.support and kb.answers == parsed.answers


def test_the_compiled_matcher_answers_exactly_like_the_prepared_one(monkeypatch, env):
    monkeypatch.setenv("COPYCAR_ASSIST_CACHE", env["COPYCAR_ASSIST_CACHE"])
    prepared = Matcher(load_knowledge())
    ready_matcher()  # builds and caches
    compiled = ready_matcher()  # from the file
    texts = [json.loads(x)["text"] for x in (DATA / "match_real1.jsonl").read_text(encoding="utf-8").splitlines() if x]
    assert len(texts) > 200
    for text in texts:
        assert asdict(compiled.match(text)) == asdict(prepared.match(text)), text
    assert compiled.detect_language("no me llegan los correos") == prepared.detect_language("no me llegan los correos")


def test_the_files_are_private_sqlite_never_pickle(kb_dir, env):
    open_store(kb_dir, env)
    (found,) = files(env)
    assert stat.S_IMODE(found.stat().st_mode) == 0o600
    assert stat.S_IMODE(found.parent.stat().st_mode) == 0o700
    assert found.read_bytes().startswith(b"SQLite format 3\x00")


def test_a_change_of_content_rebuilds(kb_dir, env, monkeypatch):
    monkeypatch.setenv("COPYCAR_ASSIST_CACHE", env["COPYCAR_ASSIST_CACHE"])
    before = ready_matcher(kb_dir).match("zorglub frobnicator").best
    path = kb_dir / "slow-responses.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('[aliases]\nes = [', '[aliases]\nes = [\n    "zorglub frobnicator",', 1),
                    encoding="utf-8")
    stat_before = path.stat()
    os.utime(path, ns=(stat_before.st_atime_ns, stat_before.st_mtime_ns))  # the content, not the time, says
    assert before != "slow-responses"
    assert ready_matcher(kb_dir).match("zorglub frobnicator").best == "slow-responses"
    assert "zorglub frobnicator" in load_cached(kb_dir, env).entries["slow-responses"].aliases["es"]


def test_a_file_others_could_write_or_a_torn_one_is_not_used(kb_dir, env):
    open_store(kb_dir, env)
    (found,) = files(env)
    found.chmod(0o622)
    assert open_store(kb_dir, env).ids  # rebuilt and written again, private
    assert stat.S_IMODE(found.stat().st_mode) == 0o600
    found.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    found.chmod(0o600)
    assert len(open_store(kb_dir, env).ids) == 10


def test_broken_knowledge_is_an_error_and_caches_nothing(kb_dir, env):
    (kb_dir / "invalid-api-key.md").write_text("no front matter\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as err:
        load_cached(kb_dir, env)
    assert "invalid-api-key.md:1:" in str(err.value)
    assert files(env) == []


def test_no_cache_writes_nothing(kb_dir, env):
    kb = load_cached(kb_dir, {**env, "COPYCAR_ASSIST_NO_CACHE": "1"})
    assert "invalid-api-key" in kb.entries and files(env) == []
    assert matcher_for(kb).match("401 unauthorized").best == "invalid-api-key"
