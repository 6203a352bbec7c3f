"""Which checks exist: one module per family, each with `CHECKS: list[Check]`, registered once.

Registering a check holds it to the catalogue (`knowledge/checks.toml`, the shipped one): its id
is catalogued, and the outcomes it declares are exactly the catalogue's for that id. A family
module that fails to import, or a check that breaks these rules, is an error at registration —
never a quietly skipped check.

A family is the part of a check id before its dot (`crm.auth` is the `crm` family's): it is
imported and registered the first time one of its checks is asked for (`checks_named`), so a run
of some checks does not import every other family's modules (the e-mail family's DNS, SPF, DMARC
and SMTP probes, the cache's Redis probe, …); `all_checks()` registers them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import import_module
from typing import TYPE_CHECKING

from .base import Check

if TYPE_CHECKING:
    from copycar_assist.kb import KnowledgeBase
    from copycar_assist.kb.model import CheckSpec

FAMILIES = ("api", "content", "logs", "email", "crm", "cache", "monitor")


class RegistrationError(RuntimeError):
    """A check that does not match the catalogue (a bug in this package, never the user's)."""


def register(checks: Iterable[object], catalogue: dict[str, CheckSpec]) -> dict[str, Check]:
    """id -> check, each held to `catalogue`. RegistrationError names every mismatch."""
    out: dict[str, Check] = {}
    problems: list[str] = []
    settings = _setting_names()
    for check in checks:
        if not isinstance(check, Check):
            problems.append(f"{check!r} is not a Check")
            continue
        cid = check.id
        if cid in out:
            problems.append(f"check id {cid!r} is defined twice")
            continue
        spec = catalogue.get(cid)
        if spec is None:
            problems.append(f"{cid} is not in checks.toml")
            continue
        missing = [o for o in spec.outcomes if o not in check.outcomes]
        extra = [o for o in check.outcomes if o not in spec.outcomes]
        if missing or extra:
            problems.append(f"{cid} declares outcomes {', '.join(check.outcomes)}; checks.toml has "
                            f"{', '.join(spec.outcomes)}"
                            + (f" (missing: {', '.join(missing)})" if missing else "")
                            + (f" (not catalogued: {', '.join(extra)})" if extra else ""))
            continue
        unknown = [name for name in spec.needs if name not in settings]
        if unknown:
            problems.append(f"{cid} needs unknown setting(s) {', '.join(unknown)}")
            continue
        out[cid] = check
    if problems:
        raise RegistrationError("; ".join(problems))
    return out


def _setting_names() -> frozenset[str]:
    from copycar_assist.config_schema import BY_NAME

    return frozenset(BY_NAME)


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, CheckSpec]:
    from copycar_assist.kb.loader import default_dir, load_catalog

    return load_catalog(default_dir() / "checks.toml")


@lru_cache(maxsize=len(FAMILIES))
def _family(name: str) -> dict[str, Check]:
    """The checks of the family `name` (one of FAMILIES), its module imported and registered."""
    checks = import_module(f"{__package__}.{name}").CHECKS
    strangers = [c.id for c in checks if isinstance(c, Check) and c.id.split(".", 1)[0] != name]
    if strangers:
        raise RegistrationError(f"the {name} family defines checks of another family: {', '.join(strangers)}")
    return register(checks, _catalogue())


def all_checks() -> dict[str, Check]:
    """Every check, by id (registered on first use)."""
    return {cid: check for name in FAMILIES for cid, check in _family(name).items()}


def checks_named(check_ids: Iterable[str]) -> dict[str, Check]:
    """The checks of these ids that exist, by id: only their families are imported. An id of no
    family is left out (the runner reports it as an unknown check)."""
    out: dict[str, Check] = {}
    for cid in check_ids:
        family = cid.split(".", 1)[0]
        if family in FAMILIES and cid in _family(family):
            out[cid] = _family(family)[cid]
    return out


def checks_for_entry(kb: KnowledgeBase, entry_id: str) -> list[str]:
    """The check ids an entry names, in its order. KeyError for an unknown entry."""
    entry = kb.entries[entry_id]
    seen: list[str] = []
    for cid in entry.checks:
        if cid not in seen:
            seen.append(cid)
    return seen


def checks_for_tags(kb: KnowledgeBase, tags: Iterable[str] | None = None) -> list[str]:
    """Catalogue ids (catalogue order) whose tags meet `tags`; every check when `tags` is empty."""
    wanted = {t.strip().lower() for t in (tags or ()) if t and t.strip()}
    out = []
    for cid, spec in kb.checks.items():
        family = cid.split(".", 1)[0]
        if not wanted or wanted & set(spec.tags) or family in wanted:
            out.append(cid)
    return out


def known_tags(kb: KnowledgeBase) -> list[str]:
    tags: list[str] = []
    for spec in kb.checks.values():
        for tag in spec.tags:
            if tag not in tags:
                tags.append(tag)
    return tags
