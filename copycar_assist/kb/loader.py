"""Load a knowledge directory: entries (`*.md`), the check catalogue, categories, support data,
the answers to questions about the guide."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from copycar_assist.files.fields import fits, is_id, wrong_msg
from copycar_assist.files.msg import Msg

from .datafile import read_data
from .errors import KnowledgeError, Problem
from .model import LANGS, MATERIAL, SEVERITIES, Category, Cause, CheckSpec, Entry, Localized, Narrowing, check_title

if TYPE_CHECKING:  # the parsers are imported where entries are parsed: reading the store never needs them
    from .answers import Answers
    from .frontmatter import Document
    from .support import SupportData

LANG_HEADINGS = {"es": "Español", "en": "English"}
REQUIRED_SECTIONS = {"es": {"symptoms": "Síntomas", "causes": "Causas"},
                     "en": {"symptoms": "Symptoms", "causes": "Causes"}}


def default_dir() -> Path:
    """The shipped knowledge: inside the wheel, or `knowledge/` beside the package in a checkout.
    (The package is installed as files: no `importlib.resources`, whose import costs ~3 ms.)"""
    packaged = Path(__file__).parent.parent / "_knowledge"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "knowledge"


@dataclass
class KnowledgeBase:
    root: Path
    entries: Mapping[str, Entry]  # a dict, or the store's LazyEntries
    checks: dict[str, CheckSpec]
    categories: list[Category]
    support: SupportData
    warnings: list[Problem] = field(default_factory=list)
    answers: Answers | None = None  # questions about the guide (answers.toml)

    def entry(self, entry_id: str) -> Entry:
        return self.entries[entry_id]

    def resolve(self, entry: Entry, target: str) -> tuple[Entry, Cause] | None:
        """Resolve an outcome target ("cause" or "entry#cause") to its entry and cause."""
        entry_id, _, cause_id = target.rpartition("#")
        owner = self.entries.get(entry_id) if entry_id else entry
        if owner is None:
            return None
        cause = owner.cause(cause_id)
        return (owner, cause) if cause else None

    def category(self, cat_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == cat_id), None)

    def check_title(self, check_id: str, lang: str) -> str:
        """A check as people read it ("CRM authentication"); its id when the catalogue lacks it."""
        return check_title(self.checks, check_id, lang)


def load_catalog(path: Path) -> dict[str, CheckSpec]:
    data, lines = read_data(path)
    out, problems = {}, []
    table = data.get("checks", {})
    if not isinstance(table, dict):
        raise KnowledgeError([Problem(path, lines.line("checks"), "kb.problem.checks_table")])
    for cid, spec in table.items():
        line = lines.line("checks", cid)
        if not is_id(cid):
            problems.append(Problem(path, line, "kb.problem.check_id"))
            continue
        if not isinstance(spec, dict):
            problems.append(Problem(path, line, "kb.problem.check_not_table", check=cid))
            continue
        bad = [(key, why) for key, spec_kind in (("outcomes", "list[id]"), ("tags", "list[id]"),
                                                 ("title", "table[str]"), ("home", "id"),
                                                 ("needs", "list[id]"), ("material", "list[id]"))
               if (key in spec or key == "outcomes") and (why := wrong_msg(spec.get(key), spec_kind))]
        for key, why in bad:
            problems.append(Problem(path, lines.line("checks", cid, key, default=line), "kb.problem.check_field",
                                    check=cid, field=key, why=why))
        strange = [k for k in spec.get("material", ()) if k not in MATERIAL]
        if strange:
            bad.append(("material", Msg.of("field.one_of", known=", ".join(MATERIAL), got=", ".join(strange))))
            problems.append(Problem(path, lines.line("checks", cid, "material", default=line), "kb.problem.check_field",
                                    check=cid, field="material", why=bad[-1][1]))
        if bad:
            continue
        out[cid] = CheckSpec(cid, tuple(spec.get("tags", ())), dict(spec.get("title", {})), tuple(spec["outcomes"]),
                             spec.get("home"), tuple(spec.get("needs", ())), tuple(spec.get("material", ())))
    if problems:
        raise KnowledgeError(problems)
    return out


def load_categories(path: Path) -> list[Category]:
    data, lines = read_data(path)
    items = data.get("categories", [])
    if not isinstance(items, list):
        raise KnowledgeError([Problem(path, lines.line("categories"), "kb.problem.categories_array")])
    out, problems = [], []
    for n, c in enumerate(items):
        line = lines.line("categories", nth=n)
        if not isinstance(c, dict):
            problems.append(Problem(path, line, "kb.problem.category_not_table", n=n + 1))
            continue
        for key, kind in (("id", "id"), ("title", "table[str]")):
            why = wrong_msg(c.get(key, {} if key == "title" else None), kind)
            if why:
                problems.append(Problem(path, lines.line("categories", key, nth=n, default=line),
                                        "kb.problem.category_field", n=n + 1, field=key, why=why))
        if not problems:
            out.append(Category(c["id"], dict(c.get("title", {}))))
    if problems:
        raise KnowledgeError(problems)
    return out


def data_path(root: Path, name: str) -> Path:
    """`root/name`, or the shipped file when a knowledge dir (e.g. one made by `kb import`)
    holds only entries."""
    own = Path(root) / name
    return own if own.exists() else default_dir() / name


def entry_paths(root: Path) -> list[Path]:
    return [p for p in sorted(Path(root).glob("*.md")) if p.name.upper() != "README.MD"]


def _localized(doc: Document, value: Any, key: str, problems: list[Problem], required: bool = True) -> Localized:
    if value is None and not required:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        problems.append(Problem(doc.path, doc.line_of(rf"^\[?{key}\b|^{key}\s*[.=]"), "kb.problem.localized", field=key))
        return {}
    unknown = [k for k in value if k not in LANGS]
    if unknown:
        problems.append(Problem(doc.path, doc.line_of(rf"\b{key}\b"), "kb.problem.unknown_languages", field=key,
                                langs=str(unknown)))
    return dict(value)


def _str_lists(doc: Document, value: Any, key: str, problems: list[Problem]) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(v, list) and all(isinstance(s, str) for s in v) for v in value.values()
    ):
        problems.append(Problem(doc.path, doc.line_of(rf"^\[{key}\]"), "kb.problem.str_lists", field=key))
        return {}
    return {k: list(v) for k, v in value.items()}


def _prior(doc: Document, cause: dict[str, Any], problems: list[Problem]) -> float | None:
    value = cause.get("prior")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        problems.append(Problem(doc.path, doc.line_of(r"^\s*prior\s*="), "kb.problem.prior", cause=cause["id"]))
        return None
    return float(value)


def _evidence(doc: Document, cause: dict[str, Any], problems: list[Problem]) -> dict[str, list[str]]:
    value = cause.get("evidence")
    if value is None:
        return {}
    ok = isinstance(value, dict) and all(
        k in (*LANGS, "codes") and isinstance(v, list) and all(isinstance(s, str) and s.strip() for s in v)
        for k, v in value.items())
    if not ok:
        problems.append(Problem(doc.path, doc.line_of(r"^\s*evidence"), "kb.problem.evidence",
                                cause=cause["id"]))
        return {}
    return {k: list(v) for k, v in value.items()}


def _also(doc: Document, cause: dict[str, Any], problems: list[Problem]) -> list[str]:
    value = cause.get("also_outcomes")
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(s, str) and "." in s for s in value):
        problems.append(Problem(doc.path, doc.line_of(r"^\s*also_outcomes"), "kb.problem.also_outcomes",
                                cause=cause["id"]))
        return []
    return list(value)


def _code(doc: Document, cause: dict[str, Any], problems: list[Problem]) -> list[int]:
    value = cause.get("code")
    if value is None:
        return []
    if not isinstance(value, list) or not value or not all(type(n) is int and n >= 1 for n in value):
        problems.append(Problem(doc.path, doc.line_of(r"^\s*code\b"), "kb.problem.cause_code", cause=cause["id"]))
        return []
    return list(value)


def _narrowing(doc: Document, value: Any, causes: set[str], problems: list[Problem]) -> list[Narrowing]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(Problem(doc.path, doc.line_of(r"^\[\[narrowing\]\]"), "kb.problem.narrowing_array"))
        return []
    out = []
    for n, raw in enumerate(value):
        line = doc.line_of(r"^\[\[narrowing\]\]", n)
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            problems.append(Problem(doc.path, line, "kb.problem.narrowing_id"))
            continue
        question = _localized(doc, raw.get("question"), "question", problems)
        yes = raw.get("yes")
        if not isinstance(yes, list) or not yes or not all(isinstance(c, str) for c in yes):
            problems.append(Problem(doc.path, line, "kb.problem.narrowing_yes", narrowing=raw["id"]))
            continue
        unknown = [c for c in yes if c not in causes]
        if unknown:
            problems.append(Problem(doc.path, line, "kb.problem.narrowing_unknown", narrowing=raw["id"],
                                    causes=str(unknown)))
        elif set(yes) >= causes:
            problems.append(Problem(doc.path, line, "kb.problem.narrowing_all", narrowing=raw["id"]))
        out.append(Narrowing(raw["id"], question, list(yes), line))
    return out


def _effects(doc: Document, value: Any, where: str | Msg, problems: list[Problem], line: int | None = None) -> dict[str, list[str]]:
    """`effects`: lists of non-empty strings under es and en."""
    if value is None:
        return {}
    ok = isinstance(value, dict) and all(
        k in LANGS and isinstance(v, list) and all(isinstance(s, str) and s.strip() for s in v) for k, v in value.items())
    if not ok:
        problems.append(Problem(doc.path, line or doc.line_of(r"^\[effects\]|^\s*effects"),
                                "kb.problem.effects_shape", label=where))
        return {}
    return {k: list(v) for k, v in value.items()}


def parse_entry(path: Path, text: str) -> tuple[Entry | None, list[Problem]]:
    """Parse one entry file. Structural problems only; `lint` checks that the tree is whole."""
    from .body import parse_body
    from .frontmatter import parse_document
    from .unified import cause_facts, is_unified, parse_unified

    doc, problems = parse_document(path, text)
    if doc is None:
        return None, problems
    m = doc.meta
    for key in ("id", "category", "severity"):
        if not isinstance(m.get(key), str):
            problems.append(Problem(path, doc.line_of(rf"^{key}\s*=") or 2, "kb.problem.required_string", field=key))
    for key in ("id", "category"):
        if isinstance(m.get(key), str) and not is_id(m[key]):
            problems.append(Problem(path, doc.line_of(rf"^{key}\s*=") or 2,
                                    "kb.problem.bad_id_field", field=key))
            m[key] = path.stem if key == "id" and is_id(path.stem) else "invalid-id"
    if isinstance(m.get("severity"), str) and m["severity"] not in SEVERITIES:
        problems.append(Problem(path, doc.line_of(r"^severity\s*="), "kb.problem.severity",
                                choices=", ".join(SEVERITIES)))
    if isinstance(m.get("id"), str) and m["id"] != path.stem:
        problems.append(Problem(path, doc.line_of(r"^id\s*="), "kb.problem.id_mismatch", id=m["id"],
                                stem=path.stem))
    checks = m.get("checks", [])
    if not fits(checks, "list[id]"):
        problems.append(Problem(path, doc.line_of(r"^checks\s*="), "kb.problem.checks_list"))
        checks = []
    outcomes = m.get("outcomes", {})
    if not isinstance(outcomes, dict) or not all(
            is_id(k) and isinstance(v, str) and all(is_id(part) for part in v.split("#", 1))
            for k, v in outcomes.items()):
        problems.append(Problem(path, doc.line_of(r"^\[outcomes\]"),
                                "kb.problem.outcomes_map"))
        outcomes = {}
    related = m.get("related", [])
    if not fits(related, "list[id]"):
        problems.append(Problem(path, doc.line_of(r"^related\s*="), "kb.problem.related_list"))
        related = []

    unified_body = parse_unified(path, doc.body, doc.body_line) if is_unified(doc.body) else None
    unified = unified_body is not None
    body = unified_body if unified_body is not None else parse_body(path, doc.body, doc.body_line)
    problems.extend(body.problems)
    languages = m.get("languages", list(LANGS))
    if not isinstance(languages, list) or not languages or any(x not in LANGS for x in languages):
        problems.append(Problem(path, doc.line_of(r"^languages\s*="), "kb.problem.languages",
                                choices=", ".join(LANGS)))
        languages = list(LANGS)
    for lang in languages:
        if unified:
            if "symptoms" not in body.seen.get(lang, ()):
                problems.append(Problem(path, doc.body_line, "kb.problem.unified_no_symptoms",
                                        heading=LANG_HEADINGS[lang], code=lang))
            continue
        if lang not in body.sections:
            problems.append(Problem(path, doc.body_line, "kb.problem.section_missing",
                                    heading=LANG_HEADINGS[lang], code=lang))
            continue
        for kind, heading in REQUIRED_SECTIONS[lang].items():
            if kind not in body.seen.get(lang, ()):
                problems.append(Problem(path, body.sections[lang].line, "kb.problem.heading_missing",
                                        code=lang, heading=heading))

    causes: list[Cause] = []
    raw_causes = m.get("causes", [])
    if not isinstance(raw_causes, list):
        problems.append(Problem(path, doc.line_of(r"causes"), "kb.problem.causes_array"))
        raw_causes = []
    if unified and raw_causes:
        problems.append(Problem(path, doc.line_of(r"^\[\[causes\]\]"), "kb.problem.causes_in_body"))
        raw_causes = []
    cause_docs: list[tuple[Document, dict[str, Any], int | None]] = []  # a cause's TOML table
    for n, rc in enumerate(raw_causes):
        line = doc.line_of(r"^\[\[causes\]\]", n)
        if not isinstance(rc, dict) or not isinstance(rc.get("id"), str):
            problems.append(Problem(path, line, "kb.problem.cause_id_missing"))
            continue
        # tomli-w writes short causes as an inline array: find the cause by its id then.
        cause_docs.append((doc, rc, line or doc.line_of(rf'\bid\s*=\s*"{re.escape(rc["id"])}"')))
    outcome_lines: dict[str, int] = {}  # outcome key -> line, for those written in a cause
    if unified_body is not None:
        outcomes = dict(outcomes)
        for raw in unified_body.raw_causes:
            facts_doc, facts = cause_facts(path, raw, outcomes, outcome_lines, problems)
            if facts is not None:
                cause_docs.append((facts_doc, {**facts, "id": raw.id}, raw.line))
    for cdoc, rc, line in cause_docs:
        if not is_id(rc["id"]):
            problems.append(Problem(path, line, "kb.problem.cause_id"))
            continue
        question = rc.get("question")
        if question is not None:
            question = _localized(cdoc, question, "question", problems)
        cause = Cause(rc["id"], question=question or None, line=line,
                      prior=_prior(cdoc, rc, problems), evidence=_evidence(cdoc, rc, problems),
                      also=_also(cdoc, rc, problems), code=_code(cdoc, rc, problems),
                      effects=_effects(cdoc, rc.get("effects"), Msg.of("kb.problem.label.cause", cause=rc["id"]),
                                       problems, line))
        written = min((len(section.code) for section in body.sections.values()), default=0)  # per language
        missing = [n for n in cause.code if n > written]
        if missing:
            problems.append(Problem(path, cdoc.line_of(r"^\s*code\b") or line, "kb.problem.cause_code_missing",
                                    cause=cause.id, number=missing[0], count=written))
        for lang, texts in body.causes.items():
            if rc["id"] in texts:
                t = texts[rc["id"]]
                cause.title[lang] = t.title
                cause.explanation[lang] = t.explanation
                cause.steps[lang] = t.steps
                cause.body_line[lang] = t.line
        causes.append(cause)
    known = {c.id for c in causes}
    for texts in body.causes.values() if not unified else ():
        for cid, t in texts.items():
            if cid not in known:
                problems.append(Problem(path, t.line, "kb.problem.undeclared_cause", cause=cid))


    title = _localized(doc, m.get("title"), "title", problems)
    if title:
        absent = [lang for lang in languages if not title.get(lang)]
        if absent:
            problems.append(Problem(path, doc.line_of(r"^\[title\]|^title") or 2, "kb.problem.title_lacks",
                                    langs=str(absent)))
    entry = Entry(
        id=m.get("id", path.stem) if isinstance(m.get("id"), str) else path.stem,
        category=m.get("category", "") if isinstance(m.get("category"), str) else "",
        severity=m.get("severity", "MEDIUM") if isinstance(m.get("severity"), str) else "MEDIUM",
        title=title,
        checks=list(checks),
        causes=causes,
        narrowing=_narrowing(doc, m.get("narrowing"), {c.id for c in causes}, problems),
        outcomes=dict(outcomes),
        aliases=_str_lists(doc, m.get("aliases"), "aliases", problems),
        keywords=_str_lists(doc, m.get("keywords"), "keywords", problems),
        effects=_effects(doc, m.get("effects"), "", problems),
        related=[str(r) for r in related],
        sections=body.sections,
        path=path,
        declared_languages=tuple(lang for lang in LANGS if lang in languages),
        line_of={
            "checks": doc.line_of(r"^checks\s*=") or 2,
            "outcomes": doc.line_of(r"^\[outcomes\]") or 2,
            "title": doc.line_of(r"^\[title\]|^title") or 2,
            "category": doc.line_of(r"^category\s*=") or 2,
            "related": doc.line_of(r"^related\s*=") or 2,
            "severity": doc.line_of(r"^severity\s*=") or 2,
            "effects": doc.line_of(r"^\[effects\]") or 2,
            "body": doc.body_line,
            **{f"outcome:{k}": outcome_lines.get(k) or doc.key_line(k) or 2
               for k in outcomes},
        },
    )
    return entry, problems


def reference_problems(entry: Entry, checks: dict[str, CheckSpec]) -> list[Problem]:
    """Check ids and outcome keys ("<check>.<outcome>") that the catalogue does not know."""
    out = []
    for cid in entry.checks:
        if cid not in checks:
            out.append(Problem(entry.path, entry.line_of.get("checks"), "kb.problem.unknown_check", check=cid))
    also = [(key, c.line) for c in entry.causes for key in c.also]
    for key, line in [(k, entry.line_of.get(f"outcome:{k}")) for k in entry.outcomes] + also:
        check_id, _, outcome = key.rpartition(".")
        spec = checks.get(check_id)
        if spec is None:
            out.append(Problem(entry.path, line, "kb.problem.outcome_unknown_check",
                               outcome=key, check=check_id))
        elif outcome not in spec.outcomes:
            out.append(Problem(entry.path, line, "kb.problem.not_an_outcome",
                               outcome=outcome, check=check_id, known=", ".join(spec.outcomes)))
    return out
