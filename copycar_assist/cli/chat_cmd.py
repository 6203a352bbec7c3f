"""`copycar-assist chat [--plain]`: the conversation as a line dialogue on stdin/stdout.

The same engine as the app. Assistant messages are printed as plain text, choices as numbered
lines with their key; each input line is an answer, a number, a key, a command (`/lang en`,
`/restart`, `/escalate`, `/help`, `/quit`) or a description. End of input ends the dialogue
cleanly (exit 0), so it works in pipes:

    printf 'me sale 401\\n2\\nsí\\n' | copycar-assist --demo --scenario expired-key chat --plain

Without `--plain`, and on a terminal, `chat` opens the app. The session is saved as it goes
(see `support.history`) unless `--no-history` is given.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

QUIT = ("/quit", "/exit", "/q")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "chat",
        help="talk to the assistant (line dialogue with --plain)",
        description="Describe a problem and be led to its cause and fix. --plain runs a line dialogue "
        "on stdin/stdout (pipes, screen readers, scripts).",
    )
    p.add_argument("--plain", action="store_true", help="plain line dialogue instead of the app")
    p.add_argument("--no-history", action="store_true", help="do not save the session")
    p.set_defaults(handler=run)


def _load_settings() -> Any:
    from . import UsageError

    try:
        from copycar_assist.config import ConfigError, load_settings
    except ImportError:  # an older build without the loader
        from copycar_assist.config import Settings, env_overrides

        return env_overrides(Settings())
    try:
        return load_settings()
    except ConfigError as exc:
        raise UsageError(f"the settings have problems:\n{exc}") from None


def _start_demo(settings: Any, scenario: str) -> Any:
    from copycar_assist.redact import Secret
    from copycar_assist.simulator import DEMO_KEY, start_simulator

    from . import UsageError

    try:
        handle = start_simulator(scenario=scenario, port=0)
    except (KeyError, ValueError) as exc:
        raise UsageError(f"--scenario: {exc}") from None
    settings.api.base_url = handle.base_url
    settings.api.key = Secret(DEMO_KEY)
    settings.api.key_source = "demo"
    settings.api.endpoints = []
    sources = getattr(settings, "sources", None)
    if isinstance(sources, dict):
        sources["api.base_url"] = sources["api.key"] = "demo"
    return handle


def run(args: argparse.Namespace) -> int:
    from . import EXIT_OK, UsageError, load_kb_or_exit

    scenario = getattr(args, "scenario", "healthy") or "healthy"
    demo = bool(getattr(args, "demo", False))
    if not demo and scenario != "healthy":
        raise UsageError("--scenario needs --demo")
    if not args.plain and sys.stdin.isatty() and sys.stdout.isatty():
        from .tui_cmd import run_tui

        return run_tui(args)
    settings = _load_settings()
    kb = load_kb_or_exit(args)
    handle = _start_demo(settings, scenario) if demo else None
    try:
        import asyncio

        _utf8_streams()
        asyncio.run(dialogue(kb, settings, lang=getattr(args, "lang", None),
                             save=not args.no_history, inp=sys.stdin, out=sys.stdout))
    finally:
        if handle is not None:
            handle.stop()
    return EXIT_OK


def _utf8_streams() -> None:
    for stream in (sys.stdin, sys.stdout):
        try:
            stream.reconfigure(encoding="utf-8", errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass


async def dialogue(kb: Any, settings: Any, *, lang: str | None, save: bool, inp: TextIO, out: TextIO) -> None:
    import asyncio

    from copycar_assist.conversation import Conversation
    from copycar_assist.matching import Matcher

    from .chat_render import PlainRenderer

    history = None
    if save:
        from copycar_assist.support.history import SessionLog
        from copycar_assist.support.textblock import make_scrubber

        try:
            history = SessionLog.create(make_scrubber(settings), meta={"ui": "plain", "lang": lang})
        except OSError as exc:
            print(f"copycar-assist: the session will not be saved ({exc.strerror})", file=sys.stderr)
    view = PlainRenderer(out)
    conv = Conversation(kb, Matcher(kb), settings, lang=lang, on_progress=view.progress, history=history)
    interactive = inp.isatty()
    from itertools import count

    from copycar_assist.files.read import ReadError, read_line

    numbers = count(1)
    try:
        events = conv.start()
        view.lang = conv.lang
        view.show(events)
        while True:
            if interactive:
                out.write("> ")
                out.flush()
            try:
                line = await asyncio.to_thread(read_line, inp, next(numbers))
            except ReadError as exc:
                print(f"copycar-assist: {exc}", file=sys.stderr)
                break
            if not line:
                break
            text = line.rstrip("\r\n")
            if text.strip().lower() in QUIT:
                break
            events = await conv.send(text)
            view.lang = conv.lang
            view.show(events)
    finally:
        await conv.aclose()
    if interactive and history is not None:
        print(f"(session: {history.path})", file=sys.stderr)
