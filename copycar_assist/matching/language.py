"""Spanish or English? Stop words, Spanish spelling (accents, ñ, ¿ ¡) and words the knowledge
base uses in only one language vote; a tie is English."""

from __future__ import annotations

from .lexicon import Lexicon

_SPANISH_CHARS = frozenset("áéíóúñü¿¡ÁÉÍÓÚÑÜ")


def detect_language(text: str, words: list[str], lexicon: Lexicon, lang_of: dict[str, str] | None = None) -> str:
    votes = lexicon.language_votes(words)
    es, en = float(votes[0]), float(votes[1])
    es += min(2, sum(1 for ch in text if ch in _SPANISH_CHARS))
    if lang_of:
        for w in words:
            side = lang_of.get(w)
            if side == "es":
                es += 0.5
            elif side == "en":
                en += 0.5
    return "es" if es > en else "en"
