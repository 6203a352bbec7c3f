"""`ready(dir)`: the knowledge at `dir` and a matcher over it, made the way the app makes them:
the CLI context's `load_kb` in a thread (a large knowledge base not compiled yet is compiled by
a command of its own, which can fork workers), then the matcher from the compiled index, its
guide answerer made as the app makes it (for benchmarks/kb_scale.py)."""

from __future__ import annotations

import threading


def ready(kb_dir: str) -> tuple:
    from copycar_assist.cli import build_parser
    from copycar_assist.cli.context import Context
    from copycar_assist.matching.compiled import prepared_matcher

    box: dict = {}
    with Context(build_parser().parse_args(["--kb", kb_dir, "kb", "list"])) as ctx:
        thread = threading.Thread(target=lambda: box.update(kb=ctx.load_kb()))
        thread.start()
        thread.join()
    return box["kb"], prepared_matcher(box["kb"])
