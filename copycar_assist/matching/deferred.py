"""A knowledge base's matcher made on the first text it is asked about, so that a front end can
greet before the matcher is ready (`chat --plain`: the greeting needs no matcher).

    matcher = DeferredMatcher(kb)   # imports and reads nothing yet
    matcher.match("me sale 401")    # matching.compiled.matcher_for(kb) now, once; then its answer

Light on purpose: the matcher's modules are imported on the first text. Never imports Textual.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .knowledge import Knowledge
    from .matcher import Matcher
    from .result import MatchResult


class DeferredMatcher:
    """What the conversation asks of a matcher (`match`, `detect_language`), made on first use."""

    def __init__(self, kb: Knowledge) -> None:
        self._kb = kb

    @cached_property
    def matcher(self) -> Matcher:
        from .compiled import matcher_for

        return matcher_for(self._kb)

    def match(self, text: str, limit: int = 5, *, lang: str | None = None) -> MatchResult:
        return self.matcher.match(text, limit, lang=lang)

    def detect_language(self, text: str) -> str:
        return self.matcher.detect_language(text)
