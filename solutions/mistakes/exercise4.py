"""Classic mistakes in exercise 4 (pooling), as models for the grader's diagnostics.

The backward models are written the way students write pooling, one window at
a time, since where an overwrite lands depends on the order of the windows.
Each comes with a forward that caches ``(x, pool_size, stride)``, so no model
depends on the layout of the reference's cache.
"""

import numpy as np

from solutions import pooling as ref


def _windows(x_shape, dout_shape, k, s):
    """``(n, c, i, j, rows, cols)`` for every window, in the order a four-deep loop visits them."""
    for n, c, i, j in np.ndindex(*dout_shape):
        yield n, c, i, j, slice(i * s, i * s + k), slice(j * s, j * s + k)


def max_forward_caching_input(x, pool_size=2, stride=2):
    out, _ = ref.max_pool_forward(x, pool_size, stride)
    return out, (x, pool_size, stride)


def avg_forward_caching_input(x, pool_size=2, stride=2):
    out, _ = ref.avg_pool_forward(x, pool_size, stride)
    return out, (x, pool_size, stride)


def first_max(window):
    mask = np.zeros(window.shape, dtype=bool)
    mask[np.unravel_index(np.argmax(window), window.shape)] = True
    return mask


def last_max(window):
    flat = window.ravel()
    mask = np.zeros(flat.shape, dtype=bool)
    mask[flat.size - 1 - np.argmax(flat[::-1])] = True
    return mask.reshape(window.shape)


def every_max(window):
    return window == window.max()


def max_backward(choose, how="add"):
    """A max-pool backward that sends each window's dout to ``choose(window)``.

    ``how``: ``add`` accumulates (right), ``point`` assigns to the chosen inputs,
    ``window`` assigns ``mask * dout`` to the whole window (both overwrite).
    """

    def backward(dout, cache):
        x, k, s = cache
        dx = np.zeros(x.shape, dtype=dout.dtype)
        for n, c, i, j, rows, cols in _windows(x.shape, dout.shape, k, s):
            mask = choose(x[n, c, rows, cols])  # (k, k)
            if how == "point":
                dx[n, c, rows, cols][mask] = dout[n, c, i, j]
            elif how == "window":
                dx[n, c, rows, cols] = mask * dout[n, c, i, j]
            else:
                dx[n, c, rows, cols] += mask * dout[n, c, i, j]
        return dx

    return backward


def avg_backward(divide_by, overwrite=False):
    """An avg-pool backward that gives every input ``dout / divide_by(k)``, adding or (wrongly) assigning."""

    def backward(dout, cache):
        x, k, s = cache
        dx = np.zeros(x.shape, dtype=dout.dtype)
        for n, c, i, j, rows, cols in _windows(x.shape, dout.shape, k, s):
            share = dout[n, c, i, j] / divide_by(k)
            if overwrite:
                dx[n, c, rows, cols] = share
            else:
                dx[n, c, rows, cols] += share
        return dx

    return backward


def forward_size_by_round(reduce):
    """A pooling forward, one window at a time, whose H' and W' come from round() instead of floor division:
    where the remainder is more than half the stride, one more row (or column) of windows is taken, cut short
    by the edge of x (what a plain loop over x[..., i*s:i*s+k, j*s:j*s+k] gives)."""

    def forward(x, pool_size=2, stride=2):
        N, C, H, W = x.shape
        H_out = round((H - pool_size) / stride + 1)
        W_out = round((W - pool_size) / stride + 1)
        out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
        for i in range(H_out):
            for j in range(W_out):
                window = x[:, :, i * stride:i * stride + pool_size, j * stride:j * stride + pool_size]
                out[:, :, i, j] = reduce(window, axis=(2, 3))
        return out, (x, pool_size, stride)

    return forward


def _max_model(backward):
    return ("pooling", {"max_pool_forward": max_forward_caching_input, "max_pool_backward": backward})


def _avg_model(backward):
    return ("pooling", {"avg_pool_forward": avg_forward_caching_input, "avg_pool_backward": backward})


MISTAKES = {
    "pool-max-overwrite": _max_model(max_backward(first_max, "point")),
    "pool-max-overwrite-window": _max_model(max_backward(first_max, "window")),
    "pool-max-ties-all": _max_model(max_backward(every_max)),
    "pool-max-ties-last": _max_model(max_backward(last_max)),
    "pool-avg-not-divided": _avg_model(avg_backward(lambda k: 1)),
    "pool-avg-divided-by-side": _avg_model(avg_backward(lambda k: k)),
    "pool-avg-overwrite": _avg_model(avg_backward(lambda k: k * k, overwrite=True)),
    "pool-output-size-round": ("pooling", {"max_pool_forward": forward_size_by_round(np.max),
                                           "avg_pool_forward": forward_size_by_round(np.mean)}),
}
