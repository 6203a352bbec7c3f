"""Save the conversation's transcript as a Markdown file, and say where (tickets: `support.tickets`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from copycar_assist.config_io import write_atomic
from copycar_assist.textsafe import one_line

from .strings import tr


def export_dir(kind: str = "transcripts") -> Path:
    """`$COPYCAR_ASSIST_DATA/<kind>` (or the platform data dir), created 0700."""
    from copycar_assist.support.history import data_dir

    folder = data_dir() / kind
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def export_transcript(app, conversation) -> Path | None:
    lang = app.lang
    if conversation is None or not conversation.transcript():
        app.notify(tr("nothing_to_export", lang), markup=False, severity="warning")
        return None
    try:
        text = conversation.transcript_markdown()
        path = export_dir() / f"transcript-{datetime.now():%Y%m%d-%H%M%S}.md"
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        app.notify(tr("export_failed", lang, reason=one_line(exc.strerror or str(exc))), markup=False,
                   severity="error")
        return None
    app.notify(tr("exported", lang, path=one_line(str(path), limit=300)), markup=False, timeout=8)
    return path
