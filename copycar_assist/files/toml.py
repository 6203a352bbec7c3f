"""TOML text: syntax errors that never quote the document, and where each key is written.

- `toml_error(exc, text)`: `(line, col, code)` from a `tomli.TOMLDecodeError`; the code names
  the reason in the catalogue (`file.toml.*`, `toml_reason`), so any text copied from the file
  (tomli quotes illegal characters and key names) is left out: a secret pasted in the wrong place
  must not come back in the error.
- `KeyLines(text)`: where each dotted key is written in a TOML document, for `file:line` messages.
- `reopens_table(text)`: whether a table header names a table an earlier header made implicitly
  (`[a.b]`, later `[a]`): the one kind of document whose tables two readers may give in another order.
"""

from __future__ import annotations

import re

from .msg import Msg

# --- TOML syntax errors without the file's text ---------------------------------------------------

_COORD = re.compile(r"^(?P<msg>.*) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$", re.S)
# tomli's messages that are fixed text, and their catalogue words (file.toml.<code>)
_FIXED = {
    "Invalid statement": "invalid_statement",
    "Expected newline or end of document after a statement": "expected_newline",
    "Cannot overwrite a value": "overwrite_value",
    "Expected ']' at the end of a table declaration": "unclosed_table",
    "Expected ']]' at the end of an array declaration": "unclosed_array_table",
    "Expected '=' after a key in a key/value pair": "expected_equals",
    "Invalid initial character for a key part": "invalid_key",
    "Unclosed array": "unclosed_array",
    "Unclosed inline table": "unclosed_inline_table",
    "Unescaped '\\' in a string": "unescaped_backslash",
    "Invalid hex value": "invalid_hex",
    "Escaped character is not a Unicode scalar value": "not_unicode_scalar",
    "Unterminated string": "unterminated_string",
    "Invalid date or datetime": "invalid_datetime",
    "Invalid value": "invalid_value",
}
# messages that carry text from the file (a character, a key): only their fixed start is kept
_PREFIXES = {
    "Illegal character": "illegal_character",
    "Found invalid character": "invalid_character",
    "Cannot declare": "declared_twice",
    "Cannot mutate immutable namespace": "immutable",
    "Cannot redefine namespace": "redefined",
    "Duplicate inline table key": "duplicate_inline_key",
    "Expected": "unterminated",
}
OTHER = "syntax"  # a message tomli may add one day


def toml_error(exc: Exception, text: str) -> tuple[int, int, str]:
    """(line, column, code) of a TOML syntax error: the code names the reason in the catalogue
    (`toml_reason`), which never quotes the document."""
    m = _COORD.match(str(exc))
    msg = m.group("msg") if m else ""
    if m and m.group("line"):
        line, col = int(m.group("line")), int(m.group("col"))
    else:  # "end of document"
        line = text.count("\n") + 1
        col = len(text) - (text.rfind("\n") + 1) + 1
    code = _FIXED.get(msg) or next((v for k, v in _PREFIXES.items() if msg.startswith(k)), OTHER)
    return line, col, code


def toml_reason(code: str) -> Msg:
    """The words of a `toml_error` code, in either language."""
    return Msg.of(f"file.toml.{code}")


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


# --- documents whose tables' order depends on the reader ------------------------------------------

_TABLE_NAME = re.compile(r"^[ \t]*\[\[?([^\]\n]*)\]", re.M)


def reopens_table(text: str) -> bool:
    """True when a table header (`[a]`, `[[a]]`) names a table that an earlier header made
    implicitly (`[a.b]` before it), or when a header quotes a key (it may hold `]` or `.`): read
    loosely (any line that starts with `[` counts), it may say True of a document that does not,
    never False of one that does."""
    made: set[str] = set()
    for raw in _TABLE_NAME.findall(text):
        if '"' in raw or "'" in raw:
            return True
        name = "".join(raw.split())
        if name in made:
            return True
        parts = name.split(".")
        made.update(".".join(parts[:n]) for n in range(1, len(parts)))
    return False
