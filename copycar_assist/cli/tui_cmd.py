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


def _load_settings():
    from copycar_assist.config import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        raise UsageError(f"the settings have problems:\n{exc}") from None


def use_demo(settings, base_url: str, key: str) -> None:
    """Point the settings at the in-process simulator with the demo key (never saved to a file)."""
    from copycar_assist.redact import Secret

    settings.api.base_url = base_url
    settings.api.key = Secret(key)
    settings.api.key_source = "demo"
    settings.api.endpoints = []
    settings.sources["api.base_url"] = "demo"
    settings.sources["api.key"] = "demo"


def _start_demo(settings, scenario: str):
    from copycar_assist.simulator import DEMO_KEY, start_simulator

    try:
        handle = start_simulator(scenario=scenario, port=0)
    except (KeyError, ValueError) as exc:
        raise UsageError(f"--scenario: {exc}") from None
    use_demo(settings, handle.base_url, DEMO_KEY)
    return handle


def _load_kb(args: argparse.Namespace):
    """The knowledge base, validated (from the start-up cache when nothing changed)."""
    from copycar_assist.kb import KnowledgeError
    from copycar_assist.tui.kb_cache import load_cached

    try:
        return load_cached(getattr(args, "kb", None))
    except KnowledgeError:
        return load_kb_or_exit(args)  # the standard message and exit code 3


def run_tui(args: argparse.Namespace) -> int:
    # No cyclic GC until the first frame is on screen (the app turns it back on then): start-up
    # allocates many long-lived objects and the collections cost ~10% of the time to the first
    # frame. See benchmarks/startup.py.
    gc.disable()
    settings = _load_settings()
    kb = _load_kb(args)
    scenario = getattr(args, "scenario", "healthy") or "healthy"
    if not getattr(args, "demo", False) and scenario != "healthy":
        raise UsageError("--scenario needs --demo")
    if not sys.stdin.isatty() or not sys.__stderr__.isatty():  # Textual draws on stderr
        raise UsageError("the app needs a terminal; for pipes and scripts use `copycar-assist chat --plain`")
    handle = _start_demo(settings, scenario) if getattr(args, "demo", False) else None
    try:
        from copycar_assist.tui.app import CopyCarApp

        app = CopyCarApp(kb, settings, lang=getattr(args, "lang", None),
                         demo_scenario=scenario if handle is not None else None)
        app.run()
        return app.return_code or EXIT_OK
    finally:
        if handle is not None:
            handle.stop()
