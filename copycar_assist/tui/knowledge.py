"""The app's knowledge base and matcher: given, or loaded once in a thread after the first frame.

The first frame never waits for the knowledge, whatever its size: `get_kb()` runs the loader
(the CLI context's `load_kb`: the compiled store) in a thread the first time it is awaited, and
`get_matcher()` prepares the matcher from it, in a thread too; `get_cues()` the causes' cues
(`matching.cues`), which every conversation shares. A load that fails — broken
knowledge (KnowledgeError, each problem with its file and line) or a crash — leaves `problem`
saying why (`problem_text(lang)`: in the UI's language, which may change after the load) and
raises KnowledgeUnavailable to every caller, then and later; it is not retried. While a large
knowledge base is compiled, `note_progress` hears how far it is and `loading_text(lang)` says so.

Never imports Textual; the domain is imported when first needed (start-up time).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from copycar_assist.kb import KnowledgeBase, KnowledgeError
    from copycar_assist.matching import Matcher
    from copycar_assist.matching.cues import CueFinder


T = TypeVar("T")


class KnowledgeUnavailable(Exception):
    """The knowledge base could not be loaded (`Knowledge.problem` says why)."""


class Knowledge:
    def __init__(self, kb: KnowledgeBase | None, load: Callable[[], KnowledgeBase] | None) -> None:
        if kb is None and load is None:
            raise ValueError("a knowledge base or a way to load one is needed")
        self.kb = kb  # None until loaded
        self.problem: str | None = None  # why it could not be loaded (English)
        self._broken: KnowledgeError | None = None  # the knowledge's own problems, when that was why
        self.matcher: Matcher | None = None  # None until prepared
        self.cues: CueFinder | None = None  # None until prepared
        self._load = load
        self.progress: tuple[int, int] | None = None  # (entry files read, of how many) while compiling
        self._kb_lock: asyncio.Lock | None = None
        self._locks: dict[str, asyncio.Lock] = {}  # what `_built` makes, one at a time each

    async def get_kb(self) -> KnowledgeBase:
        from copycar_assist.kb import KnowledgeError

        if self.kb is not None:
            return self.kb
        if self._kb_lock is None:
            self._kb_lock = asyncio.Lock()
        async with self._kb_lock:
            if self.kb is None:
                if self.problem is not None:
                    raise KnowledgeUnavailable(self.problem)
                assert self._load is not None
                try:
                    self.kb = await asyncio.to_thread(self._load)
                except Exception as exc:  # broken, or a load that crashed: never "loading" forever
                    self._broken = exc if isinstance(exc, KnowledgeError) else None
                    self.problem = str(exc) if isinstance(exc, KnowledgeError) else f"{type(exc).__name__}: {exc}"
                    raise KnowledgeUnavailable(self.problem) from exc
        return self.kb

    def note_progress(self, done: int, total: int) -> None:
        """Called from the loading thread as the compile goes (`Context.progress`)."""
        self.progress = (done, total)

    def loading_text(self, lang: str) -> str:
        """What the app says while the knowledge loads: how far a compile is, once one reports."""
        from copycar_assist.i18n import number, t

        text = t("ui.kb_loading", lang)
        if self.progress is not None:
            done, total = self.progress
            text += "\n" + t("ui.kb_loading_progress", lang, done=number(done, lang, ","),
                              total=number(total, lang, ","))
        return text

    def problem_text(self, lang: str) -> str | None:
        """Why the knowledge could not be loaded, in `lang` (a crash's own words stay as they are)."""
        return self._broken.text(lang) if self._broken is not None else self.problem

    async def get_matcher(self) -> Matcher:
        """The matcher over the knowledge (it imports rapidfuzz and reads the compiled index)."""
        if self.matcher is None:
            self.matcher = await self._built("matcher", _build_matcher)
        return self.matcher

    async def get_cues(self) -> CueFinder:
        """The causes' cues in the user's words (`matching.cues.CueFinder`, read from every entry)."""
        if self.cues is None:
            self.cues = await self._built("cues", _build_cues)
        return self.cues

    async def _built(self, name: str, build: Callable[[KnowledgeBase], T]) -> T:
        """`build(kb)` in a thread, once however many await it at the same time (the first one's
        result is kept in the attribute `name`)."""
        kb = await self.get_kb()
        lock = self._locks.get(name)
        if lock is None:
            lock = self._locks[name] = asyncio.Lock()
        async with lock:
            done: T | None = getattr(self, name)
            if done is None:
                done = await asyncio.to_thread(build, kb)
                setattr(self, name, done)
        return done


def _build_cues(kb: KnowledgeBase) -> CueFinder:
    from copycar_assist.matching.compiled import cues_for

    return cues_for(kb)


def _build_matcher(kb: KnowledgeBase) -> Matcher:
    from copycar_assist.matching.compiled import prepared_matcher

    return prepared_matcher(kb)
