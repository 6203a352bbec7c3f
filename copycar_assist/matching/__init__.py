"""Free text -> knowledge entries: normalisation, bilingual synonyms, codes, the rapidfuzz matcher.

    from copycar_assist.matching import Matcher
    m = Matcher(kb)                      # prepares the knowledge once
    r = m.match("me sale error 401")     # MatchResult(query, language, best, matches, ambiguous)
    r.to_json()                          # {"query", "language", "best", "matches": [...], "ambiguous"}

The names below are imported on first use, so that a light module of this package (companion.py,
which the store's workers run) does not bring in the matcher and rapidfuzz.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .matcher import Matcher, Tuning
    from .result import Match, MatchResult

__all__ = ["Match", "MatchResult", "Matcher", "Tuning"]


def __getattr__(name: str) -> Any:
    if name in ("Matcher", "Tuning"):
        from . import matcher

        return getattr(matcher, name)
    if name in ("Match", "MatchResult"):
        from . import result

        return getattr(result, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
