"""Work on many knowledge files at once: `ordered_map(fn, items)` runs `fn` over the items in
worker processes (one per core) when there are enough of them to pay for starting workers, and
in this process otherwise; results come back in the items' order either way.

Workers are forked, and only from a process that runs one thread (the command line): forking a
process that runs threads can copy a lock some thread holds. From a thread, the work is done
in that thread (the app has a large knowledge base compiled by a command of its own first:
`cli/context.py`). They run only the module-level function they are given and send back plain data;
nothing is cached or shared on disk here. When workers cannot be started or die, the work is
done here. `COPYCAR_ASSIST_WORKERS=1` keeps everything in this process. Never imports Textual.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 400  # below this, starting the workers (~0.3 s each) costs more than it saves
CHUNK = 32  # items sent to a worker at a time
AHEAD = 4  # chunks per worker sent before their results are taken


def workers(items: int, environ: dict[str, str] | None = None) -> int:
    """How many worker processes to use for `items` items (1: none, work here)."""
    env = os.environ if environ is None else environ
    try:
        wanted = int(env.get("COPYCAR_ASSIST_WORKERS", "0"))
    except ValueError:
        wanted = 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    count = wanted if wanted > 0 else cores
    return 1 if items < MIN_ITEMS else max(1, min(count, cores, 8))


def ordered_map(fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
    """fn(item) for every item, in order (in worker processes when that pays). The items are
    read as the work goes: a few chunks ahead of the results, never all at once."""
    import threading

    count = workers(len(items))
    if count == 1 or threading.active_count() > 1:
        return map(fn, items)
    return _pooled(fn, items, count)


@contextmanager
def bulk_work() -> Iterator[None]:
    """No cyclic garbage collection while a knowledge base is compiled or linted: a collection
    walks every object kept so far, again and again as they pile up (a fifth of a 10,000-entry
    compile's time), and the work makes no garbage that only a collection frees. Collection
    resumes as it was at the end (nested, or from two threads: the outermost decides)."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _chunk(fn: Callable[[T], R], chunk: list[T]) -> list[R]:
    return [fn(item) for item in chunk]


def _pooled(fn: Callable[[T], R], items: Sequence[T], count: int) -> Iterator[R]:
    import gc
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    from itertools import islice

    done = 0
    gc.freeze()  # what this process holds stays out of the workers' collections (and unwritten: shared)
    try:
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
            ahead: deque[Future[list[R]]] = deque()
            source = iter(items)
            while chunk := list(islice(source, CHUNK)):
                ahead.append(pool.submit(_chunk, fn, chunk))
                if len(ahead) > AHEAD * count:
                    for result in ahead.popleft().result():
                        yield result
                        done += 1
            while ahead:
                for result in ahead.popleft().result():
                    yield result
                    done += 1
    except (OSError, ValueError, BrokenProcessPool):  # no processes here (no fork), or they died
        yield from map(fn, islice(items, done, None))
    finally:
        gc.unfreeze()
