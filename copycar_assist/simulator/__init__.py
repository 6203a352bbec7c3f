"""The demo world on loopback, with named fault scenarios: the CopyCar API and the CRM (`server`,
`scenarios`, `crm`), SMTP (`smtp`), DNS (`dns`), Redis (`cache`), the material (`content`), all
of them listed in `catalogue` and run together by `world.DemoWorld`; `demo` wires it to the
settings. The API simulator alone:

    with start_simulator("expired-key") as sim:
        settings.api.base_url = sim.base_url     # http://127.0.0.1:PORT/v2
        settings.api.key = Secret(DEMO_KEY)
        sim.set_scenario("down")                 # switch at run time

Other simulators mount their routes with `register_routes("/crm", handler, scenarios)`.
"""

from typing import TYPE_CHECKING

from copycar_assist.lazy import lazy_exports

from .scenarios import API_PREFIX, DEMO_KEY, SCENARIOS, SimRequest, SimResponse

if TYPE_CHECKING:
    from .server import SimulatorHandle, all_scenarios, register_routes, start_simulator

__all__ = [
    "API_PREFIX", "DEMO_KEY", "SCENARIOS", "SimRequest", "SimResponse", "SimulatorHandle", "all_scenarios",
    "register_routes", "start_simulator",
]
# the HTTP server (http.server and friends) is imported when first used, not when the demo world
# is built: the app's first frame does not wait for it
__getattr__, __dir__ = lazy_exports(__name__, {name: "server" for name in (
    "SimulatorHandle", "all_scenarios", "register_routes", "start_simulator")})
