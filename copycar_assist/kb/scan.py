"""Read a whole knowledge directory: its data files, then every entry (in worker processes when
there are many: `pool.py`), with what only the whole directory shows (a duplicate id, a check or
outcome the catalogue does not know). Every problem is collected, in file order; nothing raises
but `load_knowledge`, which raises them all at once.

    scan = scan_knowledge(root)            # entries and problems (`kb lint` starts here)
    kb = load_knowledge(root)              # the same, or KnowledgeError
    for parsed in scan_entries(scan, fn):  # fn(entry) for each entry, in the workers (the store
        ...                                # keeps its rows and the matcher's preparation, never
                                           # the entries themselves)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from copycar_assist.files.read import ENTRY, ReadError, read_text

from .answers import Answers, load_answers
from .errors import KnowledgeError, Problem
from .loader import (
    KnowledgeBase,
    data_path,
    default_dir,
    entry_paths,
    load_catalog,
    load_categories,
    parse_entry,
    reference_problems,
)
from .model import Category, CheckSpec, Entry
from .pool import ordered_map
from .support import SupportData, load_support


@dataclass
class Scan:
    """Everything read from a knowledge dir, with every problem found; nothing raised."""

    root: Path
    entries: dict[str, Entry]
    checks: dict[str, CheckSpec]
    categories: list[Category]
    support: SupportData | None
    problems: list[Problem]
    answers: Answers | None = None


@dataclass
class Parsed:
    """One entry file as a worker read it: its own problems, those against the catalogue, and
    what the caller asked to keep of it (the entry itself, or what `fn(entry)` made of it)."""

    path: Path
    problems: list[Problem]
    refs: list[Problem] = field(default_factory=list)
    id: str | None = None  # None: no entry could be read from the file
    id_line: int | None = None
    kept: Any = None


def read_entry(path: Path) -> tuple[Entry | None, list[Problem]]:
    """One entry file read and parsed, with its problems."""
    try:
        text = read_text(path, ENTRY) or ""
    except ReadError as exc:
        return None, [Problem(path, exc.line, exc.reason_msg())]
    return parse_entry(path, text)


def _read_one(checks: dict[str, CheckSpec], fn: Callable[[Entry], Any] | None, path: Path) -> Parsed:
    """What a worker does with one file (module level, so that it can be sent to one)."""
    entry, found = read_entry(path)
    if entry is None:
        return Parsed(path, found)
    refs = reference_problems(entry, checks) if checks else []
    return Parsed(path, found, refs, entry.id, entry.line_of.get("id", 2), fn(entry) if fn else entry)


def scan_data(root: Path | str | None = None) -> Scan:
    """The directory's data files (catalogue, categories, support, answers), no entry yet."""
    root = Path(root) if root is not None else default_dir()
    problems: list[Problem] = []
    scan = Scan(root, {}, {}, [], None, problems)
    if not root.is_dir():
        problems.append(Problem(root, None, "kb.problem.dir_not_found"))
        return scan
    for name, loader, attr in (("checks.toml", load_catalog, "checks"),
                               ("categories.toml", load_categories, "categories"),
                               ("support.toml", load_support, "support")):
        try:
            setattr(scan, attr, loader(data_path(root, name)))
        except KnowledgeError as exc:
            problems.extend(exc.problems)
    try:
        scan.answers = load_answers(data_path(root, "answers.toml"), scan.support)
    except KnowledgeError as exc:
        problems.extend(exc.problems)
    return scan


def scan_entries(scan: Scan, fn: Callable[[Entry], Any] | None = None,
                 reuse: Callable[[Path], Callable[[], tuple[str, Any]] | None] | None = None) -> Iterator[Parsed]:
    """Every entry of the scanned directory, in file order, its problems added to `scan`'s.
    `fn` (a module-level function) runs on each entry where it was parsed; `Parsed.kept` holds
    its result (without `fn`: the entry). `reuse(path)` may give a function returning (id, kept)
    for a file, which is then not parsed (what an earlier compile made of the same bytes; read
    when its turn comes, so that no more than one is held)."""
    if not scan.root.is_dir():
        return
    paths = entry_paths(scan.root)
    if not paths:
        scan.problems.append(Problem(scan.root, None, "kb.problem.no_entries"))
    reused = {path: hit for path in paths if reuse is not None and (hit := reuse(path)) is not None}
    parsed_ones = ordered_map(partial(_read_one, scan.checks, fn), [p for p in paths if p not in reused])
    seen: set[str] = set()
    for path in paths:
        if path in reused:
            entry_id, kept = reused[path]()
            parsed = Parsed(path, [], [], entry_id, 2, kept)
        else:
            parsed = next(parsed_ones)
        scan.problems.extend(parsed.problems)
        if parsed.id is None:
            continue
        if parsed.id in seen:
            scan.problems.append(Problem(parsed.path, parsed.id_line, "kb.problem.duplicate_id", id=parsed.id))
        seen.add(parsed.id)
        scan.problems.extend(parsed.refs)
        yield parsed


def scan_knowledge(root: Path | str | None = None) -> Scan:
    """Read a knowledge directory and collect (never raise) every structural problem."""
    scan = scan_data(root)
    for parsed in scan_entries(scan):
        scan.entries[parsed.id or ""] = parsed.kept
    return scan


def load_knowledge(root: Path | str | None = None) -> KnowledgeBase:
    """Load and validate a knowledge directory. Raises KnowledgeError listing every problem."""
    scan = scan_knowledge(root)
    if scan.problems or scan.support is None:
        raise KnowledgeError(scan.problems)
    return KnowledgeBase(scan.root, scan.entries, scan.checks, scan.categories, scan.support, answers=scan.answers)
