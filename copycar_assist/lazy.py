"""Names of a package loaded on first use (PEP 562): importing one module of the package does
not import every other, so a command pays only for what it uses.

    _EXPORTS = {"Matcher": "matcher", "Match": "result"}          # name -> module of the package
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

A name is imported from its module the first time it is asked for, then kept in the package
(the next access is an ordinary one). Imports nothing of the project's.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_exports(package: str, exports: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The `__getattr__` and `__dir__` of `package`, for the names in `exports`."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__
