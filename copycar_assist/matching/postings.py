"""Postings kept compact: which entries (or effects) a key points at, as two flat arrays (entry
numbers ascending, and their weights) instead of a dict of boxed numbers, and their form in the
compiled index (the arrays' bytes, little-endian: read without parsing a number).

    p = Postings.of({3: 1.0, 17: 0.8})     # or Postings.from_bytes(p.to_bytes()) from the compiled index
    p[17], 4 in p, list(p.items())         # a Mapping[int, float]
    p.ids, p.weights                       # array('i'), array('d'): numpy reads them without copying

A large knowledge base (LARGE entries and more) is scored with numpy over these arrays
(`bulk.py`); a small one in plain Python, never importing numpy. Stdlib only; never imports
Textual.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from collections.abc import ItemsView, Iterator, Mapping

# From this many entries on, queries are scored with numpy (`bulk.py`): posting lists run into
# the thousands, where a Python loop over them costs more than numpy's import.
LARGE = 500
_ITEMS = (array("i").itemsize, array("d").itemsize)
_PAIR = 4 + 8  # bytes per entry: its number (int32) and its weight (float64)


def _little(values: array[int] | array[float]) -> array[int] | array[float]:
    """`values` in little-endian order (a copy only on a big-endian machine)."""
    if sys.byteorder != "little":
        values = array(values.typecode, values)
        values.byteswap()
    return values


def _read(typecode: str, data: memoryview) -> array[int] | array[float]:
    values: array[int] | array[float] = array(typecode)
    values.frombytes(data)
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

    def to_bytes(self) -> bytes:
        """The entries (int32) then the weights (float64), little-endian."""
        return _little(self.ids).tobytes() + _little(self.weights).tobytes()

    @classmethod
    def from_bytes(cls, data: bytes | memoryview) -> Postings:
        """What `to_bytes` wrote (a ValueError for anything else)."""
        view = memoryview(data).cast("B")
        n, rest = divmod(len(view), _PAIR)
        if rest or _ITEMS[0] != 4 or _ITEMS[1] != 8:
            raise ValueError(f"postings: {len(view)} bytes are not a whole number of entries")
        return cls(_read("i", view[:4 * n]), _read("d", view[4 * n:]))  # type: ignore[arg-type]

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
