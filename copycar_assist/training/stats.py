"""Mastery per entry and per skill, from a trainee's answer log and cards.

mastery(entry, skill) = the share right of the last `RECENT` answers at that entry and skill (a
case gives one answer per part, a quiz item one at its skill); skills without an entry (the
severity table, the alert thresholds) count under "—". Due: cards FSRS says to review now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from . import SKILLS

if TYPE_CHECKING:
    from copycar_assist.kb import KnowledgeBase

    from .progress import Progress

RECENT = 5
NO_ENTRY = "—"


class EntryMastery(TypedDict):
    entry: str
    skills: dict[str, int | None]  # skill -> % right of the recent answers (None: none yet)
    answers: int


def row_title(entry_id: str, kb: KnowledgeBase, lang: str) -> str:
    """How a row of `mastery` is named: its entry's title; the questions of no entry (thresholds,
    severities) are "General"."""
    from copycar_assist.i18n import t
    from copycar_assist.kb.model import pick

    if entry_id == NO_ENTRY:
        return t("train.stats.general", lang)
    entry = kb.entries.get(entry_id)
    return pick(entry.title, lang, entry_id) if entry else entry_id


def mastery(progress: Progress, kb: KnowledgeBase) -> dict[str, Any]:
    recent: dict[tuple[str, str], list[bool]] = {}
    for rec in progress.data["log"]:
        key = (rec.get("entry") or NO_ENTRY, rec.get("skill", ""))
        if key[1] in SKILLS:
            recent.setdefault(key, []).append(bool(rec.get("right")))
    rows: list[EntryMastery] = []
    for entry in [*kb.entries, NO_ENTRY]:
        cells: dict[str, int | None] = {}
        for skill in SKILLS:
            last = recent.get((entry, skill), [])[-RECENT:]
            cells[skill] = round(100 * sum(last) / len(last)) if last else None
        answers = sum(len(recent.get((entry, s), [])) for s in SKILLS)
        if entry != NO_ENTRY or answers:
            rows.append({"entry": entry, "skills": cells, "answers": answers})
    per_skill: dict[str, int | None] = {}
    for skill in SKILLS:
        vals = [v for r in rows if (v := r["skills"][skill]) is not None]
        per_skill[skill] = round(sum(vals) / len(vals)) if vals else None
    return {"trainee": progress.trainee, "entries": rows, "skills": per_skill, "due": len(progress.due()),
            "cards": len(progress.data["cards"]), "answers": len(progress.data["log"]),
            "exams": len(progress.data["exams"])}
