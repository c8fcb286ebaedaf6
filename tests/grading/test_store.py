"""The stored answers of the public checks: read back whole, and refused clearly when damaged or missing."""

from __future__ import annotations

import pytest

from autograder import paths
from autograder.checks import checks_of
from autograder.errors import CnnlabError
from autograder.exercises import EXERCISES, find_exercise
from autograder.grading import store


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_every_public_check_has_a_stored_answer_and_every_module_a_stub(exercise):
    assert set(store.load(exercise)) == {c.name for c in checks_of(exercise) if not c.hidden}, \
        "run `python -m autograder.build` after changing a check"
    assert set(store.stubs(exercise)) == set(exercise.modules)


@pytest.mark.parametrize("damage", [
    lambda blob: b"",
    lambda blob: blob[:-10],
    lambda blob: b"\x80\x04" + blob,  # a pickle's opening bytes
], ids=["empty", "truncated", "pickle"])
def test_a_damaged_store_is_named_in_a_clear_error(tmp_path, monkeypatch, damage):
    exercise = find_exercise(1)
    blob = paths.answers_file(exercise).read_bytes()
    monkeypatch.setattr(paths, "ANSWERS", tmp_path)
    paths.answers_file(exercise).write_bytes(damage(blob))
    with pytest.raises(CnnlabError, match="damaged.*python -m autograder.build"):
        store.load(exercise)


def test_a_missing_store_is_named_in_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "ANSWERS", tmp_path)
    with pytest.raises(CnnlabError, match="exercise1.cnl are missing"):
        store.load(find_exercise(1))
