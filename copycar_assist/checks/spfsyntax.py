"""SPF record syntax (RFC 7208 §4.6, §5, §6, §7): one record's text → its terms, or what is wrong.

Pure functions, no DNS. The grammar is followed to the letter, because a receiver that meets a
term it cannot parse returns permerror for the whole record: mechanism names, qualifiers, every
mechanism's value (`ip4:` dotted quads with no leading zeros, `ip6:` addresses, CIDR lengths
within 32 / 128), domain-specs (macros, a top label that is not all digits), modifiers named at
most once, and no byte outside printable ASCII. Terms are separated by spaces only.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
LOOKUP_MECHANISMS = ("include", "a", "mx", "ptr", "exists")  # plus the redirect modifier

_QNUM = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])"
_IP4 = re.compile(rf"{_QNUM}(?:\.{_QNUM}){{3}}")
_CIDR = re.compile(r"0|[1-9][0-9]{0,2}")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9._-]*")
_MACRO_EXPAND = re.compile(r"%\{([A-Za-z])([0-9]*)(r?)([.\-+,/_=]*)\}", re.IGNORECASE)
_TOPLABEL = re.compile(r"(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])")
_DOMAIN_LETTERS = set("slodiphv")
_EXP_LETTERS = _DOMAIN_LETTERS | set("crt")


@dataclass(frozen=True)
class Term:
    text: str
    kind: str  # mechanism | modifier
    name: str  # lower-case
    qualifier: str = ""  # + - ~ ? for mechanisms ("+" when none was written)
    value: str = ""  # domain-spec, network, or the modifier's value; "" when none
    has_macro: bool = False


@dataclass(frozen=True)
class Problem:
    term: str
    code: str  # what it says is the catalogue's check.spf.problem.<code>
    detail: str = ""


@dataclass
class Parsed:
    terms: list[Term] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def mechanisms(self) -> list[Term]:
        return [t for t in self.terms if t.kind == "mechanism"]

    def modifier(self, name: str) -> Term | None:
        return next((t for t in self.terms if t.kind == "modifier" and t.name == name), None)


def is_spf(text: str) -> bool:
    """RFC 7208 §4.5: "v=spf1" (any case), then a space or the end."""
    head = text[:7].lower()
    return head == "v=spf1" or head == "v=spf1 "


def _macro_string(text: str, letters: set[str]) -> str | None:
    """None when `text` is a valid macro-string, else what is wrong with it."""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%":
            nxt = text[i + 1:i + 2]
            if nxt in ("%", "_", "-"):
                i += 2
                continue
            m = _MACRO_EXPAND.match(text, i)
            if not m:
                return "bad_macro"
            if m.group(1).lower() not in letters:
                return "bad_macro"
            i = m.end()
            continue
        if not ("\x21" <= ch <= "\x7e"):
            return "bad_char"
        i += 1
    return None


def domain_spec_problem(spec: str, letters: set[str] = _DOMAIN_LETTERS) -> str | None:
    """None when `spec` is a valid domain-spec (RFC 7208 §7.1), else a problem code."""
    if not spec:
        return "missing_value"
    bad = _macro_string(spec, letters)
    if bad:
        return bad
    if spec.endswith("}") and _ends_with_macro(spec):
        return None
    body = spec.removesuffix(".")
    if "." not in body:
        return "bad_domain"
    labels = body.split(".")
    if "%" not in spec and (any(not lab for lab in labels) or any(len(lab) > 63 for lab in labels)
                            or len(body) > 253):
        return "bad_domain"
    if not _TOPLABEL.fullmatch(labels[-1]):
        return "bad_domain"
    return None


def _ends_with_macro(spec: str) -> bool:
    start = spec.rfind("%{")
    return start >= 0 and _MACRO_EXPAND.fullmatch(spec, start) is not None


def _cidr(text: str, limit: int) -> bool:
    return bool(_CIDR.fullmatch(text)) and int(text) <= limit


def _split_dual_cidr(rest: str) -> tuple[str, str | None, str | None]:
    """`[:domain-spec][/n][//m]` → (domain-spec, n, m); the CIDR part is taken from the end."""
    m = re.search(r"(?:/([0-9]+))?(?://([0-9]+))?$", rest)
    c4, c6 = (m.group(1), m.group(2)) if m else (None, None)
    head = rest[:m.start()] if m else rest
    return head, c4, c6


def _mechanism(token: str, qualifier: str, name: str, rest: str) -> Term | Problem:
    def bad(code: str, detail: str = "") -> Problem:
        return Problem(token, code, detail)

    if name == "all":
        return Term(token, "mechanism", name, qualifier) if not rest else bad("bad_value")
    if name in ("include", "exists"):
        if not rest.startswith(":"):
            return bad("missing_value")
        spec = rest[1:]
        problem = domain_spec_problem(spec)
        return bad(problem) if problem else Term(token, "mechanism", name, qualifier, spec, "%" in spec)
    if name in ("a", "mx", "ptr"):
        if name == "ptr":
            head, c4, c6 = rest, None, None
        else:
            head, c4, c6 = _split_dual_cidr(rest)
            if c4 is not None and not _cidr(c4, 32):
                return bad("bad_cidr", "/" + c4)
            if c6 is not None and not _cidr(c6, 128):
                return bad("bad_cidr", "//" + c6)
        if head and not head.startswith(":"):
            return bad("bad_value")
        spec = head[1:] if head else ""
        if head:
            problem = domain_spec_problem(spec)
            if problem:
                return bad(problem)
        return Term(token, "mechanism", name, qualifier, spec, "%" in spec)
    if name == "ip4":
        if not rest.startswith(":"):
            return bad("missing_value")
        net, _, cidr = rest[1:].partition("/")
        if not _IP4.fullmatch(net):
            return bad("bad_ip4", net)
        if "/" in rest[1:] and not _cidr(cidr, 32):
            return bad("bad_cidr", "/" + cidr)
        return Term(token, "mechanism", name, qualifier, rest[1:])
    if name == "ip6":
        if not rest.startswith(":"):
            return bad("missing_value")
        body = rest[1:]
        net, prefix = body.rsplit("/", 1) if "/" in body else (body, None)
        try:
            if "%" in net or not net:
                raise ValueError(net)
            ipaddress.IPv6Address(net)
        except ValueError:
            return bad("bad_ip6", net)
        if prefix is not None and not _cidr(prefix, 128):
            return bad("bad_cidr", "/" + prefix)
        return Term(token, "mechanism", name, qualifier, body)
    return bad("unknown_mechanism")


def parse_spf(text: str) -> Parsed:
    """The terms of one SPF record, or every problem that makes a receiver return permerror."""
    out = Parsed()
    if not is_spf(text):
        out.problems.append(Problem(text[:40], "not_spf"))
        return out
    seen: set[str] = set()
    for token in text[6:].split(" "):
        if not token:
            continue
        if any(not ("\x21" <= ch <= "\x7e") for ch in token):
            out.problems.append(Problem(token, "bad_char"))
            continue
        mod = re.fullmatch(r"([A-Za-z][A-Za-z0-9._-]*)=(.*)", token, re.DOTALL)
        if mod:
            name, value = mod.group(1).lower(), mod.group(2)
            if name in ("redirect", "exp"):
                if name in seen:
                    out.problems.append(Problem(token, "duplicate_modifier"))
                    continue
                seen.add(name)
                letters = _EXP_LETTERS if name == "exp" else _DOMAIN_LETTERS
                problem = domain_spec_problem(value, letters)
                if problem:
                    out.problems.append(Problem(token, problem))
                    continue
            elif _macro_string(value, _EXP_LETTERS):
                out.problems.append(Problem(token, "bad_macro"))
                continue
            out.terms.append(Term(token, "modifier", name, "", value, "%" in value))
            continue
        m = re.fullmatch(r"([+\-~?]?)([A-Za-z][A-Za-z0-9]*)(.*)", token, re.DOTALL)
        if not m or m.group(2).lower() not in MECHANISMS or (m.group(3) and m.group(3)[0] not in ":/"):
            out.problems.append(Problem(token, "unknown_mechanism"))
            continue
        got = _mechanism(token, m.group(1) or "+", m.group(2).lower(), m.group(3))
        if isinstance(got, Problem):
            out.problems.append(got)
        else:
            out.terms.append(got)
    return out
