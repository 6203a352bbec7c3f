"""`copycar-assist history`: the runs kept in the data directory, and how they compare.

    history [--json] [--limit N] [--kind doctor|diagnose|monitor|monitor-once]

Shows the runs newest first; what changed in the newest doctor/diagnose run against each
check's previous result ("new failure since the last run", "fixed since"); each base URL's p95
now against a day before ("p95 0.3 s → 1.5 s since yesterday"); the latest alerts with how their
delivery went; the acknowledgements in force. Reads only.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from copycar_assist.textsafe import one_line

from .streams import emit_json

if TYPE_CHECKING:
    from copycar_assist.kb.model import CheckSpec
    from copycar_assist.runs.runstore import RunStore


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("history", help="cli.help.history", description="cli.help.history.about")
    p.add_argument("--json", action="store_true", help="cli.help.json_doc")
    p.add_argument("--limit", type=int, default=10, metavar="N", help="cli.help.history.limit")
    p.add_argument("--kind", choices=("doctor", "diagnose", "monitor", "monitor-once"), help="cli.help.history.kind")
    p.add_argument("--lang", choices=("es", "en"), default=argparse.SUPPRESS, help="cli.help.lang_text")
    p.set_defaults(handler=history)


@dataclass
class _Result:
    id: str
    status: str
    summary: str


def _stamp(at: float) -> str:
    return datetime.fromtimestamp(float(at)).strftime("%Y-%m-%d %H:%M")


def collect(store: RunStore, limit: int, kind: str | None, lang: str) -> dict[str, Any]:
    from copycar_assist.runs import runquery

    runs = runquery.runs(store, limit=limit, kind=kind)
    checked = next((r for r in runquery.runs(store, limit=50) if r["kind"] in ("doctor", "diagnose")), None)
    changes = None
    if checked is not None:
        rows = runquery.results_of(store, checked["id"])
        results = [_Result(r["check_id"], r["status"], r["summary"] or "") for r in rows]
        changes = runquery.changes_since_last(store, checked["id"], results).to_json()
        changes["run"] = checked["id"]
    targets = [r["target"] for r in store.read("SELECT DISTINCT target FROM latency ORDER BY target LIMIT 20")]
    latency = []
    for target in targets:
        text = runquery.latency_change(store, target, lang)
        base = runquery.baseline(store, target)
        latency.append({"target": target, "change": text, "usual_p95_ms": base.p95_ms if base else None,
                        "usual_from": base.observations if base else 0})
    acks = runquery.active_acks(store)
    return {"schema_version": 1, "database": str(store.path), "runs": runs, "changes": changes, "latency": latency,
            "alerts": runquery.recent_alerts(store, limit=10),
            "acknowledged": [{"check": cid, **a.to_json()} for cid, a in acks.items()]}


def history(args: argparse.Namespace) -> int:
    from copycar_assist.cli import UsageError
    from copycar_assist.redact import make_scrubber, scrub_obj

    from .doctor_history import open_store

    if not 1 <= args.limit <= 1000:
        raise UsageError("cli.history.limit")
    settings = args.ctx.settings
    lang = args.ctx.ui_lang
    scrub = make_scrubber(settings)  # the writers' one scrub
    store = open_store(lang, scrub)
    try:
        doc = collect(store, args.limit, args.kind, lang)
    finally:
        store.close()
    if args.json:
        emit_json(scrub_obj(doc, scrub), indent=2)
        return 0
    from .columns import columns_of, fit

    text, columns = scrub(render(doc, lang, args.ctx.checks)), columns_of(sys.stdout)
    # on a terminal, each line wrapped under its indentation (once scrubbed: a secret is never split)
    sys.stdout.write(fit(text.rstrip("\n"), columns) + "\n" if columns else text)
    return 0


def render(doc: dict[str, Any], lang: str, checks: dict[str, CheckSpec]) -> str:
    from copycar_assist.i18n import status_change, status_counts, t
    from copycar_assist.kb import check_title
    from copycar_assist.runs.runquery import ago

    out: list[str] = []

    def title(cid: str) -> str:
        return one_line(check_title(checks, cid, lang), 80)

    if not doc["runs"]:
        out.append(t("cli.history.none", lang))
    else:
        out.append(t("cli.history.runs", lang))
        for r in doc["runs"]:
            counts = r.get("summary") or {}
            if "state" in counts or "requests" in counts:
                what = one_line(str(counts.get("state") or ", ".join(counts.get("alerts_firing") or []) or "OK"), 80)
            else:
                known = {k: v for k, v in counts.items() if isinstance(v, int)}
                what = f"{sum(known.values())} {t('cli.history.checks', lang)}: " + status_counts(known, lang)
            entry = f" {r['entry']}" if r.get("entry") else ""
            out.append(f"  {_stamp(r['started'])}  {r['kind']:<12}{entry}  {what}  {one_line(r.get('base_url') or '', 120)}")
    ch = doc.get("changes")
    if ch and ch.get("previous_run"):
        out += ["", t("cli.history.changes", lang)]
        for c in ch["new_failures"]:
            out.append(f"  ✗ {t('cli.history.new', lang)}: {title(c['check'])} ({status_change(c['was'], c['now'], lang)}) — {one_line(c.get('summary', ''), 160)}")
        for c in ch["fixed"]:
            out.append(f"  ✓ {t('cli.history.fixed', lang)}: {title(c['check'])} ({status_change(c['was'], c['now'], lang)})")
        if not ch["new_failures"] and not ch["fixed"]:
            out.append(f"  {t('cli.history.same', lang)}")
    lat = [x for x in doc["latency"] if x["change"]]
    if lat:
        out += ["", t("cli.history.latency", lang)]
        out += [f"  {one_line(x['target'], 120)}: {x['change']}" for x in lat]
    if doc["alerts"]:
        out += ["", t("cli.history.alerts", lang)]
        for a in doc["alerts"]:
            mark = "▼" if a["state"] == "cleared" else "▲"
            sent = ", ".join(f"{k}: {v.get('state')}" for k, v in (a.get("delivery") or {}).items()
                             if isinstance(v, dict) and v.get("state") != "not_configured")
            out.append(f"  {_stamp(a['at'])} {mark} {a['type']} ({a['severity']}) {one_line(a['target'], 100)} "
                       f"{ago(time.time() - float(a['at']), lang)}" + (f" — {sent}" if sent else ""))
    if doc["acknowledged"]:
        out += ["", t("cli.history.acks", lang)]
        out += [f"  {title(a['check'])}: {t('cli.history.until', lang)} {a['until']} — {one_line(a['reason'], 200)}"
                for a in doc["acknowledged"]]
    return "\n".join(out) + "\n"
