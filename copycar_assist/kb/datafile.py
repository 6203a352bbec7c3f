"""A knowledge data file (checks.toml, categories.toml, support.toml) through the one reader."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from copycar_assist.files.read import DATA, ReadError, read_toml

from .errors import KnowledgeError, Problem

if TYPE_CHECKING:
    from copycar_assist.files.toml import KeyLines


def read_data(path: Path) -> tuple[dict[str, Any], KeyLines]:
    """The parsed file and where its keys are written; a `KnowledgeError` naming the file and line
    when it cannot be read (not a regular file, too large, not UTF-8, nested too deep, bad TOML)."""
    from copycar_assist.files.toml import (
        KeyLines,  # on use: the app's start-up loads a cached kb
    )

    try:
        data, text = read_toml(path, DATA)
    except ReadError as exc:
        raise KnowledgeError([Problem(path, exc.line, exc.reason_msg())]) from None
    return data, KeyLines(text)
