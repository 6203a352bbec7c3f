"""The matcher's own data files (`matching/data/*.toml`, shipped inside the package), parsed.

    load("synonyms.toml")     # the parsed document (a new dict each call: callers cache)

Read from beside this module, as files: the package is installed as files (kb/store.py hashes
its sources the same way), and `importlib.resources` would add ~3 ms to every command's start.
Reads nothing outside the package; never writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"


def load(name: str) -> dict[str, Any]:
    import tomli  # here: a matcher loaded from the compiled store may never parse TOML

    return tomli.loads((DATA / name).read_text("utf-8"))
