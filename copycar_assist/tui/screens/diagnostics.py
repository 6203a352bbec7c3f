"""Diagnostics: `doctor` as a live tree, one row per area (`widgets.area_tree`). Enter or a click
opens an area to its checks; on a check it shows the evidence; r re-runs the check (or the
area's checks), R all.

Checks run in workers (`exclusive=True`, `exit_on_error=False`) that only turn the runner's
progress events into messages; the tree is updated by the message handlers.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, Tree

from copycar_assist.i18n import status_counts, t
from copycar_assist.kb import pick
from copycar_assist.textsafe import one_line

from ..bindings import LocalizedBindings, bindings
from ..widgets.area_tree import AreaTree
from ..widgets.safe import safe_content

if TYPE_CHECKING:
    from copycar_assist.checks.base import Event
    from copycar_assist.checks.runner import RunReport

    from ..widgets.area_tree import NodeRef


class CheckEvent(Message):
    """A progress event of the check runner (CheckStarted, CheckStep or CheckFinished)."""

    def __init__(self, event: Event) -> None:
        self.event = event
        super().__init__()


class RunDone(Message):
    def __init__(self, report: RunReport) -> None:
        self.report = report
        super().__init__()


class DiagnosticsScreen(LocalizedBindings, Screen[None]):
    CSS_PATH = str(Path(__file__).parent.parent / "styles" / "diagnostics.tcss")
    BINDINGS = [
        *bindings("doctor"),
        Binding("escape", "close_detail", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._ids: list[str] = []
        self._started = False
        self._detail_for: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("ui.doctor_hint", self.copycar_app.lang), id="doctor-status", markup=False)
        yield AreaTree(id="doctor-tree")
        with VerticalScroll(id="doctor-detail"):
            yield Static("", id="doctor-evidence", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        from copycar_assist.checks.registry import checks_for_tags

        self._ids = checks_for_tags(self.copycar_app.kb)
        self.query_one(AreaTree).setup(self._ids)
        self.query_one(AreaTree).focus()

    def on_screen_resume(self) -> None:
        if not self._started:
            self.run_all()

    def on_language(self, lang: str) -> None:
        # The checks' own words are in the language they ran in: say so rather than mix silently.
        key = "ui.doctor_other_lang" if self._started else "ui.doctor_hint"
        self.query_one("#doctor-status", Static).update(Content(t(key, lang)))
        self.query_one(AreaTree).relabel()
        if self._detail_for:
            self._show_detail(self._detail_for)

    # --- running --------------------------------------------------------------------------

    def run_all(self) -> None:
        if not self.is_mounted:  # asked for before the screen was ever shown: showing it runs them
            return
        self._started = True
        self._status(t("ui.doctor_running", self.copycar_app.lang, n=len(self._ids)))
        self._run(list(self._ids))

    def action_rerun_all(self) -> None:
        self.run_all()

    def action_rerun(self) -> None:
        """Re-run the check at the cursor, or every check of the row at the cursor."""
        tree = self.query_one(AreaTree)
        node = tree.cursor_node
        if node is None or node.data is None:
            return
        ids = ([node.data.id] if node.data.kind == "check"
               else [c.data.id for c in node.children if c.data is not None])
        if ids:
            self._run_some(ids)

    @work(exclusive=True, group="doctor", exit_on_error=False)
    async def _run(self, ids: list[str]) -> None:
        from copycar_assist.checks.runner import run_checks

        self.query_one(AreaTree).start_run(ids)
        ctx = self.copycar_app.check_context()
        report = await run_checks(ctx, ids, on_event=self._forward)
        self.post_message(RunDone(report))
        if ctx.history is not None:  # the app's doctor runs are kept like the command's
            from copycar_assist.checks.urls import target_key

            settings = self.copycar_app.settings
            await asyncio.to_thread(ctx.history.record_run, "doctor", report.results,
                                    base_url=target_key(settings, settings.api.base_url), duration_ms=report.duration_ms)

    @work(group="doctor-row", exit_on_error=False)
    async def _run_some(self, ids: list[str]) -> None:
        from copycar_assist.checks.runner import run_checks

        for cid in ids:
            self.query_one(AreaTree).set_running(cid)
        await run_checks(self.copycar_app.check_context(), ids, on_event=self._forward)

    def _forward(self, event: Event) -> None:
        self.post_message(CheckEvent(event))

    @on(CheckEvent)
    def _on_check_event(self, message: CheckEvent) -> None:
        from copycar_assist.checks.base import CheckFinished, CheckStarted, CheckStep

        event, table = message.event, self.query_one(AreaTree)
        if isinstance(event, CheckStarted):
            table.set_running(event.check_id)
        elif isinstance(event, CheckStep):
            table.set_step(event.check_id, event.message)
        elif isinstance(event, CheckFinished):
            table.set_result(event.result)
            self.copycar_app.note_results([event.result])
            if self._detail_for == event.result.id:
                self._show_detail(event.result.id)

    @on(RunDone)
    def _on_done(self, message: RunDone) -> None:
        self.query_one(AreaTree).run_done()
        c = message.report.counts()
        lang = self.copycar_app.lang
        self._status(t("ui.doctor_done", lang, ms=message.report.duration_ms,
                       counts=status_counts(c, lang, ("pass", "warn", "fail", "error", "skipped"))))

    def _status(self, text: str) -> None:
        self.query_one("#doctor-status", Static).update(Content(text))

    # --- evidence -------------------------------------------------------------------------

    @on(Tree.NodeSelected, "#doctor-tree")
    def _node_selected(self, event: Tree.NodeSelected[NodeRef]) -> None:
        """A check shows (or hides) its evidence; a group shows its whole hint; an area only opens."""
        ref = event.node.data
        if ref is None or ref.kind == "area":
            return
        key = ref.id if ref.kind == "check" else f"group:{ref.kind}"
        if self._detail_for == key and self.query_one("#doctor-detail").has_class("-open"):
            self.action_close_detail()
        else:
            self._show_detail(key)

    def _show_detail(self, key: str) -> None:
        self._detail_for = key
        detail = self._group(key.split(":", 1)[1]) if key.startswith("group:") else self._evidence(key)
        self.query_one("#doctor-evidence", Static).update(detail)
        self.query_one("#doctor-detail").add_class("-open")

    def action_close_detail(self) -> None:
        self._detail_for = None
        self.query_one("#doctor-detail").remove_class("-open")

    def _evidence(self, cid: str) -> Content:
        kb, lang = self.copycar_app.kb, self.copycar_app.lang
        title = kb.check_title(cid, lang)
        tree = self.query_one(AreaTree)
        result = tree.results.get(cid)
        parts = [Content(one_line(f"{title} ({cid})")).stylize("bold")]
        if result is None:
            parts.append(Content("…"))
            return Content("\n").join(parts)
        parts.append(Content(one_line(f"{result.status} · {result.outcome} · {result.duration_ms} ms")))
        parts.append(safe_content(tree.summary(result)))
        explains = [tree.rows[c].title for c, root in tree.view().follows.items() if root == cid and c in tree.rows]
        if explains:
            parts.append(Content(one_line(t("ui.doctor_explains", lang, names=", ".join(explains)))).stylize("italic"))
        source = tree.cause_of(cid)  # a consequence points where its root failure points
        if source is not None and source.entry and source.cause:
            hit = kb.resolve(kb.entries[source.entry], source.cause) if source.entry in kb.entries else None
            label = (f"{pick(hit[0].title, lang, hit[0].id)} → {pick(hit[1].title, lang, hit[1].id)}"
                     if hit else f"{source.entry} → {source.cause}")
            parts.append(Content(one_line(f"{t('ui.points_to', lang)}: {label}")).stylize("bold"))
            parts.append(Content(t("ui.open_in_chat", lang)).stylize("italic"))
        if result.evidence:
            parts.append(Content(t("ui.evidence", lang)).stylize("bold underline"))
            for key, value in result.evidence.items():
                parts.append(Content.assemble((one_line(str(key), limit=60), "bold"), ": ",
                                              Content(one_line(_value(value), limit=500))))
        return Content("\n").join(parts)

    def _group(self, kind: str) -> Content:
        """The "to set up" or "no material" row in full: its one hint, then its checks (each with
        the settings it lacks; never each check's own "how to set it" sentence)."""
        tree, lang = self.query_one(AreaTree), self.copycar_app.lang
        view = tree.view()
        items = view.setup if kind == "setup" else view.material
        lines = [Content(t(f"ui.doctor_{kind}", lang)).stylize("bold"),
                 Content(one_line(tree.group_hint(kind), 500)).stylize("italic")]
        for n in items:
            needs = (f": {t('ui.doctor_needs', lang, settings=str(n.result.evidence.get('missing', '')))}"
                     if kind == "setup" else "")
            lines.append(Content(one_line(f"– {tree.rows[n.result.id].title}{needs}", 500)))
        return Content("\n").join(lines)

    def action_open_cause(self) -> None:
        tree = self.query_one(AreaTree)
        detail = self._detail_for if self._detail_for and not self._detail_for.startswith("group:") else None
        cid = detail or tree.current_id()
        result = tree.cause_of(cid) if cid else None
        if result is not None and result.entry:
            self.run_worker(self.copycar_app.open_in_chat(result.entry, result.cause), exit_on_error=False)


def _value(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)
