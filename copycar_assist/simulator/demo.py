"""The demo world as the rest of the program sees it: start it, and point the settings at it.

`start_demo(scenario)` builds the demo world (`world.py`) for a scenario or a combination
(`"expired-key,smtp-no-starttls"`): its ports are bound, nothing runs yet. `use_demo(settings,
world)` points every setting a check reads at it — the API, the CRM, SMTP (host, port, security,
login, and the demo CA in `smtp.ca_file`, trusted in demo mode only), the e-mail domain and its
nameserver, the Redis URL — with the demo credentials, marked `demo` (never written to a file),
and hands the world to the check runner (`settings.services`), which starts each service the
first time a check needs it. Every front end — the app, `chat`, `doctor`, `diagnose` — goes
through these two, so the demo behaves the same everywhere; `world.stop()` ends it.

A bare `SimulatorHandle` (tests that run the API simulator alone) points only the API and the
CRM at it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from copycar_assist.config_schema import BY_NAME, Value
from copycar_assist.redact import Secret

from . import crm as demo_crm
from .scenarios import DEMO_KEY
from .world import DemoWorld

if TYPE_CHECKING:
    from copycar_assist.config import Settings

    from .server import SimulatorHandle


def start_demo(scenario: str = "healthy") -> DemoWorld:
    """The demo world for `scenario`; `ValueError` for an unknown scenario or a clash."""
    return DemoWorld(scenario)


def _put(settings: Settings, dotted: str, value: Value | None) -> None:
    f = BY_NAME[dotted]
    if f.secret:
        value = Secret(str(value)) if value else None  # secrets are handed over as text
    settings._set(f, value, "demo")


def use_demo(settings: Settings, world: DemoWorld | SimulatorHandle) -> None:
    """Point the settings at the demo world (see the module docstring)."""
    values: dict[str, Value | None]
    if not isinstance(world, DemoWorld):  # a SimulatorHandle
        values = {"api.base_url": world.base_url, "api.key": DEMO_KEY, "api.endpoints": [],
                  "crm.kind": "rest", "crm.base_url": world.root_url + demo_crm.PREFIX,
                  "crm.token": demo_crm.DEMO_CRM_TOKEN, "crm.field_map": dict(demo_crm.DEMO_FIELD_MAP)}
    else:
        values = world.settings()
        settings.services = world
        world.on_moved = lambda dotted, value: _put(settings, dotted, value)
    for dotted, value in values.items():
        _put(settings, dotted, value)
