"""Timing the first minibatches: the run's expected duration, and the layer function that makes it slow."""

from __future__ import annotations

import dataclasses
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.training.data import Dataset, load_digits
from autograder.training.layers import load_reference_layers, load_student_layers
from autograder.training.pace import (FUNCTIONS, PROBE_BATCHES, STEP, LayerClock, PaceEstimate, estimate_run,
                                      run_seconds)
from autograder.training.train import TrainConfig, TrainProgress, train_model

ROOT = Path(__file__).resolve().parents[2]
NAIVE = ROOT / "tests" / "fixtures" / "submissions"


def clock_of(seconds: dict[str, float]) -> LayerClock:
    clock = LayerClock()
    clock.seconds.update(seconds)
    return clock


def submission(folder: Path, *naive: str) -> Path:
    """The reference modules in ``folder``, with the loop-written modules of the fixtures ``naive`` in their place."""
    for path in (ROOT / "solutions").glob("*.py"):
        shutil.copy(path, folder / path.name)
    for fixture in naive:
        for path in (NAIVE / fixture).glob("*.py"):
            shutil.copy(path, folder / path.name)
    return folder


class Stop(Exception):
    pass


class Recorder(TrainProgress):
    """Keeps the estimate, and stops the run there unless ``go_on``."""

    def __init__(self, go_on: bool = False):
        self.estimates, self.go_on, self.batches = [], go_on, 0

    def batch_end(self, epoch, batch, loss, accuracy):
        self.batches += 1

    def pace(self, estimate):
        self.estimates.append((self.batches, estimate))
        if not self.go_on:
            raise Stop


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_run_seconds_counts_training_and_the_forward_pass_on_the_test_set():
    clock = clock_of({"conv_forward": 0.3, "conv_backward": 0.5, "relu_forward": 0.1, "Adam.step": 0.1})
    # 0.2 s for 64 images; forward share (0.3 + 0.1) / 1.0; 3 epochs of 640 training and 100 test images
    expected = 3 * (0.2 / 64) * (640 + 100 * 0.4)
    assert run_seconds(0.2, clock, 64, 3, 640, 100) == pytest.approx(expected)


def test_a_run_far_slower_than_the_reference_names_the_functions_that_make_it_so():
    student = clock_of({"conv_forward": 0.9, "conv_backward": 1.5, "relu_forward": 0.006, "max_pool_forward": 0.02})
    reference = clock_of({"conv_forward": 0.003, "conv_backward": 0.003, "relu_forward": 0.001,
                          "max_pool_forward": 0.002})
    estimate = estimate_run((2.5, student), (0.012, reference), 3, 96, 12, 1437, 360)
    assert estimate.slow and estimate.slow_functions == ("conv_backward", "conv_forward")
    assert estimate.functions["conv_forward"] == pytest.approx((0.3, 0.001))
    assert estimate.seconds / estimate.reference_seconds == pytest.approx(
        (2.5 * (1437 + 360 * 0.926 / 2.426)) / (0.012 * (1437 + 360 * 0.006 / 0.009)))


@pytest.mark.parametrize("student_wall, reference_wall, slow", [
    (0.02, 0.004, False),  # five times slower, but 4.5 s against 0.9 s: not worth a word
    (0.4, 0.1, False),     # four times slower: within what another machine or a busy one gives
    (0.5, 0.01, True),     # fifty times slower, a minute more
])
def test_only_a_run_both_far_slower_and_seconds_longer_is_slow(student_wall, reference_wall, slow):
    clock = clock_of({"conv_forward": 1.0})
    estimate = estimate_run((student_wall, clock), (reference_wall, clock), 3, 96, 12, 1437, 360)
    assert estimate.slow is slow


def test_the_clock_adds_up_each_functions_time(digits):
    clock = LayerClock()
    slow_relu = dataclasses.replace(load_reference_layers(),
                                    relu_forward=lambda x: (time.sleep(0.01), (np.maximum(x, 0), x))[1])
    timed = clock.timed_layers(slow_relu)
    for _ in range(3):
        timed.relu_forward(digits.x_test[:4])
    optimizer = timed.Adam(lr=0.01)
    optimizer.step({"w": np.ones(3)}, {"w": np.ones(3)})
    assert 0.03 <= clock.seconds["relu_forward"] < 0.5
    assert set(clock.seconds) == {"relu_forward", STEP}
    snapshot = clock.copy()
    timed.relu_forward(digits.x_test[:4])
    assert snapshot.seconds["relu_forward"] < clock.seconds["relu_forward"]


def test_loop_written_convolution_and_pooling_are_caught_after_the_first_minibatches(digits, tmp_path):
    layers = load_student_layers(submission(tmp_path, "ex3_naive_loops", "ex4_naive_loops"))
    progress = Recorder()
    with pytest.raises(Stop):
        train_model(TrainConfig(epochs=12), layers, digits, progress)
    [(batches, estimate)] = progress.estimates
    assert batches == 1 + PROBE_BATCHES and estimate.batches == PROBE_BATCHES  # after one to warm up
    assert estimate.slow and estimate.seconds > 20 * estimate.reference_seconds
    assert {"conv_forward", "conv_backward"} <= set(estimate.slow_functions)
    assert set(estimate.slow_functions) <= {"conv_forward", "conv_backward", "max_pool_forward", "max_pool_backward"}
    assert set(estimate.functions) == {*FUNCTIONS, STEP}


def test_a_student_copy_of_the_reference_is_not_slow_and_trains_unchanged(digits, tmp_path):
    layers = load_student_layers(submission(tmp_path))
    progress = Recorder(go_on=True)
    small = Dataset("digits", digits.x_train[:320], digits.y_train[:320], digits.x_test, digits.y_test, digits.classes)
    ours = train_model(TrainConfig(epochs=2), layers, small, progress)
    theirs = train_model(TrainConfig(epochs=2), load_reference_layers(), small, Recorder())
    [(_, estimate)] = progress.estimates
    assert not estimate.slow and estimate.slow_functions == ()
    assert [m.train_loss for m in ours.history] == [m.train_loss for m in theirs.history]
    assert ours.model.layers is layers  # the trained model is handed back untimed


def test_the_reference_itself_is_not_timed(digits):
    progress = Recorder()
    small = Dataset("digits", digits.x_train[:64], digits.y_train[:64], digits.x_test[:10], digits.y_test[:10],
                    digits.classes)
    train_model(TrainConfig(epochs=1), load_reference_layers(), small, progress)
    assert progress.estimates == []


def test_a_tiny_training_set_is_probed_on_the_minibatches_it_has(digits, tmp_path):
    layers = load_student_layers(submission(tmp_path))
    progress = Recorder(go_on=True)
    small = Dataset("digits", digits.x_train[:40], digits.y_train[:40], digits.x_test[:10], digits.y_test[:10],
                    digits.classes)
    train_model(TrainConfig(epochs=3), layers, small, progress)
    [(batches, estimate)] = progress.estimates
    assert batches == 2 and isinstance(estimate, PaceEstimate) and estimate.batches == 1
