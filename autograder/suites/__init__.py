"""One registry of checks per exercise: ``exerciseN.py`` defines ``CHECKS``, ``DIAGNOSES`` and ``HINTS``.

- ``CHECKS``: the graded tests, a list of :class:`autograder.suite.Check`;
- ``DIAGNOSES``: ``{mistake id: message}`` naming each classic mistake the checks look for
  (its model lives in ``solutions/mistakes/exerciseN.py``);
- ``HINTS``: graded hints, from a nudge to nearly the answer, for ``cnnlab hint``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from autograder.registry import EXERCISES, Exercise


def load_suite(exercise: Exercise) -> ModuleType:
    """The registry module of ``exercise``."""
    return importlib.import_module(f"autograder.suites.{exercise.name}")


def diagnosis(mistake: str) -> str:
    """The message for a mistake id, from whichever exercise defines it."""
    for exercise in EXERCISES:
        messages = getattr(load_suite(exercise), "DIAGNOSES", {})
        if mistake in messages:
            return messages[mistake]
    return mistake
