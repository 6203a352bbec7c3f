"""What the matching package reads of a knowledge base: its entries by id, its support data and
its answers about the guide (`kb.KnowledgeBase` has them, its entries loaded or lazy).

    Matcher(kb)                      # a knowledge base ...
    Matcher([entry, entry])          # ... or the entries alone (no support data, no answers)

Types only: never loads anything, never imports Textual.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from copycar_assist.kb.answers import Answers
    from copycar_assist.kb.model import Entry
    from copycar_assist.kb.support import SupportData


@runtime_checkable
class Knowledge(Protocol):
    """A knowledge base as the matcher reads it (read-only)."""

    @property
    def entries(self) -> Mapping[str, Entry]: ...

    @property
    def support(self) -> SupportData | None: ...

    @property
    def answers(self) -> Answers | None: ...


# What a matcher is prepared from: a knowledge base, or its entries alone.
EntrySource = Knowledge | Iterable["Entry"]
