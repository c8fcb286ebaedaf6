"""How far an image is from everything the network learnt from.

A network answers every input with some class, often with high confidence,
even for a letter or a scribble. The distance from an image to its nearest
training image (Euclidean, over the pixels scaled to [0, 1]) says whether it
is like anything the network has seen. What counts as far is calibrated on
the test set: no test image is farther from the training set than
:attr:`Familiarity.test_max`, so an image beyond it is unlike every image
the network was measured on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograder.training.data import Dataset

CALIBRATION_IMAGES = 500  # test images the threshold is measured on: all of the digits', a sample of MNIST's
REFERENCE_IMAGES = 6000  # training images searched: all of the digits', a tenth of MNIST's (a second, not ten)


@dataclass(frozen=True)
class Familiarity:
    """An image's distance to the training set, beside the test images' distances.

    Attributes
    ----------
    distance : float
        To the nearest training image.
    nearest_label : int
        That training image's class.
    test_median, test_max : float
        The median and the largest of the same distance over the test images (up
        to :data:`CALIBRATION_IMAGES` of them).
    calibrated_on : int
        How many test images that was.
    """

    distance: float
    nearest_label: int
    test_median: float
    test_max: float
    calibrated_on: int

    @property
    def far(self) -> bool:
        """Farther from the training set than every test image measured."""
        return self.distance > self.test_max


def nearest(x: np.ndarray, train: np.ndarray, chunk: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Distance from each row of ``x`` to its nearest row of ``train``, and that row's index.

    Parameters
    ----------
    x : ndarray, shape (N, D)
    train : ndarray, shape (M, D)
    chunk : int
        Rows of ``x`` per step, so the (chunk, M) table of distances stays small.

    Returns
    -------
    distances : ndarray, shape (N,), float64
    indices : ndarray, shape (N,), int

    Notes
    -----
    ``|a - b|^2 = |a|^2 - 2 a.b + |b|^2``: one matrix product per chunk. Rounding
    can make a tiny square negative, so it is clipped at zero before the root.
    """
    x, train = x.astype(np.float64), train.astype(np.float64)
    train_sq = np.sum(train ** 2, axis=1)  # (M,)
    distances, indices = np.empty(len(x)), np.empty(len(x), dtype=np.int64)
    for start in range(0, len(x), chunk):
        part = x[start:start + chunk]  # (n, D)
        squares = np.sum(part ** 2, axis=1)[:, None] - 2.0 * part @ train.T + train_sq[None, :]  # (n, M)
        best = np.argmin(squares, axis=1)  # (n,)
        indices[start:start + chunk] = best
        distances[start:start + chunk] = np.sqrt(np.maximum(squares[np.arange(len(part)), best], 0.0))
    return distances, indices


def _sample(n: int, most: int) -> np.ndarray:
    """Indices of at most ``most`` of ``n`` items: all of them, or a fixed sample (the same every time)."""
    return np.arange(n) if n <= most else np.sort(np.random.default_rng(0).choice(n, most, replace=False))


def familiarity(image: np.ndarray, data: Dataset) -> Familiarity:
    """How far ``image`` (C, H, W) lies from ``data``'s training images, against its test images.

    Large datasets are searched through fixed samples (:data:`REFERENCE_IMAGES`
    training and :data:`CALIBRATION_IMAGES` test images); the image and the
    test images are measured against the same sample, so they stay comparable.
    """
    kept = _sample(len(data.x_train), REFERENCE_IMAGES)
    train = data.x_train[kept].reshape(len(kept), -1)  # (M, C*H*W)
    test = data.x_test[_sample(len(data.x_test), CALIBRATION_IMAGES)]
    test_distances, _ = nearest(test.reshape(len(test), -1), train)
    distance, index = nearest(image.reshape(1, -1), train)  # (1,), (1,)
    return Familiarity(float(distance[0]), int(data.y_train[kept[index[0]]]), float(np.median(test_distances)),
                       float(test_distances.max()), len(test))
