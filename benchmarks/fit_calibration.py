"""Fit the matcher's calibrated confidence on the project's own labelled sets and store it as
data (`copycar_assist/matching/data/calibration.toml`).

    python benchmarks/fit_calibration.py [--write] [--target 0.9] [--margin 0.03] [FILE.jsonl ...]

Default sets: every tests/data/match_*.jsonl. Each line gives the text and the expected entry
(null when out of scope). For each text of kind "problem" the matcher's features (calibration.py)
are read and the label is whether the first listed entry is the expected one. A logistic
regression (L2, Newton's method; no third-party library) is fitted; 5-fold cross-validation
(repeated 4 times, averaged) gives out-of-fold probabilities, from which:

- the reliability curve (predicted probability vs how often the first entry was right);
- the thresholds, one per text length (≤60, ≤200, ≤600, >600 characters): the cut that answers
  most (a wrong answer costing `--cost` right ones) while that length keeps a precision of at
  least target + margin out of fold and leaves `--abstain` of its out-of-scope texts unanswered;
- the near-tie rule: when the runner-up scores at least `ambiguous_ratio` of the top score the
  matcher asks instead of answering.

Without --write it only prints what it would store.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "copycar_assist" / "matching" / "data" / "calibration.toml"
BUCKETS = ((0, 60), (61, 200), (201, 600), (601, 10**9))
L2 = 1.0
FOLDS = 5
REPEATS = 4
SLACK = 2.0  # cuts within this much of the best objective count as equally good: the lowest is taken


def bucket(n: int) -> str:
    for lo, hi in BUCKETS:
        if lo <= n <= hi:
            return f"{lo}-{hi}" if hi < 10**9 else f">{lo - 1}"
    return "?"


def rows_of(paths: list[Path]) -> list[dict]:
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                row["_set"] = path.name
                rows.append(row)
    return rows


def observe(matcher, rows: list[dict]) -> list[tuple[dict, int, dict]]:
    """(features, label, row) for the rows the matcher takes for a problem report."""
    from copycar_assist.matching.calibration import features
    from copycar_assist.matching.text import tokenize

    out = []
    for row in rows:
        text = row["text"]
        reading = matcher.read(text)
        kind, _ = matcher._kind(text, reading, "en")
        if kind != "problem":
            continue
        tokens = tokenize(reading.text)
        ranked = matcher._score(reading.text, tokens, [t.word for t in tokens], 2, reading.weight_at)
        if not ranked:
            continue
        prose = sum(reading.roles.values())
        share = reading.roles.get("failure", 0) / prose if prose else 1.0
        f = features(ranked, len(tokens), reading.pasted_lines > 0, share)
        label = int(row.get("expect") is not None and matcher.index.ids[ranked[0].n] == row["expect"])
        second = matcher.index.ids[ranked[1].n] if len(ranked) > 1 else None
        out.append((f, label, {**row, "_second_right": second == row.get("expect"),
                               "_scores": (ranked[0].score, ranked[1].score if len(ranked) > 1 else 0.0)}))
    return out


def fit(xs: list[list[float]], ys: list[int], l2: float = L2, iters: int = 50) -> list[float]:
    """L2-regularised logistic regression by Newton's method (the bias, last, is not penalised)."""
    d = len(xs[0])
    w = [0.0] * d
    for _ in range(iters):
        grad = [0.0] * d
        hess = [[0.0] * d for _ in range(d)]
        for x, y in zip(xs, ys):
            z = max(-30.0, min(30.0, sum(wi * xi for wi, xi in zip(w, x))))
            p = 1.0 / (1.0 + math.exp(-z))
            g, h = p - y, p * (1.0 - p)
            for i in range(d):
                grad[i] += g * x[i]
                hi = h * x[i]
                for j in range(d):
                    hess[i][j] += hi * x[j]
        for i in range(d - 1):
            grad[i] += l2 * w[i]
            hess[i][i] += l2
        step = solve(hess, grad)
        w = [wi - si for wi, si in zip(w, step)]
        if max(abs(s) for s in step) < 1e-8:
            break
    return w


def solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (a small dense system)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        if abs(m[c][c]) < 1e-12:
            m[c][c] = 1e-12
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            for k in range(c, n + 1):
                m[r][k] -= f * m[c][k]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][k] * x[k] for k in range(r + 1, n))) / m[r][r]
    return x


def prob(w: list[float], x: list[float]) -> float:
    z = max(-30.0, min(30.0, sum(wi * xi for wi, xi in zip(w, x))))
    return 1.0 / (1.0 + math.exp(-z))


def reliability(ps: list[float], ys: list[int], bins: int = 10) -> list[tuple[str, int, float, float]]:
    out = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, p in enumerate(ps) if lo <= p < hi or (b == bins - 1 and p == 1.0)]
        if idx:
            out.append((f"{lo:.1f}-{hi:.1f}", len(idx), sum(ps[i] for i in idx) / len(idx),
                        sum(ys[i] for i in idx) / len(idx)))
    return out


def choose_thresholds(ps: list[float], ys: list[int], lengths: list[int], target: float,
                      floor: float, cost: float, outside: list[bool], abstain: float) -> list[tuple[int, float]]:
    """Per length bucket, the probability cut that answers most (right answers minus `cost`
    times wrong ones) among those that keep precision ≥ target and leave `abstain` of the
    bucket's out-of-scope texts unanswered; (upper length, threshold) pairs."""
    out: list[tuple[int, float]] = []
    grid = [i / 200 for i in range(int(floor * 200), 200)]
    for lo, hi in BUCKETS:
        idx = [i for i in range(len(ps)) if lo <= lengths[i] <= hi]

        oos = [i for i in idx if outside[i]]

        def precise(u: float) -> bool:
            sel = [ys[i] for i in idx if ps[i] >= u]
            kept = [i for i in oos if ps[i] < u]
            return (not sel or sum(sel) / len(sel) >= target) and (not oos or len(kept) / len(oos) >= abstain)

        values = {}
        for t in grid:
            if precise(t):
                sel = [ys[i] for i in idx if ps[i] >= t]
                values[t] = sum(sel) - cost * (len(sel) - sum(sel))
        # The objective is flat over a range of cuts: take the lowest within SLACK of the best.
        chosen = min((t for t, v in values.items() if v >= max(values.values()) - SLACK), default=0.995)
        out.append((hi, chosen))
    return out


def threshold_for(thresholds: list[tuple[int, float]], length: int) -> float:
    return next(t for hi, t in thresholds if length <= hi)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--write", action="store_true", help=f"store the fit in {OUT.relative_to(ROOT)}")
    ap.add_argument("--target", type=float, default=0.90, help="precision every length must keep")
    ap.add_argument("--margin", type=float, default=0.03, help="added to the target out of fold")
    ap.add_argument("--floor", type=float, default=0.5, help="no threshold below this probability")
    ap.add_argument("--cost", type=float, default=3.0, help="one confidently wrong answer costs this many right ones")
    ap.add_argument("--abstain", type=float, default=0.90,
                    help="share of out-of-scope texts (of kind problem) every length must leave unanswered")
    ap.add_argument("--ambiguous-ratio", type=float, default=0.95)
    ap.add_argument("--ambiguous-floor", type=float, default=20.0)
    args = ap.parse_args(argv)

    from copycar_assist.kb import load_knowledge
    from copycar_assist.matching import Matcher
    from copycar_assist.matching.calibration import FEATURES, Calibration

    files = args.files or sorted((ROOT / "tests" / "data").glob("match_*.jsonl"))
    matcher = Matcher(load_knowledge(), calibration=Calibration({}, ((-1, 2.0),), 1.0, 100.0))
    data = observe(matcher, rows_of(files))
    xs = [[f[name] for name in FEATURES] for f, _, _ in data]
    ys = [y for _, y, _ in data]
    lengths = [len(r["text"]) for _, _, r in data]
    print(f"{len(data)} texts of kind problem from {', '.join(p.name for p in files)}; "
          f"first entry right in {100.0 * sum(ys) / len(ys):.1f} %")

    oof = [0.0] * len(data)
    for seed in range(REPEATS):  # repeated, so that one split's luck does not move the cut-offs
        order = list(range(len(data)))
        random.Random(10 + seed).shuffle(order)
        for k in range(FOLDS):
            test = set(order[k::FOLDS])
            w = fit([xs[i] for i in order if i not in test], [ys[i] for i in order if i not in test])
            for i in test:
                oof[i] += prob(w, xs[i]) / REPEATS
    w = fit(xs, ys)
    # A near tie never answers, whatever its probability: the cut-offs are chosen on the rest.
    ties = [r["_scores"][1] >= args.ambiguous_floor and r["_scores"][1] >= args.ambiguous_ratio * r["_scores"][0]
            for _, _, r in data]
    curve = reliability(oof, ys)
    oof = [0.0 if tie else p for p, tie in zip(oof, ties)]
    outside = [r.get("expect") is None for _, _, r in data]
    thresholds = choose_thresholds(oof, ys, lengths, args.target + args.margin, args.floor, args.cost,
                                   outside, args.abstain)

    print("\nreliability (out of fold): predicted probability vs first entry right")
    print(f"  {'bin':<9}{'n':>5}{'predicted':>11}{'observed':>10}")
    for name, n, pred, obs in curve:
        print(f"  {name:<9}{n:>5}{pred:>11.2f}{obs:>10.2f}")
    print(f"\nthresholds (precision ≥ {args.target + args.margin:.2f} in every length, out of fold)")
    print(f"  {'length':<10}{'n':>5}{'threshold':>10}{'answered':>10}{'precision':>11}")
    for (lo, hi), (_, t) in zip(BUCKETS, thresholds):
        idx = [i for i in range(len(data)) if lo <= lengths[i] <= hi]
        sel = [ys[i] for i in idx if oof[i] >= t]
        prec = f"{100.0 * sum(sel) / len(sel):.1f}" if sel else "–"
        print(f"  {bucket(lo):<10}{len(idx):>5}{t:>10.3f}{len(sel):>10}{prec:>11}")
    print("\nper set, out of fold: confident and right / confidently wrong (% of the set's texts of kind problem)")
    for name in sorted({r["_set"] for _, _, r in data}):
        idx = [i for i, (_, _, r) in enumerate(data) if r["_set"] == name]
        ans = [i for i in idx if oof[i] >= threshold_for(thresholds, lengths[i])]
        right = sum(ys[i] for i in ans)
        print(f"  {name:<22}{len(idx):>5}{100.0 * right / len(idx):>8.1f}{100.0 * (len(ans) - right) / len(idx):>8.1f}")
    near = [(r, y) for (f, y, r) in data if r["_scores"][1] >= args.ambiguous_ratio * r["_scores"][0]
            and r["_scores"][1] >= args.ambiguous_floor]
    if near:
        in_two = sum(1 for r, y in near if y or r["_second_right"])
        print(f"\nnear ties (runner-up ≥ {args.ambiguous_ratio:.2f} × top, ≥ {args.ambiguous_floor:.0f}): {len(near)}, "
              f"first right {100.0 * sum(y for _, y in near) / len(near):.1f} %, one of the two right "
              f"{100.0 * in_two / len(near):.1f} %: they ask")
    print("\nweights:", ", ".join(f"{n}={v:+.3f}" for n, v in zip(FEATURES, w)))
    if args.write:
        lines = ["# Written by benchmarks/fit_calibration.py from " + ", ".join(p.name for p in files) + ":",
                 "# do not edit by hand, run it again.",
                 "# thresholds: [longest text in characters, probability from which the matcher answers]",
                 "thresholds = [" + ", ".join(f"[{hi if hi < 10**9 else -1}, {t:.3f}]" for hi, t in thresholds) + "]",
                 f"ambiguous_ratio = {args.ambiguous_ratio}",
                 f"ambiguous_floor = {args.ambiguous_floor}",
                 "", "[weights]"]
        lines += [f"{n} = {v:.6f}" for n, v in zip(FEATURES, w)]
        from copycar_assist.files.write import write_text

        write_text(OUT, "\n".join(lines) + "\n")
        print(f"\nwrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
