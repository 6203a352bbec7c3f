"""Knowledge browser: a searchable tree category → entry → cause → steps, with a detail pane.

Enter on any entry, cause or step starts the conversation there. The search box filters the tree
with the matcher (once it is ready) plus a plain substring search over titles, aliases, keywords
and cause titles.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Markdown, Static, Tree
from textual.worker import get_current_worker

from copycar_assist.i18n import t
from copycar_assist.kb.body import fold

from ..bindings import LocalizedBindings, bindings
from ..kb_text import category_markdown, cause_markdown, entry_markdown
from ..widgets.kb_tree import KbTree, NodeRef

if TYPE_CHECKING:
    from copycar_assist.kb import KnowledgeBase

SEARCH_DEBOUNCE_S = 0.15
MATCH_MIN_SCORE = 45.0


def substring_ids(kb: KnowledgeBase, query: str) -> list[str]:
    """Entries whose titles, aliases, keywords or cause titles contain the query (folded)."""
    q = fold(query)
    out = []
    for entry in kb.entries.values():
        hay = [entry.id, *entry.title.values()]
        for words in (*entry.aliases.values(), *entry.keywords.values()):
            hay.extend(words)
        for cause in entry.causes:
            hay.append(cause.id)
            hay.extend(cause.title.values())
        if any(q in fold(h) for h in hay):
            out.append(entry.id)
    return out


class BrowserScreen(LocalizedBindings, Screen[None]):
    CSS_PATH = str(Path(__file__).parent.parent / "styles" / "browser.tcss")
    BINDINGS = [
        *bindings("browser"),
        Binding("escape", "clear_search", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        lang = self.copycar_app.lang
        yield Header()
        yield Input(placeholder=t("ui.search_kb", lang), id="kb-search", max_length=200)
        with Horizontal(id="kb-body"):
            yield KbTree(id="kb-tree")
            with VerticalScroll(id="kb-detail"):
                yield Markdown("", open_links=False, id="kb-doc")
        yield Static(t("ui.browser_hint", lang), id="kb-hint", classes="hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._rebuild(None)
        self.query_one(KbTree).focus()

    # --- language -------------------------------------------------------------------------

    def on_language(self, lang: str) -> None:
        self.query_one("#kb-search", Input).placeholder = t("ui.search_kb", lang)
        self.query_one("#kb-hint", Static).update(t("ui.browser_hint", lang))
        self._rebuild(self._filter)
        self._show(self._current)

    # --- tree -----------------------------------------------------------------------------

    _filter: list[str] | None = None
    _current: NodeRef | None = None

    def _rebuild(self, ids: list[str] | None) -> None:
        self._filter = ids
        tree = self.query_one(KbTree)
        only = set(ids) if ids is not None else None
        order = ids if ids else None
        shown = tree.populate(self.copycar_app.kb, self.copycar_app.lang, only, order)
        if ids:
            # the detail follows the search: the best result, not what was shown before it
            best = self.copycar_app.kb.entries.get(ids[0])
            if best is not None:
                self._show(NodeRef("entry", best.category, best.id))
        if ids is not None and shown == 0:
            query = self.query_one("#kb-search", Input).value
            self.query_one("#kb-doc", Markdown).update("")
            self.notify(t("ui.no_results", self.copycar_app.lang, q=query), markup=False, timeout=2)

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[NodeRef]) -> None:
        self._show(event.node.data)

    def _show(self, ref: NodeRef | None) -> None:
        self._current = ref
        if ref is None:
            return
        kb, lang = self.copycar_app.kb, self.copycar_app.lang
        if ref.kind == "category":
            entries = [e for e in kb.entries.values() if e.category == ref.category]
            text = category_markdown(kb, ref.category, entries, lang)
        else:
            entry = kb.entries.get(ref.entry or "")
            if entry is None:
                return
            cause = entry.cause(ref.cause) if ref.cause else None
            text = cause_markdown(kb, entry, cause, lang, ref.step) if cause else entry_markdown(kb, entry, lang)
        self.query_one("#kb-doc", Markdown).update(text)
        self.query_one("#kb-detail").scroll_home(animate=False)

    @on(KbTree.StartHere)
    def _start_here(self, event: KbTree.StartHere) -> None:
        ref = event.ref
        if ref.entry:
            self.run_worker(self.copycar_app.open_in_chat(ref.entry, ref.cause), exit_on_error=False)

    # --- search ---------------------------------------------------------------------------

    def action_focus_search(self) -> None:
        self.query_one("#kb-search", Input).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#kb-search", Input)
        if search.value:
            search.value = ""
        else:
            self.query_one(KbTree).focus()

    @on(Input.Changed, "#kb-search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SEARCH_DEBOUNCE_S, lambda: self._search(event.value))

    @on(Input.Submitted, "#kb-search")
    def _search_submitted(self) -> None:
        tree = self.query_one(KbTree)
        tree.focus()
        tree.move_cursor_to_line(0)

    def key_down(self, event: events.Key) -> None:
        if self.focused is self.query_one("#kb-search", Input):
            event.stop()
            self.query_one(KbTree).focus()

    @work(thread=True, exclusive=True, group="kb-search", exit_on_error=False)
    def _search(self, query: str) -> None:
        query = query.strip()
        if not query:
            ids = None
        else:
            ranked: list[str] = []
            matcher = self.copycar_app.matcher
            if matcher is not None and len(query) >= 3:
                result = matcher.match(query, limit=10)
                ranked = [m.id for m in result.matches if m.score >= MATCH_MIN_SCORE]
            ids = ranked + [i for i in substring_ids(self.copycar_app.kb, query) if i not in ranked]
        if not get_current_worker().is_cancelled:
            self.copycar_app.call_from_thread(self._rebuild, ids)

