"""User-interface strings in Spanish and English, and `t(key, lang, **kw)` to pick one.

One dict per language (`es.py`, `en.py`) with the same keys; a test holds them to that.
Keys are dotted by area (`conv.*` the conversation engine, `opt.*` choice labels, `key.*` choice
key hints, `ticket.*`, `sev.*`, `ui.*` the Textual app's own words, `tx.*` Textual's built-in
words the app sets in its language …). Other UIs add keys additively, in both files.

`t()` falls back to the other language, then to the key itself, so a missing string shows up
as its key instead of crashing. Placeholders use `str.format` names; a missing placeholder
leaves the template as written (never an exception in the middle of a conversation). A number
given to a placeholder is written the language's way (`12,1 %` in Spanish); a number formatted
beforehand goes through `number()`.
"""

from __future__ import annotations

import os
import re
import string

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
        return (_SPANISH.vformat(template, (), kw) if lang == "es" else template.format(**kw))
    except (KeyError, IndexError, ValueError):
        return template


_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
_SWAP_MARKS = str.maketrans(",.", ".,")
_FOUR_DIGITS = re.compile(r"(?<![\d.])(\d)\.(\d{3})(?![\d.])")  # "1.000": Spanish groups from 10.000


def number(value: float | str, lang: str | None, spec: str = "g") -> str:
    """A number written the language's way: `number(12.1, "es", ".1f")` is "12,1" (a string is
    taken as a number formatted already: "12.1 %" → "12,1 %"); with thousands grouped (`spec`
    ","), `number(10000, "es", ",")` is "10.000" and 1000 is "1000", as Spanish writes them."""
    text = value if isinstance(value, str) else format(value, spec)
    if norm_lang(lang) != "es":
        return text
    if not isinstance(value, str) and "," in spec:
        return _FOUR_DIGITS.sub(r"\1\2", text.translate(_SWAP_MARKS))
    return _DECIMAL_POINT.sub(",", text)


def duration(ms: float, lang: str | None) -> str:
    """A time to read: "480 ms", "1.5 s" ("1,5 s" in Spanish)."""
    return f"{ms:.0f} ms" if ms < 1000 else number(ms / 1000, lang, ".1f") + " s"


class _SpanishFormatter(string.Formatter):
    """`str.format` with numbers written with a decimal comma."""

    def format_field(self, value: object, format_spec: str) -> str:
        if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool) and "%" in format_spec):
            return number(format(value, format_spec), "es")
        return str(super().format_field(value, format_spec))


_SPANISH = _SpanishFormatter()


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


def count_of(n: int, key: str, lang: str | None) -> str:
    """"1 fallida", "2 fallidas": `n` and the word `key` names for it, its `.one` form for one."""
    one = f"{key}.one"
    return f"{n} {t(one if n == 1 and has(one) else key, lang)}"


def status_counts(counts: dict[str, int], lang: str | None, statuses: tuple[str, ...] = ()) -> str:
    """A run's results by status, "3 correctas · 1 aviso · 1 fallida …" (every status named in
    `statuses`, else those with a result, in the one order)."""
    order = ("pass", "warn", "fail", "error", "skipped")
    shown = [s for s in order if s in statuses or (not statuses and counts.get(s))]
    return " · ".join(count_of(counts.get(s, 0), f"cli.doctor.count.{s}", lang) for s in shown)


def status_change(was: str, now: str, lang: str | None) -> str:
    """A check's status then and now, in words: "correcto → fallo"."""
    return f"{t(f'status.{was}', lang)} → {t(f'status.{now}', lang)}"


__all__ = ["LANGS", "MESSAGES", "count_of", "default_lang", "has", "localized", "norm_lang", "status_change",
           "status_counts", "t"]
