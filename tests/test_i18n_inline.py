"""Every word goes through the one catalogue (`i18n.t(key, lang)`, or a `files.msg.Msg` when the
language is not known yet): no module writes its own Spanish/English pair. Found by reading the
source (AST):

- a dict literal with both an "es" and an "en" key (`{"es": …, "en": …}`, per-language label dicts);
- a call with both `es=` and `en=` keywords (`t(es=…, en=…)`);
- a function with parameters named `es` and `en` (a local `t(es, en)`);
- text chosen by a language test: `"…" if lang == "es" else "…"`, or a pair indexed by one
  (`pair[0 if es else 1]`). Choosing a language code itself (`"es" if … else "en"`) is fine;
- a (Spanish, English) tuple of texts: two strings, the first with a Spanish mark (á é í ó ú ñ ¿ ¡ «)
  or word ("el", "la", "para" …) and the second with none (words: a letter pair like ("y", "s") is
  no text).

Outside the rule (`NOT_WORDS_OF_THE_APP`): the catalogue itself, the words of the knowledge *format*
(the headings an author writes in each language, what the importer writes into an entry) and a JSON
document that carries both languages on purpose (a monitor alert's `message`).

The command line has a stricter rule of its own below (`english_literals`).

Nor does it write English of its own where a message goes out (`english_literals`):

- argparse's help, descriptions and epilogs (`help=`, `description=`, `epilog=`, a dict's "help")
  are catalogue keys, or `Help(key, …)`;
- `UsageError` and `argparse.ArgumentTypeError` are raised with a catalogue key;
- what is printed or written (`print`, `.write`, `.say`, `.info`, `.add`, `.line`, argparse's
  `.exit` and `.error`) holds no English literal: text passed through (`scrub(…)`, `one_line(…)`,
  f-strings, `a or b`, `x if c else y`) is looked into, values (`d["k"]`, `d.get("k")`) and
  catalogue calls (`t(…)`) are not. English is a word of three letters or more; a lone lower-case
  identifier (`"error"`, a JSON event's type) is a code, and the program's name, options
  (`--limit`), `{placeholders}`, `code spans`, `[tables.` of the settings and URLs are not words.

Every `cli.*` key the command line names exists in the catalogue, and no catalogue call passes a
value named `key` or `lang` (they are `t()`'s own parameters)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from copycar_assist.i18n import has

PACKAGE = Path(__file__).resolve().parent.parent / "copycar_assist"
CLI = PACKAGE / "cli"
CODES = {"es", "en"}
# Spanish marks, or a word English does not use
SPANISH = re.compile(r"[áéíóúñ¿¡«]|\b(?:el|la|los|las|del|que|una|un|para|con|por|se|y)\b", re.IGNORECASE)
NOT_WORDS_OF_THE_APP = {
    "i18n/__init__.py",  # the catalogue: one dict per language
    "kb/loader.py", "kb/body.py", "kb/unified.py",  # the headings an entry is written with, per language
    "kb/importer.py",  # what `kb import` writes into an entry, in the entry's languages
    "monitor/rules.py",  # an alert's JSON form carries its message in both languages
}


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
        elif isinstance(node, ast.Tuple) and len(node.elts) == 2:
            first, second = (_literal_text(e) for e in node.elts)
            if first and second and " " in first and SPANISH.search(first) and not SPANISH.search(second):
                found.append((node.lineno, "a (Spanish, English) tuple"))
    return found


def _literal_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
    return None


def test_the_scan_finds_every_kind_of_inline_pair():
    bad = {
        'WORDS = {"es": {"a": "hola"}, "en": {"a": "hello"}}': "a dict keyed by language",
        'x = ctx.t(es="hola", en="hello")': "a call with es= and en=",
        "def t(es, en):\n    return es if lang == 'es' else en": "a function of es and en",
        'print("Hola." if lang == "es" else "Hello.")': "text chosen by a language test",
        'note = f"API en {u}" if lang == "es" else f"API at {u}"': "text chosen by a language test",
        "title = SERVICE_TITLES[s][0 if es else 1]": "a pair indexed by a language test",
        'msg = "hola" if lang.startswith("es") else "hello"': "text chosen by a language test",
        'PHASES = {"dns": ("resolviendo el nombre", "resolving the name")}': "a (Spanish, English) tuple",
        'pair = (f"Usar el endpoint {u}", f"Use the endpoint {u}")': "a (Spanish, English) tuple",
    }
    for source, what in bad.items():
        assert what in [w for _, w in inline_pairs(source)], source
    fine = ['lang = "es" if result.language == "es" else "en"', 'p.add_argument("--lang", choices=("es", "en"))',
            'print(t("cli.setup.done", lang))', '{lg: t("cli.monitor.test_alert", lg) for lg in LANGS}',
            'pair = ("añadir", "añadir")', 'x = ("12:30", "13:00")', 'kinds = ("el texto", "la lista")', 'yes = ("y", "s")']
    assert [inline_pairs(s) for s in fine] == [[]] * len(fine)


def test_no_module_writes_its_own_language_pair():
    paths = [p for p in sorted(PACKAGE.rglob("*.py")) if p.relative_to(PACKAGE).as_posix() not in NOT_WORDS_OF_THE_APP]
    assert len(paths) > 200 and CLI / "doctor_cmd.py" in paths and PACKAGE / "checks" / "api.py" in paths
    found = {f"{path.relative_to(PACKAGE)}:{line}": what for path in paths
             for line, what in inline_pairs(path.read_text(encoding="utf-8"))}
    assert found == {}, "move these into the catalogue (i18n/*.py) and use i18n.t(key, lang) or files.msg.Msg"


def test_what_is_left_out_of_the_rule_still_exists():
    assert all((PACKAGE / name).is_file() for name in NOT_WORDS_OF_THE_APP)


# --- English written in the code -------------------------------------------------------------------

HELP_KEYWORDS = {"help", "description", "epilog"}
KEYED = {"UsageError", "ArgumentTypeError"}  # raised with a catalogue key
SINKS = {"print", "write", "say", "info", "add", "line", "exit", "error"}  # where text goes out
VALUES = {"t", "get", "getattr", "repr", "len", "sorted"}  # calls whose arguments are no message text
WORD = re.compile(r"[A-Za-z]{3,}")
CODE = re.compile(r"[a-z][a-z0-9_]*")
NOT_WORDS = re.compile(r"copycar-assist|--?[a-z][a-z-]*|`[^`]*`|\{[^}]*\}|\[[a-z_]+\.|https?://\S+")
CLI_KEY = re.compile(r"^cli\.[a-z_]+(\.[a-z_]+)*$")


def _name(func: ast.AST) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _texts(node: ast.AST | None) -> list[str]:
    """The literal text `node` puts in a message (see the module docstring)."""
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) else []
    if isinstance(node, ast.JoinedStr):
        return [t for v in node.values for t in (_texts(v.value) if isinstance(v, ast.FormattedValue) else _texts(v))]
    if isinstance(node, ast.BinOp):
        return _texts(node.left) + _texts(node.right)
    if isinstance(node, ast.IfExp):
        return _texts(node.body) + _texts(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [t for v in node.values for t in _texts(v)]
    if isinstance(node, ast.Dict):
        return [t for v in node.values for t in _texts(v)]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [t for v in node.elts for t in _texts(v)]
    if isinstance(node, ast.Call) and _name(node.func) not in VALUES:
        on = _texts(node.func.value) if isinstance(node.func, ast.Attribute) else []
        return on + (_texts(node.args[0]) if node.args else [])
    return []


def _english(text: str) -> bool:
    return not has(text) and not CODE.fullmatch(text) and bool(WORD.search(NOT_WORDS.sub(" ", text)))


def _is_key(node: ast.AST | None) -> bool:
    if isinstance(node, ast.Call) and _name(node.func) == "Help" and node.args:
        node = node.args[0]
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and has(node.value)


def english_literals(source: str) -> list[tuple[int, str]]:
    """(line, what) for every English literal `source` would show (see the module docstring)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if isinstance(k, ast.Constant) and k.value == "help" and not _is_key(v):
                    found.append((v.lineno, "help that is not a catalogue key"))
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        for kw in node.keywords:
            if kw.arg in HELP_KEYWORDS and not _is_key(kw.value):
                found.append((node.lineno, f"{kw.arg}= that is not a catalogue key"))
        if name in KEYED and not (node.args and _is_key(node.args[0])):
            found.append((node.lineno, f"{name} without a catalogue key"))
        if name in SINKS:
            args = node.args[1:] if name == "exit" else node.args
            if any(_english(t) for a in args for t in _texts(a)):
                found.append((node.lineno, f"English passed to {name}()"))
    return found


def test_the_scan_finds_english_and_lets_the_rest_pass():
    bad = {
        'p.add_argument("--json", help="print JSON only")': "help= that is not a catalogue key",
        'sub.add_parser("x", help="cli.help.json_only", description=f"about {x}")': "description= that is not a catalogue key",
        'lang = {"choices": ("es", "en"), "help": "language of the text"}': "help that is not a catalogue key",
        'raise UsageError(f"--limit must be between 1 and {n}")': "UsageError without a catalogue key",
        'raise UsageError(str(exc))': "UsageError without a catalogue key",
        'raise argparse.ArgumentTypeError("expected a date")': "ArgumentTypeError without a catalogue key",
        'print("The outbox is empty.")': "English passed to print()",
        'print(f"{args.key} removed ({path})", file=sys.stderr)': "English passed to print()",
        'print(scrub(one_line(f"{i.id} — {state}  (cut short)", 300)))': "English passed to print()",
        'print(f"# {path}" + ("" if path.exists() else "  (not created yet: defaults)"))': "English passed to print()",
        'sys.stdout.write(f"… {n} more\\n")': "English passed to write()",
        'print(json.dumps({"type": "error", "message": f"line {n}: not JSON"}))': "English passed to print()",
        'self.line(f"  {mark} {title} ({ms} ms) done")': "English passed to line()",
        'self.exit(3, f"{self.prog}: error: {message}")': "English passed to exit()",
    }
    for source, what in bad.items():
        assert what in [w for _, w in english_literals(source)], source
    fine = ['print(t("cli.tickets.empty", lang))', 'print(f"{r[\'id\']:<{width}}  {r[\'severity\']:<8}")',
            'print(scrub(f"{mark} {r.case_id} {r.destination}: {r.detail}{where}"))',
            'print(scrub(f"  {name}: {d.remote.get(\'id\')} {d.remote.get(\'url\') or \'\'}".rstrip()))',
            'raise UsageError("cli.sessions.no_such", id=repr(wanted))', 'print(path)',
            'p.add_argument("--limit", help=Help("cli.help.match.limit", max=50))',
            'print(t("cli.error", lang, message=exc.message(lang)), file=sys.stderr)',
            'print(f"copycar-assist: {p}", file=sys.stderr)', 'print(f"    «{one_line(text, 90)}»")',
            'print(json.dumps({"type": "error", "message": t("cli.train.json_expected", lang, n=n)}))',
            'self.line(f"  {mark} {title} ({ms} ms)")', 'io.say(t("cli.setup.title", lang) + f" [profiles.{p}]")']
    assert [english_literals(s) for s in fine] == [[]] * len(fine)


def test_no_cli_module_writes_english_of_its_own():
    found = {f"{path.name}:{line}": what for path in sorted(CLI.glob("*.py"))
             for line, what in english_literals(path.read_text(encoding="utf-8"))}
    assert found == {}, "give these a key in i18n/*_cli.py (or *_cli_help.py) and print t(key, lang)"


def test_every_cli_key_named_exists_and_no_value_is_named_key_or_lang():
    missing, clashes = [], []
    for path in sorted(CLI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CLI_KEY.match(node.value):
                if not has(node.value):
                    missing.append(f"{path.name}:{node.lineno}: {node.value}")
            if isinstance(node, ast.Call) and _name(node.func) in {"t", "UsageError", "Help"}:
                if {k.arg for k in node.keywords} & {"key", "lang"}:
                    clashes.append(f"{path.name}:{node.lineno}")
    assert missing == [] and clashes == []
