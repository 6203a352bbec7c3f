"""A live status line: what a command that takes a while is doing now, so that a terminal is
never left blank while it works (a first compile of a large knowledge base, a `doctor` waiting on
a server that does not answer). One line on stderr, redrawn in place when what it says changes
(no spinner: a line rewritten ten times a second is noise to a screen reader), erased before the
command prints its result; nothing at all when stderr is not a terminal or TERM=dumb, and nothing
when the work ends within `AFTER` seconds (a quick command never flickers).

    status = StatusLine()              # inactive unless stderr is a terminal
    status.show("Compiling … 4210 of 10000")   # drawn when due: after AFTER s, at most every EVERY s
    status.clear()                     # erased; the next show() draws again

It writes its own carriage return and erase-line to the stream under stderr's scrub (which
lets no control code through but colour: `streams.unscrubbed`); the text it is given is cleaned
here and cut to the terminal's width, so outside text (a check's title from the knowledge) can
never move the cursor. Never imported by the domain.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from copycar_assist.textsafe import one_line

from .columns import columns_of, cut
from .streams import is_terminal, unscrubbed

AFTER = 0.4  # seconds of work before anything is drawn
EVERY = 0.2  # seconds at least between two drawings


class StatusLine:
    def __init__(self, stream: TextIO | None = None, *, after: float | None = None, every: float | None = None) -> None:
        self._stream: TextIO = stream if stream is not None else unscrubbed(sys.stderr)
        self.active = is_terminal(self._stream)
        self._after = AFTER if after is None else after
        self._every = EVERY if every is None else every
        self._started = time.monotonic()
        self._drawn_at = float("-inf")
        self._drawn = ""  # the line on the terminal now ("": none)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def show(self, text: str) -> None:
        """`text` (one line, cleaned, cut to the width), when due and when it says something new:
        a line rewritten in place over and over is noise to a screen reader, and to the eye."""
        now = time.monotonic()
        if not self.active or now - self._started < self._after or now - self._drawn_at < self._every:
            return
        line = cut(one_line(text, 500), max(1, (columns_of(self._stream) or 80) - 1))
        if line != self._drawn:
            self._drawn_at, self._drawn = now, line
            self._write("\r" + line + "\x1b[K")

    def clear(self) -> None:
        if self._drawn:
            self._write("\r\x1b[K")
            self._drawn = ""

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):  # the terminal went away: the command goes on without it
            self.active = False


@contextmanager
def counting(lang: str, key: str, last_key: str | None = None) -> Iterator[Callable[[int, int], None]]:
    """A count of files as the knowledge's readers report it (`progress(done, total)`: a first
    compile, `kb lint`), shown on stderr, a terminal, as the catalogue's `key` says it with
    {done} and {total} (`last_key` once all are read and the work goes on); erased at the end.
    Only for a terminal: `streams.counted` asks first (this module is not loaded otherwise)."""
    from copycar_assist.i18n import t

    status = StatusLine()

    def progress(done: int, total: int) -> None:
        status.show(t(last_key if last_key and done >= total else key, lang, done=done, total=total))

    try:
        yield progress
    finally:
        status.clear()
