"""The course graded for real: nbgrader and a Jupyter kernel, from generate_assignment to the grades CSV.

In a copy of course/, four students submit exercise 3: the reference pasted
into convolution.py, the untouched stub, the classic bug of a dx that
slides the kernel over dout without flipping it, and the stub with a notebook
cell that rewrites grade_cell to hand out every point. ``nbgrader autograde``,
``generate_feedback`` and ``export`` must give full points, zero, the
points ``cnnlab check --hidden`` gives (partial) and zero, with the teaching
messages in the feedback. No mocks: this is what an instructor runs.
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
from autograder.exercises import find_exercise
from autograder.grading.grader import grade_exercise
from tests.course.tools import COURSE, COURSE_MARKS
from tests.helpers import FIXTURES, ROOT

pytestmark = COURSE_MARKS

EXERCISE = find_exercise(3)
REFERENCE = ROOT / "solutions" / "convolution.py"


def _nbgrader(course, *args) -> subprocess.CompletedProcess:
    # nbgrader starts alembic (its database migrations) from PATH: the scripts beside this Python come first.
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    env = {**os.environ, "PATH": path, "JUPYTER_CONFIG_DIR": str(course.parent / "jupyter-config"), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


# A cell a student adds to the notebook: every test cell run in the kernel would then claim full points.
FORGERY = """import autograder.report.notebook as notebook
from autograder.checks import checks_of
from autograder.exercises import find_exercise
points = {check.name: check.points for check in checks_of(find_exercise(3))}
notebook.grade_cell = lambda exercise, names, **kwargs: sum(points[name] for name in names)
"""


def _submit(course, student, files: dict, forge: bool = False) -> None:
    folder = course / "submitted" / student / EXERCISE.name
    folder.mkdir(parents=True)
    notebook = json.loads((course / "release" / EXERCISE.name / f"{EXERCISE.name}.ipynb").read_text())
    if forge:
        notebook["cells"].insert(2, {"cell_type": "code", "execution_count": None, "id": "forgery", "metadata": {},
                                     "outputs": [], "source": FORGERY})
    (folder / f"{EXERCISE.name}.ipynb").write_text(json.dumps(notebook))
    for name, source in files.items():
        shutil.copy(source, folder / name)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The course after generate_assignment, three submissions, autograde, generate_feedback and export."""
    course = tmp_path_factory.mktemp("nbgrader") / "course"
    shutil.copytree(COURSE, course, ignore=shutil.ignore_patterns("__pycache__", "*.db", "release", "submitted",
                                                                   "autograded", "feedback"))
    started = time.monotonic()
    _nbgrader(course, "generate_assignment", EXERCISE.name)
    release = course / "release" / EXERCISE.name
    _submit(course, "alice", {"convolution.py": REFERENCE})
    _submit(course, "bob", {"convolution.py": release / "convolution.py"})
    _submit(course, "carol", {"convolution.py": FIXTURES / "ex3_dx_without_kernel_flip" / "convolution.py",
                              "base_convolution.py": REFERENCE})  # the fixture takes conv_output_shape from it
    _submit(course, "dave", {"convolution.py": release / "convolution.py"}, forge=True)
    _nbgrader(course, "autograde", EXERCISE.name)
    _nbgrader(course, "generate_feedback", EXERCISE.name)
    _nbgrader(course, "export")
    with open(course / "grades.csv", newline="") as file:
        rows = {row["student_id"]: row for row in csv.DictReader(file)}
    return course, rows, time.monotonic() - started


def test_the_release_holds_the_notebook_and_the_stub_and_no_hidden_test(graded):
    course, _, _ = graded
    release = course / "release" / EXERCISE.name
    assert sorted(p.name for p in release.iterdir()) == ["convolution.py", f"{EXERCISE.name}.ipynb"]
    assert (release / "convolution.py").read_text() == (ROOT / "exercises" / "convolution.py").read_text()
    text = (release / f"{EXERCISE.name}.ipynb").read_text()
    assert "HIDDEN TESTS" not in text and "hidden=True" not in text


def test_the_grades_csv_gives_full_zero_and_the_clis_partial_points(graded):
    course, rows, _ = graded
    total = sum(c.points for c in checks_of(EXERCISE))
    assert set(rows) == {"alice", "bob", "carol", "dave"}
    assert all(float(row["max_score"]) == total for row in rows.values())
    assert float(rows["alice"]["score"]) == total
    assert float(rows["bob"]["score"]) == 0
    # The bug is deterministic, so the CLI's grade with the hidden checks is the notebook's grade.
    cli = grade_exercise(EXERCISE, course / "autograded" / "carol" / EXERCISE.name, hidden=True)
    assert 0 < float(rows["carol"]["score"]) < total
    assert float(rows["carol"]["score"]) == cli.score


def test_a_test_cell_rewritten_in_the_kernel_earns_nothing(graded):
    course, rows, _ = graded
    assert float(rows["dave"]["score"]) == 0
    notebook = json.loads((course / "autograded" / "dave" / EXERCISE.name / f"{EXERCISE.name}.ipynb").read_text())
    assert any(cell.get("id") == "forgery" for cell in notebook["cells"])  # the cell ran, and changed nothing


def test_autograde_keeps_the_students_module(graded):
    course, _, _ = graded
    kept = course / "autograded" / "carol" / EXERCISE.name / "convolution.py"
    assert kept.read_text() == (FIXTURES / "ex3_dx_without_kernel_flip" / "convolution.py").read_text()


def test_the_feedback_teaches_and_escapes(graded):
    course, _, _ = graded
    page = (course / "feedback" / "carol" / EXERCISE.name / f"{EXERCISE.name}.html").read_text()
    assert "Likely cause" in page and "without flipping it" in page
    assert "conv backward, worked example" in page and "0/1" in page
    notebook = json.loads((course / "autograded" / "carol" / EXERCISE.name / f"{EXERCISE.name}.ipynb").read_text())
    hidden = [c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "hidden"]
    assert "grade_cell" in "".join(hidden[0]["source"])  # autograde put the hidden tests back


def test_the_whole_run_stays_under_three_minutes(graded):
    _, _, seconds = graded
    assert seconds < 180, f"generate_assignment to export took {seconds:.0f} s"
