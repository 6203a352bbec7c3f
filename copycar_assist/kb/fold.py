"""Accents off: "Autenticación" -> "Autenticacion". The one way the package drops them: the
knowledge's headings, effects and guide labels (kb), the matcher's words (matching/text.py),
the CRM's field names and the spam rules (checks), the user's answers (conversation/inputs.py).

    unaccent(text)   # compatibility-decomposed (NFKD), without combining marks

ASCII text comes back as it is; other text is decomposed and its marks deleted by one
`str.translate` over a table that learns each character once (a knowledge base of 10,000
entries folds millions of characters, from an alphabet of a few hundred; it learns 8,192 at
most).
"""

from __future__ import annotations

import unicodedata


class _Marks(dict[int, str | None]):
    """For `str.translate`: a combining mark -> deleted, any other character -> itself."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        value = None if unicodedata.combining(char) else char
        if len(self) < _LEARNED:  # a paste of every character there is cannot grow it for ever
            self[code] = value
        return value


_LEARNED = 8192


_MARKS = _Marks()


def unaccent(text: str) -> str:
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text)
    return text if text.isascii() else text.translate(_MARKS)
