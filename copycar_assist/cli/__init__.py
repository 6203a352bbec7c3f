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
from collections.abc import Sequence

from .streams import closed_pipe, crash, scrubbed_output

EXIT_OK, EXIT_FAIL, EXIT_ERROR, EXIT_USAGE = 0, 1, 2, 3

# Sub-command -> the module that adds it (each module defines register(subparsers) -> None),
# in the order of the help.
COMMANDS = {"kb": "kb_cmd", "match": "match_cmd", "doctor": "doctor_cmd", "diagnose": "doctor_cmd",
            "config": "config_cmd", "simulate": "simulate_cmd", "chat": "chat_cmd", "sessions": "sessions_cmd",
            "monitor": "monitor_cmd", "history": "history_cmd", "tickets": "tickets_cmd", "setup": "setup_cmd",
            "train": "train_cmd"}
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))


class UsageError(Exception):
    """Bad arguments or input: printed as `copycar-assist: error: …`, exit 3."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2; our contract says 3
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of the global options and the sub-commands. Given the arguments it will parse,
    only the module of the sub-command they name is imported: none for the app, every one for
    `--help` or a word that is no command (so that the usage lists them all)."""
    from importlib import import_module

    parser = _Parser(prog="copycar-assist", description="Troubleshooting assistant for the CopyCar.ai API.")
    parser.add_argument("--kb", metavar="DIR", help="use another knowledge base directory")
    parser.add_argument("--lang", choices=("es", "en"), help="language of the answers (default: follow the user)")
    parser.add_argument("--demo", action="store_true",
                        help="start the demo world in-process (API, CRM, mail, DNS, cache) and use it")
    parser.add_argument("--scenario", default="healthy", metavar="NAME[,NAME…]",
                        help="with --demo: the scenario, or several of different services "
                             "(`simulate --list` shows them all)")
    parser.add_argument("--hide-scenario", action="store_true",
                        help="with --demo: a neutral header that does not name the scenario (practice)")
    parser.add_argument("--profile", metavar="NAME",
                        help="work a customer's case: checks run in [profiles.NAME] of the settings, never your own")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    modules = COMMAND_MODULES if argv is None else _modules_for(parser, argv)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
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

    try:
        with Context(args) as ctx:
            args.ctx = ctx
            if ctx.profile and args.command in ("doctor", "diagnose", "chat"):  # whose context is active
                print(f"copycar-assist: case {ctx.case.label}: checks run in [profiles.{ctx.profile}], "
                      "not your own settings", file=sys.stderr)
            if args.command is None:
                from .tui_cmd import run_tui

                return run_tui(args)
            return args.handler(args)
    except UsageError as exc:
        print(f"copycar-assist: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
