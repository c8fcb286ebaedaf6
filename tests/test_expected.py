"""The stored answers of the public checks: in sync with solutions/, and refused clearly when damaged."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import expected
from autograder.errors import CnnlabError
from autograder.registry import EXERCISES, find_exercise
from autograder.sandbox import wire
from autograder.suites import load_suite


def _same(a, b, where="") -> None:
    a, b = (x.value if isinstance(x, wire.Typed) else x for x in (a, b))
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), where
        for key in a:
            _same(a[key], b[key], f"{where}/{key}")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, (np.ndarray, float)) and not isinstance(a, bool):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, equal_nan=True, err_msg=where)
    else:
        assert a == b, where


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_stored_answers_match_the_reference(exercise):
    header, buffers = wire.parse_frame(expected.generate(exercise))
    fresh = {name: {k: wire.decode(v, buffers) if k != "mistakes" else
                    {m: wire.decode(t, buffers) for m, t in v.items()} for k, v in entry.items()}
             for name, entry in header["checks"].items()}
    stored = expected.load(exercise)
    assert set(stored) == {c.name for c in load_suite(exercise).CHECKS if not c.hidden}, \
        "run `python -m autograder.expected` after changing a suite"
    _same(stored, fresh)
    assert expected.stubs(exercise) == header["stubs"]


def test_every_mistake_of_every_check_has_a_model_and_a_message():
    from solutions.mistakes import MISTAKES

    used = set()
    for exercise in EXERCISES:
        suite = load_suite(exercise)
        for check in suite.CHECKS:
            for mistake in check.mistakes:
                assert mistake in MISTAKES and mistake in suite.DIAGNOSES, (exercise.name, check.name, mistake)
                used.add(mistake)
        assert len(suite.HINTS) >= 3
    assert used == set(MISTAKES), f"mistake models no check looks for: {set(MISTAKES) - used}"


def test_check_names_are_unique_within_each_exercise():
    for exercise in EXERCISES:
        names = [c.name for c in load_suite(exercise).CHECKS]
        assert len(names) == len(set(names)), exercise.name


@pytest.mark.parametrize("damage, message", [
    (lambda blob: b"", "damaged"),
    (lambda blob: blob[:-10], "damaged"),
    (lambda blob: b"\x80\x04" + blob, "damaged"),
])
def test_a_damaged_store_is_named_in_a_clear_error(tmp_path, monkeypatch, damage, message):
    exercise = find_exercise(1)
    blob = expected.store_path(exercise).read_bytes()
    monkeypatch.setattr(expected, "STORE", tmp_path)
    expected.store_path(exercise).write_bytes(damage(blob))
    with pytest.raises(CnnlabError, match=f"{message}.*python -m autograder.expected"):
        expected.load(exercise)


def test_a_missing_store_is_named_in_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(expected, "STORE", tmp_path)
    with pytest.raises(CnnlabError, match="exercise1.cnl are missing"):
        expected.load(find_exercise(1))
