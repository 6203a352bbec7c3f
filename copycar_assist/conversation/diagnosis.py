"""Telling causes apart: run the entry's checks, read what they point to, rule causes out,
choose the questions to ask, and verify a fix by re-running the checks that found the cause.

Pure reasoning over check results lives here as plain functions; the engine calls them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from copycar_assist.checks.base import CheckResult
from copycar_assist.kb import Cause, Entry

from .states import CauseKey

CONCLUSIVE = ("pass", "warn", "fail")
# A result points to a cause when the runner mapped its outcome to one and it did not pass.
# That includes `error` with a real outcome (a 503 on /verify says "server_error": the key is
# unknown, but the API being down is a cause); the runner's own error/skipped map to nothing.
RANK = {"fail": 0, "error": 1, "warn": 2}


def points(r: CheckResult) -> bool:
    return bool(r.entry and r.cause) and r.status != "pass"


def pointed_cause(results: Iterable[CheckResult]) -> tuple[CauseKey, list[CheckResult]] | None:
    """The cause the results point to (the first failing result, else the first error with a
    mapped outcome, else the first warning), with every result pointing to that same cause."""
    results = list(results)
    pointing = sorted((r for r in results if points(r)), key=lambda r: RANK.get(r.status, 3))
    if not pointing:
        return None
    key = (pointing[0].entry, pointing[0].cause)
    return key, [r for r in results if points(r) and (r.entry, r.cause) == key]


def reach(entry: Entry) -> dict[str, set[str]]:
    """cause id → the check ids whose outcomes lead to it (within this entry)."""
    out: dict[str, set[str]] = {}
    for key, target in entry.outcomes.items():
        if "#" in target:
            continue
        check_id = key.rsplit(".", 1)[0]
        out.setdefault(target, set()).add(check_id)
    return out


def ruled_out(entry: Entry, results: dict[str, CheckResult]) -> set[CauseKey]:
    """Causes of `entry` that every check able to reach them examined conclusively without
    pointing to them. A cause reachable by a check that was skipped, crashed or not run stays
    open. (The engine still asks the question of a ruled-out cause that has one.)"""
    out: set[CauseKey] = set()
    for cause_id, checks in reach(entry).items():
        conclusive = all(c in results and results[c].status in CONCLUSIVE for c in checks)
        pointed = any(
            (results[c].entry, results[c].cause) == (entry.id, cause_id) for c in checks if c in results
        )
        if conclusive and not pointed:
            out.add((entry.id, cause_id))
    return out


def open_causes(tree: Any, entry: Entry, excluded: set[CauseKey]) -> list[Cause]:
    """The entry's remaining causes in order (the decision tree's "next likely cause")."""
    skip = [cid for (eid, cid) in excluded if eid == entry.id]
    return list(tree.candidate_causes(entry.id, exclude=skip))


def verification(results: list[CheckResult], cause: CauseKey) -> tuple[str, tuple[CauseKey, list[CheckResult]] | None]:
    """Read re-run results: ("still", None) the same cause shows; ("other", found) another cause
    shows; ("pass", None) the checks ran and point to no cause; ("unverified", None) none could run."""
    if any(points(r) and (r.entry, r.cause) == cause for r in results):
        return "still", None
    other = pointed_cause(results)
    if other is not None:
        return "other", other
    if any(r.status in CONCLUSIVE for r in results):
        return "pass", None
    return "unverified", None
