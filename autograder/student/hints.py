"""``cnnlab hint``: the next hint about what fails, remembered per exercise in cnnlab's state folder.

Each hint of an exercise names the functions it is about
(:class:`autograder.checks.spec.Hint`). The caller grades the exercise first
and passes the names of the functions whose tests fail; only hints about those
functions (and hints about the whole exercise) are given, in the order the
exercise lists them, one more each time. When they run out, the turn says so
instead of starting over. The hints already shown are kept in ``hints.json``
under :func:`autograder.student.backups.state_dir`, outside the student's folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from autograder.checks import checks_of, hints_of
from autograder.checks.judges import short_name
from autograder.errors import CnnlabError
from autograder.exercises import Exercise
from autograder.student.backups import state_dir


@dataclass
class HintTurn:
    """What one ``cnnlab hint`` gives.

    Attributes
    ----------
    exercise : Exercise
    shown : list of (int, Hint)
        The hints about what fails that have been given so far, each with its number in the
        exercise's list (1-based), in the order they were given; the new one, if any, is last.
    new : Hint or None
        The hint given this time; None when there was none left to give.
    left : int
        Hints about what fails that are still to come.
    total : int
        How many hints the exercise has in all.
    failing : tuple of str
        The functions whose tests fail, as the caller passed them (sorted); empty when everything passes.
    """

    exercise: Exercise
    shown: list
    new: object
    left: int
    total: int
    failing: tuple[str, ...]

    @property
    def no_more(self) -> str:
        """The message for a turn without a new hint ("" when there is one)."""
        if self.new is not None:
            return ""
        name = self.exercise.name
        if not self.failing:
            return f"No more hints for {name}: every test passes. Well done!"
        return (f"No more hints for {name}: you have seen every hint about {', '.join(self.failing)}. Read the "
                f"message of the first failing test again (cnnlab check {name}) and the Notes of the docstring; "
                f"they say what was expected, what came and where.")


def failing_functions(exercise: Exercise, failed_tests, passed_tests=()) -> set[str]:
    """The short names of the functions the failing tests point at.

    A test exercises one function or several (a backward test runs the forward
    too). A function whose own tests (those that run it alone) all pass is
    cleared of the failures it shares with others, so a failing
    ``softmax backward`` points at ``softmax_backward``, not at a
    ``softmax_forward`` that passes.

    Parameters
    ----------
    exercise : Exercise
    failed_tests, passed_tests : iterable of str
        Names of the exercise's tests that did not pass, and of those that did (``TestResult.name``).
    """
    failed, passed = set(failed_tests), set(passed_tests)
    calls = {check.name: {short_name(f) for f in check.functions()} for check in checks_of(exercise)}
    alone_failed = {next(iter(fs)) for name, fs in calls.items() if len(fs) == 1 and name in failed}
    alone_passed = {next(iter(fs)) for name, fs in calls.items() if len(fs) == 1 and name in passed}
    pointed = set().union(*(fs for name, fs in calls.items() if name in failed))
    narrowed = pointed - (alone_passed - alone_failed)
    return narrowed or pointed


def _relevant(hint, failing: set[str] | None) -> bool:
    """Whether ``hint`` is about something that fails (None: nothing is known, every hint is)."""
    return failing is None or (bool(failing) and (not hint.about or bool(set(hint.about) & failing)))


def _load(path: Path) -> dict:
    """The state file as a dict; a missing or damaged file counts as empty (it only costs hints seen)."""
    try:
        state = json.loads(path.read_text()) if path.exists() else {}
    except (ValueError, OSError):
        return {}
    return state if isinstance(state, dict) else {}


def _seen(state: dict, exercise: Exercise, total: int) -> list[int]:
    """The indices of the hints of ``exercise`` already shown, in the order they were shown."""
    entry = state.get(exercise.name)
    if not isinstance(entry, list):
        return []
    return [i for i in dict.fromkeys(entry) if isinstance(i, int) and not isinstance(i, bool) and 0 <= i < total]


def next_hint(exercise: Exercise, folder: Path, failing: set[str] | None = None) -> HintTurn:
    """Give the next hint of ``exercise`` about what fails, and remember it.

    Parameters
    ----------
    exercise : Exercise
    folder : Path
        The student's folder: the hints shown are remembered per folder (outside it).
    failing : set of str or None
        Short names of the functions whose tests fail in the student's latest grade
        (:func:`failing_functions`); an empty set when every test passes; None to go
        through every hint in order.

    Raises
    ------
    CnnlabError
        If the state folder cannot be written.
    """
    hints = hints_of(exercise)
    path = state_dir(folder) / "hints.json"
    state = _load(path)
    seen = _seen(state, exercise, len(hints))
    relevant = [i for i, hint in enumerate(hints) if _relevant(hint, failing)]
    fresh = [i for i in relevant if i not in seen]
    new = fresh[0] if fresh else None
    if new is not None:
        seen.append(new)
        state[exercise.name] = seen
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(state, indent=2))
        except OSError as error:
            raise CnnlabError(f"Could not remember the hints shown in {path}: {error}") from None
    shown = [(i + 1, hints[i]) for i in seen if i in relevant]
    return HintTurn(exercise, shown, hints[new] if new is not None else None, max(len(fresh) - 1, 0), len(hints),
                    tuple(sorted(failing or ())))
