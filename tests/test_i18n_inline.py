"""The command line takes every word from the one catalogue (`i18n.t(key, lang)`): no module in
copycar_assist/cli/ writes its own Spanish/English pair. Found by reading the source (AST):

- a dict literal with both an "es" and an "en" key (`{"es": …, "en": …}`, per-language label dicts);
- a call with both `es=` and `en=` keywords (`t(es=…, en=…)`);
- a function with parameters named `es` and `en` (a local `t(es, en)`);
- text chosen by a language test: `"…" if lang == "es" else "…"`, or a pair indexed by one
  (`pair[0 if es else 1]`). Choosing a language code itself (`"es" if … else "en"`) is fine.

The checks' `ctx.t(es=…, en=…)` (copycar_assist/checks/) are outside this rule."""

from __future__ import annotations

import ast
from pathlib import Path

CLI = Path(__file__).resolve().parent.parent / "copycar_assist" / "cli"
CODES = {"es", "en"}


def _is_text(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value not in CODES
    return isinstance(node, (ast.JoinedStr, ast.BinOp))


def _tests_language(node: ast.AST) -> bool:
    """`lang == "es"`, `"en" != x`, `x.startswith("es")`, or a name `es` (the result of one)."""
    if isinstance(node, ast.Name):
        return node.id in CODES
    if isinstance(node, ast.Compare):
        parts = [node.left, *node.comparators]
        return any(isinstance(p, ast.Constant) and p.value in CODES for p in parts)
    if isinstance(node, ast.Call) and node.args:
        return isinstance(node.args[0], ast.Constant) and node.args[0].value in CODES
    return False


def inline_pairs(source: str) -> list[tuple[int, str]]:
    """(line, what) for every inline language pair in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            if CODES <= keys:
                found.append((node.lineno, "a dict keyed by language"))
        elif isinstance(node, ast.Call):
            if CODES <= {k.arg for k in node.keywords}:
                found.append((node.lineno, "a call with es= and en="))
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
            if CODES <= {a.arg for a in node.args.args + node.args.kwonlyargs}:
                found.append((node.lineno, "a function of es and en"))
        elif isinstance(node, ast.IfExp) and _tests_language(node.test):
            if _is_text(node.body) or _is_text(node.orelse):
                found.append((node.lineno, "text chosen by a language test"))
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.IfExp):
            if _tests_language(node.slice.test):
                found.append((node.lineno, "a pair indexed by a language test"))
    return found


def test_the_scan_finds_every_kind_of_inline_pair():
    bad = {
        'WORDS = {"es": {"a": "hola"}, "en": {"a": "hello"}}': "a dict keyed by language",
        'x = ctx.t(es="hola", en="hello")': "a call with es= and en=",
        "def t(es, en):\n    return es if lang == 'es' else en": "a function of es and en",
        'print("Hola." if lang == "es" else "Hello.")': "text chosen by a language test",
        'note = f"API en {u}" if lang == "es" else f"API at {u}"': "text chosen by a language test",
        "title = SERVICE_TITLES[s][0 if es else 1]": "a pair indexed by a language test",
        'msg = "hola" if lang.startswith("es") else "hello"': "text chosen by a language test",
    }
    for source, what in bad.items():
        assert what in [w for _, w in inline_pairs(source)], source
    fine = ['lang = "es" if result.language == "es" else "en"', 'p.add_argument("--lang", choices=("es", "en"))',
            'print(t("cli.setup.done", lang))', '{lg: t("cli.monitor.test_alert", lg) for lg in LANGS}']
    assert [inline_pairs(s) for s in fine] == [[]] * len(fine)


def test_no_cli_module_writes_its_own_language_pair():
    found = {f"{path.name}:{line}": what for path in sorted(CLI.glob("*.py"))
             for line, what in inline_pairs(path.read_text(encoding="utf-8"))}
    assert found == {}, "move these into the catalogue (i18n/*_cli.py) and use i18n.t(key, lang)"
