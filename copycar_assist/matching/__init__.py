"""Free text -> knowledge entries: normalisation, bilingual synonyms, codes, the rapidfuzz matcher.

    from copycar_assist.matching import Matcher
    m = Matcher(kb)                      # prepares the knowledge once
    r = m.match("me sale error 401")     # MatchResult(query, language, best, matches, ambiguous)
    r.to_json()                          # {"query", "language", "best", "matches": [...], "ambiguous"}
"""

from .matcher import Matcher, Tuning
from .result import Match, MatchResult

__all__ = ["Match", "MatchResult", "Matcher", "Tuning"]
