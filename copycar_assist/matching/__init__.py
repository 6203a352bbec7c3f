"""Free text -> knowledge entries: normalisation, bilingual synonyms, codes, the rapidfuzz matcher.

    from copycar_assist.matching import Matcher
    m = Matcher(kb)                      # prepares the knowledge once
    r = m.match("me sale error 401")     # MatchResult(query, language, best, matches, ambiguous)
    r.to_json()                          # {"query", "language", "best", "matches": [...], "ambiguous"}

The names below are imported on first use, so that a light module of this package (companion.py,
which the store's workers run) does not bring in the matcher and rapidfuzz.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from copycar_assist.lazy import lazy_exports

if TYPE_CHECKING:
    from .matcher import Matcher, Tuning
    from .result import Match, MatchResult

__all__ = ["Match", "MatchResult", "Matcher", "Tuning"]


_EXPORTS = {"Matcher": "matcher", "Tuning": "matcher", "Match": "result", "MatchResult": "result"}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
