"""The command line. One `Context` (settings, knowledge, demo world: `context.py`) is built once
and handed down as `args.ctx`; UIs only drive the domain.

Each sub-command lives in its own module with `register(subparsers)`; heavy imports happen
inside the handlers so that opening the TUI stays fast.

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

# Modules that add sub-commands. Each defines register(subparsers) -> None.
COMMAND_MODULES = ("kb_cmd", "match_cmd", "doctor_cmd", "config_cmd", "simulate_cmd", "chat_cmd", "sessions_cmd",
                   "monitor_cmd", "history_cmd", "tickets_cmd", "setup_cmd", "train_cmd")


class UsageError(Exception):
    """Bad arguments or input: printed as `copycar-assist: error: …`, exit 3."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2; our contract says 3
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue  # not written yet
            raise
        module.register(sub)
    return parser


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
    parser = build_parser()
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


def load_kb_or_exit(args: argparse.Namespace):
    """Load the knowledge base named by --kb (or the shipped one); a bad one is a usage error."""
    from copycar_assist.kb import KnowledgeError
    from copycar_assist.kb.store import load_cached
    from copycar_assist.matching.companion import MATCHER

    try:
        return load_cached(args.kb, companion=MATCHER)
    except KnowledgeError as exc:
        raise UsageError(f"the knowledge base has problems:\n{exc}") from None
