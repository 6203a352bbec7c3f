"""The language of the command line's own words (help, usage errors, messages), and the help
formatter that writes argparse's help in it.

One rule, the one `doctor` has always followed: `--lang` when given (the global option or a
sub-command's own), else the settings' `language`, else the environment (LC_ALL, LC_MESSAGES,
LANG: "es…" is Spanish, anything else English). Broken settings still choose when their own
`language` line is valid in a file that parses (a wrong timeout does not hide that the user reads
Spanish); a file that does not parse, or whose `language` is itself wrong, chooses nothing. Either
way the message that says they are broken is printed too, in the language chosen. What a command shows from elsewhere keeps its
own language (an entry in `kb show`, a transcript in `sessions show`, the conversation itself).

The parser is given catalogue keys as help and descriptions (`help="cli.help.config.set"`, or
`Help(key, **values)` when the text has placeholders) and `Formatter` turns them into text when the
help is printed: the parser is built before the language is known, and no settings are read unless
help or a usage error is printed. argparse's own words (`usage:`, the section titles, `-h`, its
error sentences) come from the catalogue too (`cli.ap.*`); one it does not know stays as argparse
wrote it. Never imports Textual.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable, Iterable, Mapping

# i18n.LANGS; the catalogue itself is imported only when a word is printed (start-up time)
LANGS = ("es", "en")


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """"es" when LC_ALL, LC_MESSAGES or LANG (the first one set) says Spanish, else "en"."""
    env = os.environ if environ is None else environ
    value = env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG") or ""
    return "es" if value.lower().startswith("es") else "en"


def choose(asked: str | None, settings_language: Callable[[], str | None]) -> str:
    """The rule: `asked` (--lang), else the settings' language (asked for only when needed), else
    the environment."""
    if asked in LANGS:
        return asked
    chosen = settings_language()
    if chosen in LANGS:
        return chosen
    return from_environment()


def settings_language() -> str | None:
    """The `language` of the user's settings, or None when they say none or it cannot be read."""
    from copycar_assist.config import ConfigError, load_settings

    try:
        return load_settings().language
    except ConfigError as exc:
        return exc.language


def asked_in(argv: Iterable[str]) -> str | None:
    """The `--lang` in arguments not parsed yet (`--lang es`, `--lang=es`; the last valid one
    counts, nothing after `--`): the help and argparse's errors are printed while they are parsed."""
    asked, words = None, list(argv)
    for i, word in enumerate(words):
        if word == "--":
            break
        value = words[i + 1] if word == "--lang" and i + 1 < len(words) else word.removeprefix("--lang=")
        if value in LANGS and (word == "--lang" or word.startswith("--lang=")):
            asked = value
    return asked


class Words:
    """The language of a parser's words, decided the first time one is printed."""

    def __init__(self, argv: Iterable[str] = ()) -> None:
        self.asked = asked_in(argv)
        self._lang: str | None = None

    def lang(self) -> str:
        if self._lang is None:
            self._lang = choose(self.asked, settings_language)
        return self._lang


class Help(str):
    """A catalogue key given to argparse as help, with the values of its placeholders."""

    values: dict[str, object]

    def __new__(cls, key: str, **values: object) -> Help:
        self = super().__new__(cls, key)
        self.values = values
        return self


# argparse's words (Python 3.11) -> catalogue keys
_ARGPARSE_WORDS = {"positional arguments": "cli.ap.positionals", "options": "cli.ap.options",
                   "show this help message and exit": "cli.ap.help"}
# argparse's error sentences -> catalogue keys; the groups are passed on as they are, except
# `rest`, which is a sentence of its own (the message of an argument's error)
_ARGPARSE_ERRORS = tuple((re.compile(pattern + r"\Z", re.S), key) for pattern, key in (
    (r"argument (?P<name>.+?): (?P<rest>.*)", "cli.ap.argument"),
    (r"the following arguments are required: (?P<names>.*)", "cli.ap.required"),
    (r"one of the arguments (?P<names>.*) is required", "cli.ap.one_required"),
    (r"unrecognized arguments: (?P<words>.*)", "cli.ap.unrecognized"),
    (r"not allowed with argument (?P<name>.*)", "cli.ap.not_with"),
    (r"expected one argument", "cli.ap.one"),
    (r"expected at most one argument", "cli.ap.at_most_one"),
    (r"expected at least one argument", "cli.ap.at_least_one"),
    (r"ambiguous option: (?P<option>.*) could match (?P<matches>.*)", "cli.ap.ambiguous"),
    (r"invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)", "cli.ap.choice"),
    (r"invalid (?P<type>\w+) value: (?P<value>.*)", "cli.ap.value"),
    (r"ignored explicit argument (?P<value>.*)", "cli.ap.ignored"),
))


def text_of(words: str, lang: str) -> str:
    """A key (or `Help`) in `lang`; one of argparse's own words translated; anything else as it is."""
    from copycar_assist.i18n import has, t

    if isinstance(words, Help):
        return t(words, lang, **words.values)
    if words in _ARGPARSE_WORDS:
        return t(_ARGPARSE_WORDS[words], lang)
    return t(words, lang) if has(words) else words


def error_text(message: str, lang: str) -> str:
    """One of argparse's error messages (or a key a `type=` function raised) in `lang`."""
    from copycar_assist.i18n import has, t

    if has(message):
        return t(message, lang)
    for pattern, key in _ARGPARSE_ERRORS:
        m = pattern.match(message)
        if m:
            values = m.groupdict()
            if "rest" in values:
                values["rest"] = error_text(values["rest"], lang)
            return t(key, lang, **values)
    return message


class Formatter(argparse.HelpFormatter):
    """argparse's help with every key turned into text in the language `lang()` gives."""

    def __init__(self, prog: str, *, lang: Callable[[], str]) -> None:
        super().__init__(prog)
        self._lang = lang

    def _get_help_string(self, action: argparse.Action) -> str:  # argparse's hook for help text
        return text_of(action.help or "", self._lang())

    def add_text(self, text: str | None) -> None:
        super().add_text(text if text is None or text == argparse.SUPPRESS else text_of(text, self._lang()))

    def start_section(self, heading: str | None) -> None:
        super().start_section(heading if heading is None else text_of(heading, self._lang()))

    def add_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                  groups: Iterable[argparse._MutuallyExclusiveGroup], prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, text_of("cli.ap.usage", self._lang()) if prefix is None else prefix)
