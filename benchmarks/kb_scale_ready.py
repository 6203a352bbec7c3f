"""`ready(dir)`: a matcher over the knowledge at `dir`, made the way the app and the CLI make it
(for benchmarks/kb_scale.py)."""

from __future__ import annotations


def ready(kb_dir: str):
    from copycar_assist.kb.store import load_cached
    from copycar_assist.matching.companion import MATCHER
    from copycar_assist.matching.compiled import matcher_for

    return matcher_for(load_cached(kb_dir, companion=MATCHER))
