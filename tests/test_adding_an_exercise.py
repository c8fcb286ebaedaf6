"""Every exercise in the table has every part that docs/adding-an-exercise.md lists."""

from __future__ import annotations

import importlib
import json
import re

import pytest

from autograder import paths
from autograder.checks import checks_module
from autograder.exercises import EXERCISES, Exercise
from tests.helpers import FIXTURES, ROOT

GUIDE = ROOT / "docs" / "adding-an-exercise.md"


def _mistakes_of(exercise: Exercise) -> dict:
    return importlib.import_module(f"solutions.mistakes.{exercise.name}").MISTAKES


def missing_parts(exercise: Exercise) -> list[str]:
    """The parts of ``exercise`` that are not there, by the guide's names."""
    missing = []
    for module in exercise.modules:
        source = ROOT / "solutions" / f"{module}.py"
        if not source.is_file() or "### BEGIN SOLUTION" not in source.read_text():
            missing.append(f"the reference solutions/{module}.py with its solution markers")
        if not (ROOT / "tests" / "solutions" / f"test_{module}.py").is_file():
            missing.append(f"its cross-check tests/solutions/test_{module}.py")
        if not (ROOT / "exercises" / f"{module}.py").is_file():
            missing.append(f"the stub exercises/{module}.py")
    try:
        mistakes = _mistakes_of(exercise)
    except (ImportError, AttributeError):
        mistakes = None
        missing.append(f"the mistake models solutions/mistakes/{exercise.name}.py")
    try:
        module = checks_module(exercise)
        checks, diagnoses, hints = module.CHECKS, module.DIAGNOSES, module.HINTS
    except (ImportError, AttributeError):
        return missing + [f"the checks autograder/checks/{exercise.name}.py with CHECKS, DIAGNOSES and HINTS"]
    if not any(c.hidden for c in checks) or all(c.hidden for c in checks):
        missing.append("public checks and at least one hidden check")
    if len(hints) < 3:
        missing.append("at least three hints")
    listed = {m for c in checks for m in c.mistakes}
    missing += [f"an explanation in DIAGNOSES for {m}" for m in sorted(listed - set(diagnoses))]
    if mistakes is not None:
        number = exercise.number
        named = set()
        for spec in FIXTURES.glob(f"ex{number}_*/expected.json"):
            named |= set(json.loads(spec.read_text()).get("mistakes", []))
        missing += [f"a fixture submission tests/fixtures/submissions/ex{number}_* naming {m}"
                    for m in sorted(set(mistakes) - named)]
    if not paths.answers_file(exercise).is_file():
        missing.append(f"the stored answers autograder/answers/{exercise.name}.cnl (python -m autograder.build)")
    readme = (ROOT / "README.md").read_text()
    if not re.search(rf"^\| {exercise.name} \| {exercise.topic} \|", readme, re.M):
        missing.append(f"a line for {exercise.name} in the README's table")
    if (ROOT / "course" / "source").is_dir() and not (ROOT / "course" / "source" / exercise.name).is_dir():
        missing.append(f"the notebook course/source/{exercise.name}/")
    return missing


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_every_exercise_has_every_part(exercise):
    assert missing_parts(exercise) == []


def test_a_new_row_without_its_parts_is_named_part_by_part():
    newcomer = Exercise(7, "batchnorm", ("batchnorm",), "Batch normalisation")
    missing = missing_parts(newcomer)
    assert missing[:3] == ["the reference solutions/batchnorm.py with its solution markers",
                           "its cross-check tests/solutions/test_batchnorm.py", "the stub exercises/batchnorm.py"]
    assert "the mistake models solutions/mistakes/exercise7.py" in missing
    assert missing[-1].startswith("the checks autograder/checks/exercise7.py")


def test_the_guide_names_every_part_the_test_checks():
    guide = GUIDE.read_text()
    for place in ("autograder/exercises.py", "solutions/mistakes/exercise7.py", "autograder/checks/exercise7.py",
                  "tests/fixtures/submissions/ex7_", "tests/fixtures/scores.json", "autograder/answers/exercise7.cnl",
                  "python -m autograder.build", "tests/solutions/test_batchnorm.py", "course/source/exercise7/",
                  "README.md"):
        assert place in guide, place
