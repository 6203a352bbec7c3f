"""Load a knowledge directory: entries (`*.md`), the check catalogue, categories, support data."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .body import parse_body
from .errors import KnowledgeError, Problem
from .frontmatter import Document, parse_document
from .model import LANGS, SEVERITIES, Category, Cause, CheckSpec, Entry
from .support import SupportData, load_support


def default_dir() -> Path:
    """The shipped knowledge: inside the wheel, or `knowledge/` beside the package in a checkout."""
    packaged = resources.files("copycar_assist") / "_knowledge"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "knowledge"


@dataclass
class KnowledgeBase:
    root: Path
    entries: dict[str, Entry]
    checks: dict[str, CheckSpec]
    categories: list[Category]
    support: SupportData
    warnings: list[Problem] = field(default_factory=list)

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


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KnowledgeError([Problem(path, None, f"cannot read: {exc.strerror}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError([Problem(path, getattr(exc, "lineno", None), f"invalid TOML: {exc}")]) from None


def load_catalog(path: Path) -> dict[str, CheckSpec]:
    data = _read_toml(path)
    out = {}
    for cid, spec in data.get("checks", {}).items():
        out[cid] = CheckSpec(cid, tuple(spec.get("tags", ())), spec.get("title", {}), tuple(spec.get("outcomes", ())))
    return out


def load_categories(path: Path) -> list[Category]:
    return [Category(c["id"], c.get("title", {})) for c in _read_toml(path).get("categories", [])]


def _localized(doc: Document, value: Any, key: str, problems: list[Problem], required: bool = True) -> dict:
    if value is None and not required:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        problems.append(Problem(doc.path, doc.line_of(rf"^\[?{key}\b|^{key}\s*[.=]"), f"'{key}' must be a table of strings per language (es, en)"))
        return {}
    unknown = [k for k in value if k not in LANGS]
    if unknown:
        problems.append(Problem(doc.path, doc.line_of(rf"\b{key}\b"), f"'{key}' has unknown language(s) {unknown}"))
    return dict(value)


def _str_lists(doc: Document, value: Any, key: str, problems: list[Problem]) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(v, list) and all(isinstance(s, str) for s in v) for v in value.values()
    ):
        problems.append(Problem(doc.path, doc.line_of(rf"^\[{key}\]"), f"'[{key}]' must hold lists of strings"))
        return {}
    return {k: list(v) for k, v in value.items()}


def parse_entry(path: Path, text: str) -> tuple[Entry | None, list[Problem]]:
    """Parse one entry file. Structural problems only; `lint` checks that the tree is whole."""
    doc, problems = parse_document(path, text)
    if doc is None:
        return None, problems
    m = doc.meta
    for key, kind in (("id", str), ("category", str), ("severity", str)):
        if not isinstance(m.get(key), kind):
            problems.append(Problem(path, doc.line_of(rf"^{key}\s*=") or 2, f"front matter needs '{key}' (a string)"))
    if isinstance(m.get("severity"), str) and m["severity"] not in SEVERITIES:
        problems.append(Problem(path, doc.line_of(r"^severity\s*="), f"severity must be one of {', '.join(SEVERITIES)}"))
    if isinstance(m.get("id"), str) and m["id"] != path.stem:
        problems.append(Problem(path, doc.line_of(r"^id\s*="), f"id '{m['id']}' must match the file name '{path.stem}'"))
    checks = m.get("checks", [])
    if not isinstance(checks, list) or not all(isinstance(c, str) for c in checks):
        problems.append(Problem(path, doc.line_of(r"^checks\s*="), "'checks' must be a list of check ids"))
        checks = []
    outcomes = m.get("outcomes", {})
    if not isinstance(outcomes, dict) or not all(isinstance(v, str) for v in outcomes.values()):
        problems.append(Problem(path, doc.line_of(r"^\[outcomes\]"), "'[outcomes]' must map \"check.outcome\" to a cause id"))
        outcomes = {}
    related = m.get("related", [])
    if not isinstance(related, list):
        problems.append(Problem(path, doc.line_of(r"^related\s*="), "'related' must be a list of entry ids"))
        related = []

    body = parse_body(path, doc.body, doc.body_line)
    problems.extend(body.problems)

    causes: list[Cause] = []
    raw_causes = m.get("causes", [])
    if not isinstance(raw_causes, list):
        problems.append(Problem(path, doc.line_of(r"causes"), "'causes' must be an array of tables ([[causes]])"))
        raw_causes = []
    for n, rc in enumerate(raw_causes):
        line = doc.line_of(r"^\[\[causes\]\]", n)
        if not isinstance(rc, dict) or not isinstance(rc.get("id"), str):
            problems.append(Problem(path, line, "each [[causes]] needs an 'id'"))
            continue
        question = rc.get("question")
        if question is not None:
            question = _localized(doc, question, "question", problems)
        cause = Cause(rc["id"], question=question or None, line=line)
        for lang, texts in body.causes.items():
            if rc["id"] in texts:
                t = texts[rc["id"]]
                cause.title[lang] = t.title
                cause.explanation[lang] = t.explanation
                cause.steps[lang] = t.steps
        causes.append(cause)
    known = {c.id for c in causes}
    for lang, texts in body.causes.items():
        for cid, t in texts.items():
            if cid not in known:
                problems.append(Problem(path, t.line, f"the body describes cause '{cid}', which [[causes]] does not declare"))

    entry = Entry(
        id=m.get("id", path.stem) if isinstance(m.get("id"), str) else path.stem,
        category=m.get("category", "") if isinstance(m.get("category"), str) else "",
        severity=m.get("severity", "MEDIUM") if isinstance(m.get("severity"), str) else "MEDIUM",
        title=_localized(doc, m.get("title"), "title", problems),
        checks=list(checks),
        causes=causes,
        outcomes=dict(outcomes),
        aliases=_str_lists(doc, m.get("aliases"), "aliases", problems),
        keywords=_str_lists(doc, m.get("keywords"), "keywords", problems),
        related=[str(r) for r in related],
        sections=body.sections,
        path=path,
        line_of={
            "checks": doc.line_of(r"^checks\s*=") or 2,
            "outcomes": doc.line_of(r"^\[outcomes\]") or 2,
            "title": doc.line_of(r"^\[title\]|^title") or 2,
            "category": doc.line_of(r"^category\s*=") or 2,
            **{f"outcome:{k}": doc.line_of(rf'^"?{k}"?\s*=') or 2 for k in outcomes},
        },
    )
    return entry, problems


def load_knowledge(root: Path | str | None = None) -> KnowledgeBase:
    """Load and validate a knowledge directory. Raises KnowledgeError listing every problem."""
    root = Path(root) if root is not None else default_dir()
    if not root.is_dir():
        raise KnowledgeError([Problem(root, None, "knowledge directory not found")])
    problems: list[Problem] = []
    # A knowledge dir made by `kb import` may hold only entries: fall back to the shipped data.
    shipped = default_dir()

    def data_file(name: str) -> Path:
        own = root / name
        return own if own.exists() else shipped / name

    checks = load_catalog(data_file("checks.toml"))
    categories = load_categories(data_file("categories.toml"))
    support = load_support(data_file("support.toml"))

    entries: dict[str, Entry] = {}
    paths = sorted(root.glob("*.md"))
    if root != shipped and not paths:
        problems.append(Problem(root, None, "no entries (*.md) in this knowledge directory"))
    for path in paths:
        if path.name.upper() == "README.MD":
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(path, None, f"cannot read: {exc}"))
            continue
        entry, found = parse_entry(path, text)
        problems.extend(found)
        if entry is not None:
            if entry.id in entries:
                problems.append(Problem(path, 2, f"duplicate entry id '{entry.id}'"))
            entries[entry.id] = entry
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(root, entries, checks, categories, support)
