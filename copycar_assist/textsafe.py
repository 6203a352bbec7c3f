"""Make text from outside (server bodies, headers, DNS records, log lines, pastes) inert.

Terminal control sequences are removed or made visible before any text is shown or stored:
ESC and CSI/OSC/DCS sequences, C0/C1 controls (but tab and newline), DEL, NUL and the Unicode
bidi controls that can reorder what a reader sees. Markup safety is the renderer's job (Textual
`Content`/Rich `Text`, `markup=False`); this module only deals with control characters.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar, overload

# What a JSON-like walker keeps as it is: numbers, booleans, None.
Scalar = TypeVar("Scalar", int, float, bool, None)

# ESC-introduced sequences (CSI, OSC ... BEL/ST, DCS/SOS/PM/APC ... ST, other escapes), and their
# 8-bit C1 forms. String payloads stop at a newline or the next ESC when unterminated, and no
# pattern backtracks over text it cannot match: a hostile body full of unterminated `ESC ]` is
# cleaned in linear time (the first version's `.*?` took 6 s on 60 KB of them).
_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"                           # CSI
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"        # OSC (title, OSC 8, OSC 52)
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c\n]*(?:\x1b\\|\x9c)?"  # DCS, SOS, PM, APC
    r"|\x1b[ -/]*[0-~]?",                                         # other escapes, lone ESC
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")


def scrub(text: str) -> str:
    """Drop every C0/C1 control character (but tab and newline), DEL and the bidi controls.

    Character by character, so it is safe on any slice of a stream: what is left of a sequence
    whose ESC was dropped is plain, inert text. The last step of every text that leaves the
    program (`cli/streams.py`, `files/write.write_text`, `clean_obj`)."""
    if not isinstance(text, str):
        text = str(text)
    return _CONTROLS.sub("", text.replace("\r\n", "\n"))


@overload
def clean_obj(obj: str) -> str: ...
@overload
def clean_obj(obj: dict[str, Any]) -> dict[str, Any]: ...
@overload
def clean_obj(obj: list[Any] | tuple[Any, ...]) -> list[Any]: ...
@overload
def clean_obj(obj: Scalar) -> Scalar: ...


def clean_obj(obj: object) -> object:
    """Every string of a JSON-like structure `clean`ed (keys too), for JSON output and files:
    a string stays a string, a dict a dict, a list or tuple becomes a list, the rest is kept."""
    if isinstance(obj, str):
        return clean(obj)
    if isinstance(obj, dict):
        return {clean_obj(k): clean_obj(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean_obj(v) for v in obj]
    return obj


def clean(text: str, *, keep_newlines: bool = True, limit: int | None = None) -> str:
    """Strip terminal control sequences and control characters; optionally cap the length."""
    if not isinstance(text, str):
        text = str(text)
    if limit is not None and len(text) > 4 * limit + 64:
        text = text[: 4 * limit + 64]  # bound the work; the visible cap is applied below
    text = text.replace("\r\n", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = _SEQUENCES.sub("", text)
    text = _CONTROLS.sub("", text)
    if not keep_newlines:
        text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    return text


def one_line(text: str, limit: int = 200) -> str:
    """Cleaned, collapsed to one line, capped: for evidence values and table cells."""
    return clean(text, keep_newlines=False, limit=limit)
