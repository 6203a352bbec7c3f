"""The knowledge tree: category → entry → cause → solution steps.

Enter on an entry, a cause or a step asks to start the conversation there (`StartHere`);
a mouse click only moves the cursor and opens or closes the node.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message

from copycar_assist.kb import KnowledgeBase, pick

from .arrow_tree import ArrowTree
from .safe import safe_text

SEVERITY_STYLE = {"CRITICAL": "bold red", "HIGH": "red", "MEDIUM": "yellow", "LOW": "green"}


@dataclass(frozen=True)
class NodeRef:
    kind: str  # category | entry | cause | step
    category: str
    entry: str | None = None
    cause: str | None = None
    step: int | None = None  # 1-based


class KbTree(ArrowTree[NodeRef]):
    BINDINGS = [
        Binding("enter", "start_here", "Start here", show=False),
    ]

    class StartHere(Message):
        def __init__(self, ref: NodeRef) -> None:
            self.ref = ref
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("knowledge", id=id)
        self.show_root = False
        self.auto_expand = True

    def populate(self, kb: KnowledgeBase, lang: str, only: set[str] | None = None,
                 order: list[str] | None = None) -> int:
        """(Re)build the tree. `only`: entry ids to keep (a search); returns the entries shown."""
        self.clear()
        shown = 0
        ids = order or list(kb.entries)
        by_category: dict[str, list[str]] = {}
        for entry_id in ids:
            if only is not None and entry_id not in only:
                continue
            by_category.setdefault(kb.entries[entry_id].category, []).append(entry_id)
        categories = [c.id for c in kb.categories] + [c for c in by_category if kb.category(c) is None]
        for cat_id in categories:
            entry_ids = by_category.get(cat_id)
            if not entry_ids:
                continue
            cat = kb.category(cat_id)
            cat_label = safe_text(pick(cat.title, lang, cat_id) if cat else cat_id, style="bold")
            cat_node = self.root.add(cat_label, NodeRef("category", cat_id), expand=True)
            for entry_id in entry_ids:
                entry = kb.entries[entry_id]
                label = Text.assemble(
                    Text("● ", style=SEVERITY_STYLE.get(entry.severity, "")),
                    safe_text(pick(entry.title, lang, entry.id)),
                )
                entry_node = cat_node.add(label, NodeRef("entry", cat_id, entry.id),
                                          expand=only is not None)
                for cause in entry.causes:
                    cause_node = entry_node.add(safe_text(pick(cause.title, lang, cause.id)),
                                                NodeRef("cause", cat_id, entry.id, cause.id))
                    steps = cause.steps.get(lang) or next(iter(cause.steps.values()), [])
                    for i, step in enumerate(steps, 1):
                        cause_node.add_leaf(safe_text(f"{i}. {step}", limit=120),
                                            NodeRef("step", cat_id, entry.id, cause.id, i))
                shown += 1
        return shown

    def action_start_here(self) -> None:
        node = self.cursor_node
        if node is None or node.data is None:
            return
        if node.data.kind == "category":
            node.toggle()
        else:
            self.post_message(self.StartHere(node.data))
