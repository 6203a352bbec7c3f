"""A matcher ready in the time it takes to open a file: its prepared index compiled once per
knowledge content (kb/store.py's `cached_db`, keyed by the same content hash) and read lazily.

What every query may touch (entry ids and titles, known word forms for typos, codes, which
language a word belongs to) is read at start; a key's postings and weight, an entry's phrases
and an effect are read the first time a query needs them. The numbers are the ones `Matcher`
computes (JSON keeps every float exactly and every order), so the answers are the same.

    matcher = ready_matcher(root)      # a Matcher over the knowledge at root (None: shipped)
    matcher = matcher_for(kb)          # the same for a loaded knowledge base

Never imports Textual; never writes anywhere but through kb/store.py.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from copycar_assist.kb.store import Rows, Store, cached_db, open_store, put

from . import companion
from .answers import Answerer
from .calibration import default_calibration
from .companion import MATCHER
from .effects import Effects, _Effect, weigh_effects
from .index import EntryPrep, Index, merge
from .lexicon import default_lexicon
from .matcher import Matcher, Tuning, _reading_data, add_lexicon_surfaces
from .reading import Reader

_MISSING = object()


def _pairs(d: dict) -> list:
    return [[k, v] for k, v in d.items()]


def fill_matcher(conn: sqlite3.Connection, preps: Iterable[EntryPrep]) -> None:
    """The index of prepared entries (`companion.py`) into a new database, streamed: each prep
    is read once, each entry's phrases and each effect weighed as it is written."""
    index, raw_effects = merge(preps, lazy=True)
    add_lexicon_surfaces(index, default_lexicon())
    write_index(conn, index, weigh_effects(raw_effects, index))


def write_index(conn: sqlite3.Connection, ix: Index, effects: Iterable[_Effect]) -> None:
    put(conn, "postings", ((key, json.dumps([ix.idf[key], _pairs(per)])) for key, per in ix.postings.items()))
    put(conn, "phrases", ((str(n), json.dumps([[_pairs(keys), total] for keys, total in phrases], ensure_ascii=False))
                          for n, phrases in enumerate(ix.phrase_keys)))
    by_key: dict[str, list[int]] = {}
    count = 0

    def rows() -> Iterator[tuple[str, str]]:
        nonlocal count
        for i, e in enumerate(effects):
            for key, _ in e.keys:
                by_key.setdefault(key, []).append(i)
            count = i + 1
            yield str(i), json.dumps([e.entry, e.text, [list(k) for k in e.keys], e.total], ensure_ascii=False)

    put(conn, "effects", rows())
    put(conn, "effect_keys", ((key, json.dumps(ids)) for key, ids in by_key.items()))
    head = {
        "ids": ix.ids, "titles": ix.titles, "surfaces": ix.surfaces, "lang_of": ix.lang_of,
        "codes": {c: _pairs(owners) for c, owners in ix.codes.items()},
        "families": {f: sorted(ns) for f, ns in ix.families.items()},
        "caps_codes": sorted(ix.caps_codes), "code_starts": sorted(ix.code_starts),
        "effects": count,
    }
    put(conn, "head", [("head", json.dumps(head, ensure_ascii=False))])


class _Lazy(Mapping):
    """key -> decoded row, read on first use (misses remembered too)."""

    def __init__(self, rows: Rows, decode) -> None:
        self._rows, self._decode = rows, decode
        self._seen: dict[Any, Any] = {}

    def _fetch(self, key: str) -> Any:
        value = self._seen.get(key, None)
        if value is None:
            raw = self._rows.get(key) if isinstance(key, str) else None
            value = self._seen[key] = _MISSING if raw is None else self._decode(raw)
        return value

    def __getitem__(self, key: str) -> Any:
        value = self._fetch(key)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return self._fetch(key) is not _MISSING  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[str]:
        return iter([k for k, _ in self._rows.all()])

    def __len__(self) -> int:
        return len(self._rows.all())


class _View(Mapping):
    """One part of another lazy mapping's rows (a key's idf, or its postings)."""

    def __init__(self, rows: _Lazy, part: int) -> None:
        self._rows, self._part = rows, part

    def __getitem__(self, key: str) -> Any:
        return self._rows[key][self._part]

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


class _LazyList(Sequence):
    def __init__(self, rows: Rows, size: int, decode) -> None:
        self._map, self._size = _Lazy(rows, decode), size

    def __getitem__(self, n):
        if isinstance(n, slice):
            return [self[i] for i in range(*n.indices(self._size))]
        if not 0 <= n < self._size:
            raise IndexError(n)
        return self._map[str(n)]

    def __len__(self) -> int:
        return self._size


def _posting_row(raw: str) -> tuple[float, dict[int, float]]:
    idf, pairs = json.loads(raw)
    return idf, {n: w for n, w in pairs}


def _phrase_row(raw: str) -> list[tuple[dict[str, float], float]]:
    return [({k: w for k, w in keys}, total) for keys, total in json.loads(raw)]


def _effect_row(raw: str) -> _Effect:
    entry, text, keys, total = json.loads(raw)
    return _Effect(entry, text, tuple((k, w) for k, w in keys), total)


def load_matcher(conn: Any, kb) -> Matcher:
    """A Matcher over the compiled index in `conn` (`kb`: the same knowledge, for its support
    data and the answers about the guide)."""
    head = json.loads(Rows(conn, "head").get("head") or "{}")
    postings = _Lazy(Rows(conn, "postings"), _posting_row)
    index = Index(
        ids=head["ids"], titles=head["titles"], postings=_View(postings, 1), idf=_View(postings, 0),  # type: ignore[arg-type]
        surfaces=head["surfaces"], codes={c: {n: w for n, w in pairs} for c, pairs in head["codes"].items()},
        families={f: set(ns) for f, ns in head["families"].items()}, lang_of=head["lang_of"],
        caps_codes=frozenset(head["caps_codes"]),
        phrase_keys=_LazyList(Rows(conn, "phrases"), len(head["ids"]), _phrase_row),
        code_starts=frozenset(head["code_starts"]))
    m = object.__new__(Matcher)
    m.lexicon = default_lexicon()
    m.tuning = Tuning()
    m.calibration = default_calibration()
    m.index = index
    effects = object.__new__(Effects)
    effects.lexicon = m.lexicon
    effects._effects = _LazyList(Rows(conn, "effects"), head["effects"], _effect_row)  # type: ignore[assignment]
    effects._by_key = _Lazy(Rows(conn, "effect_keys"), json.loads)  # type: ignore[assignment]
    m.effects = effects
    m._by_initial = {}
    for surface in index.surfaces:
        m._by_initial.setdefault(surface[0], []).append(surface)
    m._fuzzy_cache = {}
    from dataclasses import asdict

    support = kb.support
    m.reader = Reader(_reading_data(), asdict(support.thresholds) if support is not None else {}, m.lexicon.stop)
    m.answerer = Answerer(kb.answers, support, Matcher, kb.entries) if kb.answers and support else None
    return m


def ready_matcher(root: Path | str | None = None, store: Store | None = None, kb: Any = None) -> Matcher:
    """A matcher over the knowledge at `root` (or in `store`, whose knowledge base `kb` is), from
    the compiled index (built and cached when missing or stale). Raises KnowledgeError for
    broken knowledge."""
    store = store or open_store(root, companion=MATCHER)
    kb = kb or store.knowledge_base()
    conn = store.companions.get(MATCHER.kind) or cached_db(
        store.root, MATCHER.kind, store.key,
        lambda conn: fill_matcher(conn, (companion.prepare(store.entry(i)) for i in store.ids)))
    return load_matcher(conn, kb)


def matcher_for(kb: Any) -> Matcher:
    """The matcher for a knowledge base: from its compiled index when it came from the store
    (`kb.store.load_cached`), else prepared from its entries."""
    from copycar_assist.kb.store import LazyEntries

    if isinstance(kb.entries, LazyEntries):
        return ready_matcher(store=kb.entries.store, kb=kb)
    return Matcher(kb)
