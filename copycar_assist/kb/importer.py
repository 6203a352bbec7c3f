"""`kb import`: turn a guide written like ours into knowledge entries, usable at once with
`--kb DIR`.

Entries are written in the unified shape (knowledge/README.md) by the one writer of that shape
(unified_write.py), so they read like any other entry and `kb convert` leaves them alone.

What the import can and cannot know:
- An entry holds the guide's language only (`languages = ["es"]`), with both language
  sections only when the guide has both. `kb lint` warns about a one-language entry.
- A guide lists its solutions per error, not per cause, so every cause gets the error's whole
  ordered list; the file says so (an "Import note" section before the causes, and
  `[imported].note`).
- A guide's code keeps its language (`python es`); the label above it ("Código de
  verificación:") is not kept, since the unified `## Code` section holds code only.
- No check can tell imported causes apart: each cause gets a yes/no question built from its
  text, so the decision tree stays walkable. Severity is MEDIUM until someone decides.
- Categories come from the enclosing headings. They are written to the out dir's
  `categories.toml` (created, or extended without touching what is there), so the imported
  knowledge is whole on its own and `kb lint` keeps "the category exists" an error.
"""

from __future__ import annotations

import re
from pathlib import Path

import tomli_w

from copycar_assist.files.fields import fits
from copycar_assist.files.read import DATA, ReadError, read_toml
from copycar_assist.files.write import write_text

from .guide import GuideEntry, read_guide, slugify
from .unified_write import CausePart, CauseWords, CodePart, Items, Part, TextPart, entry_text, fact_lines, toml_value

_WORDS = {
    "es": {"note_title": "Nota de importación",
           "question": "¿Se da esto en tu caso: {cause}?",
           "note": "Importado de la guía, que da las soluciones por error y no por causa: cada "
                   "causa lleva la lista completa de soluciones, en su orden."},
    "en": {"note_title": "Import note",
           "question": "Does this apply in your case: {cause}?",
           "note": "Imported from the guide, which gives its solutions per error, not per cause: "
                   "every cause carries the full list of solutions, in order."},
}
_HTTP_CODE = re.compile(r"\b[1-5]\d\d\b")
_QUOTED = re.compile(r"[\"“«]([^\"”»]{3,80})[\"”»]")


class GuideImportError(Exception):
    """The import cannot go ahead (nothing was written)."""


def cause_ids(causes: list[str]) -> list[str]:
    """Stable, unique slug ids for cause texts, in order."""
    seen: dict[str, int] = {}
    out = []
    for text in causes:
        base = slugify(text, limit=48)
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return out


def _lower_first(text: str) -> str:
    """'Plan insuficiente.' → 'plan insuficiente' (but 'API key' stays 'API key')."""
    text = text.strip().rstrip(".?!")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def render_entry(g: GuideEntry, source: str | None = None) -> str:
    """The entry file in the unified shape (front matter by tomli-w, the body by the one writer)."""
    w = _WORDS[g.lang]
    ids = cause_ids(g.causes)
    codes = sorted(set(_HTTP_CODE.findall(" ".join(g.symptoms))))
    aliases = list({a.casefold(): a for a in reversed(
        [g.title, *_QUOTED.findall(" ".join(g.symptoms)), *g.symptoms])}.values())[::-1]
    meta = {
        "id": g.id,
        "category": g.category,
        "severity": "MEDIUM",
        "languages": [g.lang],
        "checks": [],
        "related": [],
        "title": {g.lang: g.title},
        "aliases": {g.lang: aliases},
        "keywords": {g.lang: [], "codes": codes},
        "imported": {"source": source or "", "line": g.line, "note": w["note"]},
    }
    parts: list[Part] = [Items("symptoms", {g.lang: g.symptoms}),
                         TextPart({g.lang: w["note_title"]}, {g.lang: [w["note"]]})]
    parts += [CausePart(cid, fact_lines({"question": {g.lang: w["question"].format(cause=_lower_first(text))}}),
                        {g.lang: CauseWords(text, steps=list(g.solutions))})
              for cid, text in zip(ids, g.causes)]
    if g.code:
        parts.append(CodePart({g.lang: g.code}))
    return entry_text(tomli_w.dumps(meta).splitlines(), parts, [g.lang])


def _categories_text(out_dir: Path, entries: list[GuideEntry]) -> str | None:
    """New content for out_dir/categories.toml with the guide's categories added, or None."""
    path = out_dir / "categories.toml"
    try:
        data, old = read_toml(path, DATA, missing_ok=True)
    except ReadError as exc:
        raise GuideImportError(f"{exc.message()} (cannot add the guide's categories to it)") from None
    items = data.get("categories", [])
    if not fits(items, "list[table]"):
        raise GuideImportError(f"{path}: 'categories' must be an array of tables (cannot add the guide's categories)")
    known = {c.get("id") for c in items}
    seen = set(known)
    new: list[tuple[str, str, str]] = []  # (category id, language, title)
    for g in entries:
        if g.category not in seen:
            seen.add(g.category)
            new.append((g.category, g.lang, g.category_title))
    if not new:
        return None
    head = old.rstrip() + "\n" if old.strip() else "# Categories of the imported entries (kb import).\n"
    # Explicit [[categories]] headers: tomli-w would write short tables as an inline array,
    # which cannot follow the [[categories]] tables already in the file.
    return head + "".join(
        f"\n[[categories]]\nid = {toml_value(cid)}\ntitle.{lang} = {toml_value(title)}\n"
        for cid, lang, title in new)


def import_guide(markdown_text: str, out_dir: Path | str, *, source: str | None = None,
                 overwrite: bool = False) -> list[Path]:
    """Write one entry file per error of the guide into `out_dir` (created if needed) and add
    the guide's categories to its categories.toml. Returns the entry files, in guide order.
    Raises GuideImportError, before writing anything, when an entry file exists and
    `overwrite` is false."""
    out_dir = Path(out_dir)
    entries = read_guide(markdown_text)
    seen: dict[str, int] = {}
    for g in entries:  # two errors with the same title: keep both
        seen[g.id] = seen.get(g.id, 0) + 1
        if seen[g.id] > 1:
            g.id = f"{g.id}-{seen[g.id]}"
    targets = [out_dir / f"{g.id}.md" for g in entries]
    clash = [str(p) for p in targets if p.exists()]
    if clash and not overwrite:
        raise GuideImportError(f"would overwrite {', '.join(clash)} (use --force to replace)")
    out_dir.mkdir(parents=True, exist_ok=True)
    categories = _categories_text(out_dir, entries)
    for g, path in zip(entries, targets):
        write_text(path, render_entry(g, source))
    if categories is not None:
        write_text(out_dir / "categories.toml", categories)
    return targets
