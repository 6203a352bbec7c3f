"""The knowledge base: entries, check catalogue, support data, decision tree. No UI here."""

from .errors import KnowledgeError, Problem
from .loader import KnowledgeBase, default_dir
from .model import LANGS, Cause, CheckSpec, Entry, pick
from .scan import load_knowledge
from .tree import DecisionTree

__all__ = [
    "LANGS", "Cause", "CheckSpec", "DecisionTree", "Entry", "KnowledgeBase", "KnowledgeError", "Problem",
    "default_dir", "load_knowledge", "pick",
]
