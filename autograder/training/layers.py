"""The layer functions ``cnnlab train`` builds its network from: the student's or the reference's.

Both come back as one :class:`Layers` object holding exactly the functions the
model calls, so the model never knows whose code it runs. A student's modules
are loaded from their files under private module names (``_cnnlab_student_*``),
so ``exercises/``, a ``--path`` folder and ``solutions/`` never collide.

Every function is wrapped so that an exception raised inside it becomes a
:class:`StudentCodeError` naming the function and its file, instead of a
traceback through cnnlab's training loop.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from autograder.errors import CnnlabError, UsageError
from autograder.exercises import EXERCISES, Exercise
from autograder.grading.reference import import_solutions
from autograder.paths import resolve_submission
from autograder.sandbox.loader import exec_file

# module -> the names the network needs from it (the layer contract of STYLE.md §1)
NEEDED: dict[str, tuple[str, ...]] = {
    "activations": ("relu_forward", "relu_backward"),
    "linear": ("affine_forward", "affine_backward"),
    "losses": ("softmax_cross_entropy",),
    "convolution": ("conv_forward", "conv_backward"),
    "pooling": ("max_pool_forward", "max_pool_backward"),
    "optimizers": ("Adam",),
    "regularization": ("dropout_forward", "dropout_backward"),
}


class StudentCodeError(CnnlabError):
    """A layer function raised an exception while the network was running."""


@dataclass(frozen=True)
class Layers:
    """The functions of the layer contract that the CNN is made of.

    Every ``*_forward`` returns ``(out, cache)`` and the matching ``*_backward``
    takes ``(dout, cache)``; ``Adam(lr=...)`` has ``.step(params, grads)``.
    ``origin`` says whose code it is, for messages and ``metrics.json``.
    """

    relu_forward: Callable
    relu_backward: Callable
    affine_forward: Callable
    affine_backward: Callable
    softmax_cross_entropy: Callable
    conv_forward: Callable
    conv_backward: Callable
    max_pool_forward: Callable
    max_pool_backward: Callable
    Adam: Callable
    dropout_forward: Callable
    dropout_backward: Callable
    origin: str


def needed_exercises() -> tuple[Exercise, ...]:
    """The exercises whose modules the network uses, in course order."""
    return tuple(ex for ex in EXERCISES if set(ex.modules) & set(NEEDED))


def _describe(error: BaseException) -> str:
    if isinstance(error, NotImplementedError):
        return "it raises NotImplementedError: it is not written yet"
    return f"{type(error).__name__}: {error}"


def _guarded(fn: Callable, name: str, where: str) -> Callable:
    """``fn``, but an exception in it becomes a :class:`StudentCodeError` naming ``name`` and ``where``."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as error:
            raise StudentCodeError(f"{name} ({where}) failed while the network was running: "
                                   f"{_describe(error)}.") from None

    return call


class _GuardedOptimizer:
    """An optimizer whose ``step`` reports errors like :func:`_guarded` does."""

    def __init__(self, optimizer, where: str):
        self._optimizer = optimizer
        self.step = _guarded(optimizer.step, "Adam.step", where)


def _guarded_class(cls: Callable, name: str, where: str) -> Callable:
    build = _guarded(cls, name, where)
    return lambda *args, **kwargs: _GuardedOptimizer(build(*args, **kwargs), where)


def _collect(modules: dict, where: Callable[[str], str], origin: str) -> Layers:
    found = {}
    for module, names in NEEDED.items():
        for name in names:
            fn = getattr(modules[module], name, None)
            if not callable(fn):
                raise CnnlabError(f"{where(module)} has no {name}; the network needs "
                                  f"{' and '.join(names)} from it.")
            wrap = _guarded_class if name == "Adam" else _guarded
            found[name] = wrap(fn, name, where(module))
    return Layers(**found, origin=origin)


def load_reference_layers() -> Layers:
    """The reference layers from the ``solutions`` package (``--impl reference``).

    Raises
    ------
    CnnlabError
        If ``solutions`` cannot be imported (it is for instructors and may be
        missing from a student's install).
    """
    modules = import_solutions(NEEDED, "--impl reference")
    return _collect(modules, lambda m: f"solutions/{m}.py", "reference")


def _load_file(path: Path, private_name: str):
    try:
        return exec_file(path, private_name)
    except (Exception, SystemExit) as error:  # SystemExit too: a stray exit() must not end cnnlab
        line = f" (line {error.lineno})" if isinstance(error, SyntaxError) and error.lineno else ""
        raise CnnlabError(f"Could not load your {path.name}{line}: {type(error).__name__}: {error}. "
                          f"Fix it (cnnlab check shows where) and run cnnlab train again.") from None


def load_student_layers(folder: Path) -> Layers:
    """The student's layers from the module files in ``folder``.

    Each file is executed under a private name (``_cnnlab_student_<hash>_<module>``).
    While they load, ``folder`` is first on ``sys.path`` and the bare names
    (``activations``, ...) point at this folder's modules, so a student's
    module may import a sibling as it can in the grader; both are put back
    afterwards.

    Raises
    ------
    CnnlabError
        If a file is missing, cannot be imported (naming the file and the
        error), or lacks a function the network needs.
    """
    folder = Path(folder).resolve()
    tag = hashlib.sha1(str(folder).encode()).hexdigest()[:10]
    saved = {m: sys.modules.pop(m) for m in NEEDED if m in sys.modules}
    sys.path.insert(0, str(folder))
    modules = {}
    try:
        for module in NEEDED:
            path = folder / f"{module}.py"
            if not path.is_file():
                raise CnnlabError(f"{folder} has no {module}.py; the network needs "
                                  f"{' and '.join(NEEDED[module])} from it.")
            modules[module] = sys.modules[module] = _load_file(path, f"_cnnlab_student_{tag}_{module}")
    finally:
        sys.path.remove(str(folder))
        for module in NEEDED:
            sys.modules.pop(module, None)
        sys.modules.update(saved)
    return _collect(modules, lambda m: str(folder / f"{m}.py"), str(folder))


# ---------------------------------------------------------------- the gate

def require_passing_checks(folder: Path, check: Callable | None = None) -> None:
    """Stop unless every exercise the network needs passes its checks.

    Parameters
    ----------
    folder : Path
        The student's modules.
    check : callable, optional
        ``check(exercise, folder) -> result`` with ``.passed``, ``.score``,
        ``.max_score`` and ``.status``; :func:`autograder.grading.grader.grade_exercise` by
        default (tests pass a fake).

    Raises
    ------
    CnnlabError
        Naming every exercise that does not pass yet and how to check it.
    """
    if check is None:
        from autograder.grading.grader import grade_exercise as check
    failing = []
    for exercise in needed_exercises():
        result = check(exercise, folder)
        if not result.passed:
            state = ("could not be graded" if result.status == "could-not-grade"
                     else f"{result.score}/{result.max_score} points")
            failing.append((exercise, state))
    if failing:
        listing = "".join(f"\n  {ex.name} ({ex.title}): {state}" for ex, state in failing)
        raise CnnlabError(
            f"The network is built from your layers, and {len(failing)} of the {len(needed_exercises())} "
            f"exercises it needs do not pass yet:{listing}\n"
            f"Run cnnlab check {failing[0][0].name} to see what is wrong, then cnnlab train again. "
            "To watch the network train with cnnlab's reference layers meanwhile: cnnlab train --impl reference")


def get_layers(impl: str, path: Path | None = None, check: Callable | None = None,
               gate: bool = True) -> Layers:
    """The layers for ``--impl``: the reference, or the student's after the gate (if ``gate``)."""
    if impl == "reference":
        return load_reference_layers()
    if impl != "student":
        raise UsageError(f"--impl must be student or reference, got '{impl}'.")
    folder = resolve_submission(path)
    if gate:
        require_passing_checks(folder, check)
    return load_student_layers(folder)
