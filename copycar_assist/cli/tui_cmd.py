"""`copycar-assist` with no sub-command: open the Textual app.

Settings and the knowledge base are loaded and validated BEFORE the app starts, so a bad config
or a broken knowledge file is a plain message on stderr with exit code 3, never a traceback
(Textual's crash output prints local variables). Textual itself is imported only after that.
"""

from __future__ import annotations

import argparse
import gc
import sys

from . import EXIT_OK, UsageError, load_kb_or_exit


def _load_kb(args: argparse.Namespace):
    """The knowledge base, validated (from the compiled store when nothing changed)."""
    from copycar_assist.kb import KnowledgeError
    from copycar_assist.kb.store import load_cached
    from copycar_assist.matching.companion import MATCHER

    try:
        return load_cached(args.kb, companion=MATCHER)
    except KnowledgeError:
        return load_kb_or_exit(args)  # the standard message and exit code 3


def run_tui(args: argparse.Namespace) -> int:
    # No cyclic GC until the first frame is on screen (the app turns it back on then): start-up
    # allocates many long-lived objects and the collections cost ~10% of the time to the first
    # frame. See benchmarks/startup.py.
    gc.disable()
    ctx = args.ctx
    settings = ctx.agent_settings  # the agent's own; a case (--profile) comes as `case`
    case = ctx.case
    kb = _load_kb(args)
    ctx.use_kb(kb)
    if not sys.stdin.isatty() or sys.__stderr__ is None or not sys.__stderr__.isatty():  # Textual draws on stderr
        raise UsageError("the app needs a terminal; for pipes and scripts use `copycar-assist chat --plain`")
    handle = ctx.start_demo()
    from copycar_assist.tui.app import CopyCarApp

    first_start = (handle is None and case is None and settings.path is not None and not settings.path.exists()
                   and settings.api.key is None)
    app = CopyCarApp(kb, settings, lang=ctx.lang, demo_scenario=ctx.scenario if handle is not None else None,
                     hide_scenario=ctx.hide_scenario, samples=handle.samples if handle is not None else None,
                     case=case, offer_setup=first_start, start_screen=vars(args).get("start_screen"),
                     train_options=vars(args).get("train_options"))
    app.run()
    return app.return_code or EXIT_OK
