"""Parse an entry's Markdown body (its blocks: blocks.py) into per-language sections and causes.

Layout of a body:

    ## Español | ## English            one section per language
    ### Síntomas | ### Symptoms        bullet list
    ### Causas | ### Causes            one `#### `cause-id` — Title` per cause:
                                       paragraphs (explanation) then an ordered list (steps)
    ### Errores frecuentes | ### Pitfalls   bullet list
    ### Código | ### Code              fenced blocks
Any other ### section is kept as Markdown for people to read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .blocks import Block, blocks
from .errors import Problem
from .fold import unaccent
from .model import CodeBlock, Note, Section

LANGUAGE_HEADINGS = {
    "espanol": "es", "es": "es", "spanish": "es", "castellano": "es",
    "english": "en", "en": "en", "ingles": "en",
}
SECTION_HEADINGS = {
    "sintomas": "symptoms", "symptoms": "symptoms",
    "causas": "causes", "causas comunes": "causes", "causes": "causes", "common causes": "causes",
    "errores frecuentes": "pitfalls", "trampas": "pitfalls", "pitfalls": "pitfalls",
    "common mistakes": "pitfalls",
    "codigo": "code", "code": "code",
}
_CAUSE_HEADING = re.compile(r"^`?(?P<id>[a-z0-9][a-z0-9-]*)`?\s*(?:[—–:-]+\s*(?P<title>.*))?$")

def fold(text: str) -> str:
    """Lower case, accents removed, surrounding space and trailing colon stripped."""
    return unaccent(text).strip().rstrip(":").strip().lower()


@dataclass
class CauseText:
    id: str
    title: str
    explanation: str
    steps: list[str]
    line: int


@dataclass
class ParsedBody:
    sections: dict[str, Section] = field(default_factory=dict)
    causes: dict[str, dict[str, CauseText]] = field(default_factory=dict)  # lang -> id -> text
    problems: list[Problem] = field(default_factory=list)
    seen: dict[str, set[str]] = field(default_factory=dict)  # lang -> section kinds present


def _inline_text(tokens: list[Block], i: int) -> str:
    """Text of the inline token following an *_open token at index i."""
    if i + 1 < len(tokens) and tokens[i + 1].type == "inline":
        return tokens[i + 1].content.strip()
    return ""


def _list_items(tokens: list[Block], start: int) -> tuple[list[str], int]:
    """Items of the list opening at `start`; returns the items and the index after the list."""
    close = tokens[start].type.replace("_open", "_close")
    depth, i = 0, start
    items: list[str] = []
    current: list[str] | None = None
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == tokens[start].type:
            depth += 1
        elif tok.type == close:
            depth -= 1
            if depth == 0:
                break
        elif tok.type == "list_item_open" and depth == 1:
            current = []
        elif tok.type == "list_item_close" and depth == 1:
            items.append(" ".join(current or []).strip())
            current = None
        elif tok.type == "inline" and current is not None:
            current.append(tok.content.strip())
        i += 1
    return items, i + 1


def next_heading(tokens: list[Block], start: int, level: int) -> int:
    """Index of the next heading of `level` or higher (fewer #) from `start`, else len(tokens)."""
    for j in range(start, len(tokens)):
        if tokens[j].type == "heading_open" and int(tokens[j].tag[1]) <= level:
            return j
    return len(tokens)


def note_at(tokens: list[Block], i: int, title: str, src: list[str], first_line: int) -> Note:
    """The section of text for people whose `###` heading opens at token `i`: its Markdown as
    written, up to the next heading of level 3 or higher (`src`: the body's lines, the first
    of them file line `first_line`)."""
    where = tokens[i].map
    start = where[1] if where else 0
    after = next_heading(tokens, i + 3, 3)
    until = tokens[after].map if after < len(tokens) else None
    stop = until[0] if until else len(src)
    return Note(title, "\n".join(src[start:stop]).strip(), start + first_line, stop + first_line)


def parse_body(path: Path, text: str, first_line: int) -> ParsedBody:
    """Parse `text` (which starts at file line `first_line`)."""
    out = ParsedBody()
    tokens = blocks(text)
    src_lines = text.splitlines()
    lang: str | None = None
    kind: str | None = None
    cause: CauseText | None = None
    lang_starts: list[tuple[str, int]] = []

    def file_line(tok: Block) -> int:
        return (tok.map[0] if tok.map else 0) + first_line

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            title = _inline_text(tokens, i)
            level = int(tok.tag[1])
            if level == 2:
                lang = LANGUAGE_HEADINGS.get(fold(title))
                kind, cause = None, None
                if lang is None:
                    out.problems.append(Problem(path, file_line(tok),
                        "kb.problem.unknown_language_heading", title=title))
                elif lang in out.sections:
                    out.problems.append(Problem(path, file_line(tok), "kb.problem.language_twice", code=lang))
                else:
                    out.sections[lang] = Section(line=file_line(tok))
                    out.causes[lang] = {}
                    out.seen[lang] = set()
                    lang_starts.append((lang, tok.map[0] if tok.map else 0))
            elif level == 3 and lang:
                kind = SECTION_HEADINGS.get(fold(title), "other")
                out.seen[lang].add(kind)
                cause = None
                if kind == "other":
                    out.sections[lang].notes.append(note_at(tokens, i, title, src_lines, first_line))
            elif level == 4 and lang and kind == "causes":
                m = _CAUSE_HEADING.match(title)
                if not m:
                    out.problems.append(Problem(path, file_line(tok),
                        "kb.problem.cause_heading", title=title))
                    cause = None
                else:
                    cid = m.group("id")
                    if cid in out.causes[lang]:
                        out.problems.append(Problem(path, file_line(tok), "kb.problem.cause_described_twice",
                                                            cause=cid, code=lang))
                    cause = CauseText(cid, (m.group("title") or "").strip(), "", [], file_line(tok))
                    out.causes[lang][cid] = cause
            i += 3
            continue
        if lang is None:
            i += 1
            continue
        sec = out.sections[lang]
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            items, i = _list_items(tokens, i)
            if kind == "symptoms":
                sec.symptoms.extend(items)
            elif kind == "pitfalls":
                sec.pitfalls.extend(items)
            elif kind == "causes" and cause is not None:
                cause.steps.extend(items)
            continue
        if tok.type == "paragraph_open" and kind == "causes" and cause is not None:
            para = _inline_text(tokens, i)
            cause.explanation = f"{cause.explanation}\n\n{para}".strip() if cause.explanation else para
        elif tok.type == "fence":
            sec.code.append(CodeBlock(tok.info.strip(), tok.content, file_line(tok)))
        i += 1

    # Keep each language's Markdown as written, for display.
    for n, (lang_id, start) in enumerate(lang_starts):
        end = lang_starts[n + 1][1] if n + 1 < len(lang_starts) else len(src_lines)
        out.sections[lang_id].markdown = "\n".join(src_lines[start:end]).strip()
    return out
