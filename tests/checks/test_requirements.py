"""``Check.requires``: a gradient or property check earns its points only with the value checks it leans on.

A gradient check compares the student's backward with the student's own
forward, and a property (float32 kept, rows summing to one, an input left
alone, bad input refused) holds for code that does no work at all: a forward
and a backward that both return zeros pass them all. So each such check names
the value checks of the functions it exercises, and these tests keep those
names honest.
"""

from __future__ import annotations

import pytest

from autograder.checks import checks_of
from autograder.checks.spec import with_requirements
from autograder.exercises import EXERCISES

# Checks not judged against the reference that still compute the right answer independently,
# from the mathematics (closed-form gradients, a one-hot kernel): value checks in their own right.
INDEPENDENT_VALUES = {
    "conv forward is cross-correlation (one-hot kernel)",
    "numerical_gradient of sum(x^3)", "numerical_gradient on a 3-D x", "numerical_gradient uses the step h",
    "numerical_gradient_array of sin(x)", "numerical_gradient_array uses the step h",
    "numerical_gradient, fresh shapes", "numerical_gradient_array, fresh shapes",
}

ALL = [(exercise, check) for exercise in EXERCISES for check in checks_of(exercise)]
WITH_REQUIREMENTS = [(e, c) for e, c in ALL if c.requires]
# A gradient check or a property: judged without the reference, or a refusal of bad input.
LEANING = [(e, c) for e, c in ALL if (not c.uses_reference or c.expect_error) and c.name not in INDEPENDENT_VALUES]


def ids(cases):
    return [f"{e.name}: {c.name}" for e, c in cases]


@pytest.mark.parametrize("exercise, check", WITH_REQUIREMENTS, ids=ids(WITH_REQUIREMENTS))
def test_every_requirement_is_a_check_of_the_same_exercise(exercise, check):
    names = {c.name for c in checks_of(exercise)}
    assert set(check.requires) <= names, set(check.requires) - names
    assert check.name not in check.requires


@pytest.mark.parametrize("exercise, check", WITH_REQUIREMENTS, ids=ids(WITH_REQUIREMENTS))
def test_a_public_check_requires_only_public_checks(exercise, check):
    """A student's own check runs only the public tests: a hidden requirement could never be met there."""
    if check.hidden:
        pytest.skip("hidden checks may require any check")
    by_name = {c.name: c for c in checks_of(exercise)}
    assert not [name for name in check.requires if by_name[name].hidden]


@pytest.mark.parametrize("exercise, check", WITH_REQUIREMENTS, ids=ids(WITH_REQUIREMENTS))
def test_requirements_are_value_checks_themselves(exercise, check):
    """A requirement that leans on something else would let two properties vouch for each other."""
    by_name = {c.name: c for c in checks_of(exercise)}
    assert not [name for name in check.requires if by_name[name].requires]


@pytest.mark.parametrize("exercise, check", LEANING, ids=ids(LEANING))
def test_every_gradient_and_property_check_requires_a_value_check(exercise, check):
    assert check.requires, f"{check.name!r} passes for code that does no work; name the value checks it needs"


@pytest.mark.parametrize("exercise, check", LEANING, ids=ids(LEANING))
def test_requirements_exercise_the_same_functions(exercise, check):
    """Each requirement calls at least one function the dependent check calls: it vouches for that code."""
    by_name = {c.name: c for c in checks_of(exercise)}
    for name in check.requires:
        assert by_name[name].functions() & check.functions(), (check.name, name)


def test_the_known_gradient_checks_are_among_those_that_need_requirements():
    """The classification above must see the gradient checks, or the test of requirements proves nothing."""
    leaning = {c.name for _, c in LEANING}
    assert {"ReLU gradient check", "affine gradient check", "conv gradient check, stride 2, pad 1",
            "max pool gradient check, pool 3 stride 2", "dropout gradient check",
            "relu_forward keeps float32", "SGD updates params in place"} <= leaning


def test_with_requirements_refuses_a_name_that_is_no_check():
    checks = checks_of(EXERCISES[0])[:2]
    with pytest.raises(ValueError, match="'ReLU forwrd'"):
        with_requirements(checks, {"ReLU backward": ("ReLU forwrd",)})
    assert with_requirements(checks, {"ReLU backward": ("ReLU forward",)})[1].requires == ("ReLU forward",)
