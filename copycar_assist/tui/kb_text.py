"""Markdown views of knowledge-base objects, for the browser's detail pane and the chat.

This is our own knowledge text, rendered by Textual's `Markdown` widget (which does not read
Textual markup, and whose links the app never opens). It still goes through `textsafe.clean`, so
a hand-edited knowledge file cannot smuggle terminal control sequences onto the screen.
"""

from __future__ import annotations

import re

from copycar_assist.i18n import t
from copycar_assist.kb import Cause, Entry, KnowledgeBase, pick
from copycar_assist.textsafe import clean

# A rendered document is capped: a huge table freezes the Markdown widget.
MAX_DOC_CHARS = 20_000


def _cap(text: str) -> str:
    return clean(text, limit=MAX_DOC_CHARS)


def _inline(text: str) -> str:
    """One line of text for a Markdown list item or heading."""
    return " ".join(clean(text).split())


def _strip_language_heading(markdown: str) -> str:
    """The section Markdown starts with '## Español' / '## English': drop that line."""
    return re.sub(r"\A\s*##[^\n]*\n", "", markdown, count=1)


def category_markdown(kb: KnowledgeBase, category_id: str, entries: list[Entry], lang: str) -> str:
    cat = kb.category(category_id)
    title = pick(cat.title, lang, category_id) if cat else category_id
    lines = [f"# {_inline(title)}", ""]
    for entry in entries:
        lines.append(f"- **{_inline(pick(entry.title, lang, entry.id))}** — `{entry.id}` · {entry.severity}")
    return _cap("\n".join(lines))


def entry_markdown(kb: KnowledgeBase, entry: Entry, lang: str) -> str:
    title = pick(entry.title, lang, entry.id)
    lines = [f"# {_inline(title)}", "", f"`{entry.id}` · {entry.severity}"]
    if entry.checks:
        names = [kb.check_title(c, lang) for c in entry.checks]
        lines.append(f"· {t('ui.checks', lang)}: " + ", ".join(_inline(n) for n in names))
    lines.append("")
    section = entry.sections.get(lang) or next(iter(entry.sections.values()), None)
    if section is not None and section.markdown:
        lines.append(_strip_language_heading(section.markdown))
    return _cap("\n".join(lines))


def cause_markdown(kb: KnowledgeBase, entry: Entry, cause: Cause, lang: str,
                   highlight_step: int | None = None) -> str:
    title = pick(cause.title, lang, cause.id)
    lines = [f"## {_inline(title)}", "", f"`{entry.id}` → `{cause.id}`", ""]
    explanation = pick(cause.explanation, lang)
    if explanation:
        lines += [clean(explanation), ""]
    pointing = [k for k, v in entry.outcomes.items() if v == cause.id or v == f"{entry.id}#{cause.id}"]
    if pointing:
        lines.append(f"**{t('ui.checks', lang)}:** " + ", ".join(f"`{p}`" for p in pointing))
        lines.append("")
    question = pick(cause.question, lang) if cause.question else ""
    if question:
        lines += [f"**{t('ui.question', lang)}:** {_inline(question)}", ""]
    steps = cause.steps.get(lang) or next(iter(cause.steps.values()), [])
    if steps:
        lines += [f"### {t('ui.solution', lang)}", ""]
        for i, step in enumerate(steps, 1):
            text = _inline(step)
            lines.append(f"{i}. **{text}**" if highlight_step == i else f"{i}. {text}")
    return _cap("\n".join(lines))


def steps_of(cause: Cause, lang: str) -> list[str]:
    return list(cause.steps.get(lang) or next(iter(cause.steps.values()), []))
