"""TOML text: syntax errors that never quote the document, and where each key is written.

- `toml_error(exc, text)`: `(line, col, reason)` from a `tomli.TOMLDecodeError`, with any text
  copied from the file (tomli quotes illegal characters and key names) removed: a secret pasted
  in the wrong place must not come back in the error.
- `KeyLines(text)`: where each dotted key is written in a TOML document, for `file:line` messages.
"""

from __future__ import annotations

import re

# --- TOML syntax errors without the file's text ---------------------------------------------------

_COORD = re.compile(r"^(?P<msg>.*) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$", re.S)
# tomli messages that are fixed text (safe to show as they are)
_FIXED = {
    "Invalid statement", "Expected newline or end of document after a statement",
    "Cannot overwrite a value", "Expected ']' at the end of a table declaration",
    "Expected ']]' at the end of an array declaration", "Expected '=' after a key in a key/value pair",
    "Invalid initial character for a key part", "Unclosed array", "Unclosed inline table",
    "Unescaped '\\' in a string", "Invalid hex value", "Escaped character is not a Unicode scalar value",
    "Unterminated string", "Invalid date or datetime", "Invalid value",
}
# messages that carry text from the file (a character, a key): keep only the fixed part
_PREFIXES = {
    "Illegal character": "illegal control character in a string or comment",
    "Found invalid character": "invalid character",
    "Cannot declare": "a table is declared twice",
    "Cannot mutate immutable namespace": "cannot add keys to an inline table or a value already set",
    "Cannot redefine namespace": "cannot redefine a table",
    "Duplicate inline table key": "duplicate key in an inline table",
    "Expected": "unterminated string or comment",
}


def toml_error(exc: Exception, text: str) -> tuple[int, int, str]:
    """(line, column, reason) of a TOML syntax error; the reason never quotes the document."""
    m = _COORD.match(str(exc))
    msg = m.group("msg") if m else ""
    if m and m.group("line"):
        line, col = int(m.group("line")), int(m.group("col"))
    else:  # "end of document"
        line = text.count("\n") + 1
        col = len(text) - (text.rfind("\n") + 1) + 1
    if msg in _FIXED:
        reason = msg[0].lower() + msg[1:]
    else:
        reason = next((v for k, v in _PREFIXES.items() if msg.startswith(k)), "invalid TOML syntax")
    return line, col, f"invalid TOML: {reason}"


# --- where a key is written -----------------------------------------------------------------------

_BARE = r"[A-Za-z0-9_-]+"
_KEYPART = rf'(?:{_BARE}|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_KEYPART}(?:\s*\.\s*{_KEYPART})*"
_HEADER = re.compile(rf"^\s*\[\[?\s*(?P<key>{_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(rf"^(?P<indent>\s*)(?P<key>{_DOTTED})\s*=\s*")
_PART = re.compile(_KEYPART)


def _split_key(dotted: str) -> tuple[str, ...]:
    parts = []
    for p in _PART.findall(dotted):
        if p[:1] in "\"'":
            p = p[1:-1]
        parts.append(p)
    return tuple(parts)


class KeyLines:
    """Line and column of each dotted key in a TOML text (best effort; for messages only)."""

    def __init__(self, text: str | None):
        self._at: dict[tuple[str, ...], list[tuple[int, int]]] = {}
        if not text:
            return
        table: tuple[str, ...] = ()
        in_multiline: str | None = None
        for n, line in enumerate(text.splitlines(), 1):
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            h = _HEADER.match(line)
            if h:
                table = _split_key(h.group("key"))
                self._at.setdefault(table, []).append((n, line.index("[") + 1))
                continue
            a = _ASSIGN.match(line)
            if a:
                key = table + _split_key(a.group("key"))
                self._at.setdefault(key, []).append((n, a.end() + 1))  # column of the value
                rest = line[a.end():]
                for quote in ('"""', "'''"):
                    if rest.startswith(quote) and rest.count(quote) == 1:
                        in_multiline = quote

    def find(self, *path: str, nth: int = 0) -> tuple[int | None, int | None]:
        """Line and value column of the key (its `nth` writing: the nth `[[table]]` of an array),
        else of its nearest written parent."""
        key = tuple(path)
        while key:
            found = self._at.get(key)
            if found:
                return found[min(nth, len(found) - 1)]
            key = key[:-1]
        return None, None

    def line(self, *path: str, nth: int = 0, default: int | None = None) -> int | None:
        return self.find(*path, nth=nth)[0] or default

    def deeper_than(self, limit: int) -> int | None:
        """Line of the first key written more than `limit` levels deep (a long dotted key)."""
        lines = [at[0][0] for k, at in self._at.items() if len(k) > limit]
        return min(lines) if lines else None

    def first_under(self, *path: str) -> int | None:
        """Line of the first key written at or below `path` (a dotted key may go on past it)."""
        key = tuple(path)
        lines = [at[0][0] for k, at in self._at.items() if k[: len(key)] == key]
        return min(lines) if lines else None
