"""Live view of running checks, shown inside the chat: one line per check.

Status glyphs are shared with the diagnostics table: ✓ pass, ! warn, ✗ fail, ? error, – skipped,
· waiting, … running.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from copycar_assist.textsafe import one_line

from .check_row import Row

if TYPE_CHECKING:
    from copycar_assist.checks.base import CheckResult

GLYPH = {"pass": "✓", "warn": "!", "fail": "✗", "error": "?", "skipped": "–",
         "pending": "·", "running": "…"}
STYLE = {"pass": "$text-success", "warn": "$text-warning", "fail": "$text-error",
         "error": "$text-error", "skipped": "$text-muted", "pending": "$text-muted",
         "running": "$text-accent"}


def status_content(status: str) -> Content:
    return Content(GLYPH.get(status, "?")).stylize(f"bold {STYLE.get(status, '')}".strip())




class CheckRunView(Static):
    """The checks of one run: title, status, duration, the latest step or the summary."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        """rows: (check_id, title) in the order they will run."""
        super().__init__("", classes="check-run", markup=False)
        self._order = [cid for cid, _ in rows]
        self._rows: dict[str, Row] = {cid: Row(title) for cid, title in rows}

    def on_mount(self) -> None:
        self._render_rows()

    def _row(self, check_id: str) -> Row:
        if check_id not in self._rows:
            self._order.append(check_id)
            self._rows[check_id] = Row(check_id)
        return self._rows[check_id]

    def started(self, check_id: str, title: str = "") -> None:
        row = self._row(check_id)
        row.status = "running"
        if title:
            row.title = title
        self._render_rows()

    def step(self, check_id: str, message: str) -> None:
        row = self._row(check_id)
        row.note = message
        self._render_rows()

    def finished(self, result: CheckResult) -> None:
        row = self._row(result.id)
        row.status = result.status
        row.ms = result.duration_ms
        row.note = result.summary
        if result.title:
            row.title = result.title
        self._render_rows()

    def statuses(self) -> dict[str, str]:
        return {cid: row.status for cid, row in self._rows.items()}

    def _render_rows(self) -> None:
        lines = []
        for cid in self._order:
            row = self._rows[cid]
            ms = f"{row.ms} ms" if row.ms is not None else ""
            line = Content.assemble(
                status_content(row.status), " ",
                Content(one_line(row.title, limit=60)).stylize("bold"),
                Content(f"  {ms}").stylize("$text-muted") if ms else "",
            )
            if row.note:
                line = line + Content("\n   ") + Content(one_line(row.note, limit=300))
            lines.append(line)
        self.update(Content("\n").join(lines))
