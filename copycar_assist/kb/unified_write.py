"""The one writer of the unified entry shape (unified.py reads it, knowledge/README.md teaches
it): front-matter lines and the body's parts — symptoms, causes with their facts and text,
pitfalls, code, text for people — in the order given, as the text of an entry file.

`kb convert` (convert.py, from an entry in the per-language shape) and `kb import` (importer.py,
from a guide) both write through `entry_text`; `kb new` starts from a template (scaffold.py) in
this same shape. Text only: it never reads or writes files and never judges what it writes —
the loader and `kb lint` do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tomli_w

from .model import CodeBlock
from .unified import DISPLAY

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass
class Items:
    """A `## Symptoms` or `## Pitfalls` section: a bullet list per language."""

    kind: str  # "symptoms" | "pitfalls"
    items: dict[str, list[str]]


@dataclass
class CauseWords:
    """What one language says about a cause: its title, why it happens, the ordered steps."""

    title: str
    explanation: str = ""
    steps: list[str] = field(default_factory=list)


@dataclass
class CausePart:
    """A ``## Cause `id` `` section: its facts (TOML lines, none: no block) and its text per language."""

    id: str
    facts: list[str] = field(default_factory=list)
    words: dict[str, CauseWords] = field(default_factory=dict)


@dataclass
class CodePart:
    """The `## Code` section: each language's blocks, paired in order; a pair that is the same in
    every language is written once, any other block with its language after the fence's info."""

    blocks: dict[str, list[CodeBlock]]


@dataclass
class TextPart:
    """Text for people (`## Title`, then `### Español: Título` …): each language's lines as written."""

    titles: dict[str, str]
    lines: dict[str, list[str]]


Part = Items | CausePart | CodePart | TextPart


def fence_for(text: str) -> str:
    """A backtick fence longer than any backtick run inside `text`."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def toml_value(value: object) -> str:
    """`value` as a TOML value (a string quoted and escaped by tomli-w)."""
    return tomli_w.dumps({"v": value}).split("=", 1)[1].strip()


def fact_lines(facts: dict[str, object]) -> list[str]:
    """A cause's facts as the lines of its TOML block, tables as dotted keys
    ({"question": {"es": …}} → `question.es = "…"`), in the order given."""
    out = []
    for key, value in facts.items():
        pairs = ([(f"{key}.{sub}", v) for sub, v in value.items()] if isinstance(value, dict)
                 else [(key, value)])
        for name, v in pairs:
            if not all(_BARE_KEY.match(k) for k in name.split(".")):
                raise ValueError(f"not a bare TOML key: {name!r}")
            out.append(f"{name} = {toml_value(v)}")
    return out


def _trim(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _fenced(info: str, code: str) -> list[str]:
    fence = fence_for(code)
    return [f"{fence}{info}", *code.rstrip("\n").split("\n"), fence, ""]


def _code(part: CodePart, langs: list[str]) -> list[str]:
    out = [f"## {DISPLAY['en']['code']}", ""]
    width = max((len(part.blocks.get(lang, [])) for lang in langs), default=0)
    for i in range(width):
        pair = [part.blocks[lang][i] if i < len(part.blocks.get(lang, [])) else None for lang in langs]
        same = len(langs) > 1 and all(p is not None for p in pair) and len(
            {(p.lang, p.code) for p in pair if p}) == 1
        for lang, block in zip(langs, pair):
            if block is None:
                continue
            out += _fenced(block.lang if same else f"{block.lang} {lang}".strip(), block.code)
            if same:
                break
    return out


def entry_text(front: list[str], parts: list[Part], langs: list[str]) -> str:
    """The entry file: `front` (the TOML lines between the `+++` lines), then each part, each
    language in the order of `langs`."""
    out = ["+++", *front, "+++", ""]
    for part in parts:
        if isinstance(part, Items):
            out += [f"## {DISPLAY['en'][part.kind]}", ""]
            for lang in langs:
                out += [f"### {DISPLAY[lang]['lang']}", "", *(f"- {x}" for x in part.items.get(lang, [])), ""]
        elif isinstance(part, CausePart):
            out += [f"## Cause `{part.id}`", ""]
            if part.facts:
                fence = fence_for("\n".join(part.facts))
                out += [f"{fence}toml", *part.facts, fence, ""]
            for lang in langs:
                words = part.words.get(lang)
                if words is None:
                    continue
                out += [f"### {DISPLAY[lang]['lang']}: {words.title}", ""]
                if words.explanation:
                    out += [words.explanation, ""]
                out += [*(f"{i}. {s}" for i, s in enumerate(words.steps, 1)), ""]
        elif isinstance(part, CodePart):
            out += _code(part, langs)
        else:
            out += [f"## {part.titles[langs[-1]]}", ""]
            for lang in langs:
                out += [f"### {DISPLAY[lang]['lang']}: {part.titles[lang]}", "", *_trim(part.lines[lang]), ""]
    return "\n".join(out).rstrip() + "\n"
