"""The app's modes (`CopyCarApp.MODES`) and the screen each one opens. A screen's module is
imported when its mode is first opened (start-up time). The chat is the default screen
(`chat_screen`), not one of MODES: a MODES screen first opened costs a second parse of every
stylesheet before the first frame; the app adds it to the modes once mounted."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen

    from .screens.browser import BrowserScreen
    from .screens.chat import ChatScreen
    from .screens.diagnostics import DiagnosticsScreen
    from .screens.monitor import MonitorScreen
    from .screens.train import TrainScreen


def chat_screen() -> ChatScreen:
    from .screens.chat import ChatScreen

    return ChatScreen()


def _browser() -> BrowserScreen:
    from .screens.browser import BrowserScreen

    return BrowserScreen()


def _doctor() -> DiagnosticsScreen:
    from .screens.diagnostics import DiagnosticsScreen

    return DiagnosticsScreen()


def _monitor() -> MonitorScreen:
    from .screens.monitor import MonitorScreen

    return MonitorScreen()


def _train() -> TrainScreen:
    from .screens.train import TrainScreen

    return TrainScreen()


MODES: dict[str, str | Callable[[], Screen[Any]]] = {"browser": _browser, "doctor": _doctor, "monitor": _monitor,
                                                     "train": _train}
