"""The decision tree over the knowledge base, as data.

    category → entry → symptoms to confirm → check outcome or yes/no question → cause
             → solution steps → resolved? → next candidate cause, or escalate

The conversation engine walks it one question at a time; the TUI's browser shows it whole
(`outline()` / `walk()`: category → entry → cause → steps). No UI code here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .loader import KnowledgeBase
from .model import LANGS, Category, Cause, Entry, pick


@dataclass(frozen=True)
class Node:
    """One node of the browsable tree. `kind` is category | entry | cause | step."""

    kind: str
    id: str  # category id, entry id, cause id, or the step number ("1", "2" …)
    label: str
    children: tuple[Node, ...] = ()
    entry_id: str | None = None  # set on entry, cause and step nodes
    cause_id: str | None = None  # set on cause and step nodes


class DecisionTree:
    """Read-only queries over a loaded KnowledgeBase. Unknown entry ids raise KeyError."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb

    # -- browsing -------------------------------------------------------------------------

    def categories(self) -> list[Category]:
        """Categories that hold at least one entry, in categories.toml order; a category an
        entry names but the file lacks (e.g. an imported one) comes last, titled by its id."""
        used = {e.category for e in self.kb.entries.values()}
        out = [c for c in self.kb.categories if c.id in used]
        known = {c.id for c in out}
        out += [Category(cid, {lang: cid for lang in LANGS}) for cid in sorted(used - known)]
        return out

    def entries(self, category_id: str) -> list[Entry]:
        """The entries of a category, by id."""
        return sorted((e for e in self.kb.entries.values() if e.category == category_id), key=lambda e: e.id)

    def entry(self, entry_id: str) -> Entry:
        return self.kb.entries[entry_id]

    def symptoms(self, entry_id: str, lang: str) -> list[str]:
        """The symptoms to confirm, in `lang` (or the entry's other language)."""
        return self.entry(entry_id).symptoms(lang)

    # -- choosing a cause -----------------------------------------------------------------

    def cause_for(self, entry_id: str, check_id: str, outcome: str) -> tuple[Entry, Cause] | None:
        """The cause a check outcome points to through this entry's `[outcomes]` table
        (possibly a cause of another entry), or None ("ok", or an unmapped outcome)."""
        entry = self.entry(entry_id)
        target = entry.outcomes.get(f"{check_id}.{outcome}")
        return self.kb.resolve(entry, target) if target else None

    def reached_by(self, entry_id: str, cause_id: str) -> list[str]:
        """The "check.outcome" keys of this entry's table that lead to one of its causes."""
        entry = self.entry(entry_id)
        out = []
        for key, target in entry.outcomes.items():
            hit = self.kb.resolve(entry, target)
            if hit and hit[0] is entry and hit[1].id == cause_id:
                out.append(key)
        return out

    def question_causes(self, entry_id: str) -> list[Cause]:
        """Causes that no check outcome of this entry reaches, in order: ask their question."""
        return [c for c in self.entry(entry_id).causes if not self.reached_by(entry_id, c.id)]

    def candidate_causes(self, entry_id: str, exclude: Iterable[str] = ()) -> list[Cause]:
        """The entry's causes in order, minus those already ruled out: the next likely cause
        is the first one; an empty list means escalate."""
        gone = set(exclude)
        return [c for c in self.entry(entry_id).causes if c.id not in gone]

    def next_cause(self, entry_id: str, tried: Iterable[str] = ()) -> Cause | None:
        """After "not resolved": the next cause to try, or None (escalate)."""
        rest = self.candidate_causes(entry_id, tried)
        return rest[0] if rest else None

    def steps(self, entry_id: str, cause_id: str, lang: str) -> list[str]:
        """The ordered solution steps of a cause, in `lang` (or the entry's other language)."""
        cause = self.entry(entry_id).cause(cause_id)
        if cause is None:
            raise KeyError(f"{entry_id}#{cause_id}")
        if cause.steps.get(lang):
            return list(cause.steps[lang])
        return next((list(cause.steps[o]) for o in LANGS if cause.steps.get(o)), [])

    # -- the whole tree, for a browser ----------------------------------------------------

    def outline(self, lang: str) -> list[Node]:
        """category → entry → cause → step, labelled in `lang`."""
        return [
            Node("category", cat.id, pick(cat.title, lang, cat.id),
                 tuple(self._entry_node(e, lang) for e in self.entries(cat.id)))
            for cat in self.categories()
        ]

    def walk(self, lang: str) -> Iterator[tuple[int, Node]]:
        """Depth-first (depth, node) pairs of `outline(lang)`; depth 0 is a category."""
        stack = [(0, n) for n in reversed(self.outline(lang))]
        while stack:
            depth, node = stack.pop()
            yield depth, node
            stack.extend((depth + 1, c) for c in reversed(node.children))

    def _entry_node(self, entry: Entry, lang: str) -> Node:
        causes = tuple(
            Node("cause", c.id, pick(c.title, lang, c.id),
                 tuple(Node("step", str(n), text, (), entry.id, c.id)
                       for n, text in enumerate(self.steps(entry.id, c.id, lang), 1)),
                 entry.id, c.id)
            for c in entry.causes
        )
        return Node("entry", entry.id, pick(entry.title, lang, entry.id), causes, entry.id)
