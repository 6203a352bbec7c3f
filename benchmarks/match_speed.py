"""Speed of the symptom matcher: per-query latency (p50/p99) on the shipped knowledge and on a
synthetic knowledge base of 10,000 entries, next to a bare rapidfuzz `process.extract` (WRatio)
over the same phrase list; and on real tickets (long stories, pasted output) with 100 KB pastes
among them (a guide-format log, a prose dump without newlines, a traceback in a JSON-heavy dump).

    python benchmarks/match_speed.py [--entries 10000] [--rounds 3]

The matcher's typo cache is cleared before every timed query, so each one pays for its own
fuzzy look-ups (the worst case; in the TUI consecutive keystrokes share most words).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LABELLED = ROOT / "tests" / "data" / "match_labelled.jsonl"
TICKETS = ROOT / "tests" / "data" / "match_real1.jsonl"
SAMPLE = ROOT.parent / "shared" / "eval" / "symptoms_sample.jsonl"


def queries() -> list[str]:
    out = []
    for path in (LABELLED, SAMPLE):
        if path.exists():
            out += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def tickets() -> list[str]:
    if not TICKETS.exists():
        return []
    return [json.loads(line)["text"] for line in TICKETS.read_text(encoding="utf-8").splitlines() if line.strip()]


def big_pastes(size: int = 100_000, seed: int = 3) -> list[str]:
    """Three pastes of `size` characters: a guide-format log with a few errors, prose without a
    newline, and a dump of JSON lines ending in a traceback."""
    rng = random.Random(seed)
    log: list[str] = []
    while sum(len(x) + 1 for x in log) < size:
        ts = f"2024-06-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d},{rng.randint(0, 999):03d}"
        r = rng.random()
        if r < 0.9:
            log.append(f"{ts} - copycar_ai - INFO - API Call: GET /v2/campaigns/{rng.randint(1, 9999)} - Status: 200 - Response Time: {rng.randint(80, 900)}ms")
        elif r < 0.95:
            log.append(f"{ts} - copycar_ai - INFO - API Call: POST /v2/generate - Status: 429 - Response Time: {rng.randint(20, 60)}ms")
        else:
            log.append(f"{ts} - copycar_ai - ERROR - Error: RateLimitError - Message: Too many requests - Context: {{'worker': {rng.randint(1, 20)}}}")
    words = "the api is slow since monday our emails never arrive hola la clave no funciona y el cache redis falla".split()
    prose = " ".join(rng.choice(words) for _ in range(size // 5))[:size]
    dump: list[str] = []
    while sum(len(x) + 1 for x in dump) < size - 400:
        dump.append(json.dumps({"id": rng.randint(1, 10**6), "status": "completed", "tokens": rng.randint(100, 900),
                                "campaign": f"c{rng.randint(1, 99)}", "latency_ms": rng.randint(200, 2000)}))
    dump += ["Traceback (most recent call last):", '  File "/app/send.py", line 12, in <module>',
             "    server.login(user, password)",
             "smtplib.SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted')"]
    return ["\n".join(log)[:size], prose, "\n".join(dump)]


def synthetic_entries(kb, count: int, seed: int = 7) -> list:
    """`count` entries whose phrases mix the shipped knowledge's words with made-up ones."""
    from copycar_assist.kb.model import Cause, Entry, Section
    from copycar_assist.matching.index import entry_phrases

    rng = random.Random(seed)
    real = sorted({w for e in kb.entries.values() for _, text, _ in entry_phrases(e) for w in text.split() if w.isalpha()})
    syllables = ["ka", "lo", "mi", "te", "ran", "sor", "vel", "qui", "dra", "pen", "tul", "gos", "bri", "nax"]
    made_up = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(30000)})

    def phrase(n_min: int = 3, n_max: int = 7) -> str:
        return " ".join(rng.choice(real) if rng.random() < 0.5 else rng.choice(made_up)
                        for _ in range(rng.randint(n_min, n_max)))

    entries = []
    for i in range(count):
        causes = [Cause(f"c{j}", title={"es": phrase(), "en": phrase()}) for j in range(3)]
        entries.append(Entry(
            id=f"synthetic-{i:05d}", category="synthetic", severity="LOW",
            title={"es": phrase(2, 4), "en": phrase(2, 4)}, checks=[], causes=causes, outcomes={},
            aliases={"es": [phrase() for _ in range(6)], "en": [phrase() for _ in range(6)]},
            keywords={"es": [phrase(1, 2) for _ in range(4)], "en": [phrase(1, 2) for _ in range(4)],
                      "codes": [str(rng.choice([400, 401, 403, 404, 429, 500, 502, 503, 535]))]},
            sections={"es": Section(symptoms=[phrase() for _ in range(3)]),
                      "en": Section(symptoms=[phrase() for _ in range(3)])},
        ))
    return entries


def percentiles(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    return statistics.median(s), s[min(len(s) - 1, int(round(0.99 * (len(s) - 1))))]


def time_matcher(matcher, qs: list[str], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        for q in qs:
            matcher._fuzzy_cache.clear()
            t0 = time.perf_counter()
            matcher.match(q)
            out.append((time.perf_counter() - t0) * 1000)
    return out


def time_extract(phrases: list[str], qs: list[str], rounds: int) -> list[float]:
    from rapidfuzz import process

    out = []
    for _ in range(rounds):
        for q in qs:
            t0 = time.perf_counter()
            process.extract(q, phrases, limit=5)
            out.append((time.perf_counter() - t0) * 1000)
    return out


def phrase_list(entries) -> list[str]:
    from copycar_assist.matching.index import entry_phrases

    return [text for e in entries for kind, text, _ in entry_phrases(e) if kind != "explanation"]


def measure(name: str, entries: list, qs: list[str], rounds: int, bare_queries: int | None = None) -> None:
    from copycar_assist.matching import Matcher

    t0 = time.perf_counter()
    matcher = Matcher(entries)
    build_ms = (time.perf_counter() - t0) * 1000
    phrases = phrase_list(entries)
    for q in qs[:20]:  # warm up both
        matcher.match(q)
    ours = percentiles(time_matcher(matcher, qs, rounds))
    bare = percentiles(time_extract(phrases, qs[:bare_queries] if bare_queries else qs, rounds))
    print(f"{name:<18}{len(entries):>8}{len(phrases):>9}{build_ms:>10.0f}{ours[0]:>9.3f}{ours[1]:>9.3f}"
          f"{bare[0]:>9.3f}{bare[1]:>9.3f}{ours[0] / bare[0]:>8.2f}{ours[1] / bare[1]:>8.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kb", help="knowledge directory (default: the shipped one)")
    ap.add_argument("--entries", type=int, default=10_000, help="size of the synthetic knowledge base")
    ap.add_argument("--rounds", type=int, default=3, help="passes over the queries (shipped knowledge)")
    ap.add_argument("--bare-queries", type=int, default=40,
                    help="queries for the (slow) bare baseline on the synthetic knowledge")
    args = ap.parse_args(argv)

    from copycar_assist.kb import load_knowledge

    kb = load_knowledge(args.kb)
    qs = queries()
    print(f"{len(qs)} queries; times in ms per query; ratio = matcher / bare process.extract\n")
    print(f"{'knowledge':<18}{'entries':>8}{'phrases':>9}{'build':>10}{'p50':>9}{'p99':>9}"
          f"{'bare p50':>9}{'bare p99':>9}{'r p50':>8}{'r p99':>8}")
    measure("shipped", list(kb.entries.values()), qs, args.rounds)
    measure("synthetic", synthetic_entries(kb, args.entries), qs, 1, bare_queries=args.bare_queries)
    print("\ntargets: p99 <= 2 ms shipped, <= 50 ms at 10,000 entries, ratio <= 3")
    gc.collect()  # the synthetic knowledge's garbage is not the shipped matcher's to pay for
    real_tickets(kb, args.rounds)
    return 0


def real_tickets(kb, rounds: int) -> None:
    """Per-query latency on real tickets with 100 KB pastes among them (the shipped knowledge,
    the full `match` with its reading of the text, kinds and guide answers)."""
    from copycar_assist.matching import Matcher

    matcher = Matcher(kb)
    texts, pastes = tickets(), big_pastes()
    for q in (texts + pastes)[:20]:
        matcher.match(q)
    everything = percentiles(time_matcher(matcher, texts + pastes, rounds))
    big = percentiles(time_matcher(matcher, pastes, rounds * 10))
    print(f"\nreal tickets ({len(texts)}) and three 100 KB pastes, shipped knowledge, times in ms per query")
    print(f"{'queries':<28}{'p50':>9}{'p99':>9}")
    print(f"{'tickets + 100 KB pastes':<28}{everything[0]:>9.3f}{everything[1]:>9.3f}")
    print(f"{'100 KB pastes alone':<28}{big[0]:>9.3f}{big[1]:>9.3f}")
    print("target: p99 <= 5 ms per query, the parsing of a 100 KB paste included")


if __name__ == "__main__":
    raise SystemExit(main())
