"""The speed of a student's layer against the vectorised reference, measured in the sandbox; no points hang on it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from autograder.cli import app
from autograder.exercises import find_exercise
from autograder.grading.speed import CASES, SLOW_EXTRA_SECONDS, SLOW_FACTOR, Timing, measure_speed

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "submissions"


@pytest.fixture(scope="module")
def reference_copy(tmp_path_factory) -> Path:
    """The reference modules as a student's folder (the sandbox never lets a submission read solutions/)."""
    folder = tmp_path_factory.mktemp("reference")
    for path in (ROOT / "solutions").glob("*.py"):
        shutil.copy(path, folder / path.name)
    return folder


@pytest.mark.parametrize("exercise, fixture", [("exercise3", "ex3_naive_loops"), ("exercise4", "ex4_naive_loops")])
def test_loops_over_pixels_are_many_times_slower_than_the_reference(exercise, fixture):
    report = measure_speed(find_exercise(exercise), FIXTURES / fixture)
    case = next(CASES[m] for m in find_exercise(exercise).modules if m in CASES)
    assert [t.function for t in report.timings] == [case.forward, case.backward] and report.problem == ""
    assert all(t.slow and t.ratio > 20 for t in report.timings), report


@pytest.mark.parametrize("exercise", ["exercise3", "exercise4"])
def test_the_reference_in_the_sandbox_is_not_slow(exercise, reference_copy):
    report = measure_speed(find_exercise(exercise), reference_copy)
    assert len(report.timings) == 2 and not any(t.slow for t in report.timings), report


def test_an_exercise_without_a_layer_to_time_has_no_report(reference_copy):
    assert measure_speed(find_exercise("exercise1"), reference_copy) is None


def test_code_that_raises_is_not_timed_and_says_where(tmp_path):
    (tmp_path / "convolution.py").write_text(
        "def conv_output_shape(*a, **k):\n    raise NotImplementedError\n"
        "def conv_forward(x, w, b, stride=1, pad=0):\n    raise NotImplementedError('write me')\n"
        "def conv_backward(dout, cache):\n    raise NotImplementedError\n")
    report = measure_speed(find_exercise("exercise3"), tmp_path)
    assert report.timings == () and "conv_forward" in report.problem


@pytest.mark.parametrize("seconds, reference, slow", [
    (0.100, 0.001, True),                      # a hundred times slower, 99 ms more
    (0.0015, 0.0001, False),                   # fifteen times slower, but 1.4 ms: the sandbox's jitter
    (0.004, 0.001, False),                     # 3 ms more, but four times: within a busy machine's noise
    (SLOW_FACTOR * 0.001, 0.001, True),        # exactly the factor, 4 ms more
])
def test_slow_means_many_times_and_milliseconds_more(seconds, reference, slow):
    timing = Timing("conv_forward", seconds, reference)
    assert timing.slow is slow
    assert timing.ratio == pytest.approx(seconds / reference)
    assert SLOW_EXTRA_SECONDS == 0.002


def test_cnnlab_check_prints_the_speed_under_the_table():
    result = CliRunner().invoke(app, ["check", "exercise3", "--path", str(FIXTURES / "ex3_naive_loops")])
    text = " ".join(result.output.split())
    assert "Slow: on a training-sized batch (32 images of 8 channels of 4x4" in text
    assert "conv_forward takes" in text and "times the vectorised reference's" in text
    assert "No points hang on it" in text
    assert text.index("points") < text.index("Slow:")  # under the table and its score


def test_code_that_is_not_written_or_could_not_be_graded_is_not_timed(reference_copy):
    from autograder.grading.results import COULD_NOT_GRADE, NOT_STARTED, PASSED, ExerciseResult, TestResult

    exercise = find_exercise("exercise3")
    for state, timed in ((PASSED, True), (NOT_STARTED, False), (COULD_NOT_GRADE, False)):
        result = ExerciseResult(exercise, reference_copy, "graded")
        result.tests = [TestResult("conv forward", 1, 1, PASSED, ""), TestResult("conv backward", 1, 0, state, "")]
        assert (measure_speed(exercise, reference_copy, result=result) is not None) is timed


def test_a_stuck_layer_costs_one_short_timeout(tmp_path):
    import time

    (tmp_path / "convolution.py").write_text(
        "def conv_output_shape(*a, **k):\n    return None\n"
        "def conv_forward(x, w, b, stride=1, pad=0):\n    while True:\n        pass\n"
        "def conv_backward(dout, cache):\n    return None\n")
    start = time.monotonic()
    report = measure_speed(find_exercise("exercise3"), tmp_path, timeout=0.5)
    assert report.timings == () and report.problem and time.monotonic() - start < 10


@pytest.mark.parametrize("fixture, slow", [("ex3_naive_loops", True), (None, False)])
def test_check_times_the_layer_in_the_graders_own_sandbox(fixture, slow, reference_copy):
    """grade_exercise hands its open sandbox to the timing, which leaves it open: one child per check."""
    from autograder.grading.grader import grade_exercise

    exercise = find_exercise("exercise3")
    seen = []

    def afterwards(sandbox, graded):
        started = sandbox.proc
        seen.append(measure_speed(exercise, result=graded, sandbox=sandbox))
        seen.append(started is not None and sandbox.proc is started)  # the same child, still running

    result = grade_exercise(exercise, FIXTURES / fixture if fixture else reference_copy, afterwards=afterwards)
    report, same_child = seen
    assert result.score == result.max_score and same_child
    assert len(report.timings) == 2 and all(t.slow for t in report.timings) == slow, report
