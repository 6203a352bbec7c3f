"""Architecture rules: domain packages never import Textual; no source file grows too big."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "copycar_assist"
DOMAIN = ("kb", "training", "matching", "checks", "conversation", "support", "simulator", "monitor", "config", "redact",
          "textsafe", "i18n", "files", "config_io", "config_errors", "desk", "lazy", "runs")
MAX_LINES = 450

_PROBE = r"""
import importlib, importlib.util, json, pkgutil, sys
names, failed = [], {}
for short in sys.argv[1:]:
    name = "copycar_assist." + short
    if importlib.util.find_spec(name) is None:
        continue  # not written yet
    mod = importlib.import_module(name)
    names.append(name)
    for info in pkgutil.walk_packages(getattr(mod, "__path__", []), name + "."):
        try:
            importlib.import_module(info.name)
            names.append(info.name)
        except Exception as exc:
            failed[info.name] = f"{type(exc).__name__}: {exc}"
print(json.dumps({"imported": names, "failed": failed,
                  "textual": sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))}))
"""


def test_domain_packages_do_not_import_textual():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    r = subprocess.run([sys.executable, "-c", _PROBE, *DOMAIN], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert "copycar_assist.kb" in report["imported"]
    assert report["failed"] == {}, report["failed"]
    assert report["textual"] == [], f"textual imported by a domain package: {report['textual'][:3]}"


def test_no_source_file_is_too_long():
    too_long = {}
    for path in PACKAGE.rglob("*.py"):
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            too_long[str(path.relative_to(REPO))] = n
    assert too_long == {}, f"split these files (over {MAX_LINES} lines): {too_long}"


# Which part of the package may import which (every import counts, a function's lazy ones too;
# `if TYPE_CHECKING:` ones do not: they never run). Front ends (cli, tui) drive the domain; the
# domain never imports them. No two parts import each other, through any chain: the run history
# (runs) sits below the checks, which read the usual latency and the last alert from it, and
# support sits above them (tickets carry their results, deliveries use their HTTP and SMTP).
# The settings' problems (config_errors) word themselves from the catalogue, as the reader's
# errors (files) do; every error message is one kind of value (files.msg.Msg), which the settings
# and desk build too.
ALLOWED = {
    "__main__": {"cli"},
    "files": {"i18n", "textsafe"},
    "lazy": set(),
    "kb": {"files", "lazy"},
    "matching": {"files", "kb", "lazy", "textsafe"},
    "config_errors": {"files", "i18n"},
    "config_schema": {"config_errors", "files", "redact", "textsafe"},
    "config_io": {"files"},
    "config": {"config_errors", "config_io", "config_schema", "files", "redact", "textsafe"},
    # the demo's scenarios are described in the one catalogue (sim.scenario.*)
    "simulator": {"config_schema", "files", "i18n", "lazy", "redact"},
    "runs": {"files", "i18n", "redact", "textsafe"},
    # checks say what they found through the one catalogue (i18n/*_checks.py), not in pairs of their own
    "checks": {"config_schema", "files", "i18n", "kb", "lazy", "redact", "runs", "textsafe"},
    "support": {"checks", "config_io", "files", "i18n", "kb", "redact", "textsafe"},
    "desk": {"checks", "config", "config_io", "config_schema", "files", "i18n", "kb", "redact"},
    "monitor": {"checks", "files", "i18n", "kb", "redact", "runs", "textsafe"},
    "conversation": {"checks", "config", "desk", "i18n", "kb", "matching", "redact", "runs", "support", "textsafe"},
    "training": {"checks", "config", "conversation", "files", "i18n", "kb", "monitor", "simulator", "support",
                 "textsafe"},
    "tui": {"checks", "config", "conversation", "desk", "files", "i18n", "kb", "matching", "monitor", "redact",
            "runs", "simulator", "support", "textsafe", "training"},
    "cli": {"checks", "config", "config_io", "config_schema", "conversation", "desk", "files", "i18n", "kb",
            "matching", "monitor", "redact", "runs", "simulator", "support", "textsafe", "training", "tui"},
}
UI_LIBRARIES = ("textual", "rich")


def _imports() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(part -> the other parts it imports, part -> the UI libraries it imports), from the source."""
    import ast

    parts: dict[str, set[str]] = {}
    ui: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).with_suffix("").parts
        me = rel[0]
        package = ["copycar_assist", *rel[:-1]]  # what a relative import starts from
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                       for n in ast.walk(node)}
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - node.level + 1]
                    names = [".".join(base + [node.module])] if node.module else [".".join(base + [a.name]) for a in node.names]
                else:
                    names = [node.module or ""]
            else:
                continue
            for name in names:
                bits = name.split(".")
                if bits[0] == "copycar_assist" and len(bits) > 1 and bits[1] != me:
                    parts.setdefault(me, set()).add(bits[1])
                elif bits[0] in UI_LIBRARIES:
                    ui.setdefault(me, set()).add(bits[0])
    return parts, ui


def test_each_part_imports_only_what_it_may():
    parts, _ = _imports()
    assert "kb" in parts and "cli" in parts  # the scan sees the package
    new = {f"{me} -> {other}" for me, others in parts.items() for other in others - ALLOWED.get(me, set())}
    assert new == set(), f"new dependencies (if one is right, add it to ALLOWED and say why): {sorted(new)}"
    front_ends = {"cli", "tui", "__main__"}
    assert not {me for me, others in parts.items() if me not in front_ends and others & {"cli", "tui"}}


def _cycle(edges: dict[str, set[str]]) -> list[str]:
    """One chain of parts that comes back to where it started (`[a, b, a]`), or []."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str]:
        if node in path:
            return path[path.index(node):] + [node]
        if node in done:
            return []
        for nxt in sorted(edges.get(node, ())):
            found = visit(nxt, [*path, node])
            if found:
                return found
        done.add(node)
        return []

    for start in sorted(edges):
        found = visit(start, [])
        if found:
            return found
    return []


def test_no_two_parts_depend_on_each_other():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]  # the search finds one
    assert _cycle({"a": {"b"}, "b": {"c"}}) == []
    assert _cycle(ALLOWED) == [], "the table allows a cycle"
    parts, _ = _imports()
    assert _cycle(parts) == [], "the package has an import cycle between its parts"


def test_only_the_app_imports_textual_or_rich():
    _, ui = _imports()
    assert set(ui) == {"tui"}, {me: sorted(libs) for me, libs in ui.items()}
