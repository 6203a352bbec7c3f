"""The practice cases: one for every cause a demo scenario shows (`simulator.catalogue`), so every
shipped entry and every cause the demo world can show has one (a test holds them to that).

A case is a scenario spec for the demo world (one scenario, or two of different services for
the "two faults" difficulty) and the faults the trainee must find, each an (entry, cause) the
scenario shows. The scenario stays hidden: front ends show `Case.header`, never its name.

`draw(…)` picks a case, preferring the entries the trainee is weakest at or about to forget
(`weight` from progress.py), at random among equals. Pure data and choice; nothing runs here.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from copycar_assist.simulator.catalogue import SCENARIOS, UnknownScenario, resolve

if TYPE_CHECKING:
    from copycar_assist.kb import KnowledgeBase

DIFFICULTIES = ("clear", "vague", "two")


@dataclass(frozen=True)
class Fault:
    scenario: str
    entry: str
    cause: str
    how: str  # check | evidence: how the demo world shows it
    via: str

    @property
    def key(self) -> str:
        return f"{self.entry}#{self.cause}"


@dataclass(frozen=True)
class Case:
    faults: tuple[Fault, ...]
    difficulty: str

    @property
    def scenario(self) -> str:
        return ",".join(dict.fromkeys(f.scenario for f in self.faults))

    @property
    def id(self) -> str:
        return "+".join(f"{f.scenario}/{f.key}" for f in self.faults)

    @property
    def entries(self) -> list[str]:
        return list(dict.fromkeys(f.entry for f in self.faults))


def all_faults(kb: KnowledgeBase) -> list[Fault]:
    """Every (scenario, shown cause) whose entry and cause the knowledge has."""
    out = []
    for sc in SCENARIOS.values():
        for s in sc.shows:
            entry = kb.entries.get(s.entry)
            if entry is not None and entry.cause(s.cause) is not None:
                out.append(Fault(sc.name, s.entry, s.cause, s.how, s.via))
    return out


def combinable(a: Fault, b: Fault) -> bool:
    """Two faults the demo world can show at once, and that a trainee can tell apart."""
    if a.entry == b.entry or a.scenario == b.scenario:
        return False
    try:
        resolve(f"{a.scenario},{b.scenario}")
    except UnknownScenario:
        return False
    return True


def case_for(kb: KnowledgeBase, spec: str, difficulty: str = "clear") -> Case:
    """The case named `scenario/entry#cause[+scenario/entry#cause]` (what `Case.id` gives), or for
    a bare entry id its first fault; `ValueError` when there is none."""
    faults = all_faults(kb)
    chosen = []
    for part in spec.split("+"):
        hit = [f for f in faults if f"{f.scenario}/{f.key}" == part or f.entry == part or f.scenario == part]
        if not hit:
            raise ValueError(f"no practice case {part!r}")
        chosen.append(hit[0])
    return Case(tuple(chosen), "two" if len(chosen) > 1 else difficulty)


def draw(kb: KnowledgeBase, difficulty: str = "clear", rng: random.Random | None = None,
         weight: Callable[[str], float] | None = None, exclude: Collection[str] = frozenset()) -> Case:
    """A case at `difficulty`, entries weighted by `weight(entry)` (higher: more needed)."""
    if difficulty not in DIFFICULTIES:
        raise ValueError(f"difficulty must be one of {', '.join(DIFFICULTIES)}")
    rng = rng or random.Random()
    faults = [f for f in all_faults(kb) if f.key not in exclude] or all_faults(kb)
    w = weight or (lambda entry: 1.0)

    def one(pool: list[Fault]) -> Fault:
        by_entry: dict[str, list[Fault]] = {}
        for f in pool:
            by_entry.setdefault(f.entry, []).append(f)
        entries = sorted(by_entry)
        entry = rng.choices(entries, weights=[max(w(e), 0.01) for e in entries])[0]
        return rng.choice(by_entry[entry])

    first = one(faults)
    if difficulty != "two":
        return Case((first,), difficulty)
    partners = [f for f in all_faults(kb) if combinable(first, f)]
    if not partners:
        return Case((first,), "clear")
    return Case((first, one(partners)), "two")
