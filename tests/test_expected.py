"""The stored answers of the public checks: in sync with solutions/, and refused clearly when damaged."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import expected
from autograder.errors import CnnlabError
from autograder.registry import EXERCISES, find_exercise
from autograder.sandbox import wire
from autograder.suites import load_suite


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_stored_answers_match_the_reference(exercise):
    stored = expected.load(exercise)
    assert set(stored) == {c.name for c in load_suite(exercise).CHECKS if not c.hidden}, \
        "run `python -m autograder.expected` after changing a suite"
    assert expected.stale(exercise) == [], "run `python -m autograder.expected`"


@pytest.mark.parametrize("change, found", [
    (lambda a: a, []),
    (lambda a: a * (1 + 1e-12), []),          # another CPU's rounding
    (lambda a: a * (1 + 1e-6), ["/x: different values"]),
    (lambda a: a.astype(np.float32), ["/x: different values"]),
    (lambda a: a[:1], ["/x: different values"]),
])
def test_stored_and_fresh_answers_agree_up_to_rounding_only(change, found):
    a = np.linspace(1.0, 2.0, 4)
    assert expected.differences({"x": a}, {"x": change(a)}) == found


def test_check_mode_reports_a_stale_store_and_exits_1(tmp_path, monkeypatch, capsys):
    exercise = find_exercise(1)
    header, buffers = wire.parse_frame(expected.store_path(exercise).read_bytes())
    monkeypatch.setattr(expected, "STORE", tmp_path)
    header["checks"][next(iter(header["checks"]))]["reference"] = {"t": "py", "value": "stale"}
    expected.store_path(exercise).write_bytes(wire.dump_frame({k: v for k, v in header.items() if k != "sizes"},
                                                              [bytes(b) for b in buffers]))
    assert expected.main(["--check", "exercise1"]) == 1
    assert "out of date" in capsys.readouterr().out
    assert expected.main(["exercise1"]) == 0
    assert expected.main(["--check", "exercise1"]) == 0


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
