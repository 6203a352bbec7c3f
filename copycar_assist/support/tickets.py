"""Where escalation tickets are kept: one Markdown file per case, updated in place.

A case's ticket is `<data dir>/tickets/ticket-<case id>.md`; a new severity or new evidence
rewrites the same file (atomically, mode 0600), so one case never leaves three tickets behind.
The case id is unique (time and a random part), so two cases never share a file. The app, the
line mode and `chat --json` all save through here. With the ticket's JSON document it is queued
in the outbox too (`outbox.py`: `<data dir>/outbox`, or beside `root` when one is given), where it
waits until the help desk acknowledges it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from copycar_assist.config_io import write_atomic

from .history import data_dir
from .outbox import Outbox


class TicketStore:
    def __init__(self, root: Path | None = None, outbox: Outbox | None = None) -> None:
        self._root = root
        self.outbox = outbox or Outbox(root.parent / "outbox" if root is not None else None)

    @property
    def folder(self) -> Path:
        return self._root or data_dir() / "tickets"

    def path_for(self, case_id: str) -> Path:
        safe = "".join(c for c in case_id if c.isalnum() or c in "-_") or "case"
        return self.folder / f"ticket-{safe}.md"

    def save(self, case_id: str, markdown: str, document: dict[str, Any] | None = None) -> Path:
        """Write (or rewrite) the case's ticket, and queue its document; OSError when the disk refuses."""
        folder = self.folder
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.path_for(case_id)
        write_atomic(path, markdown.encode("utf-8"))
        if document is not None:
            self.outbox.put(document)
        return path
