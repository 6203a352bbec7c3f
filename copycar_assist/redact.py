"""The one redaction pass: secrets never leave the process whole.

`Secret` wraps a secret value so that `repr()`/`str()` (tracebacks with locals, dataclass reprs,
logs) only ever show the masked form. `Redactor` knows every secret the settings hold and masks
them, and their common encodings, in any text about to leave the process.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Iterable


def mask(value: str) -> str:
    """A short, recognisable mask: keeps a known prefix and the last 4 characters of long values."""
    if not value:
        return ""
    if len(value) < 12:
        return "•" * 4
    prefix = value[:3] if value[:3].lower() in ("sk-", "pk-", "cc-") else ""
    return f"{prefix}…{value[-4:]}"


class Secret:
    """A secret string whose repr and str are masked. Use `.reveal()` only where it is sent."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    @property
    def masked(self) -> str:
        return mask(self._value)

    def __repr__(self) -> str:
        return f"Secret({self.masked!r})"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", len(self._value)))

    def __reduce__(self):  # never pickle the value into something that could be logged
        raise TypeError("Secret cannot be pickled")


def _forms(secret: str) -> set[str]:
    """The ways a secret can show up in text: raw, URL-encoded, JSON-escaped, base64 forms."""
    forms = {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret),
             json.dumps(secret)[1:-1]}
    raw = secret.encode()
    for prefix in (b"", b"\0", b"a", b"ab"):  # base64 of the secret at the three alignments
        enc = base64.b64encode(prefix + raw).decode()
        start = (len(prefix) * 4 + 2) // 3 + (1 if prefix else 0)
        core = enc[start:-4] if len(enc) - start > 8 else ""
        if len(core) >= 8:
            forms.add(core)
    return {f for f in forms if f}


class Redactor:
    """Masks every known secret (and its encodings) in text."""

    def __init__(self, secrets: Iterable[str | Secret | None] = ()):
        self._secrets: list[str] = []
        for s in secrets:
            self.add(s)

    def add(self, secret: str | Secret | None) -> None:
        value = secret.reveal() if isinstance(secret, Secret) else secret
        if value and len(value) >= 4 and value not in self._secrets:
            self._secrets.append(value)
            self._secrets.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        return self.redact(text)

    def redact(self, text: str) -> str:
        if not text or not self._secrets:
            return text
        for secret in self._secrets:
            for form in sorted(_forms(secret), key=len, reverse=True):
                if form in text:
                    text = text.replace(form, mask(secret))
            # any 12-character piece of a long secret is a leak too
            if len(secret) >= 16:
                for i in range(0, len(secret) - 11):
                    piece = secret[i : i + 12]
                    if piece in text:
                        text = text.replace(piece, "…")
        return text

    def redact_obj(self, obj):
        """Redact every string inside a JSON-like structure."""
        if isinstance(obj, str):
            return self.redact(obj)
        if isinstance(obj, dict):
            return {self.redact_obj(k): self.redact_obj(v) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [self.redact_obj(v) for v in obj]
        return obj
