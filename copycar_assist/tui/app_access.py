"""The typed way a screen or widget reaches the running `CopyCarApp`.

Textual types `self.app` as `App[Any]`, so the app's own attributes (`lang`, `kb`, `settings`,
`open_in_chat` …) are unknown to mypy there. `AppAccess.copycar_app` is the same object, typed as
the app it is. This module never holds state and never imports the app at run time (the app
imports the screens).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from .app import CopyCarApp

    _Node = DOMNode
else:
    _Node = object  # at run time a plain mixin: adds no CSS type name, no message handlers


class AppAccess(_Node):
    """Mixed into the screens and widgets that read the app's own attributes."""

    @property
    def copycar_app(self) -> CopyCarApp:
        """`self.app`, typed: every screen and widget of this package runs inside a `CopyCarApp`."""
        return cast("CopyCarApp", self.app)
