"""What leaves the app: the conversation's transcript saved as a Markdown file (and where), a
note once when the conversation itself stops being saved, and an escalated ticket sent to the
help desk. (Tickets are saved by `support.tickets`, one per case; the outbox keeps what waits.)

Names carry the time to the second and are made unique by exclusive creation (`write_unique`).
Text is scrubbed of control characters."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from copycar_assist.i18n import t
from copycar_assist.textsafe import one_line, scrub

if TYPE_CHECKING:
    from copycar_assist.conversation import Conversation
    from copycar_assist.support.history import SavingStopped

    from .app import CopyCarApp


def export_dir(kind: str = "transcripts") -> Path:
    """`$COPYCAR_ASSIST_DATA/<kind>` (or the platform data dir), created 0700."""
    from copycar_assist.files.write import ensure_private_dir
    from copycar_assist.support.history import data_dir

    folder = data_dir() / kind
    ensure_private_dir(folder)
    return folder


def export_transcript(app: CopyCarApp, conversation: Conversation | None) -> Path | None:
    lang = app.lang
    if conversation is None or not conversation.transcript():
        app.notify(t("ui.nothing_to_export", lang), markup=False, severity="warning")
        return None
    from copycar_assist.files.write import write_unique

    try:
        text = conversation.transcript_markdown()
        path = write_unique(export_dir(), f"transcript-{datetime.now():%Y%m%d-%H%M%S}", ".md",
                            scrub(text).encode("utf-8"))
    except OSError as exc:
        app.notify(t("ui.export_failed", lang, reason=one_line(exc.strerror or str(exc))), markup=False,
                   severity="error")
        return None
    app.notify(t("ui.exported", lang, path=one_line(str(path), limit=300)), markup=False, timeout=8)
    return path


def session_not_saved(app: CopyCarApp, stopped: SavingStopped) -> None:
    """The session log stopped saving (`support.history.SavingStopped`): say so, once."""
    app.notify(t("ui.session_not_saved", app.lang, path=one_line(str(stopped.path), limit=200),
                  reason=one_line(stopped.reason, limit=200)), markup=False, severity="warning", timeout=10)


async def send_ticket(app: CopyCarApp, case_id: str) -> None:
    """Deliver an escalated ticket now, each destination's answer a notice; what cannot go waits
    in the outbox (`tickets send`)."""
    from copycar_assist.redact import make_scrubber
    from copycar_assist.support.outbox import Outbox, send

    reports, problems = await send(Outbox(), app.settings, case_id=case_id)
    scrubbed = make_scrubber(app.settings)
    for r in reports:
        app.notify(scrubbed(one_line(r.said(app.lang), 200)), markup=False,
                   severity="information" if r.ok else "warning", timeout=6)
    for p in problems:
        app.notify(scrubbed(one_line(p.text(app.lang), 200)), markup=False, severity="warning", timeout=6)
