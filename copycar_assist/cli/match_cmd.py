"""`copycar-assist match TEXT [--json] [--limit N]`: which known error is this?

`match --json -` reads one query per line from standard input and prints one JSON object per
line, in the same order, flushing each one (for batch evaluation and pipes).
"""

from __future__ import annotations

import argparse
import sys

from .streams import emit_json

MAX_LIMIT = 50


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "match",
        help="match a description of a problem to the known errors",
        description="Match free text (Spanish or English, pasted errors too) to knowledge entries. "
        "TEXT '-' reads one query per line from standard input.",
    )
    p.add_argument("text", nargs="+", metavar="TEXT", help="the problem in your words, or '-' for stdin")
    p.add_argument("--json", action="store_true", help="print JSON (one object per query)")
    p.add_argument("--limit", type=int, default=5, metavar="N", help=f"how many matches to list (1-{MAX_LIMIT}, default 5)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from . import EXIT_OK, UsageError, load_kb_or_exit

    if not 1 <= args.limit <= MAX_LIMIT:
        raise UsageError(f"--limit must be between 1 and {MAX_LIMIT}, not {args.limit}")
    kb = load_kb_or_exit(args)
    from copycar_assist.matching import Matcher

    matcher = Matcher(kb)
    lang = getattr(args, "lang", None)
    _utf8_streams()
    if args.text == ["-"]:
        from copycar_assist.files.read import ReadError, read_line

        number = 0
        while True:
            number += 1
            try:
                line = read_line(sys.stdin, number)
            except ReadError as exc:
                raise UsageError(str(exc)) from None
            if not line:
                break
            _emit(matcher.match(line.rstrip("\r\n"), args.limit, lang=lang), args.json)
    else:
        _emit(matcher.match(" ".join(args.text), args.limit, lang=lang), args.json)
    return EXIT_OK


def _utf8_streams() -> None:
    for stream, errors in ((sys.stdin, "replace"), (sys.stdout, "backslashreplace")):
        try:
            stream.reconfigure(errors=errors)
        except (AttributeError, ValueError):
            pass


def _emit(result, as_json: bool) -> None:
    if as_json:
        
        emit_json(result.to_json())
    else:
        sys.stdout.write(_table(result))
    sys.stdout.flush()


def _table(result) -> str:
    from copycar_assist.textsafe import one_line

    es = result.language == "es"
    lines = [f"{'consulta' if es else 'query'}: {one_line(result.query, 100)}  [{result.language}]"]
    if result.best is None:
        lines.append("(sin coincidencia fiable)" if es else "(no confident match)")
    elif result.ambiguous:
        lines.append("(ambiguo: las dos primeras están muy cerca)" if es else "(ambiguous: the top two are close)")
    if result.matches:
        w = max(len(m.id) for m in result.matches)
        lines.append(f"  {'score':>5}  {'id':<{w}}  {'título' if es else 'title'}")
        for m in result.matches:
            mark = "*" if m.id == result.best else " "
            why = ", ".join(one_line(x, 40) for x in m.why[:4])
            lines.append(f"{mark} {round(m.score):>5}  {m.id:<{w}}  {one_line(m.title, 60)}"
                         + (f"  ({why})" if why else ""))
    return "\n".join(lines) + "\n"
