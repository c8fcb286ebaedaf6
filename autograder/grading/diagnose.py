"""Which classic mistake fits the numbers: the student's answer compared with each mistake model's."""

from __future__ import annotations

from autograder.checks.compare import matches
from autograder.checks.spec import Check
from autograder.grading.reference import run_trusted, with_mistake


def name_mistake(check: Check, student: dict, program: dict, *, stored: dict | None = None,
                 modules: dict | None = None, reference: dict | None = None) -> str | None:
    """The first of ``check``'s mistake models whose answer the student's equals, or None.

    Parameters
    ----------
    check : Check
    student : dict
        The decoded outputs of the student's program.
    program : dict
        The program that was run (hidden checks run it again on each model).
    stored : dict, optional
        ``{mistake id: outputs}`` from the stored answers (public checks).
    modules : dict, optional
        The reference modules, to run each model afresh (hidden checks).
    reference : dict, optional
        The reference's outputs. A model that gives the reference's answer on
        these inputs tells nothing and is skipped.
    """
    if not check.diagnose:
        return None  # nothing to compare: no mistake can be told apart

    def same(a: dict, b: dict) -> bool:
        return all(k in a and k in b and matches(a[k], b[k]) for k in check.diagnose)

    for mistake in check.mistakes:
        model = stored.get(mistake) if stored is not None else run_trusted(program, with_mistake(modules, mistake))
        if model is not None and same(student, model) and not (reference and same(model, reference)):
            return mistake
    return None
