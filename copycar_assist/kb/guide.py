"""Read a troubleshooting guide written like ours into plain `GuideEntry` records.

A guide lists errors under headings (`#### Error: "Invalid API Key"`), grouped by an enclosing
heading (the category). Each error has labelled parts — SÍNTOMAS/SYMPTOMS, CAUSAS
COMUNES/COMMON CAUSES, SOLUCIONES/SOLUTIONS, CÓDIGO…/…CODE — each followed by a list or a code
block, written either directly in the Markdown or inside a ```` ```markdown ```` block.

Real guides nest fences: a ```` ```markdown ```` block holds a ```` ```python ```` block closed by
its own ```` ``` ````, then a second ```` ``` ```` closes the outer one. CommonMark closes the outer
block at the first bare fence and swallows everything after. `normalize_fences` pre-scans the
lines instead: inside an open fence that holds Markdown (info `markdown`/`md` or none), a fence
line of the same character and length WITH an info string opens a nested block; each outer fence
is then lengthened past its nested ones, so a plain CommonMark parse sees the intended structure.
Markdown blocks are parsed again, recursively, down to `MAX_NESTING` levels; deeper blocks are
kept as code (a guide of a thousand nested fences once took minutes and ended in
`RecursionError`). Headings are matched to their source lines through one index, so 50,000
headings cost a pass each, not a pass per heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .blocks import Block, blocks
from .fold import unaccent
from .model import CodeBlock

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*?)\s*$")
MARKDOWN_INFOS = {"", "markdown", "md", "mdown"}
MAX_NESTING = 8  # Markdown fences inside Markdown fences parsed again; deeper ones are code
_LABEL_LINE = re.compile(r"^ {0,3}(?:\*\*|__)?\s*(?P<label>[^\W\d_][^:*_#\n]{0,48}?)\s*:?\s*(?:\*\*|__)?\s*:?\s*$")
_TITLE_PREFIX = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]?\s+)?(?:error|problema|problem|issue|fallo)\s*[:\-–—]\s*", re.I)
_NUMBER_PREFIX = re.compile(r"^\s*\d+(?:\.\d+)*[.)]?\s+")
_QUOTES = "\"'“”‘’«»`"


def fold(text: str) -> str:
    """Lower case, accents removed, spaces collapsed."""
    return " ".join(unaccent(text).lower().split())


def slugify(text: str, limit: int = 60) -> str:
    """`Invoice Sync Failed` → `invoice-sync-failed` (accents folded, at most `limit` chars)."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "entry"


def classify_label(text: str) -> tuple[str, str] | None:
    """(kind, lang) of a part label such as 'CAUSAS COMUNES:' or 'Verification code', else None."""
    t = fold(text.strip().strip("*_:# ").strip())
    if not t or len(t) > 48:
        return None
    rules = (
        ("symptoms", "es", r"^sintomas?\b"), ("symptoms", "en", r"^symptoms?\b"),
        ("causes", "es", r"^(?:posibles |principales )?causas?\b"),
        ("causes", "en", r"^(?:common |possible |probable |likely |root )?causes?\b"),
        ("solutions", "es", r"^(?:soluciones|solucion|resolucion|pasos)\b"),
        ("solutions", "en", r"^(?:solutions?|fix(?:es)?|resolution|remediation|steps)\b"),
        ("code", "es", r"^(?:codigo|ejemplo de codigo)\b"),
        ("code", "en", r"^(?:(?:[a-z]+ ){0,3}code|code\b.*)$"),
    )
    for kind, lang, rx in rules:
        if re.search(rx, t):
            return kind, lang
    return None


@dataclass
class GuideEntry:
    """One error of a guide, as written there."""

    title: str
    id: str
    category: str  # slug of the enclosing heading
    category_title: str
    line: int  # line of the error's heading in the guide (1-based)
    lang: str = "en"
    symptoms: list[str] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)
    solutions: list[str] = field(default_factory=list)
    code: list[CodeBlock] = field(default_factory=list)


@dataclass
class _Fence:
    char: str
    length: int
    info: str
    need: int  # the length this fence must have to enclose its nested fences

    @property
    def holds_markdown(self) -> bool:
        return fold(self.info.split(" ")[0]) in MARKDOWN_INFOS


def normalize_fences(text: str) -> str:
    """The guide with nested fences made explicit (see the module doc), and a blank line put
    around each part label line so that a label is never glued to the list above it."""
    lines = text.splitlines()
    stack: list[_Fence] = []
    marks: dict[int, _Fence] = {}  # fence line -> the fence it opens or closes
    in_code: set[int] = set()  # lines inside a block of code (not Markdown)
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        top = stack[-1] if stack else None
        if m:
            char, n, info = m.group("fence")[0], len(m.group("fence")), m.group("info")
            if top is None or (info and char == top.char and n == top.length and top.holds_markdown):
                marks[i] = _Fence(char, n, info, n)
                stack.append(marks[i])
                continue
            if not info and char == top.char and n >= top.length:
                marks[i] = stack.pop()
                if stack:
                    stack[-1].need = max(stack[-1].need, marks[i].need + 1)
                continue
        if any(not f.holds_markdown for f in stack):
            in_code.add(i)
    out: list[str] = []
    for i, line in enumerate(lines):
        if i in marks and (m := _FENCE.match(line)):  # marks holds only lines that match _FENCE
            f = marks[i]
            line = f"{m.group('indent')}{f.char * f.need}{m.group('info')}"
        elif i not in in_code and _LABEL_LINE.match(line) and classify_label(line):
            out += ["", line, ""]
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def _parse(text: str) -> list[Block]:
    """The blocks of (a part of) the guide, with each inline block's visible text."""
    return blocks(normalize_fences(text), plain=True)


def _items(tokens: list[Block], start: int) -> tuple[list[str], int]:
    """Top-level items of the list opening at `start` (inline source, one line each)."""
    depth, i = 0, start
    items: list[str] = []
    while i < len(tokens):
        tok = tokens[i]
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            if depth == 0:
                return items, i + 1
        elif tok.type == "inline" and depth == 1 and tokens[i - 1].type == "paragraph_open":
            if tokens[i - 2].type == "list_item_open" or not items:
                items.append(" ".join(tok.content.split()))
            else:  # a second paragraph of the same item
                items[-1] += " " + " ".join(tok.content.split())
        i += 1
    return items, i


def _holds_parts(info: str, content: str) -> bool:
    """A ```markdown block, or an unlabelled block with part labels in it: parse it again.
    Any other fenced block is code."""
    word = fold(info.split(" ")[0])
    if word in MARKDOWN_INFOS - {""}:
        return True
    return not word and any(_LABEL_LINE.match(x) and classify_label(x) for x in content.splitlines())


def _collect(tokens: list[Block], entry: GuideEntry, votes: list[str], depth: int = 0) -> None:
    """Fill `entry` from the tokens of its part of the guide (recursing into Markdown fences,
    at most `MAX_NESTING` deep)."""
    kind: str | None = None
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type in ("paragraph_open", "heading_open") and tokens[i + 1].type == "inline":
            label = classify_label(tokens[i + 1].plain)
            if label:
                kind = label[0]
                votes.append(label[1])
            i += 3
            continue
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            items, i = _items(tokens, i)
            if kind in ("symptoms", "causes", "solutions"):
                getattr(entry, kind).extend(items)
            continue
        if tok.type == "fence":
            info = tok.info.strip()
            if kind != "code" and depth < MAX_NESTING and _holds_parts(info, tok.content):
                _collect(_parse(tok.content), entry, votes, depth + 1)
            else:
                entry.code.append(CodeBlock(info, tok.content))
        i += 1


def read_guide(text: str) -> list[GuideEntry]:
    """Every error of the guide, in order. An error is a heading whose part (up to the next
    heading that is not itself a part label) has a symptoms list and a causes or solutions list."""
    tokens = _parse(text)
    lines = text.splitlines()
    heads = []  # (token index, level, text, is_label)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.level == 0:
            title = tokens[i + 1].plain
            heads.append((i, int(tok.tag[1]), title, classify_label(title) is not None))
    entries: list[GuideEntry] = []
    ancestors: list[tuple[int, str]] = []  # (level, text) of enclosing non-label headings
    ends = _part_ends(heads, len(tokens))
    where = _LineIndex(lines)
    for n, (i, level, title, is_label) in enumerate(heads):
        if is_label:
            continue
        while ancestors and ancestors[-1][0] >= level:
            ancestors.pop()
        line = where.find(tokens[i].markup + " ", tokens[i + 1].content)
        cat_title = _NUMBER_PREFIX.sub("", ancestors[-1][1]).strip() if ancestors else "General"
        cat_title = re.sub(r"^[^\w]+", "", cat_title).strip() or "General"
        name = _TITLE_PREFIX.sub("", title).strip().strip(_QUOTES).strip()
        entry = GuideEntry(name, slugify(name), slugify(cat_title), cat_title, line)
        votes: list[str] = []
        _collect(tokens[i + 3:ends[n]], entry, votes)
        ancestors.append((level, title))
        if entry.symptoms and (entry.causes or entry.solutions):
            entry.lang = max(("es", "en"), key=votes.count)
            entries.append(entry)
    return entries


def _part_ends(heads: list[tuple[int, int, str, bool]], total: int) -> list[int]:
    """For each heading, the token index of the next heading that is not a part label (one pass
    from the end)."""
    ends = [total] * len(heads)
    following = total
    for n in range(len(heads) - 1, -1, -1):
        ends[n] = following
        i, _level, _title, is_label = heads[n]
        if not is_label:
            following = i
    return ends


class _LineIndex:
    """1-based line of the guide holding a heading (normalising inserts blank lines), from one
    dictionary of stripped lines built on first use."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self._first: dict[str, int] | None = None

    def find(self, markup: str, content: str) -> int:
        if self._first is None:
            self._first = {}
            for n, text in enumerate(self.lines, 1):
                self._first.setdefault(text.strip(), n)
        return self._first.get((markup + content).strip(), 1)
