"""Grade one exercise of one submission: the core behind ``cnnlab check``, ``status`` and ``train``'s gate.

The student's modules run in a :class:`~autograder.sandbox.runner.Sandbox`;
everything trusted happens here: inputs are chosen here, references come from
the stored answers (public checks) or from ``solutions`` (hidden checks, with
fresh seeds), and every comparison is made here. What comes out is an
:class:`~autograder.grading.results.ExerciseResult`, rendered by :mod:`autograder.report`.
"""

from __future__ import annotations

import copy
import secrets
from pathlib import Path

import numpy as np

from autograder import paths
from autograder.checks import checks_of, diagnosis
from autograder.checks.spec import Check, Context
from autograder.exercises import Exercise
from autograder.grading import store
from autograder.grading.diagnose import name_mistake
from autograder.grading.reference import reference_modules, run_trusted
from autograder.grading.results import (COULD_NOT_GRADE, FAILED, GRADED, NOT_STARTED, PASSED, ExerciseResult,
                                        TestResult)
from autograder.sandbox.runner import Limits, Outcome, Sandbox, SandboxDied

PRINTED_CHARS = 500  # the end of what a student's code printed during one test


def protected_folders() -> list[Path]:
    """What a submission must not read: cnnlab's package (stored answers included) and ``solutions``."""
    return [paths.PACKAGE, *filter(None, [paths.package_dir("solutions")])]


def grade_exercise(exercise: Exercise, submission: Path | None = None, *, hidden: bool = False,
                   timeout: float = 5.0, limits: Limits | None = None) -> ExerciseResult:
    """Run every test of ``exercise`` against the modules in ``submission``.

    Parameters
    ----------
    exercise : Exercise
    submission : Path or None
        Folder with the student's modules; None for ``exercises/``.
    hidden : bool
        Also run the hidden checks (needs the ``solutions`` package).
    timeout : float
        Wall-clock seconds allowed per test.
    limits : Limits, optional
        Overrides every sandbox limit (``timeout`` is then ignored).

    Raises
    ------
    CnnlabError
        For a missing submission folder, damaged stored answers, or ``hidden``
        without the reference solutions; never for anything the student's code does.
    """
    folder = paths.resolve_submission(submission)
    checks = [c for c in checks_of(exercise) if hidden or not c.hidden]
    stored = store.load(exercise)
    modules = reference_modules(exercise, "--hidden") if hidden else None
    result = ExerciseResult(exercise, folder, GRADED)
    sandbox = Sandbox(folder, exercise.modules, limits or Limits(timeout=timeout),
                      protect=protected_folders(), hide=[p for p in [paths.source_checkout()] if p])
    with sandbox:
        try:
            imports = sandbox.start()
        except SandboxDied as died:
            return _cannot_grade(result, checks, f"Your code {died.outcome.message}.", died.outcome.output)
        problem = _import_problem(exercise, imports)
        if problem:
            return _cannot_grade(result, checks, problem, "")
        available = {f"{m}.{n}" for m, r in imports.items() for n in r.get("names", [])}
        for check in checks:
            result.tests.append(_grade_one(check, sandbox, stored, modules, available))
    if any(t.state == COULD_NOT_GRADE for t in result.tests):
        result.status = COULD_NOT_GRADE
    return result


def _cannot_grade(result: ExerciseResult, checks: list[Check], problem: str, printed: str) -> ExerciseResult:
    result.status, result.problem, result.printed = COULD_NOT_GRADE, problem, printed
    result.tests = [TestResult(c.name, c.points, 0, COULD_NOT_GRADE, problem, c.hidden, printed=printed)
                    for c in checks]
    return result


def _import_problem(exercise: Exercise, imports: dict) -> str:
    for module in exercise.modules:
        report = imports.get(module, {})
        if report.get("missing"):
            return f"there is no {module}.py in your folder."
        if not report.get("ok"):
            error = report.get("error", {})
            line = f" (line {error['line']})" if error.get("line") else ""
            return (f"{module}.py could not be imported{line}: {error.get('type', 'error')}: "
                    f"{error.get('message', '')}{_frames(error)}")
    return ""


def _frames(error: dict) -> str:
    frames = error.get("frames") or []
    if not frames:
        return ""
    lines = [f"\n  File {f['file']}, line {f['line']}, in {f['function']}" + (f"\n    {f['code']}" if f["code"] else "")
             for f in frames]
    return "\n  in your code:" + "".join(lines)


def _grade_one(check: Check, sandbox: Sandbox, stored: dict, modules: dict | None, available: set) -> TestResult:
    def done(state: str, message: str = "", mistake: str | None = None, printed: str = "",
             seconds: float = 0.0) -> TestResult:
        return TestResult(check.name, check.points, check.points if state == PASSED else 0, state, message,
                          check.hidden, mistake, diagnosis(mistake) if mistake else "", printed, seconds)

    if check.hidden:
        program = check.build(np.random.default_rng(secrets.randbits(31)))
        reference = run_trusted(program, modules) if check.uses_reference else None
        stored_mistakes = None
    else:
        entry = stored.get(check.name)
        if entry is None:
            return done(COULD_NOT_GRADE, "the grader has no stored answer for this test; instructors: run "
                                         "python -m autograder.build.")
        program = check.build(np.random.default_rng(check.seed))
        program["inputs"] = entry["inputs"]
        reference, stored_mistakes = entry["reference"], entry["mistakes"]
    missing = sorted(f for f in check.functions() if f not in available)
    if missing:
        names = ", ".join(f"{f.partition('.')[2]} in {f.partition('.')[0]}.py" for f in missing)
        return done(COULD_NOT_GRADE, f"your code has no {names}.")
    outcome = sandbox.run({**program, "inputs": copy.deepcopy(program["inputs"])})
    printed = outcome.output.strip()[-PRINTED_CHARS:]
    problem, state = _outcome_problem(check, outcome, sandbox)
    if outcome.kind == "result" and not problem:
        try:
            problem = check.judge(Context(program["inputs"], outcome.value, reference, program))
        except Exception as error:  # an answer of a form no judge foresaw fails this test, never the grade
            problem = f"The grader could not make sense of this answer ({type(error).__name__}: {error})."
        state = FAILED if problem else PASSED
    if state == PASSED:
        return done(PASSED, printed=printed, seconds=outcome.seconds)
    mistake = None
    if outcome.kind == "result" and check.mistakes:
        mistake = name_mistake(check, outcome.value, program, stored=stored_mistakes, modules=modules,
                               reference=reference)
    return done(state, problem, mistake, printed, outcome.seconds)


def _outcome_problem(check: Check, outcome: Outcome, sandbox: Sandbox) -> tuple[str, str]:
    """The message and state for anything but a normal result ('' if the result needs judging)."""
    if outcome.kind == "result":
        return "", FAILED if check.expect_error else ""
    if outcome.kind != "error":
        hint = {"timeout": " Is there a loop that never ends?", "too-big": "", "garbled": ""}.get(outcome.kind, "")
        return f"Your code {outcome.message}.{hint}", FAILED
    error = outcome.error
    kind, message, where = error.get("type", "Exception"), error.get("message", ""), error.get("where", "")
    if check.expect_error and kind == check.expect_error:
        missing = [text for text in check.must_mention if text not in message]
        if missing:
            return (f"{kind} was raised, good, but its message should name the offending values "
                    f"({', '.join(missing)}); it said: {message!r}"), FAILED
        return "", PASSED
    if kind == "SystemExit":
        return (f"Your code called sys.exit({message}) in {where}: a layer must return its result, "
                f"never end the program.{_frames(error)}"), FAILED
    if kind == "NotImplementedError":
        return message or f"{where} is not implemented yet", NOT_STARTED
    if kind == "MemoryError":
        return (f"Your code ran out of memory in {where} (the limit is {sandbox.limits.memory_mb} MiB). "
                f"{message}").strip(), FAILED
    expected_note = f" (this test expects {check.expect_error})" if check.expect_error else ""
    return f"{where or 'Your code'} raised {kind}: {message}{expected_note}{_frames(error)}", FAILED
