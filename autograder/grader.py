"""Grade one exercise of one submission (the core behind ``cnnlab check``).

Placeholder until the grader lands: the signature is fixed, callers may rely on it.
"""

from __future__ import annotations

from pathlib import Path

from autograder.registry import Exercise


def run_check(exercise: Exercise, submission: Path | None = None, *, hidden: bool = False,
              timeout: float = 5.0):
    """Run every test of ``exercise`` against the modules in ``submission``.

    Returns an ``ExerciseResult`` with ``.passed`` (bool, every test passed),
    ``.score``, ``.max_score``, ``.status`` ("graded" or "could-not-grade") and ``.tests``.
    """
    raise NotImplementedError("the grader is being built")
