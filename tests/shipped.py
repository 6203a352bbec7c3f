"""The shipped knowledge, loaded once per test process (for module-level tables and plain helper
functions; tests take it as the `kb` fixture of conftest.py)."""

from __future__ import annotations

from functools import cache

from copycar_assist.kb import KnowledgeBase, load_knowledge


@cache
def knowledge() -> KnowledgeBase:
    return load_knowledge()
