"""How long the local checks take at their caps (prints figures; not a test).

    cd /work/main && /work/venv/bin/python benchmarks/local_checks_speed.py

- logs.analyze parser on a 200,000-line log (the line cap) in the guide's format
- personalisation scoring of 10,000 account records (the record cap)
- the redaction pass over 1 MB of text with four secrets
- textsafe.clean over 1 MB of hostile control sequences
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from copycar_assist.checks import logparse
from copycar_assist.checks.accounts import assess, load_accounts
from copycar_assist.redact import Redactor
from copycar_assist.textsafe import clean


def timed(label: str, fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    print(f"{label:<48} {1000 * (time.perf_counter() - started):8.0f} ms")
    return result


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "calls.log"
        t0 = datetime(2025, 3, 1)
        with log.open("w") as fh:
            for i in range(logparse.MAX_LINES):
                t = t0 + timedelta(milliseconds=300 * i)
                status = 429 if i % 97 == 0 else 200
                fh.write(f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d} - copycar_ai - INFO - "
                         f"API Call: POST /generate - Status: {status} - Response Time: {100 + i % 900}ms\n")
        size = log.stat().st_size
        stats = timed(f"parse + stats, {logparse.MAX_LINES} lines ({size / 1e6:.1f} MB)", logparse.analyze_file, log)
        print(f"  calls={stats.calls} avg={stats.avg_ms:.0f} ms p95={stats.p95_ms:.0f} ms 429s={stats.rate_limited}")

        accounts = Path(tmp) / "accounts.json"
        rows = [{"company": f"C{i}", "contact_name": "Ana", "title": "CTO", "industry": "SaaS",
                 "employees": i, "properties": {"city": "Madrid", "notes": "x" * 50}} for i in range(10_000)]
        accounts.write_text(json.dumps(rows))
        data = timed("load 10,000 account records (JSON)", load_accounts, accounts)
        a = timed("score 10,000 account records", assess, data.records)
        print(f"  score={a.score:.2f}")

    secrets = ["sk-live-0123456789abcdef0123", "smtp-password-123456", "crm-token-abcdefabcdef", "redispw123456"]
    r = Redactor(secrets)
    text = ("GET /v2/verify 200 12 ms nothing secret here; " * 24_000)[:1_000_000]
    timed("redact 1 MB of ordinary text, 4 secrets", r, text)
    hostile = ("\x1b]52;c;AAAA" + "\x1b[31m" + "x" * 20) * 30_000
    timed("textsafe.clean 1 MB of escape sequences", clean, hostile)


if __name__ == "__main__":
    main()
