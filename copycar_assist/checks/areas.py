"""The areas a reader thinks in (API key, API health, SMTP, CRM …) and the checks each holds.

`doctor` shows one line per area by default (`-v` shows every check): the area's worst result
leads the line. An area lists its checks in the order their summaries are worth reading when all
pass (the key's verification says more than "a key is configured"). A check no area names gets an
area of its own, titled like the check. `overview` sorts a run's results into those areas and
the groups of checks that could not run; `doctor`'s text and the app's diagnostics screen both
show it. No UI here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from copycar_assist.i18n import localized

from .roots import RANK, rank_key, roots

if TYPE_CHECKING:
    from .base import CheckResult


@dataclass(frozen=True)
class Area:
    id: str
    title: dict[str, str]  # lang -> title
    checks: tuple[str, ...]


# area id -> its checks; an area's title is the catalogue's check.area.<id>, in each language
_CHECKS: dict[str, tuple[str, ...]] = {
    "api-key": ("api.verify", "api.key_configured"),
    "api-health": ("api.health",),
    "rate-limits": ("api.rate_limit",),
    "endpoints": ("api.endpoints",),
    "latency": ("api.latency",),
    "content": ("content.prompt", "content.personalization"),
    "logs": ("logs.analyze",),
    "smtp": ("email.smtp", "email.limits"),
    "email-dns": ("email.domain",),
    "spam": ("email.spam",),
    "crm": ("crm.auth", "crm.permissions", "crm.fields"),
    "redis": ("cache.redis",),
    "alerts": ("monitor.alerts",),
}
AREAS: tuple[Area, ...] = tuple(Area(aid, localized(f"check.area.{aid}"), checks) for aid, checks in _CHECKS.items())
BY_CHECK = {cid: area for area in AREAS for cid in area.checks}


def group(check_ids: list[str], titles: dict[str, dict[str, str]] | None = None) -> list[Area]:
    """The areas of these checks, in the order of their first check, each holding only the
    given checks (in the area's order). `titles`: check id -> titles, for a check no area names."""
    out: dict[str, Area] = {}
    for cid in check_ids:
        area = BY_CHECK.get(cid) or Area(cid, dict((titles or {}).get(cid) or {"en": cid}), (cid,))
        if area.id not in out:
            out[area.id] = Area(area.id, area.title, tuple(c for c in area.checks if c in check_ids))
    return list(out.values())


@dataclass(frozen=True)
class AreaResults:
    """An area in which at least one check ran: those results (area order) and its skipped ones."""

    area: Area
    ran: tuple[CheckResult, ...]
    skipped: tuple[CheckResult, ...] = ()

    @property
    def lead(self) -> CheckResult:
        """The area's worst result (fail, error, warn, then the first that passed)."""
        return min(self.ran, key=rank_key)


@dataclass(frozen=True)
class NotRun:
    """A check that could not run, as a front end names it: by its area's title when none of the
    area ran (`whole_area`), else by its own title."""

    result: CheckResult
    area: Area
    whole_area: bool


@dataclass
class Overview:
    """What `doctor` says by area. `ran`: the areas where something ran, in run order. The checks
    that could not run in a whole area, or that only lack a setting in an area that passed, fall
    into `setup` (a setting is missing: one "set up" hint for all), `material` (no file or text
    was given), or `other` (any other reason, shown like an area). `follows`: consequence check
    -> its root (`roots.roots`)."""

    ran: list[AreaResults] = field(default_factory=list)
    setup: list[NotRun] = field(default_factory=list)
    material: list[NotRun] = field(default_factory=list)
    other: list[NotRun] = field(default_factory=list)
    follows: dict[str, str] = field(default_factory=dict)
    needs_input: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def area_of(self, check_id: str) -> Area | None:
        """The area of a check that ran (None: it did not run, or is not in this overview)."""
        return next((a.area for a in self.ran if any(r.id == check_id for r in a.ran)), None)

    def root_area(self, result: CheckResult) -> Area | None:
        """The area of the root failure `result` follows from, when that root ran."""
        if result.id not in self.follows or result.status not in (*RANK, "skipped"):
            return None
        return self.area_of(self.follows[result.id])

    def settings(self) -> list[str]:
        """The settings the `setup` group lacks, each once, in order."""
        return list(dict.fromkeys(x.strip() for n in self.setup
                                  for x in str(n.result.evidence["missing"]).split(",") if x.strip()))

    def inputs(self) -> list[str]:
        """The kinds of material (`needs_input`) the `material` group lacks, each once, in order."""
        return list(dict.fromkeys(k for n in self.material for k in self.needs_input.get(n.result.id, ())))


def overview(results: Iterable[CheckResult], titles: dict[str, dict[str, str]] | None = None,
             needs_input: dict[str, tuple[str, ...]] | None = None) -> Overview:
    """The results by area (see `Overview`). `titles`: check id -> titles, for a check no area
    names; `needs_input`: check id -> the material kinds it needs."""
    results = list(results)
    by_id = {r.id: r for r in results}
    out = Overview(follows=roots(results), needs_input=dict(needs_input or {}))
    for area in group([r.id for r in results], titles):
        members = [by_id[c] for c in area.checks]
        done = tuple(r for r in members if r.status != "skipped")
        skipped = tuple(r for r in members if r.status == "skipped")
        if done:
            out.ran.append(AreaResults(area, done, skipped))
        passed = all(r.status == "pass" for r in done)
        for r in skipped:
            if done and not passed:
                continue  # the area's own line speaks for it
            item = NotRun(r, area, whole_area=not done)
            if "missing" in r.evidence and "context" not in r.evidence and r.id not in out.follows:
                out.setup.append(item)
            elif not done and out.needs_input.get(r.id):
                out.material.append(item)
            elif not done:
                out.other.append(item)
    return out
