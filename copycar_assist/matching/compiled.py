"""A matcher ready in the time it takes to open a file: its prepared index compiled once per
knowledge content (kb/store.py's `cached_db`, keyed by the same content hash) and read lazily.

What every query may touch (entry ids and titles, known word forms for typos, codes, which
language a word belongs to, every key's weight) is read at start; a key's postings, an entry's
phrases (weighed as they are read, as `merge` weighs them) and an effect are read the first
time a query needs them. The numbers are the ones `Matcher` computes (JSON, and the packed
arrays of the postings, keep every float exactly and every order), so the answers are the same.

    matcher = ready_matcher(root)      # a Matcher over the knowledge at root (None: shipped)
    matcher = matcher_for(kb)          # the same for a loaded knowledge base

Never imports Textual; never writes anywhere but through kb/store.py.
"""

from __future__ import annotations

import sqlite3
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from enum import Enum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, TypeVar, overload

from copycar_assist.kb.codec import dumps, loads
from copycar_assist.kb.pool import ordered_map
from copycar_assist.kb.store import Rows, Store, Value, cached_db, open_store, put

from . import companion
from .answers import LazyAnswerer
from .calibration import default_calibration
from .companion import MATCHER
from .effects import Effects, _Effect, effect_owners, effect_shares, weigh_effect
from .index import EntryPrep, Index, Kept, WeighedPhrase, merge, weigh_phrases
from .knowledge import Knowledge
from .lexicon import default_lexicon
from .matcher import Matcher, Tuning, _reading_data, add_lexicon_surfaces
from .postings import LARGE, Postings
from .reading import Reader

if TYPE_CHECKING:
    from .cues import CueFinder

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


class _Missing(Enum):
    MISSING = "missing"


_MISSING = _Missing.MISSING  # a key the rows do not hold (remembered, like a found one)


class _Head(TypedDict):
    """The head row (JSON): what every query may touch, read at start."""

    ids: list[str]
    titles: list[dict[str, str]]
    surfaces: dict[str, str]
    lang_of: dict[str, str]
    codes: dict[str, list[tuple[int, float]]]  # code -> (entry, strength) pairs
    families: dict[str, list[int]]
    caps_codes: list[str]
    code_starts: list[str]
    effects: int  # how many effect rows there are
    idf: dict[str, float]  # every key's idf (the phrases are weighed with it as they are read)


# The other rows: a key's postings (bytes: `Postings.to_bytes`), an entry's phrases (JSON: each
# phrase's keys packed, `index.pack`; weighed with the idf when read, as `merge` weighs them), an
# effect (JSON: [entry, text, [[key, weight], ...], total]) and the effects that use a key (bytes:
# `Postings.to_bytes` of effect -> the share of that effect's weight the key carries).
_EffectRow = tuple[int, str, list[tuple[str, float]], float]


def _pairs(d: Mapping[K, V]) -> list[tuple[K, V]]:
    return list(d.items())


def fill_matcher(conn: sqlite3.Connection, preps: Iterable[EntryPrep]) -> None:
    """The index of prepared entries (`companion.py`) into a new database, streamed: each prep
    is read once; each entry's phrases are written as they come (they are weighed when read),
    its effects wait on disk until the weights are known, then are weighed and written (in
    worker processes when there are many)."""
    kept = _OnDisk(conn)
    index, _ = merge(preps, kept=kept)
    add_lexicon_surfaces(index, default_lexicon())
    write_index(conn, index, kept)


class _OnDisk(Kept):
    """Each entry's phrases written where they stay (packed, as prepared), and its effects in a
    temporary table of the connection until they are weighed and written (in the page cache,
    not in this process: 10,000 entries' effects would be a fifth of its memory), read back in
    order."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__()
        self._conn = conn
        self._count = self._effect_count = 0
        conn.execute("CREATE TEMP TABLE kept (n INTEGER PRIMARY KEY, effects TEXT)")

    def add(self, n: int, phrases: list[str], effects: list[tuple[str, str]]) -> None:
        put(self._conn, "phrases", [(str(n), dumps(phrases))])
        self._conn.execute("INSERT INTO kept VALUES (?, ?)", (n, dumps(effects)))
        self._count, self._effect_count = n + 1, self._effect_count + len(effects)

    def rows(self) -> Sequence[tuple[int, str]]:
        """(entry, its effects' JSON text) per entry, in order."""
        return _Column(self._conn, self._count, lambda n, text: [(n, text)])

    @property
    def effects(self) -> Sequence[tuple[int, str, str]]:
        def rows(n: int, text: str) -> list[tuple[int, str, str]]:
            return [(n, effect_text, keys) for effect_text, keys in loads(text)]

        return _Column(self._conn, self._effect_count, rows)


class _Column(Sequence[T]):
    """The kept effects as a sequence of what `decode(n, text)` makes of each entry's row, read
    through in order (by position too, but by reading through: only for completeness)."""

    def __init__(self, conn: sqlite3.Connection, length: int, decode: Callable[[int, str], list[T]]) -> None:
        self._conn, self._length, self._decode = conn, length, decode

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[T]:
        for n, text in self._conn.execute("SELECT n, effects FROM kept ORDER BY n"):
            yield from self._decode(n, text)

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[T]: ...
    def __getitem__(self, i: int | slice) -> T | Sequence[T]:
        return list(self)[i]


# What the workers weighing the kept effects read: set before they are forked (they inherit it,
# nothing is sent), and read in this process when the work stays here; one compile at a time
# (the app compiles in a thread). (idf, effect owners, size)
_WEIGHTS: tuple[Mapping[str, float], Mapping[str, int], int] | None = None
_WEIGHING = threading.Lock()


def _effect_rows(row: tuple[int, str]) -> list[tuple[str, list[tuple[str, float]]]]:
    """An entry's effects weighed, as rows (JSON) with their keys and the share of the effect's
    weight each carries; those too short left out."""
    assert _WEIGHTS is not None
    idf, owners, size = _WEIGHTS
    out = []
    for text, packed in loads(row[1]):
        e = weigh_effect(row[0], text, packed, idf, owners, size)
        if e is not None:
            out.append((dumps([e.entry, e.text, [list(k) for k in e.keys], e.total]),
                        list(effect_shares(e))))
    return out


def _weigh_rows(conn: sqlite3.Connection, kept: _OnDisk) -> tuple[int, dict[str, tuple[array[int], array[float]]]]:
    """Every entry's effects weighed (`_WEIGHTS`) and written; how many there are, and the
    effects each key is in with its share of their weight."""
    by_key: dict[str, tuple[array[int], array[float]]] = {}
    count = 0

    def rows() -> Iterator[tuple[str, str]]:
        nonlocal count
        for effects in ordered_map(_effect_rows, kept.rows()):
            for row, shares in effects:
                for key, share in shares:
                    pair = by_key.get(key)
                    if pair is None:  # not setdefault: two new arrays for each of a million calls
                        pair = by_key[key] = (array("i"), array("d"))
                    pair[0].append(count)
                    pair[1].append(share)
                yield str(count), row
                count += 1

    put(conn, "effects", rows())
    return count, by_key


def write_index(conn: sqlite3.Connection, ix: Index, kept: _OnDisk) -> None:
    global _WEIGHTS
    put(conn, "postings", ((key, Postings.of(per).to_bytes()) for key, per in ix.postings.items()))
    with _WEIGHING:
        _WEIGHTS = (ix.idf, effect_owners(kept.effects, ix.idf), ix.size)
        try:
            count, by_key = _weigh_rows(conn, kept)
        finally:
            _WEIGHTS = None
    put(conn, "effect_keys", ((key, Postings(*pair).to_bytes()) for key, pair in by_key.items()))
    head: _Head = {
        "ids": ix.ids, "titles": ix.titles, "surfaces": ix.surfaces, "lang_of": ix.lang_of,
        "codes": {c: _pairs(owners) for c, owners in ix.codes.items()},
        "families": {f: sorted(ns) for f, ns in ix.families.items()},
        "caps_codes": sorted(ix.caps_codes), "code_starts": sorted(ix.code_starts),
        "effects": count, "idf": dict(ix.idf),
    }
    put(conn, "head", [("head", dumps(head))])
    put(conn, "cue_rare", ((key, "") for key in sorted(ix.cue_rare)))


class _Lazy(Mapping[str, V]):
    """key -> decoded row, read on first use (misses remembered too)."""

    def __init__(self, rows: Rows, decode: Callable[[Value], V]) -> None:
        self._rows, self._decode = rows, decode
        self._seen: dict[object, V | _Missing] = {}

    def _fetch(self, key: object) -> V | _Missing:
        value = self._seen.get(key, None)
        if value is None:
            raw = self._rows.get(key) if isinstance(key, str) else None
            value = self._seen[key] = _MISSING if raw is None else self._decode(raw)
        return value

    def __getitem__(self, key: str) -> V:
        value = self._fetch(key)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return self._fetch(key) is not _MISSING

    def __iter__(self) -> Iterator[str]:
        return iter([k for k, _ in self._rows.all()])

    def __len__(self) -> int:
        return len(self._rows.all())


class _LazyList(Sequence[V]):
    """Rows keyed "0" to str(size - 1) as a sequence, each decoded on first use."""

    def __init__(self, rows: Rows, size: int, decode: Callable[[Value], V]) -> None:
        self._map, self._size = _Lazy(rows, decode), size

    @overload
    def __getitem__(self, n: int) -> V: ...
    @overload
    def __getitem__(self, n: slice) -> list[V]: ...
    def __getitem__(self, n: int | slice) -> V | list[V]:
        if isinstance(n, slice):
            return [self[i] for i in range(*n.indices(self._size))]
        if not 0 <= n < self._size:
            raise IndexError(n)
        return self._map[str(n)]

    def __len__(self) -> int:
        return self._size


def _bytes(raw: Value) -> bytes:
    if not isinstance(raw, bytes):
        raise ValueError("compiled index: a packed row holds text")
    return raw


def _postings_row(raw: Value) -> Postings:
    return Postings.from_bytes(_bytes(raw))


def _phrases_row(idf: Mapping[str, float]) -> Callable[[Value], list[WeighedPhrase]]:
    """An entry's phrases row, weighed with `idf` as it is read."""

    def decode(raw: Value) -> list[WeighedPhrase]:
        return weigh_phrases(loads(raw), idf)

    return decode


def _effect_row(raw: Value) -> _Effect:
    row: _EffectRow = loads(raw)
    entry, text, keys, total = row
    return _Effect(entry, text, tuple((k, w) for k, w in keys), total)


class _Thresholds(Mapping[str, float]):
    """The guide's thresholds (`kb.support`), read the first time a pasted number needs one: a
    text without one never reads support.toml."""

    def __init__(self, kb: Knowledge) -> None:
        self._kb = kb

    @cached_property
    def _values(self) -> dict[str, float]:
        from dataclasses import asdict

        support = self._kb.support
        return asdict(support.thresholds) if support is not None else {}

    def __getitem__(self, name: str) -> float:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def load_matcher(conn: sqlite3.Connection, kb: Knowledge) -> Matcher:
    """A Matcher over the compiled index in `conn` (`kb`: the same knowledge, for its support
    data and the answers about the guide)."""
    head: _Head = loads(Rows(conn, "head").get("head") or "{}")
    idf = head["idf"]
    index = Index(
        ids=head["ids"], titles=head["titles"], postings=_Lazy(Rows(conn, "postings"), _postings_row), idf=idf,
        surfaces=head["surfaces"], codes={c: {n: w for n, w in pairs} for c, pairs in head["codes"].items()},
        families={f: set(ns) for f, ns in head["families"].items()}, lang_of=head["lang_of"],
        caps_codes=frozenset(head["caps_codes"]),
        phrase_keys=_LazyList(Rows(conn, "phrases"), len(head["ids"]), _phrases_row(idf)),
        code_starts=frozenset(head["code_starts"]))
    m = object.__new__(Matcher)
    m.lexicon = default_lexicon()
    m.tuning = Tuning()
    m.calibration = default_calibration()
    m.index = index
    m.bulk = effects_bulk = index.size >= LARGE
    if m.bulk:  # imported while the app gets ready, not on the first query: numpy, and the typo search
        import rapidfuzz.distance.OSA
        import rapidfuzz.process  # noqa: F401

        from . import bulk  # noqa: F401
    effects = object.__new__(Effects)
    effects.lexicon = m.lexicon
    effects.bulk = effects_bulk
    effects._effects = _LazyList(Rows(conn, "effects"), head["effects"], _effect_row)
    effects._by_key = _Lazy(Rows(conn, "effect_keys"), _postings_row)
    m.effects = effects
    m._by_initial = {}
    for surface in index.surfaces:
        m._by_initial.setdefault(surface[0], []).append(surface)
    m._fuzzy_cache = {}
    m.reader = Reader(_reading_data(), _Thresholds(kb), m.lexicon.stop)
    m.answerer = LazyAnswerer(kb, Matcher)
    return m


def ready_matcher(root: Path | str | None = None, store: Store | None = None, kb: Knowledge | None = None) -> Matcher:
    """A matcher over the knowledge at `root` (or in `store`, whose knowledge base `kb` is), from
    the compiled index (built and cached when missing or stale). Raises KnowledgeError for
    broken knowledge."""
    store = store or open_store(root, companion=MATCHER)
    return load_matcher(_matcher_db(store), kb or store.knowledge_base())


_OPENING = threading.Lock()


def _matcher_db(store: Store) -> sqlite3.Connection:
    """The store's compiled index, opened once (built when missing or stale) and shared by the
    matcher and the cues, which may ask for it at the same time from two threads."""
    with _OPENING:
        conn = store.companions.get(MATCHER.kind)
        if conn is None:
            conn = store.companions[MATCHER.kind] = cached_db(
                store.root, MATCHER.kind, store.key,
                lambda conn: fill_matcher(conn, (companion.prepare(store.entry(i)) for i in store.ids)))
        return conn


def cues_for(kb: Knowledge) -> CueFinder:
    """The causes' cues for a knowledge base: each entry's prepared when it is first asked
    about, with what needs the whole knowledge read from its compiled index when it came from
    the store, else tallied from its entries (`cues.CueFinder`)."""
    from copycar_assist.kb.store import LazyEntries

    from .cues import CueFinder

    if isinstance(kb.entries, LazyEntries):
        rare: _Lazy[Value] = _Lazy(Rows(_matcher_db(kb.entries.store), "cue_rare"), _same)
        return CueFinder(kb, rare=rare)
    return CueFinder(kb)


def _same(raw: Value) -> Value:
    return raw


def prepared_matcher(kb: Knowledge) -> Matcher:
    """The matcher for a front end that runs for a while (the app, which builds it in a thread):
    `matcher_for(kb)` with the guide's answerer made too, so that the first question about the
    guide does not wait for it (a one-shot command leaves that to its first question). What the
    process holds by then lives as long as it does: it is set aside from the collector's full
    passes (`gc.freeze`), which otherwise walk it all in the middle of some query (12 ms on
    10,000 entries)."""
    import gc

    matcher = matcher_for(kb)
    if matcher.answerer is not None:
        matcher.answerer.prepare()
    gc.freeze()
    return matcher


def matcher_for(kb: Knowledge) -> Matcher:
    """The matcher for a knowledge base: from its compiled index when it came from the store
    (`kb.store.load_cached`), else prepared from its entries."""
    from copycar_assist.kb.store import LazyEntries

    if isinstance(kb.entries, LazyEntries):
        return ready_matcher(store=kb.entries.store, kb=kb)
    return Matcher(kb)
