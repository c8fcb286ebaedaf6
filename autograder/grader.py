"""Grade one exercise of one submission: the core behind ``cnnlab check``, ``status`` and ``grade``.

The student's modules run in a :class:`~autograder.sandbox.runner.Sandbox`;
everything trusted happens here: inputs are chosen here, references come from
the stored expected data (public checks) or from ``solutions`` (hidden checks,
with fresh seeds), and every comparison is made here.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder import expected
from autograder.compare import matches
from autograder.reference import reference_modules
from autograder.registry import Exercise
from autograder.sandbox.runner import Limits, Outcome, Sandbox, SandboxDied
from autograder.submission import resolve_submission
from autograder.suite import Check, Context
from autograder.suites import diagnosis, load_suite


@dataclass
class TestResult:
    """One graded test. ``state`` is passed, failed, not-started or could-not-grade."""

    __test__ = False  # not a pytest test class, despite the name

    name: str
    max_score: int
    score: int
    state: str
    output: str = ""
    kind: str = "value"
    hidden: bool = False
    mistake: str | None = None
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.state == "passed"


@dataclass
class ExerciseResult:
    """All tests of one exercise. ``status`` is ``graded`` or ``could-not-grade``."""

    exercise: Exercise
    submission: Path
    status: str
    tests: list[TestResult] = field(default_factory=list)
    problem: str = ""

    @property
    def score(self) -> int:
        return sum(t.score for t in self.tests)

    @property
    def max_score(self) -> int:
        return sum(t.max_score for t in self.tests)

    @property
    def passed(self) -> bool:
        return self.status == "graded" and all(t.passed for t in self.tests)

    @property
    def progress(self) -> str:
        """``done``, ``not started`` or ``in progress``."""
        if self.passed:
            return "done"
        if all(t.state == "not-started" for t in self.tests):
            return "not started"
        return "in progress"


def run_check(exercise: Exercise, submission: Path | None = None, *, hidden: bool = False,
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
        For a missing submission folder, damaged expected data, or ``hidden``
        without the reference solutions; never for anything the student's code does.
    """
    folder = resolve_submission(submission)
    checks = [c for c in load_suite(exercise).CHECKS if hidden or not c.hidden]
    store = expected.load(exercise)
    modules = reference_modules(exercise, "--hidden") if hidden else None
    result = ExerciseResult(exercise, folder, "graded")
    with Sandbox(folder, exercise.modules, limits or Limits(timeout=timeout)) as sandbox:
        try:
            imports = sandbox.start()
        except SandboxDied as died:
            return _cannot_grade(result, checks, f"Your code {died.outcome.message}.", died.outcome.output)
        problem = _import_problem(exercise, imports)
        if problem:
            return _cannot_grade(result, checks, problem, "")
        available = {f"{m}.{n}" for m, r in imports.items() for n in r.get("names", [])}
        for check in checks:
            result.tests.append(_grade_one(check, sandbox, store, modules, available))
    if any(t.state == "could-not-grade" for t in result.tests):
        result.status = "could-not-grade"
    return result


def _cannot_grade(result: ExerciseResult, checks: list[Check], problem: str, printed: str) -> ExerciseResult:
    result.status, result.problem = "could-not-grade", problem
    output = f"Could not grade: {problem}" + (f"\nYour code printed:\n{printed}" if printed else "")
    result.tests = [TestResult(c.name, c.points, 0, "could-not-grade", output, c.kind, c.hidden) for c in checks]
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


def _grade_one(check: Check, sandbox: Sandbox, store: dict, modules: dict | None, available: set) -> TestResult:
    def done(state: str, output: str = "", mistake: str | None = None, seconds: float = 0.0) -> TestResult:
        score = check.points if state == "passed" else 0
        return TestResult(check.name, check.points, score, state, output, check.kind, check.hidden, mistake, seconds)

    if check.hidden:
        seed = secrets.randbits(31)
        program = check.build(np.random.default_rng(seed))
        reference = expected.run_trusted(program, modules) if check.uses_reference else None
        stored_mistakes = None
    else:
        entry = store.get(check.name)
        if entry is None:
            return done("could-not-grade", "The grader has no stored answer for this test; instructors: run "
                                           "python -m autograder.expected.")
        program = check.build(np.random.default_rng(check.seed))
        program["inputs"] = entry["inputs"]
        reference, stored_mistakes = entry["reference"], entry["mistakes"]
    missing = sorted(f for f in check.functions() if f not in available)
    if missing:
        names = ", ".join(f"{f.partition('.')[2]} in {f.partition('.')[0]}.py" for f in missing)
        return done("could-not-grade", f"Could not grade: your code has no {names}.")
    outcome = sandbox.run({**program, "inputs": copy.deepcopy(program["inputs"])})
    problem, state = _outcome_problem(check, outcome, sandbox)
    if outcome.kind == "result" and not problem:
        try:
            problem = check.judge(Context(program["inputs"], outcome.value, reference, program))
        except Exception as error:  # an answer of a form no judge foresaw fails this test, never the grade
            problem = f"The grader could not make sense of this answer ({type(error).__name__}: {error})."
        state = "failed" if problem else "passed"
    if state == "passed":
        return done("passed", seconds=outcome.seconds)
    mistake = None
    if outcome.kind == "result" and check.mistakes:
        mistake = _name_mistake(check, outcome.value, program, modules, stored_mistakes, reference)
    if mistake:
        problem += f"\n  Likely cause: {diagnosis(mistake)}"
    if outcome.output.strip():
        problem += "\n  Your code printed:\n    " + outcome.output.strip()[-500:].replace("\n", "\n    ")
    return done(state, problem, mistake, outcome.seconds)


def _outcome_problem(check: Check, outcome: Outcome, sandbox: Sandbox) -> tuple[str, str]:
    """The message and state for anything but a normal result ('' if the result needs judging)."""
    if outcome.kind == "result":
        if check.expect_error:
            return "", "failed"
        return "", ""
    if outcome.kind != "error":
        hint = {"timeout": " Is there a loop that never ends?", "too-big": "", "garbled": ""}.get(outcome.kind, "")
        return f"Your code {outcome.message}.{hint}", "failed"
    error = outcome.error
    kind, message, where = error.get("type", "Exception"), error.get("message", ""), error.get("where", "")
    if check.expect_error and kind == check.expect_error:
        missing = [text for text in check.must_mention if text not in message]
        if missing:
            return (f"{kind} was raised, good, but its message should name the offending values "
                    f"({', '.join(missing)}); it said: {message!r}"), "failed"
        return "", "passed"
    if kind == "SystemExit":
        return (f"Your code called sys.exit({message}) in {where}: a layer must return its result, "
                f"never end the program.{_frames(error)}"), "failed"
    if kind == "NotImplementedError":
        return f"Not started: {message or where + ' is not implemented yet'}.", "not-started"
    if kind == "MemoryError":
        return (f"Your code ran out of memory in {where} (the limit is {sandbox.limits.memory_mb} MiB). "
                f"{message}").strip(), "failed"
    expected_note = f" (this test expects {check.expect_error})" if check.expect_error else ""
    return f"{where or 'Your code'} raised {kind}: {message}{expected_note}{_frames(error)}", "failed"


def _name_mistake(check: Check, student: dict, program: dict, modules, stored, reference) -> str | None:
    """The first of the check's mistake models whose answer the student's equals.

    A model that gives the reference's answer on these inputs tells nothing and is skipped.
    """
    from autograder.reference import with_mistake

    if not check.diagnose:
        return None  # nothing to compare: no mistake can be told apart

    def same(a: dict, b: dict) -> bool:
        return all(k in a and k in b and matches(a[k], b[k]) for k in check.diagnose)

    for mistake in check.mistakes:
        model = stored.get(mistake) if stored is not None else expected.run_trusted(
            program, with_mistake(modules, mistake))
        if model is not None and same(student, model) and not (reference and same(model, reference)):
            return mistake
    return None
