"""Parse an entry body in the unified shape, where each cause lives in one place.

Layout (knowledge/README.md is the authoring guide):

    ## Symptoms                      one `### Español` and one `### English` bullet list
    ## Cause `cause-id`              one per cause, in order:
    ```toml                            its facts: outcomes, prior, question, evidence, effects,
    outcomes = ["check.outcome"]       also_outcomes (all optional)
    ```
    ### Español: Title                explanation paragraphs, then the ordered solution steps
    ### English: Title
    ## Pitfalls                      `### Español` / `### English` bullet lists
    ## Code                          fenced blocks: "```python" is for both languages,
                                     "```python es" / "```python en" for one language only
    ## <anything else>               text for people: `### Español: Title` / `### English: Title`

A fence inside a language subsection belongs to that language. Each language's `Section` gets a
`markdown` rendered in the per-language layout the app displays. Parsing only: the loader turns
the causes' facts into `Cause` objects and reports their problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copycar_assist.files.fields import is_id
from copycar_assist.files.read import ENTRY, ReadError, parse_toml

from .blocks import Block, blocks
from .body import LANGUAGE_HEADINGS, SECTION_HEADINGS, CauseText, ParsedBody, _list_items, fold, next_heading, note_at
from .errors import Problem
from .frontmatter import Document
from .model import LANGS, CodeBlock, Section

# Display headings of the per-language layout (what `Section.markdown` holds).
DISPLAY = {
    "es": {"lang": "Español", "symptoms": "Síntomas", "causes": "Causas", "pitfalls": "Errores frecuentes",
           "code": "Código"},
    "en": {"lang": "English", "symptoms": "Symptoms", "causes": "Causes", "pitfalls": "Pitfalls", "code": "Code"},
}
_CAUSE = re.compile(r"^(?:cause|causa)\s+`?(?P<id>[^`\s]+)`?\s*$", re.IGNORECASE)
_LANG_SUB = re.compile(r"^(?P<lang>[^:—–]+?)\s*(?:[:—–]\s*(?P<title>.*))?$")
_OLD_LANGS = {"espanol", "english", "spanish", "castellano", "ingles"}


def is_unified(body: str) -> bool:
    """True when the body's first `##` heading (outside fences) is not a language: the new shape."""
    fence: str | None = None
    for line in body.splitlines():
        stripped = line.lstrip()
        if fence is None and stripped[:3] in ("```", "~~~"):
            fence = stripped[:3]
            continue
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        if line.startswith("## "):
            return fold(line[3:].strip()) not in LANGUAGE_HEADINGS
    return False


@dataclass
class RawCause:
    """A `## Cause` section: its id, its facts (the TOML fence, unparsed) and where they are."""

    id: str
    line: int
    facts: str = ""
    facts_line: int | None = None  # file line of the fence's first content line


@dataclass
class _Part:
    """One level-2 section of the body, in order, for the per-language display."""

    kind: str  # symptoms | cause | pitfalls | code | other
    titles: dict[str, str] = field(default_factory=dict)
    markdown: dict[str, list[str]] = field(default_factory=dict)  # lang -> display lines
    cause: str | None = None


@dataclass
class UnifiedBody(ParsedBody):
    raw_causes: list[RawCause] = field(default_factory=list)


def _level2(title: str) -> tuple[str, str | None]:
    m = _CAUSE.match(title)
    if m:
        return "cause", m.group("id")
    kind = SECTION_HEADINGS.get(fold(title))
    return (kind if kind in ("symptoms", "pitfalls", "code") else "other"), None


def _language(title: str) -> tuple[str | None, str]:
    m = _LANG_SUB.match(title)
    if not m:
        return None, ""
    return LANGUAGE_HEADINGS.get(fold(m.group("lang"))), (m.group("title") or "").strip()


def _fence_info(info: str) -> tuple[str, str | None]:
    """("python", "es") for "python es"; ("python", None) for "python" (both languages)."""
    words = info.split()
    if len(words) >= 2 and words[-1] in LANGS:
        return " ".join(words[:-1]), words[-1]
    return info.strip(), None


def _fence_markdown(lang: str, code: str) -> list[str]:
    return [f"```{lang}", *code.rstrip("\n").split("\n"), "```", ""]


def parse_unified(path: Path, text: str, first_line: int) -> UnifiedBody:
    """Parse `text` (which starts at file line `first_line`) in the unified shape."""
    out = UnifiedBody()
    for language in LANGS:
        out.causes[language] = {}
    tokens = blocks(text)
    src = text.splitlines()
    parts: list[_Part] = []
    part: _Part | None = None
    lang: str | None = None
    cause_text: CauseText | None = None
    seen_ids: set[str] = set()
    lines_of: dict[str, int] = {}  # lang -> first line of anything in that language

    def file_line(tok: Block) -> int:
        return (tok.map[0] if tok.map else 0) + first_line

    def section(code: str) -> Section:
        return out.sections.setdefault(code, Section())

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            title = tokens[i + 1].content.strip() if tokens[i + 1].type == "inline" else ""
            level = int(tok.tag[1])
            if level == 1 or level == 2:
                if level == 1 or fold(title) in _OLD_LANGS:
                    out.problems.append(Problem(path, file_line(tok), "kb.problem.language_level",
                                                hashes="#" * level, title=title))
                kind, cid = _level2(title)
                if kind == "other" and fold(title).split(" ")[0] in ("cause", "causa"):
                    out.problems.append(Problem(path, file_line(tok), "kb.problem.cause_backquotes",
                                                title=title))
                part = _Part(kind, cause=cid)
                parts.append(part)
                lang, cause_text = None, None
                if kind == "cause":
                    if cid in seen_ids:
                        out.problems.append(Problem(path, file_line(tok), "kb.problem.cause_written_twice", cause=cid))
                    seen_ids.add(cid or "")
                    out.raw_causes.append(RawCause(cid or "", file_line(tok)))
            elif level == 3 and part is not None:
                lang, sub_title = _language(title)
                cause_text = None
                if lang is None:
                    out.problems.append(Problem(path, file_line(tok), "kb.problem.subsection_language",
                                                title=title))
                elif lang in part.markdown:
                    out.problems.append(Problem(path, file_line(tok), "kb.problem.language_twice_here", code=lang))
                    lang = None
                else:
                    lines_of.setdefault(lang, file_line(tok))
                    section(lang)
                    part.titles[lang] = sub_title
                    part.markdown[lang] = []
                    out.seen.setdefault(lang, set())
                    if part.kind == "cause":
                        out.seen[lang].add("causes")
                        if not sub_title:
                            out.problems.append(Problem(path, file_line(tok), "kb.problem.cause_title",
                                                        cause=part.cause, title=title))
                        cause_text = CauseText(part.cause or "", sub_title, "", [], file_line(tok))
                        out.causes[lang][part.cause or ""] = cause_text
                    elif part.kind != "other":
                        out.seen[lang].add(part.kind)
                    if part.kind == "other":  # text for people, kept as written (up to the next heading ≤ 3)
                        note = note_at(tokens, i, sub_title, src, first_line)
                        section(lang).notes.append(note)
                        part.markdown[lang] = src[note.line - first_line:note.end - first_line]
            elif not (part is not None and part.kind == "other" and lang is not None):  # text for people may
                out.problems.append(Problem(path, file_line(tok), "kb.problem.heading_not_read",
                                            hashes="#" * level, title=title))  # have any
            i += 3
            continue
        if part is None:
            if tok.type not in ("paragraph_close",) and tok.map:
                out.problems.append(Problem(path, file_line(tok), "kb.problem.text_before"))
                i = next_heading(tokens, i, 2)
                continue
            i += 1
            continue
        if tok.type == "fence":
            info, only = _fence_info(tok.info)
            if part.kind == "cause" and lang is None and info == "toml" and only is None:
                raw = out.raw_causes[-1]
                if raw.facts_line is not None:
                    out.problems.append(Problem(path, file_line(tok), "kb.problem.two_toml", cause=raw.id))
                raw.facts, raw.facts_line = tok.content, file_line(tok) + 1
            else:
                targets = [lang] if lang else ([only] if only else list(LANGS))
                for code in targets:
                    section(code).code.append(CodeBlock(info, tok.content, file_line(tok)))
                    if part.kind != "other":
                        part.markdown.setdefault(code, []).extend(_fence_markdown(info, tok.content))
            i += 1
            continue
        if lang is None:
            if tok.map and tok.type.endswith("_open") and tok.level == 0:
                out.problems.append(Problem(path, file_line(tok), "kb.problem.outside_language"))
                i = _skip_block(tokens, i)
                continue
            i += 1
            continue
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            items, i = _list_items(tokens, i)
            sec = section(lang)
            if part.kind == "symptoms":
                sec.symptoms.extend(items)
                part.markdown[lang] += [f"- {x}" for x in items] + [""]
            elif part.kind == "pitfalls":
                sec.pitfalls.extend(items)
                part.markdown[lang] += [f"- {x}" for x in items] + [""]
            elif cause_text is not None:
                cause_text.steps.extend(items)
                part.markdown[lang] += [f"{n}. {x}" for n, x in enumerate(items, 1)] + [""]
            continue
        if tok.type == "paragraph_open" and cause_text is not None:
            para = tokens[i + 1].content.strip() if tokens[i + 1].type == "inline" else ""
            cause_text.explanation = f"{cause_text.explanation}\n\n{para}".strip() if cause_text.explanation else para
            part.markdown[lang] += [para, ""]
        i += 1

    for code, sec in out.sections.items():
        sec.line = lines_of.get(code)
        sec.markdown = _display(code, parts)
    return out


def _skip_block(tokens: list[Block], i: int) -> int:
    """Index after the top-level block opening at i."""
    close = tokens[i].type.replace("_open", "_close")
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].type == tokens[i].type:
            depth += 1
        elif tokens[j].type == close:
            depth -= 1
            if depth == 0:
                return j + 1
    return len(tokens)


def _display(lang: str, parts: list[_Part]) -> str:
    """The language's text in the per-language layout the app shows (## Español, ### Síntomas …)."""
    names = DISPLAY[lang]
    lines = [f"## {names['lang']}", ""]
    causes_opened = False
    for part in parts:
        if lang not in part.markdown and part.kind != "code":
            continue
        body = part.markdown.get(lang, [])
        if part.kind == "cause":
            if not causes_opened:
                lines += [f"### {names['causes']}", ""]
                causes_opened = True
            lines += [f"#### `{part.cause}` — {part.titles.get(lang, '')}", "", *body]
        elif part.kind == "other":
            lines += [f"### {part.titles.get(lang, '')}", *body]
        elif body:
            lines += [f"### {names[part.kind]}", "", *body]
    return "\n".join(lines).strip()

CAUSE_KEYS = ("outcomes", "prior", "question", "evidence", "effects", "also_outcomes", "code")


def cause_facts(path: Path, raw: RawCause, outcomes: dict[str, str], outcome_lines: dict[str, int],
                 problems: list[Problem]) -> tuple[Document, dict[str, Any] | None]:
    """A `## Cause` section's TOML block, parsed (None when it is not TOML); its `outcomes` join
    the entry's table."""
    lines = raw.facts.splitlines()
    facts_doc = Document(path, {}, "", 0, lines, first_line=raw.facts_line or raw.line)
    if raw.facts_line is None:
        return facts_doc, {}
    try:
        facts = parse_toml(raw.facts, path, ENTRY, line_offset=raw.facts_line - 1)
    except ReadError as exc:
        problems.append(Problem(path, exc.line, "kb.problem.cause_toml", cause=raw.id, reason=exc.reason_msg()))
        return facts_doc, None
    facts_doc.meta = facts
    for key in facts:
        if key not in CAUSE_KEYS:
            problems.append(Problem(path, facts_doc.line_of(rf"^\s*{re.escape(key)}\b") or raw.facts_line,
                                    "kb.problem.cause_unknown_key", cause=raw.id, name=key,
                                    known=", ".join(CAUSE_KEYS)))
    mine = facts.pop("outcomes", [])
    where = facts_doc.line_of(r"^\s*outcomes\b") or raw.facts_line
    if not isinstance(mine, list) or not all(isinstance(k, str) and is_id(k) and "." in k for k in mine):
        problems.append(Problem(path, where, "kb.problem.cause_outcomes", cause=raw.id))
        return facts_doc, facts
    for key in mine:
        line = facts_doc.line_of(rf'"{re.escape(key)}"') or where
        if key in outcomes:
            problems.append(Problem(path, line, "kb.problem.outcome_twice",
                                    outcome=key, cause=outcomes[key]))
            continue
        outcomes[key] = raw.id
        outcome_lines[key] = line
    return facts_doc, facts
