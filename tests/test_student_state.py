"""What cnnlab remembers for a student: hints shown and backups made by reset."""

from __future__ import annotations

from autograder.registry import find_exercise
from autograder.student_state import next_hint, reset_exercise
from autograder.suites import load_suite


def test_hints_stop_counting_at_the_last_one(tmp_path):
    exercise = find_exercise(1)
    total = len(load_suite(exercise).HINTS)
    seen = [next_hint(exercise, tmp_path)[0] for _ in range(total + 2)]
    assert seen == list(range(1, total + 1)) + [total, total]


def test_a_damaged_hint_file_starts_the_count_again(tmp_path):
    (tmp_path / ".cnnlab").mkdir()
    (tmp_path / ".cnnlab" / "hints.json").write_text("[not json")
    assert next_hint(find_exercise(1), tmp_path)[0] == 1


def test_reset_backs_up_every_module_and_never_overwrites_a_backup(tmp_path):
    exercise = find_exercise(2)
    for module in exercise.modules:
        (tmp_path / f"{module}.py").write_text(f"# my {module}\n")
    first = reset_exercise(exercise, tmp_path)
    (tmp_path / "linear.py").write_text("# my second try\n")
    second = reset_exercise(exercise, tmp_path)
    saved = {p.read_text() for _, p in first + second if p}
    assert "# my linear\n" in saved and "# my second try\n" in saved
    assert all("NotImplementedError" in target.read_text() for target, _ in second)
