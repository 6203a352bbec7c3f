"""The doctor's table: one row per check with status, title, duration and summary.

Every cell is a Rich `Text` built from cleaned text (a DataTable parses plain strings as markup).
The summary column takes the width that is left, so the table fits 80 columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.widgets import DataTable

from copycar_assist.i18n import t
from copycar_assist.kb import pick

from .check_view import GLYPH
from .safe import safe_text

if TYPE_CHECKING:
    from copycar_assist.checks.base import CheckResult

RICH_STYLE = {"pass": "bold green", "warn": "bold yellow", "fail": "bold red", "error": "bold magenta",
              "skipped": "dim", "pending": "dim", "running": "bold cyan"}
STATUS_W, CHECK_W, TIME_W = 3, 30, 8
MIN_SUMMARY_W = 16


def status_text(status: str) -> Text:
    return Text(f" {GLYPH.get(status, '?')}", style=RICH_STYLE.get(status, ""))


@dataclass
class Row:
    title: str
    status: str = "pending"
    ms: int | None = None
    summary: str = ""
    italic: bool = False


class CheckTable(DataTable):
    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.results: dict[str, CheckResult] = {}
        self.rows_state: dict[str, Row] = {}
        self._lang = "en"
        self._summary_w = 40

    @property
    def statuses(self) -> dict[str, str]:
        return {cid: row.status for cid, row in self.rows_state.items()}

    def setup(self, kb, check_ids: list[str], lang: str) -> None:
        self._lang = lang
        self.rows_state = {cid: Row(self._title(kb, cid, lang)) for cid in check_ids}
        self._draw()

    def relabel(self, kb, lang: str) -> None:
        self._lang = lang
        for cid, row in self.rows_state.items():
            row.title = self._title(kb, cid, lang)
        self._draw()

    @staticmethod
    def _title(kb, cid: str, lang: str) -> str:
        return pick(kb.checks[cid].title, lang, cid) if cid in kb.checks else cid

    # --- drawing --------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        width = max(MIN_SUMMARY_W, event.size.width - (STATUS_W + CHECK_W + TIME_W) - 2 * 4 * self.cell_padding - 2)
        if width != self._summary_w:
            self._summary_w = width
            self._draw()

    def _draw(self) -> None:
        cursor = self.cursor_row
        self.clear(columns=True)
        widths = (("status", "ui.col_status", STATUS_W), ("check", "ui.col_check", CHECK_W),
                  ("time", "ui.col_time", TIME_W), ("summary", "ui.col_summary", self._summary_w))
        for key, label, width in widths:
            self.add_column(Text(t(label, self._lang), style="bold"), key=key, width=width)
        for cid, row in self.rows_state.items():
            self.add_row(*self._cells(row), key=cid)
        if self.row_count:
            self.move_cursor(row=min(cursor, self.row_count - 1))

    def _cells(self, row: Row) -> tuple[Text, Text, Text, Text]:
        ms = Text(f"{row.ms} ms" if row.ms is not None else "", style="dim", justify="right")
        summary = safe_text(row.summary, limit=300, style="italic" if row.italic else "")
        return status_text(row.status), safe_text(row.title, limit=60), ms, summary

    def _update(self, cid: str) -> None:
        row = self.rows_state[cid]
        for key, cell in zip(("status", "check", "time", "summary"), self._cells(row)):
            self.update_cell(cid, key, cell)

    # --- live updates ---------------------------------------------------------------------

    def set_running(self, check_id: str) -> None:
        row = self.rows_state.get(check_id)
        if row is not None:
            row.status, row.ms, row.summary, row.italic = "running", None, "", False
            self._update(check_id)

    def set_step(self, check_id: str, message: str) -> None:
        row = self.rows_state.get(check_id)
        if row is not None:
            row.summary, row.italic = message, True
            self._update(check_id)

    def set_result(self, result) -> None:
        row = self.rows_state.get(result.id)
        if row is None:
            return
        self.results[result.id] = result
        row.status, row.ms, row.summary, row.italic = result.status, result.duration_ms, result.summary, False
        self._update(result.id)

    def current_id(self) -> str | None:
        if not self.row_count:
            return None
        return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)
