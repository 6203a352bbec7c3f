"""What `monitor` prints: status lines, alerts and deliveries, as text or one JSON object a line.

    12:00:05  http://127.0.0.1:8080/v2  p95 3 ms · avg 2 ms · ok 100% · errors 0% · 12/min · 60 samples · usual 3 ms
    12:01:10  ▲ HIGH_ERROR_RATE (CRITICAL) on http://127.0.0.1:8080/v2: error rate 33%, threshold 5%, …
              ✉ email: sent — oncall@example.com

Every line goes through the writers' one scrub (`redact.make_scrubber`) and is cleaned of
control characters before it is written; on a terminal it is then wrapped to its width, under
the time.
"""

from __future__ import annotations

import json
import re
import sys
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from copycar_assist.i18n import t
from copycar_assist.monitor.rules import fmt
from copycar_assist.redact import Scrub, scrub_obj
from copycar_assist.textsafe import clean_obj, one_line

from .columns import columns_of, hang

if TYPE_CHECKING:
    from copycar_assist.monitor.engine import Delivered, Monitor, Note
    from copycar_assist.monitor.rules import AlertEvent


_CLOCK = re.compile(r"\d\d:\d\d:\d\d ")  # a line's time, and the space after it


def clock_text(at: float) -> str:
    return datetime.fromtimestamp(at).strftime("%H:%M:%S")


class LinePrinter:
    def __init__(self, lang: str, scrub: Scrub, *, as_json: bool = False, stream: TextIO | None = None) -> None:
        self.lang, self.scrub, self.as_json = lang, scrub, as_json
        self.stream = stream or sys.stdout
        self.columns = None if as_json else columns_of(self.stream)  # a terminal's width: lines wrap to it

    def _line(self, text: str) -> None:
        text = self.scrub(one_line(text, 2000))  # scrubbed before it is wrapped: a secret is never split
        lead = text[:9] if _CLOCK.match(text) else ""
        self.stream.write("\n".join(hang(lead, text[len(lead):], self.columns)) + "\n")
        self.stream.flush()

    def _json(self, obj: dict[str, Any]) -> None:
        self.stream.write(json.dumps(clean_obj(scrub_obj(obj, self.scrub)), ensure_ascii=False, default=str) + "\n")
        self.stream.flush()

    def info(self, text: str) -> None:
        if self.as_json:
            self._json({"type": "info", "text": text})
        else:
            self._line(text)

    def start(self, mon: Monitor) -> None:
        text = t("cli.monitor.start", self.lang, n=len(mon.targets), interval=mon.interval_s, window=mon.window_s)
        if mon.settings.api.key is not None:
            text += " " + t("cli.monitor.verify", self.lang, every=mon.budget.every_s) + "."
        self.info(text)

    def note(self, text: str, note: Note) -> None:
        if self.as_json:
            self._json({"type": "note", "key": note.key, "text": text})
        else:
            self._line(f"{clock_text(time.time())}  · {text}")

    def status(self, snapshot: dict[str, Any]) -> None:
        if self.as_json:
            self._json({"type": "status", **snapshot})
            return
        lang = self.lang
        avg, ok, errors = t("cli.monitor.avg", lang), t("cli.monitor.ok", lang), t("cli.monitor.errors", lang)
        samples, usual_word = t("cli.monitor.samples", lang), t("cli.monitor.usual", lang)
        for x in snapshot["targets"]:
            usual = f" · {usual_word} {fmt('response_time_ms', x['usual_p95_ms'], lang)}" if x.get("usual_p95_ms") else ""
            rate = f" · {x['requests_per_min']:.0f}/min" if x.get("requests_per_min") else ""
            self._line(f"{clock_text(snapshot['at'])}  {x['target']}  p95 {fmt('response_time_ms', x['p95_ms'], lang)}"
                       f" · {avg} {fmt('response_time_ms', x['avg_ms'], lang)} · {ok} "
                       f"{fmt('success_rate', x['success_rate'], lang)} · {errors} {fmt('error_rate', x['error_rate'], lang)}"
                       f"{rate} · {x['samples']} {samples}{usual}")

    def alert(self, event: AlertEvent) -> None:
        if self.as_json:
            self._json({"type": "alert", **event.to_json()})
            return
        mark = "▼" if event.state == "cleared" else "▲"
        self._line(f"{clock_text(event.at)}  {mark} {event.message(self.lang)}")

    def delivered(self, ev: Delivered) -> None:
        if self.as_json:
            self._json({"type": "delivered", "alert": ev.event.type, "state": ev.event.state,
                        "deliveries": {d.channel: d.to_json() for d in ev.deliveries}})
            return
        for d in ev.deliveries:
            if d.state == "not_configured":
                continue
            mark = "✉" if d.state == "sent" else "✗"
            self._line(f"          {mark} {d.channel}: {d.state}" + (f" — {d.detail}" if d.detail else ""))
