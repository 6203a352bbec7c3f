"""The symptom matcher: free text (Spanish or English, typos, pasted errors) -> knowledge entries.

How an entry is scored:

* The query becomes terms (`lexicon.terms`): bilingual concepts and stemmed words. A term the
  knowledge does not know is tried as a typo (rapidfuzz OSA distance against the knowledge's
  words) and as two glued words ("ratelimit").
* Each term found in an entry adds `idf x field weight` to the entry's evidence: a word every
  entry uses ("api") says little; a title or alias counts more than an explanation.
* Codes and exception names (401, 5xx, 535, SMTPAuthenticationError, invalid_api_key) that the
  knowledge lists are strong evidence.
* Coverage: how much of what the query says the entry explains. Words the knowledge never uses
  ("impresora", "wallpaper") pull the score down, which is what makes the matcher abstain on
  out-of-scope text instead of forcing it onto the entry that shares one word.

score = 100 x (1 - exp(-evidence / K)) x coverage ** GAMMA. `best` is None below CONFIDENT;
`ambiguous` is set when the runner-up is within AMBIGUOUS_GAP points.
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from operator import itemgetter
from typing import Any

from copycar_assist.kb.model import Entry, pick

from .answers import Answerer, LazyAnswerer
from .calibration import Calibration, Candidate, default_calibration, features
from .codes import find_codes, norm_code
from .datafiles import load
from .effects import Effects, weigh_effects
from .index import EntryPrep, Index, merge, prepare_entry
from .kind import asks, is_greeting, is_request, states_failure
from .knowledge import EntrySource, Knowledge
from .language import detect_language
from .lexicon import Lexicon, default_lexicon
from .postings import LARGE
from .reading import Reader, Reading
from .result import Match, MatchResult
from .text import Token, prepare, tokenize


@dataclass(frozen=True)
class Tuning:
    k: float = 2.5  # evidence at which the score reaches 63 % of its coverage ceiling
    gamma: float = 1.0  # how hard unexplained words pull the score down
    unknown_weight: float = 2.0  # weight of a word the knowledge never uses
    unknown_cap: float = 3.0  # a long paste's unknown words count at most this much together
    weak_factor: float = 0.3  # generic words ("error", "no funciona")
    number_weight: float = 0.2  # a bare number that is not a known code
    code_weight: float = 3.0  # a known code or exception name
    code_floor: float = 0.75  # an entry owning a code of the query is at least this well covered
    family_weight: float = 1.5  # a code known only by its family (503 -> 5xx)
    typo_quality: float = 0.8
    split_quality: float = 0.9
    min_score: float = 5.0  # matches below this are not listed
    phrase_blend: float = 0.2  # share of the score given by the closest whole phrase
    phrase_candidates: int = 8  # how many leading entries get the phrase-level comparison
    effect_weight: float = 0.35  # an effect found in the text: evidence per unit of its weight
    effect_floor: float = 0.3  # an entry whose effect is found is at least this well covered


def prepare_all(preps: Iterable[EntryPrep], lexicon: Lexicon) -> tuple[Index, Effects]:
    """The index and the effects of prepared entries (`index.prepare_entry`), in their order."""
    index, raw_effects = merge(preps)
    add_lexicon_surfaces(index, lexicon)
    return index, Effects(weigh_effects(raw_effects, index), lexicon, bulk=index.size >= LARGE)


def add_lexicon_surfaces(index: Index, lexicon: Lexicon) -> None:
    """Concept words the knowledge uses through their concept become known words (for typos)."""
    for form, key in lexicon.exact.items():
        if key in index.postings and len(form) >= 4 and form.isalpha():
            index.surfaces.setdefault(form, key)


class Matcher:
    """Prepared once per knowledge base; `match()` is cheap enough for every keystroke."""

    def __init__(self, kb: EntrySource, *, lexicon: Lexicon | None = None, tuning: Tuning | None = None,
                 answerer: bool = True, calibration: Calibration | None = None) -> None:
        self.lexicon = lexicon or default_lexicon()
        self.tuning = tuning or Tuning()
        self.calibration = calibration or default_calibration()
        entries: Iterable[Entry]
        by_id: Mapping[str, Entry] | None
        if isinstance(kb, Knowledge):
            entries, support, answers, by_id = kb.entries.values(), kb.support, kb.answers, kb.entries
        else:  # the entries alone
            entries, support, answers, by_id = kb, None, None, None
        self.index, self.effects = prepare_all([prepare_entry(e, self.lexicon) for e in entries], self.lexicon)
        self.bulk = self.index.size >= LARGE  # scored with numpy (`bulk.py`)
        # Typos rarely hit the first letter: candidates share it (and the search is smaller).
        self._by_initial: dict[str, list[str]] = {}
        for surface in self.index.surfaces:
            self._by_initial.setdefault(surface[0], []).append(surface)
        self._fuzzy_cache: dict[str, tuple[tuple[str, float], ...]] = {}
        self.reader = Reader(_reading_data(), asdict(support.thresholds) if support is not None else {},
                             self.lexicon.stop)
        self.answerer: Answerer | LazyAnswerer | None = (Answerer(answers, support, Matcher, by_id)
                                                         if answerer and answers and support else None)

    def with_tuning(self, **changes: Any) -> Matcher:
        """A matcher sharing this one's prepared index, with other tuning (benchmarks): `changes`
        are `Tuning` fields by name (floats, `phrase_candidates` an int)."""
        other = object.__new__(Matcher)
        other.__dict__.update(self.__dict__)
        other.tuning = replace(self.tuning, **changes)
        return other

    # -- public API -----------------------------------------------------------------------

    def detect_language(self, text: str) -> str:
        text = prepare(text)
        return detect_language(text, [t.word for t in tokenize(text)], self.lexicon, self.index.lang_of)

    def read(self, text: str) -> Reading:
        """How the matcher reads `text` (the failure-bearing parts and their weights)."""
        return self.reader.read(text)

    def match(self, text: str, limit: int = 5, *, lang: str | None = None) -> MatchResult:
        echo = prepare(text)
        t = self.tuning
        limit = max(0, min(int(limit), self.index.size))
        reading = self.reader.read(text)
        tokens = tokenize(reading.text)
        words = [tok.word for tok in tokens]
        language = detect_language(reading.text, words, self.lexicon, self.index.lang_of)
        out_lang = lang if lang in ("es", "en") else language
        ranked = self._score(reading.text, tokens, words, max(limit, 2), reading.weight_at)
        matches = [
            Match(self.index.ids[c.n], pick(self.index.titles[c.n], out_lang, self.index.ids[c.n]), round(c.score, 1),
                  self._quoted(reading, c.why))
            for c in ranked[:limit] if c.score >= t.min_score
        ]
        confidence = self.confidence(ranked, reading, len(tokens))
        cal = self.calibration
        # A near tie asks which one it is; it never picks.
        ambiguous = (len(ranked) > 1 and ranked[1].score >= cal.ambiguous_floor
                     and ranked[1].score >= cal.ambiguous_ratio * ranked[0].score)
        best = self.index.ids[ranked[0].n] if ranked and not ambiguous and confidence >= cal.threshold(len(text)) else None
        kind, answer = self._kind(text, reading, out_lang, self.index.ids[ranked[0].n] if ranked else None)
        if kind != "problem":
            best, ambiguous = None, False
        return MatchResult(echo, language, best, matches, ambiguous, kind, answer,
                           round(confidence, 3) if matches else None)

    def confidence(self, ranked: list[Candidate], reading: Reading, tokens: int) -> float:
        """How likely the first listed entry is the right one (`calibration.py`)."""
        if not ranked:
            return 0.0
        prose = sum(reading.roles.values())
        share = reading.roles.get("failure", 0) / prose if prose else 1.0
        return self.calibration.probability(features(ranked, tokens, reading.pasted_lines > 0, share))

    def _kind(self, text: str, reading: Reading, lang: str, first: str | None = None) -> tuple[str, dict[str, str] | None]:
        """("question", its answer) for a question about the guide; ("request" | "greeting" |
        "problem", None) otherwise (`kind.py`)."""
        if not reading.clauses:
            return "problem", None
        failure = states_failure(reading)
        if not failure and is_request(reading):
            return "request", None
        if self.answerer is not None and not failure and asks(reading):
            found = self.answerer.answer(text, lang, first)
            if found is not None:
                return "question", {"text": found.text, "source": found.source}
        if not failure and is_greeting(reading):
            return "greeting", None
        return "problem", None

    @staticmethod
    def _quoted(reading: Reading, why: list[str]) -> list[str]:
        """A reading's words in `why` become the pasted text they were read from."""
        if not reading.signals:
            return why
        out = []
        for phrase in why:
            quote = next((sig.quote for _, _, sig in reading.signals if phrase in sig.words), None)
            out.append(quote or phrase)
        return list(dict.fromkeys(out))

    # -- scoring --------------------------------------------------------------------------

    def _resolve(self, word: str, key: str) -> tuple[tuple[str, float], ...]:
        """Keys the index knows for one query term, with a quality (1 exact, less for typos)."""
        if key in self.index.postings:
            return ((key, 1.0),)
        if not word.isalpha() or len(word) < 4 or key.startswith("@"):
            return ()
        hit = self._fuzzy_cache.get(word)
        if hit is not None:
            return hit
        t = self.tuning
        found: tuple[tuple[str, float], ...] = ()
        from rapidfuzz import process  # here: a text of known words never needs it
        from rapidfuzz.distance import OSA

        best = process.extractOne(word, self._by_initial.get(word[0], ()), scorer=OSA.distance,
                                  score_cutoff=1 if len(word) < 9 else 2)
        if best is not None:
            found = ((self.index.surfaces[best[0]], t.typo_quality),)
        elif len(word) >= 7:
            key_of, postings = self.lexicon.key_of, self.index.postings
            for i in range(3, len(word) - 2):
                a, b = key_of(word[:i]), key_of(word[i:])
                if a in postings and b in postings:
                    found = ((a, t.split_quality), (b, t.split_quality))
                    break
        if len(self._fuzzy_cache) > 4096:
            self._fuzzy_cache.clear()
        self._fuzzy_cache[word] = found
        return found

    def _evidence(self, query: str, tokens: list[Token], words: list[str],
                  weight_at: Callable[[int], float]) -> _Evidence:
        """What the query says: hits (postings, evidence factor, coverage weight, start, end),
        the query's keys with their weights, coverage floors from codes, and the total weight of
        the query (known and unknown words, codes), and which entries a code or an effect of
        theirs points at ({"code": set, "effect": set}). Each word counts with the weight of the
        stretch of text it sits in (`reading.py`); a word said several times counts once, where
        it weighs most."""
        t, idx = self.tuning, self.index
        hits: list[_Hit] = []
        qkeys: dict[str, float] = {}
        floors: dict[int, float] = {}  # entries owning a code of the query: coverage floor
        total = 0.0
        kinds: dict[str, set[int]] = {"code": set(), "effect": set()}

        # Strong evidence: codes and exception names, and words the knowledge lists as codes.
        code_spans: set[int] = set()
        found: dict[str, tuple[float, int, int, str | None]] = {}  # code -> (weight, start, end, family)
        candidates = [(c.code, c.start, c.end, c.family) for c in find_codes(query)]
        stop = self.lexicon.stop
        starts = idx.code_starts
        for i, tok in enumerate(tokens):
            if words[i] not in starts:
                continue
            for size in range(1, _CODE_TOKENS + 1):
                if i + size <= len(tokens) and not all(w in stop for w in words[i:i + size]):
                    c = norm_code("".join(words[i:i + size]))
                    if c in idx.codes and not c.isdigit():
                        end = tokens[i + size - 1].end
                        if c in idx.caps_codes and not query[tok.start:end].isupper():
                            continue  # "keys" is a word; "KEYS" is the Redis command
                        candidates.append((c, tok.start, end, None))
        for code, start, end, family in candidates:
            if code in stop:
                continue
            if code.isdigit() or family:
                code_spans.add(start)
            w = weight_at(start)
            if code not in found or w > found[code][0]:
                found[code] = (w, start, end, family)
        for code, (w, start, end, family) in found.items():
            owners: dict[int, float] | set[int] | None = idx.codes.get(code)
            weight = t.code_weight
            if not owners and family:
                owners, weight = idx.families.get(family), t.family_weight
            if owners and w > 0:
                share = weight * w / len(owners)
                total += share
                # A code several entries list counts more for the ones that also name it in
                # their titles, aliases or symptoms.
                # An entry that only names the code in its text (not in its codes) counts half.
                central = idx.postings.get(code, {})
                strength = owners if isinstance(owners, dict) else dict.fromkeys(owners, 1.0)
                hits.append(({n: central.get(n, 0.5) * s if central else s for n, s in strength.items()},
                             share, share, start, end))
                floor = t.code_floor * min(1.0, w) * (
                    t.family_weight / t.code_weight if family and code not in idx.codes else 1.0)
                for n, s in strength.items():
                    floors[n] = max(floors.get(n, 0.0), floor * s)
                    if s >= 1.0:
                        kinds["code"].add(n)
        skip = code_spans | _timestamp_starts(query)

        # Terms: concepts and words, each at the place where it weighs most.
        known: dict[str, tuple[float, float, int, int]] = {}  # key -> (value, quality, start, end)
        unknown: dict[str, float] = {}
        terms = self.lexicon.terms(words)
        if self.effects:
            for hit in self.effects.find([(term.key, term.first, term.last) for term in terms]):
                start, end = tokens[hit.first].start, tokens[hit.last].end
                w = min(weight_at(tok.start) for tok in tokens[hit.first:hit.last + 1])
                v = t.effect_weight * hit.strength * hit.weight * w
                if v > 0:
                    total += v
                    hits.append(({hit.entry: 1.0}, v, v, start, end))
                    # An effect that is most of what the text says explains the text: cover it so.
                    inside = sum(1 for term in terms if hit.first <= term.first <= hit.last) / len(terms)
                    floor = t.effect_floor if inside < 0.8 else max(t.effect_floor, inside)
                    floors[hit.entry] = max(floors.get(hit.entry, 0.0), floor * hit.strength * min(1.0, w))
                    kinds["effect"].add(hit.entry)
        for term in terms:
            first, last = tokens[term.first], tokens[term.last]
            if first.start in skip or term.key in found:
                continue
            w = weight_at(first.start)
            if w <= 0:
                continue
            word = words[term.first]
            number = _NUMBER.fullmatch(word) is not None
            factor = t.weak_factor if term.weak or number else 1.0
            resolved = self._resolve(word, term.key) if not term.weak or term.key in idx.postings else ()
            if not resolved:
                v = (t.number_weight if number else t.unknown_weight * factor) * w
                if v > unknown.get(term.key, 0.0):
                    unknown[term.key] = v
                continue
            for key, quality in resolved:
                v = idx.idf[key] * factor * w
                if key not in known or v * quality > known[key][0] * known[key][1]:
                    known[key] = (v, quality, first.start, last.end)
        for key, (v, quality, start, end) in known.items():
            total += v
            qkeys[key] = v * quality
            hits.append((idx.postings[key], v * quality, v * quality, start, end))
        return hits, qkeys, floors, total + min(sum(unknown.values()), t.unknown_cap), kinds

    def _score(self, query: str, tokens: list[Token], words: list[str], limit: int,
               weight_at: Callable[[int], float]) -> list[Candidate]:
        """The `limit` best entries, best first."""
        t = self.tuning
        hits, qkeys, floors, total, kinds = self._evidence(query, tokens, words, weight_at)
        if total <= 0 or not hits or limit <= 0:
            return []
        k, gamma = t.k, t.gamma
        m = max(t.phrase_candidates, limit)
        if self.bulk:  # the same sums and prefilter in numpy; only entries that can lead come back
            from .bulk import leading

            evidence, covered = leading(hits, floors, total, self.index.size, m, k, gamma, PREFILTER_AT,
                                        PREFILTER_SHARE)
        else:
            evidence, covered = summed_evidence(hits, floors)
        coverage = {n: max(min(1.0, covered[n] / total), floors.get(n, 0.0)) for n in evidence}
        scores = {n: 100.0 * (1.0 - math.exp(-e / k)) * coverage[n] ** gamma for n, e in evidence.items()}
        lead = heapq.nlargest(m, scores.items(), key=itemgetter(1))
        if t.phrase_blend > 0 and qkeys:
            # Phrase level: how close the query is to one whole phrase of the entry (weighted
            # Jaccard over keys), for the leading candidates only.
            qsum = sum(qkeys.values())
            blended = []
            for n, s in lead:
                best = 0.0
                for pkeys, psum in self.index.phrase_keys[n]:
                    inter = sum(min(w, qkeys[k]) for k, w in pkeys.items() if k in qkeys)
                    if inter:
                        best = max(best, inter / (psum + qsum - inter))
                blended.append((n, (1 - t.phrase_blend) * s + t.phrase_blend * 100.0 * best * coverage[n] ** gamma))
            lead = blended
        ids = self.index.ids
        top = sorted(lead, key=lambda kv: (-kv[1], ids[kv[0]]))[:limit]
        out = []
        for n, score in top:
            parts = [(factor * postings[n], start, end) for postings, factor, _, start, end in hits if n in postings]
            out.append(Candidate(n, score, _why(query, parts), coverage[n], 1.0 - math.exp(-evidence[n] / k),
                                 len(parts), n in kinds["code"], n in kinds["effect"]))
        return out


PREFILTER_AT, PREFILTER_SHARE = 256, 0.2
# One piece of evidence: (entry index -> strength, evidence factor, coverage weight, start, end).
_Hit = tuple[Mapping[int, float], float, float, int, int]


def summed_evidence(hits: list[_Hit], floors: Mapping[int, float]) -> tuple[dict[int, float], dict[int, float]]:
    """Each entry's evidence and coverage summed over the hits, in the order entries are first
    seen (`bulk.leading` is the same in numpy). Large knowledge: entries far behind on evidence
    cannot lead, and are left out (not those a code or an effect gives a floor)."""
    evidence: dict[int, float] = {}
    covered: dict[int, float] = {}
    for postings, factor, cover, _, _ in hits:
        for n, fw in postings.items():
            evidence[n] = evidence.get(n, 0.0) + factor * fw
            covered[n] = covered.get(n, 0.0) + cover * (fw if fw < 1.0 else 1.0)
    if len(evidence) > PREFILTER_AT:
        floor = PREFILTER_SHARE * max(evidence.values())
        evidence = {n: e for n, e in evidence.items() if e >= floor or n in floors}
    return evidence, covered
# What a query says (`Matcher._evidence`): its hits, its keys with their weights, coverage floors
# per entry, its total weight, and the entries a code or an effect points at.
_Evidence = tuple[list[_Hit], dict[str, float], dict[int, float], float, dict[str, set[int]]]


@lru_cache(maxsize=1)
def _reading_data() -> dict[str, Any]:
    return load("reading.toml")
# A code written as words can span this many of them ("X-RateLimit-Remaining": x rate limit remaining).
_CODE_TOKENS = 6
_NUMBER = re.compile(r"\d+(?:ms|s|m|h|k|x|kb|mb)?")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d|\d\d?:\d\d(?::\d\d)?(?:[.,]\d+)?")


def _timestamp_starts(query: str) -> set[int]:
    """Start offsets of the digit runs inside dates and times (log prefixes say nothing)."""
    out: set[int] = set()
    for m in _TIMESTAMP.finditer(query):
        out.update(d.start() + m.start() for d in re.finditer(r"\d+", m.group()))
    return out


def _why(query: str, parts: list[tuple[float, int, int]]) -> list[str]:
    """The query's own words that made the match (`parts`: evidence, start, end): adjacent ones
    merged, strongest first."""
    parts = sorted(parts, key=lambda p: p[1])
    merged: list[tuple[float, int, int]] = []
    for amount, start, end in parts:
        if merged and start <= merged[-1][2] + 1 and query[merged[-1][2]:start] in ("", " "):
            total, first, last = merged[-1]
            merged[-1] = (total + amount, first, max(last, end))
        elif merged and start < merged[-1][2]:
            total, first, last = merged[-1]
            merged[-1] = (total + amount, first, last)
        else:
            merged.append((amount, start, end))
    merged.sort(key=lambda m: -m[0])
    out: list[str] = []
    for _, start, end in merged:
        phrase = " ".join(query[start:end].split())
        if phrase and phrase.lower() not in (p.lower() for p in out):
            out.append(phrase)
        if len(out) == 5:
            break
    return out
