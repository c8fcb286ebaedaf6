"""The course's notebooks: their test cells give the CLI's points, they hold no solution code, and they run.

The structure tests read the built .ipynb as JSON and need nothing but the
standard library; running a notebook needs the course extra.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from autograder.checks import checks_of
from autograder.exercises import EXERCISES
from autograder.report.notebook import graded_call
from tests.course.tools import COURSE, needs_course_tools
from tests.helpers import ROOT

SOURCE = COURSE / "source"
IN_COURSE = [ex for ex in EXERCISES if (SOURCE / ex.name / f"{ex.name}.ipynb").is_file()]
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def _cells(exercise) -> list[dict]:
    return json.loads((SOURCE / exercise.name / f"{exercise.name}.ipynb").read_text())["cells"]


def _grade_cells(exercise) -> list[dict]:
    return [c for c in _cells(exercise) if c.get("metadata", {}).get("nbgrader", {}).get("grade")]


def _graded_names(source: str) -> tuple[list[str], bool]:
    """The test names a test cell shows, and whether they are hidden."""
    call = graded_call(source)
    assert call is not None, f"a test cell calls grade_cell:\n{source}"
    return call[1], call[2]


def test_exercise3_has_a_notebook():
    assert "exercise3" in [ex.name for ex in IN_COURSE]


@pytest.mark.parametrize("exercise", IN_COURSE, ids=lambda ex: ex.name)
def test_test_cells_carry_nbgrader_metadata(exercise):
    cells = _grade_cells(exercise)
    assert cells, f"{exercise.name}.ipynb has no autograded test cell"
    ids = [c["metadata"]["nbgrader"]["grade_id"] for c in cells]
    assert len(set(ids)) == len(ids), f"grade_ids repeat: {ids}"
    for cell in cells:
        meta = cell["metadata"]["nbgrader"]
        assert cell["cell_type"] == "code"
        assert (meta["grade"], meta["locked"], meta["solution"], meta["schema_version"]) == (True, True, False, 3)
        assert isinstance(meta["points"], int) and meta["points"] > 0


@pytest.mark.parametrize("exercise", IN_COURSE, ids=lambda ex: ex.name)
def test_points_in_the_notebook_equal_the_clis(exercise):
    checks = {c.name: c for c in checks_of(exercise)}
    seen: list[str] = []
    for cell in _grade_cells(exercise):
        source = "".join(cell["source"])
        names, hidden = _graded_names(source)
        unknown = [n for n in names if n not in checks]
        assert not unknown, f"{cell['metadata']['nbgrader']['grade_id']}: no such check {unknown}"
        assert cell["metadata"]["nbgrader"]["points"] == sum(checks[n].points for n in names), (
            f"the points of cell {cell['metadata']['nbgrader']['grade_id']} are not those of its checks")
        kinds = {checks[n].hidden for n in names}
        assert kinds == {hidden}, f"a cell runs either public checks or, with hidden=True, hidden ones: {names}"
        if hidden:  # nbgrader removes the hidden block from the students' copy
            assert "grade_cell" in "".join(HIDDEN.findall(source)) and "grade_cell" not in HIDDEN.sub("", source)
        seen += names
    assert len(seen) == len(set(seen)), f"a check is in two test cells: {sorted(n for n in seen if seen.count(n) > 1)}"
    left_out = {n: (checks[n].points, "hidden" if checks[n].hidden else "public") for n in checks if n not in seen}
    assert not left_out, f"checks in no test cell of {exercise.name}.ipynb (add them, with their points): {left_out}"
    cells = _grade_cells(exercise)
    for hidden in (False, True):
        in_cells = sum(c["metadata"]["nbgrader"]["points"] for c in cells
                       if _graded_names("".join(c["source"]))[1] == hidden)
        assert in_cells == sum(c.points for c in checks.values() if c.hidden == hidden)


def _solution_lines() -> set[str]:
    """Every distinctive line of a reference body (between the markers) in solutions/."""
    lines = set()
    for path in (ROOT / "solutions").glob("*.py"):
        for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", path.read_text(), re.S):
            lines |= {line.strip() for line in block.splitlines()
                      if len(line.strip()) >= 30 and not line.strip().startswith(("#", '"', "'"))}
    return lines


def test_no_solution_code_under_course():
    reference = _solution_lines()
    assert len(reference) > 50  # the scan sees the reference bodies
    for path in COURSE.rglob("*"):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        text = path.read_text()
        assert "### BEGIN SOLUTION" not in text, f"{path.relative_to(ROOT)} holds a solution block"
        lines = {line.strip().strip('",').replace('\\"', '"') for line in text.splitlines()}
        copied = sorted(reference & lines)
        assert not copied, f"{path.relative_to(ROOT)} copies lines of the reference: {copied[:3]}"


def test_the_no_solution_scan_finds_a_pasted_body(tmp_path):
    reference = _solution_lines()
    pasted = (ROOT / "solutions" / "convolution.py").read_text()
    lines = {line.strip() for line in pasted.splitlines()}
    assert reference & lines


def _run(notebook, folder):
    """Execute ``notebook`` in ``folder`` (beside the modules there) with a real Jupyter kernel; return it."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def _points(nb) -> dict[str, float]:
    found = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            results = [o for o in cell.outputs if o.output_type == "execute_result"]
            assert not [o for o in cell.outputs if o.output_type == "error" or o.get("name") == "stderr"], (
                f"test cell {meta['grade_id']} failed or wrote to stderr, which costs all its points in nbgrader")
            found[meta["grade_id"]] = float(results[0]["data"]["text/plain"])
    return found


@pytest.mark.parametrize("modules", ["reference", "stub"])
@pytest.mark.parametrize("exercise", IN_COURSE, ids=lambda ex: ex.name)
@needs_course_tools
def test_the_notebook_runs_top_to_bottom(exercise, modules, tmp_path):
    """With the reference every test cell earns its points, with the untouched stub none; no cell fails either way."""
    folder = tmp_path / exercise.name
    folder.mkdir()
    home = ROOT / "solutions" if modules == "reference" else SOURCE / exercise.name
    for module in exercise.modules:
        shutil.copy(home / f"{module}.py", folder / f"{module}.py")
    nb = _run(SOURCE / exercise.name / f"{exercise.name}.ipynb", folder)
    points = _points(nb)
    if modules == "reference":
        assert points == {c.metadata.nbgrader.grade_id: c.metadata.nbgrader.points for c in nb.cells
                          if c.metadata.get("nbgrader", {}).get("grade")}
        assert sum(points.values()) == sum(c.points for c in checks_of(exercise))
    else:
        assert set(points.values()) == {0.0}
