"""What the e-mail domain check's parts report: verdicts (what is wrong, the RFC, the fix) and facts.

A `Verdict` is one finding in both languages with its level — `fail` (mail is rejected, or a
mechanism receivers rely on is broken), `warn` (delivery may suffer, or we could not tell) or
`info` (worth knowing, no effect on delivery) — and the check outcome it points to. A `Part` is
what one family (MX, SPF, DMARC, DKIM, MTA-STS/TLS-RPT) found: its verdicts, its evidence, and
the short words a pass may claim for it. No DNS and no judging here: just the shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

LEVELS = ("info", "warn", "fail")


class Bi(NamedTuple):
    """A text in Spanish and English."""

    es: str
    en: str

    def pick(self, lang: str) -> str:
        return self.es if lang == "es" else self.en


@dataclass(frozen=True)
class Verdict:
    level: str  # fail | warn | info
    area: str  # the check outcome: no_mx, mx_problem, spf_problem, dmarc_problem, dkim_missing, dkim_invalid
    ref: str  # "RFC 7208 §4.6.4"; empty when no RFC speaks to it
    what: Bi
    fix: Bi

    def text(self, lang: str) -> str:
        ref = f" ({self.ref})" if self.ref else ""
        return f"{self.what.pick(lang)}{ref}. {self.fix.pick(lang)}"


def verdict(level: str, area: str, ref: str, es: tuple[str, str], en: tuple[str, str]) -> Verdict:
    """`es` and `en` are each (what is wrong, the fix)."""
    assert level in LEVELS, level
    return Verdict(level, area, ref, Bi(es[0], en[0]), Bi(es[1], en[1]))


@dataclass
class Part:
    verdicts: list[Verdict] = field(default_factory=list)
    evidence: dict[str, object] = field(default_factory=dict)  # values: str, int or Bi, or lists of them
    checked: Bi | None = None  # what a pass may claim for this part

    def add(self, v: Verdict) -> None:
        self.verdicts.append(v)
