"""nbgrader's side of the course: every test cell's points, computed outside the student's kernel.

A notebook's cells all run in one kernel, the student's: a cell of theirs can
redefine :func:`~autograder.report.notebook.grade_cell` before the test cells
run, so what a test cell prints in that kernel proves nothing. nbgrader's
``autograde`` runs :class:`TrustedGrades` in its own process, right after it
has executed the notebook: for each test cell (whose source nbgrader has just
restored from its database) it grades the student's modules with cnnlab's
grader, and replaces the cell's outputs with that result and its points.
``course/nbgrader_config.py`` puts it into ``Autograde.autograde_preprocessors``.
nbgrader (the course extra) is imported only here.
"""

from __future__ import annotations

from pathlib import Path

from nbformat.v4 import new_output
from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from nbgrader.utils import is_grade

from autograder.errors import CnnlabError
from autograder.report.notebook import graded_call, report


class TrustedGrades(NbGraderPreprocessor):
    """Replace the outputs of every ``grade_cell`` test cell with the grade computed in this process."""

    def preprocess(self, nb, resources):
        self._folder = Path(resources.get("metadata", {}).get("path") or ".")
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not is_grade(cell):
            return cell, resources
        call = graded_call(cell.source)
        if call is None:
            return cell, resources
        exercise, names, hidden = call
        try:
            shown = report(exercise, names, folder=self._folder, hidden=hidden)
        except CnnlabError as error:  # the machine cannot grade (no isolation for hidden tests, ...): no points
            cell.outputs = [new_output("error", ename="CnnlabError", evalue=str(error), traceback=[str(error)])]
            return cell, resources
        cell.outputs = [new_output("display_data", data={"text/html": shown._repr_html_(), "text/plain": str(shown)}),
                        new_output("execute_result", data={"text/plain": str(shown.score)},
                                   execution_count=cell.get("execution_count"))]
        return cell, resources


def autograde_steps(defaults: list | None = None) -> list:
    """nbgrader's autograde preprocessors (``defaults``, or nbgrader's own) with :class:`TrustedGrades` right after ``Execute``."""
    if defaults is None:
        defaults = Autograde.class_traits()["autograde_preprocessors"].default()
    steps = [step for step in defaults if step is not TrustedGrades]
    steps.insert(steps.index(Execute) + 1, TrustedGrades)
    return steps
