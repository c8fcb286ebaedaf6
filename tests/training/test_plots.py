"""The figures of a run: each one is drawn, titled and labelled, also in the corner cases."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.training.data import FASHION_CLASSES, Dataset, load_digits
from autograder.training.layers import load_reference_layers
from autograder.training.model import CNN
from autograder.training.plots import (FILES, confusion_figure, curves_figure, feature_maps_figure, filters_figure,
                              misclassified_figure, save_all, tile)
from autograder.training.train import EpochMetrics


@pytest.fixture(scope="module")
def digits():
    return load_digits()


@pytest.fixture(scope="module")
def model():
    return CNN(load_reference_layers(), rng=np.random.default_rng(0))


def history(epochs=3):
    return [EpochMetrics(e, 1 / e, 1 - 0.1 / e, 1.2 / e, 1 - 0.12 / e, 0.1) for e in range(1, epochs + 1)]


def texts(fig) -> str:
    """Every title, label and text of a figure, as one string."""
    parts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    return " ".join(p for p in parts if p)


def test_save_all_writes_every_png(tmp_path, model, digits):
    predictions = model.predict(digits.x_test)
    assert save_all(tmp_path, model, digits, history(), predictions) == list(FILES)
    from matplotlib.image import imread

    for name in FILES:
        height, width = imread(tmp_path / name).shape[:2]
        assert 200 < width < 2000 and 100 < height < 1500, name


def test_curves_are_labelled(tmp_path):
    fig = curves_figure(history())
    words = texts(fig)
    assert "Loss" in words and "Accuracy (final test: 96.0%)" in words and "epoch" in words
    assert "training" in words and "test" in words


def test_filters_share_one_symmetric_colour_scale(model):
    fig = filters_figure(model.params["conv1_w"])
    image = fig.axes[0].images[0]
    low, high = image.get_clim()
    assert low == -high == -np.abs(model.params["conv1_w"]).max()
    assert "filter 8" in texts(fig) and "weight" in texts(fig)


def test_feature_maps_show_both_convolutions(model, digits):
    fig = feature_maps_figure(model, digits, model.predict(digits.x_test))
    words = texts(fig)
    assert "8 feature maps of 8x8" in words and "16 feature maps of 4x4" in words and "Input" in words


def test_confusion_matrix_cells_are_annotated_and_long_names_fit():
    y = np.array([0, 1, 1, 9])
    fig = confusion_figure(y, np.array([0, 1, 2, 9]), FASHION_CLASSES)
    ax = fig.axes[0]
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1", "1", "1"]
    assert ax.get_xticklabels()[9].get_text() == "Ankle boot" and ax.get_xticklabels()[9].get_rotation() == 45
    assert "75.0% on the diagonal" in texts(fig)


def test_misclassified_titles_say_true_and_predicted(digits):
    predictions = digits.y_test.copy()
    predictions[[3, 10]] = (predictions[[3, 10]] + 1) % 10
    fig = misclassified_figure(digits, predictions)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels == [f"{digits.y_test[i]} / {predictions[i]}" for i in (3, 10)]
    assert "2 of 359" in texts(fig)


def test_nothing_misclassified_is_said_in_words(digits):
    fig = misclassified_figure(digits, digits.y_test.copy())
    assert "Every test image was classified correctly" in texts(fig)


def test_mnist_sized_figures(model):
    rng = np.random.default_rng(0)
    x = rng.random((12, 1, 28, 28)).astype(np.float32)
    data = Dataset("mnist", x, np.arange(12) % 10, x, np.arange(12) % 10, tuple("0123456789"))
    big = CNN(load_reference_layers(), (1, 28, 28), rng=rng)
    words = texts(feature_maps_figure(big, data, np.zeros(12, dtype=int)))
    assert "8 feature maps of 28x28" in words and "16 feature maps of 14x14" in words


def test_tile_lays_images_out_with_nan_gaps():
    grid = tile(np.ones((3, 2, 2)), cols=2, gap=(1, 1))
    assert grid.shape == (5, 5)
    assert np.isnan(grid[2]).all() and np.isnan(grid[:, 2]).all()
    assert np.isnan(grid[3:, 3:]).all() and grid[3:, :2].sum() == 4  # the third image, and an empty slot


def test_curves_say_why_test_accuracy_can_lie_above_training_accuracy():
    words = texts(curves_figure(history()))
    assert "mean over the epoch's minibatches" in words and "dropout on" in words and "dropout off" in words
