"""`copycar-assist` with no sub-command: open the Textual app.

The settings are loaded and validated BEFORE the app starts, so a bad config is a plain message on
stderr with exit code 3, never a traceback (Textual's crash output prints local variables).
The knowledge base is not: the app loads it in a thread after its first frame (`ctx.load_kb`),
so the first frame does not wait for it whatever its size. Broken knowledge is shown in the app
and, once the app is closed, printed on stderr with exit code 3. Textual itself is imported
only after the settings are read.
"""

from __future__ import annotations

import argparse
import gc
import sys

from . import EXIT_OK, EXIT_USAGE, UsageError


def run_tui(args: argparse.Namespace) -> int:
    # No cyclic GC until the first frame is on screen (the app turns it back on then): start-up
    # allocates many long-lived objects and the collections cost ~10% of the time to the first
    # frame. See benchmarks/startup.py.
    gc.disable()
    ctx = args.ctx
    settings = ctx.agent_settings  # the agent's own; a case (--profile) comes as `case`
    case = ctx.case
    if not sys.stdin.isatty() or sys.__stderr__ is None or not sys.__stderr__.isatty():  # Textual draws on stderr
        raise UsageError("cli.tui.no_terminal")
    handle = ctx.start_demo()
    from copycar_assist.tui.app import CopyCarApp

    first_start = (handle is None and case is None and settings.path is not None and not settings.path.exists()
                   and settings.api.key is None)
    app = CopyCarApp(None, settings, load_kb=ctx.load_kb, lang=ctx.lang,
                     demo_scenario=ctx.scenario if handle is not None else None,
                     hide_scenario=ctx.hide_scenario, samples=handle.samples if handle is not None else None,
                     case=case, offer_setup=first_start, start_screen=vars(args).get("start_screen"),
                     train_options=vars(args).get("train_options"))
    ctx.progress = app.knowledge.note_progress  # a first compile of a large knowledge base says how far it is
    app.run()
    if app.knowledge.problem is not None:  # shown in the app; said again where scripts and logs see it
        from copycar_assist.i18n import t

        lang = ctx.ui_lang
        print(t("cli.error", lang, message=t("cli.ctx.kb", lang, detail=app.knowledge.problem)), file=sys.stderr)
        return app.return_code or EXIT_USAGE
    return app.return_code or EXIT_OK
