"""The notebook's test cells: the same grades as the CLI, student text escaped, the cell's value is its points."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from autograder.exercises import find_exercise
from autograder.grading.results import ExerciseResult, TestResult
from autograder.report import notebook
from autograder.report.notebook import CellReport, grade_cell, graded_call, report
from tests.course.tools import no_flip_submission

FORWARD = ["conv forward, worked example (every output is 6)", "conv forward, stride 2, pad 1"]
BACKWARD = ["conv backward, worked example", "conv backward, stride 2, pad 1"]


@pytest.fixture
def no_flip(tmp_path) -> Path:
    return no_flip_submission(tmp_path / "submission")


def _cell(*tests: TestResult, status="graded", problem="") -> CellReport:
    return CellReport(ExerciseResult(find_exercise(3), Path("."), status, list(tests), problem=problem), list(tests))


def test_student_text_is_shown_never_interpreted_as_html():
    evil = "<script>alert('x')</script> & <b>bold</b>"
    shown = _cell(TestResult("a <i>test</i>", 2, 0, "failed", evil, printed="<img src=x onerror=alert(1)>"))
    page = shown._repr_html_()
    assert "<script>" not in page and "<b>bold</b>" not in page and "<img" not in page and "<i>test" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "a &lt;i&gt;test&lt;/i&gt;" in page


def test_plain_text_has_names_points_results_and_feedback():
    shown = _cell(TestResult("first", 2, 2, "passed"), TestResult("second", 1, 0, "failed", "dx is wrong"),
                  TestResult("third", 1, 0, "not-started", "conv_backward is not implemented yet", hidden=True))
    text = str(shown)
    assert text.splitlines()[0] == "exercise3: 2/4 points in this cell, not all pass yet"
    assert "[passed] 2/2  first" in text and "[failed] 0/1  second" in text and "dx is wrong" in text
    assert "[not started] 0/1  third (hidden)" in text
    assert "Not started: conv_backward is not implemented yet." in text
    assert repr(shown) == text
    assert (shown.score, shown.max_score) == (2, 4)


def test_a_mistake_is_explained_once_per_cell():
    cause = "the kernel was not flipped"
    shown = _cell(TestResult("one", 1, 0, "failed", "dx off", mistake="conv-dx-no-flip", explanation=cause),
                  TestResult("two", 1, 0, "failed", "dx off again", mistake="conv-dx-no-flip", explanation=cause))
    text = str(shown)
    assert text.count(cause) == 1 and "the same mistake as in 'one' above" in text


def test_a_problem_that_stops_grading_is_shown():
    shown = _cell(TestResult("one", 1, 0, "could-not-grade", "import failed"), status="could-not-grade",
                  problem="convolution.py has a <syntax> error")
    assert "Could not grade: convolution.py has a &lt;syntax&gt; error" in shown._repr_html_()
    assert "Could not grade: convolution.py has a <syntax> error" in str(shown)


def test_cells_give_the_same_points_as_the_grader_on_a_classic_mistake(no_flip):
    folder = no_flip
    forward, backward = report("exercise3", FORWARD, folder=folder), report("ex3", BACKWARD, folder=folder)
    assert [t.name for t in forward.tests] == FORWARD and [t.name for t in backward.tests] == BACKWARD
    assert (forward.score, forward.max_score) == (3, 3)
    assert (backward.score, backward.max_score) == (0, 2)
    assert all(t.mistake == "conv-dx-no-flip" for t in backward.tests)
    assert "Likely cause" in str(backward)


def test_an_unknown_test_name_is_an_error_that_lists_the_names(no_flip):
    with pytest.raises(KeyError, match="no test called \\['conv forward, typo'\\].*conv backward, worked example"):
        report("exercise3", ["conv forward, typo"], folder=no_flip)


def test_grade_cell_returns_the_points_and_prints_without_ipython(no_flip, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "IPython.display", None)  # import fails: plain Python
    points = grade_cell("exercise3", BACKWARD, folder=no_flip)
    assert points == 0
    assert "[failed] 0/1  conv backward, worked example" in capsys.readouterr().out


def test_a_saved_change_is_graded_again(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(notebook, "grade_exercise", lambda ex, folder, hidden: calls.append(folder) or
                        ExerciseResult(ex, folder, "graded", [TestResult("t", 1, 1, "passed")]))
    monkeypatch.setattr(notebook, "_graded", {})
    module = tmp_path / "convolution.py"
    module.write_text("x = 1\n")
    report("exercise3", ["t"], folder=tmp_path)
    report("exercise3", ["t"], folder=tmp_path)
    assert len(calls) == 1
    module.write_text("x = 2\n")
    report("exercise3", ["t"], folder=tmp_path)
    assert len(calls) == 2


def test_a_test_cells_call_is_read_from_its_source():
    source = 'from x import grade_cell\n\ngrade_cell("exercise3", ["a", "b"], hidden=True)\n'
    assert graded_call(source) == ("exercise3", ["a", "b"], True)
    assert graded_call('grade_cell("ex3", ["a"])') == ("ex3", ["a"], False)
    assert graded_call("print(1)") is None and graded_call("def (") is None
    with pytest.raises(ValueError, match="exactly once"):
        graded_call('grade_cell("ex3", ["a"])\ngrade_cell("ex3", ["b"])')


@pytest.mark.parametrize("test", [
    TestResult("gradient check", 1, 0, "passed", waits_for=("ReLU forward",)),
    TestResult("forward", 1, 0, "not-started", "relu_forward is not implemented yet"),
    TestResult("backward", 1, 0, "failed", "dx is wrong", mistake="m", explanation="the mask was used as dx"),
], ids=["waiting", "not-started", "failed"])
def test_a_cell_words_each_test_as_cnnlab_check_does(test):
    from autograder.report.text import feedback

    [(_, text)] = _cell(test).rows()
    assert text == feedback(test) != ""
