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


def screen_text(app) -> str:
    """What the terminal shows, as plain text (one line per row)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def screen_controls(app) -> set[str]:
    """Control characters present anywhere in the rendered screen."""
    found = set()
    for strip in app.screen._compositor.render_strips():
        for ch in strip.text:
            if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or ch == "\u202e":
                found.add(ch)
    return found


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)
