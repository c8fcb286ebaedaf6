"""The trusted side of grading: the reference modules, and the reference with one classic mistake swapped in.

Both need the ``solutions`` package, which instructors have and students need
not: public checks read their references from the stored expected data
(:mod:`autograder.grading.store`); hidden checks, naming mistakes on them, and
regenerating that data (:mod:`autograder.build.answers`) call into this module.
"""

from __future__ import annotations

import copy
import importlib
from types import SimpleNamespace

import numpy as np

from autograder.errors import CnnlabError
from autograder.exercises import Exercise
from autograder.sandbox.program import StepError, run_program

NO_SOLUTIONS = ("needs cnnlab's reference solutions (the 'solutions' package, for instructors), "
                "and it cannot be imported here")


def import_solutions(modules, purpose: str = "This") -> dict:
    """Import ``solutions.<module>`` for each name in ``modules``.

    Raises
    ------
    CnnlabError
        If the ``solutions`` package is not available (students' installs);
        the message starts with ``purpose``.
    """
    try:
        return {m: importlib.import_module(f"solutions.{m}") for m in modules}
    except ImportError as error:
        raise CnnlabError(f"{purpose} {NO_SOLUTIONS} ({error}).") from None


def reference_modules(exercise: Exercise, purpose: str = "This") -> dict:
    """The reference modules of ``exercise``, by module name (see :func:`import_solutions`)."""
    return import_solutions(exercise.modules, purpose)


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


def run_trusted(program: dict, modules: dict) -> dict | None:
    """Run ``program`` in this process on trusted modules, with private copies of its inputs; None if it raises."""
    private = {**program, "inputs": copy.deepcopy(program["inputs"])}
    with np.errstate(all="ignore"):
        try:
            return run_program(private, modules)
        except StepError:
            return None
