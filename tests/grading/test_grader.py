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
