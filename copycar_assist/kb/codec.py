"""An entry as JSON text and back (the compiled store's rows): plain data, never pickle, so a
cache file can hold nothing executable. `entry_from_json(entry_to_json(e)) == e`."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from .model import Cause, CodeBlock, Entry, Narrowing, Section


def entry_to_json(entry: Entry) -> str:
    data = asdict(entry)
    data["path"] = str(entry.path) if entry.path else None
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def entry_from_json(text: str) -> Entry:
    d = json.loads(text)
    d["causes"] = [Cause(**c) for c in d["causes"]]
    d["narrowing"] = [Narrowing(**n) for n in d["narrowing"]]
    d["sections"] = {lang: Section(**{**s, "code": [CodeBlock(**c) for c in s["code"]]})
                     for lang, s in d["sections"].items()}
    d["path"] = Path(d["path"]) if d["path"] else None
    d["declared_languages"] = tuple(d["declared_languages"])
    return Entry(**d)
