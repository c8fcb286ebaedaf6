"""The course graded for real: nbgrader and a Jupyter kernel, from generate_assignment to the grades CSV.

In a copy of course/, four students submit every assignment that has a
notebook: the reference pasted into the modules, the untouched stubs, a
typical bug (a fixture submission, for exercise 3 a dx that slides the kernel
over dout without flipping it), and the stubs with a notebook cell that
rewrites grade_cell to hand out every point. ``nbgrader autograde``,
``generate_feedback`` and ``export`` must give full points, zero, the points
``cnnlab check --hidden`` gives (partial) and zero, with the teaching messages
in the feedback. No mocks: this is what an instructor runs.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from autograder.checks import checks_of
from autograder.exercises import EXERCISES
from autograder.grading.grader import grade_exercise
from tests.course.tools import COURSE, COURSE_MARKS
from tests.helpers import FIXTURES, ROOT

pytestmark = COURSE_MARKS

IN_COURSE = [ex for ex in EXERCISES if (COURSE / "source" / ex.name / f"{ex.name}.ipynb").is_file()]
# The typical mistake submitted for each notebook: a fixture submission of tests/fixtures/submissions.
BUGS = {"exercise1": "ex1_softmax_backward_diagonal", "exercise2": "ex2_affine_dw_transposed", "exercise3": "ex3_dx_without_kernel_flip", "exercise4": "ex4_avg_not_divided", "exercise5": "ex5_adam_no_bias_correction", "exercise6": "ex6_dropout_not_scaled"}
STUDENTS = ("reference", "stub", "bug", "forger")

# A cell a student adds to the notebook: every test cell run in the kernel would then claim full points.
FORGERY = """import autograder.report.notebook as notebook
from autograder.checks import checks_of
from autograder.exercises import find_exercise
points = {{check.name: check.points for check in checks_of(find_exercise({number}))}}
notebook.grade_cell = lambda exercise, names, **kwargs: sum(points[name] for name in names)
"""


def _nbgrader(course, *args) -> subprocess.CompletedProcess:
    # nbgrader starts alembic (its database migrations) from PATH: the scripts beside this Python come first.
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    env = {**os.environ, "PATH": path, "JUPYTER_CONFIG_DIR": str(course.parent / "jupyter-config"), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def _files(exercise, student, release) -> dict:
    """What ``student`` hands in beside the notebook: file name -> where it comes from."""
    if student == "reference":
        return {f"{m}.py": ROOT / "solutions" / f"{m}.py" for m in exercise.modules}
    if student == "bug":
        fixture = FIXTURES / BUGS[exercise.name]
        # The reference's modules, overridden by the fixture's files (an exercise of several modules hands in
        # all of them); the fixture may take the rest from base_<module>.
        return {**{f"{m}.py": ROOT / "solutions" / f"{m}.py" for m in exercise.modules},
                **{p.name: p for p in fixture.glob("*.py")},
                **{f"base_{m}.py": ROOT / "solutions" / f"{m}.py" for m in exercise.modules}}
    return {f"{m}.py": release / f"{m}.py" for m in exercise.modules}


def _submit(course, exercise, student) -> None:
    release = course / "release" / exercise.name
    folder = course / "submitted" / student / exercise.name
    folder.mkdir(parents=True)
    notebook = json.loads((release / f"{exercise.name}.ipynb").read_text())
    if student == "forger":
        notebook["cells"].insert(2, {"cell_type": "code", "execution_count": None, "id": "forgery", "metadata": {},
                                     "outputs": [], "source": FORGERY.format(number=exercise.number)})
    (folder / f"{exercise.name}.ipynb").write_text(json.dumps(notebook))
    for name, source in _files(exercise, student, release).items():
        shutil.copy(source, folder / name)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The course after generate_assignment, four submissions, autograde and generate_feedback of every
    assignment, then export: the course folder, grades.csv as {(assignment, student): row}, and the seconds."""
    course = tmp_path_factory.mktemp("nbgrader") / "course"
    shutil.copytree(COURSE, course, ignore=shutil.ignore_patterns("__pycache__", "*.db", "release", "submitted",
                                                                   "autograded", "feedback"))
    started = time.monotonic()
    for exercise in IN_COURSE:
        _nbgrader(course, "generate_assignment", exercise.name)
        for student in STUDENTS:
            _submit(course, exercise, student)
        _nbgrader(course, "autograde", exercise.name)
        _nbgrader(course, "generate_feedback", exercise.name)
    _nbgrader(course, "export")
    with open(course / "grades.csv", newline="") as file:
        rows = {(row["assignment"], row["student_id"]): row for row in csv.DictReader(file)}
    return course, rows, time.monotonic() - started


def test_every_notebook_has_a_typical_bug_to_grade():
    assert IN_COURSE, "no notebook in course/source"
    missing = [ex.name for ex in IN_COURSE if ex.name not in BUGS]
    assert not missing, f"name a fixture submission with a typical bug in BUGS for {missing}"


@pytest.mark.parametrize("exercise", IN_COURSE, ids=lambda ex: ex.name)
def test_the_release_holds_the_notebook_and_the_stubs_and_no_hidden_test(graded, exercise):
    course, _, _ = graded
    release = course / "release" / exercise.name
    assert sorted(p.name for p in release.iterdir()) == sorted([f"{exercise.name}.ipynb",
                                                                *(f"{m}.py" for m in exercise.modules)])
    for module in exercise.modules:
        assert (release / f"{module}.py").read_text() == (ROOT / "exercises" / f"{module}.py").read_text()
    text = (release / f"{exercise.name}.ipynb").read_text()
    assert "HIDDEN TESTS" not in text and "hidden=True" not in text


@pytest.mark.parametrize("exercise", IN_COURSE, ids=lambda ex: ex.name)
def test_the_grades_csv_gives_full_zero_and_the_clis_partial_points(graded, exercise):
    course, rows, _ = graded
    total = sum(c.points for c in checks_of(exercise))
    row = {student: rows[exercise.name, student] for student in STUDENTS}
    assert all(float(r["max_score"]) == total for r in row.values())
    assert float(row["reference"]["score"]) == total
    assert float(row["stub"]["score"]) == 0
    # The bug is deterministic, so the CLI's grade with the hidden checks is the notebook's grade.
    cli = grade_exercise(exercise, course / "autograded" / "bug" / exercise.name, hidden=True)
    assert 0 < float(row["bug"]["score"]) < total
    assert float(row["bug"]["score"]) == cli.score


@pytest.mark.parametrize("exercise", IN_COURSE, ids=lambda ex: ex.name)
def test_a_test_cell_rewritten_in_the_kernel_earns_nothing(graded, exercise):
    course, rows, _ = graded
    assert float(rows[exercise.name, "forger"]["score"]) == 0
    folder = course / "autograded" / "forger" / exercise.name
    notebook = json.loads((folder / f"{exercise.name}.ipynb").read_text())
    assert any(cell.get("id") == "forgery" for cell in notebook["cells"])  # the cell ran, and changed nothing


@pytest.mark.parametrize("exercise", IN_COURSE, ids=lambda ex: ex.name)
def test_autograde_keeps_the_students_modules(graded, exercise):
    course, _, _ = graded
    for module in exercise.modules:
        kept = course / "autograded" / "reference" / exercise.name / f"{module}.py"
        assert kept.read_text() == (ROOT / "solutions" / f"{module}.py").read_text()


def test_the_feedback_teaches_and_escapes(graded):
    course, _, _ = graded
    page = (course / "feedback" / "bug" / "exercise3" / "exercise3.html").read_text()
    assert "Likely cause" in page and "without flipping it" in page
    assert "conv backward, worked example" in page and "0/1" in page
    notebook = json.loads((course / "autograded" / "bug" / "exercise3" / "exercise3.ipynb").read_text())
    hidden = [c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "hidden"]
    assert "grade_cell" in "".join(hidden[0]["source"])  # autograde put the hidden tests back


def test_the_whole_run_stays_under_three_minutes_a_notebook(graded):
    _, _, seconds = graded
    assert seconds < 180 * len(IN_COURSE), f"generate_assignment to export took {seconds:.0f} s"
