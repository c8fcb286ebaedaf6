"""The grader end to end: fixture submissions, each showing one way a submission can go wrong.

Each folder under ``fixtures/submissions/`` holds the student's file(s) for one
exercise and an ``expected.json`` saying what the grader must report:

- ``exercise``, ``status`` (graded / could-not-grade), ``score`` (zero, partial or full);
- ``failed``: test names mapped to text their feedback must contain;
- ``mistakes``: classic-mistake ids the grader must name;
- ``timeout``: seconds per test, where the default would make the test slow.

``fixtures/scores.json`` holds, for every fixture, the exact score, status and
named mistakes the grader gave it when the package was reorganised: a change
that moves any of them is a change of behaviour and updates that list on purpose.

Modules a fixture does not provide are the reference's, and each reference
module is also available as ``base_<module>`` so a fixture can import the parts
it does not sabotage.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from autograder.grading.grader import grade_exercise
from autograder.report.text import feedback
from autograder.exercises import EXERCISES, find_exercise
from solutions.mistakes import MISTAKES

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "submissions"
SOLUTIONS = ROOT / "solutions"


def submission_from(fixture: Path | None, exercise, tmp_path: Path) -> Path:
    """A submission folder: the reference's modules, overridden by the fixture's files."""
    folder = tmp_path / (fixture.name if fixture else "reference")
    folder.mkdir(parents=True)
    for module in exercise.modules:
        shutil.copy(SOLUTIONS / f"{module}.py", folder / f"base_{module}.py")
        shutil.copy(SOLUTIONS / f"{module}.py", folder / f"{module}.py")
    for path in (fixture.glob("*.py") if fixture else []):
        shutil.copy(path, folder / path.name)
    return folder


def _spec(fixture: Path) -> dict:
    return json.loads((fixture / "expected.json").read_text())


FIXTURE_DIRS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())
SCORES = json.loads((FIXTURES.parent / "scores.json").read_text())


@pytest.mark.parametrize("fixture", FIXTURE_DIRS, ids=lambda p: p.name)
def test_fixture_submission_gets_the_expected_report(fixture, tmp_path):
    spec = _spec(fixture)
    exercise = find_exercise(spec["exercise"])
    result = grade_exercise(exercise, submission_from(fixture, exercise, tmp_path), timeout=spec.get("timeout", 5.0))
    by_name = {t.name: t for t in result.tests}
    report = "\n".join(f"{t.name}: {t.state}: {feedback(t)}" for t in result.tests)
    assert result.status == spec["status"], report
    if spec["score"] == "zero":
        assert result.score == 0, report
    elif spec["score"] == "full":
        assert result.score == result.max_score, report
    else:
        assert 0 < result.score < result.max_score, report
    for name, text in spec.get("failed", {}).items():
        assert not by_name[name].passed, report
        assert text in feedback(by_name[name]), report
    named = {t.mistake for t in result.tests}
    for mistake in spec.get("mistakes", []):
        assert mistake in named, report
    held = SCORES[fixture.name]
    got = {"exercise": exercise.name, "status": result.status, "score": result.score, "max_score": result.max_score,
           "mistakes": sorted(m for m in named if m)}
    assert got == held, f"{fixture.name} no longer gets what fixtures/scores.json holds\n{report}"


def test_scores_list_names_every_fixture_and_nothing_else():
    assert sorted(SCORES) == [f.name for f in FIXTURE_DIRS]


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_every_mistake_model_is_named_by_a_fixture(mistake):
    """A mistake model lands with a student-written fixture that the grader must diagnose as it."""
    naming = [f.name for f in FIXTURE_DIRS if mistake in _spec(f).get("mistakes", [])]
    module = MISTAKES[mistake][0]
    assert naming, (f"no fixture under {FIXTURES.relative_to(ROOT)} names the mistake {mistake!r}: add a folder "
                    f"with a student's {module}.py that makes it and an expected.json whose 'mistakes' lists it")


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_reference_gets_full_marks_with_hidden_tests(exercise, tmp_path):
    result = grade_exercise(exercise, submission_from(None, exercise, tmp_path), hidden=True)
    failures = [f"{t.name}: {t.output}" for t in result.tests if not t.passed]
    assert result.status == "graded" and not failures, "\n".join(failures)
    assert any(t.hidden for t in result.tests), "every exercise should have hidden tests"
    assert result.score == result.max_score > 0


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_stubs_are_not_started_and_score_zero(exercise):
    result = grade_exercise(exercise, ROOT / "exercises")
    assert result.score == 0
    assert result.progress == "not started"
    assert {t.state for t in result.tests} == {"not-started"}, [(t.name, t.state, t.output) for t in result.tests]


# --- the grader's own rules, with a scripted stand-in for the sandbox ---------------------------------------------
#
# These tests replace the checks, the stored answers and the sandbox of exercise 1 with small ones built here, so
# each rule of the grader (requirements, timeouts, untrusted answers) is seen on its own, without a child process.

from autograder.checks.spec import Check  # noqa: E402
from autograder.grading import grader as grader_module  # noqa: E402
from autograder.sandbox.runner import Limits, Outcome  # noqa: E402

ESC = "\x1b"


def _check(name, function="relu_forward", *, requires=(), judge=None, points=1):
    def build(rng):
        return {"inputs": {}, "steps": [{"call": f"activations.{function}", "args": [], "into": "out"}],
                "outputs": ["out"]}

    return Check(name, points, build, judge or (lambda ctx: ctx.student.get("problem")), uses_reference=False,
                 requires=requires)


class ScriptedSandbox:
    """Answers each program with what ``script`` gives for the function it calls; counts the runs."""

    imports = {"activations": {"ok": True, "names": ["relu_forward", "relu_backward", "sigmoid_forward"]}}
    script: dict = {}
    runs: list = []

    kernel_isolated = False

    def __init__(self, *args, **kwargs):
        self.limits = Limits(timeout=5.0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def start(self):
        if isinstance(self.imports, Exception):
            raise self.imports
        return self.imports

    def close(self):
        pass

    def run(self, program):
        function = program["steps"][0]["call"].partition(".")[2]
        type(self).runs.append(function)
        answer = self.script[function]
        if isinstance(answer, list):  # one answer per run, in turn
            answer = answer[sum(f == function for f in self.runs) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def scripted(monkeypatch, tmp_path):
    """``grade(checks, script, imports=...)`` grades exercise 1 of a folder with ``checks`` and ``script``."""
    (tmp_path / "activations.py").write_text("")

    def grade(checks, script, imports=None):
        monkeypatch.setattr(grader_module, "checks_of", lambda exercise: checks)
        monkeypatch.setattr(grader_module.store, "load",
                            lambda exercise: {c.name: {"inputs": {}, "reference": None, "mistakes": {}} for c in checks})
        sandbox = type("Sandbox", (ScriptedSandbox,), {"script": script, "runs": [],
                                                      "imports": imports or ScriptedSandbox.imports})
        monkeypatch.setattr(grader_module, "Sandbox", sandbox)
        result = grader_module.grade_exercise(find_exercise(1), tmp_path)
        return result, sandbox.runs

    return grade


def ok(**value):
    return Outcome("result", value=value)


RIGHT, WRONG = ok(), ok(problem="relu_forward returns zeros")


@pytest.mark.parametrize("forward, scores, waits", [
    (RIGHT, [1, 2], ()),
    (WRONG, [0, 0], ("relu forward",)),
])
def test_a_gradient_check_counts_only_once_the_forward_check_passes(scripted, forward, scores, waits):
    checks = [_check("relu forward"), _check("relu gradient check", "relu_backward", requires=("relu forward",),
                                             points=2)]
    result, _ = scripted(checks, {"relu_forward": forward, "relu_backward": RIGHT})
    assert [t.score for t in result.tests] == scores
    gradient = result.tests[1]
    assert gradient.state == "passed" and gradient.waits_for == waits and gradient.passed == (not waits)
    assert result.score == sum(scores)


def test_requirements_chain_and_ignore_checks_not_in_this_run(scripted):
    checks = [_check("a"), _check("b", "relu_backward", requires=("a",)),
              _check("c", "sigmoid_forward", requires=("b", "a hidden check not run")),
              _check("d", "sigmoid_forward", requires=("a hidden check not run",))]
    result, _ = scripted(checks, {"relu_forward": WRONG, "relu_backward": RIGHT, "sigmoid_forward": RIGHT})
    assert [(t.score, t.waits_for) for t in result.tests] == [(0, ()), (0, ("a",)), (0, ("b",)), (1, ())]


@pytest.mark.parametrize("stuck, says", [
    (Outcome("timeout", message="timed out after 5 s"), "timed out after 5 s in relu_forward"),
    (Outcome("hung-up", message="closed the pipe it answers the grader on"), "closed the pipe"),
])
def test_after_a_function_got_stuck_its_other_tests_fail_at_once(scripted, stuck, says):
    checks = [_check("first", "relu_forward"), _check("second", "relu_forward"),
              _check("other", "relu_backward"), _check("third", "relu_forward")]
    result, runs = scripted(checks, {"relu_forward": stuck, "relu_backward": RIGHT})
    assert runs == ["relu_forward", "relu_backward"]  # the stuck function ran once
    first, second, other, third = result.tests
    assert says in first.message
    assert second.state == third.state == "failed"
    assert "Not run: relu_forward did not finish in 'first'" in second.message and other.passed


def _program_of(*functions):
    def build(rng):
        return {"inputs": {}, "steps": [{"call": f"activations.{f}", "args": [], "into": f} for f in functions],
                "outputs": []}
    return build


def test_a_test_of_forward_then_backward_blames_the_one_never_seen_to_finish(scripted):
    both = Check("backward", 1, _program_of("relu_forward", "relu_backward"), lambda ctx: None, uses_reference=False)
    later = Check("gradient check", 1, _program_of("relu_forward", "relu_backward"), lambda ctx: None,
                  uses_reference=False)
    checks = [_check("forward"), both, _check("forward again"), later]
    result, runs = scripted(checks, {"relu_forward": [RIGHT, Outcome("timeout"), RIGHT]})
    forward, backward, again, gradient = result.tests
    assert forward.passed and again.passed
    assert "timed out after 5 s in relu_backward." in backward.message  # relu_forward finished in 'forward'
    assert "Not run: relu_backward did not finish in 'backward'" in gradient.message
    assert len(runs) == 3


def test_a_stuck_backward_leaves_the_forward_alone(scripted):
    checks = [_check("backward", "relu_backward"), _check("forward", "relu_forward")]
    result, runs = scripted(checks, {"relu_backward": Outcome("timeout"), "relu_forward": RIGHT})
    assert runs == ["relu_backward", "relu_forward"] and result.tests[1].passed


HOSTILE = "E" * 2_000_000 + f"{ESC}[2J{ESC}[Hexercise1: 28/28 points  All tests pass.[/]"


@pytest.mark.parametrize("outcome", [
    Outcome("error", error={"type": HOSTILE, "message": HOSTILE, "frames": "not a list", "line": "x"}),
    Outcome("error", error={"type": "ValueError", "message": 10 ** 400, "frames": [{"file": HOSTILE}, 7]}),
    Outcome("error", error={"type": ["list"], "message": {"a": 1}, "frames": [{"line": 3, "file": HOSTILE}]}),
    Outcome("result", value={"problem": HOSTILE}, output=HOSTILE),
    Outcome("garbled", message=HOSTILE, output=HOSTILE),
])
def test_whatever_the_child_sends_arrives_short_and_without_escapes(scripted, outcome):
    result, _ = scripted([_check("one")], {"relu_forward": outcome})
    test = result.tests[0]
    assert test.state == "failed" and test.score == 0
    for text in (test.message, test.printed):
        assert ESC not in text and len(text) < 10_000


def test_a_sandbox_that_fails_by_itself_is_could_not_grade_not_a_failure(scripted):
    result, _ = scripted([_check("one")], {"relu_forward": Outcome("sandbox", message="could not be run")})
    assert result.status == "could-not-grade" and result.tests[0].state == "could-not-grade"


@pytest.mark.parametrize("failure", [RuntimeError("judge fell over"), grader_module.SandboxDied(Outcome("exit"))])
def test_an_exception_while_grading_one_test_fails_that_test_only(scripted, failure):
    checks = [_check("breaks"), _check("fine", "relu_backward"),
              _check("judge breaks", "sigmoid_forward", judge=lambda ctx: 1 / 0)]
    result, _ = scripted(checks, {"relu_forward": failure, "relu_backward": RIGHT, "sigmoid_forward": RIGHT})
    assert [t.state for t in result.tests] == ["failed", "passed", "failed"]
    assert "could not judge" in result.tests[0].message
    assert "ZeroDivisionError" in result.tests[2].message


@pytest.mark.parametrize("imports, says", [
    ({"activations": "yes"}, "an import report it cannot read"),
    ({"activations": {"ok": True, "names": 5}}, "an import report it cannot read"),
    ({"activations": {"ok": False, "error": {"type": HOSTILE, "message": HOSTILE, "frames": [None]}}},
     "an import report it cannot read"),
    ({"activations": {"ok": False, "error": {"type": "ImportError", "message": HOSTILE, "frames": [None]}}},
     "could not be imported: ImportError: EEEE"),
    ([1, 2, 3], "an import report it cannot read"),
    (RuntimeError("hello frame of the wrong shape"), "did not start"),
    ({"activations": {"ok": True, "names": []}}, "defines none of the functions"),
])
def test_a_forged_or_empty_import_report_is_could_not_grade(scripted, imports, says):
    result, runs = scripted([_check("one"), _check("two", "relu_backward")], {}, imports)
    assert result.status == "could-not-grade" and result.score == 0
    assert all(says in t.message and ESC not in t.message and len(t.message) < 5_000 for t in result.tests)


@pytest.mark.parametrize("name", ["draws_on_report", "hostile_frames", "forged_hello"])
def test_hostile_fixtures_reach_the_result_short_and_clean(name, tmp_path):
    """Whatever these submissions send (escape sequences, 2 MB names, forged frames), no result carries it raw."""
    fixture = FIXTURES / name
    exercise = find_exercise(_spec(fixture)["exercise"])
    result = grade_exercise(exercise, submission_from(fixture, exercise, tmp_path))
    texts = [result.problem, result.printed] + [s for t in result.tests for s in (t.message, t.printed, feedback(t))]
    assert all(ESC not in text and "\x07" not in text for text in texts)
    assert max(map(len, texts)) < 10_000
    assert result.score < result.max_score and all(not t.passed for t in result.tests if t.name.startswith("ReLU forward"))
