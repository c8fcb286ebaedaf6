"""The one place that maps exercise numbers to modules and topics.

The grader, ``cnnlab train``, the stub generator and the course all read
:data:`EXERCISES`; nothing else hard-codes which module belongs to which
exercise.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograder.errors import UsageError


@dataclass(frozen=True)
class Exercise:
    """One graded exercise.

    Parameters
    ----------
    number : int
        1-based position in the course.
    topic : str
        Short name a student can type instead of the number (``convolution``).
    modules : tuple of str
        File stems under ``exercises/`` (and ``solutions/``) that it grades.
    title : str
        Human-readable title for tables and reports.
    """

    number: int
    topic: str
    modules: tuple[str, ...]
    title: str

    @property
    def name(self) -> str:
        """Canonical name, ``exercise<number>``."""
        return f"exercise{self.number}"


EXERCISES: tuple[Exercise, ...] = (
    Exercise(1, "activations", ("activations",), "Activation functions"),
    Exercise(2, "linear", ("linear", "losses", "gradcheck"),
             "Fully connected layer, losses and gradient checking"),
    Exercise(3, "convolution", ("convolution",), "Convolution"),
    Exercise(4, "pooling", ("pooling",), "Max and average pooling"),
    Exercise(5, "optimizers", ("optimizers",), "SGD, RMSprop and Adam"),
    Exercise(6, "regularization", ("regularization",), "Dropout and L2 regularization"),
)

ALL_MODULES: tuple[str, ...] = tuple(m for ex in EXERCISES for m in ex.modules)


def valid_names() -> str:
    """The accepted spellings, for error messages."""
    return ", ".join(f"{ex.name} ({ex.topic})" for ex in EXERCISES)


def find_exercise(name: str | int) -> Exercise:
    """Look an exercise up by any of the names a student might type.

    Parameters
    ----------
    name : str or int
        ``exercise3``, ``ex3``, ``3``, the topic (``convolution``), the name
        of one of its modules (``losses``), or the start of any of these that
        fits one exercise only (``conv``); case and surrounding blanks are ignored.

    Returns
    -------
    Exercise

    Raises
    ------
    UsageError
        If nothing matches, or the start of a name fits several exercises; the
        message names the candidates and lists the valid names.
    """
    key = str(name).strip().lower()
    for prefix in ("exercise", "ex"):
        if key.startswith(prefix) and key[len(prefix):].isdigit():
            key = key[len(prefix):]
            break
    for ex in EXERCISES:
        if key == str(ex.number) or key == ex.topic or key in ex.modules:
            return ex
    fits = [ex for ex in EXERCISES if key and any(n.startswith(key) for n in (ex.name, ex.topic, *ex.modules))]
    if len(fits) == 1:
        return fits[0]
    if fits:
        candidates = ", ".join(f"{ex.name} ({ex.topic})" for ex in fits)
        raise UsageError(f"'{name}' could be any of {candidates}: type a little more of the name. "
                         f"Valid names: {valid_names()}.")
    raise UsageError(f"There is no exercise called '{name}'. Valid names: {valid_names()}.")
