"""What the e-mail domain check's parts report: verdicts (what is wrong, the RFC, the fix) and facts.

A `Verdict` is one finding with its level — `fail` (mail is rejected, or a mechanism receivers
rely on is broken), `warn` (delivery may suffer, or we could not tell) or `info` (worth knowing,
no effect on delivery) — and the check outcome it points to. A `Part` is what one family (MX,
SPF, DMARC, DKIM, MTA-STS/TLS-RPT) found: its verdicts, its evidence, and the short words a pass
may claim for it. Their words are catalogue messages (`files.msg.Msg`), put into words in the
language of whoever reads the report. No DNS and no judging here: just the shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from copycar_assist.files.msg import Msg

LEVELS = ("info", "warn", "fail")


@dataclass(frozen=True)
class Verdict:
    level: str  # fail | warn | info
    area: str  # the check outcome: no_mx, mx_problem, spf_problem, dmarc_problem, dkim_missing, dkim_invalid
    ref: str  # "RFC 7208 §4.6.4"; empty when no RFC speaks to it
    what: Msg
    fix: Msg

    def text(self, lang: str) -> str:
        ref = f" ({self.ref})" if self.ref else ""
        return f"{self.what.text(lang)}{ref}. {self.fix.text(lang)}"


def verdict(level: str, area: str, ref: str, what: Msg, fix: Msg) -> Verdict:
    """What is wrong and the fix, put into words when the report is (in its language)."""
    assert level in LEVELS, level
    return Verdict(level, area, ref, what, fix)


@dataclass
class Part:
    verdicts: list[Verdict] = field(default_factory=list)
    evidence: dict[str, object] = field(default_factory=dict)  # values: str, int or Msg, or lists of them
    checked: Msg | None = None  # what a pass may claim for this part

    def add(self, v: Verdict) -> None:
        self.verdicts.append(v)
