"""Helpers for the kb tests: fixture paths and a tiny valid entry to break on purpose."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

DATA = Path(__file__).parent / "data"
KB_SMALL = DATA / "kb_small"
KB_BROKEN = DATA / "kb_broken"
GUIDES = DATA / "guides"
# The CopyCar.ai guide itself (the importer's real input) lives in the shared folder beside the
# checkout, where CI has it too; it is not copied into the repository (it is confidential).
OUR_GUIDE = Path(os.environ.get(
    "COPYCAR_GUIDE",
    Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_d2d4a49131a1c015.txt",
))
BILLING_GUIDE = GUIDES / "billing-guide.md"


def need_our_guide() -> Path:
    """The guide's path, or skip the test saying where it was looked for (the nested-fence
    handling is also covered by tests/data/guides/billing-guide.md, which is always here)."""
    import pytest

    if not OUR_GUIDE.is_file():
        pytest.skip(f"the CopyCar.ai guide is not at {OUR_GUIDE} (set COPYCAR_GUIDE)")
    return OUR_GUIDE


def small_kb_copy(tmp_path: Path) -> Path:
    """A writable copy of tests/data/kb_small."""
    dest = tmp_path / "kb"
    shutil.copytree(KB_SMALL, dest)
    return dest


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line of `path` containing `needle`."""
    for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in text:
            return n
    raise AssertionError(f"{needle!r} not in {path}")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
