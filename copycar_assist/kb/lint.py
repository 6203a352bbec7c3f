"""`kb lint`: prove that a knowledge directory's decision tree is whole.

On top of everything the loader reports (bad TOML, missing language or section, unknown check,
outcome or cause id …), each entry must satisfy:

- every symptom leads somewhere: the entry has at least one cause;
- every cause is reached by one of the entry's check outcomes, or has a yes/no question
  (in each of the entry's languages);
- every cause is described, with at least one solution step, in each of the entry's languages;
- every outcome key is "<check listed in `checks`>.<outcome of that check in the catalogue>",
  and every non-ok outcome of every listed check is mapped;
- every outcome target resolves ("cause" of this entry, or "entry#cause");
- the category exists; related entries exist; Spanish and English list as many symptoms;
- a check's `home` entry (catalogue) lists that check;
- effects (the entry's and each cause's) are written in each of the entry's languages, none
  repeats one of the entry's aliases or another effect, and no two entries share one (an effect
  must point at one entry).

An entry written in one language only (as `kb import` makes them) is a warning, not an error.
Nothing here raises: every problem comes back as a `Problem` with file and line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from copycar_assist.files.msg import Msg

from .errors import Problem
from .fold import unaccent
from .loader import entry_paths
from .model import LANGS, CheckSpec, Entry
from .pool import bulk_work
from .scan import Scan, scan_data, scan_entries

_NAMES: dict[str, Msg] = {code: Msg.of(f"kb.problem.lang.{code}") for code in LANGS}  # the languages' names


@dataclass
class Summary:
    """What the rules across entries need of one entry, once its own rules have run: what
    other entries may name (its id, causes, checks) or must not share (its effects), and what
    it names in them. Small: a knowledge base of 10,000 entries is linted without holding one."""

    id: str
    path: Path | None
    checks: list[str]
    checks_line: int | None
    causes: frozenset[str]
    related: list[tuple[str, int | None]]  # entries it names, with the line
    targets: list[tuple[str, str, int | None]]  # outcome key, "entry#cause" in another entry, line
    effects: list[tuple[str, str | Msg, str, int | None]]  # folded text, label, text, line


def lint(kb_dir: Path | str | None = None, progress: Callable[[int, int], None] | None = None) -> list[Problem]:
    """Every problem of the knowledge dir (default: the shipped one), sorted by file and line.
    `progress(done, total)` hears how many entry files are read, about every hundredth."""
    scan = scan_data(kb_dir)
    linted: dict[str, tuple[Summary, list[Problem]]] = {}  # by id: of two with one id, the last
    total = len(entry_paths(scan.root)) if progress is not None and scan.root.is_dir() else 0
    step = max(1, total // 100)
    with bulk_work():
        for n, (entry_id, kept) in enumerate(_linted(scan, kb_dir), 1):
            linted[entry_id] = kept
            if progress is not None and n % step == 0:
                progress(n, total)
    problems = list(scan.problems)
    for _, own in linted.values():
        problems.extend(own)
    summaries = {entry_id: summary for entry_id, (summary, _) in linted.items()}
    problems.extend(_across(summaries))
    # Homes are a promise of the catalogue to the entries beside it: a dir that borrows the
    # shipped catalogue (an imported guide) is not held to it.
    own_catalogue = kb_dir is None or (Path(kb_dir) / "checks.toml").is_file()
    for spec in scan.checks.values() if own_catalogue else ():
        home = summaries.get(spec.home or "")
        if home is not None and spec.id not in home.checks:
            problems.append(Problem(home.path, home.checks_line,
                                    "kb.problem.home_unlisted", check=spec.id))
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (str(p.path), p.line or 0, p.message))


def _linted(scan: Scan, kb_dir: Path | str | None) -> Iterator[tuple[str, tuple[Summary, list[Problem]]]]:
    """Each entry's own problems and summary, in file order: made where the entry is parsed (in
    the workers), or from the store for a file the last compile saw unchanged (same bytes, same
    data files and code), so that an author's edit-lint loop parses only what was edited."""
    import os

    from .compile import Previous
    from .store import base_digest, cache_path, entry_digests

    categories = frozenset(c.id for c in scan.categories)
    rules = partial(entry_problems, checks=scan.checks, categories=categories)
    previous: Previous | None = None
    entries: dict[Path, str] = {}
    if scan.root.is_dir() and not os.environ.get("COPYCAR_ASSIST_NO_CACHE"):
        try:
            previous = Previous.open(cache_path(scan.root, "entries"), base_digest(scan.root))
            entries = entry_digests(scan.root) if previous is not None else {}  # no compile: none hashed
        except OSError:
            previous = None  # every file is parsed

    def read(digest: str, path: Path) -> tuple[str, tuple[Summary, list[Problem]]]:
        assert previous is not None
        entry = previous.entry(digest)
        entry.path = path  # as this scan names it (the compile may have named the folder otherwise)
        return entry.id, rules(entry)

    reuse = previous.reusing(entries, False, read) if previous is not None else None
    for parsed in scan_entries(scan, rules, reuse):
        yield parsed.id or "", parsed.kept


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def entry_problems(entry: Entry, checks: dict[str, CheckSpec], categories: frozenset[str]) -> tuple[Summary, list[Problem]]:
    """The entry's own problems (those no other entry can change), and its summary."""
    out: list[Problem] = []

    def add(line: int | None, key: str, severity: str = "error", **params: object) -> None:
        out.append(Problem(entry.path, line, key, severity, **params))

    langs = entry.languages()
    declared = entry.declared_languages
    missing = [lang for lang in LANGS if lang not in declared]
    if missing:  # (a declared language that is missing is the loader's error)
        add(entry.line_of.get("body"), "kb.problem.one_language", "warning",
            langs=[_NAMES[x] for x in declared], missing=[_NAMES[x] for x in missing])

    # Symptoms and causes, per language.
    for lang in langs:
        section = entry.sections[lang]
        if not section.symptoms:
            add(section.line, "kb.problem.no_symptoms", language=_NAMES[lang])
    if len(langs) == 2:
        counts = {lang: len(entry.sections[lang].symptoms) for lang in langs}
        if len(set(counts.values())) > 1:
            add(entry.sections["en"].line, "kb.problem.symptom_counts", in_es=counts["es"], in_en=counts["en"])
    if not entry.causes:
        add(entry.line_of.get("body"), "kb.problem.no_causes")

    reached = _reached_causes(entry)
    for cause in entry.causes:
        for lang in langs:
            name = _NAMES[lang]
            if lang not in cause.title:
                add(cause.line, "kb.problem.cause_undescribed", cause=cause.id, language=name)
            elif not cause.steps.get(lang):
                add(cause.body_line.get(lang, cause.line),
                    "kb.problem.cause_no_steps", cause=cause.id, language=name)
        if cause.id not in reached:
            if not cause.question:
                add(cause.line, "kb.problem.cause_unreached", cause=cause.id)
            else:
                for lang in langs:
                    if not cause.question.get(lang):
                        add(cause.line, "kb.problem.question_lacks", cause=cause.id, language=_NAMES[lang])

    for narrowing in entry.narrowing:
        for lang in langs:
            if not narrowing.question.get(lang):
                add(narrowing.line, "kb.problem.narrowing_lacks", narrowing=narrowing.id, language=_NAMES[lang])
    effect_found, effects = effect_problems(entry)
    out.extend(effect_found)

    # Checks and outcomes.
    targets: list[tuple[str, str, int | None]] = []
    for key, target in entry.outcomes.items():
        line = entry.line_of.get(f"outcome:{key}")
        check_id, _, outcome = key.rpartition(".")
        if check_id in checks and check_id not in entry.checks:
            add(line, "kb.problem.outcome_check_unlisted", outcome=key, check=check_id)
        if outcome == "ok":
            add(line, "kb.problem.outcome_ok", outcome=key)
        entry_id, _, cause_id = target.rpartition("#")
        if entry_id in ("", entry.id):
            if entry.cause(cause_id) is None:
                add(line, "kb.problem.outcome_target", outcome=key, target=target,
                    why=_no_cause(entry.id, entry.id, cause_id))
        else:
            targets.append((key, target, line))  # another entry's: resolved once all are read
    for check_id in entry.checks:
        spec = checks.get(check_id)
        if spec is None:
            continue  # reported by the loader
        unmapped = [o for o in spec.outcomes if o != "ok" and f"{check_id}.{o}" not in entry.outcomes]
        if unmapped:
            add(entry.line_of.get("outcomes") if entry.outcomes else entry.line_of.get("checks"),
                "kb.problem.unmapped", check=check_id, outcomes=", ".join(unmapped))

    # Category and related entries.
    if categories and entry.category not in categories:
        add(entry.line_of.get("category"), "kb.problem.unknown_category", category=entry.category)
    related: list[tuple[str, int | None]] = []
    for rel in entry.related:
        if rel == entry.id:
            add(entry.line_of.get("related"), "kb.problem.related_self")
        else:
            related.append((rel, entry.line_of.get("related")))
    summary = Summary(entry.id, entry.path, list(entry.checks), entry.line_of.get("checks"),
                      frozenset(c.id for c in entry.causes), related, targets, effects)
    return summary, out


def _across(summaries: dict[str, Summary]) -> list[Problem]:
    """What only all the entries together show: a related entry or an outcome's entry that does
    not exist, a cause it does not have, an effect two entries both claim (it cannot tell them
    apart)."""
    out: list[Problem] = []
    owner: dict[str, str] = {}
    for summary in summaries.values():
        for rel, line in summary.related:
            if rel not in summaries:
                out.append(Problem(summary.path, line, "kb.problem.related_missing", entry=rel))
        for key, target, line in summary.targets:
            entry_id, _, cause_id = target.rpartition("#")
            other = summaries.get(entry_id)
            if other is None:
                why = Msg.of("kb.problem.no_entry", entry=entry_id)
            elif cause_id not in other.causes:
                why = _no_cause(summary.id, other.id, cause_id)
            else:
                continue
            out.append(Problem(summary.path, line, "kb.problem.outcome_target", outcome=key, target=target, why=why))
        for key, label, text, line in summary.effects:
            other_id = owner.setdefault(key, summary.id)
            if other_id != summary.id:
                out.append(Problem(summary.path, line, "kb.problem.effect_shared", label=label, effect=text,
                                   entry=other_id))
    return out


def _no_cause(entry_id: str, owner_id: str, cause_id: str) -> Msg:
    if owner_id == entry_id:
        return Msg.of("kb.problem.no_cause_here", cause=cause_id)
    return Msg.of("kb.problem.no_cause_there", entry=owner_id, cause=cause_id)


def _effect_sets(entry: Entry) -> list[tuple[str | Msg, dict[str, list[str]], int | None]]:
    """(label, effects, line) for the entry and each cause that has effects."""
    out: list[tuple[str | Msg, dict[str, list[str]], int | None]] = (
        [("", entry.effects, entry.line_of.get("effects"))] if entry.effects else [])
    out += [(Msg.of("kb.problem.label.cause", cause=c.id), c.effects, c.line) for c in entry.causes if c.effects]
    return out


def _fold(text: str) -> str:
    return " ".join(unaccent(text.casefold()).split())


def effect_problems(entry: Entry) -> tuple[list[Problem], list[tuple[str, str | Msg, str, int | None]]]:
    """The problems of the entry's own effects, and each effect folded (folded text, label, text,
    line) for the rule across entries."""
    out: list[Problem] = []
    folded: list[tuple[str, str | Msg, str, int | None]] = []
    langs = entry.languages()
    aliases = {_fold(a) for lang, items in entry.aliases.items() if lang != "codes" for a in items}
    seen: set[str] = set()
    for label, effects, line in _effect_sets(entry):
        for lang in langs:
            if not effects.get(lang):
                out.append(Problem(entry.path, line, "kb.problem.effects_lack", label=label, language=_NAMES[lang]))
        for items in effects.values():
            for text in items:
                key = _fold(text)
                folded.append((key, label, text, line))
                if key in aliases:
                    out.append(Problem(entry.path, line, "kb.problem.effect_alias", label=label, effect=text))
                elif key in seen:
                    out.append(Problem(entry.path, line, "kb.problem.effect_twice", label=label, effect=text))
                seen.add(key)
    return out, folded


def _reached_causes(entry: Entry) -> set[str]:
    """Causes of this entry that one of its own outcome targets names."""
    out = set()
    for target in entry.outcomes.values():
        entry_id, _, cause_id = target.rpartition("#")
        if entry_id in ("", entry.id):
            out.add(cause_id)
    return out
