"""An entry body's blocks (kb/blocks.py, read from pulldown-cmark's events) are the blocks
markdown-it's CommonMark parser gives with its inline pass off: the same types, nesting levels,
first lines (whole line maps for headings) and raw text, on the shipped knowledge, on constructs
chosen to be awkward, and on random documents made of the lines knowledge is written with.

The two parsers read three rare things differently, left out of the random documents: a line
indented four spaces or more that lazily continues a paragraph in a quote inside a quote (part of
the paragraph for pulldown-cmark, as CommonMark says, code for markdown-it), an empty list item
right after a link reference definition, and an empty list item followed by two blank lines and
another item (one list for pulldown-cmark, two for markdown-it).

Texts written only the way entry bodies are, `blocks` reads line by line (kb/simple_blocks.py):
those blocks are the full reader's, field by field, and every other text is left to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from copycar_assist.kb import default_dir
from copycar_assist.kb.blocks import blocks, full_blocks, normalize
from copycar_assist.kb.frontmatter import parse_document
from copycar_assist.kb.simple_blocks import simple_blocks

_REFERENCE = MarkdownIt("commonmark").disable(["inline", "text_join"])
_OPENINGS = ("heading_open", "paragraph_open", "fence", "code_block", "html_block", "hr", "bullet_list_open",
             "ordered_list_open", "list_item_open", "blockquote_open", "inline")


def _shape(tok) -> tuple:
    whole_map = tok.type == "heading_open" or (tok.type == "inline" and tok.level <= 1)
    where = tok.map if whole_map else (tok.map[:1] if tok.map and tok.type in _OPENINGS else None)
    return (tok.type, tok.level, where, tok.content if tok.type in ("inline", "fence", "code_block") else "",
            tok.info.strip() if tok.type == "fence" else "", tok.tag if tok.type.startswith("heading") else "")


def _same(text: str) -> None:
    expected = [_shape(t) for t in _REFERENCE.parse(text)]
    text = normalize(text)
    assert [_shape(b) for b in full_blocks(text)] == expected
    simple = simple_blocks(text)
    assert simple is None or simple == full_blocks(text)
    assert [_shape(b) for b in blocks(text)] == expected


def _bodies() -> list[tuple[str, str]]:
    out = []
    for path in sorted(default_dir().glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if path.name != "README.md":
            doc, _ = parse_document(path, text)
            assert doc is not None
            text = doc.body
        out.append((path.name, text))
    return out


@pytest.mark.parametrize("name,text", _bodies())
def test_the_shipped_knowledge_has_the_same_blocks(name, text):
    _same(text)


AWKWARD = [
    "para \\*one\n   cont *two*\nlazy\n",
    "- item one\n  cont\n  - nested\n- item two\n\n  second para\n",
    "> quote line\n> more\n",
    "1. step\n   ```sh\n   code here\n   ```\n2. next\n\n    indented code\n",
    "<div>\nhtml\n</div>\n",
    "Setext\n---\n***\n",
    "* x\n*\n  y\n",
    "-\n  foo\n",
    "1)  two\n    cont\n",
    "> - q\n>   r\n",
    "## \\*h *x* ##\n",
    "# \n",
    "```py es\nx\n```\n",
    "~~~\nunclosed",
    "-    five spaces\n",
    "- \\*esc\n",
    "- a\n\tb\n",
    "- item\n\t- tab indented\n",
    "## Cause `x`\n```toml\na=1\n```\n### English: T\n\nPara one\nline two\n\n1. s1\n2. s2\n",
    "- a\n  > q\n  > r\n",
    "- a\n  > q\n  lazy\n",
    "> - item\n    lazy four\n",
    "  - a\n    b\n",
    "Title\n===\n\ntext\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "[ref]: http://x\n\npara\n",
    "text  \nhard break\r\nand a CR\rline\n",
    "- a\n  ```\n  b\n  ```\n  c\n",
    "ñandú *ü*\n  - ünïcode\n    más\n",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_constructs_have_the_same_blocks(text):
    _same(text)


LINES = ["", "", "text", "more *em* text", "  indented", "    four", "\tTab", "- item", "* star", "+ plus",
         "1. one", "2) two", "10. ten", "  - nested", "    - deeper", "   1. num", "\t- tab item", "- a\tb",
         "- \\*esc", "- `code`", "- [ ] task", "> quote", ">quote", "> - qitem", "> ", "> ```", "  > q",
         "## Heading", "### Sub: x", "# H1 #", "#### `id` — t", "#", "  ##  x  ##  ", "Text ##", "\\# not",
         "```", "```toml", "~~~", "  ```py", "```` ", "---", "***", "===", "<div>", "</div>", "<!-- c -->",
         "ñandú ü", "  cont", "      six", "  \t cont", "| a | b |", "lazy"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(LINES), min_size=1, max_size=14))
def test_documents_made_of_knowledge_lines_have_the_same_blocks(lines):
    _same("\n".join(lines) + "\n")


def test_a_body_larger_than_ascii_keeps_its_line_numbers(tmp_path: Path):
    text = "## Síntomas\n\n- ñ " + "é" * 300 + "\n\n## English\n\n- x\n"
    heads = [b for b in blocks(text) if b.type == "heading_open"]
    assert [h.map for h in heads] == [[0, 1], [4, 5]]


_FULL = MarkdownIt("commonmark")
INLINE = ["text *em* and **strong**", "a `code span` b", "[link](http://x) after", "![img alt](p.png) tail",
          "<b>html</b> inline", "&amp; entity &copy;", "- item *em*", "- ![i](x) item", "1. `c` one", "## Head *x*",
          "Setext *s*\n---", "line  \nhard", "escaped \\*star\\*", "<http://auto.link>", "", "", "> quote `c`",
          "  - nested **b**", "text with trailing \\"]


def _visible(tok) -> str:
    """The guide's reader's words as markdown-it gave them: text, code spans, breaks as spaces."""
    parts = [" " if c.type in ("softbreak", "hardbreak") else c.content for c in (tok.children or [])
             if c.type in ("text", "code_inline", "softbreak", "hardbreak")]
    return " ".join("".join(parts or [tok.content]).split())


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(INLINE), min_size=1, max_size=8))
def test_the_visible_text_and_heading_marks_are_markdown_its(lines):
    text = "\n".join(lines) + "\n"
    expected = [(t.type, _visible(t) if t.type == "inline" else "", t.markup if t.type == "heading_open" else "")
                for t in _FULL.parse(text)]
    assert [(b.type, b.plain if b.type == "inline" else "", b.markup if b.type == "heading_open" else "")
            for b in blocks(normalize(text), plain=True)] == expected


def test_the_line_reader_reads_every_shipped_entry_as_the_full_reader_does():
    for name, text in _bodies():
        text = normalize(text)
        simple = simple_blocks(text)
        if name != "README.md":  # the authoring guide indents its examples
            assert simple is not None, name
        if simple is not None:
            assert simple == full_blocks(text), name


GIVEN_UP = [
    "Setext\n---\n", "Title\n===\n", "para\n  indented continuation\n", "para\nlazy\n- item\n",
    "- a\n\n- b\n", "- a\n  more of a\n", "- a\nlazy\n", "- a\n\n  second para\n", "```\nunclosed\n",
    "[ref]: http://x\n", "<div>\nx\n</div>\n", "> quote\n", "---\n", "- - -\n",
    "    code\n", "- # heading in an item\n", "- ```\n  x\n  ```\n", "-     code in an item\n", "-\n  foo\n",
    "``` `x`\n", "1. a\n- b\n", "- a\n* b\n", "1. a\n2) b\n", "- a\n## h\n", "p\n# h\n", "p\n```\nx\n```\n",
    "\tTab\n", "-\tx\n", "- a\n- \n", "``` `x`\ncode\n```\n",
]


@pytest.mark.parametrize("text", GIVEN_UP)
def test_the_line_reader_leaves_every_other_construct_to_the_full_reader(text):
    assert simple_blocks(normalize(text)) is None
    _same(text)


TEXT = ["text", "more *em* text", "`code` at the start", "**bold** start", "2024 was a year", "-x not an item",
        "+++", "#hashtag", "ñandú ü", "\u00a0nbsp", "text ##", "[a](b) link", "trailing  ", "``` `x`",
        "| a | b |", "|---|---|"]
HEADINGS = ["## Symptoms", "### Español", "### English: Title", "# H1 #", "## Cause `x` ##", "#", "## h \\#", "#### `id`"]
MARKERS = ["- ", "* ", "+ ", "1. ", "2) ", "10. ", "-  ", "-    "]
FENCES = ["```", "```toml", "```python es", "~~~", "````", "~~~ `x`"]
CODE = ["x = 1", "    indented", "", "\tTab", "```python", "``", "  ```", "~~~", "- not an item", "# not a heading"]


@st.composite
def _entry_like(draw) -> str:
    """A document made the way entry bodies are: headings, paragraphs, tight lists and fences
    between blank lines, now and then with a line that is none of these."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["heading", "paragraph", "list", "fence", "other"]))
        if kind == "heading":
            lines.append(draw(st.sampled_from(HEADINGS)))
        elif kind == "paragraph":
            lines += draw(st.lists(st.sampled_from(TEXT), min_size=1, max_size=3))
        elif kind == "list":
            marker = draw(st.sampled_from(MARKERS))
            lines += [marker + item for item in draw(st.lists(st.sampled_from(TEXT), min_size=1, max_size=4))]
        elif kind == "fence":
            fence = draw(st.sampled_from(FENCES))
            lines += [fence, *draw(st.lists(st.sampled_from(CODE), max_size=4))]
            if draw(st.integers(0, 9)):
                lines.append(fence.split()[0] + draw(st.sampled_from(["", "`", "~", "  "])))
        else:
            lines.append(draw(st.sampled_from(LINES)))
        lines += [""] * draw(st.sampled_from([0, 1, 1, 1, 2]))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


@settings(max_examples=2000, deadline=None)
@given(_entry_like())
def test_what_the_line_reader_reads_is_what_the_full_reader_reads(text):
    text = normalize(text)
    simple = simple_blocks(text)
    if simple is not None:
        assert simple == full_blocks(text)


@settings(max_examples=300, deadline=None)
@given(_entry_like())
def test_documents_written_as_entries_are_the_same_for_markdown_it(text):
    _same(text)
