"""The knowledge base: entries, check catalogue, support data, decision tree. No UI here.

Names are loaded on first use (PEP 562), so importing one module of the package (`kb.store`,
`kb.model`) does not import the parsers: a command reading the compiled store never loads them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "KnowledgeError": "errors", "Problem": "errors",
    "KnowledgeBase": "loader", "default_dir": "loader", "load_knowledge": "scan",
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


if TYPE_CHECKING:  # what the names above are, for the type checker ("X as X": exported)
    from .errors import KnowledgeError as KnowledgeError
    from .errors import Problem as Problem
    from .loader import KnowledgeBase as KnowledgeBase
    from .loader import default_dir as default_dir
    from .model import LANGS as LANGS
    from .model import Cause as Cause
    from .model import CheckSpec as CheckSpec
    from .model import Entry as Entry
    from .model import pick as pick
    from .scan import load_knowledge as load_knowledge
    from .tree import DecisionTree as DecisionTree
