"""The matcher's part of compiling the knowledge (`kb.store.Companion`): each entry prepared
where it is parsed (a worker process), the index and effects made from them all, once.

    load_cached(root, companion=MATCHER)    # entries and the matcher's index in one pass

Light on purpose (no rapidfuzz, no matcher) until the index is written: the workers import only
what preparing an entry needs. Never imports Textual.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import fields
from typing import TYPE_CHECKING

from copycar_assist.kb.codec import dumps, loads
from copycar_assist.kb.store import Companion

if TYPE_CHECKING:
    from copycar_assist.kb.model import Entry

    from .index import EntryPrep


def prepare(entry: Entry) -> EntryPrep:
    from .index import prepare_entry
    from .lexicon import default_lexicon

    return prepare_entry(entry, default_lexicon())


def fill(conn: sqlite3.Connection, preps: Iterator[EntryPrep]) -> None:
    from .compiled import fill_matcher

    fill_matcher(conn, preps)


def dump(prep: EntryPrep) -> str:
    """A prepared entry as JSON text (the next compile reuses it when the file is unchanged)."""
    return dumps(list(astuple_shallow(prep)))


def load(text: str) -> EntryPrep:
    from .index import EntryPrep

    fields = loads(text)
    prep = EntryPrep(*fields)
    prep.effects = [(effect_text, keys) for effect_text, keys in prep.effects]
    return prep


def astuple_shallow(prep: EntryPrep) -> tuple[object, ...]:
    return tuple(getattr(prep, f.name) for f in fields(prep))


MATCHER = Companion("matcher", prepare, fill, dump, load)
