"""The quality gates, run with the tests (so the README's one test command runs them too): ruff
finds nothing anywhere, and mypy finds nothing in the package, the Textual app (`tui/`) included
(its screens and widgets reach the app through the typed `copycar_app`, tui/app_access.py).
The knowledge base (`kb/`) and the matcher (`matching/`) are checked strictly: every flag of
`mypy --strict` that applies per module, set for them in pyproject.toml's [[tool.mypy.overrides]]."""

from __future__ import annotations

import shutil
import subprocess
import sys
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
