"""Safe Markdown pieces for exported documents.

`fence(text)` wraps untrusted text in a backtick fence longer than any backtick run inside it,
so nothing in the text can close the fence or become Markdown; `inline(text)` makes it a code
span. Secrets are not this module's concern: writers scrub with `redact.make_scrubber`.
"""

from __future__ import annotations

import re

from copycar_assist.textsafe import clean

_BACKTICKS = re.compile(r"`+")


def fence(text: str, info: str = "text") -> str:
    """`text` inside a backtick fence that nothing in it can close."""
    text = clean(text)
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(text)), default=0)
    ticks = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{ticks}{info}\n{body}{ticks}"


def inline(text: str) -> str:
    """Untrusted text as an inline code span (one line), safe in a list item or table cell."""
    text = " ".join(clean(text).split())
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"
