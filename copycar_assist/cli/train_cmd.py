"""`copycar-assist train`: practice cases, a quiz, progress and exams, for trainees.

    copycar-assist train --json [--trainee NAME] [--difficulty clear|vague|two] [--case SPEC]
    copycar-assist train --quiz N --plain
    copycar-assist train --stats [--json]
    copycar-assist train --exam N [--minutes M] --json

`--json` speaks the shape of `chat --json`: each input line is `{"text": "..."}` or
`{"choose": "<choice id>"}`; each event is one JSON object per line with a `"type"` (README lists
them); a `prompt` ends every turn with typed choices. `--plain` is the same dialogue in lines.
Practice runs in its own sandbox: a demo world per case and settings that are not the user's.
Progress is saved after every answer (`training.progress`). Without --plain or --json, on a
terminal, `train` opens the app's Train screen.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from . import EXIT_OK, UsageError
from .streams import InputLines, pastes_whole

if TYPE_CHECKING:
    import random

    from copycar_assist.kb import KnowledgeBase
    from copycar_assist.training.cases import Case
    from copycar_assist.training.practice import Practice
    from copycar_assist.training.progress import Progress
    from copycar_assist.training.quizrun import QuizRound

    from .train_render import JsonOut

MAX_LINE = 64 * 1024


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("train", help="cli.help.train", description="cli.help.train.about")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--plain", action="store_true", help="cli.help.train.plain")
    mode.add_argument("--json", action="store_true", help="cli.help.json_lines")
    p.add_argument("--trainee", default="default", metavar="NAME", help="cli.help.train.trainee")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--stats", action="store_true", help="cli.help.train.stats")
    what.add_argument("--quiz", type=int, metavar="N", help="cli.help.train.quiz")
    what.add_argument("--exam", type=int, metavar="N", help="cli.help.train.exam")
    p.add_argument("--minutes", type=float, metavar="M", help="cli.help.train.minutes")
    p.add_argument("--difficulty", choices=("clear", "vague", "two"), default="clear", help="cli.help.train.difficulty")
    p.add_argument("--case", metavar="SPEC", help="cli.help.train.case")
    p.add_argument("--seed", type=int, help="cli.help.train.seed")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import asyncio
    import random

    from copycar_assist.training.progress import Progress, check_trainee

    ctx = args.ctx
    if not (args.plain or args.json or args.stats) and sys.stdin.isatty() and sys.stdout.isatty():
        from .tui_cmd import run_tui

        try:
            check_trainee(args.trainee)
        except ValueError as exc:
            raise UsageError("cli.train.trainee", detail=exc) from None
        args.start_screen = "train"
        args.train_options = {"trainee": args.trainee, "difficulty": args.difficulty, "case": args.case,
                              "seed": args.seed}
        return run_tui(args)
    for name in ("quiz", "exam"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            raise UsageError("cli.train.at_least_one", option=name)
    try:
        progress = Progress(args.trainee)
    except ValueError as exc:
        raise UsageError("cli.train.trainee", detail=exc) from None
    lang = ctx.ui_lang
    if args.stats:
        return _stats(progress, ctx.kb, lang, args.json)
    from .chat_cmd import _utf8_streams
    from .columns import columns_of
    from .train_render import JsonOut, PlainOut

    _utf8_streams()
    view = JsonOut(sys.stdout) if args.json else PlainOut(sys.stdout, lang, columns_of(sys.stdout))
    session = Session(ctx.kb, lang, progress, view, sys.stdin, json_mode=args.json,
                      rng=random.Random(args.seed), difficulty=args.difficulty, case_spec=args.case)
    with pastes_whole(sys.stdin, sys.stdout) if not args.json else contextlib.nullcontext():
        if args.quiz is not None:
            asyncio.run(session.quiz(args.quiz))
        elif args.exam is not None:
            asyncio.run(session.exam(args.exam, (args.minutes or 10 * args.exam) * 60))
        else:
            asyncio.run(session.practise())
    return EXIT_OK


def _stats(progress: Progress, kb: KnowledgeBase, lang: str, as_json: bool) -> int:
    import json

    from copycar_assist.i18n import t
    from copycar_assist.training import SKILLS
    from copycar_assist.training.stats import mastery, row_title

    m = mastery(progress, kb)
    if as_json:
        print(json.dumps(m, ensure_ascii=False))
        return EXIT_OK
    print(t("train.stats.title", lang, trainee=progress.trainee))
    if not m["answers"]:
        print(t("train.stats.none", lang))
        return EXIT_OK
    heads = [t(f"train.skill.{s}", lang) for s in SKILLS]
    print(f"{t('train.stats.entry', lang):32} " + " ".join(f"{h:>11}" for h in heads))
    def cells(skills: dict[str, int | None]) -> str:
        return " ".join(f"{'—' if v is None else str(v) + ' %':>11}" for v in skills.values())

    def cut(title: str) -> str:  # 32 columns and four of 12 fit 80: a longer title ends in "…"
        return title if len(title) <= 32 else title[:31] + "…"

    for row in m["entries"]:
        print(f"{cut(row_title(row['entry'], kb, lang)):32} {cells(row['skills'])}")
    print(f"{cut(t('train.stats.all', lang)):32} {cells(m['skills'])}")
    print(t("train.stats.due", lang, n=m["due"]))
    return EXIT_OK


class Session:
    """Reads the trainee's lines and drives practice cases, quiz rounds or an exam."""

    def __init__(self, kb: KnowledgeBase, lang: str, progress: Progress, view: JsonOut, inp: TextIO, *, json_mode: bool,
                 rng: random.Random, difficulty: str, case_spec: str | None) -> None:
        from copycar_assist.matching import Matcher

        self.kb, self.lang, self.progress, self.view, self.inp = kb, lang, progress, view, inp
        self.lines = InputLines(inp, MAX_LINE)  # one reader: a line typed after a timed-out wait is kept
        self.json_mode, self.rng, self.difficulty, self.case_spec = json_mode, rng, difficulty, case_spec
        self.matcher = Matcher(kb)
        self.n = 0

    async def _line(self, timeout: float | None = None) -> str | None:
        """The next request as ("choose"|"text", value); None at the end of input or of the time."""
        import asyncio

        from copycar_assist.files.read import ReadError

        while True:
            try:
                line = await asyncio.wait_for(self.lines.next(), timeout)
            except TimeoutError:
                return None
            except ReadError as exc:
                print(f"copycar-assist: {exc}", file=sys.stderr)
                return None
            if not line:
                return None
            self.n += 1
            if not self.json_mode:
                return line.rstrip("\r\n")
            request = _parse(line, self.n, self.lang)
            if request is not None:
                return request

    async def _drive(self, act: Practice | QuizRound, deadline: float | None = None) -> bool:
        """Feed `act` until it ends; False when the input (or the time) ran out first."""
        await self.view.show(act.start())
        while act.state != "done":
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            req = await self._line(left)
            if req is None:
                return False
            if req.startswith("\0choose:"):
                await self.view.show(act.choose(req.removeprefix("\0choose:")))
            else:
                await self.view.show(act.send(req))
        return True

    def _case(self) -> Case:
        from copycar_assist.training.cases import case_for, draw

        if self.case_spec:
            try:
                return case_for(self.kb, self.case_spec, self.difficulty)
            except ValueError as exc:
                raise UsageError("cli.train.case", detail=exc) from None
        return draw(self.kb, self.difficulty, self.rng, self.progress.weight)

    async def practise(self) -> None:
        from copycar_assist.training.practice import Practice

        number = 0
        while True:
            number += 1
            p = Practice(self.kb, self.matcher, self._case(), lang=self.lang, progress=self.progress,
                         rng=self.rng, number=number)
            try:
                finished = await self._drive(p)
                if not finished:
                    return
                req = await self._line()
            finally:
                await p.aclose()
            if req is None or req.removeprefix("\0choose:") not in ("next", "1"):
                return

    async def quiz(self, n: int) -> None:
        from copycar_assist.training.quizrun import QuizRound

        await self._drive(QuizRound(self.kb, self.matcher, lang=self.lang, n=n, progress=self.progress, rng=self.rng))

    async def exam(self, n: int, limit_s: float) -> None:
        from copycar_assist.i18n import t
        from copycar_assist.training import exam
        from copycar_assist.training.events import TEvent
        from copycar_assist.training.practice import Practice

        start = time.monotonic()
        deadline = start + limit_s
        cases: list[dict[str, Any]] = []
        for number in range(1, n + 1):
            case = self._case()
            if time.monotonic() >= deadline:
                cases.append({"case": case.id, "timed_out": True, "parts": [], "score": 0})
                continue
            p = Practice(self.kb, self.matcher, case, lang=self.lang, progress=self.progress, rng=self.rng,
                         number=number, exam=(n, deadline - time.monotonic()))
            try:
                finished = await self._drive(p, deadline)
            finally:
                await p.aclose()
            if p.debrief is not None:
                cases.append({"case": case.id, **p.debrief.to_json()})
            else:
                timed_out = time.monotonic() >= deadline
                cases.append({"case": case.id, "timed_out": timed_out, "parts": [], "score": 0})
                if timed_out:
                    self.view.event(TEvent("say", {"text": t("train.exam.timeout", self.lang)}))
                if not finished and not timed_out:
                    break  # the input ended
        rep = exam.report(self.progress.trainee, cases, time.monotonic() - start, limit_s, self.lang)
        md, js = exam.save(rep, self.lang)
        self.progress.record_exam({k: rep[k] for k in ("finished", "score", "skills", "total", "answered", "seconds")})
        self.view.event(TEvent("exam_report", {**{k: v for k, v in rep.items() if k != "cases"},
                                               "markdown_path": str(md), "json_path": str(js)}))


def _parse(line: str, n: int, lang: str) -> str | None:
    """A JSON request line as text, or "\\0choose:<id>"; a bad line is an error event (in `lang`)."""
    import json

    from copycar_assist.i18n import t

    try:
        obj = json.loads(line)
    except ValueError:
        obj = None
    choose, text = (obj.get("choose"), obj.get("text")) if isinstance(obj, dict) else (None, None)
    if isinstance(choose, str):
        return "\0choose:" + choose
    if isinstance(text, str):
        return text
    print(json.dumps({"type": "error", "message": t("cli.train.json_expected", lang, n=n)}))
    return None
