"""Make a photo or a drawing of one digit look like the images the network learnt from.

The 8x8 digits of scikit-learn (UCI's "optdigits") were made from 32x32
black-and-white bitmaps of digits written on forms, each cropped to its ink,
scaled to fill the 32x32 frame and centred; every 4x4 block was then counted
into 0..16 (the number of inked pixels in it). Measured on the training set
(``tests/training/test_prepare.py``): the ink of every image spans all 8 rows,
and most span columns 1 to 6, so the scaling keeps the aspect ratio and the
height fills the frame. The strokes are thick: on average 30% of the pixels
are ink (19.5 of 64 once counted).

:func:`as_digits` makes the same from a grey picture of any size, including
the stroke's thickness: a thin pen line shrunk to 32x32 would otherwise become
a few faint pixels the network never saw. MNIST-sized inputs get MNIST's own
recipe (:func:`as_mnist`): the digit in a 20x20 box centred in 28x28, in grey levels.
"""

from __future__ import annotations

import numpy as np

BITMAP = 32  # the side of optdigits' bitmaps; each 4x4 block becomes one of the 8x8 pixels
WORK = 64  # the side at which the strokes are measured and thickened: twice the bitmap's, for smooth edges
STROKE = 0.19  # the pen's width over the digit's height that gives drawn digits the training images' mean ink


def ink_mask(grey: np.ndarray) -> np.ndarray:
    """Which pixels are ink, in a picture of bright strokes on a background of 0.

    Parameters
    ----------
    grey : ndarray, shape (h, w), float in [0, 1]

    Returns
    -------
    ndarray of bool, shape (h, w)

    Notes
    -----
    The threshold is half the bright end of the picture (its 99.5th
    percentile among the non-zero pixels), so one hot pixel of noise does not decide it.
    """
    lit = grey[grey > 0]
    bright = np.percentile(lit, 99.5) if lit.size else 0.0
    return grey > 0.5 * bright


def crop(mask: np.ndarray) -> np.ndarray:
    """``mask`` (h, w) cut to the bounding box of its True pixels: (h', w')."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return mask[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def fit(image: np.ndarray, side: int) -> np.ndarray:
    """``image`` (h, w) scaled, keeping its aspect, so that its longer side is ``side``, then centred
    in a square (side, side) of zeros. Values are area averages (Pillow's box filter)."""
    from PIL import Image

    h, w = image.shape
    scale = side / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    small = np.asarray(Image.fromarray(image.astype(np.float32)).resize((new_w, new_h), Image.Resampling.BOX))
    square = np.zeros((side, side), dtype=np.float32)  # (side, side)
    top, left = (side - new_h) // 2, (side - new_w) // 2
    square[top:top + new_h, left:left + new_w] = small
    return square


def stroke_width(mask: np.ndarray) -> float:
    """The mean width of the strokes in ``mask`` (h, w), in pixels.

    A stroke of length L and width t covers about L*t pixels and has an
    outline about 2L long, so t = 2 * area / outline. The outline counts
    the edges between an ink pixel and a paper pixel along rows and columns.
    """
    padded = np.pad(mask, 1)
    outline = np.sum(padded[1:] != padded[:-1]) + np.sum(padded[:, 1:] != padded[:, :-1])
    return 2.0 * mask.sum() / max(outline, 1)


def _disk(radius: float) -> list[tuple[int, int]]:
    r = int(np.floor(radius))
    return [(dy, dx) for dy in range(-r, r + 1) for dx in range(-r, r + 1) if dy * dy + dx * dx <= radius * radius]


def dilate(mask: np.ndarray, radius: float) -> np.ndarray:
    """Every pixel within ``radius`` of an ink pixel of ``mask`` (h, w) becomes ink: (h + 2r, w + 2r), r = floor(radius)."""
    r = int(np.floor(radius))
    out = np.zeros((mask.shape[0] + 2 * r, mask.shape[1] + 2 * r), dtype=bool)
    for dy, dx in _disk(radius):
        out[r + dy:r + dy + mask.shape[0], r + dx:r + dx + mask.shape[1]] |= mask
    return out


def erode(mask: np.ndarray, radius: float) -> np.ndarray:
    """Only the ink pixels of ``mask`` (h, w) with ink all around them within ``radius`` stay: (h, w)."""
    r = int(np.floor(radius))
    padded = np.pad(mask, r)
    out = mask.copy()
    for dy, dx in _disk(radius):
        out &= padded[r + dy:r + dy + mask.shape[0], r + dx:r + dx + mask.shape[1]]
    return out


def even_strokes(mask: np.ndarray, width: float) -> np.ndarray:
    """``mask`` (h, w) with its strokes made about ``width`` pixels wide, cropped to the ink again: (h', w').

    Thin strokes are widened by a disk; thick ones are thinned as far as that
    leaves at least half of the ink (thinning further would break the strokes).
    """
    now = stroke_width(mask)
    if now < width:
        return crop(dilate(mask, (width - now) / 2))
    if now > 1.25 * width:
        thinner = erode(mask, (now - width) / 2)
        if thinner.sum() >= 0.5 * mask.sum():
            return crop(thinner)
    return mask


def as_digits(grey: np.ndarray) -> np.ndarray:
    """A picture of one digit as one of scikit-learn's 8x8 digits.

    Parameters
    ----------
    grey : ndarray, shape (h, w), float in [0, 1]
        Bright strokes on a background of 0 (inverted and levelled already).

    Returns
    -------
    ndarray, shape (8, 8), float32: multiples of 1/16 in [0, 1], the training data's scale (0..16 divided by 16)
    """
    ink = crop(ink_mask(grey))
    work = fit(ink.astype(np.float32), WORK) > 0.5  # (WORK, WORK): the ink, its longer side WORK pixels
    work = even_strokes(crop(work), STROKE * WORK)
    bitmap = fit(work.astype(np.float32), BITMAP) > 0.5  # (32, 32), black and white like optdigits' forms
    blocks = bitmap.reshape(8, BITMAP // 8, 8, BITMAP // 8)  # (8, 4, 8, 4): block row, row in it, block col, col
    return blocks.sum(axis=(1, 3)).astype(np.float32) / 16.0  # (8, 8): inked pixels of each block, 0..16, / 16


def as_mnist(grey: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A picture of one digit as an MNIST image of ``shape`` (H, W): the ink fitted into a box of 20/28
    of the frame, centred, in grey levels scaled so the brightest pixel is 1. Returns (H, W) float32."""
    from PIL import Image

    mask = ink_mask(grey)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    inked = grey[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]  # (h', w')
    side = int(round(max(inked.shape) * 28 / 20))  # MNIST: a 20x20 digit in a 28x28 frame
    square = np.zeros((side, side), dtype=np.float32)  # (side, side)
    top, left = (side - inked.shape[0]) // 2, (side - inked.shape[1]) // 2
    square[top:top + inked.shape[0], left:left + inked.shape[1]] = inked
    small = np.asarray(Image.fromarray(square).resize((shape[1], shape[0]), Image.Resampling.BOX), dtype=np.float32)
    return small / small.max()  # (H, W)
