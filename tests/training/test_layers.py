"""Loading the layers the network is built from, and the check of the exercises it needs."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from autograder.errors import CnnlabError
from autograder.training.layers import (NEEDED, StudentCodeError, get_layers, load_reference_layers, load_student_layers,
                               needed_exercises, require_passing_checks)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def student(tmp_path) -> Path:
    """A student's folder holding a copy of the reference modules."""
    folder = tmp_path / "mine"
    folder.mkdir()
    for path in (ROOT / "solutions").glob("*.py"):
        if path.name != "__init__.py":
            shutil.copy(path, folder / path.name)
    return folder


def test_reference_and_student_copy_give_the_same_numbers(student, rng):
    ours, theirs = load_student_layers(student), load_reference_layers()
    x, w, b = rng.random((2, 1, 5, 5)), rng.random((3, 1, 3, 3)), rng.random(3)
    np.testing.assert_array_equal(ours.conv_forward(x, w, b, pad=1)[0], theirs.conv_forward(x, w, b, pad=1)[0])
    assert ours.origin == str(student) and theirs.origin == "reference"


def test_student_modules_load_under_private_names(student):
    before = {m: sys.modules.get(m) for m in NEEDED}
    layers = load_student_layers(student)
    module = sys.modules[layers.relu_forward.__wrapped__.__module__]
    assert module.__name__.startswith("_cnnlab_student_") and module.__file__ == str(student / "activations.py")
    assert {m: sys.modules.get(m) for m in NEEDED} == before  # no bare 'activations' left behind
    assert str(student) not in sys.path


def test_a_module_may_import_its_sibling(student):
    (student / "linear.py").write_text(
        (student / "linear.py").read_text() + "\nfrom activations import relu_forward as _relu  # noqa\n")
    layers = load_student_layers(student)
    imported = layers.affine_forward.__wrapped__.__globals__["_relu"]  # linear.py's module namespace
    # The very function the network uses, from this folder's activations.py: not a second copy, not solutions/.
    assert imported is layers.relu_forward.__wrapped__
    assert imported.__code__.co_filename == str((student / "activations.py").resolve())
    out, _ = imported(np.array([-1.5, 0.0, 2.0]))
    np.testing.assert_array_equal(out, [0.0, 0.0, 2.0])


@pytest.mark.parametrize("source, says", [
    ("def relu_forward(x:\n", "activations.py (line 1): SyntaxError"),
    ("import numpy\nraise RuntimeError('boom at import')\n", "activations.py: RuntimeError: boom at import"),
    ("import sys\nsys.exit(3)\n", "activations.py: SystemExit"),
    ("import not_a_module_anywhere\n", "ModuleNotFoundError"),
], ids=["syntax", "raises", "exits", "bad-import"])
def test_a_broken_file_is_named_without_a_traceback(student, source, says):
    (student / "activations.py").write_text(source)
    with pytest.raises(CnnlabError) as info:
        load_student_layers(student)
    assert says in str(info.value) and "Traceback" not in str(info.value)


def test_missing_file_and_missing_function(student):
    (student / "pooling.py").write_text("def max_pool_forward(x, pool_size=2, stride=2):\n    return x, None\n")
    with pytest.raises(CnnlabError, match="pooling.py has no max_pool_backward"):
        load_student_layers(student)
    (student / "pooling.py").unlink()
    with pytest.raises(CnnlabError, match="has no pooling.py"):
        load_student_layers(student)


def test_an_error_inside_a_layer_names_the_function_and_file(student):
    (student / "activations.py").write_text(
        "def relu_forward(x):\n    raise NotImplementedError('relu_forward is not implemented yet')\n"
        "def relu_backward(dout, cache):\n    return dout\n")
    layers = load_student_layers(student)
    with pytest.raises(StudentCodeError, match=r"relu_forward \(.*activations.py\).*not written yet"):
        layers.relu_forward(np.zeros(3))
    optimizer = layers.Adam(lr=0.1)
    with pytest.raises(StudentCodeError, match=r"Adam.step .*ValueError"):
        optimizer.step({"w": np.zeros(2)}, {"w": np.zeros(3)})


# ---------------------------------------------------------------- the gate

@dataclass
class FakeResult:
    passed: bool
    score: int = 0
    max_score: int = 10
    status: str = "graded"


def fake_check(failing: dict):
    """A stand-in for the grader: exercises named in ``failing`` fail with that result."""
    calls = []

    def check(exercise, folder):
        calls.append(exercise.name)
        return failing.get(exercise.name, FakeResult(True, 10))

    check.calls = calls
    return check


def test_the_network_needs_all_six_exercises():
    assert [ex.number for ex in needed_exercises()] == [1, 2, 3, 4, 5, 6]


def test_gate_passes_when_every_needed_exercise_passes(tmp_path):
    check = fake_check({})
    require_passing_checks(tmp_path, check)
    assert check.calls == [f"exercise{n}" for n in range(1, 7)]


def test_gate_names_every_failing_exercise_and_how_to_check_it(tmp_path):
    check = fake_check({"exercise3": FakeResult(False, 4), "exercise5": FakeResult(False, 0, status="could-not-grade")})
    with pytest.raises(CnnlabError) as info:
        require_passing_checks(tmp_path, check)
    message = str(info.value)
    assert "exercise3 (Convolution): 4/10 points" in message
    assert "exercise5" in message and "could not be graded" in message
    assert "exercise1" not in message
    assert "cnnlab check exercise3" in message


def test_get_layers_runs_the_gate_only_for_students(student):
    with pytest.raises(CnnlabError, match="exercise4"):
        get_layers("student", student, fake_check({"exercise4": FakeResult(False)}))
    assert get_layers("student", student, gate=False).origin == str(student)
    assert get_layers("reference", student, fake_check({"exercise4": FakeResult(False)})).origin == "reference"


def test_real_gate_lets_the_reference_through_and_stops_the_stubs(student):
    require_passing_checks(student)  # the real grader, on a copy of the reference
    with pytest.raises(CnnlabError) as info:
        require_passing_checks(ROOT / "exercises")
    assert all(f"exercise{n}" in str(info.value) for n in range(1, 7)), str(info.value)
    assert "cnnlab check exercise1" in str(info.value)
