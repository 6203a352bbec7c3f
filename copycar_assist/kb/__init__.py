"""The knowledge base: entries, check catalogue, support data, decision tree. No UI here.

Names are loaded on first use (PEP 562), so importing one module of the package (`kb.store`,
`kb.model`) does not import the parsers: a command reading the compiled store never loads them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "KnowledgeError": "errors", "Problem": "errors",
    "KnowledgeBase": "loader", "default_dir": "loader", "load_knowledge": "loader",
    "LANGS": "model", "Cause": "model", "CheckSpec": "model", "Entry": "model", "pick": "model",
    "DecisionTree": "tree",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:
    from .errors import KnowledgeError, Problem
    from .loader import KnowledgeBase, default_dir, load_knowledge
    from .model import LANGS, Cause, CheckSpec, Entry, pick
    from .tree import DecisionTree
