"""Safe Markdown pieces for exported documents, and the scrubber applied before anything leaves.

`fence(text)` wraps untrusted text in a backtick fence longer than any backtick run inside it,
so nothing in the text can close the fence or become Markdown. `make_scrubber(settings)` returns
the settings' redactor plus masking of things that look like keys or bearer tokens a user may
have pasted (the settings do not know those).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from copycar_assist.redact import mask
from copycar_assist.textsafe import clean

_BACKTICKS = re.compile(r"`+")
_KEYLIKE = re.compile(r"\b(?:sk|pk|cc)-[A-Za-z0-9_\-]{12,}")
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)(?=\S*\d)([A-Za-z0-9._~+/=\-]{8,})"
                     r"|\b(token|api[_-]?key|password|passwd|pwd|secret)(\s*[:=]\s*)(?=\S*\d)([^\s\"',;]{8,})")

Scrub = Callable[[str], str]


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


def scrub_keylike(text: str) -> str:
    text = _KEYLIKE.sub(lambda m: mask(m.group()), text)
    def repl(m: re.Match) -> str:
        name, sep, value = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
        return f"{name}{sep}{mask(value)}"

    return _BEARER.sub(repl, text)


def make_scrubber(settings: Any | None) -> Scrub:
    """Redact the settings' secrets, then anything that looks like a pasted key or token."""
    redactor = settings.redactor() if settings is not None else None

    def scrub(text: str) -> str:
        if not text:
            return text
        if redactor is not None:
            text = redactor.redact(text)
        return scrub_keylike(text)

    return scrub


def scrub_obj(obj: Any, scrub: Scrub) -> Any:
    """Scrub every string inside a JSON-like structure."""
    if isinstance(obj, str):
        return scrub(obj)
    if isinstance(obj, dict):
        return {scrub_obj(k, scrub): scrub_obj(v, scrub) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [scrub_obj(v, scrub) for v in obj]
    return obj
