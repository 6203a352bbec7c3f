"""Rewrite an entry from the per-language shape (`## Español` / `## English` bodies, causes in
the front matter) into the unified shape (`unified.py`): each cause's facts, outcomes and text in
one `## Cause` section, code blocks in one `## Code` section (written once when both languages
have the same block), written by the one writer of that shape (unified_write.py).

The facts do not change: the loader reads the result into the same entry (`kb convert` checks
that before it writes; tests/test_kb_format.py holds the shipped knowledge to it). Text only;
the caller writes the file.
"""

from __future__ import annotations

import re
from pathlib import Path

from copycar_assist.files.msg import Msg

from .body import SECTION_HEADINGS, fold, parse_body
from .errors import KnowledgeError, Problem
from .frontmatter import parse_document
from .unified import is_unified
from .unified_write import CausePart, CauseWords, CodePart, Items, Part, TextPart, entry_text

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_OUTCOME = re.compile(r'^\s*"?(?P<key>[^"=\s]+)"?\s*=\s*"(?P<target>[^"]*)"\s*(#.*)?$')
_ID = re.compile(r'^\s*id\s*=\s*"(?P<id>[^"]*)"\s*$')


UNIFIED = "kb.convert.unified"  # not an error for `kb convert`: there is nothing to do


class ConvertError(ValueError):
    """The entry cannot be rewritten safely (already unified, or a layout the converter does not
    know). `str()` is English, `text(lang)` either language (`kb.convert.*`)."""

    def __init__(self, key: str, **params: object) -> None:
        self.msg = Msg.of(key, **params)
        super().__init__(str(self.msg))

    def text(self, lang: str | None) -> str:
        return self.msg.text(lang)


def _front_matter(lines: list[str]) -> tuple[list[str], dict[str, list[str]], dict[str, list[str]]]:
    """(kept front-matter lines, cause id -> its TOML lines, cause id -> its outcome keys)."""
    kept: list[str] = []
    causes: dict[str, list[str]] = {}
    outcomes: dict[str, list[str]] = {}
    table: str | None = None
    current: list[str] | None = None
    outcome_header: int | None = None
    for line in lines:
        header = _HEADER.match(line)
        if header and not line.lstrip().startswith("#"):
            table = header.group(1)
            current = None
            if table == "causes":
                current = []
                causes[f"#{len(causes)}"] = current
                continue
            if table == "outcomes":
                outcome_header = len(kept)
        if current is not None:
            m = _ID.match(line)
            if m:
                causes[m.group("id")] = causes.pop(next(k for k, v in causes.items() if v is current))
                continue
            current.append(line)
            continue
        if table == "outcomes":
            m = _OUTCOME.match(line)
            if m and "#" not in m.group("target"):
                outcomes.setdefault(m.group("target"), []).append(m.group("key"))
                continue
        kept.append(line)
    if any(key.startswith("#") for key in causes):
        raise ConvertError("kb.convert.no_cause_id")
    if outcome_header is not None and not any(x.strip() for x in kept[outcome_header + 1:]
                                              if not _HEADER.match(x)):
        del kept[outcome_header]  # every outcome moved into its cause
    while kept and not kept[-1].strip():
        kept.pop()
    for body in causes.values():
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
    return kept, causes, outcomes


def _chunks(markdown: str) -> list[tuple[str, list[str]]]:
    """A language section's '### ' chunks as (title, lines after the heading), fences respected."""
    out: list[tuple[str, list[str]]] = []
    fence = None
    for line in markdown.splitlines()[1:]:  # after '## Español'
        stripped = line.lstrip()
        if fence is None and stripped[:3] in ("```", "~~~"):
            fence = stripped[:3]
        elif fence is not None and stripped.startswith(fence):
            fence = None
        elif fence is None and line.startswith("### "):
            out.append((line[4:].strip(), []))
            continue
        if out:
            out[-1][1].append(line)
    return out


def convert_entry(path: Path, text: str) -> str:
    """The entry `text` (per-language shape) in the unified shape."""
    doc, problems = parse_document(path, text)
    if doc is None:
        raise KnowledgeError(problems)
    if is_unified(doc.body):
        raise ConvertError(UNIFIED)
    body = parse_body(path, doc.body, doc.body_line)
    if body.problems:
        raise KnowledgeError(body.problems)
    langs = list(body.sections)
    front, cause_facts, cause_outcomes = _front_matter(doc.meta_lines)
    chunks = {lang: _chunks(body.sections[lang].markdown) for lang in langs}
    kinds = {lang: [SECTION_HEADINGS.get(fold(t), "other") for t, _ in chunks[lang]] for lang in langs}
    if len({tuple(k) for k in kinds.values()}) > 1:
        raise ConvertError("kb.convert.sections_differ", kinds=kinds)
    order = next(iter(kinds.values()), [])
    parts: list[Part] = []
    cause_ids = list(dict.fromkeys([*cause_facts, *(c for lang in langs for c in body.causes[lang])]))
    for n, kind in enumerate(order):
        if kind in ("symptoms", "pitfalls"):
            parts.append(Items(kind, {lang: (body.sections[lang].symptoms if kind == "symptoms"
                                             else body.sections[lang].pitfalls) for lang in langs}))
        elif kind == "causes":
            for cid in cause_ids:
                facts = list(cause_facts.get(cid, []))
                keys = cause_outcomes.get(cid, [])
                if keys:
                    facts = [f"outcomes = [{', '.join(f'{chr(34)}{k}{chr(34)}' for k in keys)}]", *facts]
                parts.append(CausePart(cid, facts, {
                    lang: CauseWords(t.title, t.explanation, t.steps)
                    for lang in langs if (t := body.causes[lang].get(cid)) is not None}))
        elif kind == "code":
            blocks = {}
            for lang in langs:
                start = sum(_fence_count(lines) for _, lines in chunks[lang][:n])
                blocks[lang] = body.sections[lang].code[start:start + _fence_count(chunks[lang][n][1])]
            prose = [x for lang in langs for x in _outside_fences(chunks[lang][n][1]) if x.strip()]
            if prose:
                raise ConvertError("kb.convert.prose", prose=repr(prose[0][:40]))
            parts.append(CodePart(blocks))
        else:
            parts.append(TextPart({lang: chunks[lang][n][0] for lang in langs},
                                  {lang: chunks[lang][n][1] for lang in langs}))
    return entry_text(front, parts, langs)


def _fence_count(lines: list[str]) -> int:
    count, fence = 0, None
    for line in lines:
        stripped = line.lstrip()
        if fence is None and stripped[:3] in ("```", "~~~"):
            fence = stripped[:3]
            count += 1
        elif fence is not None and stripped.startswith(fence):
            fence = None
    return count


def _outside_fences(lines: list[str]) -> list[str]:
    out, fence = [], None
    for line in lines:
        stripped = line.lstrip()
        if fence is None and stripped[:3] in ("```", "~~~"):
            fence = stripped[:3]
        elif fence is not None and stripped.startswith(fence):
            fence = None
        elif fence is None:
            out.append(line)
    return out


def problems_after(path: Path, before: str, after: str) -> list[Problem]:
    """Differences between what `before` and `after` load into (empty: the same facts)."""
    from .loader import parse_entry
    from .model import facts

    old, _ = parse_entry(path, before)
    new, found = parse_entry(path, after)
    if found or new is None or old is None:
        return found or [Problem(path, None, "kb.problem.convert_no_load")]
    if facts(old) != facts(new):
        return [Problem(path, None, "kb.problem.convert_other_facts")]
    return []
