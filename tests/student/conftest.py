"""Every test of the student's loop keeps cnnlab's state in a folder of its own, never in the user's."""

from __future__ import annotations

import pytest

from autograder.student.backups import STATE_ENV


@pytest.fixture(autouse=True)
def state_root(tmp_path, monkeypatch):
    """cnnlab's state root for this test: ``tmp_path/state`` (the student's folders live elsewhere in tmp_path)."""
    root = tmp_path / "state"
    monkeypatch.setenv(STATE_ENV, str(root))
    return root
