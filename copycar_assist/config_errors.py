"""What is wrong with settings, in either language: `Reason` (a catalogue key and its values),
`Invalid` (a value failed its check), `ConfigProblem` (where, which field, why) and `ConfigError`
(every problem of one load).

`str()` is always the English text the settings' errors have had; `message(lang)` / `text(lang)`
says the same in Spanish or English from the catalogue (`config.expect.*` what a setting must be,
`config.problem.*` what is wrong, `config.type.*` the type found, `config.where.*` a place that is
no file: i18n/en_config.py, es_config.py). A file that cannot be read or parsed is the reader's
`ReadError`, rendered by it. Nothing here picks the language, and no message contains a value.
"""

from __future__ import annotations

from typing import NamedTuple

from .files.read import ReadError


class Reason:
    """Why a setting is refused: a catalogue key and its values, never the setting's value. A value
    that is itself a `Reason` (what was expected, the type found, an array item's problem) or a
    `ReadError` (the file could not be read) is rendered in the same language."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, **params: object) -> None:
        self.key, self.params = key, params

    def text(self, lang: str) -> str:
        from .i18n import t  # here: the catalogue is loaded only when a message is shown

        shown = {name: value.text(lang) if isinstance(value, Reason)
                 else value.reason(lang) if isinstance(value, ReadError) else value
                 for name, value in self.params.items()}
        return t(self.key, lang, **shown)

    def __str__(self) -> str:
        return self.text("en")

    def __repr__(self) -> str:
        return f"Reason({self.key!r})"


class Invalid(ValueError):
    """A value failed its check; the reason says what was expected (never the value). `str()` is
    English, `message(lang)` either language. `at`: the key inside the value where it failed (a
    table's key), to find its line."""

    def __init__(self, reason: Reason, at: str | None = None):
        super().__init__(reason)
        self.reason, self.at = reason, at

    def __str__(self) -> str:
        return str(self.reason)

    def message(self, lang: str) -> str:
        return self.reason.text(lang)


def type_of(value: object) -> Reason:
    """The type of a value as a message names it ("a string"): the kinds a TOML value or a
    `config set` VALUE can be."""
    if isinstance(value, bool):
        return Reason("config.type.boolean")
    if isinstance(value, int):
        return Reason("config.type.integer")
    if isinstance(value, float):
        return Reason("config.type.number")
    if isinstance(value, str):
        return Reason("config.type.string")
    if isinstance(value, list):
        return Reason("config.type.array")
    if isinstance(value, dict):
        return Reason("config.type.table")
    if hasattr(value, "isoformat"):
        return Reason("config.type.datetime")
    return Reason("config.type.other", name=type(value).__name__)


def wrong_type(expected: Reason, value: object) -> Reason:
    """"expected …, got …": what was expected, and the type of `value` (never the value)."""
    return Reason("config.problem.got", expected=expected, got=type_of(value))


# Where a problem is when it is in no file: these stand in the path, named in the user's language.
PLACES = {"environment": "config.where.environment", "<setup>": "config.where.setup", "<case>": "config.where.case"}


class ConfigProblem(NamedTuple):
    path: str  # the file, or one of PLACES
    line: int | None
    col: int | None
    field: str | None  # "[api] key", "COPYCAR_BASE_URL", ...
    reason: Reason  # never contains a value

    def message(self, lang: str = "en") -> str:
        """`path:line:col: field: reason` in `lang`."""
        if self.path in PLACES:
            from .i18n import t

            where = t(PLACES[self.path], lang)
        else:
            where = self.path
        if self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
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
