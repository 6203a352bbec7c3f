"""Questions about the guide and their answers (`answers.toml`), rendered from the support data.

An answer is a template over the facts of `support.toml` ("Level $level answers e-mail within
{levels.$level.response_minutes.email|minutes}"), so a changed response time or threshold
changes every answer that quotes it; nothing here knows a value. Loading checks every field's
type, that both languages are written and that every {path} resolves (`kb lint` reports it).
Finding which topic a question asks about is the matcher's job (`matching/answers.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypedDict

from copycar_assist.files.fields import fits, is_id, wrong_msg
from copycar_assist.files.msg import Msg

from .datafile import read_data
from .errors import KnowledgeError, Problem
from .model import LANGS, Entry, Localized, pick
from .support import SupportData

SLOTS = ("level", "severity")  # filled from the question's words ([slots.NAME] lists them)
ENTRY_SLOT = "entry"  # filled with the entry the question is about (the matcher's first)
ENTRY_FIELDS = ("title", "causes", "symptoms", "solutions")
FORMATS = ("minutes", "seconds", "ms", "percent", "list", "lines", "channels")
_PLACE = re.compile(r"\{([^{}|]+)(?:\|([a-z]+))?\}")
# How a language says a duration and ends a list (a unit: its singular and its plural): the
# catalogue's kb.answer.* words.
_Words = TypedDict("_Words", {"minute": tuple[str, str], "hour": tuple[str, str], "second": tuple[str, str],
                              "and": str})


def _words(lang: str) -> _Words:
    def word(name: str) -> str:
        return Msg.of(f"kb.answer.{name}").text(lang)

    return {"minute": (word("minute"), word("minutes")), "hour": (word("hour"), word("hours")),
            "second": (word("second"), word("seconds")), "and": word("and")}


@dataclass(frozen=True)
class Topic:
    id: str
    ask: dict[str, list[str]]  # lang -> how people ask it
    answer: Localized  # templates
    source: Localized
    slot: str | None = None


@dataclass(frozen=True)
class Answers:
    topics: tuple[Topic, ...]
    slots: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # slot -> value -> forms

    def values(self, slot: str) -> list[str]:
        return list(self.slots.get(slot, {}))


def load_answers(path: Path, support: SupportData | None) -> Answers:
    data, lines = read_data(path)
    problems: list[Problem] = []

    def bad(keys: tuple[str, ...], why: Msg, nth: int = 0) -> None:
        problems.append(Problem(path, lines.line(*keys, nth=nth) or lines.line(keys[0]), why))

    slots: dict[str, dict[str, list[str]]] = {}
    raw_slots = data.get("slots", {})
    if not fits(raw_slots, "table"):
        bad(("slots",), Msg.of("kb.problem.slots_table"))
        raw_slots = {}
    for name, values in raw_slots.items():
        if name not in SLOTS:
            bad(("slots", name), Msg.of("kb.problem.unknown_slot", slot=name, known=", ".join(SLOTS)))
        elif not fits(values, "table[list[str]]"):
            bad(("slots", name), Msg.of("kb.problem.slot_values", slot=name))
        else:
            slots[name] = {k: list(v) for k, v in values.items()}

    topics: list[Topic] = []
    raw = data.get("answers", [])
    if not fits(raw, "list[table]"):
        bad(("answers",), Msg.of("kb.problem.answers_array"))
        raw = []
    seen: set[str] = set()
    for n, t in enumerate(raw):
        label = Msg.of("kb.problem.label.answer_n", n=n + 1)
        tid = t.get("id")
        if not is_id(tid):
            bad(("answers", "id"), Msg.of("kb.problem.answer_id", label=label), n)
            continue
        label = Msg.of("kb.problem.label.answer", answer=tid)
        if tid in seen:
            bad(("answers", "id"), Msg.of("kb.problem.duplicate_answer", answer=tid), n)
        seen.add(tid)
        ok = True
        for key, spec in (("ask", "table[list[str]]"), ("answer", "table[str]"), ("source", "table[str]")):
            why = wrong_msg(t.get(key), spec)
            if why:
                bad(("answers", key), Msg.of("kb.problem.answer_field", label=label, field=key, why=why), n)
                ok = False
            elif missing := [x for x in LANGS if not t[key].get(x)]:
                bad(("answers", key), Msg.of("kb.problem.answer_lacks", label=label, field=key, langs=", ".join(missing)), n)
                ok = False
        slot = t.get("slot")
        if slot is not None and slot != ENTRY_SLOT and (slot not in SLOTS or slot not in slots):
            bad(("answers", "slot"), Msg.of("kb.problem.answer_slot", label=label, slot=slot, entry_slot=ENTRY_SLOT), n)
            ok = False
        if not ok:
            continue
        topic = Topic(tid, {k: list(v) for k, v in t["ask"].items()}, dict(t["answer"]), dict(t["source"]), slot)
        if slot == ENTRY_SLOT:
            wrong_fields = [m.group(1) for text in t["answer"].values() for m in _PLACE.finditer(text)
                            if m.group(1).startswith("entry.") and m.group(1)[6:] not in ENTRY_FIELDS]
            if wrong_fields:
                bad(("answers", "answer"), Msg.of("kb.problem.answer_entry_field", label=label,
                                                  placeholder=f"{{{wrong_fields[0]}}}", fields=", ".join(ENTRY_FIELDS)), n)
                ok = False
        if ok and support is not None and slot != ENTRY_SLOT:
            for lang in LANGS:
                for value in (slots[slot] if slot else [None]):
                    try:
                        render(topic, lang, support, {slot: value} if slot else {})
                    except KeyError as exc:
                        bad(("answers", "answer"), Msg.of("kb.problem.answer_render", label=label, reason=exc.args[0]), n)
                        break
        topics.append(topic)
    if problems:
        raise KnowledgeError(problems)
    return Answers(tuple(topics), slots)


def render(topic: Topic, lang: str, support: SupportData, slots: dict[str, str | None],
           entry: Entry | None = None) -> str:
    """The answer in `lang` for the slot values given; a slot with no value is answered for each
    of its values in turn; `entry` (an `Entry`) answers {entry.…} paths. KeyError (with a `Msg`
    message) when a path does not resolve."""
    template = pick(topic.answer, lang)
    if topic.slot and topic.slot != ENTRY_SLOT and slots.get(topic.slot) is None:
        values = _slot_values(topic.slot, support)
        return " ".join(render(topic, lang, support, {topic.slot: v}) for v in values)
    for name, value in slots.items():
        if value is not None:
            template = template.replace("$" + name, str(value))

    def place(m: re.Match[str]) -> str:
        path = m.group(1).strip()
        if path.startswith("entry."):
            return _format(_entry_field(entry, path[6:], lang), m.group(2) or "list", lang)
        return _format(_resolve(path, support, lang), m.group(2), lang)

    return _PLACE.sub(place, template)


def _entry_field(entry: Entry | None, name: str, lang: str) -> str | list[str]:
    """An entry's title, cause titles, symptoms, or each cause with its first step."""
    if entry is None or name not in ENTRY_FIELDS:
        raise KeyError(Msg.of("kb.problem.render_needs_entry", placeholder=f"{{entry.{name}}}",
                              fields=", ".join(ENTRY_FIELDS)))
    if name == "title":
        return pick(entry.title, lang, entry.id)
    if name == "symptoms":
        return entry.symptoms(lang)
    if name == "causes":
        return [pick(c.title, lang, c.id) for c in entry.causes]
    return [f"{pick(c.title, lang, c.id)}: {(c.steps.get(lang) or c.steps.get('en') or c.steps.get('es') or [''])[0]}"
            for c in entry.causes]


def _slot_values(slot: str, support: SupportData) -> list[str]:
    if slot == "level":
        return [str(n) for n in sorted(support.levels)]
    return [sev for sev in ("CRITICAL", "HIGH", "MEDIUM", "LOW") if sev in support.escalation]


def _resolve(path: str, support: SupportData, lang: str) -> object:
    """The fact of support.toml that `path` names (in `lang` when it is localised): a number, a
    text or a list; KeyError when there is none."""
    head, _, rest = path.partition(".")
    parts = rest.split(".") if rest else []
    try:
        if head == "thresholds" and len(parts) == 1:
            return getattr(support.thresholds, parts[0])
        if head == "guide" and len(parts) == 1:
            value = support.guide[parts[0]]
        elif head == "alerts" and len(parts) == 2:
            rule = next(a for a in support.alerts if a.type == parts[0])
            value = getattr(rule, parts[1])
        elif head == "levels" and len(parts) >= 2:
            value = getattr(support.levels[int(parts[0])], parts[1])
            if len(parts) == 3:
                value = value[parts[2]]
        elif head == "escalation" and len(parts) == 2:
            value = getattr(support.escalation[parts[0]], parts[1])
        else:
            raise LookupError
    except (LookupError, AttributeError, ValueError, StopIteration):
        raise KeyError(Msg.of("kb.problem.render_no_fact", placeholder=f"{{{path}}}")) from None
    if isinstance(value, dict):  # localised text or lists
        return pick(value, lang) if all(isinstance(v, str) for v in value.values()) else (
            value.get(lang) or next(iter(value.values()), []))
    return value


def _format(value: object, fmt: str | None, lang: str) -> str:
    words = _words("es" if lang == "es" else "en")
    if fmt is None:
        if isinstance(value, (list, tuple)):
            return _join(value, words)
        return _number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
    if fmt in ("list", "channels"):
        items = value if isinstance(value, (list, tuple)) else [value]
        if fmt == "channels":  # "email, sms, phone" as the reader says them: "correo, SMS y teléfono"
            items = [Msg.of(f"channel.{c}").text(lang) for c in items]
        return _join(items, words)
    if fmt == "lines":  # one item a line, for lists whose items hold commas
        return "; ".join(str(v).rstrip(". ") for v in (value if isinstance(value, (list, tuple)) else [value]))
    if fmt not in FORMATS or isinstance(value, bool) or not isinstance(value, (int, float)):
        raise KeyError(Msg.of("kb.problem.render_format", fmt=fmt, value=repr(value)))
    if fmt == "percent":
        return f"{_number(value * 100)}%"
    if fmt == "ms":
        return f"{_number(value)} ms ({_number(value / 1000)} s)"
    if fmt == "seconds":
        return _duration(value, 1, words)
    return _duration(value, 60, words)  # minutes


def _duration(amount: float, unit_s: int, words: _Words) -> str:
    """240 minutes -> "240 minutos (4 horas)"; 3600 s -> "3600 segundos (1 hora)"."""
    unit: Literal["second", "minute"] = "second" if unit_s == 1 else "minute"
    text = f"{_number(amount)} {words[unit][amount != 1]}"
    seconds = amount * unit_s
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        text += f" ({_number(hours)} {words['hour'][hours != 1]})"
    elif unit_s == 1 and seconds >= 60 and seconds % 60 == 0:
        minutes = seconds // 60
        text += f" ({_number(minutes)} {words['minute'][minutes != 1]})"
    return text


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _join(items: Iterable[object], words: _Words) -> str:
    texts = [str(i) for i in items]
    if len(texts) <= 1:
        return "".join(texts)
    return f"{', '.join(texts[:-1])} {words['and']} {texts[-1]}"
