"""`doctor` and `diagnose` with the run history: every run is kept, compared with the last one
("new failure since the last run", "fixed since"), and known problems can be acknowledged.

    doctor --ack CHECK --until DATE --reason TEXT     acknowledge a known problem until DATE
    doctor --unack CHECK                              take an acknowledgement back

DATE is `YYYY-MM-DD` (through the end of that day, local time), `YYYY-MM-DDTHH:MM`, or a
duration from now: `30m`, `12h`, `7d` (at most a year). An acknowledged check keeps its status
in the output and the JSON (with `acknowledged`), and no longer makes the exit code non-zero.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from copycar_assist.i18n import status_change, t
from copycar_assist.redact import Scrub
from copycar_assist.textsafe import one_line

if TYPE_CHECKING:
    from copycar_assist.checks.runner import RunReport
    from copycar_assist.kb import KnowledgeBase
    from copycar_assist.runs.runquery import Ack, Changes
    from copycar_assist.runs.runstore import RunStore

MAX_ACK_S = 366 * 86400


def parse_until(text: str, now: float | None = None) -> float:
    """Epoch seconds for `--until`; a UsageError says what is wrong."""
    from copycar_assist.cli import UsageError

    now = time.time() if now is None else now
    text = text.strip()
    m = re.fullmatch(r"(\d{1,4})\s*([mhd])", text.lower())
    if m:
        at = now + int(m.group(1)) * {"m": 60, "h": 3600, "d": 86400}[m.group(2)]
    else:
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise UsageError("cli.doctor.until_format") from None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            when = when + timedelta(days=1)  # through the end of that day
        at = when.timestamp() if when.tzinfo else when.astimezone().timestamp()
    if at <= now:
        raise UsageError("cli.doctor.until_past")
    if at - now > MAX_ACK_S:
        raise UsageError("cli.doctor.until_far")
    return at


def until_text(at: float) -> str:
    return datetime.fromtimestamp(at).astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()


def open_store(lang: str, scrub: Scrub) -> RunStore:
    """The run history (doctor, diagnose, history, monitor); a problem with it is one line on stderr."""
    from copycar_assist.runs.runstore import RunStore
    from copycar_assist.support.history import data_dir

    store = RunStore.open(data_dir())
    if store.problem is not None:
        print(scrub(store.problem.message(lang)), file=sys.stderr)
    return store


def handle_ack(args: argparse.Namespace, kb: KnowledgeBase, lang: str, scrub: Scrub) -> int:
    """`--ack` / `--unack`: record or remove, print one line, exit 0 (3 on bad input). The reason
    is the user's text: it is scrubbed before it is kept."""
    from copycar_assist.cli import UsageError

    check = args.ack or args.unack
    if check not in kb.checks:
        raise UsageError("cli.doctor.unknown_check", check=repr(one_line(check, 60)), known=", ".join(kb.checks))
    store = open_store(lang, scrub)
    try:
        if args.unack:
            print(t("cli.doctor.ack_removed" if store.unack(check) else "cli.doctor.ack_missing", lang, check=check))
            return 0
        if not args.until or not (args.reason or "").strip():
            raise UsageError("cli.doctor.ack_needs")
        until = parse_until(args.until)
        reason = scrub(one_line(args.reason, 200))
        if not store.ack(check, until, reason):
            if store.disabled:
                raise UsageError("cli.doctor.ack_not_saved", detail=store.disabled)
            raise UsageError("cli.doctor.ack_no_history")
        print(scrub(t("cli.doctor.ack_saved", lang, check=check, until=until_text(until), reason=reason)))
        return 0
    finally:
        store.close()


def remember(store: RunStore, command: str, report: RunReport, base_url: str,
             entry_id: str | None) -> tuple[Changes, dict[str, Ack]]:
    """Keep the run; (what changed since the last run, the active acknowledgements)."""
    from copycar_assist.runs import runquery

    acks = runquery.active_acks(store)
    run_id = store.record_run(command, report.results, base_url=base_url, entry=entry_id,
                              duration_ms=report.duration_ms)
    return runquery.changes_since_last(store, run_id, report.results), acks


def changes_lines(changes: Changes, acks: dict[str, Ack], lang: str, kb: KnowledgeBase) -> list[str]:
    from copycar_assist.runs.runquery import ago

    def title(cid: str) -> str:
        return one_line(kb.check_title(cid, lang), 80)

    lines: list[str] = []
    if changes.previous_run is not None:
        lines.append(t("cli.doctor.since", lang, when=ago(time.time() - float(changes.previous_run["started"]), lang)))
        for c in changes.new_failures:
            lines.append(f"  ✗ {t('cli.doctor.new', lang)}: {title(c['check'])} ({status_change(c['was'], c['now'], lang)})")
        for c in changes.fixed:
            lines.append(f"  ✓ {t('cli.doctor.fixed', lang)}: {title(c['check'])} ({status_change(c['was'], c['now'], lang)})")
        if not changes.new_failures and not changes.fixed:
            lines.append(f"  {t('cli.doctor.unchanged', lang)}")
    for cid, ack in acks.items():
        lines.append(f"  ~ {title(cid)}: " + t("cli.doctor.acked", lang, until=until_text(ack.until), reason=ack.reason))
    return lines
