"""`copycar-assist match TEXT [--json] [--limit N]`: which known error is this?

`match --json -` reads one query per line from standard input and prints one JSON object per
line, in the same order, flushing each one (for batch evaluation and pipes). A line that is a
JSON object `{"text": "..."}` is that text (so a pasted traceback or log, with its newlines,
fits on one line); any other line is the text itself. A line is read up to 1 MiB.

The answer says what kind of input it was (`kind`: problem, question, request, greeting) and,
for a question about the guide, the answer with where it comes from (`answer`: text, source).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from typing import TYPE_CHECKING

from .streams import emit_json

if TYPE_CHECKING:
    from copycar_assist.matching.result import MatchResult
    from copycar_assist.redact import Scrub

MAX_LIMIT = 50
MAX_LINE = 1024 * 1024  # one line of `match -`: a JSON-wrapped paste of a log fits


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .words import Help

    p = subparsers.add_parser("match", help="cli.help.match", description="cli.help.match.about")
    p.add_argument("text", nargs="+", metavar="TEXT", help="cli.help.match.text")
    p.add_argument("--json", action="store_true", help="cli.help.match.json")
    p.add_argument("--limit", type=int, default=5, metavar="N", help=Help("cli.help.match.limit", max=MAX_LIMIT))
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from . import EXIT_OK, UsageError

    if not 1 <= args.limit <= MAX_LIMIT:
        raise UsageError("cli.match.limit", max=MAX_LIMIT, n=args.limit)
    if args.text != ["-"] and not " ".join(args.text).strip():
        raise UsageError("cli.match.empty")
    from copycar_assist.matching.compiled import matcher_for
    from copycar_assist.redact import make_scrubber

    matcher = matcher_for(args.ctx.kb)
    lang = args.lang
    scrub = make_scrubber(None)  # a key pasted into the query is echoed masked (key-like strings)
    _utf8_streams()
    if args.text == ["-"]:
        from copycar_assist.files.read import ReadError, read_line

        number = 0
        while True:
            number += 1
            try:
                line = read_line(sys.stdin, number, MAX_LINE)
            except ReadError as exc:
                raise UsageError("cli.detail", detail=exc) from None
            if not line:
                break
            _emit(matcher.match(_text_of(line.rstrip("\r\n")), args.limit, lang=lang), args.json, scrub)
    else:
        _emit(matcher.match(" ".join(args.text), args.limit, lang=lang), args.json, scrub)
    return EXIT_OK


def _text_of(line: str) -> str:
    """The query a line of standard input holds: the "text" of a JSON object, else the line."""
    if line.lstrip().startswith("{"):
        try:
            data = json.loads(line)
        except (ValueError, RecursionError):
            return line
        text = data.get("text") if isinstance(data, dict) else None
        if isinstance(text, str):
            return text
    return line


def _utf8_streams() -> None:
    for stream, errors in ((sys.stdin, "replace"), (sys.stdout, "backslashreplace")):
        if not isinstance(stream, io.TextIOWrapper):  # replaced by something without reconfigure
            continue
        try:
            stream.reconfigure(errors=errors)
        except ValueError:
            pass


def _emit(result: MatchResult, as_json: bool, scrub: Scrub) -> None:
    if as_json:
        from copycar_assist.redact import scrub_obj

        emit_json(scrub_obj(result.to_json(), scrub))
    else:
        from .columns import columns_of

        sys.stdout.write(_table(result, columns_of(sys.stdout), scrub))
    sys.stdout.flush()


def _table(result: MatchResult, columns: int | None = None, scrub: Scrub | None = None) -> str:
    """The answer as text (the query through `scrub` before it is cut); on a terminal `columns`
    wide, a row is one line (cut to fit) and a guide's answer wraps to it."""
    from copycar_assist.i18n import t
    from copycar_assist.textsafe import one_line

    from .columns import cut, fit

    lang = "es" if result.language == "es" else "en"

    def row(text: str) -> str:  # one line, cut to the terminal
        return cut(text, columns - 1) if columns else text

    def prose(text: str) -> str:  # wrapped to the terminal
        return fit(text, columns, markdown=True)

    query = one_line(result.query, 100)
    lines = [row(f"{t('cli.match.query', lang)}: {scrub(query) if scrub else query}  [{result.language}]")]
    if result.kind == "question" and result.answer:
        lines.append(prose(f"{t('cli.match.question', lang)}: {result.answer['text']}"))
        lines.append(prose(f"  ({t('cli.match.source', lang)}: {result.answer['source']})"))
        return "\n".join(lines) + "\n"
    if result.kind == "request" and result.best is None:
        lines.append(prose(t("cli.match.request", lang)))
    elif result.kind == "greeting" and result.best is None:
        lines.append(prose(t("cli.match.greeting", lang)))
    elif result.ambiguous:
        lines.append(prose(t("cli.match.ambiguous", lang)))
    elif result.best is None:
        lines.append(prose(t("cli.match.none", lang)))
    if result.matches:
        w = max(len(m.id) for m in result.matches)
        lines.append(f"  {t('cli.match.score', lang):>5}  {'id':<{w}}  {t('cli.match.title', lang)}")
        for m in result.matches:
            mark = "*" if m.id == result.best else " "
            why = ", ".join(one_line(x, 40) for x in m.why[:4])
            lines.append(row(f"{mark} {round(m.score):>5}  {m.id:<{w}}  {one_line(m.title, 60)}"
                             + (f"  ({why})" if why else "")))
    return "\n".join(lines) + "\n"
