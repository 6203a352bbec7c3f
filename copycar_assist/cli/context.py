"""The one context every command and the app run in: settings, knowledge, the demo world.

Built once from the parsed arguments by `cli.main` and handed to the command:

    ctx.settings   the settings checks run with: the case's context with --profile NAME (the
                   customer's values only, see `desk/case.py`), else the agent's own
    ctx.agent_settings  the agent's own settings (the file and the environment)
    ctx.case       the case opened with --profile, or None
    ctx.kb         the knowledge base named by --kb (loaded on first use, from the compiled
                   store: entries are read when first asked for, kb/store.py); a broken one is
                   a UsageError (`load_kb()` raises the KnowledgeError itself)
    ctx.checks     its check catalogue (checks.toml): read alone when the knowledge base is not
                   loaded, for commands that only name checks
    ctx.demo       the demo world with --demo (`simulator.world.DemoWorld`; the settings point at
                   it, and each of its services starts when a check first needs it)
    ctx.lang       the --lang asked for, or None (follow the user)
    ctx.ui_lang    the language of the command's own words: --lang, else the settings' language,
                   else the environment (`words.py`)
    ctx.hide_scenario  --hide-scenario: front ends must not name the scenario

`close()` stops the demo world. Nothing here imports Textual.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from . import UsageError
from .streams import counted
from .words import choose

if TYPE_CHECKING:
    from pathlib import Path
    from types import FrameType
    from typing import IO

    from copycar_assist.config import Settings
    from copycar_assist.desk.case import Case
    from copycar_assist.kb import KnowledgeBase
    from copycar_assist.kb.model import CheckSpec
    from copycar_assist.kb.store import Progress
    from copycar_assist.simulator.world import DemoWorld


class Context:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.lang: str | None = args.lang
        self.scenario: str = args.scenario
        self.wants_demo: bool = args.demo
        self.hide_scenario: bool = args.hide_scenario
        if not self.wants_demo and self.scenario != "healthy":
            raise UsageError("cli.ctx.scenario_needs_demo")
        if not self.wants_demo and self.hide_scenario:
            raise UsageError("cli.ctx.hide_needs_demo")
        self.profile: str | None = args.profile
        self._settings: Settings | None = None
        self._case: Case | None = None
        self._kb: KnowledgeBase | None = None
        self.progress: Progress | None = None  # told how far a compile of the knowledge is (the app)
        self._checks: dict[str, CheckSpec] | None = None
        self.demo: DemoWorld | None = None
        self._ui_lang: str | None = None
        self._broken_language: str | None = None  # the `language` of settings that failed to load

    @property
    def ui_lang(self) -> str:
        if self._ui_lang is None:
            self._ui_lang = choose(self.lang, self._own_language)
        return self._ui_lang

    def _own_language(self) -> str | None:
        try:
            return self.agent_settings.language
        except UsageError:  # broken settings: their own `language` if that line was valid (words.py)
            return self._broken_language

    @property
    def settings(self) -> Settings:
        case = self.case
        return case.settings if case is not None else self.agent_settings

    @property
    def case(self) -> Case | None:
        if self.profile and self._case is None:
            from copycar_assist.desk.case import Case

            try:
                self._case = Case.from_profile(self.agent_settings, self.profile)
            except KeyError as exc:
                raise UsageError("cli.ctx.profile", detail=exc.args[0]) from None
        return self._case

    @property
    def agent_settings(self) -> Settings:
        if self._settings is None:
            from copycar_assist.config import ConfigError, load_settings

            try:
                self._settings = load_settings()
            except ConfigError as exc:
                self._broken_language = exc.language
                raise UsageError("cli.ctx.settings", detail=exc) from None
        return self._settings

    @property
    def kb(self) -> KnowledgeBase:
        if self._kb is None:
            from copycar_assist.kb import KnowledgeError

            try:
                return self.load_kb()
            except KnowledgeError as exc:
                raise UsageError("cli.ctx.kb", detail=exc.text(self.ui_lang)) from None
        return self._kb

    def load_kb(self) -> KnowledgeBase:
        """`kb`, raising KnowledgeError for broken knowledge: for a front end that shows the
        problems itself (the app loads it in a thread after its first frame)."""
        if self._kb is None:
            from copycar_assist.kb.store import load_cached
            from copycar_assist.matching.companion import MATCHER

            with counted(lambda: self.ui_lang, "cli.status.compiling", "cli.status.indexing", given=self.progress) as progress:
                digested = _compile_apart(self.args.kb, progress)
                self._kb = load_cached(self.args.kb, companion=MATCHER, digested=digested, progress=progress)
        return self._kb

    @property
    def checks(self) -> dict[str, CheckSpec]:
        if self._kb is not None:
            return self._kb.checks
        if self._checks is None:
            from pathlib import Path

            from copycar_assist.kb import KnowledgeError
            from copycar_assist.kb.loader import data_path, default_dir, load_catalog

            folder = Path(self.args.kb) if self.args.kb else default_dir()
            try:
                self._checks = load_catalog(data_path(folder, "checks.toml"))
            except KnowledgeError as exc:
                raise UsageError("cli.ctx.kb", detail=exc.text(self.ui_lang)) from None
        return self._checks

    def start_demo(self) -> DemoWorld | None:
        """Build the demo world when --demo was given and point the settings at it. Cheap: its
        services start the first time a check needs them."""
        if not self.wants_demo or self.demo is not None:
            return self.demo
        from copycar_assist.simulator.demo import start_demo, use_demo

        try:
            self.demo = start_demo(self.scenario)
        except ValueError as exc:
            raise UsageError("cli.ctx.scenario", detail=exc) from None
        use_demo(self.agent_settings, self.demo)  # a case keeps the customer's own context
        self._stop_on_signals()
        return self.demo

    def _stop_on_signals(self) -> None:
        """SIGTERM and SIGHUP (a closed terminal) stop the demo world first — redis-server is a
        child process — and then end the command the normal way (SystemExit). Only where nothing
        else handles those signals, and only from the main thread."""
        import signal
        import threading

        if threading.current_thread() is not threading.main_thread():
            return

        def leave(signum: int, frame: FrameType | None) -> None:
            self.close()
            raise SystemExit(128 + signum)

        for name in ("SIGTERM", "SIGHUP"):
            sig = getattr(signal, name, None)  # SIGHUP does not exist on Windows
            if sig is not None and signal.getsignal(sig) == signal.SIG_DFL:
                signal.signal(sig, leave)

    def demo_samples(self) -> dict[str, list[tuple[str, str]]] | None:
        """The demo world's material for the chat to offer (kind -> [(label, text)]), or None."""
        return self.demo.samples.offered() if self.demo is not None else None

    def close(self) -> None:
        if self.demo is not None:
            demo, self.demo = self.demo, None
            demo.stop()

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _compile_apart(kb_dir: str | None, progress: Progress | None = None) -> tuple[str, dict[Path, str]] | None:
    """A large knowledge base not compiled yet, loaded by a process that runs threads (the app),
    is compiled by a command of its own first (`kb list`, output dropped): worker processes are
    forked only from a process of one thread (kb/pool.py), and this one would compile alone on
    one core. Whatever that command finds (broken knowledge too), the load that follows reads
    the cache it left or compiles here, and reports every problem itself. Gives the folder's
    digests when it computed them (only for a knowledge base large enough), for that load; the
    command is handed them too, on its standard input (`handed_digests`). `progress` hears the
    command's (`kb list --progress`)."""
    import os
    import sys
    import threading
    from pathlib import Path

    from copycar_assist.kb import pool
    from copycar_assist.kb.loader import default_dir, entry_paths
    from copycar_assist.kb.store import compiled, digests

    if threading.active_count() == 1 or os.environ.get("COPYCAR_ASSIST_NO_CACHE"):
        return None
    folder = Path(kb_dir) if kb_dir else default_dir()
    try:
        if pool.workers(len(entry_paths(folder))) == 1:
            return None  # small enough to compile here
        digested = digests(folder)
    except OSError:
        return None  # the load says what is wrong
    if compiled(folder, ("entries", "matcher"), digested=digested)[0]:
        return digested
    # The command must run this very package (its sources are part of the cache's key): not one
    # the working directory holds (-P), but the one this process imported, first on its path.
    import subprocess  # here: every other command passes this way and never needs it

    import copycar_assist
    from copycar_assist.kb.codec import dumps

    home = str(Path(copycar_assist.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (home, os.environ.get("PYTHONPATH")) if p)}
    command = [sys.executable, "-P", "-m", "copycar_assist", *(["--kb", kb_dir] if kb_dir else []), "kb", "list",
               *(["--progress"] if progress is not None else [])]
    env[HANDED] = "stdin"  # the digests just computed here: the command need not hash every file again
    handed = dumps({str(path): digest for path, digest in digested[1].items()}).encode()
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env,
                          stderr=subprocess.PIPE if progress is not None else subprocess.DEVNULL) as child:
        threading.Thread(target=_feed, args=(child.stdin, handed), daemon=True).start()  # read while it reads
        for line in child.stderr or ():  # "done total" lines; anything else (a crash) is not ours to show
            done, _, total = line.decode("ascii", "replace").strip().partition(" ")
            if progress is not None and done.isdigit() and total.isdigit():
                progress(int(done), int(total))
    return digested


# Set for the command `_compile_apart` starts: its standard input holds the entry files' digests.
HANDED = "COPYCAR_ASSIST_HANDED_DIGESTS"


def _feed(pipe: IO[bytes] | None, data: bytes) -> None:
    if pipe is None:
        return
    try:
        with pipe:
            pipe.write(data)
    except (OSError, ValueError):  # it ended before reading them (a crash, broken knowledge): its own to tell
        pass


def handed_digests(kb_dir: str | None) -> tuple[str, dict[Path, str]] | None:
    """In the command `_compile_apart` started (`kb list`): the entry files' digests the app
    computed a moment before (hashing 10,000 files again would take a second or two), with the
    base hashed here; None when there are none or they do not name exactly the folder's entry
    files."""
    import os
    import sys
    from pathlib import Path

    from copycar_assist.kb.codec import loads
    from copycar_assist.kb.loader import default_dir, entry_paths
    from copycar_assist.kb.store import base_digest

    if os.environ.get(HANDED) != "stdin":
        return None
    folder = Path(kb_dir) if kb_dir else default_dir()
    try:
        handed = loads(sys.stdin.buffer.read())
        paths = entry_paths(folder)
    except (OSError, ValueError):
        return None
    if not isinstance(handed, dict) or handed.keys() != {str(p) for p in paths} or not all(
            isinstance(d, str) for d in handed.values()):
        return None
    return base_digest(folder), {path: handed[str(path)] for path in paths}
