"""The readable text of `doctor` and `diagnose`.

`doctor` by default, one line per area (`checks.areas`), the checks that could not run grouped
with one hint each, then one fix per root failure:

    ✓ API key          The API accepts the key (plan demo, expires 2030-01-01T00:00:00Z).
    ✗ API health       Could not connect to 127.0.0.1 (Connection refused).
    ? Latency          No sample got an answer (connect×20). — follows from API health
    – Not set up: SMTP, CRM, Redis (smtp.host, crm.kind, crm.token, redis.url): run `copycar-assist setup`.

`doctor -v` and `diagnose`: one line per check with its evidence, as below.

    ✓ API key configured                 1 ms  Key configured (env): sk-…cdef.
    ✗ Key verification (GET /verify)    32 ms  The API does not accept the key (401 Unauthorized).
        status: 401 Unauthorized

Symbols: ✓ pass · ! warn · ✗ fail · ? error · – skipped. Colour only on a terminal without
NO_COLOR. On a terminal every line fits its width (`columns.columns_of`): a passing area's
summary is cut, a failing one wraps under its column; elsewhere (a pipe, a file) lines are as
long as they are, passing summaries cut at SUMMARY_WIDTH. Strings are cleaned of control
characters here; results were redacted by the runner and the whole text goes through the
writers' scrub (`redact.make_scrubber`) when it is written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from copycar_assist.checks.areas import Overview
from copycar_assist.checks.roots import RANK
from copycar_assist.i18n import count_of, duration, status_counts, t
from copycar_assist.textsafe import clean

from .columns import MIN_ROOM, cut, hang, pad, width, wrap

if TYPE_CHECKING:
    from copycar_assist.checks.areas import Area, NotRun
    from copycar_assist.checks.base import CheckResult
    from copycar_assist.redact import Scrub

    from .doctor_report import FoundCause

_SGR = re.compile(r"\x1b\[[0-9;]*m")  # a colour code (no width)
SYMBOLS = {"pass": "✓", "warn": "!", "fail": "✗", "error": "?", "skipped": "–"}
COLOURS = {"pass": "32", "warn": "33", "fail": "31", "error": "35", "skipped": "2"}


# the option that hands a check its material (`needs_input` kinds)
INPUT_OPTIONS = {"prompt": "--prompt-file", "account": "--account-file", "log": "--log-file", "email": "--email-file"}
SUMMARY_WIDTH = 100  # a passing area's summary is cut to this many columns (-v shows it whole)
NARROW = 40  # `-v`: with fewer columns left beside the titles, each summary goes under its check


def use_colour(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


class Renderer:
    def __init__(self, lang: str, colour: bool = False, verbose: bool = False, columns: int | None = None,
                 scrub: Scrub | None = None) -> None:
        self.lang = lang
        self.colour = colour
        self.verbose = verbose
        self.columns = columns  # the terminal's width; None: not a terminal
        self.scrub = scrub  # the writers' one scrub: applied before a text is wrapped (a secret is never split)
        self.lines: list[str] = []

    def safe(self, text: object, limit: int = 2000) -> str:
        shown = clean(str(text), keep_newlines=False, limit=limit)
        return self.scrub(shown) if self.scrub is not None else shown

    def paint(self, text: str, status: str) -> str:
        return f"\x1b[{COLOURS[status]}m{text}\x1b[0m" if self.colour else text

    def add(self, line: str = "") -> None:
        self.lines.append(line)

    def fits(self, line: str) -> bool:
        """Whether `line` fits on one line (anything does when there is no terminal)."""
        return self.columns is None or width(line) <= self.columns - 1

    def room(self, used: int, otherwise: int) -> int:
        """Columns left on a line after `used` (one short of the edge: a full line would wrap
        on some terminals); `otherwise` when not on a terminal."""
        return otherwise if self.columns is None else max(MIN_ROOM, self.columns - 1 - used)

    def put(self, lead: str, text: str, short: bool = False) -> None:
        """`lead` then `text`: cut to the room left on the line when `short`, else wrapped under
        its own column (on a terminal; elsewhere as long as it is)."""
        used = width(_SGR.sub("", lead))
        if short:
            self.add(lead + cut(text, self.room(used, SUMMARY_WIDTH)))
        else:
            self.lines += hang(lead, text, self.columns, used)

    def header(self, what: str, n: int, duration_ms: int, base_url: str, demo: bool) -> None:
        where = self.safe(base_url, 200) + (f" ({t('cli.doctor.demo', self.lang)})" if demo else "")
        head = f"{what} · {count_of(n, 'cli.doctor.checks', self.lang)} · {duration(duration_ms, self.lang)}"
        if self.fits(f"{head} · {where}"):
            self.add(f"{head} · {where}")
        else:  # the address on a line of its own
            self.put("", head)
            self.put("  ", where)
        self.add()

    def results(self, results: Sequence[CheckResult]) -> None:
        title_w = min(42, max((width(self.safe(r.title or r.id, 60)) for r in results), default=10))
        for r in results:
            symbol = self.paint(SYMBOLS.get(r.status, "?"), r.status)
            title = pad(self.safe(r.title or r.id, 60), title_w)
            dur = duration(r.duration_ms, self.lang) if r.status != "skipped" else ""
            if self.columns is None or self.columns - 1 - (title_w + 15) >= NARROW:
                self.put(f"  {symbol} {title}  {dur:>7}  ", self.safe(r.summary, 600))
            else:  # a narrow terminal: the summary under its check, across the width
                self.add(f"  {symbol} {title}  {dur:>7}".rstrip())
                self.put("      ", self.safe(r.summary, 600))
            if r.status in ("fail", "warn", "error") or (self.verbose and r.status == "pass"):
                for key, value in r.evidence.items():
                    self.put(f"        {self.safe(key, 60)}: ", self._value(value))

    def areas(self, view: Overview) -> None:
        """One line per area that ran (`checks.areas.overview`); the checks that could not run
        grouped, one hint per group."""
        def title(area: Area) -> str:
            return self.safe(area.title.get(self.lang) or area.title.get("en") or area.id, 40)

        def name(n: NotRun) -> str:
            return title(n.area) if n.whole_area else self.safe(n.result.title or n.result.id, 60)

        titles = [title(a.area) for a in view.ran]
        title_w = min(24, max((width(t) for t in titles), default=10))
        for area, shown in zip(view.ran, titles):
            lead = area.lead
            self.put(f"  {self.paint(SYMBOLS[lead.status], lead.status)} {pad(shown, title_w)}  ",
                     *self._area_text(lead, view))
            for r in area.ran:
                if r is not lead and r.status in RANK:
                    self.put(f"      {self.paint(SYMBOLS[r.status], r.status)} {self.safe(r.title or r.id, 60)}: ",
                             *self._area_text(r, view))
        skip = self.paint(SYMBOLS["skipped"], "skipped")
        for n in view.other:
            self.put(f"  {skip} {pad(name(n), title_w)}  ", *self._area_text(n.result, view))
        if view.setup:
            names = ", ".join(dict.fromkeys(name(n) for n in view.setup))
            self._wrapped(f"{skip} {t('cli.doctor.setup', self.lang)}: {names} — "
                          f"{t('cli.doctor.setup_how', self.lang)} ({', '.join(view.settings())}).")
        if view.material:
            names = ", ".join(dict.fromkeys(name(n) for n in view.material))
            options = ", ".join(INPUT_OPTIONS[k] for k in view.inputs())
            self._wrapped(f"{skip} {t('cli.doctor.material', self.lang)}: {names} — "
                          f"{t('cli.doctor.material_how', self.lang)} {options}.")

    def _area_text(self, r: CheckResult, view: Overview) -> tuple[str, bool]:
        """A result's summary for its area line, and whether to cut it to one line (a passing or
        skipped one); "follows from <area>" when another failure explains it."""
        root = view.root_area(r)
        if root is not None:
            root_title = self.safe(root.title.get(self.lang) or root.title.get("en") or root.id, 40)
            follows_from = f"{t('cli.doctor.follows', self.lang)} {root_title}"
            if r.status == "skipped":
                return f"{t('cli.doctor.not_checked', self.lang)} — {follows_from}", False
            return f"{self.safe(r.summary, 600)} — {follows_from}", False
        return self.safe(r.summary, 600), r.status in ("pass", "skipped")

    def _wrapped(self, text: str, indent: int = 2) -> None:
        for i, line in enumerate(wrap(text, self.room(indent + 2, 96))):
            self.add(" " * (indent if i == 0 else indent + 2) + line)

    def _value(self, value: object) -> str:
        if isinstance(value, dict):
            return ", ".join(f"{self.safe(k, 60)}={self._value(v)}" for k, v in value.items())
        if isinstance(value, list):
            return ", ".join(self._value(v) for v in value)
        return self.safe(value, 400)

    def causes(self, causes: Sequence[FoundCause], heading: str | None = None, titles: dict[str, str] | None = None,
               explanation: bool = True) -> None:
        if not causes:
            return
        self.add()
        self.add(heading or f"{t('cli.doctor.todo', self.lang)}:")
        for c in causes:
            symbol = self.paint(SYMBOLS.get(c.status, "✗"), c.status)
            source = f", {t('cli.doctor.from', self.lang)} {c.check_id} = {c.outcome}" if explanation else ""
            self.put(f"  {symbol} ", f"{self.safe(c.entry_title)} › {self.safe(c.title)}  "
                                        f"({self.safe(c.entry_id)}#{self.safe(c.cause_id)}{source})")
            if c.explains:
                names = ", ".join(self.safe((titles or {}).get(cid, cid), 60) for cid in c.explains)
                self.put("      ", f"({t('cli.doctor.explains', self.lang)}: {names})")
            if c.explanation and explanation:
                for line in wrap(self.safe(c.explanation), self.room(6, 88)):
                    self.add(f"      {line}")
            for i, step in enumerate(c.steps, 1):
                number = f"{i}. "
                for j, line in enumerate(wrap(self.safe(step), self.room(6 + len(number), 86))):
                    self.add(f"      {number if j == 0 else ' ' * len(number)}{line}")

    def questions(self, questions: Sequence[dict[str, str]]) -> None:
        self.add()
        self.add(t("cli.doctor.no_cause", self.lang))
        if questions:
            self.add(t("cli.doctor.questions", self.lang))
            for q in questions:
                text = self.safe(q["question"]) if q["question"] else ""
                self.put("  • ", f"{self.safe(q['title'])} ({self.safe(q['id'])})" + (f": {text}" if text else ""))
        self.add(t("cli.doctor.escalate", self.lang))

    def footer(self, counts: dict[str, int], code: int, hint_verbose: bool = False) -> None:
        self.add()
        line = status_counts(counts, self.lang, ("pass", "warn", "fail", "error", "skipped"))
        line += f"   ({t('cli.doctor.exit', self.lang)} {code})"
        hint = t("cli.doctor.verbose", self.lang) if hint_verbose else ""
        if hint and self.fits(f"{line} · {hint}"):
            line, hint = f"{line} · {hint}", ""
        self.add(line)
        if hint:  # on a line of its own when the terminal has no room beside the counts
            self.add(hint)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"
