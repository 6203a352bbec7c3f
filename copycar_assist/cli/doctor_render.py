"""The readable text of `doctor` and `diagnose`: one line per check, evidence, then the fixes.

    ✓ API key configured                 1 ms  Key configured (env): sk-…cdef.
    ✗ Key verification (GET /verify)    32 ms  The API does not accept the key (401 Unauthorized).
        status: 401 Unauthorized

Symbols: ✓ pass · ! warn · ✗ fail · ? error · – skipped. Colour only on a terminal without
NO_COLOR. Every string is cleaned of control characters and redacted before it is printed.
"""

from __future__ import annotations

import os
import unicodedata

from copycar_assist.textsafe import clean, one_line

SYMBOLS = {"pass": "✓", "warn": "!", "fail": "✗", "error": "?", "skipped": "–"}
COLOURS = {"pass": "32", "warn": "33", "fail": "31", "error": "35", "skipped": "2"}
WORDS = {
    "en": {"pass": "passed", "warn": "warnings", "fail": "failed", "error": "errors", "skipped": "skipped",
           "checks": "checks", "todo": "What to fix", "found": "Cause found", "also": "The checks also point at", "none": "No check pointed at a cause.",
           "questions": "Questions that tell the remaining causes apart:", "from": "from",
           "escalate": "If none applies, escalate with the evidence above (support level 1).",
           "all_ok": "Everything checked looks fine.", "demo": "demo simulator", "exit": "exit",
           "nothing": "Nothing could be checked: the skipped checks above say what they need."},
    "es": {"pass": "correctas", "warn": "avisos", "fail": "fallidas", "error": "errores", "skipped": "omitidas",
           "checks": "comprobaciones", "todo": "Qué corregir", "found": "Causa encontrada", "also": "Las comprobaciones también señalan",
           "none": "Ninguna comprobación señaló una causa.",
           "questions": "Preguntas que distinguen las causas que quedan:", "from": "según",
           "escalate": "Si ninguna encaja, escala con la evidencia de arriba (soporte de nivel 1).",
           "all_ok": "Todo lo comprobado parece correcto.", "demo": "simulador de demostración",
           "exit": "salida", "nothing": "No se pudo comprobar nada: las comprobaciones omitidas dicen qué necesitan."},
}


def use_colour(stream) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ \
        and os.environ.get("TERM") != "dumb"


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def _pad(text: str, n: int) -> str:
    return text + " " * max(0, n - width(text))


def _duration(ms: int) -> str:
    return f"{ms} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


class Renderer:
    def __init__(self, lang: str, redact, colour: bool = False, verbose: bool = False):
        self.w = WORDS.get(lang, WORDS["en"])
        self.redact = redact
        self.colour = colour
        self.verbose = verbose
        self.lines: list[str] = []

    def safe(self, text, limit: int = 2000) -> str:
        return self.redact(clean(self.redact(str(text)), keep_newlines=False, limit=limit))

    def paint(self, text: str, status: str) -> str:
        return f"\x1b[{COLOURS[status]}m{text}\x1b[0m" if self.colour else text

    def add(self, line: str = "") -> None:
        self.lines.append(line)

    def header(self, what: str, n: int, duration_ms: int, base_url: str, demo: bool) -> None:
        where = self.safe(base_url, 200) + (f" ({self.w['demo']})" if demo else "")
        self.add(f"{what} · {n} {self.w['checks']} · {_duration(duration_ms)} · {where}")
        self.add()

    def results(self, results) -> None:
        title_w = min(42, max((width(self.safe(r.title or r.id, 60)) for r in results), default=10))
        for r in results:
            symbol = self.paint(SYMBOLS.get(r.status, "?"), r.status)
            title = _pad(self.safe(r.title or r.id, 60), title_w)
            dur = _duration(r.duration_ms) if r.status != "skipped" else ""
            self.add(f"  {symbol} {title}  {dur:>7}  {self.safe(r.summary, 600)}")
            if r.status in ("fail", "warn", "error") or (self.verbose and r.status == "pass"):
                for key, value in r.evidence.items():
                    self.add(f"        {self.safe(key, 60)}: {self._value(value)}")

    def _value(self, value) -> str:
        if isinstance(value, dict):
            return ", ".join(f"{self.safe(k, 60)}={self._value(v)}" for k, v in value.items())
        if isinstance(value, list):
            return ", ".join(self._value(v) for v in value)
        return self.safe(value, 400)

    def causes(self, causes, heading: str | None = None) -> None:
        if not causes:
            return
        self.add()
        self.add(heading or f"{self.w['todo']}:")
        for c in causes:
            symbol = self.paint(SYMBOLS.get(c.status, "✗"), c.status)
            self.add(f"  {symbol} {self.safe(c.entry_title)} › {self.safe(c.title)}  "
                     f"({self.safe(c.entry_id)}#{self.safe(c.cause_id)}, {self.w['from']} {c.check_id} = {c.outcome})")
            if c.explanation:
                for line in _wrap(self.safe(c.explanation), 88):
                    self.add(f"      {line}")
            for i, step in enumerate(c.steps, 1):
                number = f"{i}. "
                for j, line in enumerate(_wrap(self.safe(step), 86)):
                    self.add(f"      {number if j == 0 else ' ' * len(number)}{line}")

    def questions(self, questions) -> None:
        self.add()
        self.add(self.w["none"])
        if questions:
            self.add(self.w["questions"])
            for q in questions:
                text = self.safe(q["question"]) if q["question"] else ""
                self.add(f"  • {self.safe(q['title'])} ({self.safe(q['id'])})" + (f": {text}" if text else ""))
        self.add(self.w["escalate"])

    def footer(self, counts: dict[str, int], code: int) -> None:
        self.add()
        parts = [f"{counts.get(s, 0)} {self.w[s]}" for s in ("pass", "warn", "fail", "error", "skipped")]
        self.add(" · ".join(parts) + f"   ({self.w['exit']} {code})")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _wrap(text: str, n: int) -> list[str]:
    words, lines, line = one_line(text, 4000).split(" "), [], ""
    for word in words:
        if line and width(line) + 1 + width(word) > n:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines
