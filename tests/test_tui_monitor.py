"""The Monitor screen (F5): charts with the thresholds, the endpoints, alerts as they come; the
footer stays readable at 80 columns; the palette and the help reach it."""

from __future__ import annotations

from copycar_assist.monitor.clock import ManualClock

from fixtures_tui import demo_settings, make_app, screen_text, settle


async def test_monitor_screen_shows_the_flaky_api_alerting(kb, simulator):
    sim = simulator("flaky")
    settings = demo_settings(sim)
    settings.api.key = None
    app = make_app(kb, settings, lang="en")
    app.monitor_clock = ManualClock()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f5")
        for _ in range(300):
            await pilot.pause(0.02)
            if "HIGH_ERROR_RATE" in screen_text(app):
                break
        text = screen_text(app)
        assert "HIGH_ERROR_RATE" in text and "ALERT" in text
        assert sim.base_url in text or "127.0.0.1" in text
        assert "p95 (ms)" in text and "errors (%)" in text
        footer = text.splitlines()[-1]
        assert "Pause" in footer and "f4 Doctor" in footer
        await pilot.press("space")
        await pilot.pause()
        assert "view paused" in screen_text(app)
        await pilot.press("ctrl+l")  # Spanish: columns and words follow
        await pilot.pause(0.05)
        assert "Errores" in screen_text(app)
