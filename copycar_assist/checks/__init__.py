"""Live checks: the model (`base`), the registry, the concurrent runner and the check families.

    from copycar_assist.checks import all_checks, checks_for_entry, run_checks, make_client
"""

from .base import (
    STATUSES, Check, CheckContext, CheckFinished, CheckResult, CheckStarted, CheckStep, Event, Finding, Inputs,
)
from .http import make_client
from .registry import all_checks, checks_for_entry, checks_for_tags, known_tags, missing_families
from .runner import RunReport, map_outcome, run_checks

__all__ = [
    "STATUSES", "Check", "CheckContext", "CheckFinished", "CheckResult", "CheckStarted", "CheckStep", "Event",
    "Finding", "Inputs", "RunReport", "all_checks", "checks_for_entry", "checks_for_tags", "known_tags",
    "make_client", "map_outcome", "missing_families", "run_checks",
]
