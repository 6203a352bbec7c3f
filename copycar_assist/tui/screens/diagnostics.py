"""Diagnostics: `doctor` as a live table. Enter shows a check's evidence; r re-runs it, R all.

Checks run in workers (`exclusive=True`, `exit_on_error=False`) that only turn the runner's
progress events into messages; the table is updated by the message handlers.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from copycar_assist.i18n import t
from copycar_assist.kb import pick
from copycar_assist.textsafe import one_line

from ..bindings import LocalizedBindings, bindings
from ..widgets.check_table import CheckTable
from ..widgets.safe import safe_content


class CheckEvent(Message):
    """A progress event of the check runner (CheckStarted, CheckStep or CheckFinished)."""

    def __init__(self, event) -> None:
        self.event = event
        super().__init__()


class RunDone(Message):
    def __init__(self, report) -> None:
        self.report = report
        super().__init__()


class DiagnosticsScreen(LocalizedBindings, Screen):
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
        yield CheckTable(id="doctor-table")
        with VerticalScroll(id="doctor-detail"):
            yield Static("", id="doctor-evidence", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        from copycar_assist.checks.registry import checks_for_tags

        self._ids = checks_for_tags(self.copycar_app.kb)
        self.query_one(CheckTable).setup(self.copycar_app.kb, self._ids, self.copycar_app.lang)
        self.query_one(CheckTable).focus()

    def on_screen_resume(self) -> None:
        if not self._started:
            self.run_all()

    def on_language(self, lang: str) -> None:
        self.query_one(CheckTable).relabel(self.copycar_app.kb, lang)
        if self._detail_for:
            self._show_detail(self._detail_for)

    # --- running --------------------------------------------------------------------------

    def run_all(self) -> None:
        self._started = True
        self._status(t("ui.doctor_running", self.copycar_app.lang, n=len(self._ids)))
        self._run(list(self._ids))

    def action_rerun_all(self) -> None:
        self.run_all()

    def action_rerun(self) -> None:
        cid = self.query_one(CheckTable).current_id()
        if cid:
            self._run_one(cid)

    @work(exclusive=True, group="doctor", exit_on_error=False)
    async def _run(self, ids: list[str]) -> None:
        from copycar_assist.checks.runner import run_checks

        table = self.query_one(CheckTable)
        for cid in ids:
            table.set_running(cid)
        ctx = self.copycar_app.check_context()
        report = await run_checks(ctx, ids, on_event=self._forward)
        self.post_message(RunDone(report))
        if ctx.history is not None:  # the app's doctor runs are kept like the command's
            from copycar_assist.monitor.engine import shown

            await asyncio.to_thread(ctx.history.record_run, "doctor", report.results,
                                    base_url=shown(self.copycar_app.settings.api.base_url), duration_ms=report.duration_ms)

    @work(group="doctor-row", exit_on_error=False)
    async def _run_one(self, cid: str) -> None:
        from copycar_assist.checks.runner import run_checks

        self.query_one(CheckTable).set_running(cid)
        await run_checks(self.copycar_app.check_context(), [cid], on_event=self._forward)

    def _forward(self, event) -> None:
        self.post_message(CheckEvent(event))

    @on(CheckEvent)
    def _on_check_event(self, message: CheckEvent) -> None:
        from copycar_assist.checks.base import CheckFinished, CheckStarted, CheckStep

        event, table = message.event, self.query_one(CheckTable)
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
        c = message.report.counts()
        self._status(t("ui.doctor_done", self.copycar_app.lang, passed=c.get("pass", 0), warned=c.get("warn", 0),
                        failed=c.get("fail", 0), errors=c.get("error", 0), skipped=c.get("skipped", 0),
                        ms=message.report.duration_ms))

    def _status(self, text: str) -> None:
        self.query_one("#doctor-status", Static).update(Content(text))

    # --- evidence -------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#doctor-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        cid = str(event.row_key.value)
        if self._detail_for == cid and self.query_one("#doctor-detail").has_class("-open"):
            self.action_close_detail()
        else:
            self._show_detail(cid)

    def _show_detail(self, cid: str) -> None:
        self._detail_for = cid
        self.query_one("#doctor-evidence", Static).update(self._evidence(cid))
        self.query_one("#doctor-detail").add_class("-open")

    def action_close_detail(self) -> None:
        self._detail_for = None
        self.query_one("#doctor-detail").remove_class("-open")

    def _evidence(self, cid: str) -> Content:
        kb, lang = self.copycar_app.kb, self.copycar_app.lang
        title = pick(kb.checks[cid].title, lang, cid) if cid in kb.checks else cid
        result = self.query_one(CheckTable).results.get(cid)
        parts = [Content(one_line(f"{title} ({cid})")).stylize("bold")]
        if result is None:
            parts.append(Content("…"))
            return Content("\n").join(parts)
        parts.append(Content(one_line(f"{result.status} · {result.outcome} · {result.duration_ms} ms")))
        parts.append(safe_content(result.summary))
        if result.entry and result.cause:
            hit = kb.resolve(kb.entries[result.entry], result.cause) if result.entry in kb.entries else None
            label = (f"{pick(hit[0].title, lang, hit[0].id)} → {pick(hit[1].title, lang, hit[1].id)}"
                     if hit else f"{result.entry} → {result.cause}")
            parts.append(Content(one_line(f"{t('ui.points_to', lang)}: {label}")).stylize("bold"))
            parts.append(Content(t("ui.open_in_chat", lang)).stylize("italic"))
        if result.evidence:
            parts.append(Content(t("ui.evidence", lang)).stylize("bold underline"))
            for key, value in result.evidence.items():
                parts.append(Content.assemble((one_line(str(key), limit=60), "bold"), ": ",
                                              Content(one_line(_value(value), limit=500))))
        return Content("\n").join(parts)

    def action_open_cause(self) -> None:
        cid = self._detail_for or self.query_one(CheckTable).current_id()
        result = self.query_one(CheckTable).results.get(cid) if cid else None
        if result is not None and result.entry:
            self.run_worker(self.copycar_app.open_in_chat(result.entry, result.cause), exit_on_error=False)


def _value(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)
