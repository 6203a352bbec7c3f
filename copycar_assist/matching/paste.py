"""Pasted material, line by line: what was pasted and where in it the failure is.

Recognised: Python tracebacks (requests, httpx, smtplib, redis …), the guide's log format
(`asctime - name - LEVEL - message`, with its `Error: … - Message: …` and `API Call: … - Status:
… - Response Time: …` messages), HTTP status lines and headers, `curl -v` and `curl -w` output,
SMTP replies and bounces with enhanced codes, e-mail headers, JSON bodies and Python dicts,
`key=value` lines, metrics exports, CSV, shell and REPL prompts.

Each line becomes weighted stretches: the failure (an exception line, an `error` /
`failure_reason` / `message` field, a status line, an SMTP reply) weighs most; the structure
(frames, timestamps, field names, ordinary headers, the command that was run) weighs little.
Numbers a guide threshold applies to (response times, error and success rates, throughput,
personalisation scores; `reading.toml` names them) become readings: a 14 s time to first byte
reads as slowness, a 0.03 s connect time as nothing.

Pure and linear in the text; never evaluates or fetches anything it reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

# The patterns are compiled on first use: a command that never reads a text never pays for them,
# and one that reads prose only compiles the few prose needs.


def _lazy(source: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """The pattern, compiled the first time it is asked for (then kept)."""
    return cache(lambda: re.compile(source, flags))


# One anchored match per line tells its kind (a line matching none is prose).
_kind_re = _lazy(
    r"(?P<trace>\s*Traceback \(most recent call last\))"
    r"|(?P<frame>\s+File \"[^\"]*\", line \d+)"
    r"|(?P<log>\s*\[?\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d)?(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\]?\s)"
    r"|(?P<http>\s*<?\s*HTTP/\d(?:\.\d)?\s+\d{3}\b)"
    r"|(?P<curlerr>\s*curl:\s*\(\d+\))"
    r"|(?P<curlinfo>\s*\*\s)"
    r"|(?P<request>\s*>\s)"
    r"|(?P<response>\s*<\s)"
    r"|(?P<repl>\s*(?:>>>|\.\.\.)\s?)"
    r"|(?P<shell>\s*(?:\$|PS [^>]{0,80}>|[\w.-]+@[\w.-]+:\S*\$)\s)"
    r"|(?P<rediscli>\s*[\w.-]+:\d+>\s?)"
    r"|(?P<smtp>\s*[245]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\b)"
    r"|(?P<header>\s*(?:From|To|Cc|Subject|Date|Return-Path|Received|Delivered-To|Message-ID|Reply-To|"
    r"Final-Recipient|Original-Recipient|Reporting-MTA|Action|Status|Diagnostic-Code|Remote-MTA|"
    r"Content-Type|X-[\w-]+|Retry-After|WWW-Authenticate|Server|Connection|Content-Length):\s)"
    r"|(?P<exc>\s*(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Timeout|Refused|Failure|Failed|Warning|Exit)"
    r"(?::\s|:?$))"
    r"|(?P<json>\s*[\[{])"
    r"|(?P<metric>\s*[a-zA-Z_:][\w:]*(?:\{[^}]*\})?\s+-?\d[\d.eE+-]*\s*$)",
    re.IGNORECASE)
# These kinds are case-sensitive in practice: an exception name starts with a capital.
_exc_name_re = _lazy(r"\s*((?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Timeout|Refused|Failure|Failed|Warning|Exit))(?::\s?|$)")
_log_level_re = _lazy(r"\b(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)\b\s*(?:-\s*|:\s*|\]\s*)?")
_guide_error_re = _lazy(r"Error:\s*(?P<type>[^-]*?)\s+-\s+Message:\s*(?P<msg>.*?)(?:\s+-\s+Context:\s*(?P<ctx>.*))?$")
_guide_call_re = _lazy(r"API Call:\s*(?P<call>.*?)\s+-\s+Status:\s*(?P<status>\d{3})(?:\s+-\s+Response Time:\s*(?P<ms>[\d.]+)\s*ms)?")
_guide_perf_re = _lazy(r"Performance:\s*(?P<metric>[\w.]+)\s*=\s*(?P<value>[\d.]+)\s*-\s*Status:\s*(?P<status>\w+)")
_enhanced_re = _lazy(r"(?<![\d.])[245]\.\d{1,3}\.\d{1,3}(?![\d.])")
_failing_status_re = _lazy(r"(?<![\d.])[45]\d\d(?![\d.])")
# key: value and key=value pairs (JSON, dict reprs, logfmt, curl -w); the value up to the
# next separator, a quoted value whole.
_pair_re = _lazy(
    r"""(?P<q>["']?)(?P<key>[A-Za-z_][\w.-]{0,60})(?P=q)\s*(?:=|:(?!//))\s*"""
    r"""(?P<value>"(?:[^"\\\n]|\\.){0,2000}"|'(?:[^'\\\n]|\\.){0,2000}'|[^,;{}\[\]\s"']+(?:\s*(?:ms|s)\b)?)""")
_number_re = _lazy(r"-?\d+(?:\.\d+)?")
_measure_re = _lazy(r"-?\d+(?:\.\d+)?\s*(?:ms|s|%)?")
_quoted_reply_re = _lazy(r"""["'][^"'\n]{0,40}?(?<![\d.])[245]\d\d[ -][245]\.\d{1,3}\.\d{1,3}[^"'\n]{0,300}["']""")
_curl_words_re = _lazy(
    r"problem|error|fail|refused|timed out|timeout|could not|couldn't|unable|denied|expired|"
    r"reset|closing connection|not found|unknown|no route|unreachable", re.IGNORECASE)


# How long something took, said in prose: "8 to 12 seconds", "15 seg por texto", "10s per call",
# "about 7.5 s each"; a number or a range and a unit of time.
_prose_duration_re = _lazy(
    r"(?<![\w.,:])(?P<a>\d{1,6}(?:[.,]\d+)?)(?:\s*(?:-|–|a|to|o|or|y|and|hasta)\s*(?P<b>\d{1,6}(?:[.,]\d+)?))?"
    r"\s*(?P<unit>ms|milisegundos?|milliseconds?|s|segs?|segundos?|secs?|seconds?)(?![\w])", re.IGNORECASE)
# A line about one of these says how long to wait, when something gave up or what should have
# warned: its durations are not how long calls take.
_about_waiting_re = _lazy(r"retr(?:y|ies)|reintent|timeout|time-?out|timed out|tiempo de espera|alert|alarm|aviso|avisar|"
                          r"espera|wait|throttl|cooldown|ttl|expir|caduc|cache|cach[eé]", re.IGNORECASE)
# A duration right after one of these is a wait, a retry or a period, not how long a call took.
_not_a_call_re = _lazy(
    r"(?<![\w])(?:retry|retries|reintent\w*|wait\w*|espera\w*|after|despu[eé]s de|every|cada|each|per|por|durante|for|"
    r"timeout|time-?out|ttl|expire\w*|caduca\w*|within|dentro de|antes de|before|hace|ago|the|los|las)\s*(?:of\s*|de\s*)?"
    r"(?:unos?|unas?|about|around|some|like|como|sobre)?\s*$", re.IGNORECASE)

_SECONDS_KEYS = ("time_", "namelookup", "connect", "appconnect", "pretransfer", "starttransfer", "ttfb", "total", "redirect")


@dataclass(frozen=True)
class Metric:
    names: tuple[str, ...]
    threshold: float
    unit: str  # ms | fraction | count
    above: str | None
    below: str | None


@dataclass(frozen=True)
class Signal:
    """A reading past a guide threshold: words for the matcher, and the pasted text it comes from."""

    words: str
    quote: str


Span = tuple[int, int, float]  # (start, end, weight) within a line


@dataclass
class LineReading:
    kind: str  # prose | trace | frame | log | http | … (the _KIND group), "code" for frame code
    spans: list[Span]
    signals: list[Signal]


class PasteReader:
    """Prepared once (weights, failure keys, metrics with the knowledge's thresholds)."""

    def __init__(self, weights: dict[str, float], paste: Mapping[str, Any], thresholds: Mapping[str, float]) -> None:
        """`paste`: the [paste] table of `reading.toml` (failure keys and headers, metrics);
        `thresholds`: the guide's, by name (first read when a pasted number is: `metrics`)."""
        self.w = weights
        self.failure_keys = frozenset(_key(k) for k in paste.get("failure_keys", ()))
        self.failure_headers = frozenset(h.lower() for h in paste.get("failure_headers", ()))
        self._metric_specs = paste.get("metrics", ())
        self._thresholds = thresholds

    @cached_property
    def metrics(self) -> list[Metric]:
        """The metrics the guide has a threshold for (made on the first pasted number, so that a
        text without one never needs the thresholds: the compiled matcher reads them then)."""
        thresholds = self._thresholds
        return [Metric(tuple(_key(n) for n in m["names"]), float(thresholds[m["threshold"]]), m.get("unit", "count"),
                       m.get("above"), m.get("below"))
                for m in self._metric_specs if m.get("threshold") in thresholds]

    def kind(self, line: str) -> str | None:
        """The kind of pasted line this is, or None for prose."""
        m = _kind_re().match(line)
        if m is None:
            return None
        kind = m.lastgroup or ""
        if kind == "exc" and not _exc_name_re().match(line):
            return None
        if kind == "metric" and not any(c in line for c in "_{:"):
            return None  # "hola 3" is prose
        return kind

    def read(self, line: str, kind: str, state: dict[str, object]) -> LineReading:
        w = self.w
        noise, context, failure = w["paste_noise"], w["paste_context"], w["paste_failure"]
        n = len(line)
        out = LineReading(kind, [], [])
        spans = out.spans
        if kind in ("trace", "frame", "shell", "request"):
            spans.append((0, n, noise))
        elif kind == "code":  # the source line under a traceback frame
            spans.append((0, n, noise))
        elif kind == "repl":
            spans.append((0, n, noise))
            self._pairs(line, 0, spans, out.signals, noise)
        elif kind == "curlinfo":
            spans.append((0, n, failure if _curl_words_re().search(line) else noise))
        elif kind in ("curlerr", "exc", "smtp"):
            spans.append((0, n, failure))
        elif kind == "http" or (kind == "response" and "HTTP/" in line):
            status = _failing_status_re().search(line)
            spans.append((0, n, failure if status else context))
        elif kind in ("header", "response"):
            name, _, value = line.lstrip(" <").partition(":")
            name = name.strip().lower()
            # The subject names which e-mail it is (an alert, a campaign): read it as prose.
            weight = failure if name in self.failure_headers or _enhanced_re().search(value) else (
                self.w["neutral"] if name == "subject" else noise)
            spans.append((0, n, weight))
        elif kind == "rediscli":
            spans.append((0, n, context))
        elif kind == "log":
            self._log(line, spans, out.signals)
        elif kind in ("json", "metric"):
            spans.append((0, n, noise))
            self._pairs(line, 0, spans, out.signals, context)
            if kind == "metric":
                self._metric_line(line, out.signals)
        return out

    # -- pieces -------------------------------------------------------------------------

    def _log(self, line: str, spans: list[Span], signals: list[Signal]) -> None:
        w = self.w
        level = _log_level_re().search(line)
        start = level.end() if level else 0
        spans.append((0, start, w["paste_noise"]))  # timestamp, logger name, level
        rest = line[start:]
        bad = level is not None and level.group(1) in ("ERROR", "CRITICAL", "FATAL", "WARNING", "WARN")
        m = _guide_error_re().search(rest)
        if m:
            for part, weight in (("type", w["paste_failure"]), ("msg", w["paste_failure"]), ("ctx", w["paste_noise"])):
                if m.group(part):
                    spans.append((start + m.start(part), start + m.end(part), weight))
            if m.group("ctx"):
                self._pairs(line, start + m.start("ctx"), [], signals, 0.0)
            return
        m = _guide_call_re().search(rest)
        if m:
            # The endpoint says which feature was called (…/integrations/hubspot/sync); a failing
            # status says what happened, though less than an ERROR line beside it would.
            status = int(m.group("status"))
            spans.append((start, start + m.start("status"), w["paste_context"]))
            spans.append((start + m.start("status"), start + m.end("status"),
                          w["paste_status"] if status >= 400 else w["paste_noise"]))
            if m.group("ms"):
                spans.append((start + m.end("status"), len(line), w["paste_noise"]))
                self._reading("response_time_ms", m.group("ms"), "ms", " ".join(line[start:].split())[:80], signals)
            return
        m = _guide_perf_re().search(rest)
        if m:
            spans.append((start, len(line), w["paste_context"]))
            self._reading(m.group("metric"), m.group("value"), "", " ".join(line[start:].split())[:80], signals)
            return
        spans.append((start, len(line), w["paste_failure"] if bad else w["paste_context"]))
        self._pairs(line, start, [], signals, 0.0)

    def _pairs(self, line: str, offset: int, spans: list[Span], signals: list[Signal], other: float) -> None:
        """Key/value pairs from `offset`: a failure key's value weighs as a failure, a key name
        and an ordinary value as `other`; numbers are read against the thresholds."""
        failure = self.w["paste_failure"]
        noise = self.w["paste_noise"]
        for m in _pair_re().finditer(line, offset):
            key = _key(m.group("key"))
            last = key.rsplit(".", 1)[-1].rsplit("_", 1)[-1]
            telling = key.rsplit(".", 1)[-1] in self.failure_keys or last in self.failure_keys
            spans.append((m.start("key"), m.end("key"), min(other, noise * 2)))
            vs, ve = m.start("value"), m.end("value")
            value = m.group("value").strip("\"'")
            number = _measure_re().fullmatch(value) is not None
            # A number says something only under a telling key ("status": 403), never as a
            # count or an id ("generated": 500 is not a server error).
            spans.append((vs, ve, failure if telling else (noise if number else other)))
            if number:
                self._reading(key, value, "", " ".join(m.group(0).split())[:80], signals)
        for m in _quoted_reply_re().finditer(line, offset):  # an SMTP reply quoted anywhere in a body
            spans.append((m.start(), m.end(), failure))

    def prose_durations(self, line: str) -> list[Signal]:
        """A call's duration said in prose past the response-time threshold ("each request takes
        8 to 12 seconds"): the longest one said, as a reading of the response time. Waits,
        retries, periods and timeouts ("retry after 30 s", "every 5 seconds") are not."""
        longest, quote = 0.0, ""
        found = list(_prose_duration_re().finditer(line))
        if not found or _about_waiting_re().search(line):
            return []
        for m in found:
            if _not_a_call_re().search(line, max(0, m.start() - 24), m.start()):
                continue
            unit = m.group("unit").lower()
            if unit == "s" and m.start("unit") == m.end("a") and not m.group("b") and m.group("a").isdigit() \
                    and len(m.group("a")) == 3:
                continue  # "502s", "429s": status codes said in the plural
            scale = 1.0 if unit == "ms" or unit.startswith("mil") else 1000.0
            value = max(float(n.replace(",", ".")) for n in (m.group("a"), m.group("b")) if n) * scale
            if value > longest:
                longest, quote = value, " ".join(line[max(0, m.start() - 30):m.end()].split())[-80:]
        out: list[Signal] = []
        if longest:
            self._reading("response_time_ms", str(longest), "ms", quote, out)
        return out

    def _metric_line(self, line: str, signals: list[Signal]) -> None:
        name, _, value = line.strip().rpartition(" ")
        self._reading(name.split("{", 1)[0], value, "", " ".join(line.split())[:80], signals)

    def _reading(self, key: str, raw: str, unit_hint: str, quote: str, signals: list[Signal]) -> None:
        """A number past the threshold of the metric `key` names becomes a signal."""
        key = _key(key)
        number = _number_re().match(raw.strip())
        if not number:
            return
        value = float(number.group())
        suffix = raw.strip()[number.end():].strip().lower()
        for metric in self.metrics:
            if not any(name in key for name in metric.names):
                continue
            if metric.unit == "ms" and _in_seconds(key, suffix, unit_hint, value):
                value *= 1000.0
            elif metric.unit == "fraction" and value > 1.0:
                value /= 100.0
            if metric.above and value > metric.threshold:
                signals.append(Signal(metric.above, quote))
            elif metric.below and value < metric.threshold and value >= 0:
                signals.append(Signal(metric.below, quote))
            return


def _in_seconds(key: str, suffix: str, unit_hint: str, value: float) -> bool:
    """Whether a duration is given in seconds: said so, or a curl timing, or a bare small number
    (a response time of "7.4" is seconds; of "6120" milliseconds)."""
    if suffix == "ms" or unit_hint == "ms" or key.endswith("_ms") or "_ms_" in key:
        return False
    if suffix == "s" or key.startswith(_SECONDS_KEYS) or key.endswith(_SECONDS_KEYS):
        return True
    return value < 100


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "_", name.lower()).strip("_")
