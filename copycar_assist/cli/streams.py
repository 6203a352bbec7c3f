"""What the command line prints, scrubbed on the way out; a closed pipe; a crash.

- `scrubbed_output()`: while a command runs, `sys.stdout` and `sys.stderr` are wrapped so that
  every text written goes through the one scrub (`textsafe.scrub`: C0/C1 controls, DEL and bidi
  controls dropped, character by character, so a sequence split across writes is harmless).
  On a terminal where colour is in use, SGR colour codes (`ESC [ … m`) pass; nothing else does.
  Outside text is also cleaned where it is formatted; this is the last line, for every command
  at once, including messages nobody thought of.
- `emit_json(doc)`: a JSON document with every string cleaned before it is encoded.
- `closed_pipe()`: `kb show … | head -1` closes stdout early. The command ends quietly with exit
  status 141 (128 + SIGPIPE), as `cat`, `grep` and the shell's own tools report it, and nothing
  is printed (not even Python's "Exception ignored" at exit).
- `leave(code)`: how the process ends after a command (`cli.run`, the console script): its
  output flushed and its exit handlers run, then `os._exit` — without the interpreter's
  teardown, which frees every module and object one by one (10–17 ms, a sixth of a short
  command's time, after the user has everything). Only from the last thread left; otherwise,
  and when the flush finds stdout closed (exit 141), as `sys.exit` does.
- `InputLines(stream, limit)`: a dialogue's lines of standard input (`chat`, `train`), read by one
  daemon thread into a queue: Ctrl+C ends the dialogue at once (a read blocked at the prompt is
  not waited for, as the event loop's own threads are), and a line that comes after a timed wait
  gave up is kept for the next one, never taken by a second reader. At a terminal the dialogue
  asks for bracketed paste (`pastes_whole`), and a paste is read as one message (`read_message`).
- `crash(exc, argv)`: any other unexpected exception prints ONE line saying which command failed,
  the exception's type and where in our code, and where the crash report was written (secrets
  masked by today's settings and by the key-like patterns; no local variables); exit status 2.

Textual draws on `sys.__stderr__`, which is never wrapped; the status line of a long command
(`status.py`) writes its carriage return and erase-line to the stream under `sys.stderr`
(`unscrubbed`), and cleans its text itself.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from copycar_assist.textsafe import scrub

if TYPE_CHECKING:
    import asyncio

    from copycar_assist.files.read import LineStream, ReadError
    from copycar_assist.redact import Scrub

EXIT_CLOSED_PIPE = 141
_SGR = re.compile(r"(\x1b\[[0-9;]*m)")


class ScrubbedStream:
    """A text stream whose writes are scrubbed (SGR colour codes kept when `colour`)."""

    def __init__(self, stream: TextIO, colour: bool = False) -> None:
        self._stream = stream
        self._colour = colour

    def write(self, text: str) -> int:
        if self._colour and "\x1b[" in text:
            out = "".join(part if _SGR.fullmatch(part) else scrub(part) for part in _SGR.split(text))
        else:
            out = scrub(text)
        self._stream.write(out)
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    def __getattr__(self, name: str) -> object:  # encoding, errors, buffer, reconfigure, closed, …
        return getattr(self._stream, name)


def is_terminal(stream: TextIO | None) -> bool:
    """Whether `stream` is a terminal that understands cursor movement (not TERM=dumb)."""
    try:
        return stream is not None and stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):  # closed, or not a stream
        return False


def counted(lang: Callable[[], str], key: str, last_key: str | None = None,
            given: Callable[[int, int], None] | None = None) -> AbstractContextManager[Callable[[int, int], None] | None]:
    """Where a count of knowledge files goes as it is read (`progress(done, total)`): to `given`
    when there is one (the app's, `kb list --progress`), else on a terminal to the status line
    (`status.counting`: the catalogue's `key` in the language `lang()` says, `last_key` once
    all are read), else nowhere. `lang` is asked only for a terminal: the UI language may need
    the settings, which a command that shows nothing need not load."""
    if given is None and is_terminal(sys.stderr):
        from .status import counting

        return counting(lang(), key, last_key)
    return contextlib.nullcontext(given)


def unscrubbed(stream: TextIO) -> TextIO:
    """The stream a `ScrubbedStream` writes to (the status line's own, `status.py`), else `stream`."""
    return stream._stream if isinstance(stream, ScrubbedStream) else stream


def emit_json(doc: dict[str, Any], *, indent: int | None = None) -> None:
    """One JSON document on stdout, every string in it `clean`ed first: the stream scrub cannot
    see a control character that `json.dumps` has escaped (`\\u001b`), a reader of the JSON would."""
    import json

    from copycar_assist.textsafe import clean_obj

    sys.stdout.write(json.dumps(clean_obj(doc), ensure_ascii=False, indent=indent) + "\n")


def _colour_wanted(stream: TextIO) -> bool:
    try:
        return stream.isatty() and not os.environ.get("NO_COLOR")
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def scrubbed_output() -> Iterator[None]:
    out, err = sys.stdout, sys.stderr
    if out is None or err is None:
        yield
        return
    sys.stdout = ScrubbedStream(out, _colour_wanted(out))
    sys.stderr = ScrubbedStream(err, _colour_wanted(err))
    try:
        yield
        sys.stdout.flush()
    finally:
        sys.stdout, sys.stderr = out, err


def leave(code: int) -> NoReturn:
    threading = sys.modules.get("threading")  # not imported: no other thread was started
    if threading is not None and any(not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)  # a thread that must finish (daemon threads, such as a blocked read of stdin, need not)
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except BrokenPipeError:
        sys.exit(closed_pipe())
    except (OSError, ValueError):  # a closed or broken stream: the usual exit reports it, as before
        sys.exit(code)
    atexit._run_exitfuncs()  # what `sys.exit` runs (logging's flush, a coverage run's data), in order
    os._exit(code)


class InputLines:
    """Standard input's lines for a dialogue (see the module docstring); `await lines.next()` is
    the next line ("" at the end), or a whole paste the terminal marked (`read_message`), or
    raises `ReadError` (a line over `limit`, numbered)."""

    def __init__(self, stream: LineStream, limit: int, start: int = 1) -> None:
        self._stream, self._limit, self._start = stream, limit, start  # start: the number of the next line
        self._queue: asyncio.Queue[str | ReadError] | None = None

    async def next(self) -> str:
        import asyncio  # here: a command without a dialogue never imports it

        from copycar_assist.files.read import ReadError

        if self._queue is None:
            import threading

            self._queue = asyncio.Queue()
            threading.Thread(target=self._read, args=(asyncio.get_running_loop(), self._queue), daemon=True,
                             name="stdin").start()
        item = await self._queue.get()
        if isinstance(item, ReadError):
            raise item
        return item

    def _read(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | ReadError]) -> None:
        from copycar_assist.files.read import ReadError

        number = self._start
        while True:
            item: str | ReadError
            try:
                item, read = read_message(self._stream, number, self._limit)
                number += read
            except ReadError as exc:
                item = exc
            except (OSError, ValueError):  # stdin closed under us: the end of the input
                item = ""
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop is closed: the dialogue is over
                return
            if not isinstance(item, str) or not item:
                return


# A terminal in bracketed-paste mode marks a paste's start and end, so that pasted lines (a
# traceback, a log) are one message, not one turn each.
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"


@contextlib.contextmanager
def pastes_whole(inp: TextIO, out: TextIO) -> Iterator[bool]:
    """While a line dialogue runs on a terminal: bracketed paste on, and the terminal's echo of
    its marks left to the terminal (not shown as "^[[200~"); both as they were afterwards. Yields
    whether it is on (not on a pipe, nor where the terminal's settings cannot be read or set)."""
    try:
        import termios
    except ImportError:  # no POSIX terminal here
        yield False
        return
    fd, saved = -1, None
    with contextlib.suppress(OSError, ValueError, AttributeError, termios.error):
        if inp.isatty() and out.isatty():
            fd = inp.fileno()
            saved = termios.tcgetattr(fd)
    if saved is None:
        yield False
        return
    raw, on = unscrubbed(out), False
    with contextlib.suppress(OSError, ValueError, termios.error):
        quiet = list(saved)
        quiet[3] = saved[3] & ~termios.ECHOCTL
        termios.tcsetattr(fd, termios.TCSANOW, quiet)
        raw.write("\x1b[?2004h")
        raw.flush()
        on = True
    try:
        yield on
    finally:
        with contextlib.suppress(OSError, ValueError, termios.error):
            if on:
                raw.write("\x1b[?2004l")
                raw.flush()
            termios.tcsetattr(fd, termios.TCSANOW, saved)


def read_message(stream: LineStream, number: int, limit: int) -> tuple[str, int]:
    """One line of `stream` (`read_line`: `number` is its number, for an error), or, when it opens
    a paste the terminal marked, the whole paste up to its end mark (the line the user ends with
    Enter), without the marks, at most `limit` characters kept; and how many lines were read.
    "" at the end of the stream."""
    from copycar_assist.files.read import read_line

    line = read_line(stream, number, limit)
    if PASTE_START not in line:
        return line, 1
    text, read = line, 1
    while PASTE_END not in line:
        line = read_line(stream, number + read, limit)
        if not line:
            break
        read += 1
        if len(text) <= limit:
            text += line
    return text.replace(PASTE_START, "").replace(PASTE_END, "")[:limit], read


def closed_pipe() -> int:
    """stdout's reader went away: point stdout at /dev/null so the exit flush is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
    return EXIT_CLOSED_PIPE


def _where(exc: BaseException) -> str:
    """`module.py:line in function` of the innermost frame in our package (no values)."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "copycar_assist" in f.filename] or frames
    if not ours:
        return "?"
    f = ours[-1]
    path = Path(f.filename)
    short = "/".join(path.parts[path.parts.index("copycar_assist"):]) if "copycar_assist" in path.parts else path.name
    return f"{short}:{f.lineno} in {f.name}"


def todays_scrub() -> Scrub:
    """The writers' one scrub (`redact.make_scrubber`) for a command without loaded settings: today's
    settings' secrets when they load, key-like strings always."""
    from copycar_assist.redact import make_scrubber

    try:
        from copycar_assist.config import load_settings

        settings = load_settings()
    except Exception:  # the settings may be what is broken: key-like patterns still apply
        settings = None
    return make_scrubber(settings)


def crash(exc: BaseException, argv: list[str]) -> int:
    import traceback
    from datetime import datetime

    from copycar_assist import __version__
    from copycar_assist.files.write import write_unique
    from copycar_assist.support.history import data_dir

    command = next((a for a in argv if not a.startswith("-")), "copycar-assist")
    where = _where(exc)
    hide = todays_scrub()
    report = "\n".join([
        f"copycar-assist {__version__} crash report, {datetime.now().isoformat(timespec='seconds')}",
        f"python {sys.version.split()[0]} on {sys.platform}",
        f"arguments: {' '.join(argv)}",
        "",
        *traceback.format_exception(type(exc), exc, exc.__traceback__),
    ])
    from copycar_assist.i18n import t

    from .words import asked_in, choose

    lang = choose(asked_in(argv), lambda: None)  # not the settings again: they may be what failed
    try:
        path = write_unique(data_dir() / "crashes", f"crash-{datetime.now():%Y%m%d-%H%M%S}", ".txt",
                            scrub(hide(report)).encode("utf-8"))
        saved = t("cli.crash.saved", lang, path=path)
    except OSError as err:
        saved = t("cli.crash.not_saved", lang, reason=err.strerror or type(err).__name__)
    print(t("cli.crash", lang, command=scrub(command)[:40], error=type(exc).__name__, where=where, saved=saved),
          file=sys.stderr)
    return 2
