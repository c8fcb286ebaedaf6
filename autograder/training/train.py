"""Train the CNN: settings, the training loop and its metrics (the core of ``cnnlab train``).

Nothing here prints or writes files. :func:`train_model` reports its progress
to a :class:`TrainProgress` the caller passes in (the command line renders it
with rich); :mod:`autograder.training.runs` saves what it returns.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass

import numpy as np

from autograder.training.data import DATASETS, Dataset
from autograder.errors import CnnlabError, UsageError
from autograder.training.layers import Layers
from autograder.training.model import CNN
from autograder.training.pace import PROBE_BATCHES, LayerClock, PaceEstimate, estimate_run


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run; the same config and seed give the same run, digit for digit.

    The defaults reach 98-99% test accuracy on the 8x8 digits (98.1% to 99.4%
    over seeds 0-9) in about a second and a half on a 2-core machine; see
    ``benchmarks/bench_train.py``. The learning rate ``lr`` is the peak: it
    decays to zero along a cosine over the run (:func:`cosine_factor`), which
    lets the last epochs settle instead of jittering around a minimum.
    ``weight_decay`` is Adam's L2 penalty.
    """

    epochs: int = 12
    batch_size: int = 32
    lr: float = 0.01
    weight_decay: float = 1e-3
    channels: tuple[int, int] = (8, 16)
    hidden: int = 128
    dropout: float = 0.1
    seed: int = 0
    data: str = "digits"
    data_dir: str | None = None

    def validate(self) -> None:
        """Raise :class:`UsageError` naming the first bad setting and its value."""
        if not 1 <= self.epochs <= 1000:
            raise UsageError(f"--epochs must be between 1 and 1000, got {self.epochs}.")
        if not 1 <= self.batch_size <= 4096:
            raise UsageError(f"--batch-size must be between 1 and 4096, got {self.batch_size}.")
        if not (math.isfinite(self.lr) and 0 < self.lr <= 1):
            raise UsageError(f"--lr must be a number in (0, 1], got {self.lr}.")
        if len(self.channels) != 2 or not all(1 <= c <= 256 for c in self.channels):
            raise UsageError(f"--channels takes two filter counts between 1 and 256, like 8,16; got {self.channels}.")
        if not (math.isfinite(self.weight_decay) and 0 <= self.weight_decay <= 1):
            raise UsageError(f"--weight-decay must be a number in [0, 1], got {self.weight_decay}.")
        if not 1 <= self.hidden <= 4096:
            raise UsageError(f"--hidden must be between 1 and 4096, got {self.hidden}.")
        if not 0 <= self.dropout < 1:
            raise UsageError(f"--dropout is the probability of dropping a unit, in [0, 1); got {self.dropout}.")
        if not 0 <= self.seed < 2**63:
            raise UsageError(f"--seed must be a non-negative integer, got {self.seed}.")
        if self.data not in DATASETS:
            raise UsageError(f"--data must be one of {', '.join(DATASETS)}; got '{self.data}'.")


@dataclass
class EpochMetrics:
    """What one epoch achieved. Train figures are averaged over its minibatches (with dropout on)."""

    epoch: int
    train_loss: float
    train_accuracy: float
    test_loss: float
    test_accuracy: float
    seconds: float


@dataclass
class TrainResult:
    """A trained model and how it got there."""

    model: CNN
    history: list[EpochMetrics]
    test_predictions: np.ndarray
    seconds: float

    @property
    def test_accuracy(self) -> float:
        return self.history[-1].test_accuracy


class TrainProgress:
    """Receives training progress; the default does nothing. Subclass it to show a bar."""

    def stage(self, message: str) -> None:
        """A step before or after the epochs: checking, loading, drawing."""

    def epoch_start(self, epoch: int, epochs: int, batches: int) -> None:
        """Epoch ``epoch`` (1-based) of ``epochs`` begins; it has ``batches`` minibatches."""

    def batch_end(self, epoch: int, batch: int, loss: float, accuracy: float) -> None:
        """Minibatch ``batch`` (1-based) is done; ``loss`` and ``accuracy`` are the epoch's running means."""

    def epoch_end(self, metrics: EpochMetrics) -> None:
        """The epoch is done and evaluated on the test set."""

    def pace(self, estimate: PaceEstimate) -> None:
        """The first minibatches of a student's layers are timed against the reference's on the same ones."""


# ---------------------------------------------------------------- training

def single_threaded_blas():
    """A context in which NumPy's BLAS uses one thread.

    The network's matrix products are tiny (a few thousand by a few dozen).
    With several OpenBLAS threads they get slower, by ten times on a busy
    2-core machine, and the order of their sums changes from run to run, so
    the same seed would stop giving the same digits. threadpoolctl comes with
    scikit-learn; without it training still works, only less reproducibly.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn always brings it
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def seeded_generators(seed: int) -> tuple[np.random.Generator, np.random.Generator, np.random.Generator]:
    """Three independent generators from one seed: initial weights, shuffling, dropout masks."""
    init, shuffle, dropout = np.random.SeedSequence(seed).spawn(3)
    return np.random.default_rng(init), np.random.default_rng(shuffle), np.random.default_rng(dropout)


def cosine_factor(step: int, total: int) -> float:
    """Share of the peak learning rate at minibatch ``step`` (0-based) of ``total``: from 1 down to near 0."""
    return 0.5 * (1.0 + math.cos(math.pi * step / total))


def scaled_step(optimizer, params: dict[str, np.ndarray], grads: dict[str, np.ndarray], factor: float) -> None:
    """Take ``optimizer.step(params, grads)`` with the update multiplied by ``factor``.

    Adam's update is ``lr`` times a quantity that does not depend on ``lr``,
    so scaling the update is scaling the learning rate, without having to
    know where a student's class keeps it.
    """
    before = {key: p.copy() for key, p in params.items()}
    optimizer.step(params, grads)
    if factor != 1.0:
        for key, p in params.items():
            p -= (1.0 - factor) * (p - before[key])  # p = before + factor * (p - before), in place


def evaluate(model: CNN, x: np.ndarray, y: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Loss, accuracy and predictions of ``model`` on images ``x`` (N, C, H, W) with labels ``y`` (N,)."""
    scores = model.scores(x)
    loss, _ = model.layers.softmax_cross_entropy(scores, y)
    predictions = np.argmax(scores, axis=1)
    return float(loss), float(np.mean(predictions == y)), predictions


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts (num_classes, num_classes): row = true class, column = predicted class."""
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def _check_finite(loss: float, epoch: int, batch: int, config: TrainConfig) -> None:
    if not math.isfinite(loss):
        raise CnnlabError(f"The loss became {loss} in epoch {epoch}, batch {batch}: training diverged. "
                          f"Try a smaller learning rate than --lr {config.lr}.")


def train_model(config: TrainConfig, layers: Layers, data: Dataset,
                progress: TrainProgress | None = None) -> TrainResult:
    """Train a fresh :class:`CNN` with Adam on ``data.x_train`` and evaluate it after every epoch.

    Parameters
    ----------
    config : TrainConfig
        Validated settings; ``config.seed`` fixes the weights, the order of the
        minibatches and the dropout masks, so a run repeats to the last digit.
    layers : Layers
    data : Dataset
    progress : TrainProgress, optional

    Returns
    -------
    TrainResult

    Raises
    ------
    CnnlabError
        If the loss stops being a finite number, or a layer function fails
        (:class:`autograder.training.layers.StudentCodeError`).
    """
    progress = progress or TrainProgress()
    init_rng, shuffle_rng, dropout_rng = seeded_generators(config.seed)
    clock = None if layers.origin == "reference" else LayerClock()  # the reference needs no comparing with itself
    model = CNN(clock.timed_layers(layers) if clock else layers, data.input_shape, config.channels, config.hidden,
                len(data.classes), config.dropout, rng=init_rng)
    optimizer = model.layers.Adam(lr=config.lr, weight_decay=config.weight_decay)
    probe = _PaceProbe(clock, model, layers, config, data, progress) if clock else None
    history = []
    start = time.perf_counter()
    try:
        with single_threaded_blas():
            for epoch in range(1, config.epochs + 1):
                metrics, predictions = _train_epoch(model, optimizer, config, data, epoch,
                                                    shuffle_rng, dropout_rng, progress, probe)
                history.append(metrics)
    finally:
        model.layers = layers  # the trained model runs untimed from here on (figures, evaluate)
    return TrainResult(model, history, predictions, time.perf_counter() - start)


class _PaceProbe:
    """Times :data:`PROBE_BATCHES` minibatches after the first and reports a :class:`PaceEstimate` to ``progress``.

    The first minibatch is left out: the first call of a NumPy function
    costs more than the others (caches, memory to map), and that would make
    any student's layers look slower than the reference's, which run after them.
    """

    def __init__(self, clock: LayerClock, model: CNN, layers: Layers, config: TrainConfig, data: Dataset,
                 progress: TrainProgress):
        self.clock, self.model, self.layers = clock, model, layers
        self.config, self.data, self.progress = config, data, progress
        self.batches: list[tuple[np.ndarray, np.ndarray]] = []
        per_epoch = math.ceil(len(data.x_train) / config.batch_size)
        self.warmup = 1 if per_epoch > 1 else 0
        self.wanted = min(PROBE_BATCHES, per_epoch - self.warmup)
        self.start = time.perf_counter()

    def after_batch(self, x: np.ndarray, y: np.ndarray) -> None:
        """Minibatch ``x`` (B, C, H, W) with labels ``y`` (B,) has been trained on."""
        if self.warmup:
            self.warmup = 0
            self.clock.seconds.clear()
            self.start = time.perf_counter()
            return
        if len(self.batches) >= self.wanted:
            return
        self.batches.append((x, y))
        if len(self.batches) == self.wanted:
            student = (time.perf_counter() - self.start, self.clock.copy())
            self.model.layers = self.layers  # measured: the rest of the run goes without the clock's overhead
            reference = rehearse_reference(self.model.params, self.config, self.data, self.batches)
            images = sum(len(y) for _, y in self.batches)
            self.progress.pace(estimate_run(student, reference, self.wanted, images, self.config.epochs,
                                            len(self.data.x_train), len(self.data.x_test)))


def rehearse_reference(params: dict[str, np.ndarray], config: TrainConfig, data: Dataset,
                       batches: list[tuple[np.ndarray, np.ndarray]]) -> tuple[float, LayerClock]:
    """Wall-clock seconds, and seconds per function, of cnnlab's reference layers on ``batches``.

    The reference is trusted and runs in this process, on a copy of
    ``params`` with its own optimizer and dropout generator, so the student's
    run is left exactly as it was.
    """
    from autograder.training.layers import load_reference_layers

    clock = LayerClock()
    model = CNN(clock.timed_layers(load_reference_layers()), data.input_shape, config.channels, config.hidden,
                len(data.classes), config.dropout)
    for key, value in params.items():
        model.params[key][...] = value
    optimizer = model.layers.Adam(lr=config.lr, weight_decay=config.weight_decay)
    rng = np.random.default_rng(0)
    for timed in (False, True):  # a first, untimed pass warms the reference up as the student's first batch did
        clock.seconds.clear()
        start = time.perf_counter()
        for x, y in batches if timed else batches[:1]:
            scores, caches = model.forward(x, train=True, rng=rng)
            _, dscores = model.layers.softmax_cross_entropy(scores, y)
            scaled_step(optimizer, model.params, model.backward(dscores, caches), 1.0)
    return time.perf_counter() - start, clock


def _train_epoch(model: CNN, optimizer, config: TrainConfig, data: Dataset, epoch: int,
                 shuffle_rng: np.random.Generator, dropout_rng: np.random.Generator,
                 progress: TrainProgress, probe: _PaceProbe | None = None) -> tuple[EpochMetrics, np.ndarray]:
    """One pass over the shuffled training set in minibatches, then the test set."""
    start = time.perf_counter()
    train_loss, train_accuracy = fit_epoch(model, optimizer, config, data, epoch, shuffle_rng, dropout_rng, progress,
                                           probe)
    test_loss, test_accuracy, predictions = evaluate(model, data.x_test, data.y_test)
    metrics = EpochMetrics(epoch, train_loss, train_accuracy, test_loss, test_accuracy, time.perf_counter() - start)
    progress.epoch_end(metrics)
    return metrics, predictions


def fit_epoch(model: CNN, optimizer, config: TrainConfig, data: Dataset, epoch: int,
              shuffle_rng: np.random.Generator, dropout_rng: np.random.Generator,
              progress: TrainProgress, probe: _PaceProbe | None = None) -> tuple[float, float]:
    """Epoch ``epoch`` (1-based) of training: one pass over the shuffled training set in
    minibatches, each a forward pass, a backward pass and an Adam step on the cosine schedule.
    ``probe``, if given, sees every minibatch once it is trained on.

    Returns
    -------
    loss, accuracy : float
        Means over the training images, as the weights were when each minibatch saw them.
    """
    n = len(data.x_train)
    batches = math.ceil(n / config.batch_size)
    total_steps = config.epochs * batches
    progress.epoch_start(epoch, config.epochs, batches)
    order = shuffle_rng.permutation(n)
    loss_sum, correct = 0.0, 0
    for b in range(batches):
        idx = order[b * config.batch_size:(b + 1) * config.batch_size]
        x, y = data.x_train[idx], data.y_train[idx]
        scores, caches = model.forward(x, train=True, rng=dropout_rng)
        loss, dscores = model.layers.softmax_cross_entropy(scores, y)
        _check_finite(float(loss), epoch, b + 1, config)
        factor = cosine_factor((epoch - 1) * batches + b, total_steps)
        scaled_step(optimizer, model.params, model.backward(dscores, caches), factor)
        loss_sum += float(loss) * len(idx)
        correct += int(np.sum(np.argmax(scores, axis=1) == y))
        seen = b * config.batch_size + len(idx)
        progress.batch_end(epoch, b + 1, loss_sum / seen, correct / seen)
        if probe is not None:
            probe.after_batch(x, y)
    return loss_sum / n, correct / n
