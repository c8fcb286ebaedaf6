"""How fast a student's layer runs against the vectorised reference, on a batch the size of training's.

A convolution written with Python loops over pixels passes every check, then
makes ``cnnlab train`` take minutes. ``cnnlab check`` says so early, without
taking points: :func:`measure_speed` times the forward and the backward pass
of the exercise's layer in the sandbox, on one minibatch of the network that
``cnnlab train`` builds, and the reference on the same inputs in this process
(the reference is trusted). The sandbox's own round trip (sending the inputs,
the answer coming back) is timed with an empty program and taken off.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder import paths
from autograder.checks.spec import call
from autograder.errors import CnnlabError
from autograder.exercises import Exercise
from autograder.grading.grader import submission_sandbox
from autograder.grading.reference import reference_modules
from autograder.grading.results import COULD_NOT_GRADE, NOT_STARTED, ExerciseResult
from autograder.sandbox.runner import Limits, Sandbox, SandboxDied

REPEATS = 5  # the fastest of this many runs: timing noise only ever adds
ENOUGH_SECONDS = 0.05  # a run this long is measured once more at most: its noise is small beside it
SLOW_FACTOR = 5.0  # what the report calls slow: this many times the reference's time ...
SLOW_EXTRA_SECONDS = 0.002  # ... and this much longer: below it, the timings are mostly the sandbox's jitter
TIMEOUT = 2.0  # seconds per timed run: a loop-written layer needs a fifth of it; a stuck one costs no more


@dataclass(frozen=True)
class Case:
    """One layer's forward and backward on a realistic batch."""

    module: str
    forward: str
    backward: str
    shapes: dict  # input name -> shape
    kwargs: dict  # keyword literals of the forward call
    batch: str  # said to the student: what the batch is

    def program(self, backward: bool, seed: int = 0) -> dict:
        """The forward pass (and then the backward pass) on fixed random inputs; nothing is sent back."""
        rng = np.random.default_rng(seed)
        inputs = {name: rng.standard_normal(shape).astype(np.float32) for name, shape in self.shapes.items()}
        args = [f"${name}" for name in self.shapes if name != "dout"]
        steps = [call(f"{self.module}.{self.forward}", args, self.kwargs, "fwd")]
        if backward:
            steps.append(call(f"{self.module}.{self.backward}", ["$dout", "$fwd.1"], into="grads"))
        else:
            inputs.pop("dout")
        # not spec.program: its snapshots of every input after each step would be timed too
        return {"inputs": inputs, "steps": steps, "outputs": []}


# The second convolution of cnnlab train's network on a minibatch of 32 digits, and its first pooling.
CASES = {
    "convolution": Case("convolution", "conv_forward", "conv_backward",
                        {"x": (32, 8, 4, 4), "w": (16, 8, 3, 3), "b": (16,), "dout": (32, 16, 4, 4)},
                        {"stride": 1, "pad": 1}, "32 images of 8 channels of 4x4, 16 filters of 3x3, pad 1"),
    "pooling": Case("pooling", "max_pool_forward", "max_pool_backward",
                    {"x": (32, 8, 8, 8), "dout": (32, 8, 4, 4)}, {"pool_size": 2, "stride": 2},
                    "32 images of 8 channels of 8x8, 2x2 windows, stride 2"),
}


@dataclass(frozen=True)
class Timing:
    """Seconds of one function, the student's and the reference's."""

    function: str
    seconds: float
    reference_seconds: float

    @property
    def ratio(self) -> float:
        """How many times the reference's time the student's takes."""
        return self.seconds / max(self.reference_seconds, 1e-7)

    @property
    def slow(self) -> bool:
        """:data:`SLOW_FACTOR` times the reference's time and :data:`SLOW_EXTRA_SECONDS` more."""
        return self.ratio >= SLOW_FACTOR and self.seconds - self.reference_seconds >= SLOW_EXTRA_SECONDS


@dataclass(frozen=True)
class SpeedReport:
    """The speed of one exercise's layer. ``timings`` is empty when it could not be measured; ``problem`` says why."""

    exercise: str
    batch: str
    timings: tuple[Timing, ...] = ()
    problem: str = ""


def _fastest(run, repeats: int) -> float:
    best = run()
    for _ in range(repeats - 1 if best < ENOUGH_SECONDS else min(1, repeats - 1)):
        best = min(best, run())
    return best


def _in_sandbox(sandbox: Sandbox, program: dict) -> float:
    outcome = sandbox.run(program)
    if outcome.kind != "result":
        raise _NotTimed(outcome.error.get("where") or outcome.kind)
    return outcome.seconds


class _NotTimed(Exception):
    """The student's code did not run to the end (it raised, timed out or died)."""


def _in_process(modules: dict, case: Case, backward: bool) -> float:
    """Seconds of the reference's forward pass, or of its backward pass alone, on the case's inputs."""
    program = case.program(backward=True)
    x = program["inputs"]
    args = [x[name] for name in case.shapes if name != "dout"]
    forward, backward_fn = (getattr(modules[case.module], name) for name in (case.forward, case.backward))
    start = time.perf_counter()
    _, cache = forward(*args, **case.kwargs)
    if backward:
        start = time.perf_counter()
        backward_fn(x["dout"], cache)
    return time.perf_counter() - start


def _without_steps(program: dict) -> dict:
    """``program``'s inputs with nothing to do: what the sandbox's round trip alone costs for them."""
    return {**program, "steps": []}


def measure_speed(exercise: Exercise, submission: Path | None = None, *, repeats: int = REPEATS,
                  timeout: float = TIMEOUT, result: ExerciseResult | None = None,
                  sandbox: Sandbox | None = None) -> SpeedReport | None:
    """Time the forward and backward pass of ``exercise``'s layer against the reference's.

    Parameters
    ----------
    exercise : Exercise
    submission : Path, optional
        The student's folder (default ``exercises/``).
    repeats : int
        Runs of each program; the fastest counts.
    timeout : float
        Seconds each run may take.
    result : ExerciseResult, optional
        The grade just given: when a test could not be graded or a function
        is not written yet, there is nothing worth timing (and a stuck
        function is not waited for twice).
    sandbox : Sandbox, optional
        A sandbox already running the student's modules (the grader's, via
        ``grade_exercise(..., afterwards=...)``): it is used and left open,
        which saves starting a child. Its own time limit then applies.

    Returns
    -------
    SpeedReport or None
        None for an exercise without a layer to time (see :data:`CASES`), or
        when ``result`` says the code is not ready to be timed.
        Never raises for anything the student's code does: a function that
        fails is reported in ``problem`` (``cnnlab check`` shows the failure itself).
    """
    case = next((CASES[m] for m in exercise.modules if m in CASES), None)
    if case is None or (result is not None and any(t.state in (COULD_NOT_GRADE, NOT_STARTED) for t in result.tests)):
        return None
    try:
        reference = reference_modules(exercise, "Timing against the reference")
    except CnnlabError:
        return SpeedReport(exercise.name, case.batch, problem="the reference layers are not installed here")
    if sandbox is None:
        own = submission_sandbox(paths.resolve_submission(submission), [case.module], Limits(timeout=timeout))
        with own:
            try:
                own.start()
            except SandboxDied:
                return SpeedReport(exercise.name, case.batch, problem="your code stopped in the import")
            return _timed(exercise, case, own, reference, repeats)
    return _timed(exercise, case, sandbox, reference, repeats)


def _timed(exercise: Exercise, case: Case, sandbox: Sandbox, reference: dict, repeats: int) -> SpeedReport:
    """The student's layer timed in ``sandbox`` (already started) and the reference's in this process."""
    forward, both = case.program(backward=False), case.program(backward=True)
    try:
        mine_forward = (_fastest(lambda: _in_sandbox(sandbox, forward), repeats)
                        - _fastest(lambda: _in_sandbox(sandbox, _without_steps(forward)), repeats))
        mine_both = (_fastest(lambda: _in_sandbox(sandbox, both), repeats)
                     - _fastest(lambda: _in_sandbox(sandbox, _without_steps(both)), repeats))
    except (_NotTimed, SandboxDied) as stopped:
        where = stopped.args[0] if isinstance(stopped, _NotTimed) else "the import"
        return SpeedReport(exercise.name, case.batch, problem=f"your code stopped in {where}")
    theirs_forward = _fastest(lambda: _in_process(reference, case, backward=False), repeats)
    theirs_backward = _fastest(lambda: _in_process(reference, case, backward=True), repeats)
    timings = (Timing(case.forward, max(mine_forward, 0.0), theirs_forward),
               Timing(case.backward, max(mine_both - mine_forward, 0.0), theirs_backward))
    return SpeedReport(exercise.name, case.batch, timings)
