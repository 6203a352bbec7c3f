"""`copycar-assist kb list|show|lint|import`: look at, check and extend the knowledge base.

    kb list [--json] [--lang es|en]   every entry: id, severity, category, title
    kb show ID [--lang es|en]         one entry as plain text: symptoms, causes with their
                                      steps, pitfalls, code
    kb lint [DIR]                     prove the decision tree is whole; one `file:line: message`
                                      line per problem on stdout, a summary on stderr;
                                      exit 0 when there is no error (warnings allowed), else 1
    kb import GUIDE.md --out DIR      one entry file per error of a guide written like ours
    kb new ID [--dir DIR] [--category CAT]   a new entry file that passes lint, to fill in
    kb convert [DIR]                  rewrite per-language entries (## Español / ## English)
                                      in the unified shape; the loaded facts stay the same
    kb gaps [--json]                  what saved conversations did not understand, grouped by
                                      the entry finally chosen (gaps_cmd.py)

The global `--kb DIR` selects the knowledge base of list, show and lint (lint also takes DIR).
An unknown id exits 3 and names the closest ids.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .streams import counted, emit_json

if TYPE_CHECKING:
    from pathlib import Path

    from copycar_assist.kb.model import CodeBlock, Note
    from copycar_assist.kb.tree import DecisionTree


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("kb", help="cli.help.kb", description="cli.help.kb.about")
    sub = p.add_subparsers(dest="kb_action", metavar="ACTION")
    sub.required = True

    def lang_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--lang", choices=("es", "en"), default=argparse.SUPPRESS, help="cli.help.lang_text_en")

    ls = sub.add_parser("list", help="cli.help.kb.list")
    ls.add_argument("--json", action="store_true", help="cli.help.json_only")
    ls.add_argument("--progress", action="store_true", help="cli.help.kb.progress")
    lang_option(ls)
    ls.set_defaults(handler=_list)

    sh = sub.add_parser("show", help="cli.help.kb.show")
    sh.add_argument("id", metavar="ID")
    lang_option(sh)
    sh.set_defaults(handler=_show)

    li = sub.add_parser("lint", help="cli.help.kb.lint")
    li.add_argument("dir", metavar="DIR", nargs="?", help="cli.help.kb.dir")
    li.add_argument("--json", action="store_true", help="cli.help.json_only")
    li.set_defaults(handler=_lint)

    im = sub.add_parser("import", help="cli.help.kb.import")
    im.add_argument("guide", metavar="GUIDE.md")
    im.add_argument("--out", metavar="DIR", required=True, help="cli.help.kb.import.out")
    im.add_argument("--force", action="store_true", help="cli.help.kb.import.force")
    im.set_defaults(handler=_import)

    new = sub.add_parser("new", help="cli.help.kb.new")
    new.add_argument("id", metavar="ID")
    new.add_argument("--dir", metavar="DIR", help="cli.help.kb.new.dir")
    new.add_argument("--category", metavar="CAT", help="cli.help.kb.new.category")
    new.set_defaults(handler=_new)

    cv = sub.add_parser("convert", help="cli.help.kb.convert")
    cv.add_argument("dir", metavar="DIR", nargs="?", help="cli.help.kb.dir")
    cv.set_defaults(handler=_convert)

    from . import gaps_cmd

    gaps_cmd.add_parser(sub)


def _lang(args: argparse.Namespace) -> str:
    lang: str = args.ctx.ui_lang  # --lang, else the settings' language, else the environment
    return lang


def _progress_line(done: int, total: int) -> None:
    """A compile's progress as `kb list --progress` reports it (for the app): "done total"."""
    print(done, total, file=sys.stderr, flush=True)


def _list(args: argparse.Namespace) -> int:
    from copycar_assist.cli import UsageError
    from copycar_assist.kb import KnowledgeError, pick
    from copycar_assist.kb.store import open_store
    from copycar_assist.matching.companion import MATCHER
    from copycar_assist.textsafe import one_line

    from .context import handed_digests

    told = counted(lambda: args.ctx.ui_lang, "cli.status.compiling", "cli.status.indexing",
                   given=_progress_line if args.progress else None)
    try:  # a first compile makes the matcher's index too (the next command needs no second pass)
        with told as progress:
            heads = open_store(args.kb, companion=MATCHER, digested=handed_digests(args.kb),
                               progress=progress).heads()  # the listing is in the store
    except KnowledgeError as exc:
        raise UsageError("cli.ctx.kb", detail=exc.text(args.ctx.ui_lang)) from None
    lang = _lang(args)
    rows = [{"id": h["id"], "title": pick(h["title"], lang, h["id"]), "category": h["category"],
             "severity": h["severity"]} for h in sorted(heads, key=lambda h: h["id"])]
    if args.json:
        emit_json({"entries": rows}, indent=2)
        return 0
    from .columns import columns_of, cut, width

    id_width = max((len(r["id"]) for r in rows), default=2)
    cat_width = max((len(r["category"]) for r in rows), default=8)
    columns = columns_of(sys.stdout)  # on a terminal a row is one line: the title is cut to fit
    for r in rows:
        head = f"{r['id']:<{id_width}}  {r['severity']:<8}  {one_line(r['category']):<{cat_width}}  "
        title = one_line(r["title"])
        print(head + (cut(title, max(12, columns - 1 - width(head))) if columns else title))
    return 0


def _unknown_id(entry_id: str, ids: list[str]) -> Exception:
    import difflib

    from copycar_assist.cli import UsageError

    close = difflib.get_close_matches(entry_id, ids, n=5, cutoff=0.5)
    close += [i for i in ids if entry_id and entry_id in i and i not in close]
    if close:
        return UsageError("cli.kb.no_entry_close", id=entry_id, close=", ".join(close[:5]))
    return UsageError("cli.kb.no_entry", id=entry_id, known=", ".join(sorted(ids)))


def _show(args: argparse.Namespace) -> int:
    from copycar_assist.kb.tree import DecisionTree
    from copycar_assist.textsafe import one_line

    kb = args.ctx.kb
    if args.id not in kb.entries:
        raise _unknown_id(one_line(args.id, 80), list(kb.entries))
    from .columns import columns_of

    print(render_entry_text(DecisionTree(kb), args.id, _lang(args), columns_of(sys.stdout)))
    return 0


def render_entry_text(tree: DecisionTree, entry_id: str, lang: str, columns: int | None = None) -> str:
    """A readable plain-text page for one entry (text from the files is made inert); on a
    terminal `columns` wide, its prose wrapped to it (the code as it is)."""
    from copycar_assist.i18n import t
    from copycar_assist.kb import pick
    from copycar_assist.textsafe import clean, one_line

    from .columns import fit

    entry = tree.entry(entry_id)
    langs = entry.languages()
    shown = lang if lang in langs else (langs[0] if langs else lang)
    category = tree.kb.category(entry.category)
    out = [f"{one_line(pick(entry.title, shown, entry.id))}  ({entry.id})"]
    if shown != lang:
        out.append(t("cli.kb.only", lang, langs=", ".join(langs)))
    out.append(f"{t('cli.kb.category', lang)}: {one_line(pick(category.title, lang, entry.category) if category else entry.category)}"
               f"    {t('cli.kb.severity', lang)}: {entry.severity}")
    out.append(f"{t('cli.kb.checks', lang)}: {', '.join(entry.checks) or t('cli.kb.none', lang)}")
    section = entry.sections.get(shown)
    code: set[int] = set()  # lines never wrapped again: code samples (copied), notes (fitted already)
    out += ["", t("cli.kb.symptoms", lang)] + [f"  - {one_line(s, 400)}" for s in tree.symptoms(entry_id, shown)]
    out += ["", t("cli.kb.causes", lang)]
    for n, cause in enumerate(entry.causes, 1):
        out.append(f"  {n}. {one_line(pick(cause.title, shown, cause.id), 200)}  [{cause.id}]")
        found = tree.reached_by(entry_id, cause.id)
        if found:
            out.append(f"     {t('cli.kb.found_by', lang)}: {', '.join(found)}")
        if cause.question:
            out.append(f"     {t('cli.kb.question', lang)}: {one_line(pick(cause.question, shown), 400)}")
        explanation = clean(cause.explanation.get(shown, "")).strip()
        # a paragraph, wrapped to the terminal rather than at the source's line breaks
        explanation = fit(explanation, columns and columns - 5, markdown=True)
        out += [f"     {line}" for line in explanation.splitlines()]
        steps = tree.steps(entry_id, cause.id, shown)
        if steps:
            out.append(f"     {t('cli.kb.steps', lang)}:")
            out += [f"       {i}. {one_line(s, 400)}" for i, s in enumerate(steps, 1)]
    if section and section.pitfalls:
        out += ["", t("cli.kb.pitfalls", lang)] + [f"  - {one_line(p, 400)}" for p in section.pitfalls]
    for note in section.notes if section else []:  # its sections of text for people, as written
        out += ["", one_line(note.title, 200)]
        text = fit(clean(note.text), columns and columns - 3, markdown=True)  # its code and table rows kept whole
        lines = [f"  {line}" if line else "" for line in text.splitlines()]
        code.update(range(len(out), len(out) + len(lines)))  # fitted already
        out += lines
    samples = [b for b in section.code if not _in_a_note(b, section.notes)] if section else []
    if samples:  # a sample written in a section of text for people is shown there
        out += ["", t("cli.kb.code", lang)]
        for block in samples:
            out.append(f"  --- {one_line(block.lang, 40) or 'text'} ---")
            lines = [f"  {line}" for line in clean(block.code).rstrip("\n").splitlines()]
            code.update(range(len(out), len(out) + len(lines)))
            out += [*lines, "  ---"]
    if columns:
        out = [line if n in code else fit(line, columns) for n, line in enumerate(out)]
    return "\n".join(out)


def _in_a_note(block: CodeBlock, notes: list[Note]) -> bool:
    return block.line is not None and any(note.line <= block.line < note.end for note in notes)


def _lint(args: argparse.Namespace) -> int:
    from copycar_assist.i18n import t
    from copycar_assist.kb.lint import lint
    from copycar_assist.textsafe import one_line

    target = args.dir or args.kb
    with counted(lambda: args.ctx.ui_lang, "cli.status.linting") as progress:
        problems = lint(target, progress)
    n_err = sum(p.severity == "error" for p in problems)
    n_warn = len(problems) - n_err
    lang = args.ctx.ui_lang
    if args.json:  # `message` stays English (what scripts match); `text` is in the UI language
        emit_json({
            "problems": [{"file": str(p.path), "line": p.line, "severity": p.severity, "message": p.message,
                          "key": p.what.key, "text": p.reason(lang)} for p in problems],
            "errors": n_err, "warnings": n_warn,
        }, indent=2)
    else:
        for p in problems:
            print(one_line(p.text(lang), 1000))
        where = target or t("cli.kb.shipped", lang)
        print(t("cli.kb.lint_summary", lang, errors=n_err, warnings=n_warn, where=where), file=sys.stderr)
    return 1 if n_err else 0


def _import(args: argparse.Namespace) -> int:
    from copycar_assist.cli import UsageError
    from copycar_assist.files.read import GUIDE, ReadError, read_text
    from copycar_assist.i18n import t
    from copycar_assist.kb.importer import GuideImportError, import_guide
    from copycar_assist.kb.lint import lint

    try:
        text = read_text(args.guide, GUIDE) or ""
    except ReadError as exc:
        raise UsageError("cli.kb.cannot_read_guide", detail=exc) from None
    try:
        written = import_guide(text, args.out, source=args.guide, overwrite=args.force)
    except GuideImportError as exc:
        raise UsageError("cli.detail", detail=exc) from None
    except OSError as exc:
        raise UsageError("cli.kb.cannot_write_to", path=args.out, reason=exc.strerror or exc) from None
    lang = args.ctx.ui_lang
    if not written:
        print(t("cli.kb.import_none", lang, guide=args.guide), file=sys.stderr)
        return 1
    for path in written:
        print(path)
    problems = lint(args.out)
    errors = [p for p in problems if p.severity == "error"]
    for p in errors:
        print(p.text(lang), file=sys.stderr)
    print(t("cli.kb.import_done", lang, n=len(written), out=args.out), file=sys.stderr)
    return 1 if errors else 0


def _writable_dir(args: argparse.Namespace, given: str | None) -> Path:
    """The knowledge dir to write into: DIR, else --kb, else the shipped one when it is a checkout."""
    from pathlib import Path

    from copycar_assist.cli import UsageError
    from copycar_assist.kb import default_dir

    folder = Path(given or args.kb or default_dir())
    if not (given or args.kb) and "site-packages" in folder.parts:
        raise UsageError("cli.kb.read_only")
    if not folder.is_dir():
        raise UsageError("cli.kb.no_dir", dir=folder)
    return folder


def _new(args: argparse.Namespace) -> int:
    from copycar_assist.cli import UsageError
    from copycar_assist.files.fields import is_id
    from copycar_assist.files.write import write_text
    from copycar_assist.kb import KnowledgeError
    from copycar_assist.kb.loader import data_path, load_categories
    from copycar_assist.kb.scaffold import new_entry
    from copycar_assist.textsafe import one_line

    if not is_id(args.id) or args.id.upper() == "README":
        raise UsageError("cli.kb.bad_id", id=one_line(args.id, 80))
    folder = _writable_dir(args, args.dir)
    try:
        categories = [c.id for c in load_categories(data_path(folder, "categories.toml"))]
    except KnowledgeError as exc:
        raise UsageError("cli.detail", detail=exc.text(args.ctx.ui_lang)) from None
    category = args.category or (categories[0] if categories else "")
    if category not in categories:
        raise UsageError("cli.kb.unknown_category", category=one_line(category, 80), known=", ".join(categories))
    path = folder / f"{args.id}.md"
    if path.exists() or path.is_symlink():
        raise UsageError("cli.kb.exists", path=path)
    write_text(path, new_entry(args.id, category))
    print(path)
    from copycar_assist.i18n import t

    print(t("cli.kb.next", args.ctx.ui_lang, dir=folder), file=sys.stderr)
    return 0


def _convert(args: argparse.Namespace) -> int:
    from copycar_assist.files.read import ENTRY, ReadError, read_text
    from copycar_assist.files.write import write_text
    from copycar_assist.kb import KnowledgeError
    from copycar_assist.kb.convert import UNIFIED, ConvertError, convert_entry, problems_after
    from copycar_assist.kb.loader import entry_paths

    folder = _writable_dir(args, args.dir)
    failed = converted = 0
    for path in entry_paths(folder):
        try:
            text = read_text(path, ENTRY) or ""
            new = convert_entry(path, text)
        except ConvertError as exc:
            if exc.msg.key != UNIFIED:
                failed += 1
                print(f"{path}: {exc.text(args.ctx.ui_lang)}")
            continue
        except ReadError as exc:
            failed += 1
            print(f"{path}: {exc.message(args.ctx.ui_lang)}")
            continue
        except KnowledgeError as exc:
            failed += 1
            print(f"{path}: {exc.text(args.ctx.ui_lang)}")
            continue
        problems = problems_after(path, text, new)
        if problems:
            failed += 1
            print("\n".join(p.text(args.ctx.ui_lang) for p in problems))
            continue
        write_text(path, new)
        converted += 1
    from copycar_assist.i18n import t

    print(t("cli.kb.convert_done", args.ctx.ui_lang, converted=converted, failed=failed), file=sys.stderr)
    return 1 if failed else 0
