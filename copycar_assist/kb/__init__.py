"""The knowledge base: entries, check catalogue, support data, decision tree. No UI here.

Names are loaded on first use (PEP 562), so importing one module of the package (`kb.store`,
`kb.model`) does not import the parsers: a command reading the compiled store never loads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from copycar_assist.lazy import lazy_exports

_EXPORTS = {
    "KnowledgeError": "errors", "Problem": "errors",
    "KnowledgeBase": "loader", "default_dir": "loader", "load_knowledge": "scan",
    "LANGS": "model", "Cause": "model", "CheckSpec": "model", "Entry": "model", "check_title": "model", "pick": "model",
    "DecisionTree": "tree",
}
__all__ = list(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


if TYPE_CHECKING:  # what the names above are, for the type checker ("X as X": exported)
    from .errors import KnowledgeError as KnowledgeError
    from .errors import Problem as Problem
    from .loader import KnowledgeBase as KnowledgeBase
    from .loader import default_dir as default_dir
    from .model import LANGS as LANGS
    from .model import Cause as Cause
    from .model import CheckSpec as CheckSpec
    from .model import Entry as Entry
    from .model import check_title as check_title
    from .model import pick as pick
    from .scan import load_knowledge as load_knowledge
    from .tree import DecisionTree as DecisionTree
