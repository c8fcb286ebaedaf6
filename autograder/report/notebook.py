"""Grading results inside a Jupyter notebook: the test cells of the nbgrader course in ``course/``.

Each autograded cell of a course notebook calls :func:`grade_cell` with the
names of some of an exercise's checks. It grades the exercise with cnnlab's one
grader (:func:`~autograder.grading.grader.grade_exercise`) on the module files
beside the notebook, shows those tests (name, points, result and the same
feedback as ``cnnlab check``) and returns the points they earned. The cell's
value is that number, which nbgrader reads as the cell's partial credit, so a
notebook gives the same points as the command line.

Everything a student's code produced (messages quote its values and what it
printed) is escaped before it goes into HTML: it is shown, never interpreted.
"""

from __future__ import annotations

import ast
import hashlib
import html
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from autograder.exercises import Exercise, find_exercise
from autograder.grading.grader import grade_exercise
from autograder.grading.results import COULD_NOT_GRADE, PASSED, ExerciseResult, TestResult
from autograder.report.text import feedback

COLOURS = {"passed": "#1a7f37", "failed": "#cf222e", "not-started": "#9a6700", "could-not-grade": "#8250df"}
LABELS = {"passed": "passed", "failed": "failed", "not-started": "not started", "could-not-grade": "could not grade"}

_graded: dict[tuple, ExerciseResult] = {}  # one grading per exercise, folder, hidden and module contents


def _fingerprint(exercise: Exercise, folder: Path) -> str:
    """A hash of the exercise's module files in ``folder``: a saved change means a new grading."""
    digest = hashlib.sha256()
    for module in exercise.modules:
        path = folder / f"{module}.py"
        digest.update(module.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"<missing>") + b"\0")
    return digest.hexdigest()


def graded(exercise: Exercise, folder: Path, hidden: bool) -> ExerciseResult:
    """The result of ``exercise`` on ``folder``, graded once for as long as its module files do not change."""
    key = (exercise.name, str(folder.resolve()), hidden, _fingerprint(exercise, folder))
    if key not in _graded:
        # nbgrader gives a test cell no points when anything reaches stderr: a library's warning must not cost any.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _graded[key] = grade_exercise(exercise, folder, hidden=hidden)
    return _graded[key]


@dataclass(repr=False)
class CellReport:
    """Some tests of one graded exercise, as a notebook shows them.

    ``_repr_html_`` gives Jupyter an HTML table; ``str`` gives the same facts
    as plain text (a terminal, nbconvert to text, a log).
    """

    result: ExerciseResult
    tests: list[TestResult]

    @property
    def score(self) -> int:
        return sum(t.score for t in self.tests)

    @property
    def max_score(self) -> int:
        return sum(t.max_score for t in self.tests)

    def rows(self) -> list[tuple[TestResult, str]]:
        """Each test with its feedback text ('' when it passed)."""
        explained_in: dict[str, str] = {}  # mistake id -> the first test of this cell that explains it
        rows = []
        for test in self.tests:
            text = feedback(test, explained_in.get(test.mistake) if test.mistake else None)
            if test.mistake and not test.passed:
                explained_in.setdefault(test.mistake, test.name)
            rows.append((test, text))
        return rows

    def headline(self) -> str:
        ex = self.result.exercise
        verdict = "all pass" if all(t.passed for t in self.tests) else "not all pass yet"
        return f"{ex.name}: {self.score}/{self.max_score} points in this cell, {verdict}"

    def __str__(self) -> str:
        lines = [self.headline()]
        if self.result.status == COULD_NOT_GRADE and self.result.problem:
            lines.append(f"  Could not grade: {self.result.problem}")
        for test, text in self.rows():
            hidden = " (hidden)" if test.hidden else ""
            lines.append(f"  [{LABELS[test.state]}] {test.score}/{test.max_score}  {test.name}{hidden}")
            lines += [f"      {line}" for line in text.splitlines()]
        return "\n".join(lines)

    __repr__ = __str__  # what IPython shows as text/plain

    def _repr_html_(self) -> str:
        e = html.escape
        cells = []
        for test, text in self.rows():
            colour = COLOURS[test.state]
            hidden = " <em>(hidden)</em>" if test.hidden else ""
            words = f"<pre style='white-space: pre-wrap; margin: 0'>{e(text)}</pre>" if text else ""
            cells.append(f"<tr><td style='text-align: left'>{e(test.name)}{hidden}{words}</td>"
                         f"<td>{test.score}/{test.max_score}</td>"
                         f"<td style='color: {colour}; font-weight: bold'>{e(LABELS[test.state])}</td></tr>")
        problem = ""
        if self.result.status == COULD_NOT_GRADE and self.result.problem:
            problem = f"<pre style='white-space: pre-wrap'>Could not grade: {e(self.result.problem)}</pre>"
        colour = COLOURS[PASSED] if all(t.passed for t in self.tests) else COLOURS["failed"]
        return (f"<div><p style='color: {colour}; font-weight: bold'>{e(self.headline())}</p>{problem}"
                "<table><thead><tr><th style='text-align: left'>Test</th><th>Points</th><th>Result</th></tr>"
                f"</thead><tbody>{''.join(cells)}</tbody></table></div>")


def report(exercise: str | int, names: Sequence[str], *, folder: Path | str | None = None,
           hidden: bool = False) -> CellReport:
    """Grade ``exercise`` on the modules in ``folder`` and pick the tests called ``names``.

    Parameters
    ----------
    exercise : str or int
        Any name :func:`~autograder.exercises.find_exercise` accepts (``"exercise3"``).
    names : sequence of str
        Names of the exercise's checks, in the order to show them.
    folder : path, optional
        The folder with the student's module files; the current folder (the
        notebook's, when Jupyter runs it) by default.
    hidden : bool
        Also run the hidden checks (needs the ``solutions`` package: at grading time).

    Raises
    ------
    KeyError
        If a name is not one of the exercise's checks (a course notebook out of
        step with ``autograder/checks``): the message lists the names there are.
    """
    ex = find_exercise(exercise)
    result = graded(ex, Path.cwd() if folder is None else Path(folder), hidden)
    by_name = {t.name: t for t in result.tests}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise KeyError(f"{ex.name} has no test called {missing}; its tests are: {sorted(by_name)}")
    return CellReport(result, [by_name[n] for n in names])


def graded_call(source: str) -> tuple[str, list[str], bool] | None:
    """The exercise, test names and ``hidden`` of the one ``grade_cell(...)`` call in a cell's ``source``.

    None when the cell does not call :func:`grade_cell`. The arguments must be
    literals, as the course notebooks write them; anything else raises ValueError.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and getattr(node.func, "id", getattr(node.func, "attr", None)) == "grade_cell"]
    if not calls:
        return None
    if len(calls) > 1 or len(calls[0].args) != 2:
        raise ValueError(f"a test cell calls grade_cell(exercise, [names]) exactly once:\n{source}")
    keywords = {k.arg: ast.literal_eval(k.value) for k in calls[0].keywords}
    exercise, names = (ast.literal_eval(arg) for arg in calls[0].args)
    return str(exercise), list(names), bool(keywords.get("hidden", False))


def grade_cell(exercise: str | int, names: Sequence[str], *, folder: Path | str | None = None,
               hidden: bool = False) -> int:
    """Show the tests ``names`` of ``exercise`` in the notebook and return the points they earned.

    The value of the cell is nbgrader's partial credit for it. Outside Jupyter
    the report is printed as plain text. Parameters as :func:`report`.
    """
    shown = report(exercise, names, folder=folder, hidden=hidden)
    try:
        from IPython.display import display
    except ImportError:  # plain Python: the course tools are not installed
        print(shown)
    else:
        display(shown)
    return shown.score
