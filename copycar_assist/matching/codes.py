"""Strong evidence: status codes (401, 429, 5xx, 535 …), exception names (SMTPAuthenticationError,
ConnectError …) and error identifiers (invalid_api_key, LOW_SUCCESS_RATE …) found in a text.

The knowledge base says which entry a code belongs to (`[keywords] codes`); this module only finds
candidate codes in free text and normalises them the same way on both sides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A 4xx/5xx number standing alone: not part of a longer number, a decimal, a time ("11:40:27,502")
# or a port; a plural ("502s", "429's") is the same code, and so is one ending a sentence ("401.").
_STATUS = re.compile(r"(?<![\w.:=/-])(?<!\d,)([45]\d\d|[45]xx)(?:'?s)?(?![\w%]|\.\d|:\d)", re.IGNORECASE)
_PORT_BEFORE = re.compile(r"(?:port|puerto)\W{0,2}$", re.IGNORECASE)
# Exception-like names: CamelCase words ending like an error, possibly dotted.
_EXCEPTION = re.compile(r"\b(?:[A-Za-z_][\w]*\.)*([A-Z][A-Za-z0-9]*(?:Error|Exception|Timeout|Refused|Failed|Failure|Disconnected))\b")
# Identifiers: snake_case or SCREAMING_SNAKE with at least two parts.
_IDENT = re.compile(r"\b([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+)\b")

# What each pattern cannot match without: one of the name endings, an underscore.
_ENDINGS = re.compile(r"Error|Exception|Timeout|Refused|Fail|Disconnected")
_UNDERSCORE = re.compile("_")

# Too generic to tell entries apart on their own.
GENERIC = frozenset({
    "error", "exception", "httperror", "httpstatuserror", "valueerror", "runtimeerror",
    "oserror", "typeerror", "keyerror", "requestexception", "clienterror", "servererror",
})


def norm_code(code: str) -> str:
    """One spelling per code: lower case, no separators ('Too Many Requests' -> 'toomanyrequests')."""
    return re.sub(r"[^a-z0-9]", "", code.lower())


@dataclass(frozen=True, slots=True)
class Code:
    code: str  # normalised
    start: int
    end: int

    @property
    def family(self) -> str | None:
        """'5xx' for 503, None for names."""
        c = self.code
        if len(c) == 3 and c[0] in "45" and (c[1:].isdigit() or c[1:] == "xx"):
            return c[0] + "xx"
        return None


def find_codes(text: str) -> list[Code]:
    """Candidate codes in `text`, in order, without duplicates."""
    found: dict[str, Code] = {}
    if "4" in text or "5" in text:  # most texts hold no code at all: each pattern's scan is skipped
        for m in _STATUS.finditer(text):
            if _PORT_BEFORE.search(text, max(0, m.start() - 8), m.start()):
                continue
            c = norm_code(m.group(1))
            found.setdefault(c, Code(c, m.start(1), m.end(1)))
    for rx in [rx for rx, needs in ((_EXCEPTION, _ENDINGS), (_IDENT, _UNDERSCORE)) if needs.search(text)]:
        for m in rx.finditer(text):
            c = norm_code(m.group(1))
            if c and c not in GENERIC:
                found.setdefault(c, Code(c, m.start(1), m.end(1)))
    return sorted(found.values(), key=lambda c: c.start)
