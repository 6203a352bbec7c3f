"""The settings file on disk: read it privately, write it atomically, change it under a lock.

Kept apart from `config.py` (the model, loading and validation) so each file has one concern; the
work itself is done by the one reader and the one writer (`copycar_assist/files`).

- `read_private(path)`: the text of the settings, or None when there is none. A symbolic link, a
  file other users can read or write (it holds secrets; a writable one could point the key at
  another host), another user's file, a FIFO or device, a file over 1 MiB or one that is not UTF-8
  is a `ReadError` that says what is wrong and how to fix it.
- `write_atomic(path, data)`: see `files/write.py` (re-exported here for the settings' callers).
- `update_settings_file(path, change)`: read the document, `change(data)` it and write it back, all
  under the settings lock, so concurrent writers (`config set`, `setup`, a profile saved from a
  case) never lose each other's changes. Nothing is written when `change` returns False.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .files.read import SETTINGS, read_text
from .files.toml import KeyLines, toml_error
from .files.write import ensure_private_dir, locked, write_atomic

__all__ = ["KeyLines", "ensure_private_dir", "locked", "read_private", "toml_error", "update_settings_file",
           "write_atomic"]


def read_private(path: Path) -> str | None:
    """The text of the settings file, or None when it does not exist (see the module doc)."""
    return read_text(path, SETTINGS, missing_ok=True)


_R = TypeVar("_R")


def update_settings_file(path: Path, change: Callable[[dict[str, Any]], _R]) -> _R:
    """See the module doc. Raises `ConfigError` (the file or the result is invalid) or `OSError`."""
    from .config import read_config_dict, save_settings

    with locked(path):
        data, _ = read_config_dict(path)
        result = change(data)
        if result is not False:
            save_settings(data, path)
    return result
