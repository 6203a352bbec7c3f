"""Errors of the knowledge base: every one names the file and, where known, the line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a knowledge file, located by file and line (1-based)."""

    path: Path | None  # None only for an entry built in memory (no file behind it)
    line: int | None
    message: str
    # "error" (the knowledge is wrong) or "warning" (it works, but is not whole, e.g. an
    # imported entry in one language only). Only `lint` produces warnings.
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}: {tag}{self.message}"


class KnowledgeError(Exception):
    """The knowledge base cannot be loaded. Carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
