"""Turn text from outside into inert display objects.

Every string that did not come from our own knowledge base or our own string table (server
bodies, headers, evidence values, pasted or typed text, file paths) is shown through one of these
helpers: control sequences are stripped by `textsafe.clean`, and the result is a `Content` (for
Static/Label/Button/notify) or a Rich `Text` (for Tree and DataTable), never a markup string.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from copycar_assist.textsafe import clean, one_line

# The longest untrusted text the app renders in one widget (a pasted log can be huge).
DISPLAY_LIMIT = 4000


def safe_content(text: object, *, limit: int = DISPLAY_LIMIT, style: str = "") -> Content:
    """Inert `Content` for untrusted text (newlines kept)."""
    content = Content(clean(str(text), limit=limit))
    return content.stylize(style) if style else content


def safe_line(text: object, *, limit: int = 200, style: str = "") -> Content:
    """Inert one-line `Content` (table cells, labels, titles)."""
    content = Content(one_line(str(text), limit=limit))
    return content.stylize(style) if style else content


def safe_text(text: object, *, limit: int = 200, style: str = "") -> Text:
    """Inert one-line Rich `Text` for Tree labels and DataTable cells."""
    return Text(one_line(str(text), limit=limit), style=style, no_wrap=True, overflow="ellipsis")


def safe_markup(template: str, **values: object) -> Content:
    """Our markup template with untrusted values substituted as `$name` variables (inert)."""
    cleaned = {k: one_line(str(v), limit=DISPLAY_LIMIT) for k, v in values.items()}
    return Content.from_markup(template, **cleaned)
