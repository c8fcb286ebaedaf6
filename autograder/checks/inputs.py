"""Input makers and shape cases that several exercises share.

An input maker is ``make(rng) -> dict`` of named program inputs; the helpers
here draw the values and shapes the makers of several exercises are built from.
Every draw is part of a stored answer's inputs or of a hidden check's spread of
seeds, so the order in which a helper draws from ``rng`` is part of its contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


def no_inputs(rng: np.random.Generator) -> dict:
    """No named inputs: for programs whose arguments are all literals."""
    return {}


def standard_normal(rng: np.random.Generator, shape) -> np.ndarray:
    """Values from the standard normal distribution."""
    return rng.standard_normal(shape)


def away_from_zero(rng: np.random.Generator, shape, low: float = 0.1, high: float = 2.0) -> np.ndarray:
    """Values in ±[low, high), both signs: nothing sits on a kink at 0 (ReLU's), nothing is tiny."""
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


def with_dout(make: Callable[[np.random.Generator], dict]) -> Callable[[np.random.Generator], dict]:
    """``make`` with ``dout`` added: standard normal, of the shape of its ``x``, drawn after it."""

    def inputs(rng: np.random.Generator) -> dict:
        data = make(rng)
        data["dout"] = rng.standard_normal(data["x"].shape)
        return data

    return inputs


def as_float32(make: Callable[[np.random.Generator], dict]) -> Callable[[np.random.Generator], dict]:
    """``make`` with every floating-point array it draws cast to float32 (labels and other integers stay)."""

    def inputs(rng: np.random.Generator) -> dict:
        return {key: value.astype(np.float32) if isinstance(value, np.ndarray) and value.dtype.kind == "f" else value
                for key, value in make(rng).items()}

    return inputs


def random_shape(rng: np.random.Generator, axes: tuple[int, int], sizes: tuple[int, int]) -> tuple[int, ...]:
    """A shape of ``axes[0]`` to ``axes[1] - 1`` axes, each ``sizes[0]`` to ``sizes[1] - 1`` long.

    The number of axes is drawn first, then the sizes.
    """
    ndim = int(rng.integers(*axes))
    return tuple(int(n) for n in rng.integers(*sizes, size=ndim))


def dense_shapes(rng: np.random.Generator, weight: str = "weight", bias: str = "bias") -> dict:
    """The parameter shapes of a dense layer: ``weight`` (rows, cols) and ``bias`` (cols,), each side 1 to 5."""
    rows, cols = (int(n) for n in rng.integers(1, 6, size=2))
    return {weight: (rows, cols), bias: (cols,)}


# --- sliding windows: convolution and pooling --------------------------------------------------------------------

def out_size(n: int, k: int, stride: int, pad: int = 0) -> int:
    """Output size along one axis of a window of size ``k`` sliding by ``stride`` over ``n`` + 2 ``pad``."""
    return (n + 2 * pad - k) // stride + 1


def size_formula(axis: str, window: str, padded: bool) -> str:
    """The output-size formula along ``axis``, in symbols: ``H' = (H + 2*pad - HH) // stride + 1``."""
    return f"{axis}' = ({axis}{' + 2*pad' if padded else ''} - {window}) // stride + 1"


def _worked(axis: str, window: str, n: int, k: int, stride: int, pad: int | None) -> str:
    """:func:`size_formula` followed by its numbers: ``... = (5 + 2*1 - 3) // 1 + 1 = 5``."""
    numbers = f"{n} + 2*{pad} - {k}" if pad is not None else f"{n} - {k}"
    size = out_size(n, k, stride, pad or 0)
    return f"{size_formula(axis, window, pad is not None)} = ({numbers}) // {stride} + 1 = {size}"


def size_hint(x, window, stride: int, pad: int | None = None, names=("HH", "WW")) -> str:
    """Both output sizes of a case worked out, for shape messages.

    Parameters
    ----------
    x : tuple
        Input shape (N, C, H, W).
    window : tuple
        Window shape (HH, WW).
    stride : int
    pad : int or None
        None for a layer without padding (pooling): the formula then has no pad term.
    names : tuple of str
        How the formula calls the window's height and width.
    """
    (_, _, H, W), (HH, WW) = x, window
    return f"{_worked('H', names[0], H, HH, stride, pad)}, and {_worked('W', names[1], W, WW, stride, pad)}"


@dataclass(frozen=True)
class Case:
    """One shape case of a layer that slides a window over an input of shape (N, C, H, W).

    A convolution case gives its kernel's shape ``w``, (F, C, HH, WW): its output
    has F channels and it draws x, w, b and dout. A pooling case gives the side
    ``pool`` of its square window instead: its output keeps the C channels and it
    draws x and dout.

    Parameters
    ----------
    x : tuple
        Input shape (N, C, H, W).
    w : tuple or None
        Kernel shape (F, C, HH, WW) of a convolution.
    pool : int or None
        Window side of a pooling.
    stride : int
    pad : int
        Zero padding on every side (convolutions only).
    values : callable
        ``values(rng, shape)`` draws x (standard normal by default).
    dtype : str
        The dtype of every array drawn.
    """

    x: tuple
    w: tuple | None = None
    pool: int | None = None
    stride: int = 1
    pad: int = 0
    values: Callable[[np.random.Generator, tuple], np.ndarray] = standard_normal
    dtype: str = "float64"

    def __post_init__(self):
        if (self.w is None) == (self.pool is None) or (self.pool is not None and self.pad):
            raise ValueError(f"Case: give a kernel shape w or a pool size (without pad), not w={self.w}, "
                             f"pool={self.pool}, pad={self.pad}")

    @property
    def window(self) -> tuple[int, int]:
        """(HH, WW)."""
        return tuple(self.w[2:]) if self.w else (self.pool, self.pool)

    @property
    def kwargs(self) -> dict:
        """The layer's keyword arguments."""
        if self.w:
            return {"stride": self.stride, "pad": self.pad}
        return {"pool_size": self.pool, "stride": self.stride}

    @property
    def out(self) -> tuple:
        """Output shape (N, F, H', W') of a convolution, (N, C, H', W') of a pooling."""
        (N, C, H, W), (HH, WW) = self.x, self.window
        channels = self.w[0] if self.w else C
        return N, channels, out_size(H, HH, self.stride, self.pad), out_size(W, WW, self.stride, self.pad)

    @property
    def hint(self) -> str:
        """Both output sizes worked out, for shape messages."""
        if self.w:
            return size_hint(self.x, self.window, self.stride, self.pad)
        return size_hint(self.x, self.window, self.stride, names=("pool_size", "pool_size"))

    def inputs(self, rng: np.random.Generator) -> dict:
        """x, then w and b (convolutions), then dout of the output's shape, in that order of draws."""
        draw = lambda shape: rng.standard_normal(shape).astype(self.dtype)  # noqa: E731
        data = {"x": self.values(rng, self.x).astype(self.dtype)}
        if self.w:
            data["w"], data["b"] = draw(self.w), draw(self.w[:1])
        data["dout"] = draw(self.out)
        return data
