"""The checks of every exercise as a whole: names, mistakes with models and explanations, hints."""

from __future__ import annotations

from autograder.checks import checks_module, checks_of
from autograder.exercises import EXERCISES


def test_every_mistake_of_every_check_has_a_model_and_a_message():
    from solutions.mistakes import MISTAKES

    used = set()
    for exercise in EXERCISES:
        module = checks_module(exercise)
        for check in module.CHECKS:
            for mistake in check.mistakes:
                assert mistake in MISTAKES and mistake in module.DIAGNOSES, (exercise.name, check.name, mistake)
                used.add(mistake)
        assert len(module.HINTS) >= 3
    assert used == set(MISTAKES), f"mistake models no check looks for: {set(MISTAKES) - used}"


def test_check_names_are_unique_within_each_exercise():
    for exercise in EXERCISES:
        names = [c.name for c in checks_of(exercise)]
        assert len(names) == len(set(names)), exercise.name
