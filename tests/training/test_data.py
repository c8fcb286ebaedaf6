"""The datasets of cnnlab train: the fixed digits split, IDX files (and every way they can be broken), one image."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from autograder.training.data import (FASHION_CLASSES, IDX_FILES, load_dataset, load_digits, load_image, read_idx,
                             stratified_split)
from autograder.errors import CnnlabError


# ---------------------------------------------------------------- digits

def test_digits_split_is_80_20_stratified_and_scaled():
    data = load_digits()
    assert data.x_train.shape == (1438, 1, 8, 8) and data.x_test.shape == (359, 1, 8, 8)
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    assert data.x_train.min() == 0.0 and data.x_train.max() == 1.0
    per_class = np.bincount(data.y_train, minlength=10) + np.bincount(data.y_test, minlength=10)
    share = np.bincount(data.y_test, minlength=10) / per_class
    np.testing.assert_allclose(share, 0.2, atol=0.01)


def test_digits_split_is_always_the_same():
    a, b = load_digits(), load_digits()
    np.testing.assert_array_equal(a.x_test, b.x_test)
    np.testing.assert_array_equal(a.y_train, b.y_train)


def test_digits_are_exactly_sklearns():
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    ours = load_digits()
    train, test = stratified_split(bunch.target, 0.2, 1797)
    np.testing.assert_array_equal(ours.x_test.reshape(-1, 64) * 16, bunch.data[test])
    np.testing.assert_array_equal(ours.y_train, bunch.target[train])


def test_stratified_split_is_a_partition():
    y = np.repeat(np.arange(3), [10, 20, 5])
    train, test = stratified_split(y, 0.2, seed=3)
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(35))
    assert np.bincount(y[test]).tolist() == [2, 4, 1]


def test_unknown_dataset_and_missing_data_dir():
    with pytest.raises(CnnlabError, match="no dataset called 'cifar'"):
        load_dataset("cifar")
    with pytest.raises(CnnlabError, match="--data-dir"):
        load_dataset("mnist")


# ---------------------------------------------------------------- IDX files

def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """An IDX file of unsigned bytes holding ``array``."""
    magic = 0x0800 + array.ndim if magic is None else magic
    return struct.pack(f">i{array.ndim}i", magic, *array.shape) + array.astype(np.uint8).tobytes()


def write_idx_folder(folder: Path, n_train=12, n_test=5, size=28, gz=True, seed=0) -> dict:
    """Four small IDX files like MNIST's; returns the arrays written."""
    rng = np.random.default_rng(seed)
    arrays = {"train_images": rng.integers(0, 256, (n_train, size, size)),
              "train_labels": np.arange(n_train) % 10,
              "test_images": rng.integers(0, 256, (n_test, size, size)),
              "test_labels": np.arange(n_test) % 10}
    folder.mkdir(parents=True, exist_ok=True)
    for role, array in arrays.items():
        blob = idx_bytes(array)
        if gz:
            (folder / f"{IDX_FILES[role]}.gz").write_bytes(gzip.compress(blob))
        else:
            (folder / IDX_FILES[role]).write_bytes(blob)
    return arrays


@pytest.mark.parametrize("gz", [True, False], ids=["gzipped", "raw"])
def test_idx_dataset_reads_gzipped_and_raw_files(tmp_path, gz):
    arrays = write_idx_folder(tmp_path, gz=gz)
    data = load_dataset("mnist", tmp_path)
    assert data.x_train.shape == (12, 1, 28, 28) and data.x_test.shape == (5, 1, 28, 28)
    np.testing.assert_allclose(data.x_train[:, 0] * 255, arrays["train_images"], atol=1e-4)
    np.testing.assert_array_equal(data.y_test, arrays["test_labels"])
    assert data.x_train.dtype == np.float32 and 0 <= data.x_train.min() and data.x_train.max() <= 1


def test_fashion_mnist_has_named_classes(tmp_path):
    write_idx_folder(tmp_path)
    assert load_dataset("fashion-mnist", tmp_path).classes == FASHION_CLASSES


def test_read_idx_roundtrip(tmp_path):
    images = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    (tmp_path / "f").write_bytes(idx_bytes(images))
    np.testing.assert_array_equal(read_idx(tmp_path / "f", 3), images)


def _overwrite(folder: Path, role: str, blob: bytes) -> Path:
    path = folder / f"{IDX_FILES[role]}.gz"
    path.write_bytes(gzip.compress(blob))
    return path


def _truncate_gzip(folder: Path) -> None:
    path = folder / f"{IDX_FILES['train_images']}.gz"
    path.write_bytes(path.read_bytes()[:-40])


# Each corruption: how to break the folder, which file the message must name, what it must say.
CORRUPTIONS = {
    "missing file": (lambda f: (f / f"{IDX_FILES['test_labels']}.gz").unlink(),
                     "t10k-labels-idx1-ubyte", "has no"),
    "truncated gzip": (_truncate_gzip, "train-images-idx3-ubyte.gz", "complete gzip"),
    "truncated data": (lambda f: _overwrite(f, "train_images", idx_bytes(np.zeros((12, 28, 28)))[:-100]),
                       "train-images-idx3-ubyte.gz", "truncated"),
    "truncated header": (lambda f: _overwrite(f, "train_labels", b"\x00\x00\x08\x01\x00"),
                         "train-labels-idx1-ubyte.gz", "truncated"),
    "too long": (lambda f: _overwrite(f, "test_labels", idx_bytes(np.zeros(5)) + b"\x00\x00"),
                 "t10k-labels-idx1-ubyte.gz", "longer than its header"),
    "bad magic": (lambda f: _overwrite(f, "train_images", idx_bytes(np.zeros((12, 28, 28)), magic=0x0D0B0A00)),
                  "train-images-idx3-ubyte.gz", "magic number"),
    "labels where images belong": (lambda f: _overwrite(f, "train_images", idx_bytes(np.zeros(12))),
                                   "train-images-idx3-ubyte.gz", "0x00000803"),
    "count mismatch": (lambda f: _overwrite(f, "train_labels", idx_bytes(np.zeros(11))),
                       "train-labels-idx1-ubyte.gz", "12 images but"),
    "label out of range": (lambda f: _overwrite(f, "test_labels", idx_bytes(np.array([0, 1, 2, 3, 10]))),
                           "t10k-labels-idx1-ubyte.gz", "label 10"),
    "sizes differ": (lambda f: _overwrite(f, "test_images", idx_bytes(np.zeros((5, 20, 20)))),
                     "20x20", "same dataset"),
}


@pytest.mark.parametrize("name", CORRUPTIONS)
def test_each_broken_idx_folder_gets_a_clear_error(tmp_path, name):
    write_idx_folder(tmp_path)
    corrupt, names, says = CORRUPTIONS[name]
    corrupt(tmp_path)
    with pytest.raises(CnnlabError) as info:
        load_dataset("mnist", tmp_path)
    assert names in str(info.value) and says in str(info.value), str(info.value)


def test_data_dir_must_be_a_folder(tmp_path):
    with pytest.raises(CnnlabError, match="not a folder"):
        load_dataset("mnist", tmp_path / "nowhere")


# ---------------------------------------------------------------- one image

def _digit(size=80) -> np.ndarray:
    """A bright '7' on black, like the training data, as an (size, size) array in [0, 1]."""
    img = np.zeros((size, size))
    img[10:16, 15:65] = 1.0
    for row in range(16, 75):
        col = 64 - (row - 16) // 2
        img[row, col - 5:col + 1] = 1.0
    return img


def _save(array: np.ndarray, path: Path, mode="L") -> Path:
    Image.fromarray((array * 255).astype(np.uint8)).convert(mode).save(path)
    return path


@pytest.mark.parametrize("shape", [(8, 8), (28, 28)])
def test_dark_on_light_is_inverted_to_match_light_on_dark(tmp_path, shape):
    bright = load_image(_save(_digit(), tmp_path / "bright.png"), shape)
    dark = load_image(_save(1 - _digit(), tmp_path / "dark.png", mode="RGB"), shape)
    assert bright.shape == (1, 1, *shape) and bright.dtype == np.float32
    np.testing.assert_allclose(dark, bright, atol=0.02)
    assert bright.max() == 1.0 and bright.min() >= 0
    assert bright[0, 0, -1, 0] == 0  # the background (bottom left of a 7) is black, as in training


def test_transparent_background_counts_as_paper(tmp_path):
    ink = _digit()
    rgba = np.zeros((*ink.shape, 4), dtype=np.uint8)
    rgba[..., 3] = (ink * 255).astype(np.uint8)  # black ink, transparent elsewhere
    Image.fromarray(rgba, "RGBA").save(tmp_path / "t.png")
    expected = load_image(_save(_digit(), tmp_path / "bright.png"), (8, 8))
    np.testing.assert_allclose(load_image(tmp_path / "t.png", (8, 8)), expected, atol=0.02)


def test_image_errors_name_the_file(tmp_path):
    with pytest.raises(CnnlabError, match="no image file"):
        load_image(tmp_path / "missing.png", (8, 8))
    (tmp_path / "notes.png").write_text("not a picture")
    with pytest.raises(CnnlabError, match="notes.png as an image"):
        load_image(tmp_path / "notes.png", (8, 8))
    with pytest.raises(CnnlabError, match="blank"):
        load_image(_save(np.ones((20, 20)), tmp_path / "white.png"), (8, 8))
