"""The trainee's answers against the truth of a case, and the debrief.

Per fault five parts: the entry (skill recognise), the cause (diagnose), the first remediation
step (fix), the severity and the support level with its response time (escalate). The truth
comes from the knowledge (the cause's first step, the escalation rule of the severity) and from
the engine's own path (the severity it proposes from the checks it ran).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from copycar_assist.i18n import t
from copycar_assist.kb.model import pick

from .cases import Case, Fault
from .expert import ExpertPath

if TYPE_CHECKING:
    from copycar_assist.kb import KnowledgeBase
    from copycar_assist.kb.support import EscalationRule

PARTS = ("entry", "cause", "step", "severity", "level")
SKILL_OF = {"entry": "recognise", "cause": "diagnose", "step": "fix", "severity": "escalate", "level": "escalate"}


def first_step(kb: KnowledgeBase, entry_id: str, cause_id: str, lang: str) -> str:
    cause = kb.entries[entry_id].cause(cause_id)
    steps: list[str] = (cause.steps.get(lang) or next(iter(cause.steps.values()), [])) if cause else []
    return steps[0] if steps else ""


def level_value(rule: EscalationRule) -> str:
    return f"{rule.level}/{rule.response_minutes}"


@dataclass
class Truth:
    fault: Fault
    severity: str
    level: int
    response_minutes: int
    channels: tuple[str, ...]

    def value(self, part: str, kb: KnowledgeBase, lang: str) -> str:
        return {"entry": self.fault.entry, "cause": self.fault.cause,
                "step": first_step(kb, self.fault.entry, self.fault.cause, lang),
                "severity": self.severity, "level": f"{self.level}/{self.response_minutes}"}[part]

    def label(self, part: str, kb: KnowledgeBase, lang: str) -> str:
        entry = kb.entries[self.fault.entry]
        if part == "entry":
            return pick(entry.title, lang)
        if part == "cause":
            cause = entry.cause(self.fault.cause)
            return pick(cause.title if cause else None, lang, self.fault.cause)
        if part == "level":
            return t("train.level_label", lang, level=self.level, minutes=self.response_minutes,
                     name=pick(kb.support.level(self.level).name, lang))
        return self.value(part, kb, lang)


def truth(kb: KnowledgeBase, fault: Fault, path: ExpertPath) -> Truth:
    rule = kb.support.rule(path.severity)
    return Truth(fault, path.severity, rule.level, rule.response_minutes, rule.channels)


@dataclass
class Debrief:
    parts: list[dict[str, Any]] = field(default_factory=list)
    truths: list[dict[str, Any]] = field(default_factory=list)
    expert: list[dict[str, Any]] = field(default_factory=list)
    unhelpful: list[str] = field(default_factory=list)
    seconds: int = 0
    pitfalls: list[str] = field(default_factory=list)
    expert_lines: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return round(100 * sum(p["right"] for p in self.parts) / len(self.parts)) if self.parts else 0

    def to_json(self) -> dict[str, Any]:
        return {"score": self.score, "parts": self.parts, "truth": self.truths, "expert": self.expert,
                "unhelpful_checks": self.unhelpful, "seconds": self.seconds, "pitfalls": self.pitfalls,
                "expert_lines": self.expert_lines}


def helped(kb: KnowledgeBase, case: Case, paths: list[ExpertPath], result: dict[str, Any]) -> bool:
    """A check the trainee ran helped when its result points to a fault of the case, or when it is
    one the expert ran for that case (ruling causes out counts)."""
    keys = {f.key for f in case.faults}
    if result.get("entry") and result.get("cause") and f"{result['entry']}#{result['cause']}" in keys:
        return True
    return any(result["id"] == c["id"] for p in paths for c in p.checks)


def paired(truths: list[Truth], answers: list[dict[str, str]], kb: KnowledgeBase, lang: str) -> list[dict[str, str]]:
    """The trainee's answers in the faults' order: a case with two faults takes them in either
    order (nothing asks for one), so each answer goes to the fault it gets most right; on a tie,
    the order given."""
    from itertools import permutations

    given = answers + [{}] * max(0, len(truths) - len(answers))

    def right(order: tuple[int, ...]) -> int:
        return sum(given[a].get(part, "") == tr.value(part, kb, lang) for tr, a in zip(truths, order) for part in PARTS)

    best = max(permutations(range(len(given)), len(truths)), key=right)  # the order given comes first
    return [given[a] for a in best]


def debrief(kb: KnowledgeBase, case: Case, paths: list[ExpertPath], answers: list[dict[str, str]], ran: list[dict[str, Any]],
            seconds: float, lang: str) -> Debrief:
    out = Debrief(seconds=round(seconds))
    truths = [truth(kb, fault, path) for fault, path in zip(case.faults, paths, strict=True)]
    for n, (fault, path, tr, given) in enumerate(zip(case.faults, paths, truths, paired(truths, answers, kb, lang))):
        for part in PARTS:
            expected = tr.value(part, kb, lang)
            got = given.get(part, "")
            out.parts.append({"fault": n, "part": part, "skill": SKILL_OF[part], "right": got == expected,
                              "given": got, "expected": expected, "expected_label": tr.label(part, kb, lang)})
        out.truths.append({"entry": fault.entry, "cause": fault.cause, "step": tr.value("step", kb, lang),
                           "severity": tr.severity, "level": tr.level, "response_minutes": tr.response_minutes,
                           "channels": list(tr.channels)})
        out.expert.append(path.to_json())
        out.expert_lines += expert_lines(kb, path, lang)
        sec = kb.entries[fault.entry].sections.get(lang)
        out.pitfalls += [p for p in (sec.pitfalls if sec else []) if p not in out.pitfalls]
    out.unhelpful = list(dict.fromkeys(r["id"] for r in ran if not helped(kb, case, paths, r)))
    return out


def expert_lines(kb: KnowledgeBase, path: ExpertPath, lang: str) -> list[str]:
    """The expert path in sentences: recognised, checks, questions, the cause found and by what."""
    entry = kb.entries[path.fault.entry]
    title = pick(entry.title, lang)
    out = [t("train.expert.matched" if path.matched == entry.id else "train.expert.told", lang, title=title)]
    for c in path.checks:  # the check by its title, its status in words (the outcome is the catalogue's id)
        out.append(t("train.expert.check", lang, id=kb.check_title(c["id"], lang),
                     status=t(f"status.{c['status']}", lang), outcome=c["outcome"], summary=c["summary"]))
    for q in path.questions:
        out.append(t("train.expert.question", lang, text=q["text"], answer=t(f"train.{q['answer']}", lang)))
    if path.found:
        found = kb.entries.get(path.found["entry"])
        cause = found.cause(path.found["cause"]) if found else None
        out.append(t("train.expert.found", lang, title=pick(cause.title, lang, path.found["cause"]) if cause else
                     path.found["cause"], via=t(f"train.via.{path.found['via']}", lang)))
    return out
