"""The training loop: reproducible to the last digit, the same with a student's copy of the reference, honest errors."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from autograder.training.data import load_digits
from autograder.errors import CnnlabError, UsageError
from autograder.training.layers import Layers, load_reference_layers, load_student_layers
from autograder.training.train import (EpochMetrics, TrainConfig, TrainProgress, confusion_matrix, cosine_factor,
                              scaled_step, train_model)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def digits():
    return load_digits()


@pytest.fixture(scope="module")
def reference():
    return load_reference_layers()


def short(**changes) -> TrainConfig:
    return dataclasses.replace(TrainConfig(epochs=2), **changes)


def test_same_seed_same_run_to_the_last_digit(reference, digits):
    a = train_model(short(seed=7), reference, digits)
    b = train_model(short(seed=7), reference, digits)
    assert [dataclasses.replace(m, seconds=0) for m in a.history] == \
        [dataclasses.replace(m, seconds=0) for m in b.history]
    for name, value in a.model.params.items():
        np.testing.assert_array_equal(value, b.model.params[name])
    np.testing.assert_array_equal(a.test_predictions, b.test_predictions)


def test_another_seed_gives_another_run(reference, digits):
    a = train_model(short(epochs=1, seed=0), reference, digits)
    b = train_model(short(epochs=1, seed=1), reference, digits)
    assert not np.array_equal(a.model.params["conv1_w"], b.model.params["conv1_w"])


def test_student_copy_of_the_reference_trains_exactly_like_the_reference(reference, digits, tmp_path):
    for path in (ROOT / "solutions").glob("*.py"):
        shutil.copy(path, tmp_path / path.name)
    config = TrainConfig()  # the defaults: the full run cnnlab train makes
    theirs = train_model(config, reference, digits)
    ours = train_model(config, load_student_layers(tmp_path), digits)
    assert ours.test_accuracy == theirs.test_accuracy
    assert [m.train_loss for m in ours.history] == [m.train_loss for m in theirs.history]
    assert theirs.test_accuracy >= 0.98  # the target, with the default seed


LAYER_FUNCTIONS = tuple(f.name for f in dataclasses.fields(Layers) if f.name not in ("Adam", "origin"))


def watching_dtypes(layers: Layers) -> tuple[Layers, list]:
    """``layers`` whose every function, and Adam's step, records the dtype of each floating-point array it is given.

    Returns the watched layers and the list of ``(function name, dtype)`` they fill as they run.
    """
    seen = []

    def record(name, arrays):
        seen.extend((name, a.dtype) for a in arrays
                    if isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.floating))

    def watch(name):
        fn = getattr(layers, name)

        def call(*args, **kwargs):
            record(name, (*args, *kwargs.values()))
            return fn(*args, **kwargs)
        return call

    def adam(*args, **kwargs):
        optimizer = layers.Adam(*args, **kwargs)

        def step(params, grads):
            record("Adam.step", (*params.values(), *grads.values()))
            optimizer.step(params, grads)
        return SimpleNamespace(step=step)

    return dataclasses.replace(layers, **{name: watch(name) for name in LAYER_FUNCTIONS}, Adam=adam), seen


def test_training_runs_in_float32(reference, digits):
    """Every array the layers and the optimizer are handed while training is float32: the batches, the
    activations, the scores, the gradients. (The parameters alone prove nothing: Adam updates them in
    place, so they stay float32 even if everything flowing through the network is float64.)"""
    layers, seen = watching_dtypes(reference)
    result = train_model(short(epochs=1), layers, digits)
    assert {name for name, _ in seen} == {*LAYER_FUNCTIONS, "Adam.step"}  # the watch saw the whole network
    wrong = sorted({(name, str(dtype)) for name, dtype in seen if dtype != np.float32})
    assert not wrong, f"training handed these functions arrays that are not float32: {wrong}"
    assert all(p.dtype == np.float32 for p in result.model.params.values())


def test_progress_is_reported_per_batch_and_epoch(reference, digits):
    class Recorder(TrainProgress):
        def __init__(self):
            self.events = []

        def epoch_start(self, epoch, epochs, batches):
            self.events.append(("start", epoch, epochs, batches))

        def batch_end(self, epoch, batch, loss, accuracy):
            self.events.append(("batch", epoch, batch))

        def epoch_end(self, metrics):
            self.events.append(("end", metrics.epoch))

    recorder = Recorder()
    train_model(short(batch_size=500), reference, digits, recorder)
    assert recorder.events == [("start", 1, 2, 3), ("batch", 1, 1), ("batch", 1, 2), ("batch", 1, 3), ("end", 1),
                               ("start", 2, 2, 3), ("batch", 2, 1), ("batch", 2, 2), ("batch", 2, 3), ("end", 2)]


def test_metrics_are_plain_numbers(reference, digits):
    result = train_model(short(epochs=1), reference, digits)
    metrics = result.history[0]
    assert isinstance(metrics, EpochMetrics)
    for value in dataclasses.asdict(metrics).values():
        assert type(value) in (int, float)
    assert 0.5 < metrics.test_accuracy <= 1


def test_divergence_is_reported(reference, digits):
    def overflowing(scores, y):
        loss, dscores = reference.softmax_cross_entropy(scores, y)
        return float("inf"), dscores

    layers = dataclasses.replace(reference, softmax_cross_entropy=overflowing)
    with pytest.raises(CnnlabError, match="loss became inf in epoch 1, batch 1.*smaller learning rate"):
        train_model(short(), layers, digits)


def test_cosine_schedule_falls_from_one_to_near_zero():
    assert cosine_factor(0, 100) == 1.0
    assert cosine_factor(50, 100) == pytest.approx(0.5)
    assert 0 < cosine_factor(99, 100) < 0.001


def test_scaled_step_is_adam_with_a_scaled_learning_rate(rng):
    from solutions.optimizers import Adam

    params = {"w": rng.standard_normal((3, 4))}
    grads = [{"w": rng.standard_normal((3, 4))} for _ in range(3)]
    scaled, direct = {"w": params["w"].copy()}, {"w": params["w"].copy()}
    a, b = Adam(lr=0.1), Adam(lr=0.1)
    for g, factor in zip(grads, [1.0, 0.5, 0.25]):
        scaled_step(a, scaled, g, factor)
        b.lr = 0.1 * factor  # the reference keeps its learning rate in .lr
        b.step(direct, g)
    np.testing.assert_allclose(scaled["w"], direct["w"], rtol=1e-12)


def test_confusion_matrix_rows_are_true_classes():
    counts = confusion_matrix(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 1]), 3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [0, 1, 0]]


BAD_SETTINGS = [
    (dict(epochs=0), "--epochs must be between 1 and 1000, got 0"),
    (dict(batch_size=0), "--batch-size"),
    (dict(lr=-0.1), "--lr must be a number in (0, 1], got -0.1"),
    (dict(lr=float("nan")), "--lr"),
    (dict(weight_decay=-1.0), "--weight-decay"),
    (dict(channels=(8, 0)), "--channels"),
    (dict(hidden=0), "--hidden"),
    (dict(dropout=1.0), "--dropout is the probability of dropping a unit, in [0, 1); got 1.0"),
    (dict(seed=-1), "--seed"),
    (dict(data="cifar"), "--data must be one of digits, mnist, fashion-mnist"),
]


@pytest.mark.parametrize("changes, says", BAD_SETTINGS, ids=[next(iter(c)) for c, _ in BAD_SETTINGS])
def test_bad_settings_are_refused_with_their_value(changes, says):
    with pytest.raises(UsageError) as info:
        dataclasses.replace(TrainConfig(), **changes).validate()
    assert says in str(info.value)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_logged_training_accuracy_lags_the_weights_at_the_epochs_end(reference, digits, seed):
    """The claim printed under curves.png: early on the logged training accuracy (a mean over the epoch,
    dropout on) lies below what the epoch's final weights score on the same training images."""
    result = train_model(short(epochs=1, seed=seed), reference, digits)
    logged = result.history[0].train_accuracy
    at_the_end = float(np.mean(result.model.predict(digits.x_train) == digits.y_train))
    assert at_the_end > logged + 0.15
    assert at_the_end > result.history[0].test_accuracy - 0.05  # the gap is the averaging, not the data
