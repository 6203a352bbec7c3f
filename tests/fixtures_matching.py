"""Shared fixtures for the matcher tests: the shipped knowledge and one prepared Matcher."""

from __future__ import annotations

import pytest

from copycar_assist.kb import load_knowledge
from copycar_assist.matching import Matcher


@pytest.fixture(scope="session")
def shipped_kb():
    return load_knowledge()


@pytest.fixture(scope="session")
def matcher(shipped_kb):
    return Matcher(shipped_kb)
