"""The doctor's tree: one row per area with its worst status and a one-line summary, expanding to
the area's checks; the checks that could not run grouped under one "to set up" row (one hint)
and one "no material" row; a consequence says which area it follows from.

The model is the domain's (`checks.areas.overview`, `checks.roots`): this widget only lays it out.
After a whole run the areas with a problem come first (the most serious, roots before what follows
from them); while checks run, areas keep the run's order. Labels are Rich `Text` built from
cleaned text and cut to the widget's width, so nothing scrolls sideways.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets.tree import TreeNode

from copycar_assist.checks.areas import Area, Overview, group, overview
from copycar_assist.checks.roots import rank_key
from copycar_assist.i18n import t
from copycar_assist.kb import pick
from copycar_assist.textsafe import one_line

from ..app_access import AppAccess
from ..bindings import BY_ID
from .arrow_tree import ArrowTree
from .check_row import Row
from .check_view import GLYPH

if TYPE_CHECKING:
    from copycar_assist.checks.base import CheckResult

RICH_STYLE = {"pass": "bold green", "warn": "bold yellow", "fail": "bold red", "error": "bold magenta",
              "skipped": "dim", "pending": "dim", "running": "bold cyan"}
AREA_TITLE_W, CHECK_TITLE_W, TIME_W = 22, 30, 7


@dataclass(frozen=True)
class NodeRef:
    kind: str  # area | check | setup | material
    id: str  # the area's or the check's id ("" for a group)




@dataclass
class _Layout:
    """Top rows and their children, in order."""

    top: list[tuple[NodeRef, list[NodeRef]]] = field(default_factory=list)


class AreaTree(AppAccess, ArrowTree[NodeRef]):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("doctor", id=id)
        self.show_root = False
        self.auto_expand = True
        self.rows: dict[str, Row] = {}
        self.results: dict[str, CheckResult] = {}
        self._titles: dict[str, dict[str, str]] = {}
        self._needs: dict[str, tuple[str, ...]] = {}
        self._shape: list[tuple[NodeRef, list[NodeRef]]] = []
        self._view = Overview()
        self._areas: dict[str, Area] = {}
        self._order: dict[str, int] = {}
        self.by_severity = False  # after a whole run: problems first

    # --- state ------------------------------------------------------------------------------

    @property
    def statuses(self) -> dict[str, str]:
        return {cid: row.status for cid, row in self.rows.items()}

    def setup(self, check_ids: list[str]) -> None:
        kb = self.copycar_app.kb
        self._titles = {cid: dict(kb.checks[cid].title) for cid in check_ids if cid in kb.checks}
        self._needs = {cid: spec.material for cid, spec in kb.checks.items()}
        self._order = {cid: n for n, cid in enumerate(check_ids)}
        self.rows = {cid: Row(pick(self._titles.get(cid), "en", cid)) for cid in check_ids}
        self.relabel()

    def relabel(self) -> None:
        """Titles in the app's language, then the whole tree drawn again."""
        for cid, row in self.rows.items():
            row.title = pick(self._titles.get(cid), self.copycar_app.lang, cid)
        self.refresh_tree()

    def start_run(self, check_ids: list[str]) -> None:
        """A whole run begins: its results replace the last ones, in the run's order meanwhile."""
        self.by_severity = False
        for cid in check_ids:
            self.results.pop(cid, None)
            self._set(cid, "running")
        self.refresh_tree()

    def set_running(self, check_id: str) -> None:
        self._set(check_id, "running")
        self.refresh_tree()

    def set_step(self, check_id: str, message: str) -> None:
        row = self.rows.get(check_id)
        if row is not None:
            row.note = message
            self._relabel_only()

    def set_result(self, result: CheckResult) -> None:
        row = self.rows.get(result.id)
        if row is None:
            return
        self.results[result.id] = result
        row.status, row.ms, row.note = result.status, result.duration_ms, ""
        self.refresh_tree()

    def run_done(self) -> None:
        """A whole run ended: the areas with a problem first, the cursor on the first row."""
        self.by_severity = True
        self.refresh_tree()
        if self.root.children:
            self.call_after_refresh(self.move_cursor, self.root.children[0])

    def _set(self, cid: str, status: str) -> None:
        row = self.rows.get(cid)
        if row is not None:
            row.status, row.ms, row.note = status, None, ""

    # --- the cursor -------------------------------------------------------------------------

    def current_id(self) -> str | None:
        """The check at the cursor, or the leading check of the area at the cursor."""
        node = self.cursor_node
        if node is None or node.data is None:
            return None
        if node.data.kind == "check":
            return node.data.id
        children = [c.data.id for c in node.children if c.data is not None and c.data.kind == "check"]
        ran = next((a for a in self._view.ran if a.area.id == node.data.id), None)
        return ran.lead.id if ran is not None else (children[0] if children else None)

    def show_check(self, check_id: str) -> None:
        """Open the row that holds `check_id` and put the cursor on the check."""
        for top in self.root.children:
            for child in top.children:
                if child.data == NodeRef("check", check_id):
                    top.expand()
                    self.call_after_refresh(self.move_cursor, child)
                    return

    def cause_of(self, check_id: str) -> CheckResult | None:
        """The result whose cause explains `check_id`: its root failure's when it follows from
        one (`checks.roots`), else its own."""
        root = self._view.follows.get(check_id)
        return self.results.get(root) if root else self.results.get(check_id)

    def area_node(self, area_id: str) -> TreeNode[NodeRef] | None:
        return next((n for n in self.root.children if n.data == NodeRef("area", area_id)), None)

    # --- layout -----------------------------------------------------------------------------

    def view(self) -> Overview:
        """The domain's overview of the results in, in the run's order."""
        return self._view

    def _layout(self) -> list[tuple[NodeRef, list[NodeRef]]]:
        results = sorted(self.results.values(), key=lambda r: self._order.get(r.id, len(self._order)))
        self._view = overview(results, self._titles, self._needs)
        self._areas = {a.id: a for a in group(list(self.rows), self._titles)}
        view = self._view
        complete = len(self.results) == len(self.rows)
        top: list[tuple[NodeRef, list[NodeRef]]] = []
        if not complete:
            for area in self._areas.values():
                top.append((NodeRef("area", area.id), [NodeRef("check", c) for c in area.checks]))
            return top
        ran = list(view.ran)
        if self.by_severity:
            ran.sort(key=lambda a: (rank_key(a.lead), a.lead.id in view.follows))
        for a in ran:
            top.append((NodeRef("area", a.area.id), [NodeRef("check", c) for c in a.area.checks]))
        for area_id in dict.fromkeys(n.area.id for n in view.other):
            top.append((NodeRef("area", area_id), [NodeRef("check", c) for c in self._areas[area_id].checks]))
        for kind, items in (("setup", view.setup), ("material", view.material)):
            if items:
                top.append((NodeRef(kind, ""), [NodeRef("check", n.result.id) for n in items]))
        return top

    def refresh_tree(self) -> None:
        shape = self._layout()
        if shape == self._shape:
            self._relabel_only()
            return
        open_refs = {n.data for n in self.root.children if n.is_expanded}
        at = self.cursor_node.data if self.cursor_node is not None else None
        at_parent = (self.cursor_node.parent.data if self.cursor_node is not None and self.cursor_node.parent
                     else None)
        self.clear()
        self._shape = shape
        cursor: TreeNode[NodeRef] | None = None
        for ref, children in shape:
            node = self.root.add(self._label(ref, 1), ref, expand=ref in open_refs)
            if ref == at:
                cursor = node
            for child in children:
                leaf = node.add_leaf(self._label(child, 2, parent=ref), child)
                if child == at and ref == at_parent:
                    cursor = leaf
        cursor = cursor or (self.root.children[0] if self.root.children else None)
        if cursor is not None:
            self.call_after_refresh(self.move_cursor, cursor)

    def _relabel_only(self) -> None:
        for node in self.root.children:
            if node.data is None:
                continue
            node.set_label(self._label(node.data, 1))
            for child in node.children:
                if child.data is not None:
                    child.set_label(self._label(child.data, 2, parent=node.data))

    def on_resize(self, event: events.Resize) -> None:
        self._relabel_only()

    # --- labels -----------------------------------------------------------------------------

    def _width(self, depth: int) -> int:
        """Columns a label of this depth may take (the expander or the guides come first)."""
        return max(20, self.scrollable_content_region.width - (2 if depth == 1 else 2 + self.guide_depth) - 1)

    def _label(self, ref: NodeRef, depth: int, parent: NodeRef | None = None) -> Text:
        lang = self.copycar_app.lang
        if ref.kind == "check":
            return self._check_label(ref.id, depth, parent)
        if ref.kind in ("setup", "material"):
            return self._group_label(ref.kind, lang)
        return self._area_label(ref.id, lang)

    def area_title(self, area: Area) -> str:
        return one_line(pick(area.title, self.copycar_app.lang, area.id), 40)

    def _title_w(self) -> int:
        lang = self.copycar_app.lang
        words = [self.area_title(a) for a in self._areas.values()]
        words += [t("ui.doctor_setup", lang), t("ui.doctor_material", lang)]
        return min(AREA_TITLE_W, max(cell_len(w) for w in words))

    def _line(self, status: str, title: str, title_w: int, text: str, width: int, *,
              ms: str | None = None, italic: bool = False) -> Text:
        out = Text(no_wrap=True)
        out.append(GLYPH.get(status, "?"), style=RICH_STYLE.get(status, ""))
        out.append(" ")
        out.append_text(_fit(title, title_w))
        out.append("  ")
        if ms is not None:
            out.append(ms.rjust(TIME_W) + "  ", style="dim")
        out.append(one_line(text, 600), style="italic" if italic else "")
        out.truncate(width, overflow="ellipsis")
        return out

    def _area_label(self, area_id: str, lang: str) -> Text:
        area = self._areas.get(area_id) or Area(area_id, {"en": area_id}, ())
        ran = next((a for a in self._view.ran if a.area.id == area_id), None)
        busy = [self.rows[c] for c in area.checks if c in self.rows and self.rows[c].status in ("running", "pending")]
        if busy:
            status = "running" if any(r.status == "running" for r in busy) else "pending"
            status, text, italic = status, next((r.note for r in busy if r.note), "…"), True
        elif ran is not None:
            status, text, italic = ran.lead.status, self.summary(ran.lead), False
        else:
            first = next((self.results[c] for c in area.checks if c in self.results), None)
            status, text, italic = "skipped", self.summary(first) if first else "", False
        return self._line(status, self.area_title(area), self._title_w(), text, self._width(1), italic=italic)

    def _check_label(self, cid: str, depth: int, parent: NodeRef | None) -> Text:
        row = self.rows.get(cid) or Row(cid)
        result = self.results.get(cid)
        width = self._width(depth)
        title_w = min(CHECK_TITLE_W, max(cell_len(r.title) for r in self.rows.values()), width // 3)
        if parent is not None and parent.kind == "setup" and result is not None:
            text = t("ui.doctor_needs", self.copycar_app.lang, settings=str(result.evidence.get("missing", "")))
            return self._line("skipped", row.title, title_w, text, width)
        if row.status in ("running", "pending"):
            return self._line(row.status, row.title, title_w, row.note or "…", width, ms="", italic=True)
        ms = f"{row.ms} ms" if row.ms is not None and row.status != "skipped" else ""
        return self._line(row.status, row.title, title_w, self.summary(result) if result else "", width, ms=ms)

    def summary(self, result: CheckResult) -> str:
        """A result's one line: "follows from <area>: …" first when another failure explains it."""
        lang = self.copycar_app.lang
        root = self._view.root_area(result)
        if root is None:
            return one_line(result.summary, 600)
        said = t("ui.doctor_not_checked", lang) if result.status == "skipped" else one_line(result.summary, 600)
        return f"{t('ui.doctor_follows', lang, area=self.area_title(root))}: {said}"

    def _group_label(self, kind: str, lang: str) -> Text:
        view = self._view
        items = view.setup if kind == "setup" else view.material
        names = ", ".join(dict.fromkeys(self.area_title(n.area) if n.whole_area else self.rows[n.result.id].title
                                        for n in items))
        where = t(f"ui.doctor_{kind}_key", lang, press=_key("setup" if kind == "setup" else "chat", lang))
        return self._line("skipped", t(f"ui.doctor_{kind}", lang), self._title_w(), f"{where} · {names}",
                          self._width(1))

    def group_hint(self, kind: str) -> str:
        """The one hint of the "to set up" or "no material" row, in full (its label shows the key)."""
        lang = self.copycar_app.lang
        if kind == "setup":
            return t("ui.doctor_setup_hint", lang, press=_key("setup", lang), settings=", ".join(self._view.settings()))
        return t("ui.doctor_material_hint", lang, press=_key("chat", lang))


def _key(action: str, lang: str) -> str:
    """The key of one of the app's actions, as a person reads it ("F7")."""
    return BY_ID[f"copycar.{action}"].keys_text(lang)


def _fit(text: str, width: int) -> Text:
    """`text` on one line in exactly `width` columns: cut with "…", or padded."""
    out = Text(one_line(text, 200), no_wrap=True)
    out.truncate(width, overflow="ellipsis", pad=True)
    return out
