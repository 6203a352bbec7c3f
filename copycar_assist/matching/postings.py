"""Postings kept compact: which entries (or effects) a key points at, as two flat arrays (entry
numbers ascending, and their weights) instead of a dict of boxed numbers, and their text form in
the compiled index (JSON text holding the arrays' bytes in base64: read without parsing a number).

    p = Postings.of({3: 1.0, 17: 0.8})     # or Postings.decode(p.encode()) from the compiled index
    p[17], 4 in p, list(p.items())         # a Mapping[int, float]
    p.ids, p.weights                       # array('i'), array('d'): numpy reads them without copying

A large knowledge base (LARGE entries and more) is scored with numpy over these arrays
(`bulk.py`); a small one in plain Python, never importing numpy. Stdlib only; never imports
Textual.
"""

from __future__ import annotations

import base64
import sys
from array import array
from bisect import bisect_left
from collections.abc import ItemsView, Iterator, Mapping

# From this many entries on, queries are scored with numpy (`bulk.py`): posting lists run into
# the thousands, where a Python loop over them costs more than numpy's import.
LARGE = 500


def pack_array(values: array[int] | array[float]) -> str:
    """An array's bytes (little-endian) as base64 text."""
    if sys.byteorder != "little":
        values = array(values.typecode, values)
        values.byteswap()
    return base64.b64encode(values.tobytes()).decode("ascii")


def unpack_array(typecode: str, text: str) -> array[int] | array[float]:
    """The array `pack_array` wrote (`typecode`: "i" or "d")."""
    values: array[int] | array[float] = array(typecode)
    values.frombytes(base64.b64decode(text, validate=True))
    if sys.byteorder != "little":
        values.byteswap()
    return values


class Postings(Mapping[int, float]):
    """entry -> weight, over two parallel arrays, entries ascending (as the index is built)."""

    __slots__ = ("ids", "weights")

    def __init__(self, ids: array[int], weights: array[float]) -> None:
        if len(ids) != len(weights):
            raise ValueError("postings: ids and weights differ in length")
        self.ids, self.weights = ids, weights

    @classmethod
    def of(cls, pairs: Mapping[int, float]) -> Postings:
        ids = sorted(pairs)
        return cls(array("i", ids), array("d", (pairs[n] for n in ids)))

    def encode(self) -> list[str]:
        return [pack_array(self.ids), pack_array(self.weights)]

    @classmethod
    def decode(cls, parts: list[str]) -> Postings:
        ids, weights = unpack_array("i", parts[0]), unpack_array("d", parts[1])
        return cls(ids, weights)  # type: ignore[arg-type]

    def _at(self, n: object) -> int:
        if isinstance(n, int):
            i = bisect_left(self.ids, n)
            if i < len(self.ids) and self.ids[i] == n:
                return i
        return -1

    def __getitem__(self, n: int) -> float:
        i = self._at(n)
        if i < 0:
            raise KeyError(n)
        return self.weights[i]

    def __contains__(self, n: object) -> bool:
        return self._at(n) >= 0

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def items(self) -> ItemsView[int, float]:
        return _Items(self)


class _Items(ItemsView[int, float]):
    """(entry, weight) pairs read straight off the arrays (no lookup per pair)."""

    _mapping: Postings

    def __iter__(self) -> Iterator[tuple[int, float]]:
        return zip(self._mapping.ids, self._mapping.weights)
