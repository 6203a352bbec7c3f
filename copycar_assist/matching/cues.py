"""Cause-level evidence in the user's own words: which of an entry's causes a text points to.

Each cause of the knowledge carries `evidence`: phrases people say when it is the cause ("solo
la newsletter", "after about 500 a day") and exact codes or messages (`452`, `5.4.5`,
`expired_api_key`). A phrase is found when most of its words (as the matcher's bilingual
concepts and stems, typos of one letter forgiven) appear close together in the text; a code
when it appears as written. Each hit keeps the user's words that made it, so the conversation
can say why it believes what it believes ("from your words «solo la newsletter»").

Pure and cheap: each entry's cues prepared the first time it is asked about, a few microseconds
per cause and text.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from copycar_assist.kb.model import Entry
from copycar_assist.textsafe import clean

from .cuekeys import RareKeys, cue_terms, entry_cue_facts, own_keys, phrase_keys
from .knowledge import Knowledge
from .lexicon import Lexicon, default_lexicon
from .text import Token, tokenize

MAX_TEXT = 20_000  # a long paste is read up to here
COVERAGE = 0.66  # share of a phrase's weight that must appear
WINDOW = 12  # the words of a phrase must appear within this many words of each other
COMMON = 0.2  # weight of the entry's own vocabulary ("correo" says nothing about which e-mail cause)
QUOTE_MAX = 80


@dataclass(frozen=True)
class CueHit:
    """A cause the text points to: how strongly (0-1), and the user's words that did it."""

    entry_id: str
    cause_id: str
    strength: float
    quote: str
    strong: bool = False  # an exact error name or message (not a bare number): evidence enough on its own
    words: int = 1  # how many telling words matched (a longer match says more)


@dataclass(frozen=True)
class _Phrase:
    cause: str
    keys: tuple[tuple[str, float], ...]  # (matching key, weight), distinct keys
    total: float
    need: int  # how many of its words must be there: 2, or 1 for a one-word phrase
    negative: bool = False  # the phrase says "no …" itself ("no llega nada"): a "no" near it is its own


@dataclass(frozen=True)
class _Code:
    cause: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class _EntryCues:
    phrases: list[_Phrase]
    codes: list[_Code]
    surfaces: dict[str, str]  # folded word -> key (typos)


_NONE = _EntryCues([], [], {})


class CueFinder:
    """`find(entry_id, text)` → the entry's causes the text points to, strongest first.

    An entry's cues are prepared the first time a text is read for it. What needs the whole
    knowledge (`cuekeys.RareKeys`) is given (`rare`: the compiled index's, `compiled.cues_for`)
    or tallied here from every entry (a small knowledge base, or one not compiled)."""

    def __init__(self, kb: Knowledge, lexicon: Lexicon | None = None, rare: Container[str] | None = None) -> None:
        self.lexicon = lexicon or default_lexicon()
        self._kb = kb
        if rare is None:
            tally = RareKeys()
            for entry in kb.entries.values():
                tally.add(*entry_cue_facts(entry, self.lexicon))
            rare = tally.keys()
        self._rare = rare
        self._prepared: dict[str, _EntryCues] = {}

    def _cues(self, entry_id: str) -> _EntryCues:
        found = self._prepared.get(entry_id)
        if found is None:
            entry = self._kb.entries.get(entry_id)
            found = self._prepared[entry_id] = self._prepare(entry) if entry is not None else _NONE
        return found

    def _prepare(self, entry: Entry) -> _EntryCues:
        codes: list[_Code] = []
        raw: list[tuple[str, dict[str, float]]] = []
        negative: list[bool] = []
        surfaces: dict[str, str] = {}
        for cause in entry.causes:
            for lang, items in cause.evidence.items():
                for text in items:
                    if lang == "codes":
                        codes.append(_Code(cause.id, _code_pattern(text)))
                    else:
                        raw.append((cause.id, phrase_keys(self.lexicon, text, surfaces)))
                        negative.append(_NEGATOR.search(text.lower()) is not None)
        common = self._common(entry, raw)
        phrases = []
        for (cause_id, keys), says_no in zip(raw, negative, strict=True):
            weighted = {k: (COMMON if k in common else w) for k, w in keys.items()}
            distinct = [k for k, w in weighted.items() if w == 1.0]
            # A phrase is two words or more, one of them telling ("solo la newsletter"); a
            # single word is a cue only when no other cause's evidence and no entry's own
            # vocabulary uses it ("slowlog", not "log").
            rare = len(weighted) == 1 and bool(distinct) and distinct[0] in self._rare
            if (len(weighted) >= 2 and distinct) or rare:
                phrases.append(_Phrase(cause_id, tuple(weighted.items()), sum(weighted.values()),
                                       min(2, len(weighted)), says_no))
        return _EntryCues(phrases, codes, surfaces)

    def _terms(self, tokens: list[Token]) -> list[tuple[str, int, int, bool]]:
        """(key, first token, last token, weak) for the text's terms, qualifiers included."""
        return cue_terms(self.lexicon, [t.word for t in tokens])

    def _common(self, entry: Entry, raw: list[tuple[str, dict[str, float]]]) -> set[str]:
        """The entry's own vocabulary, which says which entry but not which cause: the keys of its
        title and keywords (`own_keys`; unless only one cause's evidence uses them: "spf" names
        the domain's reputation), and keys found in the evidence of half its causes or more."""
        causes_with: dict[str, set[str]] = {}
        for cause_id, keys in raw:
            for key in keys:
                causes_with.setdefault(key, set()).add(cause_id)
        own = own_keys(self.lexicon, entry)
        need = max(2, (len(entry.causes) + 1) // 2)
        return ({k for k in own if len(causes_with.get(k, ())) != 1}
                | {k for k, causes in causes_with.items() if len(causes) >= need})

    def find(self, entry_id: str, text: str) -> list[CueHit]:
        """The causes of `entry_id` that `text` points to (one hit per cause, strongest first)."""
        cues = self._cues(entry_id)
        phrases, codes = cues.phrases, cues.codes
        if not text or not (phrases or codes):
            return []
        text = clean(text[:MAX_TEXT * 2], keep_newlines=True)[:MAX_TEXT]
        best: dict[str, CueHit] = {}

        def keep(hit: CueHit) -> None:
            old = best.get(hit.cause_id)
            if old is None or (hit.strong, hit.words, hit.strength) > (old.strong, old.words, old.strength):
                best[hit.cause_id] = hit

        for code in codes:
            m = next((m for m in code.pattern.finditer(text) if not negated(text, m.start(), m.end())), None)
            if m:  # a bare status number is said by several causes; a name or a message is not
                quote = m.group(0)[:QUOTE_MAX]
                keep(CueHit(entry_id, code.cause, 1.0, quote, strong=not quote.strip().isdigit()))
        if phrases:
            tokens = tokenize(text)
            where = self._positions(entry_id, tokens)
            for phrase in phrases:
                found = _best_window(phrase, where)
                if found is not None:
                    strength, first, last, words = found
                    if not phrase.negative and negated(text, tokens[first].start, tokens[last].end):
                        continue  # "no rotamos las claves", "lo de 403 no": not evidence for it
                    quote = text[tokens[first].start:tokens[last].end]
                    keep(CueHit(entry_id, phrase.cause, round(strength, 3), _short(quote), words=words))
        return sorted(best.values(), key=lambda h: (-h.strong, -h.strength, h.cause_id))

    def _positions(self, entry_id: str, tokens: list[Token]) -> dict[str, list[tuple[int, int]]]:
        """matching key -> (first, last) token spans where the text says it."""
        where: dict[str, list[tuple[int, int]]] = {}
        surfaces = self._cues(entry_id).surfaces
        for key, first, last, _ in self._terms(tokens):
            span = (first, last)
            where.setdefault(key, []).append(span)
            word = tokens[first].word
            if first == last and word.isalpha() and len(word) >= 5 and word not in surfaces:
                for surface, other in surfaces.items():
                    if other != key and abs(len(surface) - len(word)) <= 1 and OSA.distance(word, surface) <= 1:
                        where.setdefault(other, []).append(span)
                        break
        return where


def _best_window(phrase: _Phrase, where: dict[str, list[tuple[int, int]]]) -> tuple[float, int, int, int] | None:
    """The best-covered stretch of the text for a phrase: (coverage, first token, last token,
    telling words in it)."""
    present = [(key, weight, where[key]) for key, weight in phrase.keys if key in where]
    if (len(present) < phrase.need or not any(w == 1.0 for _, w, _ in present)
            or sum(w for _, w, _ in present) < COVERAGE * phrase.total):
        return None
    width = WINDOW
    best: tuple[float, int, int, int] | None = None
    for _, _, spans in present:
        for start, _ in spans:
            covered, first, last = 0.0, start, start
            for _, weight, other in present:
                near = [s for s in other if start - width <= s[0] <= start + width]
                if near:
                    s = min(near, key=lambda s: abs(s[0] - start))
                    covered += weight
                    first, last = min(first, s[0]), max(last, s[1])
            share = covered / phrase.total
            near_keys = [weight for key, weight, other in present
                         if any(start - width <= s[0] <= start + width for s in other)]
            if len(near_keys) >= phrase.need and 1.0 in near_keys and share >= COVERAGE and (best is None or share > best[0] or (share == best[0] and last - first < best[2] - best[1])):
                best = (share, first, last, near_keys.count(1.0))
    return best


# A negation before a cue in its clause ("no rotamos las claves", "we did not rotate the keys",
# "nunca hemos…", "it's not the 403"), or a "no" closing the clause right after it ("lo de 403 no,
# todo da 401"). A clause ends at punctuation before a space (not the dots of "5.4.5") or a "but".
_NEGATOR = re.compile(r"(?<![\w'’])(?:no|not|nunca|never|ni|nor|neither|tampoco|sin|without|jam[aá]s)(?![\w'’])"
                      r"|n['’]t\b")
_BUT = r"\b(?:pero|but|sino|aunque|although|though)\b"
_SENTENCE_END = re.compile(rf"[.;!?](?!\S)|[¿¡\n]|{_BUT}", re.I)
_CLAUSE_END = re.compile(rf"[,:](?!\S)|[()]|{_SENTENCE_END.pattern}", re.I)  # a sentence's end, or a comma
_NEGATION_REACH = 3  # words before the cue a negation reaches


def negated(text: str, start: int, end: int) -> bool:
    """Whether the words at text[start:end] are said not to be so, in their own clause. Words that
    run over two sentences are not one statement a negation could reach."""
    if _SENTENCE_END.search(text, start, end):
        return False
    before = text[max(0, start - 200):start]
    ends = list(_CLAUSE_END.finditer(before))
    if ends:
        before = before[ends[-1].end():]
    words = before.split()[-_NEGATION_REACH:]
    if words and _NEGATOR.search(" ".join(words).lower()):
        return True
    after = text[end:end + 40]
    stop = _CLAUSE_END.search(after)
    return (after[:stop.start()] if stop else after).strip().lower() in ("no", "not")


def _code_pattern(code: str) -> re.Pattern[str]:
    """A code or message as written, not inside a longer word, number, time or version."""
    return re.compile(r"(?<![\w.:,/-])" + re.escape(code.strip()) + r"(?![\w]|\.\d)", re.IGNORECASE)


def _short(quote: str) -> str:
    quote = " ".join(quote.split())
    return quote if len(quote) <= QUOTE_MAX else quote[: QUOTE_MAX - 1] + "…"
