"""Reading a description before it is scored: which parts state the failure.

A ticket is prose, pasted material, or both. Pasted lines are read by `paste.py` (the exception
line, the error field, the status line weigh most; frames, timestamps and field names little;
numbers past the guide's thresholds become readings). Prose is cut into clauses at sentence ends
and at "but / pero / aunque …", and each clause gets a role by its words (`reading.toml`):

    failure     states what goes wrong ("no llegan", "stopped", "since Monday", a code)  1.0
    neutral     says neither                                                           0.7
    ask         the closing request ("could you check…?", "¿me echáis una mano?")      0.4
    background  who, where, which set-up ("soy Elena y llevo el outbound")             0.35
    working     what works ("the health endpoint returns 200")                         0.3
    denial      what it is not ("this is not about the alerts")                        0.15
    greeting    greetings, thanks, sign-offs                                           0.05

The scorer multiplies what each word says by the weight of the stretch it sits in, so side
remarks neither add evidence for other entries nor dilute the right one. A long paste is cut to
the lines that carry the failure (repeated lines read once) before it is scored.

Pure: no I/O after the data files are loaded; linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from copycar_assist.textsafe import clean

from .paste import PasteReader, Signal, Span, _pair_re
from .phrases import Phrases, words_of

MAX_READ = 256 * 1024  # characters of a paste that are read at all
BUDGET = 2400  # characters handed to the scorer (the failure-bearing lines first)
PROSE_CAP = 8000  # characters of prose whose clauses are weighed (the rest is read as neutral)
BIG, HEAD, TAIL, MIDDLE = 16 * 1024, 60, 40, 400  # a paste this big is prefiltered (lines kept)
# Lower-case words that mark a line of a big paste worth reading.
_FAILURE_WORDS = ("error", "exception", "traceback", "critical", "fatal", "warning", "fail", "denied", "refused",
                  "timed out", "timeout", "status: 4", "status: 5", "curl: (", "http/1.1 4", "http/1.1 5", "http/2 4",
                  "http/2 5", "message", "reject", "invalid", "expired", "unauthorized", "forbidden")
_DIGITS = str.maketrans("0123456789", "0000000000")
_CODE_LIKE = re.compile(r"(?<![\w.])[45]\d\d(?![\w.])|\b[A-Z][a-z]+(?:[A-Z][a-z]+)+(?:Error|Exception)\b|\b[a-z]+_[a-z_]+\b")
_NEGATED_CODE = re.compile(
    r"\b(?:no|not|sin|ningun|ningún|ninguna|never|nunca|zero|cero|without|ni)\s+(?:(?:a|an|un|una|any|single|solo|un solo)\s+)?"
    r"([45]\d\d(?:s|'s)?|[45]xx)\b", re.IGNORECASE)
QUESTION_OPENERS = frozenset((
    "what", "which", "how", "when", "where", "why", "who", "whom", "is", "are", "does", "do", "did", "can",
    "could", "should", "would", "will", "que", "cual", "cuales", "como", "cuanto", "cuanta", "cuantos",
    "cuantas", "cuando", "donde", "quien", "quienes", "por", "hay", "se", "es", "puedo", "podemos", "tiene",
    "teneis", "existe",
))


@dataclass(frozen=True)
class Clause:
    start: int  # in Reading.text
    end: int
    role: str
    question: bool  # asked as a question ("?", "¿", an interrogative opening)


@dataclass(frozen=True)
class Reading:
    text: str  # what the scorer reads
    weights: list[float]  # one per character of `text`
    signals: tuple[tuple[int, int, Signal], ...] = ()  # readings appended to `text`, with their place
    clauses: tuple[Clause, ...] = ()  # the prose's clauses
    pasted_lines: int = 0
    prose_chars: int = 0
    roles: dict[str, int] = field(default_factory=dict)  # characters of prose per role

    def weight_at(self, pos: int) -> float:
        return self.weights[pos] if 0 <= pos < len(self.weights) else 1.0


_ClauseSpan = tuple[int, int, str, bool]  # (start, end, role, question) within a line


class _Line(NamedTuple):
    """One distinct line of the text, as read."""

    text: str
    kind: str  # "prose", or the kind of pasted line (`PasteReader.kind`)
    spans: list[Span]
    clauses: list[_ClauseSpan]  # a prose line's
    signals: list[Signal]  # a pasted line's
    priority: float


def _prefilter(raw: str) -> str:
    """A big paste, cut before it is read line by line: its first and last lines (a story's
    opening, how a dump ended) and, between them, the lines with a failure word (found with
    plain substring searches over the whole text, which run at memory speed)."""
    lines = _cut_long_lines(raw.split("\n"))
    if len(lines) <= HEAD + TAIL:
        return "\n".join(lines)
    middle = "\n".join(lines[HEAD:-TAIL])
    low = middle.lower()
    starts: set[int] = set()
    for word in _FAILURE_WORDS:
        pos, hits = low.find(word), 0
        while pos >= 0 and hits < MIDDLE:
            starts.add(low.rfind("\n", 0, pos) + 1)
            hits += 1
            end = low.find("\n", pos)
            if end < 0:
                break
            pos = low.find(word, end)
    found = []
    for start in sorted(starts)[:MIDDLE]:
        end = middle.find("\n", start)
        found.append(middle[start:end if end >= 0 else len(middle)])
    return "\n".join(lines[:HEAD] + found + lines[-TAIL:])


def _cut_long_lines(lines: list[str]) -> list[str]:
    """A line longer than the budget (a paste without newlines) is read at its start and its end,
    where a story says what happens and a dump says how it ended. It is cleaned before it is cut:
    a control string runs to the end of the user's line, not of a piece (the reader reads what
    the echo shows)."""
    out = []
    for line in lines:
        if len(line) > 2 * BUDGET:
            line = clean(line, keep_newlines=True)
            out += [line[:BUDGET], line[-BUDGET // 2:]] if len(line) > 2 * BUDGET else [line]
        else:
            out.append(line)
    return out


class Reader:
    def __init__(self, data: Mapping[str, Any], thresholds: Mapping[str, float], stop: frozenset[str] = frozenset()) -> None:
        """`data`: `reading.toml` as read; `thresholds`: the guide's, by name."""
        self.stop = stop
        self.w = {k: float(v) for k, v in data["weights"].items()}
        c = data["clauses"]
        self.failure, self.working, self.denial = Phrases(c["failure"]), Phrases(c["working"]), Phrases(c["denial"])
        self.background, self.greeting, self.ask = Phrases(c["background"]), Phrases(c["greeting"]), Phrases(c["ask"])
        self.negation = Phrases(c["negation"])
        splitters = sorted((re.escape(s) for s in c["split"]), key=len, reverse=True)
        openers = sorted((re.escape(s) for s in c["question_openers"]), key=len, reverse=True)
        self._split = re.compile(r"[.!?;]+(?=\s|$)|[¿¡]|\s[—–-]\s|\(|\)|,?\s+(?=(?:" + "|".join(splitters) + r")\b)"
                                 r"|,\s*(?=(?:" + "|".join(openers) + r")\b)", re.IGNORECASE)
        self.paste = PasteReader(self.w, data["paste"], thresholds)

    # -- the whole text -----------------------------------------------------------------

    def read(self, raw: str) -> Reading:
        if not isinstance(raw, str):
            raw = str(raw)
        raw = raw[:MAX_READ]
        if len(raw) > BIG:
            raw = _prefilter(raw)
        text = clean(raw, keep_newlines=True)
        if "\t" in text:
            text = text.replace("\t", "    ")
        lines = self._lines(text)
        if sum(len(t) + 1 for t, *_ in lines) > BUDGET:
            lines = self._select(lines)
        return self._assemble(lines)

    def _lines(self, text: str) -> list[_Line]:
        """Each distinct line, in order."""
        out: list[_Line] = []
        seen: set[str] = set()
        prev = None
        depth = 0  # open braces of a JSON body or dict spread over lines
        headers = False  # inside an HTTP response's or an e-mail's header block
        prose = 0
        for line in _cut_long_lines(text.split("\n")):
            if not line.strip():
                headers = False
                continue
            norm = line.strip().translate(_DIGITS)
            if norm in seen:
                continue
            seen.add(norm)
            kind = self.paste.kind(line)
            if kind is None:
                if depth > 0:
                    kind = "json"
                elif prev in ("frame", "code") and line[:1] == " ":
                    kind = "code"
                elif headers and re.match(r"\s*<?\s*[A-Za-z][\w-]*:\s", line):
                    kind = "header"
                elif len(_pair_re().findall(line, 0, 400)) >= 2 and line.count(" ") < 3 * line.count("=") + 6:
                    kind = "json"  # key=value pairs (logfmt, curl -w)
            if kind in ("http", "header") or (kind == "response" and "HTTP/" in line):
                headers = True
            if kind == "json" or depth > 0:
                depth = max(0, depth + line.count("{") + line.count("[") - line.count("}") - line.count("]"))
            if kind is None:
                if prose > PROSE_CAP:
                    out.append(_Line(line, "prose", [(0, len(line), self.w["neutral"])], [(0, len(line), "neutral", False)],
                                     [], self.w["neutral"] * 0.5))
                    continue
                prose += len(line)
                clauses = self._clause_list(line)
                spans = self._clauses(line, clauses)
                out.append(_Line(line, "prose", spans, clauses, self.paste.prose_durations(line),
                                 max((s[2] for s in spans), default=0.0)))
            else:
                r = self.paste.read(line, kind, {})
                out.append(_Line(line, kind, r.spans, [], r.signals, max((s[2] for s in r.spans), default=0.0)
                                 + (self.w["signal"] if r.signals else 0.0)))
            prev = kind or "prose"
        return out

    def _select(self, lines: list[_Line]) -> list[_Line]:
        """The lines that fit the budget, highest priority first, in their order."""
        order = sorted(range(len(lines)), key=lambda i: (-lines[i].priority, i))
        keep: set[int] = set()
        used = 0
        for i in order:
            size = len(lines[i].text) + 1
            if used + size > BUDGET:
                if size > BUDGET // 2 and used < BUDGET // 2:  # one very long line: its start
                    line = lines[i]
                    cut = BUDGET // 2
                    lines[i] = line._replace(text=line.text[:cut],
                                             spans=[(a, min(b, cut), w) for a, b, w in line.spans if a < cut])
                    keep.add(i)
                    used += cut + 1
                continue
            keep.add(i)
            used += size
        return [lines[i] for i in sorted(keep)]

    def _assemble(self, lines: list[_Line]) -> Reading:
        parts: list[str] = []
        weights: list[float] = []
        clauses: list[Clause] = []
        roles: dict[str, int] = {}
        signals: list[Signal] = []
        pos = pasted = prose_chars = 0
        for line, kind, spans, line_clauses, line_signals, _ in lines:
            w = [self.w["neutral"]] * len(line)
            for a, b, weight in spans:
                if b > a:
                    w[a:b] = [weight] * (b - a)
            if kind == "prose":
                prose_chars += len(line)
                for a, b, role, question in line_clauses:
                    b = min(b, len(line))
                    if b > a:
                        clauses.append(Clause(pos + a, pos + b, role, question))
                        roles[role] = roles.get(role, 0) + (b - a)
            else:
                pasted += 1
            signals.extend(line_signals)
            parts.append(line)
            weights.extend(w)
            weights.append(0.0)
            pos += len(line) + 1
        placed: list[tuple[int, int, Signal]] = []
        for sig in dict.fromkeys(signals):
            parts.append(sig.words)
            placed.append((pos, pos + len(sig.words), sig))
            weights.extend([self.w["signal"]] * len(sig.words))
            weights.append(0.0)
            pos += len(sig.words) + 1
        top = max(weights, default=0.0)
        if top > 0:  # relative: the part that says most counts fully, whatever its kind
            weights = [w / top for w in weights]
        return Reading("\n".join(parts), weights, tuple(placed), tuple(clauses), pasted, prose_chars, roles)

    # -- prose ----------------------------------------------------------------------------

    def _clause_list(self, line: str) -> list[_ClauseSpan]:
        out: list[_ClauseSpan] = []
        start = 0
        for m in self._split.finditer(line):
            self._add_clause(line, start, m.start(), out, "?" in m.group())  # a "¿" opens the next one
            start = m.end()
        self._add_clause(line, start, len(line), out, False)
        return out

    def _add_clause(self, line: str, a: int, b: int, out: list[_ClauseSpan], question: bool) -> None:
        piece = line[a:b]
        if not piece.strip():
            return
        words = words_of(piece)
        if not words:
            return
        if a > 0 and line[a - 1] == "¿":
            question = True
        question = question or words[0] in QUESTION_OPENERS and piece.rstrip().endswith("?")
        out.append((a, b, self._role(piece, words), question))

    def _clauses(self, line: str, clauses: list[_ClauseSpan]) -> list[Span]:
        spans = [(a, b, self.w[role]) for a, b, role, _ in clauses]
        # "there's no 429 anywhere", "sin ningún 401": a code said not to happen says nothing for it.
        spans += [(m.start(1), m.end(1), self.w["denial"]) for m in _NEGATED_CODE.finditer(line)]
        return spans

    def _role(self, piece: str, words: list[str]) -> str:
        greeting = self.greeting.covered(words)
        if all(i in greeting or w in self.stop for i, w in enumerate(words)):
            return "greeting"
        if self.denial.found(words):
            return "denial"
        failure = self.failure.found(words) or _CODE_LIKE.search(piece) is not None
        working = self.working.found(words)
        if working and not self.negation.found(words):
            return "working" if not failure or self._working_wins(words) else "failure"
        if failure:
            return "failure"
        if self.ask.found(words):
            return "ask"
        if self.background.found(words):
            return "background"
        return "neutral"

    def _working_wins(self, words: list[str]) -> bool:
        """"returns 200 but slowly" is a failure; "it resolves fine" is not: the working phrase
        wins when every failure word sits inside it."""
        return self.failure.covered(words) <= self.working.covered(words)
