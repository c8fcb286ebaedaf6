"""Grading results as Gradescope's results.json, the machine-readable form of every grade.

The object follows Gradescope's results format (``score``, ``max_score``,
``tests[]`` with ``name``, ``score``, ``max_score``, ``status``, ``output``,
``visibility``) plus cnnlab's ``version`` and a run ``status`` of
``graded`` or ``could-not-grade``.
"""

from __future__ import annotations

from autograder.grading.results import COULD_NOT_GRADE, GRADED, PASSED, ExerciseResult, TestResult
from autograder.report.text import feedback, safe

SCHEMA_VERSION = 1


def test_json(test: TestResult, prefix: str = "") -> dict:
    """One entry of ``tests[]``: Gradescope's statuses are only passed and failed."""
    return {"name": f"{prefix}{test.name}", "score": test.score, "max_score": test.max_score,
            "status": PASSED if test.passed else "failed", "output": feedback(test),
            "visibility": "after_published" if test.hidden else "visible"}


def results_json(results: list[ExerciseResult]) -> dict:
    """One results object for one or more exercises."""
    many = len(results) > 1
    tests = [test_json(t, f"{r.exercise.name}: " if many else "") for r in results for t in r.tests]
    data = {
        "version": SCHEMA_VERSION,
        "status": COULD_NOT_GRADE if any(r.status == COULD_NOT_GRADE for r in results) else GRADED,
        "score": sum(r.score for r in results),
        "max_score": sum(r.max_score for r in results),
        "tests": tests,
        "isolation": "weak" if any(r.isolation == "weak" for r in results) else results[0].isolation,
    }
    if many:
        data["exercises"] = [{"name": r.exercise.name, "topic": r.exercise.topic, "score": r.score,
                              "max_score": r.max_score, "progress": r.progress, "status": r.status} for r in results]
    else:
        data["exercise"] = results[0].exercise.name
    return data


def problem_json(problem: str, exercises: list[str]) -> dict:
    """The results object when grading could not start at all (no such folder, nothing in it, a wrong name).

    Parameters
    ----------
    problem : str
        What stopped the grading, for the student.
    exercises : list of str
        The exercises that were asked for, as the student named them.
    """
    return {"version": SCHEMA_VERSION, "status": COULD_NOT_GRADE, "score": 0, "max_score": 0, "tests": [],
            "output": safe(problem), "exercises_asked": [safe(name, 100) for name in exercises]}
