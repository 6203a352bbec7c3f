"""What is wrong with settings, in either language: `Invalid` (a value failed its check),
`ConfigProblem` (where, which field, why: a `files.msg.Msg`, a catalogue key and its values) and
`ConfigError` (every problem of one load).

`str()` is always the English text the settings' errors have had; `message(lang)` / `text(lang)`
says the same in Spanish or English from the catalogue (`config.expect.*` what a setting must be,
`config.problem.*` what is wrong, `field.type.*` the type found, `config.where.*` a place that is
no file: i18n/en_config.py, es_config.py). A file that cannot be read or parsed is the reader's
`ReadError`, rendered by it. Nothing here picks the language, and no message contains a value.
"""

from __future__ import annotations

from typing import NamedTuple

from .files.fields import type_msg
from .files.msg import Msg, place


class Invalid(ValueError):
    """A value failed its check; the reason says what was expected (never the value). `str()` is
    English, `message(lang)` either language. `at`: the key inside the value where it failed (a
    table's key), to find its line."""

    def __init__(self, reason: Msg, at: str | None = None):
        super().__init__(reason)
        self.reason, self.at = reason, at

    def __str__(self) -> str:
        return str(self.reason)

    def message(self, lang: str) -> str:
        return self.reason.text(lang)


def wrong_type(expected: Msg, value: object) -> Msg:
    """"expected …, got …": what was expected, and the type of `value` (never the value)."""
    return Msg.of("config.problem.got", expected=expected, got=type_msg(value))


# Where a problem is when it is in no file: these stand in the path, named in the user's language.
PLACES = {"environment": "config.where.environment", "<setup>": "config.where.setup", "<case>": "config.where.case"}


class ConfigProblem(NamedTuple):
    path: str  # the file, or one of PLACES
    line: int | None
    col: int | None
    field: str | None  # "[api] key", "COPYCAR_BASE_URL", ...
    reason: Msg  # never contains a value

    def message(self, lang: str = "en") -> str:
        """`path:line:col: field: reason` in `lang`."""
        path = Msg.of(PLACES[self.path]).text(lang) if self.path in PLACES else self.path
        where = place(path, self.line, self.col)
        reason = self.reason.text(lang)
        return f"{where}: {self.field}: {reason}" if self.field else f"{where}: {reason}"

    def __str__(self) -> str:
        return self.message("en")


class ConfigError(Exception):
    """Invalid settings. `str()` lists every problem as `path:line:col: field: reason` in English;
    `message(lang)` in either language. `language`: the file's own `language` when it could be read
    (valid, in a file that parses) despite the problems, else None: broken settings can still say
    in which language the user reads about them."""

    def __init__(self, problems: list[ConfigProblem], language: str | None = None):
        self.problems = list(problems)
        self.language = language
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        return "\n".join(p.message(lang) for p in self.problems)

    @property
    def field(self) -> str | None:
        return self.problems[0].field if self.problems else None
