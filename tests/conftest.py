"""The test harness: the fixtures every test may take, and the isolation every test gets.

Every test runs with its own data directory and no user settings (`COPYCAR_ASSIST_DATA`,
`COPYCAR_ASSIST_CONFIG` in a temporary directory; every other `COPYCAR_*` variable removed), and
in the C locale (`LANG=C.UTF-8`, no LC_ALL or LC_MESSAGES: the command line's words follow it), so
nothing a developer has configured leaks in and nothing a test writes lands in their home.

Fixtures here: `kb` (the shipped knowledge), `matcher`, `wide_matcher`, `sim` (the demo API
simulator, healthy), `simulator` (a factory of simulators by scenario), `data_dir`. Fixtures of
one family of tests live in their `fixtures_*.py` module, registered below as plugins; their
plain helpers are imported by name."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from copycar_assist.matching import Matcher

from shipped import knowledge

pytest_plugins = ["fixtures_dns", "fixtures_integrations", "fixtures_monitor"]


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("COPYCAR_ASSIST_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("COPYCAR_ASSIST_CONFIG", str(tmp_path / "no-config.toml"))
    for var in [v for v in os.environ if v.startswith("COPYCAR_") and not v.startswith("COPYCAR_ASSIST_")]:
        monkeypatch.delenv(var)  # keys, tokens, base URLs: never the developer's
    monkeypatch.setenv("LANG", "C.UTF-8")
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def data_dir(tmp_path):
    """The data directory this test's commands write to."""
    return tmp_path / "data"


@pytest.fixture(scope="session")
def kb():
    return knowledge()


@pytest.fixture(scope="session")
def matcher(kb):
    return Matcher(kb)


@pytest.fixture(scope="session")
def wide_matcher(kb):
    """The real matcher with a calibration that never answers alone: any two candidates are a
    close call to ask about."""
    from copycar_assist.matching.calibration import Calibration

    return Matcher(kb, calibration=Calibration({"bias": -30.0}, ((-1, 1.0),), 0.0, 0.0))


@pytest.fixture
def sim() -> Iterator:
    from copycar_assist.simulator import start_simulator

    handle = start_simulator("healthy")
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def simulator():
    """start(scenario) -> a running demo API; all stopped at the end."""
    from copycar_assist.simulator import start_simulator

    handles = []

    def start(scenario: str = "healthy"):
        handle = start_simulator(scenario=scenario)
        handles.append(handle)
        return handle

    yield start
    for handle in handles:
        handle.stop()
