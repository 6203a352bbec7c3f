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
          "textsafe", "i18n", "files", "config_io", "desk")
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
