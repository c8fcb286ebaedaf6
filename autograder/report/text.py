"""The feedback of one test as plain text, the same for the console, Gradescope and feedback files.

Every string that came from a student's code is cleaned again here
(:func:`~autograder.sandbox.wire.clean_text`: no escape sequences, no control
characters, a bounded length), whoever built the result: the report is the
last door before a terminal or a results file.
"""

from __future__ import annotations

from autograder.grading.results import COULD_NOT_GRADE, NOT_STARTED, PASSED, TestResult
from autograder.sandbox.wire import clean_text

MESSAGE_CHARS = 8_000  # a judge's message with its array excerpts fits well within this


def safe(text: str, limit: int = MESSAGE_CHARS) -> str:
    """``text`` as it may be shown: cleaned of escape sequences and control characters, and cut to ``limit``."""
    return clean_text(text, limit)


def waiting_note(test: TestResult) -> str:
    """Why a test that passes earns nothing yet ('' for any other test)."""
    if test.state != PASSED or not test.waits_for:
        return ""
    names = " and ".join(f"'{name}'" for name in test.waits_for)
    verb = "passes" if len(test.waits_for) == 1 else "pass"
    return (f"Your code passes this test, but it only counts once {names} {verb} too: it checks your code "
            f"against itself, which proves something only when the value it starts from is right.")


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
    if test.waits_for:
        return waiting_note(test)
    if test.state == NOT_STARTED:
        return f"Not started: {safe(test.message)}."
    message = safe(test.message)
    text = f"Could not grade: {message}" if test.state == COULD_NOT_GRADE else message
    if test.mistake:
        cause = (f"the same mistake as in '{explained_in}' above." if explained_in else test.explanation)
        text += f"\n  Likely cause: {cause}"
    if test.printed:
        text += "\n  Your code printed:\n    " + safe(test.printed, 2_000).replace("\n", "\n    ")
    return text
