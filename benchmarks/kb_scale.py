"""How the knowledge base scales: synthetic knowledge bases of 10, 100, 1,000 and 10,000 entries
in the shipped format, and what each costs (prints a table; not a test).

    python benchmarks/kb_scale.py [--sizes 10,100,1000,10000] [--queries 200] [--keep DIR]

Size 10 is the shipped knowledge as it is. Larger sizes add copies of the shipped entries under
new ids (`<id>-s<n>`); every copy gets its own made-up word in its titles, aliases, keywords,
effects, questions and evidence (so its effects are its own, as lint demands, and the vocabulary
grows as a real help centre's does). The shipped data files (checks.toml …) come along.

For each size, each command runs in its own process (`python -m copycar_assist …`):

    kb lint       `kb lint DIR`
    kb list       `--kb DIR kb list`, the first command on the new knowledge (nothing cached)
    match         `--kb DIR match TEXT` (the first answer of the CLI), right after
    … again       the same two commands once more (what is cached is current)
    ready cold    load the knowledge and prepare the matcher the app's way, nothing cached
    ready warm    the same again, with the cache the cold run left
    cues warm     then the first query matched and the causes' cues read for its best entry
                  (what the conversation does next), in the warm run
    after an edit one entry's title changed: ready again, then `kb lint` (the author's loop)
    p50/p99 query per `Matcher.match` call over the queries of tests/data/match_real1.jsonl
    peak RSS      the largest of those processes or of their worker processes (ru_maxrss)

The cache goes to fresh directories per size (COPYCAR_ASSIST_CACHE), never the user's own;
"ready cold" gets one of its own, so it is cold whatever the commands before it cached.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
QUERIES = ROOT / "tests" / "data" / "match_real1.jsonl"
MATCH_TEXT = "la api me devuelve 401 unauthorized desde esta mañana"

# Keys whose strings are words people read or say (never ids, checks, outcomes or codes).
_WORDY = re.compile(r'^\s*(?:es|en|question\.(?:es|en)|evidence\.(?:es|en)|effects\.(?:es|en))\s*=')
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]


def made_up_word(n: int) -> str:
    """A word-like token of its own for copy n ("bafe", "kobiru" …)."""
    out = ""
    n += len(_SYLLABLES)  # at least two syllables
    while n:
        n, r = divmod(n, len(_SYLLABLES))
        out += _SYLLABLES[r]
    return out


def copy_entry(text: str, base_id: str, n: int) -> str:
    """The entry `text` as a new entry `<base>-s<n>` with its own word in every wordy string."""
    word = made_up_word(n)
    lines = text.splitlines()
    out, in_array = [], False
    for line in lines:
        if re.match(rf'^id\s*=\s*"{re.escape(base_id)}"', line):
            line = f'id = "{base_id}-s{n}"'
        elif in_array or _WORDY.match(line):
            line = _STRING.sub(lambda m: f'"{m.group(1)} {word}"', line)
            if "[" in line and "]" not in line:
                in_array = True
            elif in_array and "]" in line:
                in_array = False
        out.append(line)
    return "\n".join(out) + "\n"


def generate(size: int, folder: Path) -> None:
    """A knowledge dir of `size` entries (at least the shipped ones) in `folder`."""
    folder.mkdir(parents=True)
    for path in KNOWLEDGE.iterdir():
        if path.suffix in (".toml", ".md") and path.name != "README.md":
            shutil.copy(path, folder / path.name)
    bases = sorted(p for p in KNOWLEDGE.glob("*.md") if p.name != "README.md")
    texts = {p.stem: p.read_text(encoding="utf-8") for p in bases}
    for n in range(size - len(bases)):
        base = bases[n % len(bases)].stem
        (folder / f"{base}-s{n}.md").write_text(copy_entry(texts[base], base, n), encoding="utf-8")


PROBE = r'''
import json, resource, sys, time, runpy
t0 = time.perf_counter()
mode = sys.argv[1]
if mode == "cli":
    sys.argv = ["copycar-assist", *sys.argv[2:]]
    from copycar_assist.cli import main
    import io, contextlib
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main()
    result = {"exit": code}
else:
    kb_dir, queries = sys.argv[2], json.loads(sys.stdin.read())
    from benchmarks.kb_scale_ready import ready
    kb, matcher = ready(kb_dir)
    result = {"ready": time.perf_counter() - t0}
    # the conversation's next step: the causes' cues in the user's words for the entry matched
    from copycar_assist.matching.compiled import cues_for
    c0 = time.perf_counter()
    first = matcher.match(queries[0]) if queries else None
    if first is not None and first.matches:
        cues_for(kb).find(first.matches[0].id, queries[0])
    result["cues"] = time.perf_counter() - c0
    times = []
    for text in queries:
        q0 = time.perf_counter()
        matcher.match(text)
        times.append(time.perf_counter() - q0)
    times.sort()
    result["p50"] = times[len(times) // 2] * 1000 if times else 0
    result["p99"] = times[min(len(times) - 1, int(len(times) * 0.99))] * 1000 if times else 0
result["wall"] = time.perf_counter() - t0
result["rss"] = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
print("PROBE " + json.dumps(result))
'''


def probe_env(cache: Path, tmp: Path) -> dict[str, str]:
    """The environment of a probe: this checkout's code, the cache at `cache`, no settings."""
    env = {**os.environ, "COPYCAR_ASSIST_CACHE": str(cache), "PYTHONPATH": str(ROOT),
           "COPYCAR_ASSIST_CONFIG": str(tmp / "none.toml"), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("COPYCAR_ASSIST_NO_CACHE", None)
    return env


def probe(args: list[str], env: dict[str, str], stdin: str | None = None, script: str = PROBE) -> dict:
    """What `script` (run in a process of its own with `args`) printed on its "PROBE {json}" line,
    with the process's whole time; {"failed": True, …} when it printed none."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", script, *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, input=stdin)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("PROBE ")), None)
    if line is None:
        print(f"  ! {' '.join(args[:4])}: exit {proc.returncode}: {proc.stderr.strip()[-400:]}", file=sys.stderr)
        return {"process": time.perf_counter() - t0, "rss": 0.0, "failed": True}
    out = json.loads(line[6:])
    out["process"] = time.perf_counter() - t0  # interpreter start included
    return out


def measure(size: int, tmp: Path, queries: list[str]) -> dict:
    folder = tmp / f"kb{size}"
    cache = tmp / f"cache{size}"
    cache.mkdir(mode=0o700)
    generate(size, folder)
    env = probe_env(cache, tmp)
    row: dict = {"size": size}
    lint = probe(["cli", "kb", "lint", str(folder)], env)
    listed = probe(["cli", "--kb", str(folder), "kb", "list"], env)  # the first command: cold
    match = probe(["cli", "--kb", str(folder), "match", MATCH_TEXT], env)
    listed2 = probe(["cli", "--kb", str(folder), "kb", "list"], env)  # again: warm
    match2 = probe(["cli", "--kb", str(folder), "match", MATCH_TEXT], env)
    fresh = {**env, "COPYCAR_ASSIST_CACHE": str(cache) + "-ready"}
    cold = probe(["ready", str(folder)], fresh, json.dumps(queries))  # nothing cached
    warm = probe(["ready", str(folder)], fresh, json.dumps(queries))
    edited = next(p for p in sorted(folder.glob("*.md")) if p.name != "README.md")
    edited.write_text(re.sub(r'^(es = "[^"]*)"', r'\1 editado"', edited.read_text(encoding="utf-8"), count=1,
                             flags=re.M), encoding="utf-8")
    ready_edit = probe(["ready", str(folder)], fresh, json.dumps(queries[:1]))
    lint_edit = probe(["cli", "kb", "lint", str(folder)], fresh)
    row.update(lint=lint["process"], lint_exit=lint.get("exit"), list=listed["process"], match=match["process"],
               list2=listed2["process"], match2=match2["process"],
               cold=cold.get("ready", float("nan")), warm=warm.get("ready", float("nan")),
               cues=warm.get("cues", float("nan")),
               p50=warm.get("p50", float("nan")), p99=warm.get("p99", float("nan")),
               edit=ready_edit.get("ready", float("nan")), lint_edit=lint_edit["process"],
               rss=max(x["rss"] for x in (lint, listed, match, listed2, match2, cold, warm, ready_edit, lint_edit)),
               rss_ready=warm["rss"])
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10,100,1000,10000")
    ap.add_argument("--queries", type=int, default=200, help="how many queries for p50/p99")
    ap.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    lines = [json.loads(x) for x in QUERIES.read_text(encoding="utf-8").splitlines() if x.strip()]
    queries = [x["text"] for x in lines][: args.queries]
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kb-scale-"))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {len(queries)} queries; in {base}")
    print("| entries | `kb lint` | `kb list` | first `match` answer | `kb list` again | `match` again | ready cold "
          "| ready warm | cues warm | p50 query | p99 query | ready after an edit | `kb lint` after it | peak RSS (ready warm) "
          "| peak RSS (any) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    try:
        for size in sizes:
            r = measure(size, base, queries)
            print(f"| {size:,} | {r['lint']:.2f} s (exit {r['lint_exit']}) | {r['list']:.2f} s | {r['match']:.2f} s "
                  f"| {r['list2']:.2f} s | {r['match2']:.2f} s | {r['cold']:.2f} s | {r['warm']:.2f} s | {r['cues'] * 1000:.0f} ms | {r['p50']:.1f} ms | {r['p99']:.1f} ms "
                  f"| {r['edit']:.2f} s | {r['lint_edit']:.2f} s | {r['rss_ready']:.0f} MB | {r['rss']:.0f} MB |", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
