"""`ready(dir)`: the knowledge at `dir`, loaded the way the app loads it, and a matcher over it
(for benchmarks/kb_scale.py)."""

from __future__ import annotations


def ready(kb_dir: str):
    from copycar_assist.matching import Matcher
    from copycar_assist.tui.kb_cache import load_cached

    return Matcher(load_cached(kb_dir))
