"""How well `match` understands real tickets: long stories, pasted output, colloquial and indirect
descriptions, out-of-scope requests and questions about the guide (issue 10's figures).

    python benchmarks/match_tickets.py tests/data/match_real1.jsonl [--cli] [-v]

Each line: {"text", "expect": id|null, "style", "lang", "kind", "answer_contains"?}. Figures,
over all lines and per style:
- confident and right: `best` is the expected entry (in-scope lines);
- listed first: the first listed match is the expected entry, confident or not (in-scope);
- top-3: the expected entry among the first three listed (in-scope);
- out of scope handled: `best` is null, or the line was taken for a question about the guide
  (`kind` question with an `answer`) or a request to hand off (`kind` request/greeting);
- guide answers right: for questions, the answer holds every `answer_contains` piece;
- confidently wrong: `best` is set and is not the expected entry (all lines).

Then the reliability curve of the calibrated `confidence` (how likely the first listed entry is
the right one) against how often it was, over the lines taken for a problem report, and the
precision of the confident answers at each text length.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGETS = {"right": 80.0, "first": 90.0, "top3": 97.0, "oos": 90.0, "wrong": 3.0}


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def answers(rows: list[dict], cli: bool) -> list[dict]:
    if cli:
        cmd = [sys.executable, "-m", "copycar_assist", "match", "--json", "-"]
        feed = "".join(json.dumps({"text": r["text"]}) + "\n" for r in rows)
        proc = subprocess.run(cmd, input=feed, capture_output=True, text=True, cwd=ROOT, check=False)
        out = [json.loads(line) for line in proc.stdout.splitlines()]
        if len(out) != len(rows):
            sys.exit(f"match --json - gave {len(out)} answers for {len(rows)} lines:\n{proc.stderr}")
        return out
    from copycar_assist.kb import load_knowledge
    from copycar_assist.matching import Matcher

    matcher = Matcher(load_knowledge())
    return [matcher.match(r["text"], limit=5).to_json() for r in rows]


def judge(row: dict, ans: dict) -> dict[str, bool | None]:
    expect = row.get("expect")
    listed = [m["id"] for m in ans.get("matches", [])]
    kind = ans.get("kind", "problem")
    out: dict[str, bool | None] = {"right": None, "first": None, "top3": None, "oos": None, "answer": None}
    if expect:
        out["right"] = ans.get("best") == expect
        out["first"] = bool(listed) and listed[0] == expect
        out["top3"] = expect in listed[:3]
    else:
        handled = ans.get("best") is None or kind in ("question", "request", "greeting")
        out["oos"] = handled
    if row.get("kind") == "question" and row.get("answer_contains"):
        text = ((ans.get("answer") or {}).get("text") or "").lower()
        out["answer"] = all(piece.lower() in text for piece in row["answer_contains"])
    best = ans.get("best")
    out["wrong"] = best is not None and best != expect
    return out


LENGTHS = ((0, 60), (61, 200), (201, 600), (601, 10**9))


def reliability(rows: list[dict], ans: list[dict]) -> None:
    pairs = []
    for row, a in zip(rows, ans):
        if a.get("kind", "problem") != "problem" or a.get("confidence") is None or not a.get("matches"):
            continue
        pairs.append((float(a["confidence"]), a["matches"][0]["id"] == row.get("expect"), len(row["text"]), a))
    if not pairs:
        return
    print(f"\nreliability ({len(pairs)} lines taken for a problem report): confidence vs first entry right")
    print(f"  {'confidence':<12}{'n':>5}{'mean':>8}{'right':>8}")
    for b in range(10):
        lo, hi = b / 10, (b + 1) / 10
        sel = [(p, ok) for p, ok, _, _ in pairs if lo <= p < hi or (b == 9 and p >= 1.0)]
        if sel:
            print(f"  {lo:.1f}-{hi:.1f}{'':<5}{len(sel):>5}{sum(p for p, _ in sel) / len(sel):>8.2f}"
                  f"{sum(ok for _, ok in sel) / len(sel):>8.2f}")
    print("precision of confident answers by text length (characters)")
    for lo, hi in LENGTHS:
        sel = [a["best"] == a["matches"][0]["id"] and ok for p, ok, n, a in pairs if lo <= n <= hi and a.get("best")]
        name = f"{lo}-{hi}" if hi < 10**9 else f">{lo - 1}"
        total = sum(1 for _, _, n, _ in pairs if lo <= n <= hi)
        print(f"  {name:<10}{total:>5} lines, {len(sel):>4} answered, precision {pct(sel)}")


def pct(values: list[bool]) -> str:
    return f"{100.0 * sum(values) / len(values):5.1f}" if values else "    –"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", type=Path)
    ap.add_argument("--cli", action="store_true", help="go through `copycar-assist match --json -`")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    args = ap.parse_args()
    rows = read(args.file)
    ans = answers(rows, args.cli)
    results = [judge(r, a) for r, a in zip(rows, ans)]
    groups: dict[str, list[int]] = defaultdict(list)
    for n, r in enumerate(rows):
        groups["all"].append(n)
        groups[r.get("style", "?")].append(n)
    head = f"{'set':<16}{'n':>5}  {'right':>6} {'first':>6} {'top-3':>6} {'oos':>6} {'answer':>6} {'wrong':>6}"
    print(head)
    print("-" * len(head))
    for name, idx in groups.items():
        cols = [[results[i][k] for i in idx if results[i][k] is not None] for k in ("right", "first", "top3", "oos", "answer", "wrong")]
        print(f"{name:<16}{len(idx):>5}  " + " ".join(f"{pct(c):>6}" for c in cols))
    print(f"targets: right ≥ {TARGETS['right']}, first ≥ {TARGETS['first']}, top-3 ≥ {TARGETS['top3']}, "
          f"out of scope handled ≥ {TARGETS['oos']}, confidently wrong ≤ {TARGETS['wrong']}")
    reliability(rows, ans)
    if args.verbose:
        for r, res, a in zip(rows, results, ans):
            if res["right"] is False or res["oos"] is False or res["wrong"] or res["answer"] is False:
                listed = [(m["id"], m["score"]) for m in a.get("matches", [])[:3]]
                print(f"- [{r.get('style')}] expect={r.get('expect')} best={a.get('best')} kind={a.get('kind')} "
                      f"{listed} :: {' '.join(r['text'].split())[:140]}")


if __name__ == "__main__":
    main()
