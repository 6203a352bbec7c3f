"""The prepared knowledge: every entry's phrases (titles, aliases, keywords, symptoms, causes, in
both languages) turned once into matching keys with weights, inverted for fast lookup.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import TYPE_CHECKING

from .codes import find_codes, norm_code
from .cuekeys import RareKeys, entry_cue_facts
from .lexicon import Lexicon
from .text import plain
from .text import words as text_words

if TYPE_CHECKING:
    from copycar_assist.kb.model import Entry

# How much a phrase says about its entry, by where it comes from.
FIELD_WEIGHTS = {
    "title": 1.0, "alias": 1.0, "keyword": 1.0, "code": 0.5,
    "symptom": 0.8, "cause": 0.7, "explanation": 0.3,
}
LISTED_CODE, NAMED_CODE = 1.0, 0.5  # how strongly a code points at an entry (see Index.codes)
CAPS_CODE_MAX = 6  # a listed code of at most this many capitals is also a word ("KEYS")
REPEAT_BONUS, REPEAT_CAP = 0.2, 3  # a key named in several phrases weighs a little more
WEAK_FACTOR = 0.3  # generic words ("error", "api") in phrase-level similarity


# A phrase as {key: idf-weight} and its total weight.
WeighedPhrase = tuple[dict[str, float], float]


@dataclass
class Index:
    ids: list[str]
    titles: list[dict[str, str]]
    # Built in memory (`merge`) or read from the compiled index on demand (`compiled.py`).
    postings: Mapping[str, Mapping[int, float]]  # key -> entry index -> weight (0-1.3)
    idf: Mapping[str, float]
    surfaces: dict[str, str]  # folded word seen in the knowledge -> its key (for typos)
    # normalised code -> entry -> strength: 1.0 for an entry whose [keywords] codes list it, 0.5
    # for one that only names it in its text (a symptom quoting another entry's alert, say).
    codes: dict[str, dict[int, float]]
    families: dict[str, set[int]]  # "5xx" -> entries naming any 5xx code
    lang_of: dict[str, str]  # folded word used by only one language -> "es" | "en"
    # Codes that are also plain words ("KEYS", "SCAN", "OOM"): codes only when written in capitals.
    caps_codes: frozenset[str] = frozenset()
    # Per entry, each title/alias/keyword/symptom/cause phrase as {key: weight} (for phrase-level
    # similarity) and its total weight.
    phrase_keys: Sequence[list[WeighedPhrase]] = field(default_factory=list)
    # The first word of every listed code ("x" of "X-RateLimit-Remaining"): where a code written
    # as several words can start.
    code_starts: frozenset[str] = frozenset()
    # Keys a one-word evidence phrase may stand on (`cuekeys.RareKeys`), for the compiled index.
    cue_rare: frozenset[str] = frozenset()

    @property
    def size(self) -> int:
        return len(self.ids)


def entry_phrases(entry: Entry) -> Iterator[tuple[str, str, str | None]]:
    """(kind, text, lang) for every phrase of a knowledge entry."""
    for lang, text in (entry.title or {}).items():
        yield "title", text, lang
    for lang, items in (entry.aliases or {}).items():
        for text in items:
            yield "alias", text, lang
    for lang, items in (entry.keywords or {}).items():
        kind = "code" if lang == "codes" else "keyword"
        for text in items:
            yield kind, text, None if kind == "code" else lang
    for lang, section in (entry.sections or {}).items():
        for text in section.symptoms:
            yield "symptom", text, lang
    for cause in entry.causes:
        for lang, text in (cause.title or {}).items():
            yield "cause", text, lang
        for lang, text in (cause.explanation or {}).items():
            yield "explanation", text, lang



def entry_effects(entry: Entry) -> Iterator[tuple[str, str]]:
    """(text, lang) for every effect of an entry and of its causes: found as whole phrases
    (`effects.py`), never word by word."""
    for lang, items in entry.effects.items():
        for text in items:
            yield text, lang
    for cause in entry.causes:
        for lang, items in cause.effects.items():
            for text in items:
                yield text, lang


@dataclass
class EntryPrep:
    """What one entry brings to the index, worked out from that entry alone (so entries can be
    prepared apart, in other processes, and merged in order: `merge`)."""

    id: str
    title: dict[str, str]
    # key -> its posting weight here: its strongest field weight, a little more when several
    # phrases (not explanations) name it (REPEAT_BONUS)
    weights: dict[str, float] = field(default_factory=dict)
    surfaces: dict[str, str] = field(default_factory=dict)  # word -> key, in the order first seen
    codes: dict[str, float] = field(default_factory=dict)  # code -> LISTED_CODE | NAMED_CODE
    families: list[str] = field(default_factory=list)
    caps_codes: list[str] = field(default_factory=list)
    code_starts: list[str] = field(default_factory=list)
    word_langs: dict[str, list[str]] = field(default_factory=dict)
    phrases: list[str] = field(default_factory=list)  # each phrase's keys, packed (`pack`)
    effects: list[tuple[str, str]] = field(default_factory=list)  # text, its keys packed
    # For the conversation's cues (`cuekeys.entry_cue_facts`): key -> how many of its causes'
    # evidence uses it, and the keys of its title and keywords (`cuekeys.own_keys`).
    cue_uses: dict[str, int] = field(default_factory=dict)
    cue_own: list[str] = field(default_factory=list)


def prepare_entry(entry: Entry, lexicon: Lexicon) -> EntryPrep:
    """An entry's phrases and effects as matching keys (see `EntryPrep`)."""
    prep = EntryPrep(entry.id, dict(entry.title or {}))
    weights, surfaces, codes = prep.weights, prep.surfaces, prep.codes
    counts: dict[str, int] = {}  # key -> phrases (not explanations) naming it
    seen: dict[str, dict[str, None]] = {}  # language -> the words of its phrases, in order
    word_langs, phrases, terms_of = prep.word_langs, prep.phrases, lexicon.terms
    for kind, text, lang in entry_phrases(entry):
        if not isinstance(text, str) or not text.strip():
            continue
        fw = FIELD_WEIGHTS[kind]
        text = plain(text)
        if kind == "code":
            c = norm_code(text)
            codes[c] = LISTED_CODE
            first = text_words(text)[:1]
            if first and first[0] not in prep.code_starts:
                prep.code_starts.append(first[0])
            if text.isalpha() and text.isupper() and len(text) <= CAPS_CODE_MAX:
                if c not in prep.caps_codes:
                    prep.caps_codes.append(c)
                continue  # its word ("keys") is not a word of this entry
            fam = c[0] + "xx" if len(c) == 3 and c[0] in "45" and (c[1:].isdigit() or c[1:] == "xx") else None
            if fam and fam not in prep.families:
                prep.families.append(fam)
        elif kind != "explanation":
            for code in find_codes(text):
                codes.setdefault(code.code, NAMED_CODE)
        words = text_words(text)
        if lang:
            in_lang = seen.get(lang)
            if in_lang is None:
                in_lang = seen[lang] = {}
            in_lang.update(dict.fromkeys(words))
        terms = terms_of(words)
        named = kind != "explanation"
        if named and kind != "code":
            phrases.append(pack([(key, weak) for key, _, _, weak in terms]))
        for key, at, to, _ in terms:
            if fw > weights.get(key, 0.0):
                weights[key] = fw
            if named:
                counts[key] = counts.get(key, 0) + 1
            if at == to:
                w = words[at]
                if len(w) >= 4 and w not in surfaces and w.isalpha():
                    surfaces[w] = key
    for lang, in_lang in seen.items():
        for w in in_lang:
            if w.isalpha():
                langs = word_langs.get(w)
                if langs is None:
                    word_langs[w] = [lang]
                else:
                    langs.append(lang)
    for key, count in counts.items():
        if count > 1:
            weights[key] += REPEAT_BONUS * min(count - 1, REPEAT_CAP)
    prep.effects = [(text, pack(effect_keys(text, lexicon).items())) for text, _lang in entry_effects(entry)]
    prep.cue_uses, prep.cue_own = entry_cue_facts(entry, lexicon)
    return prep


# An entry's phrases are kept packed, one string each (a knowledge base of 10,000 entries has
# over a million of them): keys joined by _SEP, a weak key marked with a leading _WEAK. Keys are
# folded words and concept names, which never hold either character.
_SEP, _WEAK = "\x1f", "\x1e"


def pack(keys: Iterable[tuple[str, bool]]) -> str:
    return _SEP.join(_WEAK + key if weak else key for key, weak in keys)


def unpack(packed: str) -> list[tuple[str, bool]]:
    if not packed:
        return []
    return [(key[1:], True) if key[0] == _WEAK else (key, False) for key in packed.split(_SEP)]


def effect_keys(text: str, lexicon: Lexicon) -> dict[str, bool]:
    """An effect's keys, each flagged True when it is only ever a generic word or a number."""
    keys: dict[str, bool] = {}
    for term in lexicon.terms(text_words(text)):
        keys[term.key] = keys.get(term.key, True) and (term.weak or term.key.isdigit())
    return keys


class Kept:
    """What `merge` keeps of each entry to weigh once every entry is read: its packed phrases
    and its effects as (entry, text, packed keys). In memory here; the compile keeps them on
    disk (`compiled.py`), a knowledge base of 10,000 entries has a million phrases."""

    def __init__(self) -> None:
        self._phrases: list[list[str]] = []
        self._effects: list[tuple[int, str, str]] = []

    def add(self, n: int, phrases: list[str], effects: list[tuple[str, str]]) -> None:
        self._phrases.append(phrases)
        self._effects.extend((n, text, keys) for text, keys in effects)

    @property
    def phrases(self) -> Sequence[list[str]]:
        return self._phrases

    @property
    def effects(self) -> Sequence[tuple[int, str, str]]:
        return self._effects


def merge(preps: Iterable[EntryPrep], kept: Kept | None = None) -> tuple[Index, Sequence[tuple[int, str, str]]]:
    """The index of prepared entries, in their order (the same as preparing them together), and
    their effects as (entry, text, packed keys). Reads each prep once, keeping none (the store
    streams them in from its workers). `kept`: where their phrases and effects wait; by default
    in memory, and the phrases are weighed into the index; a caller that gives its own weighs
    them from there (`compiled.py`, as it writes the index out), and the index has none."""
    ids: list[str] = []
    titles: list[dict[str, str]] = []
    postings: dict[str, dict[int, float]] = {}
    surfaces: dict[str, str] = {}
    codes: dict[str, dict[int, float]] = {}
    caps_codes: set[str] = set()
    families: dict[str, set[int]] = {}
    first_lang: dict[str, str] = {}  # word -> the language it was first seen in
    mixed: set[str] = set()  # words seen in both
    code_starts: set[str] = set()
    rare = RareKeys()
    weigh = kept is None
    kept = kept if kept is not None else Kept()
    for n, prep in enumerate(preps):
        ids.append(prep.id)
        titles.append(prep.title)
        for key, weight in prep.weights.items():
            postings.setdefault(key, {})[n] = weight
        for w, key in prep.surfaces.items():
            surfaces.setdefault(w, key)
        for c, strength in prep.codes.items():
            codes.setdefault(c, {})[n] = strength
        for fam in prep.families:
            families.setdefault(fam, set()).add(n)
        caps_codes.update(prep.caps_codes)
        code_starts.update(prep.code_starts)
        for w, langs in prep.word_langs.items():
            if len(langs) > 1 or first_lang.setdefault(w, langs[0]) != langs[0]:
                mixed.add(w)
        rare.add(prep.cue_uses, prep.cue_own)
        kept.add(n, prep.phrases, prep.effects)

    total = max(len(ids), 1)
    idf = {key: math.log(1.0 + total / sum(map(min, repeat(1.0), per.values()))) for key, per in postings.items()}
    lang_of = {w: lang for w, lang in first_lang.items() if w not in mixed}
    phrase_keys = [weigh_phrases(mine, idf) for mine in kept.phrases] if weigh else []
    return Index(ids, titles, postings, idf, surfaces, codes, families, lang_of,
                 frozenset(caps_codes), phrase_keys, frozenset(code_starts), rare.keys()), kept.effects


def weigh_phrases(phrases: list[str], idf: Mapping[str, float]) -> list[WeighedPhrase]:
    """An entry's phrases as {key: idf-weight} with their totals (empty phrases left out)."""
    out: list[WeighedPhrase] = []
    for packed in phrases:
        weighted = {k: idf[k] * (WEAK_FACTOR if weak else 1.0) for k, weak in unpack(packed)}
        if weighted:
            out.append((weighted, sum(weighted.values())))
    return out
