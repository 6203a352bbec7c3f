"""`copycar-assist kb gaps [--json] [--sessions N]`: what the knowledge did not understand.

Reads the saved conversations (newest first, at most N) and lists, grouped by the entry each
case finally reached and by shared words, the descriptions that got no confident match (or a
near tie) or that the user had to say again; with the words the knowledge never uses, which
are the ones to add as effects or aliases of that entry. Read-only; a session file that cannot
be read is counted and skipped.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .streams import emit_json

if TYPE_CHECKING:
    from copycar_assist.matching.gaps import Cluster

DEFAULT_SESSIONS = 500


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`kb gaps`, a sub-command of `kb` (kb_cmd.py)."""
    from .words import Help

    p = sub.add_parser("gaps", help="cli.help.gaps", description="cli.help.gaps.about")
    p.add_argument("--json", action="store_true", help="cli.help.json_only")
    p.add_argument("--sessions", type=int, default=DEFAULT_SESSIONS, metavar="N",
                   help=Help("cli.help.gaps.sessions", n=DEFAULT_SESSIONS))
    p.add_argument("--lang", choices=("es", "en"), default=argparse.SUPPRESS, help="cli.help.lang_text_en")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from copycar_assist.files.read import ReadError
    from copycar_assist.matching.compiled import matcher_for
    from copycar_assist.matching.gaps import cluster, gaps_of
    from copycar_assist.support.history import SUFFIX, data_dir, load_session, session_ids, sessions_dir

    from . import UsageError

    if args.sessions < 1:
        raise UsageError("cli.gaps.sessions", n=args.sessions)
    kb = args.ctx.kb
    root = data_dir()
    ids = session_ids(root)[: args.sessions]
    gaps, skipped = [], 0
    for sid in ids:
        try:
            session = load_session(sessions_dir(root) / f"{sid}{SUFFIX}")
        except ReadError:
            skipped += 1
            continue
        gaps += gaps_of(sid, session.records)
    groups = cluster(gaps, matcher_for(kb))
    if args.json:
        emit_json({"sessions": len(ids), "skipped": skipped, "gaps": len(gaps),
                   "clusters": [c.to_json() for c in groups]}, indent=2)
        return 0
    print(_text(groups, len(gaps), len(ids), skipped, str(sessions_dir(root)), args.ctx.ui_lang))
    return 0


def _text(groups: list[Cluster], n: int, sessions: int, skipped: int, where: str, lang: str) -> str:
    from copycar_assist.i18n import t
    from copycar_assist.textsafe import one_line

    if not groups:
        out = [t("cli.gaps.none", lang, s=sessions, where=where)]
    else:
        out = [t("cli.gaps.head", lang, n=n, s=sessions), ""]
        for c in groups:
            label = (t("cli.gaps.entry", lang, entry=c.chosen, n=len(c.gaps)) if c.chosen
                     else t("cli.gaps.no_entry", lang, n=len(c.gaps)))
            out.append(label)
            if c.shared:
                out.append(f"  {t('cli.gaps.shared', lang)}: {', '.join(one_line(w, 40) for w in c.shared)}")
            if c.unknown:
                head = t("cli.gaps.unknown", lang, entry=c.chosen) if c.chosen else t("cli.gaps.unknown_none", lang)
                out.append(f"  {head}: {', '.join(one_line(w, 40) for w in c.unknown)}")
            for g in c.gaps[:5]:
                why = t(f"cli.gaps.reason.{g.reason}", lang) + (f"; {t('cli.gaps.listed', lang)}: {g.listed}"
                                                               if g.listed else "")
                out.append(f"  - «{one_line(g.text, 140)}» ({why})")
            if len(c.gaps) > 5:
                out.append(f"  … +{len(c.gaps) - 5}")
            out.append("")
    if skipped:
        out.append(t("cli.gaps.skipped", lang, n=skipped))
    return "\n".join(out).rstrip()
