"""A Textual `Tree` whose → opens the node at the cursor (or steps down) and ← closes it (or goes
to its parent): the arrow keys the help screen promises for every tree of the app."""

from __future__ import annotations

from typing import TypeVar

from textual.binding import Binding
from textual.widgets import Tree

NodeData = TypeVar("NodeData")


class ArrowTree(Tree[NodeData]):
    BINDINGS = [
        Binding("right", "expand_node", show=False),
        Binding("left", "collapse_node", show=False),
    ]

    def action_expand_node(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand and not node.is_expanded:
            node.expand()
        else:
            self.action_cursor_down()

    def action_collapse_node(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node.allow_expand:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)
