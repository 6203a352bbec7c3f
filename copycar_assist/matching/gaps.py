"""Gaps in the knowledge, from saved conversations: the descriptions the matcher did not
understand (no confident match, a near tie) or that the user had to say again, each with the
entry the case finally reached, grouped by that entry and by the words they share.

What a support lead reads to decide which effects or aliases to add ("the spinner never stops"
→ an effect of slow-responses). Offline and local: it reads session records handed to it (the
JSON events of `conversation/events.py` as `support/history.py` stores them) and never writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from copycar_assist.files.fields import is_id

from .text import tokenize

if TYPE_CHECKING:
    from .matcher import Matcher

MAX_TEXT = 2000  # characters of a description kept
SIMILAR = 0.25  # word overlap (Jaccard) from which two descriptions join a group


@dataclass
class Gap:
    text: str
    session: str
    reason: str  # "no_match" | "ambiguous" | "rephrased"
    listed: str | None  # the first entry the matcher listed
    chosen: str | None = None  # the entry the case finally reached (None: none)


class GapJson(TypedDict):
    text: str
    session: str
    reason: str
    listed: str | None


class ClusterJson(TypedDict):
    entry: str | None
    count: int
    shared_words: list[str]
    unknown_words: list[str]
    examples: list[GapJson]


@dataclass
class Cluster:
    chosen: str | None
    gaps: list[Gap]
    shared: list[str] = field(default_factory=list)  # words most of them use
    unknown: list[str] = field(default_factory=list)  # words the knowledge never uses

    def to_json(self) -> ClusterJson:
        return {"entry": self.chosen, "count": len(self.gaps), "shared_words": self.shared,
                "unknown_words": self.unknown,
                "examples": [{"text": g.text, "session": g.session, "reason": g.reason, "listed": g.listed}
                             for g in self.gaps]}


def gaps_of(session_id: str, records: Iterable[Mapping[str, object]]) -> list[Gap]:
    """The gaps of one session. A case runs from a description until a cause is found, the case
    is resolved or escalated, another problem is described, or the session ends; its entry is the
    one of the cause found, else the last entry the conversation was about. A description the
    matcher understood is a gap only when the user then said it again (rephrase, or "no" to
    "is this the problem?")."""
    out: list[Gap] = []
    chain: list[Gap] = []
    confident: list[bool] = []
    entry: str | None = None
    text: str | None = None
    state = ""  # of the last prompt
    redo = False  # the user asked to say it again (rephrase, or "no" to "is this the problem?")

    def close() -> None:
        nonlocal chain, confident, entry
        for n, gap in enumerate(chain):
            rephrased = n < len(chain) - 1 and confident[n]
            if not confident[n] or rephrased:
                if rephrased:
                    gap.reason = "rephrased"
                gap.chosen = entry
                out.append(gap)
        chain, confident, entry = [], [], None

    for rec in records:
        kind = rec.get("type")
        if kind == "user" and rec.get("kind") == "description" and isinstance(said := rec.get("text"), str):
            text = said[:MAX_TEXT]
        elif kind == "matched" and text is not None:
            if chain and confident[-1] and not redo:
                close()  # understood, and now another problem: a new case
            redo = False
            if rec.get("kind", "problem") == "problem":
                matches = listed if isinstance(listed := rec.get("matches"), list) else []
                first = matches[0].get("id") if matches and isinstance(matches[0], dict) else None
                best = rec.get("best")
                reason = "ambiguous" if rec.get("ambiguous") is True else "no_match"
                chain.append(Gap(text, session_id, reason, first if is_id(first) else None))
                confident.append(is_id(best))
            text = None
        elif kind == "answered":
            role = rec.get("role")
            redo = redo or role == "rephrase" or (role == "no" and state.startswith("confirm"))
        elif kind == "prompt":
            raw_state, raw_about = rec.get("state"), rec.get("about")
            state = raw_state if isinstance(raw_state, str) else ""
            about = raw_about if isinstance(raw_about, dict) else {}
            if is_id(about.get("entry")) and chain:
                entry = about["entry"]
        elif kind == "cause_found" and isinstance(found := rec.get("entry"), str) and is_id(found):
            entry = found
            close()
        elif kind in ("resolved", "escalated"):
            close()
    close()
    return out


def cluster(gaps: list[Gap], matcher: Matcher) -> list[Cluster]:
    """Gaps grouped by the entry finally chosen, then by shared words; biggest groups first."""
    lexicon, postings = matcher.lexicon, matcher.index.postings
    keyed: list[tuple[Gap, set[str], dict[str, str]]] = []
    for gap in gaps:
        tokens = tokenize(matcher.read(gap.text).text)
        keys: set[str] = set()
        surface: dict[str, str] = {}
        for term in lexicon.terms(tokens):
            if not term.weak and not term.key.isdigit():
                keys.add(term.key)
                surface.setdefault(term.key, tokens[term.first].word)
        keyed.append((gap, keys, surface))
    groups: list[list[tuple[Gap, set[str], dict[str, str]]]] = []
    for item in keyed:
        for group in groups:
            if group[0][0].chosen == item[0].chosen and any(_jaccard(item[1], other[1]) >= SIMILAR for other in group):
                group.append(item)
                break
        else:
            groups.append([item])
    out = []
    for group in groups:
        counts: dict[str, int] = {}
        shown: dict[str, str] = {}
        for _, keys, words in group:
            for key in keys:
                counts[key] = counts.get(key, 0) + 1
                shown.setdefault(key, words[key])
        need = max(1, (len(group) + 1) // 2)
        shared = sorted((k for k, c in counts.items() if c >= need), key=lambda k: (-counts[k], k))
        unknown = sorted((k for k in counts if k not in postings and not k.startswith("@")),
                         key=lambda k: (-counts[k], k))
        out.append(Cluster(group[0][0].chosen, [g for g, _, _ in group],
                           [shown[k] for k in shared][:8], [shown[k] for k in unknown][:8]))
    out.sort(key=lambda c: (-len(c.gaps), c.chosen or "~"))
    return out


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0
