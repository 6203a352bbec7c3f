"""`copycar-assist sessions [list|show ID]`: the conversations saved as they went.

Every conversation (app or `chat --plain`) is written line by line under the data directory, so a
terminal that dies loses nothing; this command finds them again and turns one back into the
Markdown transcript the app exports. Sessions were scrubbed when written; they are scrubbed again
with today's settings (a secret configured since is masked too) and terminal controls are removed.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from copycar_assist.support.history import Session

from .streams import emit_json

DEFAULT_LIMIT = 20


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .words import Help

    p = subparsers.add_parser("sessions", help="cli.help.sessions", description="cli.help.sessions.about")
    actions = p.add_subparsers(dest="sessions_action", metavar="ACTION")
    ls = actions.add_parser("list", help="cli.help.sessions.list", description="cli.help.sessions.list.about")
    ls.add_argument("--json", action="store_true", help="cli.help.json_doc")
    ls.add_argument("--limit", type=int, default=DEFAULT_LIMIT, metavar="N",
                    help=Help("cli.help.sessions.list.limit", n=DEFAULT_LIMIT))
    ls.add_argument("--all", action="store_true", help="cli.help.sessions.list.all")
    ls.add_argument("--entry", metavar="ID", help="cli.help.sessions.list.entry")
    ls.add_argument("--since", metavar="DATE", type=_since, help="cli.help.sessions.list.since")
    show = actions.add_parser("show", help="cli.help.sessions.show")
    show.add_argument("session", metavar="ID", help="cli.help.sessions.show.id")
    show.add_argument("--out", metavar="FILE", help="cli.help.sessions.show.out")
    p.set_defaults(handler=run, json=False, limit=DEFAULT_LIMIT, all=False, entry=None, since=None)


def _since(text: str) -> datetime:
    """`--since`: a date or a date and time, read as UTC (session ids and listings are UTC)."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("cli.sessions.bad_since") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def run(args: argparse.Namespace) -> int:
    from copycar_assist.cli import EXIT_OK, UsageError
    from copycar_assist.i18n import t
    from copycar_assist.support.history import data_dir, find_sessions

    if args.sessions_action == "show":
        return _show(args)
    if args.limit < 0:
        raise UsageError("cli.sessions.limit")
    limit = None if args.all or args.limit == 0 else args.limit
    page = find_sessions(data_dir(), limit=limit, since=args.since, entry=args.entry)
    shown = page.sessions
    if args.json:
        doc = {"schema_version": 1, "sessions": [{
            "id": s.id, "started": s.started, "lang": s.lang, "first_text": s.first_text,
            "entries": s.entries, "records": s.records, "torn": s.torn, "problem": s.problem} for s in shown],
            "more": page.more, "more_unknown": page.more_unknown}
        emit_json(doc)
        return EXIT_OK
    if not shown and not page.more:
        filtered = args.entry is not None or args.since is not None
        lang = args.ctx.ui_lang
        print(t("cli.sessions.no_match", lang) if filtered else
              t("cli.sessions.none", lang, where=data_dir() / "sessions"))
        return EXIT_OK
    from copycar_assist.textsafe import one_line

    from .columns import columns_of, cut, hang

    lang = args.ctx.ui_lang
    columns = columns_of(sys.stdout)  # on a terminal, the first words are cut to its width
    for s in shown:
        if s.problem:
            print(t("cli.sessions.unreadable", lang, id=one_line(s.id, 80), problem=s.problem))
            continue
        what = ", ".join(s.entries) or "-"
        torn = t("cli.sessions.torn", lang) if s.torn else ""
        for line in hang(f"{one_line(s.id, 80)}  {one_line(s.started[:16].replace('T', ' '), 16)}  ",
                         f"{what}{torn}", columns):
            print(line)
        if s.first_text:
            quote = one_line(_safe(s.first_text), 90)
            print(f"    «{cut(quote, columns - 7) if columns else quote}»")
    if page.more:
        print(t("cli.sessions.more", lang, n=page.more))
    elif page.more_unknown:
        print(t("cli.sessions.more_unknown", lang))
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    from copycar_assist.cli import EXIT_OK, UsageError
    from copycar_assist.support.history import SUFFIX, data_dir, load_session, session_ids, sessions_dir

    wanted = args.session.strip()
    ids = session_ids(data_dir())
    if wanted == "last":
        matches = ids[:1]
    else:
        matches = [i for i in ids if i.startswith(wanted)] if wanted else []
    if not matches:
        raise UsageError("cli.sessions.no_such", id=repr(wanted))
    if len(matches) > 1:
        raise UsageError("cli.sessions.ambiguous", id=repr(wanted), n=len(matches))
    from copycar_assist.files.read import ReadError

    try:
        session = load_session(sessions_dir(data_dir()) / f"{matches[0]}{SUFFIX}")
    except ReadError as exc:
        raise UsageError("cli.sessions.cannot_read", detail=exc) from None
    text = render_markdown(session, args.lang)
    if args.out:
        from pathlib import Path

        from copycar_assist.files.write import write_text

        try:
            write_text(Path(args.out), text)
        except OSError as exc:
            raise UsageError("cli.cannot_write", path=args.out, reason=exc.strerror or exc) from None
        print(args.out)
        return EXIT_OK
    sys.stdout.write(text)
    return EXIT_OK


def render_markdown(session: Session, lang: str | None) -> str:
    """The saved conversation as the Markdown transcript: what the assistant said, what the user
    typed (fenced, inert), in order."""
    from copycar_assist.support.transcript import Line, to_markdown

    lines: list[Line] = []
    # Sessions say the user's side as "user"/"answered" events; older ones only kept "input".
    legacy = not any(r.get("type") in ("user", "answered") for r in session.records)
    for r in session.records:
        kind = r.get("type")
        if legacy and kind == "input":
            kind = "user"
        at = str(r.get("at", ""))
        if kind == "say":
            lines.append(Line("assistant", _safe(str(r.get("text", ""))), bool(r.get("markdown")), at))
        elif kind == "user":
            lines.append(Line("user", _safe(str(r.get("text", ""))), False, at))
        elif kind == "answered":
            lines.append(Line("assistant", _safe(str(r.get("question", ""))), False, at))
            lines.append(Line("user", _safe(str(r.get("answer", ""))), False, at))
        elif kind == "step":
            lines.append(Line("assistant", _safe(f"{r.get('index', 0) + 1 if isinstance(r.get('index'), int) else ''}/"
                                                 f"{r.get('total', '')}. {r.get('text', '')}"), True, at))
        elif kind == "check" and r.get("phase") == "finished" and isinstance(r.get("result"), dict):
            res = r["result"]
            lines.append(Line("evidence", _safe(f"{res.get('id')}: {res.get('status')} ({res.get('outcome')}) — "
                                                f"{res.get('summary', '')}"), False, at))
    stored = session.header.get("lang")
    said = lang or (stored if stored in ("es", "en") else None) or _last_lang(session) or "en"
    from .streams import todays_scrub

    return to_markdown(lines, said, todays_scrub())


def _last_lang(session: Session) -> str | None:
    for r in reversed(session.records):
        lang = r.get("lang")
        if r.get("type") in ("start", "lang") and isinstance(lang, str) and lang in ("es", "en"):
            return lang
    return None


def _safe(text: str) -> str:
    from copycar_assist.textsafe import clean

    return clean(text)
