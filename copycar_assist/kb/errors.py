"""Errors of the knowledge base: every one names the file and, where known, the line.

A `Problem` carries its reason as a catalogue key and values (`kb.problem.*`, or the reason of
the `ReadError` or field check it wraps), like a file's `ReadError`: `str()` and `message` are
English, `text(lang)` / `reason(lang)` are in either language. Nothing is put into words until
it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from copycar_assist.files.msg import Msg, place


@dataclass(frozen=True, init=False)
class Problem:
    """One thing wrong with a knowledge file, located by file and line (1-based).

    `Problem(path, line, "kb.problem.no_symptoms", language=…)`, or with a `Msg` made elsewhere
    (a wrapped `ReadError`'s `reason_msg()`, a field's `wrong_msg`)."""

    path: Path | None  # None only for an entry built in memory (no file behind it)
    line: int | None
    what: Msg
    # "error" (the knowledge is wrong) or "warning" (it works, but is not whole, e.g. an
    # imported entry in one language only). Only `lint` produces warnings.
    severity: str = "error"

    def __init__(self, path: Path | None, line: int | None, what: str | Msg, severity: str = "error",
                 **params: object) -> None:
        if isinstance(what, Msg) and params:
            raise TypeError("a Problem made from a Msg takes no other values")
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "what", what if isinstance(what, Msg) else Msg.of(what, **params))
        object.__setattr__(self, "severity", severity)

    @property
    def message(self) -> str:
        """What is wrong, in English (the `--json` outputs' `message`)."""
        return self.what.text("en")

    def reason(self, lang: str | None = "en") -> str:
        """What is wrong, in `lang`."""
        return self.what.text(lang)

    def text(self, lang: str | None = "en") -> str:
        """`file:line: what is wrong` in `lang` (a warning says so)."""
        where = place(self.path, self.line)
        tag = "" if self.severity == "error" else Msg.of(f"kb.problem.severity.{self.severity}").text(lang) + ": "
        return f"{where}: {tag}{self.reason(lang)}"

    def __str__(self) -> str:
        return self.text("en")


class KnowledgeError(Exception):
    """The knowledge base cannot be loaded. Carries every problem found; `str()` is English,
    `text(lang)` in either language, one problem a line."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.text("en"))

    def text(self, lang: str | None = "en") -> str:
        return "\n".join(p.text(lang) for p in self.problems)
