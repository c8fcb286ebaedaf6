"""Rendering results: a mistake is explained once, JSON follows the results schema."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
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


ESC = "\x1b"
FAKE = f"{ESC}[2J{ESC}[H{ESC}[1;32mexercise3: 27/27 points  All tests pass.{ESC}[0m"
MARKUP = "[/] [bold red]red[/] [link=https://example.com]click[/link] [/bold]"


def _hostile() -> ExerciseResult:
    tests = [TestResult("conv forward", 1, 0, "failed", f"{MARKUP} {FAKE}", printed=f"{FAKE}\r{MARKUP}"),
             TestResult("conv backward", 1, 0, "not-started", f"{MARKUP} {FAKE}"),
             TestResult("conv gradient check", 2, 0, "passed", waits_for=("conv forward",))]
    return ExerciseResult(find_exercise(3), Path("."), "graded", tests)


def _terminal(result: ExerciseResult, render=render_check) -> str:
    """What a real colour terminal would receive."""
    console = Console(force_terminal=True, color_system="truecolor", width=200, record=True, file=io.StringIO())
    render(console, result)
    return console.file.getvalue()


@pytest.mark.parametrize("result", [
    _hostile(),
    ExerciseResult(find_exercise(3), Path("."), "could-not-grade", [], problem=f"{MARKUP} {FAKE}",
                   printed=f"{FAKE} {MARKUP}"),
])
def test_student_text_is_neither_markup_nor_escape_sequences(result):
    raw = _terminal(result)
    for sequence in (f"{ESC}[2J", f"{ESC}[H", f"{ESC}]8", f"{ESC}[1;32m"):
        assert sequence not in raw
    plain = Console(width=200, record=True, file=io.StringIO())
    render_check(plain, result)
    text = plain.export_text()
    assert MARKUP in text  # shown as the characters it is, never as styles or links
    assert "exercise3: 0/" in text and "27/27 points  All tests pass." in text.replace("\n", " ")


def test_a_passing_test_that_waits_for_another_scores_nothing_and_says_why():
    console = Console(record=True, width=300)
    render_check(console, _hostile())
    text = console.export_text()
    assert "passed, not counted yet" in text
    assert "only counts once 'conv forward' passes" in text
    data = results_json([_hostile()])
    waiting = data["tests"][2]
    assert (waiting["status"], waiting["score"], waiting["max_score"]) == ("failed", 0, 2)
    assert "only counts once 'conv forward' passes" in waiting["output"]
    assert ESC not in json.dumps(data)


def test_identical_feedback_is_shown_once():
    message = "activations.py defines none of the functions this exercise grades (relu_forward)."
    tests = [TestResult(f"test {i}", 1, 0, "could-not-grade", message) for i in range(22)]
    console = Console(record=True, width=300)
    render_check(console, ExerciseResult(find_exercise(1), Path("."), "could-not-grade", tests))
    text = console.export_text()
    assert text.count(message) == 1
    assert "test 0 (and 21 more tests with the same feedback)" in text
