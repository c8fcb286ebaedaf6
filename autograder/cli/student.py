"""The students' commands: ``check``, ``status``, ``hint``, ``reset`` and ``watch``.

Each parses its options, calls the grading core and hands the result to :mod:`autograder.report`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer

from autograder.errors import CnnlabError, UsageError
from autograder.grading.grader import grade_exercise
from autograder.exercises import EXERCISES, find_exercise, valid_names
from autograder.grading.speed import measure_speed
from autograder.report.console import render_check, render_speed, render_status
from autograder.grading.results import ExerciseResult
from autograder.report.gradescope import problem_json, results_json
from autograder.paths import resolve_submission
from autograder.cli.ui import FlagCommand, console, friendly_errors

PathOption = Annotated[Optional[list[Path]], typer.Option(
    "--path", metavar="DIR", show_default=False,
    help="Folder holding your modules under the same file names as exercises/ (default: exercises/).")]
JsonOption = Annotated[bool, typer.Option(
    "--json", help="Print only a Gradescope-compatible results object on stdout, whatever happens.")]
HiddenOption = Annotated[bool, typer.Option(
    "--hidden", help="Instructors: also run the hidden tests (needs the solutions package).")]
WeakOption = Annotated[bool, typer.Option(
    "--allow-weak-isolation", help="Instructors: run hidden tests even where the kernel's isolation is missing "
                                   "(see cnnlab doctor); every result then says so.")]
TimeoutOption = Annotated[float, typer.Option(
    "--timeout", min=0.1, help="Seconds each test may take before it counts as timed out.")]
ExerciseArgument = Annotated[str, typer.Argument(
    help=f"Which exercise: exercise3, ex3, 3 or its topic. One of: {valid_names()}.", show_default=False)]


def _one(paths: list[Path] | None) -> Path | None:
    """The one ``--path`` given (None for none); giving it twice is refused rather than silently using the last."""
    if paths and len(paths) > 1:
        raise UsageError(f"--path was given {len(paths)} times ({', '.join(map(str, paths))}); "
                         "give it once, with the folder that holds your modules.")
    return paths[0] if paths else None


def _graded(as_json: bool, names: list[str], grade: Callable[[], list[ExerciseResult]]) -> list[ExerciseResult]:
    """``grade()``; with ``--json``, a results object reaches stdout even when grading cannot start.

    A missing, empty or nested folder, a repeated ``--path`` or a wrong exercise
    name then print a ``could-not-grade`` object naming the problem (and exit
    1, or 2 for a usage error) instead of a message on stderr only.
    """
    if not as_json:
        return grade()
    try:
        return grade()
    except CnnlabError as error:
        problem, code = str(error), error.exit_code
    except Exception as error:  # noqa: BLE001  --json promises an object on stdout, whatever went wrong
        problem, code = f"cnnlab could not grade this submission ({type(error).__name__}: {error}).", 1
    typer.echo(json.dumps(problem_json(problem, names), indent=2))
    raise typer.Exit(code)


def _grade_all(path, hidden, timeout, weak=False):
    folder = resolve_submission(_one(path))
    return [grade_exercise(ex, folder, hidden=hidden, timeout=timeout, allow_weak_isolation=weak) for ex in EXERCISES]


def _show_status(results, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(results_json(results), indent=2))
    else:
        render_status(console, results)


def check(
    exercise: Annotated[Optional[str], typer.Argument(
        help=f"Which exercise: exercise3, ex3, 3 or its topic. One of: {valid_names()}.", show_default=False)] = None,
    all_: Annotated[bool, typer.Option("--all", help="Check every exercise (the same as cnnlab status).")] = False,
    path: PathOption = None,
    as_json: JsonOption = False,
    hidden: HiddenOption = False,
    timeout: TimeoutOption = 5.0,
    weak: WeakOption = False,
) -> None:
    """Run the tests of one exercise against your code and explain every failure.

    Exit code 0 when every test passes, 1 otherwise, 2 for a wrong exercise name.
    """
    if all_ or exercise is None:
        if exercise is not None or not all_:
            raise UsageError("Name one exercise, or use --all for every exercise. "
                             f"Valid names: {valid_names()}.")
        results = _graded(as_json, [ex.name for ex in EXERCISES], lambda: _grade_all(path, hidden, timeout, weak))
        _show_status(results, as_json)
        raise typer.Exit(0 if all(r.passed for r in results) else 1)
    speed = []  # timed in the grader's sandbox once the tests are graded: no second child to start

    def time_the_layer(sandbox, graded) -> None:
        speed.append(measure_speed(graded.exercise, result=graded, sandbox=sandbox))

    [result] = _graded(as_json, [str(exercise)], lambda: [grade_exercise(
        find_exercise(exercise), _one(path), hidden=hidden, timeout=timeout, allow_weak_isolation=weak,
        afterwards=None if as_json else time_the_layer)])
    if as_json:
        typer.echo(json.dumps(results_json([result]), indent=2))
    else:
        render_check(console, result)
        render_speed(console, speed[0] if speed else None)
    raise typer.Exit(0 if result.passed else 1)


def status(path: PathOption = None, as_json: JsonOption = False, hidden: HiddenOption = False,
           timeout: TimeoutOption = 5.0, weak: WeakOption = False) -> None:
    """Show points and progress over every exercise.

    Exit code 0 when every exercise passes, 1 otherwise (a failing test, or code that could not be graded).
    """
    results = _graded(as_json, [ex.name for ex in EXERCISES], lambda: _grade_all(path, hidden, timeout, weak))
    _show_status(results, as_json)
    raise typer.Exit(0 if all(r.passed for r in results) else 1)


def hint(exercise: ExerciseArgument, path: PathOption = None, timeout: TimeoutOption = 5.0) -> None:
    """Grade the exercise, then show the next hint about what fails (one more each time you ask)."""
    from rich.markup import escape

    from autograder.student.hints import failing_functions, next_hint

    ex = find_exercise(exercise)
    folder = resolve_submission(_one(path))
    result = grade_exercise(ex, folder, timeout=timeout)
    failing = failing_functions(ex, [t.name for t in result.tests if not t.passed],
                                [t.name for t in result.tests if t.passed])
    if not result.tests and not result.passed:  # could not grade at all: every hint may help
        failing = None
    turn = next_hint(ex, folder, failing)
    for number, given in turn.shown:
        style = "bold" if given is turn.new else "dim"
        about = f" ({', '.join(given.about)})" if given.about else ""
        console.print(f"[{style}]Hint {number}/{turn.total}{escape(about)}:[/] {escape(given.text)}")
    if turn.new is None:
        console.print(escape(turn.no_more))
    elif turn.left:
        console.print(f"[dim]Run cnnlab hint {ex.name} again for the next one ({turn.left} more about what "
                      "fails).[/]")


def reset(
    exercise: ExerciseArgument,
    path: PathOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Put an exercise's stub back, keeping a backup of your file."""
    from autograder.student.backups import reset_exercise

    ex = find_exercise(exercise)
    folder = resolve_submission(_one(path))
    files = ", ".join(f"{m}.py" for m in ex.modules)
    if not yes and not typer.confirm(f"Replace {files} in {folder} with the original stub? "
                                     "(your file is backed up first)"):
        console.print("Nothing changed.")
        raise typer.Exit(1)
    for target, saved in reset_exercise(ex, folder):
        note = f" (your version is in {saved})" if saved else ""
        console.print(f"Reset {target}{note}")


def watch(
    exercise: Annotated[Optional[str], typer.Argument(
        help="Which exercise to follow; by default the first one that does not pass yet.", show_default=False)] = None,
    path: PathOption = None,
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between looks at your files.")] = 0.5,
    timeout: TimeoutOption = 5.0,
) -> None:
    """Rerun the check every time you save one of your files (Ctrl-C to stop)."""
    from autograder.student.watch import watch as watch_loop

    folder = resolve_submission(_one(path))
    fixed = find_exercise(exercise) if exercise else None

    def run_once() -> None:
        console.clear()
        target = fixed
        if target is None:
            target = next((ex for ex in EXERCISES if not grade_exercise(ex, folder, timeout=timeout).passed), None)
            if target is None:
                console.print("[bold green]Every exercise passes. Well done![/] Try cnnlab train next.")
                return
        render_check(console, grade_exercise(target, folder, timeout=timeout))
        console.print("[dim]Watching your files; save to rerun, Ctrl-C to stop.[/]")

    try:
        watch_loop(folder, run_once, interval=interval)
    except KeyboardInterrupt:
        console.print("Stopped watching.")


def register(app: typer.Typer) -> None:
    """Add the students' commands to ``app``."""
    for command in (check, status, hint, reset, watch):
        app.command(cls=FlagCommand)(friendly_errors(command))
