"""Finding exercises by every name a student might type."""

from __future__ import annotations

import re

import pytest

from autograder.errors import UsageError
from autograder.exercises import ALL_MODULES, EXERCISES, find_exercise


@pytest.mark.parametrize("name, number", [
    ("exercise3", 3), ("ex3", 3), ("3", 3), (3, 3), ("convolution", 3), ("Convolution ", 3),
    ("losses", 2), ("gradcheck", 2), ("EX6", 6), ("regularization", 6),
    ("conv", 3), ("Pool", 4), ("opt", 5), ("reg", 6), ("act", 1), ("los", 2), ("l", 2), ("exercise6", 6),
])
def test_names_that_find_an_exercise(name, number):
    assert find_exercise(name).number == number


@pytest.mark.parametrize("name", ["exercise7", "0", "convs", "exercise3x", "-1", "", "x"])
def test_unknown_names_list_the_valid_ones(name):
    with pytest.raises(UsageError, match="There is no exercise called .*Valid names: exercise1 \\(activations\\)"):
        find_exercise(name)


@pytest.mark.parametrize("name, candidates", [
    ("ex", "exercise1 (activations), exercise2 (linear), exercise3 (convolution), exercise4 (pooling), "
           "exercise5 (optimizers), exercise6 (regularization)"),
    ("exer", "exercise1 (activations), exercise2"),
    ("E", "exercise1 (activations), exercise2"),
])
def test_a_prefix_of_several_exercises_names_them(name, candidates):
    with pytest.raises(UsageError, match=f"'{name}' could be any of {re.escape(candidates)}"):
        find_exercise(name)


def test_numbers_topics_and_modules_are_unique():
    assert [e.number for e in EXERCISES] == list(range(1, len(EXERCISES) + 1))
    assert len({e.topic for e in EXERCISES}) == len(EXERCISES)
    assert len(set(ALL_MODULES)) == len(ALL_MODULES)
