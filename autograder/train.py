"""Train the CNN, save a run, and load it back: the core behind ``cnnlab train``, ``evaluate`` and ``predict``.

Nothing here prints. :func:`train_model` reports its progress to a
:class:`TrainProgress` the caller passes in; the command line renders it with rich.

A run folder (``runs/<name>/``) holds:

- ``metrics.json``: the settings, the seed, whose layers, per-epoch loss and
  accuracy, the test accuracy and the time;
- ``weights.npz``: the parameters, under the names of :data:`autograder.model.PARAM_NAMES`;
- the figures of :mod:`autograder.plots` (unless turned off).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from autograder import __version__
from autograder.data import DATASETS, Dataset, load_dataset, load_image
from autograder.errors import CnnlabError, UsageError
from autograder.layers import Layers, load_reference_layers, load_student_layers, needed_exercises
from autograder.model import CNN, PARAM_NAMES

METRICS_VERSION = 1
IMPLS = ("student", "reference")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run; the same config and seed give the same run, digit for digit.

    The defaults reach about 98-99% test accuracy on the 8x8 digits in well
    under two seconds on a laptop.
    """

    epochs: int = 12
    batch_size: int = 32
    lr: float = 0.01
    channels: tuple[int, int] = (8, 16)
    hidden: int = 64
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

    def epoch_start(self, epoch: int, epochs: int, batches: int) -> None:
        """Epoch ``epoch`` (1-based) of ``epochs`` begins; it has ``batches`` minibatches."""

    def batch_end(self, epoch: int, batch: int, loss: float, accuracy: float) -> None:
        """Minibatch ``batch`` (1-based) is done; ``loss`` and ``accuracy`` are the epoch's running means."""

    def epoch_end(self, metrics: EpochMetrics) -> None:
        """The epoch is done and evaluated on the test set."""


# ---------------------------------------------------------------- the gate

def require_passing_checks(folder: Path, check: Callable | None = None) -> None:
    """Stop unless every exercise the network needs passes its checks.

    Parameters
    ----------
    folder : Path
        The student's modules.
    check : callable, optional
        ``check(exercise, folder) -> result`` with ``.passed``, ``.score``,
        ``.max_score`` and ``.status``; :func:`autograder.grader.run_check` by
        default (tests pass a fake).

    Raises
    ------
    CnnlabError
        Naming every exercise that does not pass yet and how to check it.
    """
    if check is None:
        from autograder.grader import run_check as check
    failing = []
    for exercise in needed_exercises():
        result = check(exercise, folder)
        if not result.passed:
            state = ("could not be graded" if result.status == "could-not-grade"
                     else f"{result.score}/{result.max_score} points")
            failing.append((exercise, state))
    if failing:
        listing = "; ".join(f"{ex.name} ({ex.title}): {state}" for ex, state in failing)
        first = failing[0][0].name
        raise CnnlabError(
            f"The network is built from your layers, and {len(failing)} of the exercises it needs "
            f"do not pass yet: {listing}. Run cnnlab check {first} to see what is wrong, then "
            "cnnlab train again. (To watch the network train with the reference layers: "
            "cnnlab train --impl reference.)")


def get_layers(impl: str, path: Path | None = None, check: Callable | None = None,
               gate: bool = True) -> Layers:
    """The layers for ``--impl``: the reference, or the student's after the gate (if ``gate``)."""
    if impl == "reference":
        return load_reference_layers()
    if impl != "student":
        raise UsageError(f"--impl must be student or reference, got '{impl}'.")
    from autograder.submission import resolve_submission

    folder = resolve_submission(path)
    if gate:
        require_passing_checks(folder, check)
    return load_student_layers(folder)


# ---------------------------------------------------------------- training

def seeded_generators(seed: int) -> tuple[np.random.Generator, np.random.Generator, np.random.Generator]:
    """Three independent generators from one seed: initial weights, shuffling, dropout masks."""
    init, shuffle, dropout = np.random.SeedSequence(seed).spawn(3)
    return np.random.default_rng(init), np.random.default_rng(shuffle), np.random.default_rng(dropout)


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
        (:class:`autograder.layers.StudentCodeError`).
    """
    progress = progress or TrainProgress()
    init_rng, shuffle_rng, dropout_rng = seeded_generators(config.seed)
    model = CNN(layers, data.input_shape, config.channels, config.hidden, len(data.classes),
                config.dropout, rng=init_rng)
    optimizer = layers.Adam(lr=config.lr)
    n = len(data.x_train)
    batches = math.ceil(n / config.batch_size)
    history = []
    start = time.perf_counter()
    for epoch in range(1, config.epochs + 1):
        epoch_start = time.perf_counter()
        progress.epoch_start(epoch, config.epochs, batches)
        order = shuffle_rng.permutation(n)
        loss_sum, correct = 0.0, 0
        for b in range(batches):
            idx = order[b * config.batch_size:(b + 1) * config.batch_size]
            x, y = data.x_train[idx], data.y_train[idx]
            scores, caches = model.forward(x, train=True, rng=dropout_rng)
            loss, dscores = layers.softmax_cross_entropy(scores, y)
            _check_finite(float(loss), epoch, b + 1, config)
            optimizer.step(model.params, model.backward(dscores, caches))
            loss_sum += float(loss) * len(idx)
            correct += int(np.sum(np.argmax(scores, axis=1) == y))
            seen = min((b + 1) * config.batch_size, n)
            progress.batch_end(epoch, b + 1, loss_sum / seen, correct / seen)
        test_loss, test_accuracy, predictions = evaluate(model, data.x_test, data.y_test)
        metrics = EpochMetrics(epoch, loss_sum / n, correct / n, test_loss, test_accuracy,
                               time.perf_counter() - epoch_start)
        history.append(metrics)
        progress.epoch_end(metrics)
    return TrainResult(model, history, predictions, time.perf_counter() - start)


# ---------------------------------------------------------------- run folders

def new_run_dir(runs: Path, name: str | None, data: str) -> Path:
    """``runs/<name>``; without a name, ``<data>-<date>-<time>`` (with ``-2``, ``-3``, ... if taken)."""
    if name is not None:
        if not name or Path(name).name != name or name in (".", ".."):
            raise UsageError(f"--name must be a plain folder name (no slashes), got '{name}'.")
        return runs / name
    base = f"{data}-{time.strftime('%Y%m%d-%H%M%S')}"
    candidate, n = runs / base, 1
    while candidate.exists():
        n += 1
        candidate = runs / f"{base}-{n}"
    return candidate


@dataclass
class RunSummary:
    """What ``cnnlab train`` reports at the end."""

    run_dir: Path
    test_accuracy: float
    train_seconds: float
    total_seconds: float
    files: list[str] = field(default_factory=list)


def save_run(run_dir: Path, config: TrainConfig, result: TrainResult, data: Dataset, impl: str,
             origin: str, total_seconds: float, plots: bool = True) -> list[str]:
    """Write ``metrics.json``, ``weights.npz`` and (if ``plots``) the figures; return the file names."""
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CnnlabError(f"Could not create the run folder {run_dir}: {error}.") from None
    model = result.model
    np.savez(run_dir / "weights.npz", **model.params)
    files = ["metrics.json", "weights.npz"]
    if plots:
        from autograder import plots as figures  # matplotlib is slow to import; only when drawing

        files += figures.save_all(run_dir, model, data, result.history, result.test_predictions)
    metrics = {
        "version": METRICS_VERSION,
        "cnnlab_version": __version__,
        "status": "completed",
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "settings": {**asdict(config), "channels": list(config.channels)},
        "seed": config.seed,
        "impl": impl,
        "layers": origin,
        "data": {"name": data.name, "input_shape": list(data.input_shape), "classes": list(data.classes),
                 "train_size": len(data.x_train), "test_size": len(data.x_test)},
        "epochs": [asdict(m) for m in result.history],
        "test_accuracy": result.test_accuracy,
        "train_seconds": result.seconds,
        "total_seconds": total_seconds,
        "files": files,
    }
    (run_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return files


def run_training(config: TrainConfig, *, impl: str = "student", path: Path | None = None,
                 out: Path | None = None, name: str | None = None, runs: Path = Path("runs"),
                 plots: bool = True, progress: TrainProgress | None = None,
                 check: Callable | None = None) -> RunSummary:
    """Everything ``cnnlab train`` does: validate, gate, load, train, save.

    ``out`` is the run folder itself; otherwise it is ``runs/<name>``. ``check``
    replaces the grader in the gate (for tests).
    """
    start = time.perf_counter()
    config.validate()
    layers = get_layers(impl, path, check)
    data = load_dataset(config.data, Path(config.data_dir) if config.data_dir else None)
    run_dir = Path(out) if out is not None else new_run_dir(Path(runs), name, config.data)
    if run_dir.exists() and not run_dir.is_dir():
        raise CnnlabError(f"{run_dir} is a file; the run needs a folder there.")
    result = train_model(config, layers, data, progress)
    files = save_run(run_dir, config, result, data, impl, layers.origin, time.perf_counter() - start, plots)
    return RunSummary(run_dir, result.test_accuracy, result.seconds, time.perf_counter() - start, files)


@dataclass
class SavedRun:
    """A run folder read back: its metrics.json and a model with its weights."""

    run_dir: Path
    metrics: dict
    config: TrainConfig
    model: CNN

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(self.metrics["data"]["classes"])


def _read_metrics(run_dir: Path) -> dict:
    if not run_dir.is_dir():
        raise CnnlabError(f"{run_dir} is not a run folder (it does not exist or is a file). "
                          "cnnlab train prints the folder of each run; they live under runs/.")
    path = run_dir / "metrics.json"
    if not path.is_file():
        raise CnnlabError(f"{run_dir} has no metrics.json, so it is not a finished cnnlab train run.")
    try:
        metrics = json.loads(path.read_text())
        metrics["settings"], metrics["data"]["input_shape"], metrics["data"]["classes"]
    except (ValueError, KeyError, TypeError) as error:
        raise CnnlabError(f"{path} is damaged ({type(error).__name__}: {error}); train again.") from None
    if metrics.get("version") != METRICS_VERSION:
        raise CnnlabError(f"{path} has version {metrics.get('version')!r}; this cnnlab reads version "
                          f"{METRICS_VERSION}. Train again with this cnnlab.")
    return metrics


def load_run(run_dir: Path, layers: Layers) -> SavedRun:
    """Read a run folder and rebuild its model on ``layers``.

    Raises
    ------
    CnnlabError
        If the folder, ``metrics.json`` or ``weights.npz`` is missing or does not fit.
    """
    run_dir = Path(run_dir)
    metrics = _read_metrics(run_dir)
    settings = dict(metrics["settings"], channels=tuple(metrics["settings"]["channels"]))
    config = TrainConfig(**settings)
    model = CNN(layers, metrics["data"]["input_shape"], config.channels, config.hidden,
                len(metrics["data"]["classes"]), config.dropout)
    weights_path = run_dir / "weights.npz"
    if not weights_path.is_file():
        raise CnnlabError(f"{run_dir} has no weights.npz; train again.")
    try:
        with np.load(weights_path) as weights:
            stored = {k: weights[k] for k in weights.files}
    except (OSError, ValueError) as error:
        raise CnnlabError(f"Could not read {weights_path}: {error}.") from None
    for key, shape in model.param_shapes().items():
        if key not in stored or stored[key].shape != shape:
            got = stored[key].shape if key in stored else "nothing"
            raise CnnlabError(f"{weights_path} does not fit the settings in metrics.json: {key} should have "
                              f"shape {shape}, found {got}.")
        model.params[key][...] = stored[key]
    return SavedRun(run_dir, metrics, config, model)


def layers_for_run(metrics_impl: str, impl: str | None, path: Path | None) -> Layers:
    """The layers to run a saved model on: ``impl`` if given, else the run's own (no gate: forward only)."""
    return get_layers(impl or metrics_impl, path, gate=False)


@dataclass
class Evaluation:
    """Test accuracy and confusion matrix of a saved run."""

    accuracy: float
    loss: float
    confusion: np.ndarray
    classes: tuple[str, ...]


def evaluate_run(run_dir: Path, impl: str | None = None, path: Path | None = None,
                 data_dir: Path | None = None) -> Evaluation:
    """Reload a run and measure it on its dataset's test set (``data_dir`` overrides the stored folder)."""
    metrics = _read_metrics(Path(run_dir))
    run = load_run(run_dir, layers_for_run(metrics["impl"], impl, path))
    folder = data_dir if data_dir is not None else run.config.data_dir
    data = load_dataset(run.config.data, Path(folder) if folder else None)
    if data.input_shape != run.model.input_shape:
        raise CnnlabError(f"The run was trained on images of shape {run.model.input_shape} but the test "
                          f"images are {data.input_shape}.")
    loss, accuracy, predictions = evaluate(run.model, data.x_test, data.y_test)
    return Evaluation(accuracy, loss, confusion_matrix(data.y_test, predictions, len(data.classes)), data.classes)


@dataclass
class Prediction:
    """The class of one image, with every class's probability."""

    label: int
    name: str
    probabilities: np.ndarray
    classes: tuple[str, ...]
    image: np.ndarray

    def top(self, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` most likely classes and their probabilities, most likely first."""
        order = np.argsort(-self.probabilities, kind="stable")[:k]
        return [(self.classes[i], float(self.probabilities[i])) for i in order]


def predict_image(run_dir: Path, image: Path, impl: str | None = None, path: Path | None = None) -> Prediction:
    """Classify one image file with a saved run."""
    metrics = _read_metrics(Path(run_dir))
    run = load_run(run_dir, layers_for_run(metrics["impl"], impl, path))
    x = load_image(Path(image), run.model.input_shape[1:]).astype(run.model.dtype)  # (1, 1, H, W)
    probabilities = run.model.probabilities(x)[0]
    label = int(np.argmax(probabilities))
    return Prediction(label, run.classes[label], probabilities, run.classes, x[0, 0])
