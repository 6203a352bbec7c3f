"""Text fitted to a terminal's width, for the commands that write for people to one (`doctor`,
`chat --plain`, `train --plain`, `kb show`, `kb list`, `match`, `simulate --list`): a text's
width in columns (wide and combining characters counted as they show), a line cut with "…",
words wrapped (a word longer than the line is split), text hanging under its own column after
a lead, and a reply's lines wrapped with their indentation and list markers kept, code blocks
left as they are. `columns_of(stream)` says whether there is a terminal to fit: on a pipe or a
file the text goes out as it is.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import TextIO

from copycar_assist.textsafe import clean

# Where a line's text starts after its indentation and list marker ("- ", "• ", "1) ", "2. ").
_MARKER = re.compile(r" *(?:[-•*] |\d{1,3}[.)] |→ )?")
_FENCE = re.compile(r" *(?:```|~~~)")
_GAPS = re.compile(r"( +)")
MIN_ROOM = 24  # text beside a lead gets at least this many columns, however narrow the terminal
# Markdown lines that start a block of their own (a list item, a heading, a quote, a table row)
# rather than continue the paragraph above; a heading is never continued.
_BLOCK = re.compile(r" {0,3}(?:[-•*+] |\d{1,3}[.)] |#|>|\|)")
_HEADING = re.compile(r" {0,3}(?:#|\|)")
_TABLE_ROW = re.compile(r" {0,3}\|")


def columns_of(stream: TextIO) -> int | None:
    """The width of the terminal `stream` is (COLUMNS when set, as every tool reads it), else None.
    That stream's own terminal: stderr's when stdout goes to a file (`doctor > report.txt`)."""
    if not stream.isatty():
        return None
    given = os.environ.get("COLUMNS", "")
    if given.isdigit() and int(given) > 0:
        return int(given)
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, OSError, ValueError):  # no file descriptor (a test's stream): the usual default
        return 80


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def pad(text: str, n: int) -> str:
    return text + " " * max(0, n - width(text))


def cut(text: str, n: int) -> str:
    """`text` cut to `n` columns, with "…" when something was left out."""
    if width(text) <= n:
        return text
    out = ""
    for c in text:
        if width(out + c) > n - 1:
            break
        out += c
    return out.rstrip() + "…"


def wrap(text: str, n: int) -> list[str]:
    """`text` on one line's worth of words after another, none wider than `n` columns (a word
    that is, a long address say, is split where the line ends). Line breaks are spaces; the
    spaces between two words on one line are kept (a table's columns stay aligned)."""
    lines: list[str] = []
    line = gap = ""
    for n_tok, token in enumerate(_GAPS.split(clean(text, limit=4000).replace("\n", " ").strip())):
        if n_tok % 2:
            gap = token
            continue
        word = token
        while width(word) > n:  # a word longer than a line: as much as fits, then the rest
            if line:
                lines.append(line)
                line = ""
            head = _start_within(word, n) or word[0]  # a wide character on a one-column line: alone
            lines.append(head)
            word = word[len(head):]
        if line and width(line) + width(gap) + width(word) > n:
            lines.append(line)
            line = word
        else:
            line = f"{line}{gap}{word}" if line else word
    if line:
        lines.append(line)
    return lines


def _start_within(word: str, n: int) -> str:
    """The longest start of `word` no wider than `n` columns."""
    used = 0
    for i, c in enumerate(word):
        used += width(c)
        if used > n:
            return word[:i]
    return word


def hang(lead: str, text: str, columns: int | None, used: int | None = None) -> list[str]:
    """`lead` then `text`, wrapped to `columns` less one under the text's own column (`used`:
    the lead's width when it holds colour codes); one line, as it is, without a terminal."""
    if columns is None:
        return [lead + text]
    used = width(lead) if used is None else used
    lines = wrap(text, max(MIN_ROOM, columns - 1 - used)) or [""]
    return [lead + lines[0], *(" " * used + line for line in lines[1:])]


def fit(text: str, columns: int | None, markdown: bool = False) -> str:
    """A reply's text with every line wrapped to `columns` less one, under its own indentation
    and list marker; a fenced code block's lines are left as they are (copied, not read). In
    Markdown a line that only continues the paragraph or list item above joins it first (the
    source's own line breaks are not the reader's). Without a terminal, the text as it is."""
    if columns is None:
        return text
    out: list[tuple[str, bool]] = []  # (line, whether to wrap it)
    in_code = joinable = False
    for line in text.split("\n"):
        fence = bool(_FENCE.match(line))
        if fence or in_code or (markdown and _TABLE_ROW.match(line)):  # a table row wrapped is no row
            in_code ^= fence
            out.append((line, False))
            joinable = False
        elif markdown and joinable and line.strip() and not _BLOCK.match(line):
            out[-1] = (out[-1][0] + " " + line.strip(), True)
        else:
            out.append((line, True))
            joinable = markdown and bool(line.strip()) and not _HEADING.match(line)
    return "\n".join(_fit_line(line, columns) if wraps else line for line, wraps in out)


def _fit_line(line: str, columns: int) -> str:
    if width(line) < columns:
        return line
    marker = _MARKER.match(line)
    indent = marker.end() if marker else 0
    return "\n".join(hang(line[:indent], line[indent:], columns, indent))
