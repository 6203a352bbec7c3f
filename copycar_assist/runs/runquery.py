"""Reading the run history: runs, what changed since the last run, acknowledgements, the usual
latency of a base URL, and the one sentence the chat says about a check's past.

Pure reads over `RunStore.read` (an unusable store gives empty answers). Times are epoch
seconds; "ago" phrases come from `i18n` (`ago.*`). Nothing here writes.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, Protocol

from copycar_assist.i18n import t
from copycar_assist.textsafe import one_line

from .runstore import RunStore

BAD = ("fail", "warn", "error")
BASELINE_DAYS = 30
BASELINE_ROWS = 30


@dataclass(frozen=True)
class Ack:
    check_id: str
    until: float
    reason: str

    def to_json(self) -> dict[str, Any]:
        from datetime import datetime

        return {"until": datetime.fromtimestamp(self.until, UTC).isoformat(timespec="seconds"),
                "reason": self.reason}


@dataclass(frozen=True)
class Baseline:
    """The usual latency of one base URL: medians over earlier observations."""

    target: str
    p95_ms: float
    avg_ms: float | None
    observations: int
    oldest: float  # epoch of the oldest observation used


@dataclass
class Changes:
    """What changed since the previous run that ran the same checks."""

    previous_run: dict[str, Any] | None = None
    new_failures: list[dict[str, Any]] = field(default_factory=list)  # {"check", "was", "now", "summary"}
    fixed: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"previous_run": self.previous_run, "new_failures": self.new_failures, "fixed": self.fixed}


def ago(seconds: float, lang: str) -> str:
    """'5 minutes ago', 'hace 2 horas' …"""
    s = max(0.0, seconds)
    for limit, unit, size in ((90, "seconds", 1), (3570, "minutes", 60), (36 * 3600, "hours", 3600),
                              (float("inf"), "days", 86400)):
        if s < limit:
            n = max(1, round(s / size))
            return t(f"ago.{unit}", lang, n=n)
    return ""  # pragma: no cover - the last limit is infinite


def active_acks(store: RunStore, now: float | None = None) -> dict[str, Ack]:
    when = store.clock() if now is None else now
    rows = store.read("SELECT check_id, until, reason FROM acks WHERE until > ?", (when,))
    return {r["check_id"]: Ack(r["check_id"], float(r["until"]), one_line(r["reason"] or "", 200)) for r in rows}


def runs(store: RunStore, *, limit: int = 20, kind: str | None = None) -> list[dict[str, Any]]:
    """Runs newest first: id, kind, started, duration_ms, base_url, entry, summary (counts)."""
    where, params = ("WHERE kind = ?", [kind]) if kind else ("", [])
    rows = store.read(f"SELECT id, kind, started, duration_ms, base_url, entry, summary FROM runs {where} "
                      "ORDER BY started DESC, id DESC LIMIT ?", (*params, int(limit)))
    for r in rows:
        r["summary"] = _loads(r.get("summary"))
    return rows


def results_of(store: RunStore, run_id: int) -> list[dict[str, Any]]:
    rows = store.read("SELECT check_id, status, outcome, summary, duration_ms, entry, cause FROM results "
                      "WHERE run_id = ? ORDER BY rowid", (run_id,))
    return rows


class RunResult(Protocol):
    """What is compared of a result: a `CheckResult`, or a result row read back from the history."""

    @property
    def id(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def summary(self) -> str: ...


def changes_since_last(store: RunStore, run_id: int | None, results: Sequence[RunResult]) -> Changes:
    """New failures and fixes of `results` (this run) against each check's previous result."""
    out = Changes()
    if run_id is None:
        return out
    ids = [r.id for r in results]
    if not ids:
        return out
    marks = ",".join("?" * len(ids))
    rows = store.read(  # runs against the same set-up only: another base URL, or another demo world, is not "before"
        f"SELECT r.check_id, r.status, r.summary, r.run_id, runs.started, runs.kind FROM results r "
        f"JOIN runs ON runs.id = r.run_id WHERE r.check_id IN ({marks}) AND r.run_id < ? "
        f"AND runs.base_url IS (SELECT base_url FROM runs WHERE id = ?) "
        f"ORDER BY r.run_id DESC", (*ids, run_id, run_id))
    last: dict[str, dict[str, Any]] = {}
    for row in rows:
        last.setdefault(row["check_id"], row)
    if last:
        newest = max(last.values(), key=lambda row: row["run_id"])
        out.previous_run = {"id": newest["run_id"], "kind": newest["kind"], "started": newest["started"]}
    for r in results:
        before = last.get(r.id)
        if before is None or r.status in ("skipped",) or before["status"] == "skipped":
            continue
        was_bad, is_bad = before["status"] in BAD, r.status in BAD
        item = {"check": r.id, "was": before["status"], "now": r.status, "at": before["started"]}
        if is_bad and not was_bad:
            out.new_failures.append({**item, "summary": one_line(r.summary, 200)})
        elif was_bad and not is_bad:
            out.fixed.append({**item, "summary": one_line(before["summary"] or "", 200)})
    return out


def baseline(store: RunStore, target: str, now: float | None = None) -> Baseline | None:
    """The usual p95 of `target`: the median of its last usual observations (monitor windows and
    latency checks with no latency problem) of the last 30 days; None when there are none."""
    when = store.clock() if now is None else now
    rows = store.read("SELECT at, p95_ms, avg_ms FROM latency WHERE target = ? AND usual = 1 AND at > ? "
                      "AND p95_ms IS NOT NULL ORDER BY at DESC LIMIT ?",
                      (target, when - BASELINE_DAYS * 86400, BASELINE_ROWS))
    if not rows:
        return None
    p95 = statistics.median(float(r["p95_ms"]) for r in rows)
    avgs = [float(r["avg_ms"]) for r in rows if r["avg_ms"] is not None]
    return Baseline(target, p95, statistics.median(avgs) if avgs else None, len(rows), min(r["at"] for r in rows))


def latency_change(store: RunStore, target: str, lang: str, now: float | None = None) -> str | None:
    """'p95 0.3 s → 1.5 s since yesterday' for a base URL: its latest observation against the
    one about a day before (else the one before it)."""
    when = store.clock() if now is None else now
    rows = store.read("SELECT at, p95_ms FROM latency WHERE target = ? AND p95_ms IS NOT NULL "
                      "ORDER BY at DESC LIMIT 1", (target,))
    if not rows:
        return None
    latest = rows[0]
    day = store.read("SELECT at, p95_ms FROM latency WHERE target = ? AND p95_ms IS NOT NULL AND at <= ? "
                     "ORDER BY at DESC LIMIT 1", (target, latest["at"] - 20 * 3600))
    before = day or store.read("SELECT at, p95_ms FROM latency WHERE target = ? AND p95_ms IS NOT NULL "
                               "AND at < ? ORDER BY at DESC LIMIT 1", (target, latest["at"]))
    if not before:
        return None
    since = t("ago.yesterday", lang) if day else t("ago.since", lang, when=ago(when - before[0]["at"], lang))
    return t("history.p95_change", lang, before=seconds_text(before[0]["p95_ms"]),
             now=seconds_text(latest["p95_ms"]), since=since)


def seconds_text(ms: float | None) -> str:
    if ms is None:
        return "–"
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def last_result(store: RunStore, check_id: str, *, before: float | None = None,
                base_url: str | None = None) -> dict[str, Any] | None:
    """The most recent stored result of a check (from a doctor or diagnose run); with `base_url`,
    of a run against that set-up only."""
    where = " AND runs.base_url = ?" if base_url is not None else ""
    rows = store.read("SELECT r.status, r.outcome, r.summary, runs.started FROM results r JOIN runs "
                      f"ON runs.id = r.run_id WHERE r.check_id = ? AND runs.started < ?{where} "
                      "ORDER BY runs.started DESC LIMIT 1",
                      (check_id, store.clock() + 1 if before is None else before,
                       *((base_url,) if base_url is not None else ())))
    return rows[0] if rows else None


def previous_note(store: RunStore | None, check_id: str, status: str, lang: str,
                  now: float | None = None, base_url: str | None = None) -> str | None:
    """The chat's one sentence about a check's past when it differs from now: 'this check passed
    an hour ago'. None when there is no store, no earlier result against the same set-up (its
    base URL as `checks.urls.target_key` names it: one name for every demo world), or
    the same status."""
    if store is None or base_url is None:
        return None
    when = store.clock() if now is None else now
    before = last_result(store, check_id, before=when, base_url=base_url)
    if before is None or before["status"] == status or before["status"] == "skipped":
        return None
    return t("history.previously", lang, was=t(f"history.was.{before['status']}", lang),
             when=ago(when - float(before["started"]), lang))


def recent_alerts(store: RunStore, *, limit: int = 20) -> list[dict[str, Any]]:
    rows = store.read("SELECT id, target, type, severity, state, at, value, threshold, message, delivery "
                      "FROM alerts ORDER BY at DESC, id DESC LIMIT ?", (int(limit),))
    for r in rows:
        r["delivery"] = _loads(r.get("delivery"))
    return rows


def _loads(text: Any) -> Any:
    if not isinstance(text, str):
        return {}
    try:
        return json.loads(text)
    except ValueError:
        return {}
