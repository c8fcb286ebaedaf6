"""What grading finds, as structured data: one :class:`TestResult` per test, one :class:`ExerciseResult` per exercise.

Results carry facts as fields (state, message, mistake and its explanation,
what the student's code printed, hidden). Nothing here is worded for a
reader beyond the judges' own messages: :mod:`autograder.report` renders the
same fields for the console, for Gradescope and for feedback files, and
never reads a fact back out of a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from autograder.exercises import Exercise

PASSED, FAILED, NOT_STARTED, COULD_NOT_GRADE = "passed", "failed", "not-started", "could-not-grade"
STATES = (PASSED, FAILED, NOT_STARTED, COULD_NOT_GRADE)
GRADED = "graded"  # an exercise's status when every test could be graded; else COULD_NOT_GRADE


@dataclass
class TestResult:
    """One graded test.

    Parameters
    ----------
    name : str
        The check's name, unique within its exercise.
    max_score, score : int
        Points available and earned (all or nothing).
    state : str
        ``passed``, ``failed``, ``not-started`` (the function still raises
        NotImplementedError) or ``could-not-grade``.
    message : str
        What went wrong, for the student ('' when passed). For ``not-started``,
        which function is not written yet.
    hidden : bool
        A hidden test (fresh inputs, run only with ``--hidden``).
    mistake : str or None
        Id of the classic mistake the student's answer matches, if any.
    explanation : str
        That mistake's explanation ('' when there is none).
    printed : str
        The end of what the student's code printed during the test.
    seconds : float
        How long the test took in the sandbox.
    waits_for : tuple of str
        Names of the tests this one only counts after (``Check.requires``)
        that did not pass in this run. The student's code did what this test
        asks (``state`` is ``passed``) but it scores 0 until they pass: a
        gradient check of a backward pass against a forward pass that returns
        zeros proves nothing.
    """

    __test__ = False  # not a pytest test class, despite the name

    name: str
    max_score: int
    score: int
    state: str
    message: str = ""
    hidden: bool = False
    mistake: str | None = None
    explanation: str = ""
    printed: str = ""
    seconds: float = 0.0
    waits_for: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """The test passed and counts: it earned its points."""
        return self.state == PASSED and not self.waits_for


@dataclass
class ExerciseResult:
    """All tests of one exercise.

    ``status`` is ``graded`` or ``could-not-grade``; ``problem`` says why an
    exercise could not be graded at all (its modules do not import), and
    ``printed`` what the student's code printed meanwhile. ``isolation`` is
    ``kernel`` when the student's code ran behind every kernel layer
    (namespaces, Landlock, seccomp), ``weak`` when it ran behind Python's
    guards and rlimits only, '' when it never ran.
    """

    exercise: Exercise
    submission: Path
    status: str
    tests: list[TestResult] = field(default_factory=list)
    problem: str = ""
    printed: str = ""
    isolation: str = ""

    @property
    def score(self) -> int:
        return sum(t.score for t in self.tests)

    @property
    def max_score(self) -> int:
        return sum(t.max_score for t in self.tests)

    @property
    def passed(self) -> bool:
        return self.status == GRADED and all(t.passed for t in self.tests)

    @property
    def progress(self) -> str:
        """``done``, ``not started`` or ``in progress``."""
        if self.passed:
            return "done"
        if all(t.state == NOT_STARTED for t in self.tests):
            return "not started"
        return "in progress"
