"""cnnlab reset: the stubs come back, and no file of the student's is ever lost."""

from __future__ import annotations

from pathlib import Path

from autograder.exercises import find_exercise
from autograder.student.backups import STATE_ENV, reset_exercise, state_dir, state_root


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


def test_backups_stay_out_of_the_students_folder(tmp_path, state_root):
    """Issue 12: what cnnlab remembers must not travel with a submitted folder."""
    folder = tmp_path / "exercises"
    folder.mkdir()
    (folder / "pooling.py").write_text("# my pooling\n")
    [(target, saved)] = reset_exercise(find_exercise(4), folder)
    assert sorted(p.name for p in folder.iterdir()) == ["pooling.py"]
    assert saved.read_text() == "# my pooling\n"
    assert saved.parent == state_dir(folder) / "backups" and state_root in saved.parents


def test_each_student_folder_has_its_own_state(tmp_path, state_root):
    one, two = tmp_path / "a" / "exercises", tmp_path / "b" / "exercises"
    assert state_dir(one) != state_dir(two)
    assert state_dir(one) == state_dir(tmp_path / "a" / "." / "exercises")  # the same folder, however it is named
    assert state_dir(one).parent == state_root and state_dir(one).name.startswith("exercises-")


def test_the_state_root_follows_xdg_without_the_override(monkeypatch, tmp_path):
    monkeypatch.delenv(STATE_ENV)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert state_root() == tmp_path / "xdg" / "cnnlab"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert state_root() == tmp_path / "home" / ".local" / "state" / "cnnlab"


def test_the_readme_says_where_the_state_lives():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "~/.local/state/cnnlab/" in readme and f"${STATE_ENV}" in readme
    assert ".cnnlab/backups" not in readme
