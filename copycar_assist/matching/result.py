"""What the matcher answers: plain data with the JSON shape DESIGN.md fixes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Match:
    id: str
    title: str  # in the query's language
    score: float  # 0-100
    why: list[str] = field(default_factory=list)  # the user's words that made the match

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "score": int(round(self.score)), "why": list(self.why)}


@dataclass(frozen=True)
class MatchResult:
    query: str
    language: str  # "es" | "en"
    best: str | None  # None when nothing is confident enough
    matches: list[Match] = field(default_factory=list)  # best first
    ambiguous: bool = False  # the top two are too close to choose without asking
    # What kind of input it is: "problem" (a report of one), "question" (about the guide),
    # "request" (how-to, feature, billing, account: out of scope), "greeting".
    kind: str = "problem"
    answer: dict[str, str] | None = None  # for a question about the guide: {"text", "source"}
    # How likely the first listed entry is the right one (calibrated, 0-1); None when none is listed.
    confidence: float | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "query": self.query,
            "language": self.language,
            "best": self.best,
            "matches": [m.to_json() for m in self.matches],
            "ambiguous": self.ambiguous,
            "kind": self.kind,
            "confidence": self.confidence,
        }
        if self.answer is not None:
            data["answer"] = dict(self.answer)
        return data
