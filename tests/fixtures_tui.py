"""Shared helpers for the Textual app's tests (Pilot, snapshots)."""

from __future__ import annotations

from copycar_assist.config import Settings


def demo_settings(handle) -> Settings:
    from copycar_assist.simulator.demo import use_demo

    settings = Settings()
    use_demo(settings, handle)
    return settings


def make_app(kb, settings: Settings | None = None, lang: str | None = "en", demo: str | None = None):
    from copycar_assist.tui.app import CopyCarApp

    return CopyCarApp(kb, settings or Settings(), lang=lang, demo_scenario=demo)


async def settle(app, pilot, pause: float | None = None) -> None:
    """Let messages, timers and workers finish (no fixed sleeps beyond `pause`).

    The app loads its engine and matcher just after the first frame: wait for them too."""
    for _ in range(200):
        if app.matcher is not None and app.chat().conversation is not None:
            break
        await pilot.pause(0.01)
    await pilot.pause(pause)
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def screen_rows(app) -> list[str]:
    """What the terminal shows, one string per row, read from Textual's public SVG screenshot
    (`App.export_screenshot`): each text run is placed by its column (x / cell width) on its row
    (the run's clip path names the line)."""
    import html
    import re

    width, height = app.size
    svg = app.export_screenshot()
    cell = None
    rows = [[" "] * width for _ in range(height)]
    runs = re.findall(r'<text class="[^"]*" x="([0-9.]+)" y="[0-9.]+" textLength="([0-9.]+)" '
                      r'clip-path="url\(#[^)]*-line-(\d+)\)">(.*?)</text>', svg)
    for x, length, line, raw in runs:
        text = html.unescape(raw).replace("\xa0", " ")
        cell = cell or float(length) / max(len(text), 1)
        col = round(float(x) / cell)
        for i, ch in enumerate(text):
            if 0 <= int(line) < height and col + i < width:
                rows[int(line)][col + i] = ch
    return ["".join(r).rstrip() for r in rows]


def record_notices(app) -> list[str]:
    """From now on, the text of every notice the app shows (Textual keeps its list private)."""
    seen: list[str] = []
    notify = app.notify

    def spy(message, *args, **kwargs):
        seen.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = spy
    return seen


def screen_text(app) -> str:
    """What the terminal shows, as plain text (one line per row)."""
    return "\n".join(screen_rows(app))


def screen_controls(app) -> set[str]:
    """Control characters present anywhere in the rendered screen."""
    found = set()
    for row in screen_rows(app):
        for ch in row:
            if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or ch == "\u202e":
                found.add(ch)
    return found


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


async def say(app, pilot, text: str) -> None:
    """Type a line into the chat, key by key, then Enter, and let the turn finish."""
    await pilot.press(*text, "enter")
    await settle(app, pilot)
