"""`copycar-assist kb gaps [--json] [--sessions N]`: what the knowledge did not understand.

Reads the saved conversations (newest first, at most N) and lists, grouped by the entry each
case finally reached and by shared words, the descriptions that got no confident match (or a
near tie) or that the user had to say again; with the words the knowledge never uses, which
are the ones to add as effects or aliases of that entry. Read-only; a session file that cannot
be read is counted and skipped.
"""

from __future__ import annotations

import argparse

from .streams import emit_json

DEFAULT_SESSIONS = 500

_SAY = {
    "es": {"head": "{n} descripción(es) no entendida(s) o repetida(s) en {s} conversación(es)",
           "none": "Ninguna descripción sin entender en {s} conversación(es) guardada(s) en {where}.",
           "entry": "{entry}: {n} descripción(es)", "no_entry": "(ninguna entrada): {n} descripción(es)",
           "shared": "palabras en común", "unknown": "palabras que la base no usa (efectos o alias para {entry})",
           "unknown_none": "palabras que la base no usa (¿una entrada nueva, o un traspaso a soporte?)",
           "no_match": "sin coincidencia fiable", "ambiguous": "empate", "rephrased": "repetida con otras palabras",
           "listed": "primera sugerida", "skipped": "{n} fichero(s) de sesión ilegible(s) omitido(s)"},
    "en": {"head": "{n} description(s) not understood or said again in {s} conversation(s)",
           "none": "No description left not understood in {s} saved conversation(s) in {where}.",
           "entry": "{entry}: {n} description(s)", "no_entry": "(no entry): {n} description(s)",
           "shared": "words they share", "unknown": "words the knowledge never uses (effects or aliases for {entry})",
           "unknown_none": "words the knowledge never uses (a new entry, or a hand-off?)",
           "no_match": "no confident match", "ambiguous": "near tie", "rephrased": "said again in other words",
           "listed": "listed first", "skipped": "{n} unreadable session file(s) skipped"},
}


def add_parser(sub) -> None:
    """`kb gaps`, a sub-command of `kb` (kb_cmd.py)."""
    p = sub.add_parser("gaps", help="list what the saved conversations did not understand",
                       description="Descriptions from saved conversations that got no confident match or were "
                       "said again, grouped by the entry finally chosen: what to add as effects or aliases.")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.add_argument("--sessions", type=int, default=DEFAULT_SESSIONS, metavar="N",
                   help=f"read the newest N saved conversations (default {DEFAULT_SESSIONS})")
    p.add_argument("--lang", choices=("es", "en"), default=argparse.SUPPRESS,
                   help="language of the text (default: the global --lang, else en)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from copycar_assist.files.read import ReadError
    from copycar_assist.matching.compiled import matcher_for
    from copycar_assist.matching.gaps import cluster, gaps_of
    from copycar_assist.support.history import SUFFIX, data_dir, load_session, session_ids, sessions_dir

    from . import UsageError, load_kb_or_exit

    if args.sessions < 1:
        raise UsageError(f"--sessions must be at least 1, not {args.sessions}")
    kb = load_kb_or_exit(args)
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
    print(_text(groups, len(gaps), len(ids), skipped, str(sessions_dir(root)), args.lang or "en"))
    return 0


def _text(groups, n: int, sessions: int, skipped: int, where: str, lang: str) -> str:
    from copycar_assist.textsafe import one_line

    say = _SAY[lang]
    if not groups:
        out = [say["none"].format(s=sessions, where=where)]
    else:
        out = [say["head"].format(n=n, s=sessions), ""]
        for c in groups:
            label = say["entry"].format(entry=c.chosen, n=len(c.gaps)) if c.chosen else say["no_entry"].format(n=len(c.gaps))
            out.append(label)
            if c.shared:
                out.append(f"  {say['shared']}: {', '.join(one_line(w, 40) for w in c.shared)}")
            if c.unknown:
                head = say["unknown"].format(entry=c.chosen) if c.chosen else say["unknown_none"]
                out.append(f"  {head}: {', '.join(one_line(w, 40) for w in c.unknown)}")
            for g in c.gaps[:5]:
                why = say[g.reason] + (f"; {say['listed']}: {g.listed}" if g.listed else "")
                out.append(f"  - «{one_line(g.text, 140)}» ({why})")
            if len(c.gaps) > 5:
                out.append(f"  … +{len(c.gaps) - 5}")
            out.append("")
    if skipped:
        out.append(say["skipped"].format(n=skipped))
    return "\n".join(out).rstrip()
