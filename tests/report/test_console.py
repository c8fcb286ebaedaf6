"""Rendering results: a mistake is explained once, JSON follows the results schema."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from autograder.grading.results import ExerciseResult, TestResult
from autograder.exercises import find_exercise
from autograder.report.console import render_check, render_status
from autograder.report.gradescope import results_json
from autograder.checks import diagnosis


def _result() -> ExerciseResult:
    cause = diagnosis("conv-db-batch-mean")
    tests = [TestResult("first", 1, 0, "failed", "db is wrong", mistake="conv-db-batch-mean", explanation=cause),
             TestResult("second", 1, 0, "failed", "db is wrong again", mistake="conv-db-batch-mean",
                        explanation=cause, printed="debug: 42"),
             TestResult("third", 2, 2, "passed"),
             TestResult("fourth", 1, 0, "not-started", "conv_forward is not implemented yet", hidden=True)]
    return ExerciseResult(find_exercise(3), Path("."), "graded", tests)


def test_a_mistake_is_explained_once_then_pointed_to():
    console = Console(record=True, width=1000)
    render_check(console, _result())
    text = console.export_text()
    assert text.count(diagnosis("conv-db-batch-mean")) == 1
    assert "Likely cause: the same mistake as in 'first' above." in text
    assert "Not started yet: conv_forward is not implemented yet" in text
    assert "exercise3: 2/5 points" in text
    assert "Your code printed:" in text and "debug: 42" in text


def test_json_has_the_results_schema():
    data = results_json([_result()])
    assert (data["version"], data["status"], data["score"], data["max_score"]) == (1, "graded", 2, 5)
    assert [t["status"] for t in data["tests"]] == ["failed", "failed", "passed", "failed"]
    assert [t["visibility"] for t in data["tests"]] == ["visible"] * 3 + ["after_published"]
    second = data["tests"][1]["output"]
    assert second.startswith("db is wrong again\n  Likely cause: " + diagnosis("conv-db-batch-mean"))  # every word
    assert second.endswith("Your code printed:\n    debug: 42")
    assert data["tests"][3]["output"] == "Not started: conv_forward is not implemented yet."


def test_status_puts_the_progress_bar_and_its_numbers_on_one_line():
    console = Console(record=True, width=120)
    render_status(console, [_result()])
    lines = console.export_text().splitlines()
    summary = next(line for line in lines if "points, 0 of 1 exercises done." in line)
    assert summary.lstrip().startswith("━") and "2/5 points" in summary
    assert lines[-1] == "Next: cnnlab check exercise3"
