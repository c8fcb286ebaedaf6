"""cnnlab hint: the next hint about what fails, never the code, and a clear end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from autograder.checks import checks_of, hints_of
from autograder.checks.judges import short_name
from autograder.exercises import EXERCISES, find_exercise
from autograder.student.backups import state_dir
from autograder.student.hints import failing_functions, next_hint

ROOT = Path(__file__).resolve().parents[2]


def folder(tmp_path) -> Path:
    path = tmp_path / "exercises"
    path.mkdir(exist_ok=True)
    return path


def turns(exercise, where, failing, count):
    return [next_hint(exercise, where, failing) for _ in range(count)]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_every_hint_names_functions_of_its_exercise(exercise):
    functions = {short_name(f) for check in checks_of(exercise) for f in check.functions()}
    for hint in hints_of(exercise):
        assert set(hint.about) <= functions, (hint.about, functions)
        assert hint.text.strip()


def test_hints_about_functions_that_pass_are_not_given(tmp_path):
    """Issue 12: with only softmax_backward failing, no hint about ReLU comes."""
    exercise = find_exercise(1)
    given = [t.new for t in turns(exercise, folder(tmp_path), {"softmax_backward"}, 5) if t.new]
    assert given and all(not h.about or "softmax_backward" in h.about for h in given)
    assert any("softmax_backward" in h.about for h in given)
    assert not any("relu_forward" in h.about for h in given)


def test_the_hints_stop_with_a_message_instead_of_starting_over(tmp_path):
    exercise = find_exercise(1)
    relevant = [h for h in hints_of(exercise) if not h.about or "sigmoid_backward" in h.about]
    seen = turns(exercise, folder(tmp_path), {"sigmoid_backward"}, len(relevant) + 2)
    assert [t.new for t in seen[:len(relevant)]] == relevant
    assert [t.left for t in seen[:len(relevant)]] == list(range(len(relevant) - 1, -1, -1))
    for turn in seen[len(relevant):]:
        assert turn.new is None
        assert turn.no_more.startswith("No more hints for exercise1: you have seen every hint about sigmoid_backward")
        assert [h for _, h in turn.shown] == relevant


def test_when_everything_passes_there_is_no_hint_to_give(tmp_path):
    turn = next_hint(find_exercise(3), folder(tmp_path), set())
    assert turn.new is None and turn.shown == []
    assert turn.no_more == "No more hints for exercise3: every test passes. Well done!"


def test_a_new_failure_brings_its_hints_after_the_ones_seen(tmp_path):
    exercise, where = find_exercise(3), folder(tmp_path)
    first = turns(exercise, where, {"conv_output_shape"}, 3)
    assert first[-1].new is None
    later = next_hint(exercise, where, {"conv_backward"})
    assert "conv_backward" in later.new.about
    assert json.loads((state_dir(where) / "hints.json").read_text())["exercise3"] == [0, 3]


def test_without_a_grade_every_hint_comes_in_order(tmp_path):
    exercise = find_exercise(4)
    given = [t.new for t in turns(exercise, folder(tmp_path), None, len(hints_of(exercise)) + 1)]
    assert given == [*hints_of(exercise), None]


def test_failing_functions_come_from_the_failing_tests():
    exercise = find_exercise(1)
    assert failing_functions(exercise, ["softmax backward"]) == {"softmax_forward", "softmax_backward"}
    assert failing_functions(exercise, ["sigmoid forward", "no such test"]) == {"sigmoid_forward"}
    assert failing_functions(exercise, []) == set()


def test_a_function_whose_own_tests_pass_is_cleared():
    """softmax_forward passes its own tests: a failing softmax backward points at softmax_backward alone."""
    exercise = find_exercise(1)
    passed = [c.name for c in checks_of(exercise) if c.name != "softmax backward"]
    assert failing_functions(exercise, ["softmax backward"], passed) == {"softmax_backward"}
    still = [name for name in passed if name != "softmax on logits of 1e4"]
    assert failing_functions(exercise, ["softmax backward", "softmax on logits of 1e4"], still) == {
        "softmax_forward", "softmax_backward"}


@pytest.mark.parametrize("content", ["[not json", "[1, 2]", '{"exercise1": 3}', '{"exercise1": [99, true, "x"]}'])
def test_a_damaged_hint_file_only_costs_the_hints_seen(tmp_path, content):
    where = folder(tmp_path)
    state_dir(where).mkdir(parents=True)
    (state_dir(where) / "hints.json").write_text(content)
    assert next_hint(find_exercise(1), where).new == hints_of(find_exercise(1))[0]


def test_the_hint_count_stays_out_of_the_students_folder(tmp_path, state_root):
    where = folder(tmp_path)
    (where / "activations.py").write_text("# mine\n")
    next_hint(find_exercise(1), where)
    assert sorted(p.name for p in where.iterdir()) == ["activations.py"]
    assert (state_dir(where) / "hints.json").is_file() and state_root in state_dir(where).parents


def solution_lines() -> list[str]:
    """Every statement of the reference bodies, whitespace removed, long enough to be more than a name."""
    lines = []
    for path in sorted((ROOT / "solutions").glob("*.py")):
        inside = False
        for line in path.read_text().splitlines():
            if "### BEGIN SOLUTION" in line or "### END SOLUTION" in line:
                inside = "BEGIN" in line
                continue
            code = re.sub(r"\s+", "", line.split("#")[0])
            code = code.removeprefix("return")
            if inside and len(code) >= 20 and not code.startswith(("raise", "if", "for", "def", "elif", "with")):
                lines.append(code)
    return lines


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_no_hint_hands_out_a_line_of_the_reference(exercise):
    lines = solution_lines()
    assert len(lines) > 50  # the scan found the reference bodies
    for hint in hints_of(exercise):
        text = re.sub(r"\s+", "", hint.text)
        assert not [line for line in lines if line in text], hint.text


@pytest.mark.parametrize("old", [
    "Fast version (im2col): ... then out = w.reshape(F, -1) @ cols + b[:, None]; dw = dout_rows @ cols.T; "
    "dcols = w.reshape(F, -1).T @ dout_rows, folded back with +=.",
    "State lives on the optimizer: self.velocity[key] = np.zeros_like(p) (SGD), self.square_avg[key] (RMSprop).",
])
def test_the_scan_for_reference_lines_sees_hints_that_gave_the_code(old):
    """Hints cnnlab used to give handed out lines of the reference; the scan above must catch such a hint."""
    assert any(line in re.sub(r"\s+", "", old) for line in solution_lines())


def test_cnnlab_hint_grades_first_and_hints_at_what_fails(tmp_path):
    """End to end: on a softmax backward that keeps only the Jacobian's diagonal, the hints are about it."""
    from typer.testing import CliRunner

    from autograder.cli.app import app
    from tests.grading.test_grader import FIXTURES, submission_from

    where = submission_from(FIXTURES / "ex1_softmax_backward_diagonal", find_exercise(1), tmp_path)
    runner = CliRunner()
    outputs = [runner.invoke(app, ["hint", "1", "--path", str(where)]) for _ in range(3)]
    assert [o.exit_code for o in outputs] == [0, 0, 0], outputs[0].output
    text = " ".join(outputs[-1].output.split())
    assert "Hint 7/7 (softmax_backward):" in text and "relu" not in text.lower()
    assert "No more hints for exercise1: you have seen every hint about softmax_backward." in text
    assert not (where / ".cnnlab").exists()
