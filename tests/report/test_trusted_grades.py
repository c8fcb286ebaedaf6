"""nbgrader's autograde step: test cells get the points cnnlab's grader gives, whatever the kernel printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.course.tools import COURSE_MARKS, no_flip_submission
from tests.helpers import ROOT

pytestmark = COURSE_MARKS

CELL = 'from autograder.report.notebook import grade_cell\n\ngrade_cell("exercise3", {names!r}{hidden})'
BACKWARD = ["conv backward, worked example", "conv backward, stride 2, pad 1"]


def _notebook(source: str, claimed: str, grade: bool = True):
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    meta = {"nbgrader": {"grade": grade, "grade_id": "cell", "locked": True, "points": 2, "schema_version": 3,
                         "solution": False, "task": False}}
    cell = new_code_cell(source, metadata=meta,
                         outputs=[new_output("execute_result", data={"text/plain": claimed}, execution_count=1)])
    return new_notebook(cells=[cell])


@pytest.fixture
def no_flip(tmp_path) -> Path:
    return no_flip_submission(tmp_path / "submission")


def _run(nb, folder):
    from autograder.report.trusted_grades import TrustedGrades

    return TrustedGrades().preprocess(nb, {"metadata": {"path": str(folder)}})[0]


def test_the_kernels_claim_is_replaced_by_the_graders_points(no_flip):
    nb = _run(_notebook(CELL.format(names=BACKWARD, hidden=""), claimed="2"), no_flip)
    outputs = nb.cells[0].outputs
    assert [o.output_type for o in outputs] == ["display_data", "execute_result"]
    assert outputs[1].data["text/plain"] == "0"
    assert "[failed] 0/1  conv backward, worked example" in outputs[0].data["text/plain"]
    assert "Likely cause" in outputs[0].data["text/html"]


def test_cells_that_are_not_test_cells_keep_their_outputs(no_flip):
    nb = _run(_notebook(CELL.format(names=BACKWARD, hidden=""), claimed="2", grade=False), no_flip)
    assert nb.cells[0].outputs[0].data["text/plain"] == "2"
    nb = _run(_notebook("print('hello')", claimed="2"), no_flip)
    assert nb.cells[0].outputs[0].data["text/plain"] == "2"


def test_a_machine_that_cannot_grade_gives_an_error_and_no_points(no_flip, monkeypatch):
    from autograder.errors import CnnlabError
    from autograder.report import trusted_grades

    def refuse(*args, **kwargs):
        raise CnnlabError("Hidden tests need the kernel's isolation")

    monkeypatch.setattr(trusted_grades, "report", refuse)
    nb = _run(_notebook(CELL.format(names=BACKWARD, hidden=", hidden=True"), claimed="2"), no_flip)
    assert [o.output_type for o in nb.cells[0].outputs] == ["error"]
    assert "isolation" in nb.cells[0].outputs[0].evalue


def test_autograde_runs_it_right_after_executing_the_notebook():
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute

    from autograder.report.trusted_grades import TrustedGrades, autograde_steps

    defaults = Autograde.class_traits()["autograde_preprocessors"].default()
    steps = autograde_steps()
    assert steps[steps.index(Execute) + 1] is TrustedGrades and len(steps) == len(defaults) + 1
    assert autograde_steps(steps) == steps
    assert "autograde_steps()" in (ROOT / "course" / "nbgrader_config.py").read_text()
