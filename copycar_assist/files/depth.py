"""How deeply a JSON or TOML text nests, found by a linear scan before any parser sees it.

Python's parsers recurse once per level: 5,000 `[` end in `RecursionError` (tomli, json) after
seconds of work, and a structure that deep would break every later walk over it too. The scan
skips strings and comments, counts `[`/`{` against `]`/`}`, and stops at the first position past
the limit, which it reports as (line, column). Strings that never close stop the scan: the
parser that follows reports them.
"""

from __future__ import annotations

import re

_JSON_NEXT = re.compile(r'["\[\]{}]')
_TOML_NEXT = re.compile(r"[\"'#\[\]{}]")


class TooDeep(ValueError):
    def __init__(self, line: int, col: int, limit: int):
        super().__init__(f"nested more than {limit} levels deep")
        self.line, self.col, self.limit = line, col, limit


def _where(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def check_json_depth(text: str, limit: int) -> None:
    """Raise `TooDeep` when arrays and objects in `text` nest more than `limit` levels."""
    depth, pos, n = 0, 0, len(text)
    while pos < n:
        m = _JSON_NEXT.search(text, pos)
        if m is None:
            return
        ch, pos = m.group(), m.end()
        if ch == '"':
            pos = _string_end(text, pos)
            if pos < 0:
                return
        elif ch in "[{":
            depth += 1
            if depth > limit:
                raise TooDeep(*_where(text, m.start()), limit)
        else:
            depth = max(0, depth - 1)


def check_toml_depth(text: str, limit: int) -> None:
    """Raise `TooDeep` when arrays and inline tables in a TOML text nest more than `limit` levels
    (table headers open and close on their line, so `[[a]]` counts as two)."""
    if not _plainly_shallow(text, limit):
        _scan_toml_depth(text, limit)


def _scan_toml_depth(text: str, limit: int) -> None:
    """`check_toml_depth` the long way: every string and comment skipped as TOML reads it."""
    depth, pos, n = 0, 0, len(text)
    while pos < n:
        m = _TOML_NEXT.search(text, pos)
        if m is None:
            return
        ch, start = m.group(), m.start()
        if ch == "#":
            end = text.find("\n", start)
            pos = n if end < 0 else end
        elif ch in "\"'":
            pos = _toml_string_end(text, start, ch)
            if pos < 0:
                return
        elif ch in "[{":
            depth += 1
            if depth > limit:
                raise TooDeep(*_where(text, start), limit)
            pos = start + 1
        else:
            depth = max(0, depth - 1)
            pos = start + 1


def _plainly_shallow(text: str, limit: int) -> bool:
    """True when a text of one-line "…" strings only (no escapes, no '…' strings, no comments: how
    knowledge front matter is written) nests at most `limit` levels. Its strings taken out, every
    bracket left is the TOML's own, so their depth is exact; any other text gets the full scan."""
    if text.count("[") + text.count("{") <= limit:
        return True  # fewer brackets cannot nest deeper
    if "\\" in text or '"""' in text:
        return False
    rest = _ONE_LINE_STRING.sub("", text)
    if '"' in rest or "'" in rest or "#" in rest:
        return False
    depth = deepest = 0
    for bracket in _BRACKETS.findall(rest):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest <= limit


_ONE_LINE_STRING = re.compile(r'"[^"\n]*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def _toml_string_end(text: str, start: int, quote: str) -> int:
    """Index just past the string opening at `start`, or -1 when it never closes."""
    if text.startswith(quote * 3, start):
        end = text.find(quote * 3, start + 3)
        if quote == '"':
            while end >= 0 and _escaped(text, end):
                end = text.find(quote * 3, end + 1)
        if end < 0:
            return -1
        end += 3
        while end < len(text) and text[end] == quote:  # up to two more quotes belong to the string
            end += 1
        return end
    pos = start + 1
    while True:
        end = text.find(quote, pos)
        if end < 0:
            return -1
        newline = text.find("\n", pos, end)
        if newline >= 0:
            return newline  # a one-line string cut by a newline: the parser says so
        if quote == '"' and _escaped(text, end):
            pos = end + 1
            continue
        return end + 1


def _string_end(text: str, pos: int) -> int:
    """Index just past the `"` closing a JSON string whose body starts at `pos`, or -1. Found with
    `str.find` and a count of the backslashes before each quote: linear, and no regex stack (a
    repeated group over a 4 MB string once took 500 MB)."""
    while True:
        end = text.find('"', pos)
        if end < 0:
            return -1
        if not _escaped(text, end):
            return end + 1
        pos = end + 1


def _escaped(text: str, pos: int) -> bool:
    """Whether the character at `pos` follows an odd number of backslashes."""
    n = 0
    while pos - n - 1 >= 0 and text[pos - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def too_deep_path(obj: object, limit: int) -> tuple[object, ...] | None:
    """The keys/indexes leading to a value nested more than `limit` levels deep, or None (dotted
    TOML keys can build deep tables without a single bracket). Depth first, the last key of
    each table first; never recurses more than `limit` levels."""

    def walk(value: dict[object, object] | list[object], depth: int) -> tuple[object, ...] | None:
        if depth >= limit:
            return ()
        items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
        for key, inner in reversed(items):
            if isinstance(inner, (dict, list)):
                found = walk(inner, depth + 1)
                if found is not None:
                    return (key, *found)
        return None

    return walk(obj, 0) if isinstance(obj, (dict, list)) else None
