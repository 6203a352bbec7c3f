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

from pathlib import Path

from .errors import Problem
from .model import LANGS, Entry
from .scan import Scan, scan_data

_NAMES = {"es": "Spanish", "en": "English"}


def lint(kb_dir: Path | str | None = None) -> list[Problem]:
    """Every problem of the knowledge dir (default: the shipped one), sorted by file and line."""
    scan = _scan(kb_dir)
    problems = list(scan.problems)
    for entry in scan.entries.values():
        problems.extend(entry_problems(entry, scan))
    # Homes are a promise of the catalogue to the entries beside it: a dir that borrows the
    # shipped catalogue (an imported guide) is not held to it.
    own_catalogue = kb_dir is None or (Path(kb_dir) / "checks.toml").is_file()
    for spec in scan.checks.values() if own_catalogue else ():
        home = scan.entries.get(spec.home or "")
        if home is not None and spec.id not in home.checks:
            problems.append(Problem(home.path, home.line_of.get("checks"),
                                    f"check '{spec.id}' names this entry as its home, but the entry does not list it"))
    problems.extend(shared_effects(scan))
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (str(p.path), p.line or 0, p.message))


def _scan(kb_dir: Path | str | None) -> Scan:
    """The directory read, each entry file the last compile saw unchanged (same bytes, same data
    files and code) decoded from the store instead of parsed: an author's edit-lint loop parses
    only what was edited."""
    import os

    from .compile import Previous, scan_reusing
    from .store import cache_path, digests

    scan = scan_data(kb_dir)
    previous: Previous | None = None
    entries: dict[Path, str] = {}
    if scan.root.is_dir() and not os.environ.get("COPYCAR_ASSIST_NO_CACHE"):
        try:
            base, entries = digests(scan.root)
            previous = Previous.open(cache_path(scan.root, "entries"), base)
        except OSError:
            previous = None  # every file is parsed
    scan_reusing(scan, previous, entries)
    return scan


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def entry_problems(entry: Entry, scan: Scan) -> list[Problem]:
    out: list[Problem] = []

    def add(line: int | None, message: str, severity: str = "error") -> None:
        out.append(Problem(entry.path, line, message, severity))

    langs = entry.languages()
    declared = entry.declared_languages
    missing = [lang for lang in LANGS if lang not in declared]
    if missing:  # (a declared language that is missing is the loader's error)
        add(entry.line_of.get("body"), f"written in {', '.join(_NAMES[x] for x in declared)} only; "
            f"add the {', '.join(_NAMES[x] for x in missing)} section to serve both languages", "warning")

    # Symptoms and causes, per language.
    for lang in langs:
        section = entry.sections[lang]
        if not section.symptoms:
            add(section.line, f"no symptoms listed in the {_NAMES[lang]} section")
    if len(langs) == 2:
        counts = {lang: len(entry.sections[lang].symptoms) for lang in langs}
        if len(set(counts.values())) > 1:
            add(entry.sections["en"].line, f"Spanish lists {counts['es']} symptom(s), English {counts['en']}")
    if not entry.causes:
        add(entry.line_of.get("body"), "no causes: every symptom must lead to at least one cause ([[causes]])")

    reached = _reached_causes(entry, scan)
    for cause in entry.causes:
        for lang in langs:
            name = _NAMES[lang]
            if lang not in cause.title:
                add(cause.line, f"cause '{cause.id}' is not described in the {name} section "
                    f"(add '#### `{cause.id}` — …')")
            elif not cause.steps.get(lang):
                add(cause.body_line.get(lang, cause.line),
                    f"cause '{cause.id}' has no solution steps in {name} (an ordered list)")
        if cause.id not in reached:
            if not cause.question:
                add(cause.line, f"cause '{cause.id}' is reached by no check outcome and has no question")
            else:
                for lang in langs:
                    if not cause.question.get(lang):
                        add(cause.line, f"the question of cause '{cause.id}' lacks {_NAMES[lang]}")

    for narrowing in entry.narrowing:
        for lang in langs:
            if not narrowing.question.get(lang):
                add(narrowing.line, f"the narrowing question '{narrowing.id}' lacks {_NAMES[lang]}")
    out.extend(effect_problems(entry))

    # Checks and outcomes.
    for key, target in entry.outcomes.items():
        line = entry.line_of.get(f"outcome:{key}")
        check_id, _, outcome = key.rpartition(".")
        if check_id in scan.checks and check_id not in entry.checks:
            add(line, f"outcome '{key}': check '{check_id}' is not listed in 'checks'")
        if outcome == "ok":
            add(line, f"outcome '{key}': 'ok' means this is not the problem; it cannot point to a cause")
        why = _unresolved(entry, target, scan)
        if why:
            add(line, f"outcome '{key}' points to '{target}': {why}")
    for check_id in entry.checks:
        spec = scan.checks.get(check_id)
        if spec is None:
            continue  # reported by the loader
        unmapped = [o for o in spec.outcomes if o != "ok" and f"{check_id}.{o}" not in entry.outcomes]
        if unmapped:
            add(entry.line_of.get("outcomes") if entry.outcomes else entry.line_of.get("checks"),
                f"check '{check_id}': outcome(s) {', '.join(unmapped)} map to no cause in [outcomes]")

    # Category and related entries.
    if scan.categories and entry.category not in {c.id for c in scan.categories}:
        add(entry.line_of.get("category"), f"unknown category '{entry.category}' (not in categories.toml)")
    for rel in entry.related:
        if rel not in scan.entries:
            add(entry.line_of.get("related"), f"related entry '{rel}' does not exist")
        elif rel == entry.id:
            add(entry.line_of.get("related"), "an entry cannot be related to itself")
    return out


def _effect_sets(entry: Entry) -> list[tuple[str, dict[str, list[str]], int | None]]:
    """(label, effects, line) for the entry and each cause that has effects."""
    out = [("", entry.effects, entry.line_of.get("effects"))] if entry.effects else []
    out += [(f"cause '{c.id}': ", c.effects, c.line) for c in entry.causes if c.effects]
    return out


def _fold(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())


def effect_problems(entry: Entry) -> list[Problem]:
    out: list[Problem] = []
    langs = entry.languages()
    aliases = {_fold(a) for lang, items in entry.aliases.items() if lang != "codes" for a in items}
    seen: set[str] = set()
    for label, effects, line in _effect_sets(entry):
        for lang in langs:
            if not effects.get(lang):
                out.append(Problem(entry.path, line, f"{label}effects are not written in {_NAMES[lang]}"))
        for items in effects.values():
            for text in items:
                key = _fold(text)
                if key in aliases:
                    out.append(Problem(entry.path, line, f"{label}effect '{text}' repeats an alias"))
                elif key in seen:
                    out.append(Problem(entry.path, line, f"{label}effect '{text}' is listed twice"))
                seen.add(key)
    return out


def shared_effects(scan: Scan) -> list[Problem]:
    """An effect two entries both claim cannot tell them apart."""
    owner: dict[str, str] = {}
    out: list[Problem] = []
    for entry in scan.entries.values():
        for label, effects, line in _effect_sets(entry):
            for items in effects.values():
                for text in items:
                    key = _fold(text)
                    other = owner.setdefault(key, entry.id)
                    if other != entry.id:
                        out.append(Problem(entry.path, line, f"{label}effect '{text}' is also an effect of '{other}'"))
    return out


def _unresolved(entry: Entry, target: str, scan: Scan) -> str | None:
    """Why an outcome target names no cause, or None when it resolves."""
    entry_id, _, cause_id = target.rpartition("#")
    owner = scan.entries.get(entry_id) if entry_id else entry
    if owner is None:
        return f"there is no entry '{entry_id}'"
    if owner.cause(cause_id) is None:
        where = "this entry" if owner is entry else f"entry '{owner.id}'"
        return f"{where} has no cause '{cause_id}' (targets are 'cause-id' or 'entry-id#cause-id')"
    return None


def _reached_causes(entry: Entry, scan: Scan) -> set[str]:
    """Causes of this entry that one of its own outcome targets names."""
    out = set()
    for target in entry.outcomes.values():
        entry_id, _, cause_id = target.rpartition("#")
        if entry_id in ("", entry.id):
            out.add(cause_id)
    return out
