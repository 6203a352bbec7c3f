"""The demo world as the rest of the program sees it: start it, and point the settings at it.

`start_demo(scenario)` starts the simulated CopyCar API (with the CRM simulator under `/crm`) on
loopback; `use_demo(settings, handle)` points the API and an unconfigured CRM at it with the
demo credentials (never written to a file). Every front end — the app, `chat`, `doctor`,
`diagnose` — goes through these two, so the demo behaves the same everywhere.
"""

from __future__ import annotations

from typing import Any

from copycar_assist.redact import Secret

from . import crm as demo_crm
from .scenarios import DEMO_KEY
from .server import SimulatorHandle, start_simulator


def start_demo(scenario: str = "healthy", port: int = 0) -> SimulatorHandle:
    """Start the demo world; `ValueError`/`KeyError` for an unknown scenario."""
    return start_simulator(scenario=scenario, port=port)


def use_demo(settings: Any, sim: SimulatorHandle) -> None:
    """Point the API (and a CRM the settings do not configure) at the running demo world."""
    settings.api.base_url, settings.api.key, settings.api.key_source = sim.base_url, Secret(DEMO_KEY), "demo"
    settings.api.endpoints = []
    marks = ["api.base_url", "api.key"]
    if not settings.crm.base_url and not settings.crm.token:
        settings.crm.kind, settings.crm.base_url = "rest", sim.root_url + demo_crm.PREFIX
        settings.crm.token = Secret(demo_crm.DEMO_CRM_TOKEN)
        settings.crm.field_map = dict(demo_crm.DEMO_FIELD_MAP)
        marks += ["crm.kind", "crm.base_url", "crm.token", "crm.field_map"]
    settings.sources.update(dict.fromkeys(marks, "demo"))
