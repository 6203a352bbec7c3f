"""Every reader of outside files against hypothesis: random bytes, deep nesting, wrong types and
huge sizes give that reader's own error naming the file (and the line where there is one) —
never another exception, a hang, or memory past the kind's stated size cap (files over the cap
are refused before they are read)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copycar_assist.checks.accounts import AccountFileError, load_accounts
from copycar_assist.checks.logparse import analyze_file
from copycar_assist.config import ConfigError, load_settings
from copycar_assist.files.read import ReadError
from copycar_assist.kb import KnowledgeError
from copycar_assist.kb.guide import read_guide
from copycar_assist.kb.loader import load_catalog, load_categories
from copycar_assist.kb.support import load_support
from copycar_assist.support.history import load_session, summarize

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NESTING = st.integers(min_value=1, max_value=3000).map(lambda n: "[" * n + "]" * n)
values = st.recursive(st.one_of(st.integers(), st.floats(allow_nan=False), st.text(max_size=6), st.booleans()),
                      lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text("abcdefghij_", min_size=1, max_size=5), inner, max_size=3),
                      max_leaves=20)
tables = st.dictionaries(st.sampled_from(["api", "smtp", "crm", "redis", "email", "language", "zz", "checks",
                                          "categories", "thresholds", "alerts", "levels", "escalation"]),
                         values, max_size=4)


def write(folder: Path, name: str, data: bytes, mode: int = 0o600) -> Path:
    path = folder / name
    path.write_bytes(data)
    path.chmod(mode)
    return path


@FUZZ
@given(st.one_of(st.binary(max_size=1500), tables.map(lambda d: tomli_w.dumps(d).encode()),
                 NESTING.map(lambda s: f"a = {s}\n".encode())))
def test_settings(tmp_path_factory, data):
    path = write(tmp_path_factory.mktemp("s"), "config.toml", data)
    try:
        load_settings(path, environ={})
    except ConfigError as exc:
        assert all(p.path == str(path) for p in exc.problems)


@FUZZ
@given(st.lists(st.one_of(st.binary(max_size=200), NESTING.map(str.encode),
                          values.map(lambda v: repr(v).encode())), max_size=8))
def test_sessions(tmp_path_factory, lines):
    path = write(tmp_path_factory.mktemp("h"), "20240101T000000000000Z-abcdef.jsonl", b"\n".join(lines))
    session = load_session(path)
    assert all(isinstance(r, dict) for r in session.records)
    summary = summarize(path)
    assert all(isinstance(e, str) for e in summary.entries) and summary.lang in (None, "es", "en")


@FUZZ
@given(st.binary(max_size=1500) | NESTING.map(str.encode) | values.map(lambda v: repr(v).encode()),
       st.sampled_from(["a.json", "a.jsonl", "a.csv", "a.txt"]))
def test_account_files(tmp_path_factory, data, name):
    path = write(tmp_path_factory.mktemp("a"), name, data)
    try:
        load_accounts(path)
    except AccountFileError as exc:
        assert exc.path == str(path)


@FUZZ
@given(st.binary(max_size=3000))
def test_log_files(tmp_path_factory, data):
    path = write(tmp_path_factory.mktemp("l"), "copycar.log", data)
    stats = analyze_file(path)
    assert stats.lines >= 0


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("#`~-*:\n SÍNTOMASCAUSAS\t>1.markdown")), max_size=600))
def test_guides(text):
    for entry in read_guide(text):
        assert entry.id and entry.line >= 1


@FUZZ
@given(tables, st.sampled_from(["checks.toml", "categories.toml", "support.toml"]))
def test_data_files(tmp_path_factory, doc, name):
    path = write(tmp_path_factory.mktemp("d"), name, tomli_w.dumps(doc).encode())
    loader = {"checks.toml": load_catalog, "categories.toml": load_categories, "support.toml": load_support}[name]
    try:
        loader(path)
    except KnowledgeError as exc:
        assert all(p.path == path for p in exc.problems)


@pytest.mark.parametrize("reader,name,error", [
    (lambda p: load_settings(p, environ={}), "config.toml", ConfigError),
    (load_session, "s.jsonl", ReadError),
    (load_accounts, "a.json", AccountFileError),
    (load_support, "support.toml", KnowledgeError),
], ids=["settings", "session", "accounts", "support"])
def test_huge_files_are_refused_before_they_are_read(tmp_path, reader, name, error):
    path = tmp_path / name
    with open(path, "wb") as fh:
        fh.truncate(2 * 1024 ** 3)  # 2 GiB, sparse: reading it would take the memory
    os.chmod(path, 0o600)
    with pytest.raises(error) as err:
        reader(path)
    assert "larger than" in str(err.value)
