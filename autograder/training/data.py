"""The images ``cnnlab train`` learns from, and the one image ``cnnlab predict`` reads.

Three datasets, none of them downloaded:

- ``digits`` (the default): the 1,797 8x8 handwritten digits that ship inside
  scikit-learn, split once and for all into a stratified 80/20 train/test split.
- ``mnist`` and ``fashion-mnist``: the four standard IDX files (gzipped or raw)
  from a folder the user names with ``--data-dir``.

Every dataset comes back as float32 images of shape ``(N, 1, H, W)`` scaled to
[0, 1] (bright strokes on a dark background) and int64 labels in ``0..9``.
"""

from __future__ import annotations

import gzip
import importlib.util
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder.errors import CnnlabError
from autograder.training import prepare

DATASETS = ("digits", "mnist", "fashion-mnist")
SPLIT_SEED = 1797  # fixed forever: the digits split must not depend on --seed
TEST_FRACTION = 0.2
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
IDX_FILES = {  # role -> standard file name (each may also end in .gz)
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


@dataclass
class Dataset:
    """A train/test split of labelled images.

    Attributes
    ----------
    name : str
        One of :data:`DATASETS`.
    x_train, x_test : ndarray, shape (N, 1, H, W), float32 in [0, 1]
    y_train, y_test : ndarray, shape (N,), int64 in ``0..len(classes)-1``
    classes : tuple of str
        The name of each label, for plots and predictions.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: tuple[str, ...]

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """``(C, H, W)`` of one image."""
        return tuple(self.x_train.shape[1:])


def load_dataset(name: str = "digits", data_dir: Path | None = None) -> Dataset:
    """Load one of :data:`DATASETS`.

    Raises
    ------
    CnnlabError
        For an unknown name, a missing ``data_dir`` for the IDX datasets, or any
        problem with their files (the message names the file).
    """
    if name == "digits":
        return load_digits()
    if name in ("mnist", "fashion-mnist"):
        if data_dir is None:
            raise CnnlabError(f"--data {name} reads the four IDX files from a folder on your disk; "
                              f"name it with --data-dir DIR (cnnlab never downloads anything).")
        classes = FASHION_CLASSES if name == "fashion-mnist" else tuple(str(d) for d in range(10))
        return load_idx_dataset(Path(data_dir), name, classes)
    raise CnnlabError(f"There is no dataset called '{name}'. Choose one of: {', '.join(DATASETS)}.")


# ---------------------------------------------------------------- the 8x8 digits

def _digits_csv() -> Path | None:
    """scikit-learn's own copy of the digits, found without importing scikit-learn.

    ``import sklearn.datasets`` takes about two seconds, longer than training
    the network; the data is one small CSV inside the installed package, and
    :func:`sklearn.datasets.load_digits` reads exactly that file.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / "digits.csv.gz"
    return path if path.is_file() else None


def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """Pixels (1797, 64) with values 0..16 and labels (1797,), as load_digits returns them."""
    path = _digits_csv()
    if path is not None:
        table = np.loadtxt(path, delimiter=",", dtype=np.float32)  # (1797, 65): 64 pixels, then the label
        return table[:, :-1], table[:, -1].astype(np.int64)
    from sklearn.datasets import load_digits as sklearn_digits  # slow import; only if the file moved

    bunch = sklearn_digits()
    return bunch.data.astype(np.float32), bunch.target.astype(np.int64)


def stratified_split(y: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a train/test split that keeps each class's share.

    Parameters
    ----------
    y : ndarray, shape (N,)
        Integer labels.
    test_fraction : float
        Share of each class that goes to the test set (rounded per class).
    seed : int
        Seed of the shuffle inside each class.

    Returns
    -------
    train, test : ndarray of int, sorted
        Disjoint indices covering ``0..N-1``.
    """
    rng = np.random.default_rng(seed)
    test = []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        test.append(members[:round(test_fraction * len(members))])
    test = np.sort(np.concatenate(test))
    train = np.setdiff1d(np.arange(len(y)), test)
    return train, test


def load_digits() -> Dataset:
    """The 8x8 digits of scikit-learn, split 80/20 (stratified, always the same split)."""
    pixels, labels = _digits_arrays()
    images = (pixels / 16.0).reshape(-1, 1, 8, 8)  # (1797, 1, 8, 8), values 0..16 -> [0, 1]
    train, test = stratified_split(labels, TEST_FRACTION, SPLIT_SEED)
    return Dataset("digits", images[train], labels[train], images[test], labels[test],
                   tuple(str(d) for d in range(10)))


# ---------------------------------------------------------------- IDX files (MNIST)

def _find_idx(folder: Path, stem: str) -> Path:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    raise CnnlabError(f"{folder} has no {stem} (nor {stem}.gz). The MNIST-style datasets need the four "
                      f"standard IDX files there: {', '.join(IDX_FILES.values())}, each raw or gzipped. "
                      "cnnlab never downloads anything.")


def _read_bytes(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                return f.read()
        return path.read_bytes()
    except (OSError, EOFError, zlib.error) as error:
        raise CnnlabError(f"Could not read {path}: {error}. Is it a complete gzip file? "
                          "Download it again or unpack it by hand.") from None


def read_idx(path: Path, ndim: int) -> np.ndarray:
    """Read one IDX file of unsigned bytes (MNIST's format).

    Parameters
    ----------
    path : Path
        The file, raw or gzipped (``.gz``).
    ndim : int
        The number of dimensions it must have: 3 for images ``(N, H, W)``, 1 for labels ``(N,)``.

    Returns
    -------
    ndarray of uint8, shape (N, H, W) or (N,)

    Raises
    ------
    CnnlabError
        For a bad magic number, a wrong number of dimensions, or a size that does
        not match the header; the message names the file.

    Notes
    -----
    Layout: a 4-byte magic number ``0x0000 08 ndim`` (``0x08`` = unsigned byte),
    then ``ndim`` big-endian int32 sizes, then ``prod(sizes)`` bytes, row-major.
    """
    blob = _read_bytes(path)
    expected_magic = 0x00000800 + ndim
    kind = "an image file (N, H, W)" if ndim == 3 else "a label file (N,)"
    if len(blob) < 4:
        raise CnnlabError(f"{path} is truncated: it holds {len(blob)} bytes, not even an IDX header.")
    (magic,) = struct.unpack(">i", blob[:4])
    if magic != expected_magic:
        raise CnnlabError(f"{path} starts with magic number 0x{magic & 0xFFFFFFFF:08x}, but {kind} in IDX format "
                          f"starts with 0x{expected_magic:08x} (unsigned bytes, {ndim} dimension(s)). "
                          "Is it the right file, or still compressed under a name without .gz?")
    header = 4 + 4 * ndim
    if len(blob) < header:
        raise CnnlabError(f"{path} is truncated: its header needs {header} bytes but the file holds {len(blob)}.")
    sizes = struct.unpack(f">{ndim}i", blob[4:header])
    if any(s <= 0 for s in sizes):
        raise CnnlabError(f"{path} declares the sizes {sizes}; every size must be positive.")
    count = int(np.prod(sizes))
    if len(blob) - header != count:
        problem = "is truncated" if len(blob) - header < count else "is longer than its header says"
        raise CnnlabError(f"{path} {problem}: the header declares shape {sizes} ({count} bytes of data) "
                          f"but the file holds {len(blob) - header}.")
    return np.frombuffer(blob, dtype=np.uint8, offset=header).reshape(sizes)


def _images_and_labels(folder: Path, split: str, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    images_path = _find_idx(folder, IDX_FILES[f"{split}_images"])
    labels_path = _find_idx(folder, IDX_FILES[f"{split}_labels"])
    images, labels = read_idx(images_path, 3), read_idx(labels_path, 1)
    if len(images) != len(labels):
        raise CnnlabError(f"{images_path.name} holds {len(images)} images but {labels_path.name} holds "
                          f"{len(labels)} labels; they must match one to one.")
    if labels.max() >= n_classes:
        raise CnnlabError(f"{labels_path} has the label {int(labels.max())}, but labels must be "
                          f"0..{n_classes - 1}.")
    return images, labels


def load_idx_dataset(folder: Path, name: str, classes: tuple[str, ...]) -> Dataset:
    """MNIST or Fashion-MNIST from the four standard IDX files in ``folder``."""
    if not folder.is_dir():
        raise CnnlabError(f"--data-dir {folder} is not a folder; name the folder that holds the IDX files.")
    x_train, y_train = _images_and_labels(folder, "train", len(classes))
    x_test, y_test = _images_and_labels(folder, "test", len(classes))
    if x_train.shape[1:] != x_test.shape[1:]:
        raise CnnlabError(f"The training images are {x_train.shape[1]}x{x_train.shape[2]} but the test images "
                          f"are {x_test.shape[1]}x{x_test.shape[2]}; both files must come from the same dataset.")
    if min(x_train.shape[1:]) < 4:
        raise CnnlabError(f"The images in {folder} are {x_train.shape[1]}x{x_train.shape[2]}; "
                          "the network's two 2x2 poolings need at least 4x4.")

    def scale(images: np.ndarray) -> np.ndarray:
        return (images.astype(np.float32) / 255.0)[:, None]  # (N, H, W) -> (N, 1, H, W)

    return Dataset(name, scale(x_train), y_train.astype(np.int64), scale(x_test), y_test.astype(np.int64), classes)


# ---------------------------------------------------------------- one image for predict

def load_image(path: Path, shape: tuple[int, int]) -> np.ndarray:
    """Read an image file and make it look like the training data.

    Parameters
    ----------
    path : Path
        Any image Pillow reads (PNG, JPEG, ...); colour is turned to grey.
    shape : tuple (H, W)
        The network's input size.

    Returns
    -------
    ndarray, shape (1, 1, H, W), float32 in [0, 1]

    Raises
    ------
    CnnlabError
        If the file is missing, is not an image, or is blank.

    Notes
    -----
    The training images show bright strokes on black. A photo or drawing
    usually has dark ink on white, so when the border is brighter than
    mid-grey the image is inverted; the border's level becomes 0. Then
    :mod:`autograder.training.prepare` makes the 8x8 digits the way
    scikit-learn's were made (crop to the ink, fit into 32x32 keeping the
    aspect, count each 4x4 block), with strokes as thick as theirs; larger
    inputs get MNIST's recipe.
    """
    from PIL import Image, UnidentifiedImageError  # Pillow comes with matplotlib

    if not Path(path).is_file():
        raise CnnlabError(f"There is no image file {path}.")
    try:
        with Image.open(path) as img:
            img.load()
            if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
                white = Image.new("RGBA", img.size, "white")  # transparent = paper, not black ink
                img = Image.alpha_composite(white, img.convert("RGBA"))
            grey = np.asarray(img.convert("L"), dtype=np.float32) / 255.0  # (h, w)
    except (UnidentifiedImageError, OSError) as error:
        raise CnnlabError(f"Could not read {path} as an image: {error}.") from None
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    if np.median(border) > 0.5:  # dark ink on light paper -> bright strokes on black
        grey, border = 1.0 - grey, 1.0 - border
    grey = np.clip(grey - np.median(border), 0.0, None)  # the background becomes 0
    if grey.max() <= 0.05:
        raise CnnlabError(f"{path} looks blank: there is no stroke to classify.")
    if tuple(shape) == (8, 8):
        return prepare.as_digits(grey).reshape(1, 1, 8, 8)  # (1, 1, 8, 8)
    return prepare.as_mnist(grey, shape).reshape(1, 1, *shape)  # (1, 1, H, W)
