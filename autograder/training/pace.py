"""How long a training run will take, and which layer function makes it slow.

A convolution written with four nested Python loops passes every check and
then makes ``cnnlab train`` take minutes instead of seconds. To say so while
it still matters, the training loop runs the student's layers through a
:class:`LayerClock` (the seconds spent in each function of the layer
contract), and after the first :data:`PROBE_BATCHES` minibatches
:func:`rehearse_reference` runs cnnlab's reference layers, which are trusted,
in this process on the very same minibatches. :func:`estimate_run` turns both
into a :class:`PaceEstimate`: the whole run's expected duration with each, and
the functions that are far slower than the reference's.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

import numpy as np

from autograder.training.layers import Layers

PROBE_BATCHES = 3
SLOW_FACTOR = 5.0  # a run (or a function) is slow when it takes this many times the reference's time
SLOW_EXTRA_SECONDS = 5.0  # ... and the run would last this much longer: a second's difference is nobody's worry
SLOW_SHARE = 0.2  # a slow function accounts for at least this share of the extra time
FUNCTIONS = tuple(f.name for f in dataclasses.fields(Layers) if f.name not in ("Adam", "origin"))
STEP = "Adam.step"


class LayerClock:
    """Seconds spent in each function of the layer contract, summed over every call it saw.

    Attributes
    ----------
    seconds : dict of str to float
        Keyed by the function's name in :class:`Layers` (``conv_forward``, ...)
        and ``"Adam.step"`` for the optimizer.
    """

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)

    def timed(self, name: str, fn: Callable) -> Callable:
        """``fn``, adding the wall-clock seconds of each call to ``seconds[name]``."""

        @functools.wraps(fn)
        def call(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start

        return call

    def timed_layers(self, layers: Layers) -> Layers:
        """A copy of ``layers`` whose functions, and whose optimizers' ``step``, run on this clock."""
        timed = {name: self.timed(name, getattr(layers, name)) for name in FUNCTIONS}

        def adam(*args, **kwargs):
            return _TimedOptimizer(self.timed(STEP, layers.Adam(*args, **kwargs).step))

        return dataclasses.replace(layers, Adam=adam, **timed)

    def copy(self) -> "LayerClock":
        """A clock holding the seconds so far, which later calls leave alone."""
        snapshot = LayerClock()
        snapshot.seconds.update(self.seconds)
        return snapshot

    def total(self, names=None) -> float:
        """Seconds in ``names`` (default: every function seen)."""
        return sum(s for name, s in self.seconds.items() if names is None or name in names)


@dataclass(frozen=True)
class _TimedOptimizer:
    """An optimizer reduced to its timed ``step(params, grads)``, all the training loop calls."""

    step: Callable


@dataclass(frozen=True)
class PaceEstimate:
    """How long the whole run will take with the student's layers and with the reference's.

    Attributes
    ----------
    seconds, reference_seconds : float
        Expected duration of every epoch's training and test pass.
    functions : dict of str to (float, float)
        Seconds per minibatch in each function of the layer contract (and
        ``"Adam.step"``): the student's, then the reference's on the same minibatches.
    slow_functions : tuple of str
        For a slow run, the functions that make the difference, the costliest
        first: each at least :data:`SLOW_FACTOR` times the reference's and at
        least :data:`SLOW_SHARE` of the extra time. Empty when the run is not slow.
    batches : int
        The minibatches the figures were measured on.
    """

    seconds: float
    reference_seconds: float
    functions: dict[str, tuple[float, float]]
    slow_functions: tuple[str, ...]
    batches: int

    @property
    def slow(self) -> bool:
        """The run will take :data:`SLOW_FACTOR` times the reference's time and seconds more than it."""
        return (self.seconds >= SLOW_FACTOR * self.reference_seconds
                and self.seconds - self.reference_seconds >= SLOW_EXTRA_SECONDS)


def run_seconds(wall: float, clock: LayerClock, images: int, epochs: int, n_train: int, n_test: int) -> float:
    """The whole run's duration, from ``wall`` seconds for ``images`` training images.

    Each epoch trains on ``n_train`` images (forward, backward, step: ``wall /
    images`` each) and then runs the forward pass alone on ``n_test`` images;
    the forward functions' share of ``clock`` says what that costs.
    """
    per_image = wall / images
    measured = clock.total()
    forward_share = clock.total([n for n in FUNCTIONS if n.endswith("_forward")]) / measured if measured else 1.0
    return epochs * per_image * (n_train + n_test * forward_share)


def estimate_run(student: tuple[float, LayerClock], reference: tuple[float, LayerClock], batches: int,
                 images: int, epochs: int, n_train: int, n_test: int) -> PaceEstimate:
    """Compare the student's first ``batches`` minibatches with the reference's on the same ones.

    Parameters
    ----------
    student, reference : (float, LayerClock)
        Wall-clock seconds of those minibatches, and the seconds in each function.
    batches, images : int
        How many minibatches, and training images in them, were measured.
    epochs, n_train, n_test : int
        The run's length and the sizes of the training and test sets.
    """
    (wall, clock), (ref_wall, ref_clock) = student, reference
    names = [n for n in (*FUNCTIONS, STEP) if n in clock.seconds or n in ref_clock.seconds]
    functions = {n: (clock.seconds.get(n, 0.0) / batches, ref_clock.seconds.get(n, 0.0) / batches) for n in names}
    extra = {n: s - r for n, (s, r) in functions.items()}
    total_extra = sum(max(e, 0.0) for e in extra.values())
    culprits = tuple(sorted((n for n, (s, r) in functions.items()
                             if s >= SLOW_FACTOR * r and total_extra > 0 and extra[n] >= SLOW_SHARE * total_extra),
                            key=lambda n: -extra[n]))
    estimate = PaceEstimate(run_seconds(wall, clock, images, epochs, n_train, n_test),
                            run_seconds(ref_wall, ref_clock, images, epochs, n_train, n_test),
                            functions, culprits, batches)
    # a function of a run at the reference's pace is only noise: a millisecond's jitter is no culprit
    return estimate if estimate.slow else dataclasses.replace(estimate, slow_functions=())
