"""The app's matcher as the conversation engine asks for it (`conversation.engine.TextMatcher`):
the engine is made before the matcher is built (after the first frame), so it is looked up on
each call. Holds no state of its own; never imports Textual."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from copycar_assist.matching import Matcher, MatchResult

    from .app import CopyCarApp


class MatcherProxy:
    """Hands the engine (`conversation.engine.TextMatcher`) the app's matcher, which is built after
    the first frame."""

    def __init__(self, app: CopyCarApp) -> None:
        self._app = app

    def _matcher(self) -> Matcher:
        matcher = self._app.matcher
        if matcher is None:
            raise RuntimeError("the matcher is not ready yet")
        return matcher

    def detect_language(self, text: str) -> str:
        return self._matcher().detect_language(text)

    def match(self, text: str, limit: int = 5, *, lang: str | None = None) -> MatchResult:
        return self._matcher().match(text, limit, lang=lang)
