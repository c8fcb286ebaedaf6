"""Render grading results: rich tables for people, versioned JSON for machines.

The JSON follows Gradescope's results format (``score``, ``max_score``,
``tests[]`` with ``name``, ``score``, ``max_score``, ``status``, ``output``,
``visibility``) plus cnnlab's ``version`` and a run ``status`` of
``graded`` or ``could-not-grade``.
"""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from autograder.grader import ExerciseResult, TestResult
from autograder.suites import diagnosis

SCHEMA_VERSION = 1
MARKS = {"passed": ("passed", "green"), "failed": ("failed", "red"),
         "not-started": ("not started", "yellow"), "could-not-grade": ("could not grade", "magenta")}


def test_json(test: TestResult, prefix: str = "") -> dict:
    return {"name": f"{prefix}{test.name}", "score": test.score, "max_score": test.max_score,
            "status": "passed" if test.passed else "failed", "output": test.output,
            "visibility": "after_published" if test.hidden else "visible"}


def results_json(results: list[ExerciseResult]) -> dict:
    """One results object for one or more exercises."""
    many = len(results) > 1
    tests = [test_json(t, f"{r.exercise.name}: " if many else "") for r in results for t in r.tests]
    data = {
        "version": SCHEMA_VERSION,
        "status": "could-not-grade" if any(r.status == "could-not-grade" for r in results) else "graded",
        "score": sum(r.score for r in results),
        "max_score": sum(r.max_score for r in results),
        "tests": tests,
    }
    if many:
        data["exercises"] = [{"name": r.exercise.name, "topic": r.exercise.topic, "score": r.score,
                              "max_score": r.max_score, "progress": r.progress, "status": r.status} for r in results]
    else:
        data["exercise"] = results[0].exercise.name
    return data


def render_check(console: Console, result: ExerciseResult) -> None:
    """The table of one exercise's tests, then the feedback of every failure."""
    ex = result.exercise
    table = Table(title=f"{ex.name}: {ex.title}", title_justify="left", expand=False)
    table.add_column("Test")
    table.add_column("Points", justify="right")
    table.add_column("Result")
    for test in result.tests:
        label, colour = MARKS[test.state]
        name = test.name + (" [dim](hidden)[/]" if test.hidden else "")
        table.add_row(name, f"{test.score}/{test.max_score}", f"[{colour}]{label}[/]")
    console.print(table)
    if result.status == "could-not-grade" and result.problem:
        console.print(Panel(Text(result.problem), title="Could not grade", border_style="magenta"))
    else:
        first_named: dict[str, str] = {}
        for test in result.tests:
            if not test.passed and test.state != "not-started":
                console.print(Panel(Text(_once(test, first_named)), title=test.name, title_align="left",
                                    border_style=MARKS[test.state][1]))
        started = [t for t in result.tests if t.state == "not-started"]
        if started:
            names = sorted({t.output.split(":", 1)[-1].strip().removesuffix(".") for t in started})
            console.print(f"[yellow]Not started yet:[/] {'; '.join(names)}")
    colour = "green" if result.passed else "red"
    console.print(f"[bold {colour}]{ex.name}: {result.score}/{result.max_score} points[/]"
                  + ("  All tests pass." if result.passed else ""))


def _once(test: TestResult, first_named: dict[str, str]) -> str:
    """The test's feedback, with a mistake already explained above replaced by a pointer to it."""
    if not test.mistake:
        return test.output
    if test.mistake not in first_named:
        first_named[test.mistake] = test.name
        return test.output
    return test.output.replace(f"Likely cause: {diagnosis(test.mistake)}",
                               f"Likely cause: the same mistake as in '{first_named[test.mistake]}' above.")


def render_status(console: Console, results: list[ExerciseResult]) -> None:
    """One line per exercise with points and progress, and a bar for the whole course."""
    table = Table(title="cnnlab progress", title_justify="left")
    for column, justify in (("Exercise", "left"), ("Topic", "left"), ("Points", "right"), ("Progress", "left")):
        table.add_column(column, justify=justify)
    colours = {"done": "green", "in progress": "yellow", "not started": "dim"}
    for r in results:
        progress = r.progress if r.status == "graded" else "could not grade"
        table.add_row(r.exercise.name, r.exercise.topic, f"{r.score}/{r.max_score}",
                      f"[{colours.get(progress, 'magenta')}]{progress}[/]")
    console.print(table)
    score, total = sum(r.score for r in results), sum(r.max_score for r in results)
    done = sum(r.passed for r in results)
    summary = Table.grid(padding=(0, 2))  # the bar and its numbers on one line (a bare bar ends no line)
    summary.add_row(ProgressBar(total=max(total, 1), completed=score, width=40),
                    f"{score}/{total} points, {done} of {len(results)} exercises done.")
    console.print(summary)
    following = next((r for r in results if not r.passed), None)
    if following:
        console.print(f"Next: [bold]cnnlab check {following.exercise.name}[/]")
