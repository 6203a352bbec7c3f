"""Typed fields of a parsed file: what each field must be, and what it was instead.

`fits(value, spec)` says whether `value` is of the kind `spec` names; `wrong_msg(value, spec)` is
None when it is, else the reason as a catalogue message (`field.*`, shown in either language),
which says what was expected and what type was found (never the value):

    str  id  int  number  bool  table  list  list[str]  list[id]  list[table]  table[str]
    table[int]  table[list[str]]

An id is letters, digits, `.`, `_` or `-` (at most 100, starting with a letter or digit): ids
reach terminals, file names and JSON, so control characters, spaces and markup never get in.
"""

from __future__ import annotations

import re

from .msg import Msg

ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "bool"), (int, "int"), (float, "float"), (str, "str"), (list, "list"), (dict, "table"))


def type_msg(value: object) -> Msg | str:
    """The catalogue's name of the value's type (`field.type.*`); a type TOML and JSON never
    produce is named as Python names it."""
    code = next((name for kind, name in _TYPES if isinstance(value, kind)), None)  # bool before int
    if code is None and hasattr(value, "isoformat"):
        code = "datetime"
    elif code is None and value is None:  # a field that is not there
        code = "none"
    elif code is None:
        return type(value).__name__
    return Msg.of(f"field.type.{code}")


def is_id(value: object) -> bool:
    return isinstance(value, str) and ID.fullmatch(value) is not None


def fits(value: object, spec: str) -> bool:
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
        return isinstance(value, list) and all(fits(v, spec[5:-1]) for v in value)
    if spec.startswith("table[") and spec.endswith("]"):
        return isinstance(value, dict) and all(fits(v, spec[6:-1]) for v in value.values())
    raise ValueError(f"unknown field spec {spec!r}")


def wrong_msg(value: object, spec: str) -> Msg | None:
    """None when `value` fits `spec`, else "expected …, got …" as a catalogue message."""
    if fits(value, spec):
        return None
    expected = Msg.of("field.spec." + spec.replace("[", "_").replace("]", ""))
    if spec in ("id", "list[id]") and isinstance(value, (str, list)):
        return Msg.of("field.expected", what=expected)
    return Msg.of("field.expected_got", what=expected, got=type_msg(value))
