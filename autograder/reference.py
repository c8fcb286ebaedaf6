"""The trusted side of grading: the reference modules, and the reference with one classic mistake swapped in.

Both need the ``solutions`` package, which instructors have and students need
not: public checks read their references from the stored expected data
(:mod:`autograder.expected`); hidden checks and regenerating that data call
into this module.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace

from autograder.errors import CnnlabError
from autograder.registry import Exercise

NO_SOLUTIONS = ("needs cnnlab's reference solutions (the 'solutions' package, for instructors), "
                "and it cannot be imported here")


def reference_modules(exercise: Exercise, purpose: str = "This") -> dict:
    """Import ``solutions.<module>`` for every module of ``exercise``.

    Raises
    ------
    CnnlabError
        If the ``solutions`` package is not available (students' installs).
    """
    try:
        return {m: importlib.import_module(f"solutions.{m}") for m in exercise.modules}
    except ImportError as error:
        raise CnnlabError(f"{purpose} {NO_SOLUTIONS} ({error}).") from None


def mistake_catalogue() -> dict:
    """``{mistake id: (module, {attribute: replacement})}`` from ``solutions.mistakes``."""
    from solutions.mistakes import MISTAKES

    return MISTAKES


def with_mistake(modules: dict, mistake: str) -> dict:
    """A copy of ``modules`` in which the mistake model ``mistake`` replaces some functions or classes."""
    module, replacements = mistake_catalogue()[mistake]
    patched = dict(modules)
    patched[module] = SimpleNamespace(**{**vars(modules[module]), **replacements})
    return patched
