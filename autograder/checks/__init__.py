"""What each exercise checks, as data: ``exerciseN.py`` defines ``CHECKS``, ``DIAGNOSES`` and ``HINTS``.

- ``CHECKS``: the graded tests, a list of :class:`autograder.checks.spec.Check`;
- ``DIAGNOSES``: ``{mistake id: explanation}`` for each classic mistake the checks look for
  (its model lives in ``solutions/mistakes/exerciseN.py``);
- ``HINTS``: hints for ``cnnlab hint``, each a :class:`~autograder.checks.spec.Hint` naming the functions
  it is about, from the first idea to the last nudge (never the code itself).

:mod:`~autograder.checks.spec` is the one language every exercise writes its
checks in; :mod:`~autograder.checks.judges` and :mod:`~autograder.checks.inputs`
hold what several exercises share; :mod:`~autograder.checks.compare` compares
values and says how they differ.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from autograder.exercises import EXERCISES, Exercise


def checks_module(exercise: Exercise) -> ModuleType:
    """The module ``autograder.checks.exerciseN`` of ``exercise``."""
    return importlib.import_module(f"autograder.checks.{exercise.name}")


def checks_of(exercise: Exercise) -> list:
    """The graded tests of ``exercise``, public and hidden, in the order they are shown."""
    return list(checks_module(exercise).CHECKS)


def hints_of(exercise: Exercise) -> list:
    """The hints of ``exercise`` (:class:`~autograder.checks.spec.Hint`), in the order they are given."""
    return list(checks_module(exercise).HINTS)


def diagnosis(mistake: str) -> str:
    """The explanation of a mistake id, from whichever exercise defines it."""
    for exercise in EXERCISES:
        messages = checks_module(exercise).DIAGNOSES
        if mistake in messages:
            return messages[mistake]
    return mistake
