"""Split a knowledge file into TOML front matter (between `+++` lines) and Markdown body."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copycar_assist.files.read import ENTRY, ReadError, parse_toml
from copycar_assist.files.toml import toml_reason

from .errors import Problem

# A front-matter line that sets a key, bare or quoted (`severity = …`, `"api.verify.expired" = …`).
_SETS_KEY = re.compile(r'^\s*"?([^"\s=]+)"?\s*=')


@dataclass
class Document:
    path: Path
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the file where the body starts
    meta_lines: list[str]  # raw front-matter lines, to locate keys
    first_line: int = 2  # file line of meta_lines[0] (a cause's TOML block sits in the body)
    _keys: dict[str, int] | None = field(default=None, init=False, repr=False, compare=False)

    def key_line(self, key: str) -> int | None:
        """File line of the first front-matter line that sets `key` (bare or quoted), as
        `line_of` finds it; the lines are read once for every key (an entry's outcomes)."""
        if self._keys is None:
            self._keys = {}
            for i, text in enumerate(self.meta_lines):
                m = _SETS_KEY.match(text)
                if m:
                    self._keys.setdefault(m.group(1), i + self.first_line)
        line = self._keys.get(key)
        return line if line is not None else self.line_of(rf'^\s*"?{re.escape(key)}"?\s*=')

    def line_of(self, pattern: str, nth: int = 0) -> int | None:
        """File line (1-based) of the nth front-matter line matching the regex `pattern`."""
        rx = re.compile(pattern)
        seen = 0
        for i, text in enumerate(self.meta_lines):
            if rx.search(text):
                if seen == nth:
                    return i + self.first_line
                seen += 1
        return None


def parse_document(path: Path, text: str) -> tuple[Document | None, list[Problem]]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "+++":
        return None, [Problem(path, 1, "kb.problem.no_front_matter")]
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "+++")
    except StopIteration:
        return None, [Problem(path, 1, "kb.problem.front_matter_open")]
    meta_lines = lines[1:end]
    try:
        meta = parse_toml("\n".join(meta_lines), path, ENTRY, line_offset=1)
    except ReadError as exc:
        if exc.key != "invalid_toml":
            return None, [Problem(path, exc.line, exc.reason_msg())]
        reason = toml_reason(str(exc.params["toml"]))
        if exc.col:
            return None, [Problem(path, exc.line, "kb.problem.front_matter_toml", column=exc.col, reason=reason)]
        return None, [Problem(path, exc.line, "kb.problem.front_matter_toml_nocol", reason=reason)]
    body = "\n".join(lines[end + 1 :])
    return Document(path, meta, body, end + 2, meta_lines), []
