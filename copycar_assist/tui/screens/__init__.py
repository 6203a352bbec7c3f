"""Screens of the app, one per file; the app's modes make theirs with the functions below, each
importing its screen's module the first time the mode is opened (start-up time)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen


def chat_screen() -> Screen:
    from .chat import ChatScreen

    return ChatScreen()


def browser_screen() -> Screen:
    from .browser import BrowserScreen

    return BrowserScreen()


def doctor_screen() -> Screen:
    from .diagnostics import DiagnosticsScreen

    return DiagnosticsScreen()


def monitor_screen() -> Screen:
    from .monitor import MonitorScreen

    return MonitorScreen()


def train_screen() -> Screen:
    from .train import TrainScreen

    return TrainScreen()
