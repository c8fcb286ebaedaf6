"""Fixtures shared by every test of cnnlab, and the ``torch`` marker.

PyTorch is the oracle of the reference layers' tests, but only an optional
one (the ``oracle`` extra of pyproject.toml). A test that cross-checks against
it takes the ``torch`` fixture and carries ``@pytest.mark.torch``; without
torch installed it is skipped, saying how to install it, while the tests of
the same file that need no torch (centred differences, worked examples,
argument checks) still run. ``pytest -m "not torch"`` leaves them all out.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.helpers import ROOT


def _oracle() -> str:
    """PyTorch with the version pyproject.toml pins for the tests' oracle: ``"PyTorch 2.13.0"``."""
    try:
        found = re.search(r'"torch==([^"]+)"', (ROOT / "pyproject.toml").read_text())
    except OSError:
        found = None
    return f"PyTorch {found.group(1)}" if found else "PyTorch"


NEEDS_TORCH = f"needs {_oracle()}, the tests' oracle: pip install -e '.[test,oracle]'"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "torch: cross-checks against PyTorch, the tests' oracle (the oracle extra); "
        "skipped when torch cannot be imported, deselect with -m 'not torch'")
    config.addinivalue_line(
        "markers",
        "course: needs the instructor's course tools (the course extra: nbgrader, jupytext, nbclient); "
        "skipped, saying so, when they are absent; deselect with -m 'not course'")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The marker and the fixture go together: ``-m "not torch"`` must leave out every test that imports torch."""
    mismatched = [item.nodeid for item in items
                  if ("torch" in getattr(item, "fixturenames", ())) != (item.get_closest_marker("torch") is not None)]
    if mismatched:
        raise pytest.UsageError("These tests must both take the torch fixture and carry @pytest.mark.torch, "
                                "or do neither:\n  " + "\n  ".join(mismatched))


@pytest.fixture(scope="session")
def torch():
    """The ``torch`` module, or a skip saying how to install it."""
    try:
        import torch
    except ImportError:
        pytest.skip(NEEDS_TORCH)
    return torch


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, seeded generator per test."""
    return np.random.default_rng(0)
