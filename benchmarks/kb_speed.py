"""How long the knowledge base takes to load, lint and import (prints figures; not a test).

    python benchmarks/kb_speed.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import os

from copycar_assist.kb import DecisionTree, load_knowledge
from copycar_assist.kb.guide import read_guide
from copycar_assist.kb.importer import import_guide
from copycar_assist.kb.lint import lint

ROOT = Path(__file__).resolve().parents[1]
# The CopyCar.ai guide lives beside the checkout (../shared/seeds); without it, our own test guide.
GUIDE = Path(os.environ.get("COPYCAR_GUIDE", ROOT.parent / "shared" / "seeds" / "000_d2d4a49131a1c015.txt"))
if not GUIDE.is_file():
    GUIDE = ROOT / "tests" / "data" / "guides" / "billing-guide.md"


def timed(label: str, fn, runs: int = 20) -> None:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    print(f"{label:<34} median {statistics.median(samples):7.2f} ms   max {max(samples):7.2f} ms   ({runs} runs)")


def main() -> None:
    kb = load_knowledge()
    print(f"shipped knowledge: {len(kb.entries)} entries, {sum(len(e.causes) for e in kb.entries.values())} causes")
    timed("load_knowledge()", load_knowledge)
    timed("lint()", lint)
    timed("DecisionTree(kb).outline('es')", lambda: DecisionTree(kb).outline("es"))
    text = GUIDE.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        timed(f"import_guide({GUIDE.name[:14]})", lambda: import_guide(text, tmp, overwrite=True))
        timed("load_knowledge(imported)", lambda: load_knowledge(tmp))
    # hostile guides: once 78 s and RecursionError (nested fences), 109 s (50,000 headings)
    nested = "# E\n\n## Error: X\n\n" + "```markdown\nSYMPTOMS:\n- a\n" * 800 + "```\n" * 800
    headings = "".join(f"## Heading {n}\n\ntext\n\n" for n in range(50_000))
    timed(f"read_guide(800 nested fences, {len(nested) // 1024} KB)", lambda: read_guide(nested), runs=3)
    timed(f"read_guide(50,000 headings, {len(headings) // 1024} KB)", lambda: read_guide(headings), runs=3)


if __name__ == "__main__":
    main()
