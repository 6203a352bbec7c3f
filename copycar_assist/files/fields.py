"""Typed fields of a parsed file: what each field must be, and what it was instead.

`wrong(value, spec)` is None when `value` is of the kind `spec` names, else the reason, which
says what was expected and what type was found (never the value):

    str  id  int  number  bool  table  list  list[str]  list[id]  list[table]  table[str]
    table[int]  table[list[str]]

An id is letters, digits, `.`, `_` or `-` (at most 100, starting with a letter or digit): ids
reach terminals, file names and JSON, so control characters, spaces and markup never get in.
"""

from __future__ import annotations

import re

ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")

_EXPECTED = {
    "str": "a string", "id": "an id (letters, digits, '.', '_' or '-')", "int": "a whole number",
    "number": "a number", "bool": "true or false", "table": "a table", "list": "an array",
    "list[str]": "an array of strings", "list[id]": "an array of ids (letters, digits, '.', '_' or '-')",
    "list[table]": "an array of tables", "table[str]": "a table of strings",
    "table[int]": "a table of whole numbers", "table[list[str]]": "a table of arrays of strings",
}


def type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date/time" if hasattr(value, "isoformat") else type(value).__name__


def is_id(value: object) -> bool:
    return isinstance(value, str) and ID.fullmatch(value) is not None


def _is(value: object, spec: str) -> bool:
    if spec == "str":
        return isinstance(value, str)
    if spec == "id":
        return is_id(value)
    if spec == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if spec == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if spec == "bool":
        return isinstance(value, bool)
    if spec == "table":
        return isinstance(value, dict)
    if spec == "list":
        return isinstance(value, list)
    if spec.startswith("list[") and spec.endswith("]"):
        return isinstance(value, list) and all(_is(v, spec[5:-1]) for v in value)
    if spec.startswith("table[") and spec.endswith("]"):
        return isinstance(value, dict) and all(_is(v, spec[6:-1]) for v in value.values())
    raise ValueError(f"unknown field spec {spec!r}")


def wrong(value: object, spec: str) -> str | None:
    """None when `value` fits `spec`, else "expected …, got …"."""
    if _is(value, spec):
        return None
    expected = _EXPECTED[spec]
    if spec in ("id", "list[id]") and isinstance(value, (str, list)):
        return f"expected {expected}"
    return f"expected {expected}, got {type_name(value)}"
