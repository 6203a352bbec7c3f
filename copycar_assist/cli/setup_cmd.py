"""`copycar-assist setup`: the guided set-up in line mode (the app has the same as a screen).

    setup                      the API (base URL, key), then optionally SMTP, the sending
                               domain, the CRM and Redis — each verified by its check live
                               before it is saved
    setup --only smtp crm      just those groups
    setup --profile acme       a customer's settings, saved as [profiles.acme]

Values are asked one at a time and never taken from the command line, so nothing lands in the
shell history or the process list; secrets are read without echo (a terminal's no-echo mode, like
`getpass`; from a pipe, one line each). Enter keeps the current value. A group whose check fails
is not saved: try again or skip it. The file is written under the settings lock, mode 0600.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from pathlib import Path

    from copycar_assist.checks.base import CheckResult
    from copycar_assist.config import Settings
    from copycar_assist.desk.setup import Group
    from copycar_assist.kb import KnowledgeBase

from copycar_assist.textsafe import one_line

MARKS = {"pass": "✓", "warn": "!", "fail": "✗", "error": "?", "skipped": "-"}


class _Groups:
    """The set-up groups (desk.setup.ORDER), imported only when argparse looks at them: every
    command registers `setup`, and desk.setup brings the whole settings schema."""

    def __contains__(self, name: object) -> bool:
        from copycar_assist.desk.setup import ORDER

        return name in ORDER

    def __iter__(self) -> Iterator[str]:
        from copycar_assist.desk.setup import ORDER

        return iter(ORDER)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("setup", help="cli.help.setup", description="cli.help.setup.about")
    p.add_argument("--only", nargs="+", choices=_Groups(), metavar="GROUP", help="cli.help.setup.only")
    p.add_argument("--profile", dest="setup_profile", metavar="NAME", help="cli.help.setup.profile")
    p.set_defaults(handler=run)


class Lines:
    """Questions on stdout, answers from stdin; a secret without echo on a terminal."""

    def __init__(self, inp: TextIO | None = None, out: TextIO | None = None) -> None:
        self.inp, self.out = inp or sys.stdin, out or sys.stdout
        self.n = 0

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def ask(self, prompt: str, *, secret: bool = False) -> str | None:
        """The answer (stripped), or None at the end of input."""
        from copycar_assist.files.read import read_line

        if secret and self.inp.isatty():
            import getpass

            try:
                return getpass.getpass(prompt, stream=self.out).strip()
            except EOFError:
                return None
        self.out.write(prompt)
        self.out.flush()
        self.n += 1
        line = read_line(self.inp, self.n)
        if not line:
            return None
        if not self.inp.isatty():
            self.out.write("\n")  # the answer came from a pipe: it is not shown (a secret never is)
        return line.strip()

    def yes(self, prompt: str, default: bool) -> bool | None:
        from copycar_assist.i18n import t

        answer = self.ask(f"{prompt} {t('cli.setup.yes_default' if default else 'cli.setup.no_default', self.lang)} ")
        if answer is None:
            return None
        return default if not answer else answer.lower()[:1] in ("y", "s")

    lang = "en"


def run(args: argparse.Namespace) -> int:
    from copycar_assist.config import config_path

    from . import EXIT_FAIL, EXIT_OK

    ctx = args.ctx
    agent = ctx.agent_settings
    lang = ctx.ui_lang
    io = Lines()
    io.lang = lang
    path = agent.path or config_path()
    profile = args.setup_profile
    base = agent.profiles.get(profile) if profile else agent
    if profile and base is None:
        from copycar_assist.config import Settings

        base = Settings()
    saved_any, failed = False, False
    from copycar_assist.desk.setup import GROUPS, ORDER
    from copycar_assist.i18n import t

    io.say(t("cli.setup.title", lang, path=path) + (f" [profiles.{profile}]" if profile else ""))
    for gid in args.only or ORDER:
        group = GROUPS[gid]
        io.say()
        io.say(f"== {group.title(lang)} ==")
        if group.optional and not args.only:
            go = io.yes(t("cli.setup.now", lang), False)
            if go is None:
                break
            if not go:
                continue
        result = _group(io, ctx.kb, base, group, lang, path, profile, agent)
        if result is None:
            break
        saved_any |= result
        failed |= not result
    io.say()
    io.say(t("cli.setup.done" if saved_any else "cli.setup.nothing", lang))
    return EXIT_FAIL if failed and not saved_any else EXIT_OK


def _group(io: Lines, kb: KnowledgeBase, base: Settings, group: Group, lang: str, path: Path, profile: str | None,
           agent: Settings) -> bool | None:
    """Ask, verify, save one group; True saved, False skipped, None end of input."""
    import asyncio

    from copycar_assist.config import ConfigError
    from copycar_assist.desk.setup import apply_saved, save, try_values
    from copycar_assist.i18n import t

    while True:
        values: dict[str, str] = {}
        for ask in group.asks:
            current = base.get(ask.field)
            shown = ("••••" if ask.secret else one_line(str(current), 80)) if current not in (None, "") else ask.placeholder
            hint = f" ({t('cli.setup.hidden', lang)})" if ask.secret else ""
            answer = io.ask(f"{ask.label(lang)}{hint} [{shown}]: ", secret=ask.secret)
            if answer is None:
                return None
            values[ask.field] = answer
        try:
            candidate = try_values(base, group, values)
        except ConfigError as exc:
            io.say(f"✗ {exc.message(lang)}")
            again = io.yes(t("cli.setup.again", lang), True)
            if not again:
                return False if again is False else None
            continue
        io.say(t("cli.setup.checking", lang))
        ok, results = asyncio.run(_verified(kb, candidate, group, lang))
        for r in results:
            io.say(f"  {MARKS.get(r.status, '·')} {r.title or r.id}: {one_line(r.summary, 200)}")
        if ok:
            try:
                written = save(path, group, values, profile=profile)
            except ConfigError as exc:
                io.say(f"✗ {path}: {exc.message(lang)}")
                return False
            except OSError as exc:
                io.say(f"✗ {path}: {exc.strerror or exc}")
                return False
            target = agent.profiles.setdefault(profile, base) if profile else agent
            overridden = apply_saved(target, written)
            io.say(t("cli.setup.saved", lang, path=path))
            for var in overridden:
                io.say(t("cli.setup.env", lang, var=var))
            return True
        again = io.yes(t("cli.setup.retry", lang), True)
        if not again:
            return False if again is False else None


async def _verified(kb: KnowledgeBase, candidate: Settings, group: Group, lang: str) -> tuple[bool, list[CheckResult]]:
    """The group's checks on the values given, with what is still running on a terminal."""
    from copycar_assist.desk.setup import verify

    from .check_progress import watching

    async with watching(len(group.checks), lang) as on_event:
        return await verify(kb, candidate, group, lang=lang, on_event=on_event)
