"""Quiz items generated from the knowledge, never written by hand: change the knowledge (`--kb`)
and the questions and their answers change with it.

Kinds (and the skill each trains):
- symptom  an entry's symptom or a customer's words for it → the entry (recognise)
- code     a status, SMTP code or error message the knowledge lists → the entry, or the entry and
           cause when only one cause lists it (diagnose)
- severity a severity → support level, response time and channels (escalate)
- threshold an alert of the monitor → the value and direction that fire it (recognise)
- pitfall  "mistake: why" from an entry's pitfalls → the why (fix)
Multiple choice: the right answer and three distractors drawn from neighbouring entries (related,
then the same category, then the rest) or from neighbouring values. Each item has a stable id,
the same in both languages: the id of its FSRS card.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from copycar_assist.i18n import number, t
from copycar_assist.kb.model import SEVERITIES, pick
from copycar_assist.monitor.rules import DIRECTION

if TYPE_CHECKING:
    from copycar_assist.kb import KnowledgeBase

DISTRACTORS = 3
MISTAKE_MAX = 170


@dataclass(frozen=True)
class Item:
    id: str
    kind: str
    skill: str
    entry: str | None
    question: str
    choices: tuple[tuple[str, str], ...]  # (value, label), the right one among them
    answer: str  # the right value
    free: str  # how a typed answer is read: "entry" (the matcher) or "label" (nearest label)

    @property
    def answer_label(self) -> str:
        return next(label for value, label in self.choices if value == self.answer)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "skill": self.skill, "entry": self.entry,
                "question": self.question, "answer": self.answer, "answer_label": self.answer_label}


def neighbours(kb: KnowledgeBase, entry_id: str) -> list[str]:
    """Other entries, nearest first: related, same category, the rest (each group sorted)."""
    entry = kb.entries[entry_id]
    others = [e for e in kb.entries if e != entry_id]
    related = [e for e in entry.related if e in others]
    same = sorted(e for e in others if kb.entries[e].category == entry.category and e not in related)
    rest = sorted(e for e in others if e not in related and e not in same)
    return related + same + rest


def _choices(right: tuple[str, str], pool: list[tuple[str, str]], rng: random.Random,
             near: int = 5) -> tuple[tuple[str, str], ...]:
    """The right choice and DISTRACTORS others from the first `near` of `pool`, shuffled."""
    pool = [p for p in dict.fromkeys(pool) if p[0] != right[0] and p[1] != right[1]]
    picked = rng.sample(pool[:near], min(DISTRACTORS, len(pool[:near])))
    out = [right, *picked]
    rng.shuffle(out)
    return tuple(out)


def _entry_choice(kb: KnowledgeBase, entry_id: str, lang: str) -> tuple[str, str]:
    return entry_id, pick(kb.entries[entry_id].title, lang)


def symptom_items(kb: KnowledgeBase, lang: str, rng: random.Random) -> list[Item]:
    out = []
    for entry in kb.entries.values():
        said = [("s", n, s) for n, s in enumerate(entry.symptoms(lang))]
        said += [("e", n, s) for n, s in enumerate(entry.effects.get(lang, []))]
        for tag, n, text in said:
            pool = [_entry_choice(kb, e, lang) for e in neighbours(kb, entry.id)]
            out.append(Item(f"symptom:{entry.id}:{tag}{n}", "symptom", "recognise", entry.id,
                            t("train.q.symptom", lang, text=text.strip().rstrip(".")), _choices(_entry_choice(kb, entry.id, lang), pool, rng),
                            entry.id, "entry"))
    return out


def code_items(kb: KnowledgeBase, lang: str, rng: random.Random) -> list[Item]:
    by_cause: dict[str, set[str]] = {}
    by_entry: dict[str, set[str]] = {}
    for entry in kb.entries.values():
        for code in entry.keywords.get("codes", []):
            by_entry.setdefault(code, set()).add(entry.id)
        for cause in entry.causes:
            for code in cause.evidence.get("codes", []):
                by_cause.setdefault(code, set()).add(f"{entry.id}#{cause.id}")
                by_entry.setdefault(code, set()).add(entry.id)
    out = []

    def cause_label(key: str) -> str:
        e, c = key.split("#")
        entry = kb.entries[e]
        cause = entry.cause(c)
        return f"{pick(entry.title, lang)} — {pick(cause.title if cause else None, lang, c)}"

    for code, keys in sorted(by_cause.items()):
        if len(keys) != 1 or len(by_entry[code]) != 1:
            continue  # a code several causes list tells none of them apart
        key = next(iter(keys))
        e = key.split("#")[0]
        keys_pool = [f"{e}#{c.id}" for c in kb.entries[e].causes if f"{e}#{c.id}" != key]
        for other in neighbours(kb, e)[:3]:
            keys_pool += [f"{other}#{c.id}" for c in kb.entries[other].causes]
        out.append(Item(f"code:{key}:{code}", "code", "diagnose", e, t("train.q.code", lang, code=code),
                        _choices((key, cause_label(key)), [(k, cause_label(k)) for k in keys_pool], rng, near=6),
                        key, "label"))
    for code, entries in sorted(by_entry.items()):
        if len(entries) != 1 or code in by_cause:
            continue
        e = next(iter(entries))
        pool = [_entry_choice(kb, o, lang) for o in neighbours(kb, e)]
        out.append(Item(f"code:{e}:{code}", "code", "recognise", e, t("train.q.code_entry", lang, code=code),
                        _choices(_entry_choice(kb, e, lang), pool, rng), e, "entry"))
    return out


def severity_label(kb: KnowledgeBase, severity: str, lang: str) -> tuple[str, str]:
    rule = kb.support.rule(severity)
    value = f"{rule.level}/{rule.response_minutes}/{','.join(rule.channels)}"
    return value, t("train.a.severity", lang, level=rule.level, minutes=rule.response_minutes,
                    channels=", ".join(t(f"channel.{c}", lang) for c in rule.channels))


def severity_items(kb: KnowledgeBase, lang: str, rng: random.Random) -> list[Item]:
    out = []
    for sev in SEVERITIES:
        if sev not in kb.support.escalation:
            continue
        pool = [severity_label(kb, s, lang) for s in SEVERITIES if s != sev and s in kb.support.escalation]
        out.append(Item(f"severity:{sev}", "severity", "escalate", None, t("train.q.severity", lang, severity=sev),
                        _choices(severity_label(kb, sev, lang), pool, rng), severity_label(kb, sev, lang)[0], "label"))
    return out


def fmt_value(metric: str, value: float, lang: str = "en") -> str:
    """A threshold to read, in the language's way ("2,5 %" in Spanish)."""
    if 0 < value <= 1 and "rate" in metric or metric.endswith("score"):
        return number(value * 100, lang) + " %"
    unit = {"response_time_ms": " ms", "throughput_per_min": "/min"}.get(metric, "")
    return number(value, lang) + unit


def threshold_items(kb: KnowledgeBase, lang: str, rng: random.Random) -> list[Item]:
    out = []
    th = kb.support.thresholds
    for alert in kb.support.alerts:
        value = getattr(th, alert.metric)
        direction = DIRECTION.get(alert.metric, "above")
        other = "below" if direction == "above" else "above"

        def label(d: str, v: float, metric: str = alert.metric) -> tuple[str, str]:
            return f"{d}:{v:g}", t(f"train.a.{d}", lang, value=fmt_value(metric, v, lang))

        scale = [0.5, 2.0] if not (0 < value <= 1) or value * 2 <= 1 else [0.5, 0.9]
        pool = [label(direction, value * s) for s in scale] + [label(other, value)]
        out.append(Item(f"threshold:{alert.type}", "threshold", "recognise", None,
                        t("train.q.threshold", lang, alert=alert.type, title=pick(alert.title, lang)),
                        _choices(label(direction, value), pool, rng), f"{direction}:{value:g}", "label"))
    return out


def split_pitfall(text: str) -> tuple[str, str] | None:
    """"mistake: why" → (mistake, why), split at the first colon outside backticks."""
    ticks = 0
    for m in re.finditer(r"`|: ", text):
        if m.group() == "`":
            ticks += 1
        elif ticks % 2 == 0:
            mistake, why = text[:m.start()].strip(), text[m.end():].strip()
            return (mistake, why) if mistake and why and len(mistake) <= MISTAKE_MAX else None
    return None


def pitfall_items(kb: KnowledgeBase, lang: str, rng: random.Random) -> list[Item]:
    found: list[tuple[str, int, str, str]] = []
    for entry in kb.entries.values():
        sec = entry.sections.get(lang)
        for n, text in enumerate(sec.pitfalls if sec else []):
            parts = split_pitfall(text)
            if parts:
                found.append((entry.id, n, *parts))
    out = []
    for entry_id, n, mistake, why in found:
        order = [entry_id, *neighbours(kb, entry_id)]
        near = sorted((f for f in found if f[3] != why), key=lambda f: order.index(f[0]))
        pool = [(w, w) for _, _, _, w in near]
        out.append(Item(f"pitfall:{entry_id}:{n}", "pitfall", "fix", entry_id, t("train.q.pitfall", lang, mistake=mistake),
                        _choices((why, why), pool, rng, near=6), why, "label"))
    return out


GENERATORS = (symptom_items, code_items, severity_items, threshold_items, pitfall_items)


def all_items(kb: KnowledgeBase, lang: str, seed: int = 0) -> list[Item]:
    rng = random.Random(seed)
    return [item for gen in GENERATORS for item in gen(kb, lang, rng)]
