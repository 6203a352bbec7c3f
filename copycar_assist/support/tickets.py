"""Where escalation tickets are kept: one Markdown file per case, updated in place.

A case's ticket is `<data dir>/tickets/ticket-<case id>.md`; a new severity or new evidence
rewrites the same file (atomically, mode 0600), so one case never leaves three tickets behind.
The case id is unique (time and a random part), so two cases never share a file. The app, the
line mode and `chat --json` all save through here.
"""

from __future__ import annotations

from pathlib import Path

from copycar_assist.config_io import write_atomic

from .history import data_dir


class TicketStore:
    def __init__(self, root: Path | None = None) -> None:
        self._root = root

    @property
    def folder(self) -> Path:
        return self._root or data_dir() / "tickets"

    def path_for(self, case_id: str) -> Path:
        safe = "".join(c for c in case_id if c.isalnum() or c in "-_") or "case"
        return self.folder / f"ticket-{safe}.md"

    def save(self, case_id: str, markdown: str) -> Path:
        """Write (or rewrite) the case's ticket; OSError when the disk refuses."""
        folder = self.folder
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.path_for(case_id)
        write_atomic(path, markdown.encode("utf-8"))
        return path
