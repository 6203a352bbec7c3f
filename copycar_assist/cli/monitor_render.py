"""What `monitor` prints: status lines, alerts and deliveries, as text or one JSON object a line.

    12:00:05  http://127.0.0.1:8080/v2  p95 3 ms · avg 2 ms · ok 100% · errors 0% · 12/min · 60 samples · usual 3 ms
    12:01:10  ▲ HIGH_ERROR_RATE (CRITICAL) on http://127.0.0.1:8080/v2: error rate 33%, threshold 5%, …
              ✉ email: sent — oncall@example.com

Every line is redacted and cleaned of control characters before it is written.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from typing import Any

from copycar_assist.monitor.rules import fmt
from copycar_assist.textsafe import clean_obj, one_line

WORDS = {
    "en": {"avg": "avg", "ok": "ok", "errors": "errors", "samples": "samples", "usual": "usual",
           "start": "Monitoring {n} endpoint(s) every {interval:g} s, window {window:g} s; Ctrl+C stops.",
           "verify": "GET /verify at most every {every:g} s"},
    "es": {"avg": "media", "ok": "éxito", "errors": "errores", "samples": "muestras", "usual": "habitual",
           "start": "Vigilando {n} endpoint(s) cada {interval:g} s, ventana de {window:g} s; Ctrl+C para.",
           "verify": "GET /verify como mucho cada {every:g} s"},
}


def clock_text(at: float) -> str:
    return datetime.fromtimestamp(at).strftime("%H:%M:%S")


class LinePrinter:
    def __init__(self, lang: str, redact, *, as_json: bool = False, stream=None):
        self.lang, self.redact, self.as_json = lang, redact, as_json
        self.w = WORDS.get(lang, WORDS["en"])
        self.stream = stream or sys.stdout

    def _line(self, text: str) -> None:
        self.stream.write(self.redact(one_line(text, 2000)) + "\n")
        self.stream.flush()

    def _json(self, obj: dict[str, Any]) -> None:
        self.stream.write(json.dumps(clean_obj(self.redact.redact_obj(obj)), ensure_ascii=False, default=str) + "\n")
        self.stream.flush()

    def info(self, text: str) -> None:
        if self.as_json:
            self._json({"type": "info", "text": text})
        else:
            self._line(text)

    def start(self, mon) -> None:
        text = self.w["start"].format(n=len(mon.targets), interval=mon.interval_s, window=mon.window_s)
        if mon.settings.api.key is not None:
            text += " " + self.w["verify"].format(every=mon.budget.every_s) + "."
        self.info(text)

    def note(self, text: str, note) -> None:
        if self.as_json:
            self._json({"type": "note", "key": note.key, "text": text})
        else:
            self._line(f"{clock_text(time.time())}  · {text}")

    def status(self, snapshot: dict[str, Any]) -> None:
        if self.as_json:
            self._json({"type": "status", **snapshot})
            return
        w = self.w
        for t in snapshot["targets"]:
            usual = f" · {w['usual']} {fmt('response_time_ms', t['usual_p95_ms'])}" if t.get("usual_p95_ms") else ""
            rate = f" · {t['requests_per_min']:.0f}/min" if t.get("requests_per_min") else ""
            self._line(f"{clock_text(snapshot['at'])}  {t['target']}  p95 {fmt('response_time_ms', t['p95_ms'])}"
                       f" · {w['avg']} {fmt('response_time_ms', t['avg_ms'])} · {w['ok']} "
                       f"{fmt('success_rate', t['success_rate'])} · {w['errors']} {fmt('error_rate', t['error_rate'])}"
                       f"{rate} · {t['samples']} {w['samples']}{usual}")

    def alert(self, event) -> None:
        if self.as_json:
            self._json({"type": "alert", **event.to_json()})
            return
        mark = "▼" if event.state == "cleared" else "▲"
        self._line(f"{clock_text(event.at)}  {mark} {event.message(self.lang)}")

    def delivered(self, ev) -> None:
        if self.as_json:
            self._json({"type": "delivered", "alert": ev.event.type, "state": ev.event.state,
                        "deliveries": {d.channel: d.to_json() for d in ev.deliveries}})
            return
        for d in ev.deliveries:
            if d.state == "not_configured":
                continue
            mark = "✉" if d.state == "sent" else "✗"
            self._line(f"          {mark} {d.channel}: {d.state}" + (f" — {d.detail}" if d.detail else ""))
