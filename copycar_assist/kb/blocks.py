"""The block structure of a Markdown text: the knowledge's entry bodies (body.py, unified.py)
and the guide `kb import` reads (guide.py). The one Markdown reader of the package.

    for block in blocks(text):   # heading_open, inline, paragraph_open, bullet_list_open, fence …
        block.type, block.tag, block.map, block.content, block.info, block.level

The blocks are those markdown-it's CommonMark parser gives (the same types, nesting levels, line
maps and raw inline text), read from pulldown-cmark's events (pyromark), which finds them ten
times as fast; a text written only the way entry bodies are is read faster still, line by line
(`simple_blocks.py`). An `inline` block holds its text as written, without the indentation or
`>` of the lists and quotes around it; with `plain=True` also the text a reader sees (what the
guide's labels are read from). `tests/test_kb_blocks.py` holds both readers to markdown-it's
result on the shipped knowledge, awkward constructs and random documents. Never imports Textual.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

_ATX = re.compile(r" {0,3}#{1,6}(?=[ \t]|$)")
_MARKER = re.compile(r"[*+-]|\d{1,9}[.)]")


@dataclass(slots=True)
class Block:
    """One block token: an opening, a closing, a leaf (fence, hr …) or a block's raw text."""

    type: str
    tag: str = ""
    map: list[int] | None = None  # [first line, line after it], 0-based within the text
    content: str = ""
    info: str = ""
    level: int = 0
    markup: str = ""  # a heading's: "##" or the underline's character ("=", "-")
    plain: str = ""  # an inline block's visible text, when asked for (`blocks(text, plain=True)`)


@dataclass(slots=True)
class _Container:
    kind: str  # "blockquote" | "bullet_list" | "ordered_list" | "item"
    indent: int = 0  # an item's content column, counted from the `>` of the quote around it
    line: int = -1  # the line an item starts on
    text_at: int = 0  # the byte offset of the item's text on that line


def normalize(text: str) -> str:
    """Line ends as markdown-it reads them (CR LF and CR as LF, NUL as U+FFFD)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")


def blocks(text: str, plain: bool = False) -> list[Block]:
    """The text's blocks, in document order (its lines counted as `normalize` leaves them, as
    markdown-it counts them). `plain`: each
    inline block also gets its visible text (emphasis marks dropped, code spans' text kept,
    images and HTML left out, spaces collapsed), as the guide's reader wants it. A text written
    only the way entry bodies are is read line by line (`simple_blocks.py`), the same blocks
    in about 40 % of the time; any other, by `full_blocks`."""
    from .simple_blocks import simple_blocks

    text = normalize(text)
    found = None if plain else simple_blocks(text)
    return found if found is not None else full_blocks(text, plain)


def full_blocks(text: str, plain: bool = False) -> list[Block]:
    """`blocks` of a normalized text, read from pulldown-cmark's events whatever it holds."""
    import pyromark

    return _Reader(text, plain).read(pyromark.events_with_range(text))


class _Reader:
    def __init__(self, text: str, plain: bool = False) -> None:
        self.plain = plain
        self.seen: list[str] = []  # the visible text of the leaf or tight item being read
        self.image = 0  # the depth an image opened at, while its text is being passed over
        self.leafing: Block | None = None  # the inline block of the paragraph or heading being read
        self.data = text.encode("utf-8")
        self.lines = text.split("\n")
        # the byte offset of each line's end (its newline; the last line's: the end of the text)
        self.ends = [m.start() for m in _NEWLINE.finditer(self.data)] + [len(self.data)]
        self.out: list[Block] = []
        self.stack: list[_Container] = []
        self.quotes = 0  # quotes open in the stack
        self.run_from = self.run_to = -1  # bytes of the text of a tight list item gathered so far

    # --- where things are ---------------------------------------------------------------------

    def line_start(self, line: int) -> int:
        return self.ends[line - 1] + 1 if line else 0

    def span(self, start: int, end: int) -> list[int]:
        """The lines of a byte range, [first, after the last]."""
        return [bisect_left(self.ends, start), bisect_left(self.ends, max(start, end - 1)) + 1]

    def rest_of_line(self, offset: int) -> str:
        return self.data[offset:self.ends[bisect_left(self.ends, offset)]].decode("utf-8", "replace")

    def prefix(self, offset: int) -> str:
        start = self.line_start(bisect_left(self.ends, offset))
        return self.data[start:offset].decode("utf-8", "replace") if offset > start else ""

    # --- the events ---------------------------------------------------------------------------

    def emit(self, kind: str, tag: str, lines: list[int] | None) -> None:
        self.out.append(Block(kind, tag, lines, "", "", len(self.stack)))

    def read(self, events: Any) -> list[Block]:
        skip = 0  # depth inside a paragraph, heading, code block or inline span already written
        code: Block | None = None
        value: Any
        for event, where in events:
            if skip:  # only a code block's text is read; the rest is passed over, level by level
                if type(event) is dict:  # str events neither open nor close anything
                    if "End" in event:
                        if skip == self.image:
                            self.image = 0
                        skip -= 1
                        if not skip:
                            if code is not None and code.type == "code_block" and not code.content.endswith("\n"):
                                code.content += "\n"  # the last line of the text, as markdown-it ends it
                            code = None
                            if self.leafing is not None:
                                self.leafing.plain = _visible(self.seen, self.leafing.content)
                                self.leafing, self.seen = None, []
                    elif "Start" in event:
                        skip += 1
                        inner = event["Start"]
                        if not self.image and type(inner) is dict and "Image" in inner:
                            self.image = skip
                    elif code is not None and "Text" in event:
                        code.content += event["Text"]
                    elif self.plain and not self.image:
                        self.see(event)
                elif self.plain and not self.image and event in ("SoftBreak", "HardBreak"):
                    self.seen.append(" ")
                continue
            if type(event) is str:
                name, value = event, None
            elif "Start" not in event and "End" not in event:  # inline text (Text, Code …) of a tight item
                if self.run_from < 0:
                    self.run_from = where["start"]
                self.run_to = where["end"]
                if self.plain:
                    self.see(event)
                continue
            elif "Start" in event:
                inner = event["Start"]
                if type(inner) is str:
                    name, value = inner, None
                else:
                    (name, value), = inner.items()
            else:  # the end of a list, an item or a quote
                if self.run_from >= 0:
                    self.flush()
                self.close()
                continue
            start, end = where["start"], where["end"]
            if name not in _BLOCKS:  # the text of a tight list item, as it comes
                if self.run_from < 0:
                    self.run_from = start
                self.run_to = end
                if name and name not in _FLAT:
                    skip = 1  # an inline span (emphasis, link …): its end is in its range
                    if name == "Image":
                        self.image = 1
                elif self.plain:
                    self.see(event)
                continue
            if self.run_from >= 0:
                self.flush()
            if self.data[start:start + 1] == b"\n":  # a list indented by a tab starts at the line end before it
                start += 1
            lines = self.span(start, end)
            self.seen = []
            if name == "Paragraph":
                self.leaf("paragraph", "p", lines, self.text(start, lines[1], lines[0]))
                self.leafing = self.out[-2] if self.plain else None
                skip = 1
            elif name == "Heading":
                tag = "h" + value["level"][1]
                content, setext = self.heading_text(start, lines)
                self.leaf("heading", tag, lines, content, [lines[0], lines[1] - 1] if setext else lines)
                self.out[-3].markup = self.lines[lines[1] - 1].strip()[:1] if setext else "#" * int(tag[1])
                self.leafing = self.out[-2] if self.plain else None
                skip = 1
            elif name == "CodeBlock":
                fenced = type(value) is dict
                code = Block("fence" if fenced else "code_block", "code", lines,
                             "", self.fence_info(start) if fenced else "", len(self.stack))
                self.out.append(code)
                skip = 1
            elif name == "HtmlBlock":
                self.emit("html_block", "", lines)
                skip = 1
            elif name == "Rule":
                self.emit("hr", "hr", lines)
            elif name == "BlockQuote":
                self.emit("blockquote_open", "blockquote", lines)
                self.stack.append(_Container("blockquote"))
                self.quotes += 1
            elif name == "List":
                kind = "bullet_list" if value is None else "ordered_list"
                self.emit(f"{kind}_open", "ul" if value is None else "ol", lines)
                self.stack.append(_Container(kind))
            elif name == "Item":
                self.emit("list_item_open", "li", lines)
                self.stack.append(self.item(start))
            else:  # what CommonMark does not have (tables, footnotes …): skipped whole
                skip = 1
        self.flush()
        return self.out

    def leaf(self, kind: str, tag: str, lines: list[int], content: str, text_lines: list[int] | None = None) -> None:
        level = len(self.stack)
        self.out += (Block(f"{kind}_open", tag, lines, "", "", level),
                     Block("inline", "", text_lines or lines, content, "", level + 1),
                     Block(f"{kind}_close", tag, None, "", "", level))

    def close(self) -> None:
        if not self.stack:
            return
        kind = self.stack.pop().kind
        if kind == "item":
            self.emit("list_item_close", "li", None)
        else:
            self.quotes -= kind == "blockquote"
            self.emit(f"{kind}_close", {"bullet_list": "ul", "ordered_list": "ol"}.get(kind, kind), None)

    def flush(self) -> None:
        """The text of a tight item gathered so far, as markdown-it's hidden paragraph."""
        first, end = self.run_from, self.run_to
        if first < 0:
            return
        self.run_from = self.run_to = -1
        ends = self.ends
        line = bisect_left(ends, first)
        stack = self.stack
        item = stack[-1] if stack and stack[-1].kind == "item" else next(
            (c for c in reversed(stack) if c.kind == "item"), None)
        if item is not None and item.line == line:
            begin = min(first, item.text_at)  # from the item's text (an escape's backslash too)
        else:
            raw = self.lines[line]
            begin = self.line_start(line) + len(raw[:self.strip(raw)[0]].encode("utf-8"))
        after = bisect_left(ends, max(begin, end - 1)) + 1  # begin is on `line`
        self.leaf("paragraph", "p", [line, after], self.text(begin, after, line))
        if self.plain:
            self.out[-2].plain = _visible(self.seen, self.out[-2].content)
        self.seen = []

    def see(self, event: Any) -> None:
        """Note what an inline event shows (text, a code span's text, a line break as a space)."""
        if type(event) is str:
            if event in ("SoftBreak", "HardBreak"):
                self.seen.append(" ")
        elif "Text" in event:
            self.seen.append(event["Text"])
        elif "Code" in event:
            self.seen.append(event["Code"])

    def item(self, start: int) -> _Container:
        """A list item opening at byte `start` (its marker): where its text starts, and the
        column later lines must reach to belong to it."""
        line = bisect_left(self.ends, start)
        begin = self.ends[line - 1] + 1 if line else 0
        data = self.data
        rest = data[start:self.ends[line]].decode("utf-8", "replace")
        lead = len(rest) - len(rest.lstrip(" \t"))
        if rest[lead:lead + 1] in ("-", "*", "+"):
            marker_end = lead + 1
        else:
            m = _MARKER.match(rest, lead)
            marker_end = m.end() if m else lead + 1
        after = rest[marker_end:]
        spaces = len(after) - len(after.lstrip(" \t"))
        before = data[begin:start].decode("utf-8", "replace") if start > begin else ""
        marker_col = _columns(before + rest[:marker_end])
        if spaces == len(after):  # its text starts on a later line
            indent, taken = marker_col + 1, spaces
        else:
            text_col = marker_col + spaces if "\t" not in after[:spaces] else _columns(before + rest[:marker_end + spaces])
            if text_col - marker_col <= 4:
                indent, taken = text_col, spaces
            else:  # five spaces or more: one belongs to the marker, the rest to an indented code block
                indent, taken = marker_col + 1, 1
        text_at = start + (marker_end + taken if rest.isascii() else len(rest[:marker_end + taken].encode("utf-8")))
        return _Container("item", indent - self.quote_column(line) if self.quotes else indent, line, text_at)

    def quote_column(self, line: int) -> int:
        """The column after the `>` markers of the quotes open around `line`'s text."""
        raw, pos = self.lines[line], 0
        for container in self.stack:
            if container.kind == "blockquote":
                m = _QUOTE.match(raw, pos)
                if m is None:
                    break
                pos = m.end()
        return _columns(raw[:pos])

    def strip(self, raw: str) -> tuple[int, int]:
        """How many characters of a later line its containers take (their `>` markers, and the
        innermost item's indentation past them), as markdown-it's getLines drops them; and how
        many columns of a tab reach past that indentation."""
        pos, base, indent, lazy = 0, 0, 0, False
        for container in self.stack:
            if container.kind == "blockquote":
                m = None if lazy else _QUOTE.match(raw, pos)
                if m is None:
                    lazy = True  # a line continuing a quote's paragraph without its `>`
                else:
                    pos = m.end()
                base, indent = _columns(raw[:pos]), 0  # what is inside a quote counts from its `>`
            elif container.kind == "item":
                indent = container.indent
        col, target = _columns(raw[:pos]), base + indent
        while pos < len(raw) and raw[pos] in " \t" and col < target:
            col = (col // 4 + 1) * 4 if raw[pos] == "\t" else col + 1
            pos += 1
        return pos, max(0, col - target)

    def text(self, begin: int, after: int, line: int | None = None) -> str:
        """The raw text from byte `begin` (on `line`, when the caller knows it) to the end of line
        `after - 1`, each later line without its containers' markers and indentation (a tab
        reaching past it leaves its spaces beyond), stripped as a whole."""
        if line is None:
            line = bisect_left(self.ends, begin)
        first = self.data[begin:self.ends[line]].decode("utf-8", "replace")
        if after == line + 1:
            return first.strip()
        parts = [first]
        for n in range(line + 1, after):
            raw = self.lines[n]
            pos, over = self.strip(raw)
            parts.append(" " * over + raw[pos:])
        return "\n".join(parts).strip()

    def heading_text(self, start: int, lines: list[int]) -> tuple[str, bool]:
        """A heading's text, and whether it is a setext one (underlined)."""
        rest = self.rest_of_line(start)
        m = _ATX.match(rest)
        if m is None:  # its text lines, without the underline
            return self.text(start, lines[1] - 1), True
        return atx_text(rest[m.end():]), False

    def fence_info(self, start: int) -> str:
        rest = self.rest_of_line(start).lstrip(" ")
        return rest.lstrip(rest[:1]).strip() if rest else ""


_QUOTE = re.compile(r" {0,3}> ?")
_NEWLINE = re.compile(b"\n")
_FLAT = frozenset({"SoftBreak", "HardBreak", "FootnoteReference", "TaskListMarker"})  # inline, no end
_BLOCKS = frozenset({"Paragraph", "Heading", "CodeBlock", "HtmlBlock", "Rule", "BlockQuote", "List", "Item",
                     "Table", "FootnoteDefinition", "DefinitionList", "MetadataBlock"})


def atx_text(rest: str) -> str:
    """An ATX heading's text from what follows its `#` marks (a closing run of `#` dropped)."""
    text = rest.rstrip(" \t")
    closing = text.rstrip("#")
    if closing != text and (not closing or closing[-1] in " \t"):
        text = closing
    return text.strip()


def _visible(parts: list[str], content: str) -> str:
    return " ".join(("".join(parts) if parts else content).split())


def _columns(text: str) -> int:
    if "\t" not in text:
        return len(text)
    col = 0
    for ch in text:
        col = (col // 4 + 1) * 4 if ch == "\t" else col + 1
    return col
