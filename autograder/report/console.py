"""Grading results for people: the table of one exercise with its feedback, and the progress of all six."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from autograder.grading.results import COULD_NOT_GRADE, NOT_STARTED, ExerciseResult
from autograder.grading.speed import SpeedReport
from autograder.report.text import feedback, safe

MARKS = {"passed": ("passed", "green"), "failed": ("failed", "red"),
         "not-started": ("not started", "yellow"), "could-not-grade": ("could not grade", "magenta")}
WAITING = ("passed, not counted yet", "yellow")

# Student text is only ever printed inside a rich Text (never parsed as markup) and after report.text.safe
# (no escape sequences): a message cannot style, link, crash or redraw the report.


def render_check(console: Console, result: ExerciseResult) -> None:
    """The table of one exercise's tests, then the feedback of every failure (identical feedback once)."""
    ex = result.exercise
    table = Table(title=Text(f"{ex.name}: {ex.title}"), title_justify="left", expand=False)
    table.add_column("Test")
    table.add_column("Points", justify="right")
    table.add_column("Result")
    for test in result.tests:
        label, colour = WAITING if test.waits_for else MARKS[test.state]
        name = Text(safe(test.name, 200))
        if test.hidden:
            name.append(" (hidden)", style="dim")
        table.add_row(name, Text(f"{test.score}/{test.max_score}"), Text(label, style=colour))
    console.print(table)
    if result.status == COULD_NOT_GRADE and result.problem:
        printed = f"\nYour code printed:\n{safe(result.printed, 2_000)}" if result.printed else ""
        console.print(Panel(Text(safe(result.problem) + printed), title="Could not grade", border_style="magenta"))
    else:
        for names, text, colour in _feedback_panels(result):
            title = names[0] + (f" (and {len(names) - 1} more tests with the same feedback)" if len(names) > 1 else "")
            console.print(Panel(Text(text), title=Text(safe(title, 300)), title_align="left", border_style=colour))
        waiting = sorted({safe(t.message, 500) for t in result.tests if t.state == NOT_STARTED})
        if waiting:
            console.print(Text.assemble(("Not started yet:", "yellow"), " " + "; ".join(waiting)))
    colour = "green" if result.passed else "red"
    line = Text(f"{ex.name}: {result.score}/{result.max_score} points", style=f"bold {colour}")
    console.print(line + Text("  All tests pass." if result.passed else ""))
    if result.isolation == "weak" and any(t.hidden for t in result.tests):
        console.print(Text("Graded with weak isolation: the kernel's layers (namespaces, Landlock, seccomp) were "
                           "not around this code; `cnnlab doctor` says which are missing.", style="bold yellow"))


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:.2f} ms" if seconds < 0.01 else f"{1000 * seconds:.0f} ms"


def render_speed(console: Console, report: SpeedReport | None) -> None:
    """The line under ``check``'s table: the layer's speed against the vectorised reference. No points hang on it."""
    if report is None:
        return
    if not report.timings:
        console.print(Text(f"Speed not measured: {safe(report.problem, 300)}.", style="dim"))
        return
    slow = [t for t in report.timings if t.slow]
    if not slow:  # sub-millisecond figures are mostly the sandbox's jitter: no numbers to misread
        names = " and ".join(t.function for t in report.timings)
        console.print(Text(f"Speed: {names} keep up with a vectorised implementation on a training-sized batch.",
                           style="dim"))
        return
    parts = "; ".join(f"{t.function} takes {_ms(t.seconds)}, {t.ratio:.0f} times the vectorised reference's "
                      f"{_ms(t.reference_seconds)}" for t in slow)
    console.print(Text.assemble(("Slow: ", "bold yellow"), f"on a training-sized batch ({report.batch}), {parts}. "
                                "No points hang on it, but cnnlab train will run many times slower: take the "
                                "Python loops over pixels out (the function's docstring says how)."))


def _feedback_panels(result: ExerciseResult) -> list[tuple[list[str], str, str]]:
    """``(test names, feedback, colour)`` for each distinct feedback of the tests that need one, in order."""
    explained_in: dict[str, str] = {}  # mistake id -> the first test whose panel explains it
    panels: dict[str, tuple[list[str], str]] = {}
    for test in result.tests:
        if test.passed or test.state == NOT_STARTED:
            continue
        text = feedback(test, explained_in.get(test.mistake))
        if test.mistake:
            explained_in.setdefault(test.mistake, test.name)
        colour = WAITING[1] if test.waits_for else MARKS[test.state][1]
        panels.setdefault(text, ([], colour))[0].append(test.name)
    return [(names, text, colour) for text, (names, colour) in panels.items()]


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
        console.print(Text.assemble("Next: ", (f"cnnlab check {following.exercise.name}", "bold")))
