"""Reading what the user typed: commands, an answer to the choices on offer (a number, a key,
a label, or words in either language), and pasted material told apart from a file's path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from copycar_assist.kb.fold import unaccent

from .choices import Choice, Role

# Words that answer by role, in both languages (folded: lower case, no accents).
WORDS: dict[Role, frozenset[str]] = {
    Role.YES: frozenset({"si", "s", "yes", "y", "vale", "ok", "okay", "claro", "sure", "yep", "yeah", "sip", "sep",
                         "yup", "aja", "si si", "eso mismo", "exactamente", "totalmente",
                         "correcto", "exacto", "eso es", "afirmativo", "right", "correct", "si claro",
                         "por supuesto", "of course", "exactly", "that s it", "asi es"}),
    Role.NO: frozenset({"no", "n", "nope", "nah", "negativo", "para nada", "not really", "no es eso",
                        "not that", "en absoluto", "nop", "que va", "no no", "nada de eso"}),
    Role.DONE: frozenset({"hecho", "listo", "done", "ya", "ya esta", "terminado", "finished", "completed",
                          "ready", "did it", "hecho ya", "ok hecho"}),
    Role.SKIP: frozenset({"saltar", "omitir", "skip", "paso", "no se", "no lo se", "ni idea", "not sure",
                          "dunno", "don t know", "i don t know", "no idea", "pasar", "siguiente paso",
                          "next step", "skip it", "puede ser", "quizas", "tal vez", "a lo mejor", "maybe",
                          "perhaps", "no estoy seguro", "no estoy segura", "no lo tengo claro", "no sabria decir"}),
    Role.BACK: frozenset({"atras", "volver", "back", "anterior", "previous", "go back", "volver atras"}),
    Role.FIXED: frozenset({"arreglado", "resuelto", "solucionado", "funciona", "ya funciona", "fixed",
                           "solved", "works", "it works", "resolved", "si funciona", "yes fixed"}),
    Role.NOT_FIXED: frozenset({"sigue igual", "sigue fallando", "no funciona", "still broken", "not fixed",
                               "still failing", "same", "igual", "no se ha arreglado", "still the same"}),
    Role.NEXT_CAUSE: frozenset({"otra causa", "siguiente causa", "next cause", "another cause", "next",
                                "siguiente"}),
    Role.ESCALATE: frozenset({"escalar", "escalate", "soporte", "support", "ticket", "escala"}),
    Role.REPHRASE: frozenset({"reformular", "rephrase", "otra forma", "explicarlo de otra forma"}),
    Role.BROWSE: frozenset({"explorar", "browse", "guia", "guide", "ver la guia"}),
    Role.HANDOFF: frozenset({"contactar", "contact", "contact support", "hablar con soporte"}),
}
# Where the role the words name is not on offer, a nearby one is meant ("sí" at "did that fix
# it?" is "fixed", "ok" at a step is "done").
NEAR: dict[Role, tuple[Role, ...]] = {
    Role.YES: (Role.FIXED, Role.DONE),
    Role.NO: (Role.NOT_FIXED,),
    Role.FIXED: (Role.YES,),
    Role.NOT_FIXED: (Role.NO,),
    Role.DONE: (Role.YES,),
    Role.NEXT_CAUSE: (Role.NOT_FIXED,),
}
# Commands in both languages: /escalar and /escalate are the same command.
COMMANDS = {
    "restart": "restart", "reiniciar": "restart", "nuevo": "restart", "new": "restart",
    "lang": "lang", "idioma": "lang", "language": "lang",
    "escalate": "escalate", "escalar": "escalate",
    "help": "help", "ayuda": "help",
    "back": "back", "atras": "back",
}


def fold(text: str) -> str:
    text = unaccent(text.strip().lower())
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def parse_command(text: str) -> tuple[str, str] | None:
    """`/lang es` → ("lang", "es"); `/escalar` → ("escalate", ""); None if not a known command."""
    text = text.strip()
    if not text.startswith("/") or len(text) < 2 or "\n" in text:
        return None
    name, _, arg = text[1:].partition(" ")
    command = COMMANDS.get(fold(name))
    return (command, arg.strip()) if command else None


def words_role(text: str) -> Role | None:
    """The role some words name ("listo" → done, "no sé" → skip), or None."""
    word = fold(text)
    for role, words in WORDS.items():
        if word in words:
            return role
    return None


def pick(text: str, choices: tuple[Choice, ...] | list[Choice]) -> Choice | None:
    """The choice `text` picks: its number, its key, its label or id typed out, or words that
    name its role (in either language). None: the text is not an answer."""
    if not choices:
        return None
    word = fold(text)
    if not word:
        return None
    if word.isdigit():
        n = int(word)
        return choices[n - 1] if 1 <= n <= len(choices) else None
    for c in choices:
        if c.key and word == fold(c.key):
            return c
    for c in choices:
        if word in (fold(c.id), fold(c.label)) or (c.value and word == fold(c.value)):
            return c
    role = words_role(text)
    if role is None:
        return None
    for wanted in (role, *NEAR.get(role, ())):
        hit = next((c for c in choices if c.role is wanted), None)
        if hit is not None:
            return hit
    return None


# Words that answer alone but open other sentences: "y dónde está el panel?" is "and where…",
# "ya te dije que…" is "I told you already that…", "paso a paso…", "claro que no…", "igual es el
# proxy" (maybe it is the proxy). Followed by more words without a comma or a full stop between,
# they are not an answer (a key letter never is, but alone).
_OPENS_OTHER = frozenset({"ya", "paso", "claro", "vale", "igual", "same", "siguiente", "next"})


def leading_answer(text: str, choices: tuple[Choice, ...] | list[Choice]) -> tuple[Choice, str] | None:
    """"sí, solo la newsletter" → (yes, "solo la newsletter"): an answer followed by more words."""
    m = re.match(r"\s*([^\s,.;:!?]+(?:\s+[^\s,.;:!?]+)?)\s*[,.;:!]+\s*(.+)", text, re.S)
    marked = m is not None  # the answer set off by punctuation
    if m is None:  # "ni idea la verdad", "sí claro que lo hice": two words that answer, else one
        two = re.match(r"\s*(\S+\s+\S+)\s+(.+)", text, re.S)
        m = two if two is not None and words_role(two.group(1)) is not None else re.match(r"\s*(\S+)\s+(.+)", text, re.S)
    if m is None:
        return None
    head, rest = m.group(1), m.group(2).strip()
    if len(fold(head)) < 2 or (not marked and fold(head) in _OPENS_OTHER):
        return None
    choice = pick(head, choices)
    if choice is None or choice.role not in (Role.YES, Role.NO, Role.FIXED, Role.NOT_FIXED, Role.DONE, Role.SKIP):
        return None
    return choice, rest


# Typed at a step ("Step 1 of 3: done?") where no choice answers: "no" is "not yet", and some
# words say why (folded text; a question about where or how, "I can't", "not yet").
_STEP_HOW = re.compile(r"^(?:y |and |pero |but )?(?:no se |i don t know |don t know )?(?:donde|como|where|how|which|cual)\b"
                       r"|\b(?:no (?:lo |la )?encuentro|no (?:lo |la )?veo|can ?t find|cannot find|don t see|where is"
                       r"|donde esta)\b")
_STEP_CANNOT = re.compile(r"\b(?:no (?:puedo|podemos|me deja|nos deja)|no (?:tengo|tenemos) (?:acceso|permiso|permisos)"
                          r"|sin (?:acceso|permiso|permisos)|can ?t|cannot|unable|not able|no access"
                          r"|don t have (?:access|permission)|not allowed)\b")
_STEP_NOT_YET = frozenset({"no", "nope", "nop", "nah", "no no", "todavia no", "aun no", "no todavia", "no aun",
                           "not yet", "no not yet", "not done", "no hecho", "no lo he hecho", "no lo hice",
                           "ahora no", "not now", "luego", "later", "en ello", "working on it", "espera", "wait",
                           "un momento", "one moment", "hold on"})
_STEP_WORDS = 12  # a longer text is more likely a description (another problem, or evidence)


def step_reply(text: str) -> str | None:
    """What words typed at a step mean when no choice answers them, as the catalogue key of the
    reply: "where is the panel?" (`conv.step_how`), "I can't, no access" (`conv.step_cannot`),
    "not yet" (`conv.step_not_yet`), "still broken" before the steps are through
    (`conv.step_finish_first`), "it works now" (`conv.step_works`). None: not about the step."""
    word = fold(text)
    if not word or len(word.split()) > _STEP_WORDS or any(c.isdigit() for c in word):
        return None
    if _STEP_HOW.search(word):
        return "conv.step_how"
    if _STEP_CANNOT.search(word):
        return "conv.step_cannot"
    if word in _STEP_NOT_YET or word.startswith(("todavia no ", "aun no ", "not yet ", "no todavia ")):
        return "conv.step_not_yet"
    role = words_role(text)
    return {Role.NOT_FIXED: "conv.step_finish_first", Role.FIXED: "conv.step_works"}.get(role) if role else None


@dataclass(frozen=True)
class Material:
    """What the user handed over when asked for an input: pasted `text` or a file's `path`."""

    text: str | None = None
    path: str | None = None
    missing: bool = False  # looks like a path, but no such file


_PATHLIKE = re.compile(r"^(?:~|\.{1,2})?[/\\]|^[A-Za-z]:[\\/]|\.(?:json|jsonl|ndjson|csv|tsv|log|txt|eml)$", re.I)


def classify(raw: str, kind: str) -> Material:
    """Tell pasted material from a path. A prompt is always text. Several lines, JSON, an e-mail
    with headers, or prose are text; one line naming an existing file, or shaped like a path
    (a slash at the start, a drive, a known extension, no spaces), is a file."""
    text = raw.strip()
    if kind == "prompt" or not text:
        return Material(text=text)
    one_line = "\n" not in text
    candidate = text.strip("'\"")
    if one_line and len(candidate) < 4096:
        path = Path(candidate).expanduser()
        try:
            exists = path.is_file()
        except OSError:
            exists = False
        if exists:
            return Material(path=str(path))
        if _PATHLIKE.search(candidate) and (" " not in candidate or text[:1] in "'\""):
            return Material(path=str(path), missing=True)
    return Material(text=text)


_PASTED_START = re.compile(r"^\s*(?:Traceback \(most recent call last\)|HTTP/\d|[{\[]|<\?xml|\$ |> |curl |"
                           r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d|[A-Za-z_][\w.]*(?:Error|Exception)\b)")


def looks_pasted(text: str) -> bool:
    """Output pasted from a program (a traceback, HTTP headers, JSON, a log line, a shell
    command) rather than words the user wrote: its language says nothing about the user's."""
    if _PASTED_START.match(text):
        return True
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) >= 3 and sum(1 for line in lines if ":" in line or line.startswith((" ", "\t"))) >= len(lines) * 0.6
