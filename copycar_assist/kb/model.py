"""The typed model of the knowledge base. Plain data; no I/O here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

Lang = Literal["es", "en"]
LANGS: tuple[Lang, ...] = ("es", "en")
SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")

# A localised string: {"es": "...", "en": "..."}
Localized = dict[str, str]


def pick(text: Localized | None, lang: str, fallback: str = "") -> str:
    """The text in `lang`, else in the other language, else `fallback`."""
    if not text:
        return fallback
    if text.get(lang):
        return text[lang]
    for other in LANGS:
        if text.get(other):
            return text[other]
    return fallback


@dataclass
class CodeBlock:
    lang: str  # the fence's info string, e.g. "python"
    code: str
    line: int | None = None


@dataclass
class Cause:
    id: str
    title: Localized = field(default_factory=dict)
    explanation: Localized = field(default_factory=dict)
    # Ordered solution steps per language.
    steps: dict[str, list[str]] = field(default_factory=dict)
    # The yes/no question that tells this cause apart when no check can.
    question: Localized | None = None
    # How common the cause is among the entry's causes (relative weight; None: as common as
    # the others). The diagnosis starts its belief from these.
    prior: float | None = None
    # What people say or paste when this is the cause, per language ("es", "en") and as exact
    # codes or messages ("codes"): the conversation's evidence from the user's own words.
    evidence: dict[str, list[str]] = field(default_factory=dict)
    # "<check>.<outcome>" keys that fit this cause too, though the entry's [outcomes] maps them
    # to another (a 429 is "too many calls" first, but a small plan or wasteful calls give it
    # too): the check narrows the causes down, and the user's words or a question tell them apart.
    also: list[str] = field(default_factory=list)
    # What customers see when this is the cause, in their words (es, en): found by the matcher.
    effects: dict[str, list[str]] = field(default_factory=dict)
    # The entry's code samples a step of this cause means by "see the code": their numbers
    # (1, 2 … in the order written, per language). Empty: every sample.
    code: list[int] = field(default_factory=list)
    line: int | None = None  # line of the cause in the front matter
    body_line: dict[str, int] = field(default_factory=dict)  # lang -> line of its '####' heading


@dataclass
class Note:
    """A section of text for people (neither symptoms, causes, pitfalls nor code: "Alert
    thresholds", "How the cache works") in one language: its title and its Markdown as written,
    from file line `line` to the line before `end`."""

    title: str
    text: str
    line: int
    end: int


@dataclass
class Section:
    """Free body text of one language: symptoms, pitfalls, code, extra sections."""

    symptoms: list[str] = field(default_factory=list)
    pitfalls: list[str] = field(default_factory=list)
    code: list[CodeBlock] = field(default_factory=list)
    markdown: str = ""  # the whole language section, as written
    line: int | None = None
    notes: list[Note] = field(default_factory=list)  # its sections of text for people, in order


@dataclass
class Narrowing:
    """A yes/no question that tells a group of an entry's causes from the rest ("does sending
    fail with an error from the server?"): a yes points to `yes`, a no to the others."""

    id: str
    question: Localized
    yes: list[str]
    line: int | None = None


@dataclass
class Entry:
    id: str
    category: str
    severity: str
    title: Localized
    checks: list[str]
    causes: list[Cause]
    # "<check>.<outcome>" -> "<cause>" or "<entry>#<cause>"
    outcomes: dict[str, str]
    aliases: dict[str, list[str]] = field(default_factory=dict)
    keywords: dict[str, list[str]] = field(default_factory=dict)  # es, en, codes
    # What customers see and say when they have this problem, in their words rather than the
    # guide's ("the spinner never stops"), per language: the matcher reads them like symptoms.
    effects: dict[str, list[str]] = field(default_factory=dict)
    related: list[str] = field(default_factory=list)
    sections: dict[str, Section] = field(default_factory=dict)  # per language
    path: Path | None = None
    line_of: dict[str, int] = field(default_factory=dict)  # front-matter key -> line
    # `languages = [...]` in the front matter: both by default; an imported entry may hold one.
    declared_languages: tuple[str, ...] = LANGS
    # [[narrowing]] questions: each splits the causes in two, for when nothing points to one yet.
    narrowing: list[Narrowing] = field(default_factory=list)

    def narrowing_question(self, qid: str) -> Narrowing | None:
        return next((n for n in self.narrowing if n.id == qid), None)

    def cause(self, cause_id: str) -> Cause | None:
        return next((c for c in self.causes if c.id == cause_id), None)

    def symptoms(self, lang: str) -> list[str]:
        sec = self.sections.get(lang) or next(iter(self.sections.values()), None)
        return list(sec.symptoms) if sec else []

    def languages(self) -> list[str]:
        return [lang for lang in LANGS if lang in self.sections]


# the kinds of material a user hands over for a check (a check's `material`)
MATERIAL = ("prompt", "account", "log", "email")


@dataclass(frozen=True)
class CheckSpec:
    """A check as the knowledge base knows it: id, tags, title, possible outcomes, the settings it
    needs (unset: the check is skipped, saying how to set them) and the material it reads."""

    id: str
    tags: tuple[str, ...]
    title: Localized
    outcomes: tuple[str, ...]
    # The entry a result of this check belongs to when nothing else says (doctor runs every
    # check with no entry in mind; several entries may map the same outcome).
    home: str | None = None
    # dotted settings it needs, e.g. ("crm.kind", "crm.token")
    needs: tuple[str, ...] = ()
    # the kinds of material from the user it reads (of MATERIAL)
    material: tuple[str, ...] = ()


def check_title(checks: Mapping[str, CheckSpec], check_id: str, lang: str) -> str:
    """A check as people read it ("CRM authentication"); its id when the catalogue lacks it."""
    spec = checks.get(check_id)
    return pick(spec.title, lang, check_id) if spec else check_id


@dataclass(frozen=True)
class Category:
    id: str
    title: Localized


# Where things are written, and the text for people as written (the display Markdown, the
# sections of notes it holds), not what they say: left out of `facts`.
_PLACES = ("line", "line_of", "body_line", "path", "markdown", "notes")


def facts(entry: Entry) -> dict[str, object]:
    """What an entry says, as plain data: everything but where it is written (lines, path) and the
    display Markdown (its notes too). Two shapes of the same entry have equal facts."""
    return {k: _strip(v) for k, v in asdict(entry).items() if k not in _PLACES}


def _strip(value: object) -> object:
    """`value` with the places left out of every table in it, and every sequence a list."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in _PLACES}
    if isinstance(value, (list, tuple)):
        return [_strip(v) for v in value]
    return value
