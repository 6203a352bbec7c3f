"""User-interface strings in Spanish and English, and `t(key, lang, **kw)` to pick one.

One dict per language (`es.py`, `en.py`) with the same keys; a test holds them to that.
Keys are dotted by area (`conv.*` the conversation engine, `opt.*` choice labels, `key.*` choice
key hints, `ticket.*`, `sev.*`, `ui.*` the Textual app's own words, `tx.*` Textual's built-in
words the app sets in its language …). Other UIs add keys additively, in both files.

`t()` falls back to the other language, then to the key itself, so a missing string shows up
as its key instead of crashing. Placeholders use `str.format` names; a missing placeholder
leaves the template as written (never an exception in the middle of a conversation).
"""

from __future__ import annotations

import os

from .en import MESSAGES as EN
from .es import MESSAGES as ES

LANGS = ("es", "en")
MESSAGES: dict[str, dict[str, str]] = {"es": ES, "en": EN}


def norm_lang(lang: str | None, default: str = "en") -> str:
    """"es"/"en" from things like "ES", "es_ES.UTF-8", None."""
    if not lang:
        return default
    code = lang.strip().lower()[:2]
    return code if code in LANGS else default


def t(key: str, lang: str | None, **kw: object) -> str:
    """The string `key` in `lang` (falling back to the other language, then to the key)."""
    lang = norm_lang(lang)
    template = MESSAGES[lang].get(key)
    if template is None:
        other = "en" if lang == "es" else "es"
        template = MESSAGES[other].get(key, key)
    if not kw:
        return template
    try:
        return template.format(**kw)
    except (KeyError, IndexError, ValueError):
        return template


def localized(key: str, **kw: object) -> dict[str, str]:
    """The string `key` in every language (lang -> text: what a `Localized` field holds)."""
    return {lang: t(key, lang, **kw) for lang in LANGS}


def default_lang(environ: dict[str, str] | None = None) -> str:
    """The UI language before the user says anything: from LC_ALL/LC_MESSAGES/LANG, else Spanish."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return "en" if value.lower().startswith("en") else "es"
    return "es"


def has(key: str) -> bool:
    return key in MESSAGES["es"] or key in MESSAGES["en"]


__all__ = ["LANGS", "MESSAGES", "default_lang", "has", "localized", "norm_lang", "t"]
