"""The feedback of one test as plain text, the same for the console, Gradescope and feedback files."""

from __future__ import annotations

from autograder.grading.results import COULD_NOT_GRADE, NOT_STARTED, TestResult


def feedback(test: TestResult, explained_in: str | None = None) -> str:
    """What went wrong in ``test``, the classic mistake it fits, and what the student's code printed.

    Parameters
    ----------
    test : TestResult
    explained_in : str, optional
        The name of an earlier test whose feedback already explains the same
        mistake: the explanation becomes a pointer to it.
    """
    if test.passed:
        return ""
    if test.state == NOT_STARTED:
        return f"Not started: {test.message}."
    text = f"Could not grade: {test.message}" if test.state == COULD_NOT_GRADE else test.message
    if test.mistake:
        cause = (f"the same mistake as in '{explained_in}' above." if explained_in else test.explanation)
        text += f"\n  Likely cause: {cause}"
    if test.printed:
        text += "\n  Your code printed:\n    " + test.printed.replace("\n", "\n    ")
    return text
