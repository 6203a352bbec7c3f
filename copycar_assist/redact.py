"""The one redaction pass: secrets never leave the process whole.

`Secret` wraps a secret value so that `repr()`/`str()` (tracebacks with locals, dataclass reprs,
logs) only ever show the masked form. `Redactor` knows every secret the settings hold and masks
them, and their common encodings, in any text about to leave the process.

One masking rule for every secret: `mask()`. A key, a token and a password all show as the same
short form (`sk-…abcd`, `…abcd`, or `••••` when shorter than 12 characters); a URL that carries a
password (`redis.url`) keeps its scheme, user, host, port and path and masks the password with
that same rule (`mask_url`).

Every writer (stdout, session logs, run history, tickets, crash reports) goes through one scrub,
`make_scrubber(settings)`: the settings' `Redactor`, then masking of what looks like a key or a
bearer token a user may have pasted (the settings do not know those). `scrub_obj` applies it to
every string of a JSON-like document.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any, NoReturn, Protocol, TypeVar, overload

# What a JSON-like walker keeps as it is: numbers, booleans, None (as textsafe.Scalar).
Scalar = TypeVar("Scalar", int, float, bool, None)


def mask(value: str) -> str:
    """A short, recognisable mask: keeps a known prefix and the last 4 characters of long values."""
    if not value:
        return ""
    if len(value) < 12:
        return "•" * 4
    prefix = value[:3] if value[:3].lower() in ("sk-", "pk-", "cc-") else ""
    return f"{prefix}…{value[-4:]}"


def mask_url(url: str) -> str:
    """The URL with its password masked by `mask()`; a URL without one is returned as it is."""
    try:
        u = urllib.parse.urlsplit(url)
        password, user = u.password, u.username
        if password is None and user is None:
            return urllib.parse.urlunsplit((u.scheme, u.netloc, u.path, _mask_query(u.query), u.fragment))
        host = u.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        if u.port:
            host += f":{u.port}"
        if password is None:  # redis://secret@host: a lone userinfo is the password
            netloc = f"{mask(urllib.parse.unquote(user or ''))}@{host}"
        else:
            netloc = f"{user or ''}:{mask(urllib.parse.unquote(password))}@{host}"
        return urllib.parse.urlunsplit((u.scheme, netloc, u.path, _mask_query(u.query), u.fragment))
    except ValueError:
        return "••••"


def _mask_query(query: str) -> str:
    """`password=` in a query string (redis-py reads it there too), masked."""
    parts = query.split("&")
    for i, part in enumerate(parts):
        name, sep, value = part.partition("=")
        if sep and name == "password":
            parts[i] = f"{name}={mask(urllib.parse.unquote_plus(value))}"
    return "&".join(parts)


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

    def __reduce__(self) -> NoReturn:  # never pickle the value into something that could be logged
        raise TypeError("Secret cannot be pickled")

    def __copy__(self) -> Secret:  # immutable: copies (and deepcopy of a Settings) share it
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Secret:
        return self


def _forms(secret: str) -> set[str]:
    """The ways a secret can show up in text: raw, URL-encoded, JSON-escaped, base64 forms.

    base64: the secret can start at any offset of the encoded data (the SMTP AUTH PLAIN string
    `\\0user\\0password`, a Basic auth header, a JSON body), so for each of the three alignments the
    characters that depend on the secret's bytes alone are a form; standard and URL-safe alphabets.
    """
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    for quoted in (urllib.parse.quote(secret, safe=""), urllib.parse.quote(secret),
                   urllib.parse.quote_plus(secret)):
        forms.add(quoted)
        forms.add(re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), quoted))
    raw = secret.encode()
    for prefix in (b"", b"\0", b"ab"):  # the secret at offset 0, 1 and 2 (mod 3) of the data
        enc = base64.b64encode(prefix + raw).decode()
        # drop the characters that also encode prefix bits, and the last group (next bytes/padding)
        start = {0: 0, 1: 2, 2: 3}[len(prefix)]
        core = enc[start:-4]
        if len(core) >= 8:
            forms.add(core)
            forms.add(core.replace("+", "-").replace("/", "_"))
    return {f for f in forms if f}


def _pieces(secret: str, n: int = 12) -> list[str]:
    """Every n-character piece of a secret at least n long: a partial leak is still a leak."""
    if len(secret) < n:
        return []
    return [secret[i : i + n] for i in range(len(secret) - n + 1)]


class Redactor:
    """Masks every known secret (and its encodings, and any 12-character piece) in text."""

    def __init__(self, secrets: Iterable[str | Secret | None] = ()):
        self._secrets: list[str] = []
        self._rules: list[tuple[str, str]] = []  # (text to find, replacement), longest first
        for s in secrets:
            self.add(s)

    def add(self, secret: str | Secret | None) -> None:
        value = secret.reveal() if isinstance(secret, Secret) else secret
        if value and len(value) >= 4 and value not in self._secrets:
            self._secrets.append(value)
            self._secrets.sort(key=len, reverse=True)
            self._rules = []
            for s in self._secrets:  # longest secret first, each one's longest forms first
                self._rules += [(f, mask(s)) for f in sorted(_forms(s), key=len, reverse=True)]
                self._rules += [(p, "…") for p in _pieces(s) if p != s]

    def __call__(self, text: str) -> str:
        return self.redact(text)

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secrets)"

    def redact(self, text: str) -> str:
        if not text or not self._rules:
            return text
        for form, replacement in self._rules:
            if form in text:
                text = text.replace(form, replacement)
        return text


# --- the writers' scrub ---------------------------------------------------------------------------

_KEYLIKE = re.compile(r"\b(?:sk|pk|cc)-[A-Za-z0-9_\-]{12,}")
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)(?=\S*\d)([A-Za-z0-9._~+/=\-]{8,})"
                     r"|\b(token|api[_-]?key|password|passwd|pwd|secret)(\s*[:=]\s*)(?=\S*\d)([^\s\"',;]{8,})")

Scrub = Callable[[str], str]


def scrub_keylike(text: str) -> str:
    text = _KEYLIKE.sub(lambda m: mask(m.group()), text)
    def repl(m: re.Match[str]) -> str:
        name, sep, value = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
        return f"{name}{sep}{mask(value)}"

    return _BEARER.sub(repl, text)


class HasSecrets(Protocol):
    """What the scrub needs of the settings (`config.Settings`): the redactor of their secrets."""

    def redactor(self) -> Redactor: ...


def make_scrubber(settings: HasSecrets | None) -> Scrub:
    """Redact the settings' secrets, then anything that looks like a pasted key or token."""
    redactor = settings.redactor() if settings is not None else None

    def scrub(text: str) -> str:
        if not text:
            return text
        if redactor is not None:
            text = redactor.redact(text)
        return scrub_keylike(text)

    return scrub


@overload
def scrub_obj(obj: str, scrub: Scrub) -> str: ...
@overload
def scrub_obj(obj: dict[str, Any], scrub: Scrub) -> dict[str, Any]: ...
@overload
def scrub_obj(obj: list[Any] | tuple[Any, ...], scrub: Scrub) -> list[Any]: ...
@overload
def scrub_obj(obj: Scalar, scrub: Scrub) -> Scalar: ...


def scrub_obj(obj: object, scrub: Scrub) -> object:
    """Scrub every string inside a JSON-like structure (keys too): a string stays a string, a dict
    a dict, a list or tuple becomes a list, anything else is kept as it is."""
    return _walk(obj, scrub)


def _walk(obj: object, scrub: Scrub) -> object:
    if isinstance(obj, str):
        return scrub(obj)
    if isinstance(obj, dict):
        return {_walk(k, scrub): _walk(v, scrub) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_walk(v, scrub) for v in obj]
    return obj
