"""A message as a catalogue key and its values, put into words only when it is shown: what an
error carries when it is made before anyone knows who will read it, and in which language (a
file's `ReadError`, a knowledge `Problem`, a field's type mismatch).

`Msg.of("kb.problem.x", cause="wrong-key")`; `msg.text("es")`; `str(msg)` is the English.
`place(path, line, col)` is where such an error says it is: `path:line:col`, as far as known. A value
may itself be a `Msg` (rendered in the same language) or a tuple of values (joined with ", ").
Frozen and hashable, so errors that hold one stay comparable and can be de-duplicated and pickled
to and from worker processes. Never imports the catalogue until a message is put into words.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Msg:
    key: str
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, **params: object) -> Msg:
        return cls(key, tuple((name, _frozen(value)) for name, value in params.items()))

    def text(self, lang: str | None = "en") -> str:
        from copycar_assist.i18n import t

        return t(self.key, lang, **{name: _render(value, lang) for name, value in self.params})

    def param(self, name: str) -> object:
        return dict(self.params).get(name)

    def __str__(self) -> str:
        return self.text("en")


def place(path: object, line: int | None = None, col: int | None = None) -> str:
    """`path:line:col`, the line and column when known (a column only with its line)."""
    where = str(path)
    if line:
        where += f":{line}"
        if col:
            where += f":{col}"
    return where


def _frozen(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def _render(value: object, lang: str | None) -> object:
    if isinstance(value, Msg):
        return value.text(lang)
    if isinstance(value, tuple):
        return ", ".join(str(_render(v, lang)) for v in value)
    return value
