"""cnnlab hint: one more hint each time, counted per exercise in the student's folder."""

from __future__ import annotations

from autograder.checks import hints_of
from autograder.exercises import find_exercise
from autograder.student.hints import next_hint


def test_hints_stop_counting_at_the_last_one(tmp_path):
    exercise = find_exercise(1)
    total = len(hints_of(exercise))
    seen = [next_hint(exercise, tmp_path)[0] for _ in range(total + 2)]
    assert seen == list(range(1, total + 1)) + [total, total]


def test_a_damaged_hint_file_starts_the_count_again(tmp_path):
    (tmp_path / ".cnnlab").mkdir()
    (tmp_path / ".cnnlab" / "hints.json").write_text("[not json")
    assert next_hint(find_exercise(1), tmp_path)[0] == 1
