"""Snapshots (pytest-textual-snapshot) of the main screens at 80×24 and 120×36.

Only deterministic states: no check durations, no clocks. Update with `--snapshot-update` after
looking at the new SVGs (`snapshot_report.html`).
"""

from __future__ import annotations

import pytest

from fixtures_tui import make_app, settle


def still(app):
    """Before the screenshot: finish work, and stop the cursor blinking."""

    async def run_before(pilot):
        await settle(app, pilot)
        for widget in app.screen.query("Input"):
            widget.cursor_blink = False
        await pilot.pause()

    return run_before


def then(app, keys, *, pause: float | None = None):
    async def run_before(pilot):
        await settle(app, pilot)
        await pilot.press(*keys)
        await settle(app, pilot, pause)
        for widget in app.screen.query("Input"):
            widget.cursor_blink = False
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_chat_greeting(snap_compare, kb, size):
    app = make_app(kb, lang="en")
    assert snap_compare(app, terminal_size=size, run_before=still(app))


def test_chat_confirm_symptoms_120(snap_compare, kb):
    app = make_app(kb, lang="en")
    keys = [*"too many requests 429", "enter"]
    assert snap_compare(app, terminal_size=(120, 36), run_before=then(app, keys, pause=0.3))


def test_browser_80(snap_compare, kb):
    app = make_app(kb, lang="es")
    assert snap_compare(app, terminal_size=(80, 24), run_before=then(app, ["f3", "down", "down", "right"]))


def test_help_120(snap_compare, kb):
    app = make_app(kb, lang="en")
    assert snap_compare(app, terminal_size=(120, 36), run_before=then(app, ["f1"]))
