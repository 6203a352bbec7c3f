"""`copycar-assist chat [--plain | --json]`: the conversation on stdin/stdout.

The same engine as the app. `--plain` is a line dialogue for people (pipes, screen readers):
each input line is an answer, a number, a key, a command (`/lang en`, `/escalar`, `/quit`) or a
description. `--json` is the machine interface (DESIGN.md): each input line is one JSON object,
`{"text": "..."}` or `{"choose": "<choice id>"}`, and each event is printed as one JSON object
per line, in order. End of input ends the dialogue with exit 0, so both work in pipes:

    printf 'me sale 401\\ns\\n' | copycar-assist --demo --scenario expired-key chat --plain
    echo '{"text": "429 Too Many Requests"}' | copycar-assist --demo chat --json

Without either flag, and on a terminal, `chat` opens the app. The session is saved as it goes
(`support.history`) unless `--no-history` is given; an escalation's ticket is saved either way.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import TYPE_CHECKING, TextIO

from .streams import pastes_whole

if TYPE_CHECKING:
    from copycar_assist.config import Settings
    from copycar_assist.desk.case import Case
    from copycar_assist.kb import KnowledgeBase
    from copycar_assist.redact import Scrub
    from copycar_assist.support.history import SavingStopped, SessionLog

QUIT = ("/quit", "/exit", "/q", "/salir")
MAX_LINE = 1_000_000  # one JSON line (a pasted log or e-mail) is read up to this many characters


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("chat", help="cli.help.chat", description="cli.help.chat.about")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--plain", action="store_true", help="cli.help.chat.plain")
    mode.add_argument("--json", action="store_true", help="cli.help.json_lines")
    p.add_argument("--no-history", action="store_true", help="cli.help.chat.no_history")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from . import EXIT_OK

    ctx = args.ctx
    if not (args.plain or args.json) and sys.stdin.isatty() and sys.stdout.isatty():
        from .tui_cmd import run_tui

        return run_tui(args)
    settings, kb = ctx.settings, ctx.kb
    ctx.start_demo()
    _utf8_streams()
    chat = Dialogue(kb, settings, lang=ctx.lang, save=not args.no_history, json_mode=args.json, inp=sys.stdin,
                    out=sys.stdout, samples=ctx.demo_samples(), case=ctx.case, ui_lang=ctx.ui_lang)
    # The greeting, and the wait for the first line, come before the event loop (and asyncio) is
    # started: the command answers as soon as it can, and input that ends at once ends it at once.
    with pastes_whole(sys.stdin, sys.stdout) if chat.interactive else contextlib.nullcontext():
        try:
            chat.greet()
            first = chat.first_line()
        except BaseException:
            chat.close()
            raise
        if first:
            import asyncio

            asyncio.run(chat.talk(first))
        else:
            chat.close()
    return EXIT_OK


def _utf8_streams() -> None:
    for stream in (sys.stdin, sys.stdout):
        try:  # TextIO has no reconfigure; the real streams (and the scrubbing wrapper) do, others raise
            stream.reconfigure(encoding="utf-8", errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass


def _open_history(scrub: Scrub, lang: str | None, ui: str, ui_lang: str) -> SessionLog:
    """The session log, saved as it goes; if the disk refuses, one line on stderr says why."""
    from copycar_assist.i18n import t
    from copycar_assist.support.history import SessionLog

    def stopped(why: SavingStopped) -> None:
        print(t("cli.chat.not_saved", ui_lang, reason=why.reason), file=sys.stderr)

    return SessionLog.start(scrub, meta={"ui": ui, "lang": lang}, on_stop=stopped, until_said=True)


async def dialogue(kb: KnowledgeBase, settings: Settings, *, lang: str | None, save: bool, json_mode: bool,
                   inp: TextIO, out: TextIO, samples: dict[str, list[tuple[str, str]]] | None = None,
                   case: Case | None = None, ui_lang: str = "en") -> None:
    """The conversation over `inp` and `out`, inside an event loop; `ui_lang` is the language of the
    command's own words (the conversation's is `lang`, or the user's as they write)."""
    chat = Dialogue(kb, settings, lang=lang, save=save, json_mode=json_mode, inp=inp, out=out, samples=samples,
                    case=case, ui_lang=ui_lang)
    chat.greet()
    await chat.talk(None)


class Dialogue:
    """One conversation over a pair of text streams: opened, greeted and its first line read
    without an event loop; the rest (`talk`) in one."""

    def __init__(self, kb: KnowledgeBase, settings: Settings, *, lang: str | None, save: bool, json_mode: bool,
                 inp: TextIO, out: TextIO, samples: dict[str, list[tuple[str, str]]] | None = None,
                 case: Case | None = None, ui_lang: str = "en") -> None:
        from copycar_assist.conversation import Conversation
        from copycar_assist.files.read import STDIN_LINE
        from copycar_assist.matching.deferred import DeferredMatcher
        from copycar_assist.redact import make_scrubber

        from .chat_render import JsonRenderer, PlainRenderer
        from .columns import columns_of

        scrub = make_scrubber(settings)  # the writers' one scrub: what the user pasted is never echoed whole
        self.history = _open_history(scrub, lang, "json" if json_mode else "plain", ui_lang) if save else None
        self.view: JsonRenderer | PlainRenderer = (JsonRenderer(out, scrub) if json_mode
                                                   else PlainRenderer(out, columns_of(out), scrub))
        self.runs = None
        if save:  # the run history: usual latencies and "this check passed 1 h ago"
            from copycar_assist.runs.runstore import RunStore
            from copycar_assist.support.history import data_dir

            self.runs = RunStore.open(data_dir())
        self.conv = Conversation(kb, DeferredMatcher(kb), settings, lang=lang, history=self.history,
                                 samples=samples, runs=self.runs, case=case)
        self.inp, self.out, self.ui_lang = inp, out, ui_lang
        self.limit = MAX_LINE if json_mode else STDIN_LINE
        self.interactive = inp.isatty() and not json_mode
        self.n = 0  # lines read
        self._first_lines = 1  # the physical lines `first_line` read (a paste has several)

    def greet(self) -> None:
        self.view.show_now(self.conv.greet(), self.conv)

    def _prompt(self) -> None:
        if self.interactive:
            self.out.write("> ")
            self.out.flush()

    def first_line(self) -> str:
        """The first line (or paste), read here ("" at the end of the input or on a line that
        cannot be read)."""
        from copycar_assist.files.read import ReadError

        from .streams import read_message

        self._prompt()
        try:
            line, self._first_lines = read_message(self.inp, 1, self.limit)
            return line
        except ReadError as exc:
            print(f"copycar-assist: {exc}", file=sys.stderr)
            return ""

    async def talk(self, first: str | None) -> None:
        """The dialogue from `first` (None: read it too) to the end of the input or `/quit`."""
        from copycar_assist.files.read import ReadError

        from .chat_render import JsonRenderer
        from .streams import InputLines

        view, conv = self.view, self.conv
        lines = InputLines(self.inp, self.limit, start=1 + self._first_lines if first is not None else 1)
        try:
            line = first
            while True:
                if line is None:
                    self._prompt()
                    try:
                        line = await lines.next()
                    except ReadError as exc:
                        print(f"copycar-assist: {exc}", file=sys.stderr)
                        break
                if not line:
                    break
                self.n += 1
                current, line = line, None
                if isinstance(view, JsonRenderer):  # json_mode
                    request = view.request(current, self.n, conv.lang)
                    if request is None:
                        continue
                    kind, value = request
                    await view.show(conv.choose(value) if kind == "choose" else conv.send(value), conv)
                    continue
                text = current.rstrip("\r\n")
                if text.strip().lower() in QUIT:
                    break
                await view.show(conv.send(text), conv)
        finally:
            await conv.aclose()
            self._done()

    def close(self) -> None:
        """The end without a turn in an event loop: no check ran, nothing asynchronous to close."""
        if self.history is not None:
            self.history.close()
        self._done()

    def _done(self) -> None:
        if self.runs is not None:
            self.runs.close()
            self.runs = None
        history = self.history
        if self.interactive and history is not None and history.saved:  # nothing said: no file to name
            from copycar_assist.i18n import t

            print(t("cli.chat.session", self.ui_lang, path=history.path), file=sys.stderr)
