"""Run folders: train and save a run, read it back, evaluate it, classify an image with it.

A run folder (``runs/<name>/``) holds:

- ``metrics.json``: the settings, the seed, whose layers, per-epoch loss and
  accuracy, the test accuracy and the times (schema below);
- ``weights.npz``: the parameters, under the names of :data:`autograder.training.model.PARAM_NAMES`;
- the figures of :mod:`autograder.training.plots` (unless turned off).

``metrics.json`` has ``version`` (1), ``status`` (``completed``), ``settings``
(every field of :class:`~autograder.training.train.TrainConfig`), ``seed``, ``impl``
(``student`` or ``reference``), ``layers`` (the folder of the layers, or
``reference``), ``data`` (``name``, ``input_shape``, ``classes``,
``train_size``, ``test_size``), ``epochs`` (one object per epoch: ``epoch``,
``train_loss``, ``train_accuracy``, ``test_loss``, ``test_accuracy``,
``seconds``), ``test_accuracy``, ``train_seconds``, ``total_seconds``,
``files``, ``created`` and ``cnnlab_version``.
"""

from __future__ import annotations

import json
import time
import zipfile
import zlib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from autograder import __version__
from autograder.training.data import Dataset, load_dataset, load_image
from autograder.errors import CnnlabError, UsageError
from autograder.training.layers import get_layers
from autograder.training.model import CNN
from autograder.training.nearest import Familiarity, familiarity
from autograder.training.train import (TrainConfig, TrainProgress, TrainResult, confusion_matrix, evaluate,
                              single_threaded_blas, train_model)

METRICS_VERSION = 1


def new_run_dir(runs: Path, name: str | None, data: str) -> Path:
    """``runs/<name>``; without a name, ``<data>-<date>-<time>`` (with ``-2``, ``-3``, ... if taken)."""
    if name is not None:
        if not name.strip() or Path(name).name != name or name in (".", ".."):
            raise UsageError(f"--name must be a plain folder name (no slashes), got '{name}'.")
        return runs / name
    base = f"{data}-{time.strftime('%Y%m%d-%H%M%S')}"
    candidate, n = runs / base, 1
    while candidate.exists():
        n += 1
        candidate = runs / f"{base}-{n}"
    return candidate


def save_run(run_dir: Path, config: TrainConfig, result: TrainResult, data: Dataset, impl: str,
             origin: str, started: float, plots: bool = True) -> list[str]:
    """Write ``weights.npz``, the figures (if ``plots``) and then ``metrics.json``; return the file names.

    ``started`` is the :func:`time.perf_counter` reading when the command
    began; ``total_seconds`` in ``metrics.json`` counts from it to the figures' end.
    """
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CnnlabError(f"Could not create the run folder {run_dir}: {error}.") from None
    np.savez(run_dir / "weights.npz", **result.model.params)
    files = ["metrics.json", "weights.npz"]
    if plots:
        from autograder.training import plots as figures  # matplotlib takes most of a second to import

        files += figures.save_all(run_dir, result.model, data, result.history, result.test_predictions)
    metrics = {
        "version": METRICS_VERSION,
        "status": "completed",
        "settings": {**asdict(config), "channels": list(config.channels)},
        "seed": config.seed,
        "impl": impl,
        "layers": origin,
        "data": {"name": data.name, "input_shape": list(data.input_shape), "classes": list(data.classes),
                 "train_size": len(data.x_train), "test_size": len(data.x_test)},
        "epochs": [asdict(m) for m in result.history],
        "test_accuracy": result.test_accuracy,
        "train_seconds": result.seconds,
        "total_seconds": time.perf_counter() - started,
        "files": files,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cnnlab_version": __version__,
    }
    (run_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return files


def refuse_to_overwrite(run_dir: Path) -> None:
    """Raise :class:`UsageError` if ``run_dir`` already holds a run, saying what it holds."""
    if not ((run_dir / "metrics.json").exists() or (run_dir / "weights.npz").exists()):
        return
    what = "a run"
    try:
        old = json.loads((run_dir / "metrics.json").read_text())
        what = f"a run of {len(old['epochs'])} epoch(s) with test accuracy {old['test_accuracy']:.1%}"
    except (OSError, ValueError, KeyError, TypeError):
        pass  # a damaged run is still a run: refuse all the same, only say less about it
    raise UsageError(f"{run_dir} already holds {what}. Choose another --name (or --out), "
                     "or add --force to replace it.")


@dataclass
class RunSummary:
    """What ``cnnlab train`` reports at the end."""

    run_dir: Path
    test_accuracy: float
    epochs: int
    train_seconds: float
    total_seconds: float
    files: list[str] = field(default_factory=list)


def run_training(config: TrainConfig, *, impl: str = "student", path: Path | None = None,
                 out: Path | None = None, name: str | None = None, runs: Path = Path("runs"),
                 plots: bool = True, progress: TrainProgress | None = None,
                 check: Callable | None = None, force: bool = False) -> RunSummary:
    """Everything ``cnnlab train`` does: validate, check the exercises, load, train, save.

    Parameters
    ----------
    config : TrainConfig
    impl : {'student', 'reference'}
    path : Path, optional
        The student's folder (default ``exercises/``).
    out : Path, optional
        The run folder itself; otherwise ``runs/<name>``.
    name : str, optional
        The run's name under ``runs``; default ``<data>-<date>-<time>``.
    plots : bool
        Draw the figures.
    progress : TrainProgress, optional
    check : callable, optional
        Replaces the grader in the check of the needed exercises (for tests).
    force : bool
        Replace a run already in the folder; without it that is a :class:`UsageError`.
    """
    start = time.perf_counter()
    progress = progress or TrainProgress()
    config.validate()
    if config.data_dir is not None:  # stored absolute, so evaluate works from any folder
        config = replace(config, data_dir=str(Path(config.data_dir).expanduser().resolve()))
    run_dir = Path(out) if out is not None else new_run_dir(Path(runs), name, config.data)
    if run_dir.exists() and not run_dir.is_dir():
        raise CnnlabError(f"{run_dir} is a file; the run needs a folder there.")
    if not force:
        refuse_to_overwrite(run_dir)
    if impl == "student":
        progress.stage("Checking the exercises the network needs (cnnlab check)...")
    layers = get_layers(impl, path, check)
    data = load_dataset(config.data, Path(config.data_dir) if config.data_dir else None)
    progress.stage(f"Training on {data.name}: {len(data.x_train)} training and {len(data.x_test)} test "
                   f"images of {data.input_shape[1]}x{data.input_shape[2]}, with "
                   f"{'the reference layers' if impl == 'reference' else 'your layers'}.")
    result = train_model(config, layers, data, progress)
    if plots:
        progress.stage("Drawing the figures...")
    files = save_run(run_dir, config, result, data, impl, layers.origin, start, plots)
    return RunSummary(run_dir, result.test_accuracy, config.epochs, result.seconds,
                      time.perf_counter() - start, files)


@dataclass
class SavedRun:
    """A run folder read back: its ``metrics.json`` and its model with the trained weights."""

    run_dir: Path
    metrics: dict
    config: TrainConfig
    model: CNN

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(self.metrics["data"]["classes"])


REQUIRED_FIELDS = ("version", "settings", "data", "impl")


def _require_fields(path: Path, metrics) -> None:
    """Raise :class:`CnnlabError` naming what ``metrics.json`` lacks, before anything reads a missing value."""
    if not isinstance(metrics, dict):
        raise CnnlabError(f"{path} holds a JSON {type(metrics).__name__}, not the object of fields cnnlab train "
                          "writes; it is damaged. Train the run again.")
    missing = [key for key in REQUIRED_FIELDS if key not in metrics]
    if missing:
        raise CnnlabError(f"{path} lacks the field{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                          f"that cnnlab train writes (it holds {len(metrics)} field(s)), so it is damaged or "
                          "was not written by cnnlab. Train the run again.")


def _read_metrics(run_dir: Path) -> dict:
    if not run_dir.exists():
        raise CnnlabError(f"There is no folder {run_dir}. cnnlab train prints the folder of each run "
                          "at its end; by default they are under runs/.")
    if not run_dir.is_dir():
        raise CnnlabError(f"{run_dir} is a file; give the run's folder (the one holding metrics.json).")
    path = run_dir / "metrics.json"
    if not path.is_file():
        raise CnnlabError(f"{run_dir} has no metrics.json, so it is not a finished cnnlab train run.")
    try:
        metrics = json.loads(path.read_text())
        _require_fields(path, metrics)
        if metrics.get("version") != METRICS_VERSION:
            raise CnnlabError(f"{path} has version {metrics.get('version')!r}; this cnnlab reads version "
                              f"{METRICS_VERSION}. Train again with this cnnlab.")
        settings = dict(metrics["settings"], channels=tuple(metrics["settings"]["channels"]))
        metrics["config"] = TrainConfig(**settings)
        metrics["data"]["input_shape"], metrics["data"]["classes"], metrics["impl"]
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise CnnlabError(f"{path} is damaged ({type(error).__name__}: {error}); train again.") from None
    return metrics


ZIP_MAGIC = b"PK\x03\x04"  # every .npz is a zip archive and starts with these bytes


def read_weights(path: Path) -> dict[str, np.ndarray]:
    """The arrays of a ``weights.npz``, read without ever unpickling anything.

    Raises
    ------
    CnnlabError
        If the file is not a NumPy archive of plain arrays; the message says
        the file is damaged and how to write it anew.
    """
    again = (f"It is damaged: train the run again to write it anew (cnnlab train --name {path.parent.name} "
             "--force replaces this run).")
    try:
        with open(path, "rb") as f:
            start = f.read(len(ZIP_MAGIC))
    except OSError as error:
        raise CnnlabError(f"Could not open {path}: {error.strerror}.") from None
    if start != ZIP_MAGIC:
        raise CnnlabError(f"{path} does not start like a NumPy .npz archive (a zip file), so it does not hold "
                          f"the weights cnnlab train saved. {again}")
    try:
        with np.load(path, allow_pickle=False) as weights:
            return {key: weights[key] for key in weights.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as error:
        # the reason is named by its kind only: NumPy's own wording may advise allow_pickle, which is unsafe
        raise CnnlabError(f"{path} is a zip archive, but its arrays cannot be read ({type(error).__name__}). "
                          f"{again}") from None


def open_run(run_dir: Path, impl: str | None = None, path: Path | None = None) -> SavedRun:
    """Read a run folder and rebuild its model.

    Parameters
    ----------
    run_dir : Path
    impl : {'student', 'reference'}, optional
        Whose layers run the model; default: the run's own. No checks are
        run first: evaluating only needs the forward passes.
    path : Path, optional
        The student's folder for ``impl='student'`` (default ``exercises/``).

    Raises
    ------
    CnnlabError
        If the folder, ``metrics.json`` or ``weights.npz`` is missing, damaged
        or does not fit the settings.
    """
    run_dir = Path(run_dir)
    metrics = _read_metrics(run_dir)
    config = metrics.pop("config")
    weights_path = run_dir / "weights.npz"
    if not weights_path.is_file():
        raise CnnlabError(f"{run_dir} has no weights.npz; train again.")
    stored = read_weights(weights_path)
    layers = get_layers(impl or metrics["impl"], path, gate=False)
    model = CNN(layers, metrics["data"]["input_shape"], config.channels, config.hidden,
                len(metrics["data"]["classes"]), config.dropout)
    for key, shape in model.param_shapes().items():
        if key not in stored or stored[key].shape != shape:
            found = stored[key].shape if key in stored else "nothing"
            raise CnnlabError(f"{weights_path} does not fit the settings in metrics.json: {key} should have "
                              f"shape {shape}, found {found}.")
        model.params[key][...] = stored[key]
    return SavedRun(run_dir, metrics, config, model)


@dataclass
class Evaluation:
    """A saved run measured on its test set."""

    accuracy: float
    loss: float
    correct: int
    total: int
    confusion: np.ndarray
    classes: tuple[str, ...]
    data: str


def evaluate_run(run_dir: Path, impl: str | None = None, path: Path | None = None,
                 data_dir: Path | None = None) -> Evaluation:
    """Reload a run and measure it on its dataset's test set.

    ``data_dir`` replaces the IDX folder stored in the run (if it moved).
    """
    run = open_run(run_dir, impl, path)
    folder = data_dir if data_dir is not None else run.config.data_dir
    data = load_dataset(run.config.data, Path(folder) if folder else None)
    if data.input_shape != run.model.input_shape:
        raise CnnlabError(f"The run was trained on images of shape {run.model.input_shape} but the test "
                          f"images in {folder} have shape {data.input_shape}.")
    with single_threaded_blas():
        loss, accuracy, predictions = evaluate(run.model, data.x_test, data.y_test)
    correct = int(np.sum(predictions == data.y_test))
    return Evaluation(accuracy, loss, correct, len(data.y_test),
                      confusion_matrix(data.y_test, predictions, len(data.classes)), data.classes, data.name)


@dataclass
class Prediction:
    """The class of one image, with every class's probability, and what the network was shown.

    Attributes
    ----------
    image : ndarray, shape (H, W)
        The prepared input, in [0, 1], as the network saw it.
    picture : Path or None
        Where that input was saved as a PNG, enlarged (None if it could not be written).
    familiarity : Familiarity or None
        Its distance to the training images (None if the dataset could not be loaded).
    """

    label: int
    name: str
    probabilities: np.ndarray
    classes: tuple[str, ...]
    image: np.ndarray
    picture: Path | None = None
    familiarity: Familiarity | None = None

    def top(self, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` most likely classes and their probabilities, most likely first."""
        order = np.argsort(-self.probabilities, kind="stable")[:k]
        return [(self.classes[i], float(self.probabilities[i])) for i in order]


PICTURE_SCALE = 20  # screen pixels per input pixel in predict-<image>.png


def save_picture(image: np.ndarray, path: Path) -> Path | None:
    """Save ``image`` (H, W) in [0, 1] as a grey PNG, each pixel a square of :data:`PICTURE_SCALE`; None if it fails."""
    from PIL import Image

    grey = Image.fromarray(np.round(255 * np.clip(image, 0, 1)).astype(np.uint8))
    big = grey.resize((image.shape[1] * PICTURE_SCALE, image.shape[0] * PICTURE_SCALE), Image.Resampling.NEAREST)
    try:
        big.save(path)
    except OSError:
        return None  # a read-only run folder: the prediction stands without its picture
    return path


def predict_image(run_dir: Path, image: Path, impl: str | None = None, path: Path | None = None) -> Prediction:
    """Classify one image file with a saved run, and show what the network saw.

    The image is prepared like the training data (:func:`autograder.training.data.load_image`),
    saved as ``<run>/predict-<image stem>.png`` and compared with the training
    images (:func:`autograder.training.nearest.familiarity`).
    """
    run = open_run(run_dir, impl, path)
    x = load_image(Path(image), run.model.input_shape[1:]).astype(run.model.dtype)  # (1, 1, H, W)
    probabilities = run.model.probabilities(x)[0]  # (num_classes,)
    label = int(np.argmax(probabilities))
    picture = save_picture(x[0, 0], run.run_dir / f"predict-{Path(image).stem}.png")
    try:
        data = load_dataset(run.config.data, Path(run.config.data_dir) if run.config.data_dir else None)
        known = familiarity(x[0], data) if data.input_shape == run.model.input_shape else None
    except CnnlabError:
        known = None  # the MNIST files moved: the prediction stands without the comparison
    return Prediction(label, run.classes[label], probabilities, run.classes, x[0, 0], picture, known)
