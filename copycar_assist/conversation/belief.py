"""Diagnosis by evidence: a belief over an entry's causes, and the next action chosen by value.

The way decision-theoretic troubleshooters work (Heckerman, Breese and Rommelse): start from how
common each cause is (the knowledge's `prior`, uniform where unknown), multiply in the evidence —
the user's words (`matching.cues`), every check outcome, every answer — and normalise. Then take
the action with the best chance of settling the cause for its cost: checks run first (they
cost seconds, not attention), a question costs the user's attention, confirming what the user
already said costs half of that, asking for material to paste costs more, and walking a cause's
steps on a hunch costs most.

Pure functions over plain data: `believe(entry, facts)` and `plan(...)`; the engine runs them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from copycar_assist.checks.roots import RANK, roots

from .states import CauseKey, Facts

if TYPE_CHECKING:
    from copycar_assist.checks.base import CheckResult
    from copycar_assist.kb import Entry
    from copycar_assist.matching.cues import CueHit

# Likelihood ratios: how much more likely the evidence is when the cause is the one.
LR_CUE = 6.0  # the user's words match the cause's evidence (scaled by how well)
LR_CUE_MORE = 1.5  # each further hit for the same cause
LR_CUE_MAX = 12.0
# Which question comes first: a cause whose exact error name or message the user pasted (a strong
# cue) is asked about before those their other words point to, unless they are this much likelier
# (the answer, not the paste, decides: an error line can be printed for more than one cause).
STRONG_FIRST = 20.0
LR_POINTED = {"fail": 40.0, "error": 20.0, "warn": 8.0}  # a check outcome maps to the cause, by its status
ALSO_SHARE = 0.5  # an outcome that fits the cause too (the entry maps it first to another)
LR_RULED_OUT = 0.2  # every check that could see the cause looked and did not (they use this tool's settings)
LR_PARTLY_RULED_OUT = 0.7  # some of them looked, the others could not run
LR_YES, LR_NO = 20.0, 0.05
LR_NARROW_IN, LR_NARROW_OUT = 6.0, 0.15  # a narrowing answer: the group it points to, the others
NARROWING = "?"  # answers to narrowing questions are keyed "?<id>" beside the causes' ids

# Costs of actions, in "questions": what the user pays in attention.
COST_ASK, COST_CONFIRM, COST_INPUT, COST_PROPOSE = 1.0, 0.5, 1.5, 3.0
COST_INPUT_READY = 0.3  # material on offer (a sample): one key press
NARROW_WORTH = 1.2  # a question that halves the causes, against one that may settle one
# Evidence enough on its own: an exact code or message the user pasted, once it dominates.
FOUND_BY_WORDS = 0.5
# A check that fits several causes names one only once the rest of the evidence makes it this likely.
FOUND_BY_CHECK = 0.8

POINTING = tuple(RANK)  # statuses that point at a cause: fail, error, warn
CONCLUSIVE = ("pass", "warn", "fail")


def reach(entry: Entry) -> dict[str, set[str]]:
    """cause id → the ids of the checks whose outcomes lead to it (within this entry)."""
    out: dict[str, set[str]] = {}
    for key, target in entry.outcomes.items():
        if "#" not in target:
            out.setdefault(target, set()).add(key.rsplit(".", 1)[0])
    for cause in entry.causes:
        for key in cause.also:
            out.setdefault(cause.id, set()).add(key.rsplit(".", 1)[0])
    return out


def also_of(entry: Entry, result: CheckResult) -> list[str]:
    """Causes a non-passing result fits too, besides the one the entry maps it to."""
    if result.status not in POINTING:
        return []
    key = f"{result.id}.{result.outcome}"
    return [c.id for c in entry.causes if key in c.also]


def target_of(entry: Entry, result: CheckResult) -> str | None:
    """What a non-passing result points to through this entry's table: a cause id, an
    "entry#cause" of another entry, or None."""
    if result.status not in POINTING:
        return None
    return entry.outcomes.get(f"{result.id}.{result.outcome}")


@dataclass
class Belief:
    entry_id: str
    p: dict[str, float]  # cause id → probability (sums to 1 over the causes left)
    pointed: dict[str, list[CheckResult]] = field(default_factory=dict)  # cause → results pointing to it
    ruled_out: dict[str, list[CheckResult]] = field(default_factory=dict)  # cause → passing results
    cues: dict[str, CueHit] = field(default_factory=dict)  # cause → the user's strongest words for it

    def ranked(self) -> list[str]:
        return sorted(self.p, key=lambda c: -self.p[c])


def believe(entry: Entry, facts: Facts) -> Belief:
    """The belief over `entry`'s causes given everything the case knows."""
    order = [c.id for c in entry.causes]
    given = [c.prior for c in entry.causes if c.prior]
    usual = sum(given) / len(given) if given else 1.0  # a cause without a prior: as common as the average
    weights = {c.id: (c.prior if c.prior else usual) for c in entry.causes}
    total = sum(weights.values()) or 1.0
    p = {cid: w / total for cid, w in weights.items()}
    belief = Belief(entry.id, p)

    hits: dict[str, list[CueHit]] = {}
    for hit in facts.cues:
        if hit.entry_id == entry.id and hit.cause_id in p:
            hits.setdefault(hit.cause_id, []).append(hit)
    for cid, found in hits.items():
        found.sort(key=lambda h: (-h.strong, -h.words, -h.strength))
        belief.cues[cid] = found[0]
        best = found[0]
        specific = 1.0 + 0.3 * max(0, best.words - 2)  # three telling words say more than two
        # A partial match (two words of three) convinces much less than a whole one.
        lr = 1.0 + (LR_CUE - 1.0) * best.strength ** 2 * specific + LR_CUE_MORE * (len({h.quote for h in found}) - 1)
        p[cid] *= min(lr, LR_CUE_MAX) * (1.5 if found[0].strong else 1.0)

    can_see = reach(entry)
    for result in facts.results.values():
        target = target_of(entry, result)
        if target in p:
            belief.pointed.setdefault(target, []).append(result)
            p[target] *= LR_POINTED[result.status]
        for cid in also_of(entry, result):
            if cid in p and cid != target:
                belief.pointed.setdefault(cid, []).append(result)
                p[cid] *= LR_POINTED[result.status] * ALSO_SHARE
    for cid, checks in can_see.items():
        if cid not in p or cid in belief.pointed:
            continue
        looked = [facts.results[c] for c in sorted(checks) if c in facts.results
                  and facts.results[c].status in CONCLUSIVE]
        if looked and len(looked) == len(checks):
            belief.ruled_out[cid] = looked
            p[cid] *= LR_RULED_OUT
        elif looked:  # some of the checks that can see it looked; the others could not run
            p[cid] *= LR_PARTLY_RULED_OUT

    for e, cid, value in facts.answers:
        if e == entry.id and cid in p:
            p[cid] *= {"yes": LR_YES, "no": LR_NO}.get(value, 1.0)
        elif e == entry.id and cid.startswith(NARROWING) and value in ("yes", "no"):
            narrowing = entry.narrowing_question(cid[1:])
            if narrowing is not None:
                group = set(narrowing.yes)
                for other in p:
                    inside = (other in group) == (value == "yes")
                    p[other] *= LR_NARROW_IN if inside else LR_NARROW_OUT
    for e, cid in facts.tried:
        if e == entry.id and cid in p:
            p[cid] = 0.0

    norm = sum(p.values())
    belief.p = {cid: (p[cid] / norm if norm else 0.0) for cid in order}
    return belief


@dataclass(frozen=True)
class Action:
    kind: str  # run | input | ask | narrow | found | propose | exhausted
    checks: tuple[str, ...] = ()
    input: str | None = None
    cause: str | None = None
    via: str | None = None  # for found/propose: check | answer | description | likely
    confirm: bool = False  # ask as a one-line confirmation of the user's own words
    narrowing: str | None = None  # for narrow: the id of the narrowing question


def plan(entry: Entry, belief: Belief, facts: Facts, *, runnable: Iterable[str],
         inputs: dict[str, list[str]], ready: Iterable[str] = ()) -> Action:
    """The next action. `runnable`: the entry's checks not run yet that can run now;
    `inputs`: input name → checks waiting for it (not asked yet); `ready`: input kinds the user
    can hand over with one key (sample material on offer), which cost less than a question."""
    ready = set(ready)
    tried = {cid for e, cid in facts.tried if e == entry.id}
    order = {c.id: n for n, c in enumerate(entry.causes)}
    open_ = [c for c in entry.causes if c.id not in tried]

    pointed = [cid for cid in belief.pointed if cid not in tried]
    if pointed:
        # The check narrows it down to these; name one when it is the only one, or when the rest
        # of the evidence (the user's words, answers) makes it clearly the likeliest.
        best = min(pointed, key=lambda c: (min(RANK.get(r.status, 3) for r in belief.pointed[c]), -belief.p[c], order[c]))
        likeliest = max(pointed, key=lambda c: (belief.p[c], -order[c]))
        # A failure alone names its cause, and so does a warning the user's words do not contradict;
        # otherwise (a warning against the words, or an outcome several causes fit) it names one
        # only when it is clearly the likeliest of all.
        words_elsewhere = any(cid != best for cid in belief.cues)
        decisive = len(pointed) == 1 and (any(r.status != "warn" for r in belief.pointed[best]) or not words_elsewhere)
        open_mass = sum(belief.p[c.id] for c in open_) or 1.0
        if decisive or belief.p[likeliest] >= FOUND_BY_CHECK * open_mass:
            return Action("found", cause=best if decisive else likeliest, via="check")
    runnable = tuple(runnable)
    if runnable:
        return Action("run", checks=runnable)
    for cause in open_:
        if facts.answer_for(entry.id, cause.id) == "yes":
            return Action("found", cause=cause.id, via="answer")
    for cause in open_:
        cue = belief.cues.get(cause.id)
        if (cue is not None and cue.strong and belief.p[cause.id] >= FOUND_BY_WORDS
                and facts.answer_for(entry.id, cause.id) is None):
            return Action("found", cause=cause.id, via="description")

    candidates: list[tuple[float, int, Action]] = []
    for cause in open_:
        p = belief.p[cause.id]
        if p <= 0 or facts.answer_for(entry.id, cause.id) is not None:
            continue
        cue = belief.cues.get(cause.id)
        if cue is not None:
            first = STRONG_FIRST if cue.strong else 1.0
            candidates.append((p * first / COST_CONFIRM, order[cause.id], Action("ask", cause=cause.id, confirm=True)))
        elif cause.question:
            candidates.append((p / COST_ASK, order[cause.id], Action("ask", cause=cause.id)))
        else:
            candidates.append((p / COST_PROPOSE, order[cause.id], Action("propose", cause=cause.id, via="likely")))
    left = sum(belief.p[c.id] for c in open_ if facts.answer_for(entry.id, c.id) != "no")
    for narrowing in entry.narrowing:
        if left <= 0 or facts.answer_for(entry.id, NARROWING + narrowing.id) is not None:
            continue
        inside = sum(belief.p.get(c, 0.0) for c in narrowing.yes) / left
        # A balanced split is worth most: it halves what is left whatever the answer.
        value = NARROW_WORTH * min(inside, 1.0 - inside) / COST_ASK
        if value > 0:
            candidates.append((value, -2, Action("narrow", narrowing=narrowing.id)))
    can_see = reach(entry)
    seen_by: dict[str, set[str]] = {}  # input kind → causes its checks can see
    for name, checks in inputs.items():
        seen_by[name] = {cid for cid, ids in can_see.items() if ids & set(checks)}
        p = sum(belief.p.get(cid, 0.0) for cid in seen_by[name]
                if cid not in tried and facts.answer_for(entry.id, cid) != "no")
        if p > 0:
            cost = COST_INPUT_READY if name in ready else COST_INPUT
            candidates.append((p / cost, -1, Action("input", input=name)))
    if candidates:
        candidates.sort(key=lambda c: (-c[0], c[1]))
        chosen = candidates[0][2]
        # Evidence first: before asking about a cause, ask for the material a check can see it in.
        if chosen.kind in ("ask", "propose"):
            for name, causes in seen_by.items():
                if chosen.cause in causes:
                    return Action("input", input=name)
        return chosen

    unsure = [c.id for c in open_ if facts.answer_for(entry.id, c.id) == "unsure" and belief.p[c.id] > 0]
    if unsure:
        return Action("propose", cause=max(unsure, key=lambda c: (belief.p[c], -order[c])), via="likely")
    return Action("exhausted")


def cross_entry(entry: Entry, facts: Facts) -> tuple[CauseKey, list[CheckResult]] | None:
    """A failing result that points to a cause of another entry (the API is down while generating
    content): that cause, with the results pointing to it. Results that follow from another
    failure (`checks.roots`) do not count: their root does."""
    found: dict[CauseKey, list[CheckResult]] = {}
    follows = roots(facts.results.values())  # a consequence of another failure is not a cause of its own
    for result in facts.results.values():
        if result.id in follows:
            continue
        target = target_of(entry, result)
        if target and "#" in target:
            other, _, cid = target.partition("#")
            found.setdefault((other, cid), []).append(result)
    if not found:
        return None
    key = min(found, key=lambda k: min(RANK.get(r.status, 3) for r in found[k]))
    return key, found[key]
