"""The distance from an image to the training set, and the threshold calibrated on the test set."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.training.data import Dataset, load_digits
from autograder.training.nearest import CALIBRATION_IMAGES, REFERENCE_IMAGES, familiarity, nearest


def test_nearest_agrees_with_a_brute_force_search():
    rng = np.random.default_rng(3)
    x, train = rng.random((37, 64)), rng.random((300, 64))
    distances, indices = nearest(x, train, chunk=8)
    table = np.sqrt(((x[:, None, :] - train[None, :, :]) ** 2).sum(axis=2))  # (37, 300)
    np.testing.assert_array_equal(indices, table.argmin(axis=1))
    np.testing.assert_allclose(distances, table.min(axis=1), rtol=1e-10)


def test_a_training_image_is_at_distance_zero_and_a_blank_square_is_far():
    digits = load_digits()
    known = familiarity(digits.x_train[5], digits)
    assert known.distance == pytest.approx(0, abs=1e-6) and known.nearest_label == digits.y_train[5]
    assert not known.far and known.calibrated_on == len(digits.x_test)
    test_distances, _ = nearest(digits.x_test.reshape(len(digits.x_test), -1),
                                digits.x_train.reshape(len(digits.x_train), -1))
    assert known.test_max == pytest.approx(test_distances.max()) and known.test_median < known.test_max
    square = np.zeros((1, 8, 8), dtype=np.float32)
    square[:, 1:7, 1:7] = 1.0
    assert familiarity(square, digits).far


def test_a_large_dataset_is_sampled_the_same_way_every_time():
    rng = np.random.default_rng(0)
    n_train, n_test = REFERENCE_IMAGES + 300, CALIBRATION_IMAGES + 200
    data = Dataset("mnist", rng.random((n_train, 1, 4, 4)), np.arange(n_train) % 10,
                   rng.random((n_test, 1, 4, 4)), np.zeros(n_test, dtype=np.int64), tuple("0123456789"))
    a, b = familiarity(data.x_test[0], data), familiarity(data.x_test[0], data)
    assert a == b and a.calibrated_on == CALIBRATION_IMAGES
    image = data.x_train[-1]  # maybe in the sample, maybe not; the label must be its nearest's, either way
    known = familiarity(image, data)
    train = data.x_train.reshape(n_train, -1)
    distances = np.sqrt(((train - image.reshape(1, -1)) ** 2).sum(axis=1))  # (n_train,)
    assert known.distance >= distances.min() - 1e-9
    assert known.nearest_label == data.y_train[np.flatnonzero(np.isclose(distances, known.distance, atol=1e-6))[0]]
