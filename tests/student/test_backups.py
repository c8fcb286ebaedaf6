"""cnnlab reset: the stubs come back, and no file of the student's is ever lost."""

from __future__ import annotations

from autograder.exercises import find_exercise
from autograder.student.backups import reset_exercise


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
