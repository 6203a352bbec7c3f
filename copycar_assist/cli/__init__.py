"""The command line. One `Context` (settings, knowledge, demo world: `context.py`) is built once
and handed down as `args.ctx`; UIs only drive the domain.

Each sub-command lives in its own module with `register(subparsers)` (`COMMANDS` says which);
only the module of the command run is imported (every one for `--help`, none for the app), and
heavy imports happen inside the handlers, so that each command loads only what it uses.

Exit codes: 0 all pass, 1 a check failed, 2 a check could not run (or the command crashed: one
line on stderr and a crash report under the data directory), 3 usage error, 130 interrupted,
141 stdout closed early (`… | head`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, NoReturn

from .streams import closed_pipe, crash, leave, scrubbed_output
from .words import Formatter, Words, choose, error_text, settings_language

EXIT_OK, EXIT_FAIL, EXIT_ERROR, EXIT_USAGE = 0, 1, 2, 3
Handler = Callable[[argparse.Namespace], int]  # what a sub-command sets as `handler`

# Sub-command -> the module that adds it (each module defines register(subparsers) -> None),
# in the order of the help.
COMMANDS = {"kb": "kb_cmd", "match": "match_cmd", "doctor": "doctor_cmd", "diagnose": "doctor_cmd",
            "config": "config_cmd", "simulate": "simulate_cmd", "chat": "chat_cmd", "sessions": "sessions_cmd",
            "monitor": "monitor_cmd", "history": "history_cmd", "tickets": "tickets_cmd", "setup": "setup_cmd",
            "train": "train_cmd"}
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))


class UsageError(Exception):
    """Bad arguments or input: printed as `copycar-assist: error: …` in the user's language, exit 3.
    Holds a catalogue key and its values: `UsageError("cli.sessions.no_such", id=wanted)`. A value
    that says something (a settings problem, a file's `ReadError`, a `Msg`, an error made of one)
    is shown in the same language."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def message(self, lang: str) -> str:
        from copycar_assist.config import ConfigError
        from copycar_assist.config_schema import Invalid
        from copycar_assist.files.msg import Msg
        from copycar_assist.files.read import ReadError
        from copycar_assist.i18n import t

        def said(value: object) -> object:
            if isinstance(value, (ConfigError, Invalid, ReadError)):
                return value.message(lang)
            if isinstance(value, Exception) and value.args and isinstance(value.args[0], Msg):
                value = value.args[0]
            return value.text(lang) if isinstance(value, Msg) else value

        return t(self.key, lang, **{name: said(value) for name, value in self.values.items()})


class _Parser(argparse.ArgumentParser):
    """A parser whose help and errors are in the user's language (`words.py`); it exits 3 on bad
    arguments, where argparse exits 2."""

    def __init__(self, *, words: Words | None = None, **kw: Any) -> None:  # argparse passes keywords
        self.words = words if words is not None else Words()
        super().__init__(formatter_class=partial(Formatter, lang=self.words.lang), **kw)

    # argparse's two overloads differ in `parser_class`, which this one always sets: one signature
    def add_subparsers(self, **kw: Any) -> argparse._SubParsersAction[_Parser]:  # type: ignore[override]
        kw.setdefault("parser_class", partial(_Parser, words=self.words))
        return super().add_subparsers(**kw)

    def error(self, message: str) -> NoReturn:
        from copycar_assist.i18n import t

        lang = self.words.lang()
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, t("cli.ap.error", lang, prog=self.prog, message=error_text(message, lang)) + "\n")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of the global options and the sub-commands. Given the arguments it will parse,
    only the module of the sub-command they name is imported: none for the app, every one for
    `--help` or a word that is no command (so that the usage lists them all)."""
    from importlib import import_module

    parser = _Parser(prog="copycar-assist", description="cli.help.main.about", words=Words(argv or ()))
    parser.add_argument("--kb", metavar="DIR", help="cli.help.main.kb")
    parser.add_argument("--lang", choices=("es", "en"), help="cli.help.main.lang")
    parser.add_argument("--demo", action="store_true", help="cli.help.main.demo")
    parser.add_argument("--scenario", default="healthy", metavar="NAME[,NAME…]", help="cli.help.main.scenario")
    parser.add_argument("--hide-scenario", action="store_true", help="cli.help.main.hide_scenario")
    parser.add_argument("--profile", metavar="NAME", help="cli.help.main.profile")
    parser.add_argument("--version", action="store_true", help="cli.help.main.version")
    modules = COMMAND_MODULES if argv is None else _modules_for(parser, argv)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in modules:
        import_module(f"{__name__}.{name}").register(sub)
    return parser


def _modules_for(parser: argparse.ArgumentParser, argv: Sequence[str]) -> tuple[str, ...]:
    """The command modules `argv` needs: the global options are parsed first (bad ones end here,
    as they would later); the first word left is the command."""
    if "-h" in argv or "--help" in argv:
        return COMMAND_MODULES
    _, rest = parser.parse_known_args(argv)
    words = [a for a in rest if not a.startswith("-")]
    if not words:
        return ()
    module = COMMANDS.get(words[0])
    return (module,) if module else COMMAND_MODULES


def run() -> NoReturn:
    """The console script (and `python -m copycar_assist`): `main()`, then the process ends
    (`streams.leave`: output flushed, exit handlers run, no interpreter teardown)."""
    leave(main())


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Its output is scrubbed of control characters; a closed stdout pipe ends
    it quietly (exit 141); any unexpected exception is one line and a crash report (exit 2)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        with scrubbed_output():
            return _run(args_list)
    except BrokenPipeError:
        return closed_pipe()
    except Exception as exc:
        return crash(exc, args_list)


def _run(argv: list[str]) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.version:
        from copycar_assist import __version__

        print(__version__)
        return EXIT_OK
    from .context import Context

    ctx = None
    try:
        ctx = Context(args)
        with ctx:
            args.ctx = ctx
            case = ctx.case if ctx.profile and args.command in ("doctor", "diagnose", "chat") else None
            if case is not None:  # whose context is active
                from copycar_assist.i18n import t

                print(t("cli.profile_note", ctx.ui_lang, label=case.label, profile=ctx.profile), file=sys.stderr)
            if args.command is None:
                from .tui_cmd import run_tui

                return run_tui(args)
            handler: Handler = args.handler
            return handler(args)
    except UsageError as exc:
        from copycar_assist.i18n import t

        lang = ctx.ui_lang if ctx is not None else choose(args.lang, settings_language)
        print(t("cli.error", lang, message=exc.message(lang)), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
