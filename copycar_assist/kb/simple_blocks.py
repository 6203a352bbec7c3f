"""The blocks of a Markdown text written the way entry bodies are, read line by line without a
Markdown parser (in about 40 % of the time `blocks.py`'s reader takes); None for a text holding
anything else, which `blocks.py` then reads with pulldown-cmark.

    found = simple_blocks(text)   # list[Block] | None

What is read here, each at the start of its line: ATX headings, fenced code that is closed, and
paragraphs (a table's lines are one: CommonMark has no tables) and tight lists of one-line items
(`- `, `* `, `+ `, `1. `, `1) `) separated by blank lines, every block at the top level.
Anything a line might start besides (indentation, quotes, HTML, rules, setext underlines, link
definitions, a block inside an item, a continuation line, a list with blank lines between its
items) gives up the whole text, so that what is returned is what the full reader returns:
`tests/test_kb_blocks.py` holds the two to the same blocks, field by field. Never imports Textual.
"""

from __future__ import annotations

import re

from .blocks import Block, atx_text

_ATX = re.compile(r"#{1,6}(?=[ \t]|$)")
_ORDERED = re.compile(r"[0-9]{1,9}[.)](?=[ \t]|$)")
_RULE_OR_UNDERLINE = re.compile(r"(?:[-*_=][ \t]*)+")


class _GiveUp(Exception):
    """The text holds something this reader leaves to the full one."""


def simple_blocks(text: str) -> list[Block] | None:
    """The blocks of `text` (as `blocks.normalize` leaves it), or None when it holds anything
    but what this module reads (see its docstring)."""
    try:
        return _read(text.split("\n"), text.endswith("\n"))
    except _GiveUp:
        return None


def _blank(line: str) -> bool:
    return not line.strip(" \t")


def _starts_block(line: str) -> bool:
    """Whether a non-blank line could open (or be part of) anything but a paragraph's text."""
    first = line[0]
    if first in " \t><":
        return True
    if first == "#":
        return _ATX.match(line) is not None
    if first in "`~":
        return line.startswith(first * 3)
    if first in "-*+":
        if len(line) == 1 or line[1] in " \t":
            return True
    elif "0" <= first <= "9":
        return _ORDERED.match(line) is not None
    elif first == "[":
        return "]:" in line
    return first in "-*_=" and _RULE_OR_UNDERLINE.fullmatch(line) is not None


def _read(lines: list[str], final_newline: bool) -> list[Block]:
    out: list[Block] = []
    count = len(lines) - 1 if final_newline else len(lines)  # without the empty one after a last newline
    i = 0
    while i < count:
        line = lines[i]
        if _blank(line):
            i += 1
            continue
        first = line[0]
        if first == "#" and (m := _ATX.match(line)) is not None:
            out += _heading(line, m.end(), i)
            i += 1
        elif first in "`~" and line.startswith(first * 3):
            i = _fence(lines, count, i, out)
        elif (found := _item(line)) is not None:
            i = _list(lines, count, i, found, out)
        elif _starts_block(line) or first == "[":
            raise _GiveUp  # (a link definition may be written over several lines)
        else:
            i = _paragraph(lines, count, i, out)
    return out


def _heading(line: str, hashes: int, i: int) -> tuple[Block, Block, Block]:
    tag = f"h{hashes}"
    return (Block("heading_open", tag, [i, i + 1], "", "", 0, "#" * hashes),
            Block("inline", "", [i, i + 1], atx_text(line[hashes:]), "", 1),
            Block("heading_close", tag, None, "", "", 0))


def _fence(lines: list[str], count: int, i: int, out: list[Block]) -> int:
    line = lines[i]
    mark = line[0]
    run = len(line) - len(line.lstrip(mark))
    if mark == "`" and "`" in line[run:]:
        raise _GiveUp  # not a fence: a code span
    closing = mark * run
    for j in range(i + 1, count):
        rest = lines[j].lstrip(" ")
        if rest.startswith(closing) and len(lines[j]) - len(rest) <= 3 and _blank(rest.lstrip(mark)):
            content = "".join(f"{code}\n" for code in lines[i + 1:j])
            out.append(Block("fence", "code", [i, j + 1], content, line.lstrip(mark).strip(), 0))
            return j + 1
    raise _GiveUp  # unclosed: it runs to the end of the text


def _paragraph(lines: list[str], count: int, i: int, out: list[Block]) -> int:
    j = i + 1
    while j < count and not _blank(lines[j]):
        if _starts_block(lines[j]):
            raise _GiveUp
        j += 1
    text = "\n".join(lines[i:j]).strip()
    out += (Block("paragraph_open", "p", [i, j], "", "", 0), Block("inline", "", [i, j], text, "", 1),
            Block("paragraph_close", "p", None, "", "", 0))
    return j


def _item(line: str) -> tuple[str, int] | None:
    """A list item's kind ("-", "*", "+", "." or ")") and where its text starts; None for a
    line that is no item. Gives up on an item that is empty, has a tab after its marker or
    starts with indented code."""
    first = line[0]
    if first in "-*+":
        if len(line) > 1 and line[1] not in " \t":
            return None
        width = 1
    elif "0" <= first <= "9":
        m = _ORDERED.match(line)
        if m is None:
            return None
        width = m.end()
    else:
        return None
    spaces = len(line) - width - len(line[width:].lstrip(" "))
    if not 1 <= spaces <= 4:
        raise _GiveUp
    return line[width - 1], width + spaces


def _list(lines: list[str], count: int, i: int, found: tuple[str, int], out: list[Block]) -> int:
    """A tight list of one-line items from line `i` (its first item `found`), up to the first
    line that is not one of its items, whose blank lines its last item takes."""
    kind = found[0]
    name, tag = ("ordered_list", "ol") if kind in ".)" else ("bullet_list", "ul")
    span = [i, i]
    out.append(Block(f"{name}_open", tag, span, "", "", 0))
    j = i
    while True:
        text = lines[j][found[1]:]
        if _blank(text) or _starts_block(text):
            raise _GiveUp  # a block inside the item (a rule such as "- - -" too)
        lines_of = [j, j + 1]
        out += (Block("list_item_open", "li", lines_of, "", "", 1), Block("paragraph_open", "p", [j, j + 1], "", "", 2),
                Block("inline", "", [j, j + 1], text.strip(), "", 3),
                Block("paragraph_close", "p", None, "", "", 2), Block("list_item_close", "li", None, "", "", 1))
        j += 1
        if j < count and not _blank(lines[j]):
            next_item = _item(lines[j])
            if next_item is None or next_item[0] != kind:
                raise _GiveUp  # more of the item, a list of another kind, or another block right after it
            found = next_item
            continue
        while j < count and _blank(lines[j]):
            j += 1
        if j < count and (lines[j][0] in " \t" or _item(lines[j]) is not None):
            raise _GiveUp  # more of the last item, or a loose list
        lines_of[1] = span[1] = j
        break
    out.append(Block(f"{name}_close", tag, None, "", "", 0))
    return j
