"""Live checks: the model (`base`), the registry, the concurrent runner and the check families.

    from copycar_assist.checks import all_checks, checks_for_entry, run_checks, make_client

Names are loaded on first use (PEP 562), so importing the model (`checks.base`) stays cheap:
httpx and the knowledge base are imported only when the runner or the client is needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from copycar_assist.lazy import lazy_exports

_EXPORTS = {
    "STATUSES": "base", "Check": "base", "CheckContext": "base", "CheckFinished": "base", "CheckResult": "base",
    "CheckStarted": "base", "CheckStep": "base", "Event": "base", "Finding": "base", "Inputs": "base",
    "SharedClient": "http_client", "make_client": "http_client",
    "all_checks": "registry", "checks_for_entry": "registry", "checks_for_tags": "registry", "checks_named": "registry",
    "known_tags": "registry", "register": "registry",
    "RunReport": "results", "map_outcome": "results", "run_checks": "runner",
}
# the names of _EXPORTS, spelled out so type checkers know what the package exports
__all__ = ["STATUSES", "Check", "CheckContext", "CheckFinished", "CheckResult", "CheckStarted", "CheckStep", "Event",
           "Finding", "Inputs", "RunReport", "SharedClient", "all_checks", "checks_for_entry", "checks_for_tags", "checks_named", "known_tags",
           "make_client", "map_outcome", "register", "run_checks"]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


if TYPE_CHECKING:
    from .base import (
        STATUSES,
        Check,
        CheckContext,
        CheckFinished,
        CheckResult,
        CheckStarted,
        CheckStep,
        Event,
        Finding,
        Inputs,
    )
    from .http_client import SharedClient, make_client
    from .registry import all_checks, checks_for_entry, checks_for_tags, checks_named, known_tags, register
    from .results import RunReport, map_outcome
    from .runner import run_checks
