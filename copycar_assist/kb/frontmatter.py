"""Split a knowledge file into TOML front matter (between `+++` lines) and Markdown body."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Problem

_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass
class Document:
    path: Path
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the file where the body starts
    meta_lines: list[str]  # raw front-matter lines, to locate keys

    def line_of(self, pattern: str, nth: int = 0) -> int | None:
        """File line (1-based) of the nth front-matter line matching the regex `pattern`."""
        rx = re.compile(pattern)
        seen = 0
        for i, text in enumerate(self.meta_lines):
            if rx.search(text):
                if seen == nth:
                    return i + 2  # +1 for 1-based, +1 for the opening +++
                seen += 1
        return None


def toml_problem(path: Path, exc: tomllib.TOMLDecodeError, what: str = "invalid TOML",
                 line_offset: int = 0) -> Problem:
    """A Problem for a TOML syntax error, at the file line it names (Python 3.11's
    TOMLDecodeError has no `lineno`: the position is only in the message)."""
    msg = str(exc)
    m = _TOML_POS.search(msg)
    line = int(m.group(1)) + line_offset if m else None
    col = f" (column {m.group(2)})" if m else ""
    reason = _TOML_POS.sub("", msg).strip()
    return Problem(path, line, f"{what}{col}: {reason}")


def parse_document(path: Path, text: str) -> tuple[Document | None, list[Problem]]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "+++":
        return None, [Problem(path, 1, "the file must start with a '+++' line (TOML front matter)")]
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "+++")
    except StopIteration:
        return None, [Problem(path, 1, "the front matter opened with '+++' is never closed")]
    meta_lines = lines[1:end]
    try:
        meta = tomllib.loads("\n".join(meta_lines))
    except tomllib.TOMLDecodeError as exc:
        return None, [toml_problem(path, exc, "invalid TOML front matter", line_offset=1)]
    body = "\n".join(lines[end + 1 :])
    return Document(path, meta, body, end + 2, meta_lines), []
