"""`pip install .` must find the knowledge: it is force-included in the wheel as
`copycar_assist/_knowledge` and `kb.default_dir()` looks there first. Builds a real wheel
(a few seconds; runs in CI like every other test)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.packaging


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)]
    if importlib.util.find_spec("hatchling") is not None:  # a test extra: no download needed
        cmd.insert(5, "--no-build-isolation")
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    [whl] = out.glob("copycar_assist-*.whl")
    return whl


def test_wheel_holds_the_knowledge(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.name for p in (REPO / "knowledge").iterdir() if p.suffix in (".md", ".toml")}
    assert {"invalid-api-key.md", "checks.toml", "categories.toml", "support.toml"} <= shipped
    missing = {n for n in shipped if f"copycar_assist/_knowledge/{n}" not in names}
    assert missing == set()
    assert not any(n.startswith(("tests/", "knowledge/")) for n in names)


def test_installed_package_finds_its_knowledge_from_elsewhere(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    r = subprocess.run([sys.executable, "-m", "copycar_assist", "kb", "list", "--json"], cwd=elsewhere,
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    ids = {e["id"] for e in json.loads(r.stdout)["entries"]}
    shipped = {p.stem for p in (REPO / "knowledge").glob("*.md") if p.name != "README.md"}
    assert ids == shipped
    r = subprocess.run([sys.executable, "-c", "import copycar_assist.kb as k; print(k.default_dir())"],
                       cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    assert Path(r.stdout.strip()) == site / "copycar_assist" / "_knowledge"
