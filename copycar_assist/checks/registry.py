"""Which checks exist: one module per family, each with `CHECKS: list[Check]`.

A family module that is not written yet is skipped (and `missing_families()` says which), so the
registry works while the team builds the families in parallel.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from copycar_assist.kb import KnowledgeBase

    from .base import Check

FAMILIES = ("api", "content", "logs", "email", "crm", "cache", "monitor")
_BROKEN: dict[str, str] = {}


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, Check], dict[str, str]]:
    checks: dict[str, Check] = {}
    missing: dict[str, str] = {}
    for family in FAMILIES:
        name = f"{__package__}.{family}"
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                missing[family] = f"module {name} does not exist yet"
                continue
            _BROKEN[family] = f"module {name} failed to import: {type(exc).__name__}: {exc}"
            continue
        except Exception as exc:  # a broken family must not take the other checks down
            _BROKEN[family] = f"module {name} failed to import: {type(exc).__name__}: {exc}"
            continue
        for check in getattr(module, "CHECKS", ()):
            if check.id in checks:
                raise RuntimeError(f"check id {check.id!r} is defined twice ({family})")
            checks[check.id] = check
    return checks, missing


def all_checks() -> dict[str, Check]:
    """Every implemented check, by id."""
    return dict(_load()[0])


def missing_families() -> dict[str, str]:
    """Family modules that do not exist yet: family -> reason."""
    return dict(_load()[1])


def broken_families() -> dict[str, str]:
    """Family modules that exist but failed to import: family -> reason."""
    _load()
    return dict(_BROKEN)


def unavailable_reason(check_id: str) -> tuple[str, str]:
    """(status, reason) for a check id with no implementation: `error` when its module is broken."""
    family = check_id.split(".", 1)[0]
    if family in broken_families():
        return "error", broken_families()[family]
    return "skipped", missing_families().get(family, f"no implementation of {check_id}")


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
