"""Reading what the user typed while choices are shown: yes/no words, numbers, keys, commands."""

from __future__ import annotations

import unicodedata

from .events import Option

YES_WORDS = frozenset({"si", "sí", "s", "yes", "y", "vale", "ok", "okay", "claro", "sure", "yep", "yeah"})
NO_WORDS = frozenset({"no", "n", "nope", "nah"})
COMMANDS = ("restart", "lang", "escalate", "help")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.strip(" .!¡?¿,;:")


def parse_command(text: str) -> tuple[str, str] | None:
    """`/lang es` → ("lang", "es"); `/restart` → ("restart", ""); None if not a command."""
    text = text.strip()
    if not text.startswith("/") or len(text) < 2:
        return None
    name, _, arg = text[1:].partition(" ")
    return name.strip().lower(), arg.strip()


def pick_option(text: str, options: list[Option]) -> str | None:
    """The id of the option `text` picks, or None (then the text is a new description).

    Order: a number (1-based position) · the option's key hint · its id or label typed out ·
    a yes word (→ `yes`, else `done`) · a no word (→ `no`).
    """
    if not options:
        return None
    raw = text.strip()
    word = _fold(raw)
    if not word:
        return None
    if word.isdigit():
        n = int(word)
        return options[n - 1].id if 1 <= n <= len(options) else None
    ids = [o.id for o in options]
    for o in options:
        if o.key and word == _fold(o.key):
            return o.id
    for o in options:
        if word == _fold(o.id) or word == _fold(o.label):
            return o.id
    if word in YES_WORDS:
        for wanted in ("yes", "done"):
            if wanted in ids:
                return wanted
    if word in NO_WORDS and "no" in ids:
        return "no"
    return None


def is_bare_answer(text: str) -> bool:
    """A lone yes/no word ("sí", "ok", "no")."""
    word = _fold(text)
    return word in YES_WORDS or word in NO_WORDS
