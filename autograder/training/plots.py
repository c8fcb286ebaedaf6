"""The figures of a training run, as PNG files in its folder.

- ``curves.png``: loss and accuracy per epoch, on the training and the test set;
- ``filters.png``: the first convolution's 3x3 filters;
- ``feature_maps.png``: one test image and what each convolution makes of it;
- ``confusion.png``: which classes the test images were mistaken for;
- ``misclassified.png``: the test images the network got wrong.

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot,
so no global state and no window), with the Agg renderer. Axes are placed at
fixed positions in inches rather than by a layout engine: constrained layout
draws every figure twice and made the figures a third slower, and drawing them
is a good part of the time ``cnnlab train`` takes. Many small images are one
``imshow`` of a mosaic (:func:`tile`) rather than one axes each, for the same reason.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from autograder.training.data import Dataset
from autograder.training.model import CNN
from autograder.training.train import confusion_matrix

DPI = 110
FILES = ("curves.png", "filters.png", "feature_maps.png", "confusion.png", "misclassified.png")


def save_all(run_dir: Path, model: CNN, data: Dataset, history, predictions: np.ndarray) -> list[str]:
    """Draw every figure into ``run_dir``; return their file names.

    Parameters
    ----------
    run_dir : Path
    model : CNN
        The trained model.
    data : Dataset
    history : list of EpochMetrics
    predictions : ndarray, shape (N_test,)
        The model's class for each test image.
    """
    run_dir = Path(run_dir)
    figures = {
        "curves.png": curves_figure(history),
        "filters.png": filters_figure(model.params["conv1_w"]),
        "feature_maps.png": feature_maps_figure(model, data, predictions),
        "confusion.png": confusion_figure(data.y_test, predictions, data.classes),
        "misclassified.png": misclassified_figure(data, predictions),
    }
    for name, fig in figures.items():
        fig.savefig(run_dir / name, dpi=DPI)
    return list(figures)


def _axes(fig: Figure, left: float, bottom: float, width: float, height: float):
    """An axes at a fixed place, given in inches from the figure's bottom-left corner."""
    W, H = fig.get_size_inches()
    return fig.add_axes((left / W, bottom / H, width / W, height / H))


def _title(fig: Figure, text: str, top: float, **kwargs) -> None:
    """A centred title whose top is ``top`` inches below the figure's top edge."""
    H = fig.get_size_inches()[1]
    fig.text(0.5, 1 - top / H, text, ha="center", va="top", fontsize=kwargs.pop("fontsize", 12), **kwargs)


def curves_figure(history) -> Figure:
    """Loss and accuracy per epoch, training (with dropout on) against test."""
    epochs = [m.epoch for m in history]
    fig = Figure(figsize=(9, 4.1))
    loss_ax, acc_ax = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.075, right=0.985, bottom=0.245, top=0.91, wspace=0.22)
    loss_ax.plot(epochs, [m.train_loss for m in history], "o-", label="training")
    loss_ax.plot(epochs, [m.test_loss for m in history], "s-", label="test")
    loss_ax.set(title="Loss (softmax cross-entropy)", xlabel="epoch", ylabel="mean loss")
    acc_ax.plot(epochs, [100 * m.train_accuracy for m in history], "o-", label="training")
    acc_ax.plot(epochs, [100 * m.test_accuracy for m in history], "s-", label="test")
    final = 100 * history[-1].test_accuracy
    acc_ax.set(title=f"Accuracy (final test: {final:.1f}%)", xlabel="epoch", ylabel="accuracy (%)")
    for ax in (loss_ax, acc_ax):
        ax.grid(alpha=0.3)
        ax.legend()
        ax.xaxis.get_major_locator().set_params(integer=True)
    fig.text(0.5, 0.015, CURVES_NOTE, ha="center", va="bottom", fontsize=8.5, color="0.3", wrap=True)
    return fig


# Checked on seeds 0-2 (tests/training/test_train.py): after epoch 1 the logged training accuracy is 60-64%,
# while the same weights in evaluation mode score 88-93% on the same training images and 87-93% on the test set.
CURVES_NOTE = ("Why the test curve can lie above the training curve early on: each training figure is a mean over "
               "the epoch's minibatches,\ntaken while the weights were still improving and with dropout on; each "
               "test figure is taken at the epoch's end, with dropout off.")


def tile(images: np.ndarray, cols: int, gap: tuple[int, int] = (1, 1)) -> np.ndarray:
    """Lay ``images`` (n, h, w) out on a grid of ``cols`` columns, NaN in the gaps.

    NaN shows as the colour map's "bad" colour (white here).

    Returns
    -------
    ndarray, shape (rows*(h+gy) - gy, cols*(w+gx) - gx), with ``(gy, gx) = gap``
    """
    n, h, w = images.shape
    gy, gx = gap
    rows = -(-n // cols)
    grid = np.full((rows * (h + gy) - gy, cols * (w + gx) - gx), np.nan)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        grid[r * (h + gy):r * (h + gy) + h, c * (w + gx):c * (w + gx) + w] = image
    return grid


def _cmap(name: str):
    from matplotlib import colormaps

    return colormaps[name].with_extremes(bad="white")


def _show_tiles(ax, images, cols, gap, cmap, vmin, vmax, labels=(), color="black", fontsize=9):
    """:func:`tile` ``images`` into ``ax``, with ``labels`` centred above the tiles."""
    ax.set_axis_off()
    image = ax.imshow(tile(images, cols, gap), cmap=_cmap(cmap), vmin=vmin, vmax=vmax,
                      interpolation="nearest", aspect="auto")
    (h, w), (gy, gx) = images.shape[1:], gap
    for i, label in enumerate(labels):
        r, c = divmod(i, cols)
        ax.text(c * (w + gx) + (w - 1) / 2, r * (h + gy) - 0.6, label, ha="center", va="bottom",
                fontsize=fontsize, color=color)
    return image


def _mosaic_height(images: np.ndarray, cols: int, gap: tuple[int, int], width: float) -> float:
    """Inches of height that keep pixels square when :func:`tile`'s grid is drawn ``width`` inches wide."""
    n, h, w = images.shape
    gy, gx = gap
    rows = -(-n // cols)
    return width * (rows * (h + gy) - gy) / (cols * (w + gx) - gx)


def filters_figure(weights: np.ndarray) -> Figure:
    """The first layer's filters ``weights`` (C1, C, 3, 3), input channel 0, on one shared colour scale.

    Red weights respond to bright pixels, blue ones to dark pixels; a filter
    with red above blue, say, detects a horizontal edge.
    """
    filters = weights[:, 0]  # (C1, 3, 3)
    cols, gap = min(len(filters), 8), (2, 1)
    limit = float(np.abs(filters).max()) or 1.0
    width = 1.15 * cols
    height = _mosaic_height(filters, cols, gap, width)
    band = max(height, 1.2)  # room for a readable colour bar
    fig = Figure(figsize=(width + 1.5, band + 1.15))
    ax = _axes(fig, 0.2, 0.15 + (band - height) / 2, width, height)
    image = _show_tiles(ax, filters, cols, gap, "RdBu_r", -limit, limit,
                        [f"filter {i + 1}" for i in range(len(filters))])
    fig.colorbar(image, cax=_axes(fig, width + 0.45, 0.15, 0.15, band), label="weight")
    _title(fig, "First convolution: its 3x3 filters\n"
                "(red: a bright pixel there excites the filter, blue: inhibits)", 0.1)
    return fig


def _example_index(y: np.ndarray, predictions: np.ndarray) -> int:
    """The first test image the model classifies correctly (else the first one)."""
    right = np.flatnonzero(predictions == y)
    return int(right[0]) if len(right) else 0


def feature_maps_figure(model: CNN, data: Dataset, predictions: np.ndarray) -> Figure:
    """One test image, then each conv layer's feature maps (after ReLU), one colour scale per layer."""
    i = _example_index(data.y_test, predictions)
    x = data.x_test[i:i + 1]  # (1, C, H, W)
    maps = [m[0] for m in model.feature_maps(x)]  # [(C1, H, W), (C2, H/2, W/2)]
    cols, width, image_side, title, labels = 8, 8.6, 1.8, 0.5, 0.22
    gaps = [(2 * max(1, m.shape[1] // 4), max(1, m.shape[1] // 4)) for m in maps]
    heights = [_mosaic_height(m, cols, g, width) for m, g in zip(maps, gaps)]
    fig = Figure(figsize=(width + 1.6, title + image_side + sum(title + labels + h for h in heights) + 0.15))
    H = fig.get_size_inches()[1]
    truth, guess = data.classes[data.y_test[i]], data.classes[predictions[i]]
    top = H - title - image_side
    ax = _axes(fig, 0.2 + (width - image_side) / 2, top, image_side, image_side)
    ax.imshow(x[0, 0], cmap="gray", vmin=0, vmax=1, interpolation="nearest", aspect="auto")
    ax.set_axis_off()
    _title(fig, f"Input: a test image of '{truth}' (the network says '{guess}')", 0.08)
    for layer, (fmaps, gap, height) in enumerate(zip(maps, gaps, heights), start=1):
        _title(fig, f"After convolution {layer} and ReLU: {len(fmaps)} feature maps of "
                    f"{fmaps.shape[1]}x{fmaps.shape[2]}", H - top + 0.18)
        top -= title + labels + height
        ax = _axes(fig, 0.2, top, width, height)
        image = _show_tiles(ax, fmaps, cols, gap, "magma", 0, float(fmaps.max()) or 1.0,
                            [str(c + 1) for c in range(len(fmaps))], fontsize=8)
        fig.colorbar(image, cax=_axes(fig, width + 0.45, top, 0.15, height), label="activation")
    return fig


def confusion_figure(y_true: np.ndarray, y_pred: np.ndarray, classes) -> Figure:
    """Counts of (true, predicted) pairs on the test set, each cell annotated."""
    k = len(classes)
    counts = confusion_matrix(y_true, y_pred, k)  # (k, k): row = true, column = predicted
    long_names = max(len(c) for c in classes) > 2
    left, bottom, side = (1.2, 1.25, 4.6) if long_names else (0.65, 0.6, 4.6)
    fig = Figure(figsize=(left + side + 1.3, bottom + side + 0.45))
    ax = _axes(fig, left, bottom, side, side)
    image = ax.imshow(counts, cmap="Blues", aspect="auto")
    threshold = counts.max() / 2
    for t in range(k):
        for p in range(k):
            if counts[t, p]:
                ax.text(p, t, str(counts[t, p]), ha="center", va="center", fontsize=9,
                        color="white" if counts[t, p] > threshold else "black")
    ax.set_xticks(range(k), classes, rotation=45 if long_names else 0, ha="right" if long_names else "center")
    ax.set_yticks(range(k), classes)
    accuracy = 100 * np.trace(counts) / max(counts.sum(), 1)
    ax.set(xlabel="predicted class", ylabel="true class",
           title=f"Confusion matrix: {counts.sum()} test images, {accuracy:.1f}% on the diagonal")
    fig.colorbar(image, cax=_axes(fig, left + side + 0.25, bottom + 0.1 * side, 0.15, 0.8 * side),
                 label="test images")
    return fig


def misclassified_figure(data: Dataset, predictions: np.ndarray, limit: int = 24) -> Figure:
    """Up to ``limit`` test images the network got wrong, each titled "true / predicted"."""
    wrong = np.flatnonzero(predictions != data.y_test)[:limit]
    total = int(np.sum(predictions != data.y_test))
    long_names = max(len(c) for c in data.classes) > 2  # Fashion-MNIST: two lines per title, fewer columns
    cols, width = (6 if long_names else 8), 10.4
    h, w = data.input_shape[1:]
    gap = (h * 3 // 4 if long_names else h // 2, w // 4 + 1)
    images = np.full((max(len(wrong), cols), h, w), np.nan)  # at least a full row: tiles as wide as usual
    images[:len(wrong)] = data.x_test[wrong, 0]
    height = _mosaic_height(images, cols, gap, width) if len(wrong) else 0.2
    head = 0.5 + (0.45 if long_names else 0.25)  # the title, then the labels of the first row
    fig = Figure(figsize=(width + 0.4, height + head + 0.1))
    ax = _axes(fig, 0.2, 0.1, width, height)
    ax.set_axis_off()
    if len(wrong):
        sep = " /\n" if long_names else " / "
        labels = [f"{data.classes[data.y_test[i]]}{sep}{data.classes[predictions[i]]}" for i in wrong]
        _show_tiles(ax, images, cols, gap, "gray", 0, 1, labels, color="firebrick", fontsize=10)
    if total == 0:
        _title(fig, "Every test image was classified correctly", 0.1)
    else:
        more = f", the first {len(wrong)} shown" if total > len(wrong) else ""
        _title(fig, f"Misclassified test images ({total} of {len(predictions)}{more}): true / predicted", 0.1)
    return fig
