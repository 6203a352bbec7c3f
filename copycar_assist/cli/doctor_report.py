"""What `doctor` and `diagnose` report: the causes found, the exit code, the JSON document.

No printing here (see `doctor_render.py` for the text form).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from copycar_assist.checks.roots import RANK, rank_key, roots
from copycar_assist.kb import pick

if TYPE_CHECKING:
    from copycar_assist.checks.base import CheckResult
    from copycar_assist.checks.runner import RunReport
    from copycar_assist.kb import KnowledgeBase
    from copycar_assist.runs.runquery import Ack

SCHEMA_VERSION = 1


@dataclass
class FoundCause:
    check_id: str
    outcome: str
    status: str
    entry_id: str
    cause_id: str
    entry_title: str
    title: str
    explanation: str
    steps: list[str]
    explains: list[str] = field(default_factory=list)  # checks whose failure follows from this one

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check_id, "outcome": self.outcome, "status": self.status, "entry": self.entry_id,
                "id": self.cause_id, "entry_title": self.entry_title, "title": self.title,
                "explanation": self.explanation, "steps": list(self.steps), "explains": list(self.explains)}


def exit_code(results: Iterable[CheckResult], acknowledged: set[str] | frozenset[str] = frozenset()) -> int:
    """0 all pass (warnings and skips included), 1 a check failed, 2 a check could not run.
    Acknowledged checks (`doctor --ack`) do not count."""
    statuses = {r.status for r in results if r.id not in acknowledged}
    if "fail" in statuses:
        return 1
    if "error" in statuses:
        return 2
    return 0


def found_causes(kb: KnowledgeBase, results: Iterable[CheckResult], lang: str,
                 entry_first: str | None = None) -> list[FoundCause]:
    """The causes the results point to, one per root failure (`checks.roots`: a result that
    follows from another is listed in that cause's `explains`, never as a cause of its own),
    most serious first (fail, error, warn), then check order; the diagnosed entry's own causes
    lead within a rank. One per entry#cause."""
    results = list(results)
    follows = roots(results)
    ranked = sorted(
        (r for r in results if r.cause and r.entry and r.status in RANK),
        key=lambda r: (rank_key(r), r.entry != entry_first if entry_first else False),
    )
    out: list[FoundCause] = []
    by_key: dict[tuple[str, str], FoundCause] = {}
    by_check: dict[str, FoundCause] = {}
    ranked_by_id = {x.id: x for x in ranked}
    for r in ranked:
        if r.entry is None or r.cause is None:  # never: `ranked` holds results with both
            continue
        root = ranked_by_id.get(follows.get(r.id, ""))
        if root is not None and (root.entry, root.cause) != (r.entry, r.cause):
            continue  # a consequence pointing elsewhere: its root's cause covers it
        # (one pointing at the root's own cause joins it below; the first in the run's order names it)
        found = by_key.get((r.entry, r.cause))
        if found is not None:
            found.explains.append(r.id)
            by_check[r.id] = found
            continue
        entry = kb.entries.get(r.entry)
        cause = entry.cause(r.cause) if entry else None
        if entry is None or cause is None:
            continue
        steps: list[str] = cause.steps.get(lang) or next((s for s in cause.steps.values() if s), [])
        found = FoundCause(r.id, r.outcome, r.status, entry.id, cause.id, pick(entry.title, lang, entry.id),
                           pick(cause.title, lang, cause.id), pick(cause.explanation, lang), list(steps))
        by_key[(r.entry, r.cause)] = found
        by_check[r.id] = found
        out.append(found)
    order = [r.id for r in results]
    for cid, root_id in follows.items():
        if root_id in by_check and cid not in by_check[root_id].explains:
            by_check[root_id].explains.append(cid)
    for found in out:
        found.explains.sort(key=order.index)
    return out


def open_questions(kb: KnowledgeBase, entry_id: str, lang: str) -> list[dict[str, str]]:
    """The entry's causes no check outcome reaches: their yes/no questions."""
    from copycar_assist.kb.tree import DecisionTree

    out = []
    for cause in DecisionTree(kb).question_causes(entry_id):
        out.append({"id": cause.id, "title": pick(cause.title, lang, cause.id),
                    "question": pick(cause.question, lang) if cause.question else ""})
    return out


def build_json(*, command: str, report: RunReport, kb: KnowledgeBase, lang: str, base_url: str, demo: bool,
               entry_id: str | None = None, acks: dict[str, Ack] | None = None) -> dict[str, Any]:
    causes = found_causes(kb, report.results, lang, entry_id)
    acks = acks or {}
    results = []
    for r in report.results:
        item = r.to_json()
        if r.id in acks:
            item["acknowledged"] = acks[r.id].to_json()
        results.append(item)
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "command": command,
        "lang": lang,
        "duration_ms": report.duration_ms,
        "base_url": base_url,
        "demo": demo,
        "exit_code": exit_code(report.results, set(acks)),
        "summary": report.counts(),
        "results": results,
        "causes": [c.to_json() for c in causes],
    }
    if entry_id is not None:
        entry = kb.entries[entry_id]
        doc["entry"] = {"id": entry.id, "title": pick(entry.title, lang, entry.id), "severity": entry.severity,
                        "category": entry.category}
        doc["cause"] = causes[0].to_json() if causes else None
        doc["open_questions"] = [] if causes else open_questions(kb, entry_id, lang)
    return doc
