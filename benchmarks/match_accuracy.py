"""Accuracy of the symptom matcher on labelled utterances.

    python benchmarks/match_accuracy.py                 # dev split of tests/data + shared sample
    python benchmarks/match_accuracy.py --heldout       # also the held-out split (every 4th line)
    python benchmarks/match_accuracy.py --file X.jsonl  # any JSONL of {"text", "expect": id|null}
    python benchmarks/match_accuracy.py --cli           # go through `copycar-assist match --json -`
    python benchmarks/match_accuracy.py --baseline      # compare with bare rapidfuzz scorers
    python benchmarks/match_accuracy.py -v              # list the misses

Figures: top-1 (the confident answer `best` is the expected entry), top-1 by rank (the first
listed match, confident or not), top-3 (expected entry among the first three listed), confident
(in-scope queries that get a `best`), abstention (out-of-scope queries with `best` null).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LABELLED = ROOT / "tests" / "data" / "match_labelled.jsonl"
SAMPLE = ROOT.parent / "shared" / "eval" / "symptoms_sample.jsonl"
TARGETS = {"top1": 92.0, "top3": 98.0, "confident": 90.0, "abstain": 90.0}


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                sys.exit(f"{path}:{n}: not JSON ({exc.msg})")
            rows.append(row)
    return rows


def split(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(dev, held-out): every 4th line is held out."""
    return [r for i, r in enumerate(rows) if i % 4 != 3], [r for i, r in enumerate(rows) if i % 4 == 3]


def answers_inprocess(matcher, texts: list[str]) -> list[dict]:
    return [matcher.match(t, limit=5).to_json() for t in texts]


def answers_cli(texts: list[str], kb: str | None) -> list[dict]:
    cmd = [sys.executable, "-m", "copycar_assist"] + (["--kb", kb] if kb else []) + ["match", "--json", "-"]
    feed = "".join(" ".join(t.split()) + "\n" for t in texts)
    proc = subprocess.run(cmd, input=feed, capture_output=True, text=True, cwd=ROOT, check=False)
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 or len(lines) != len(texts):
        sys.exit(f"match --json - failed (exit {proc.returncode}, {len(lines)} lines for {len(texts)}):\n{proc.stderr}")
    return [json.loads(line) for line in lines]


def evaluate(rows: list[dict], answers: list[dict]) -> dict:
    n_in = n_out = top1 = rank1 = top3 = confident = abstain = 0
    misses = []
    for row, ans in zip(rows, answers):
        expect, ids = row.get("expect"), [m["id"] for m in ans["matches"]]
        if expect is None:
            n_out += 1
            abstain += ans["best"] is None
            if ans["best"] is not None:
                misses.append(("forced", row["text"], expect, ans))
            continue
        n_in += 1
        confident += ans["best"] is not None
        top1 += ans["best"] == expect
        rank1 += bool(ids) and ids[0] == expect
        top3 += expect in ids[:3]
        if ans["best"] != expect:
            misses.append(("abstained" if ans["best"] is None else "wrong", row["text"], expect, ans))
    pct = lambda a, b: 100.0 * a / b if b else float("nan")  # noqa: E731
    return {
        "n": len(rows), "in": n_in, "out": n_out,
        "top1": pct(top1, n_in), "rank1": pct(rank1, n_in), "top3": pct(top3, n_in),
        "confident": pct(confident, n_in), "abstain": pct(abstain, n_out), "misses": misses,
    }


def print_table(results: list[tuple[str, dict]]) -> None:
    head = f"{'set':<22}{'n':>5}{'in':>5}{'out':>5}{'top-1':>8}{'rank-1':>8}{'top-3':>8}{'confid.':>9}{'abstain':>9}"
    print(head)
    print("-" * len(head))
    for name, r in results:
        print(f"{name:<22}{r['n']:>5}{r['in']:>5}{r['out']:>5}{r['top1']:>8.1f}{r['rank1']:>8.1f}"
              f"{r['top3']:>8.1f}{r['confident']:>9.1f}{r['abstain']:>9.1f}")
    print(f"{'targets':<37}{TARGETS['top1']:>8.1f}{'':>8}{TARGETS['top3']:>8.1f}"
          f"{TARGETS['confident']:>9.1f}{TARGETS['abstain']:>9.1f}")


def print_misses(name: str, r: dict) -> None:
    for kind, text, expect, ans in r["misses"]:
        top = ", ".join(f"{m['id']}:{m['score']}" for m in ans["matches"][:3])
        print(f"  [{name}] {kind:<9} {text[:70]!r} expect={expect} -> {top or '-'}")


def baseline(kb, sets: list[tuple[str, list[dict]]], threshold: float) -> None:
    """Bare rapidfuzz scorers over the same phrases, best phrase per entry (for comparison)."""
    from rapidfuzz import fuzz, process

    from copycar_assist.matching.index import entry_phrases

    phrases, owner = [], []
    for entry in kb.entries.values():
        for kind, text, _lang in entry_phrases(entry):
            if kind != "explanation":
                phrases.append(text.lower())
                owner.append(entry.id)
    for scorer in (fuzz.WRatio, fuzz.token_set_ratio, fuzz.partial_ratio):
        results = []
        for name, rows in sets:
            answers = []
            for row in rows:
                best: dict[str, float] = {}
                for _, score, i in process.extract(row["text"].lower(), phrases, scorer=scorer, limit=60):
                    best[owner[i]] = max(best.get(owner[i], 0.0), score)
                ranked = sorted(best.items(), key=lambda kv: -kv[1])
                answers.append({"best": ranked[0][0] if ranked and ranked[0][1] >= threshold else None,
                                "matches": [{"id": i, "score": s} for i, s in ranked[:5]]})
            results.append((f"{scorer.__name__[:12]}:{name}"[:22], evaluate(rows, answers)))
        print_table(results)
        print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kb", help="knowledge directory (default: the shipped one)")
    ap.add_argument("--file", action="append", default=[], help="evaluate this JSONL file too")
    ap.add_argument("--heldout", action="store_true", help="also evaluate the held-out split")
    ap.add_argument("--cli", action="store_true", help="answer through `copycar-assist match --json -`")
    ap.add_argument("--baseline", action="store_true", help="also run bare rapidfuzz scorers")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    args = ap.parse_args(argv)

    from copycar_assist.kb import load_knowledge
    from copycar_assist.matching import Matcher

    kb = load_knowledge(args.kb)
    matcher = Matcher(kb)
    dev, held = split(read_jsonl(LABELLED))
    sets = [("labelled dev", dev)]
    if args.heldout:
        sets.append(("labelled held-out", held))
    if SAMPLE.exists():
        sets.append(("shared sample", read_jsonl(SAMPLE)))
    for f in args.file:
        sets.append((Path(f).name[:22], read_jsonl(Path(f))))

    results = []
    for name, rows in sets:
        texts = [r["text"] for r in rows]
        answers = answers_cli(texts, args.kb) if args.cli else answers_inprocess(matcher, texts)
        results.append((name, evaluate(rows, answers)))
    print(f"knowledge: {len(kb.entries)} entries; answers via {'match --json -' if args.cli else 'Matcher'}\n")
    print_table(results)
    if args.verbose:
        print()
        for name, r in results:
            print_misses(name, r)
    if args.baseline:
        print("\nbaselines (bare rapidfuzz over the same phrases, best phrase per entry, confident >= 80):")
        baseline(kb, sets, 80.0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
