"""An entry as JSON text and back (the compiled store's rows): plain data, never pickle, so a
cache file can hold nothing executable. `entry_from_json(entry_to_json(e)) == e`."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

from .model import Cause, CodeBlock, Entry, Narrowing, Section


def entry_to_json(entry: Entry) -> str:
    """The entry's fields, nested ones too, in their declared order (what `asdict` gives, written
    by the encoder as it goes instead of copied first: a quarter of the time)."""
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"), default=_plain)


def _plain(value: object) -> object:
    """What the encoder cannot write itself: a model object as its fields, a path as text."""
    if isinstance(value, Path):
        return str(value)
    names = _FIELDS.get(type(value))
    if names is None:
        names = _FIELDS[type(value)] = tuple(f.name for f in fields(value))  # type: ignore[arg-type]  # a model object
    return {name: getattr(value, name) for name in names}


_FIELDS: dict[type, tuple[str, ...]] = {}


def entry_from_json(text: str) -> Entry:
    d = json.loads(text)
    d["causes"] = [Cause(**c) for c in d["causes"]]
    d["narrowing"] = [Narrowing(**n) for n in d["narrowing"]]
    d["sections"] = {lang: Section(**{**s, "code": [CodeBlock(**c) for c in s["code"]]})
                     for lang, s in d["sections"].items()}
    d["path"] = Path(d["path"]) if d["path"] else None
    d["declared_languages"] = tuple(d["declared_languages"])
    return Entry(**d)
