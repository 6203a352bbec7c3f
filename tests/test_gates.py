"""The quality gates, run with the tests (so the README's one test command runs them too): ruff
finds nothing anywhere, and mypy finds nothing in the package, the Textual app (`tui/`) included
(its screens and widgets reach the app through the typed `copycar_app`, tui/app_access.py).

mypy is strict (every flag of `mypy --strict` that can be set per module, pyproject.toml's
`[[tool.mypy.overrides]]`) on every package: the domain packages checks, conversation, desk,
files, i18n, kb, matching, monitor, runs, simulator, support and training, the modules config,
config_io, config_schema, lazy, redact and textsafe, and the front ends cli and tui."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> list[str]:
    exe = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if exe is None:
        pytest.fail(f"{name} is not installed: it is part of the test extras (pip install '.[test]')")
    return [exe]


def test_ruff_finds_nothing():
    r = subprocess.run([*_tool("ruff"), "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True,
                       timeout=300, check=False)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]


def test_mypy_finds_nothing():
    r = subprocess.run([*_tool("mypy"), "--no-incremental"], cwd=ROOT,
                       capture_output=True, text=True, timeout=600, check=False)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]


STRICT = {"copycar_assist.checks.*", "copycar_assist.conversation.*", "copycar_assist.desk.*",
          "copycar_assist.files.*", "copycar_assist.i18n.*", "copycar_assist.kb.*", "copycar_assist.matching.*",
          "copycar_assist.monitor.*", "copycar_assist.runs.*",
          "copycar_assist.simulator.*", "copycar_assist.support.*", "copycar_assist.training.*",
          "copycar_assist.config", "copycar_assist.config_io", "copycar_assist.config_schema",
          "copycar_assist.redact", "copycar_assist.textsafe", "copycar_assist.lazy",
          "copycar_assist.cli.*", "copycar_assist.tui.*"}
# `mypy --strict`'s flags that can be set per module (warn_unused_ignores and warn_redundant_casts
# are global in [tool.mypy])
STRICT_FLAGS = {"disallow_any_generics": True, "disallow_subclassing_any": True, "disallow_untyped_calls": True,
                "disallow_untyped_defs": True, "disallow_incomplete_defs": True, "check_untyped_defs": True,
                "disallow_untyped_decorators": True, "warn_return_any": True, "implicit_reexport": False,
                "strict_equality": True, "extra_checks": True}


def test_mypy_is_strict_on_every_package():
    mypy = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert mypy.get("warn_unused_ignores") is True and mypy.get("warn_redundant_casts") is True
    strict = [o for o in mypy.get("overrides", []) if all(o.get(k) == v for k, v in STRICT_FLAGS.items())]
    modules = {m for o in strict for m in ([o["module"]] if isinstance(o["module"], str) else o["module"])}
    assert STRICT <= modules, f"no longer strict: {sorted(STRICT - modules)}"
