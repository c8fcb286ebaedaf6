"""Grade one exercise of one submission: the core behind ``cnnlab check``, ``status`` and ``train``'s gate.

The student's modules run in a :class:`~autograder.sandbox.runner.Sandbox`;
everything trusted happens here: inputs are chosen here, references come from
the stored answers (public checks) or from ``solutions`` (hidden checks, with
fresh seeds), and every comparison is made here. What comes out is an
:class:`~autograder.grading.results.ExerciseResult`, rendered by :mod:`autograder.report`.

Nothing the child sends is trusted: its import report is checked field by
field, every string it sends is cleaned and cut (:func:`~autograder.sandbox.wire.clean_text`)
before it reaches a result, and anything unforeseen while running, judging or
diagnosing one test fails that test only. A test counts only once the tests it
``requires`` pass, and a function that got stuck is not run again in the same grade.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from autograder import paths
from autograder.checks import checks_of, diagnosis
from autograder.checks.spec import Check, Context
from autograder.errors import CnnlabError
from autograder.exercises import Exercise
from autograder.grading import store
from autograder.grading.diagnose import name_mistake
from autograder.grading.reference import reference_modules, run_trusted
from autograder.grading.results import (COULD_NOT_GRADE, FAILED, GRADED, NOT_STARTED, PASSED, ExerciseResult,
                                        TestResult)
from autograder.sandbox import isolation
from autograder.sandbox.runner import Limits, Outcome, Sandbox, SandboxDied
from autograder.sandbox.wire import MAX_TEXT, clean_text

PRINTED_CHARS = 500  # the end of what a student's code printed during one test
STALLED = ("timeout", "hung-up")  # outcomes after which the same functions are not run again in this grade
UNREADABLE = ("the process running it sent the grader an import report it cannot read "
              "(does your code write to files it did not open?)")


def protected_folders() -> list[Path]:
    """What a submission must not read: cnnlab's package (stored answers included) and ``solutions``."""
    return [paths.PACKAGE, *filter(None, [paths.package_dir("solutions")])]


def submission_sandbox(folder: Path, modules, limits: Limits) -> Sandbox:
    """A sandbox for the student's ``modules`` in ``folder``, kept from cnnlab's and the reference's files."""
    return Sandbox(folder, modules, limits, protect=protected_folders(),
                   hide=[p for p in [paths.source_checkout()] if p])


def _isolation(kernel: bool, hidden: bool, allowed: bool) -> str:
    """``kernel`` or ``weak``; refuses hidden grading on weak isolation unless the instructor allowed it."""
    if not kernel and hidden and not allowed:
        missing = ", ".join(f"{layer.name} ({layer.detail})" for layer in isolation.probe()
                            if layer.kernel and not layer.active) or "a layer failed to go up in the child"
        raise CnnlabError(f"Hidden tests need the kernel's isolation, so that a submission cannot read the "
                          f"reference solutions, and this machine lacks some of it: {missing}. `cnnlab doctor` "
                          "says more. To grade anyway, with every result marked as weakly isolated, pass "
                          "--allow-weak-isolation.")
    return "kernel" if kernel else "weak"


def grade_exercise(exercise: Exercise, submission: Path | None = None, *, hidden: bool = False,
                   timeout: float = 5.0, limits: Limits | None = None,
                   allow_weak_isolation: bool = False,
                   afterwards: Callable[[Sandbox, ExerciseResult], None] | None = None) -> ExerciseResult:
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
    allow_weak_isolation : bool
        Let hidden tests run without the kernel's layers of isolation
        (namespaces, Landlock, seccomp; see ``cnnlab doctor``). The result's
        ``isolation`` then says ``weak``.
    afterwards : callable, optional
        ``afterwards(sandbox, result)`` is called with the still-open sandbox
        once every test is graded (``cnnlab check`` times the layer there
        instead of paying for a second child). Not called when the
        submission could not be imported.

    Raises
    ------
    CnnlabError
        For a missing submission folder, damaged stored answers, ``hidden``
        without the reference solutions, or ``hidden`` where the kernel's
        layers of isolation are missing and ``allow_weak_isolation`` is not
        given; never for anything the student's code does.
    """
    folder = paths.resolve_submission(submission)
    checks = [c for c in checks_of(exercise) if hidden or not c.hidden]
    stored = store.load(exercise)
    modules = reference_modules(exercise, "--hidden") if hidden else None
    result = ExerciseResult(exercise, folder, GRADED)
    result.isolation = _isolation(isolation.kernel_isolation(), hidden, allow_weak_isolation)
    sandbox = submission_sandbox(folder, exercise.modules, limits or Limits(timeout=timeout))
    with sandbox:
        try:
            imports = sandbox.start()
        except SandboxDied as died:
            return _cannot_grade(result, checks, f"Your code {clean_text(died.outcome.message, 500)}.",
                                 _printed(died.outcome))
        except Exception as error:  # noqa: BLE001  a child that breaks the protocol cannot crash the grade
            return _cannot_grade(result, checks, "Your code's process did not start the way the grader expects "
                                                 f"({type(error).__name__}).", "")
        result.isolation = _isolation(sandbox.kernel_isolated, hidden, allow_weak_isolation)
        imports = _clean_imports(exercise, imports)
        problem = _import_problem(exercise, imports)
        if problem:
            return _cannot_grade(result, checks, problem, "")
        available = {f"{m}.{n}" for m, r in imports.items() for n in r.get("names", [])}
        seen = _Seen(empty=_empty_modules(exercise, checks, imports))
        for check in checks:
            result.tests.append(_grade_safely(check, sandbox, stored, modules, available, seen))
        _hold_back(checks, result.tests)
        if afterwards is not None:
            afterwards(sandbox, result)
    if any(t.state == COULD_NOT_GRADE for t in result.tests):
        result.status = COULD_NOT_GRADE
    return result


def _cannot_grade(result: ExerciseResult, checks: list[Check], problem: str, printed: str) -> ExerciseResult:
    result.status, result.problem, result.printed = COULD_NOT_GRADE, problem, printed
    result.tests = [TestResult(c.name, c.points, 0, COULD_NOT_GRADE, problem, c.hidden, printed=printed)
                    for c in checks]
    return result


def _clean_imports(exercise: Exercise, imports) -> dict:
    """The child's import report with every field checked and every string cleaned.

    Anything of the wrong type reads as a module that could not be imported,
    so a process that forges its hello frame gets could-not-grade, never a crash.
    """
    clean = {}
    for module in exercise.modules:
        report = imports.get(module) if isinstance(imports, dict) else None
        if not isinstance(report, dict):
            clean[module] = {"ok": False, "error": _clean_error({"message": UNREADABLE})}
        elif report.get("missing") is True:
            clean[module] = {"ok": False, "missing": True}
        elif report.get("ok") is True and isinstance(report.get("names"), list):
            names = [n for n in report["names"][:1000] if isinstance(n, str) and n.isidentifier()]
            clean[module] = {"ok": True, "names": names}
        else:
            error = report.get("error")
            readable = (isinstance(error, dict) and isinstance(error.get("type"), str) and error["type"].isidentifier()
                        and isinstance(error.get("message"), str))
            clean[module] = {"ok": False, "error": _clean_error(error if readable else {"message": UNREADABLE})}
    return clean


def _clean_error(error) -> dict:
    """An error description from the child: known fields only, strings cleaned and cut, frames checked."""
    error = error if isinstance(error, dict) else {}
    kind = clean_text(error.get("type"), 80)
    line = error.get("line")
    frames = []
    for frame in error.get("frames") if isinstance(error.get("frames"), list) else []:
        if isinstance(frame, dict) and type(frame.get("line")) is int:
            frames.append({"file": clean_text(frame.get("file"), 120), "line": frame["line"],
                           "function": clean_text(frame.get("function"), 120),
                           "code": clean_text(frame.get("code"), 200)})
    return {"type": kind if kind.isidentifier() else "Exception", "message": clean_text(error.get("message")),
            "line": line if type(line) is int else None, "frames": frames[-8:],
            "where": clean_text(error.get("where"), 200)}


def _empty_modules(exercise: Exercise, checks: list[Check], imports: dict) -> dict[str, str]:
    """``{module: message}`` for each module that defines none of the functions the checks call (an empty file).

    Every test of such a module gets the same message, which the report then shows once.
    """
    empty = {}
    for module in exercise.modules:
        wanted = sorted({f.partition(".")[2] for c in checks for f in c.functions() if f.startswith(module + ".")})
        if wanted and not set(wanted) & set(imports[module].get("names", [])):
            empty[module] = (f"{module}.py defines none of the functions this exercise grades ({', '.join(wanted)}). "
                             f"Is the file empty, or were your functions saved under another name?")
    return empty


def _import_problem(exercise: Exercise, imports: dict) -> str:
    for module in exercise.modules:
        report = imports.get(module, {})
        if report.get("missing"):
            return f"there is no {module}.py in your folder."
        if not report.get("ok"):
            error = report.get("error", {})
            if error.get("message") == UNREADABLE:
                return f"{module}.py could not be graded: {UNREADABLE}."
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


@dataclass
class _Seen:
    """What earlier tests of this grade found that later ones use.

    ``empty`` maps a module with none of the graded functions to its message;
    ``finished`` holds the student functions that have returned in some test; ``stalled`` lists, for each test that got stuck, the functions
    it called that never finished elsewhere, and its name: a later test calling
    all of them would only wait as long.
    """

    empty: dict[str, str]
    finished: set[str] = field(default_factory=set)
    stalled: list[tuple[frozenset, str]] = field(default_factory=list)

    def suspects(self, functions: set[str]) -> frozenset:
        """Which of ``functions`` can have got stuck: those never seen to finish (all of them if none is left)."""
        return frozenset(functions - self.finished or functions)


def _grade_safely(check: Check, sandbox: Sandbox, stored: dict, modules: dict | None, available: set,
                  seen: _Seen) -> TestResult:
    """:func:`_grade_one`, with anything unforeseen turned into this test's failure instead of the whole grade's."""
    try:
        return _grade_one(check, sandbox, stored, modules, available, seen)
    except Exception as error:  # noqa: BLE001  one odd answer fails one test, never the grade
        sandbox.close()  # whatever state the child is in, the next test gets a fresh one
        return TestResult(check.name, check.points, 0, FAILED,
                          f"The grader could not judge what your code sent back for this test "
                          f"({type(error).__name__}). Does it return plain NumPy arrays and numbers, as the "
                          f"docstring says?", check.hidden)


def _grade_one(check: Check, sandbox: Sandbox, stored: dict, modules: dict | None, available: set,
               seen: _Seen) -> TestResult:
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
    functions = check.functions()
    missing = sorted(f for f in functions if f not in available)
    if missing:
        empty = [seen.empty[f.partition(".")[0]] for f in missing if f.partition(".")[0] in seen.empty]
        names = ", ".join(f"{f.partition('.')[2]} in {f.partition('.')[0]}.py" for f in missing)
        return done(COULD_NOT_GRADE, empty[0] if empty else f"your code has no {names}.")
    stalled = next(((stuck, name) for stuck, name in seen.stalled if stuck <= functions), None)
    if stalled is not None:
        return done(FAILED, f"Not run: {_names(stalled[0])} did not finish in '{stalled[1]}' (see there), and this "
                            f"test calls it too, so it would only wait as long. Fix that first.")
    outcome = sandbox.run({**program, "inputs": copy.deepcopy(program["inputs"])})
    printed = _printed(outcome)
    problem, state = _outcome_problem(check, outcome, sandbox, seen.suspects(functions))
    if outcome.kind in STALLED:
        seen.stalled.append((seen.suspects(functions), check.name))
    elif outcome.kind == "result":  # every step ran (after an error, later steps may never have started)
        seen.finished |= functions
    if outcome.kind == "result" and not problem:
        try:
            problem = check.judge(Context(program["inputs"], outcome.value, reference, program))
        except Exception as error:  # an answer of a form no judge foresaw fails this test, never the grade
            problem = f"The grader could not make sense of this answer ({type(error).__name__}: {error})."
        problem = clean_text(problem, 4 * MAX_TEXT) if problem else problem
        state = FAILED if problem else PASSED
    if state == PASSED:
        return done(PASSED, printed=printed, seconds=outcome.seconds)
    mistake = None
    if outcome.kind == "result" and check.mistakes:
        try:
            mistake = name_mistake(check, outcome.value, program, stored=stored_mistakes, modules=modules,
                                   reference=reference)
        except Exception:  # noqa: BLE001  an answer no mistake model can be compared with fits none
            mistake = None
    return done(state, problem, mistake, printed, outcome.seconds)


def _printed(outcome: Outcome) -> str:
    """The end of what the student's code printed, cleaned (escape sequences could redraw a terminal)."""
    return clean_text(outcome.output.strip()[-4 * PRINTED_CHARS:])[-PRINTED_CHARS:]


def _names(functions) -> str:
    """``relu_forward`` or ``relu_forward or relu_backward``: the student functions a test calls."""
    names = sorted(f.rpartition(".")[2] for f in functions)
    return " or ".join(names) if names else "your code"


def _hold_back(checks: list[Check], tests: list[TestResult]) -> None:
    """Take the points of every test whose required tests did not pass in this run (``Check.requires``).

    Repeated until nothing changes, so a test waiting on a test that waits counts only when both pass.
    """
    by_name = {t.name: t for t in tests}
    changed = True
    while changed:
        changed = False
        for check, test in zip(checks, tests):
            if test.state != PASSED or test.waits_for:
                continue
            waits = tuple(n for n in getattr(check, "requires", ()) if n in by_name and not by_name[n].passed)
            if waits:
                test.waits_for, test.score, changed = waits, 0, True


def _outcome_problem(check: Check, outcome: Outcome, sandbox: Sandbox, functions=()) -> tuple[str, str]:
    """The message and state for anything but a normal result ('' if the result needs judging)."""
    if outcome.kind == "result":
        return "", FAILED if check.expect_error else ""
    if outcome.kind == "timeout":
        return (f"Your code timed out after {sandbox.limits.timeout:g} s in {_names(functions)}. "
                f"Is there a loop in it that never ends?"), FAILED
    if outcome.kind != "error":
        said = clean_text(outcome.message, 500) or "ended before it could answer (os._exit or sys.exit in your code?)"
        return f"Your code {said}.", COULD_NOT_GRADE if outcome.kind == "sandbox" else FAILED
    error = _clean_error({**outcome.error, "where": outcome.error.get("where", "")})
    kind, message, where = error["type"], error["message"], error["where"]
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
