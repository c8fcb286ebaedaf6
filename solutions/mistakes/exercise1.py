"""Classic mistakes in exercise 1 (activations), as models for the grader's diagnostics."""

import numpy as np


def _cache_input(fn):
    """A forward that caches its input, so the paired backward below is self-contained."""
    return lambda x, *args, **kwargs: (fn(x, *args, **kwargs), x)


def relu_backward_ge(dout, x):
    return dout * (x >= 0)


def relu_backward_no_dout(dout, x):
    return (x > 0).astype(dout.dtype)


def leaky_relu_backward_zero(dout, x, alpha=0.2):
    return dout * (x > 0)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax_naive(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True), None


def softmax_forward_cache_out(x):
    z = np.exp(x - x.max(axis=-1, keepdims=True))
    y = z / z.sum(axis=-1, keepdims=True)
    return y, y


def softmax_backward_diagonal(dout, y):
    return dout * y * (1 - y)


def relu_forward_in_place(x):
    """The output written into x itself: the caller's x loses its negative entries."""
    x[x < 0] = 0
    return x, x


def relu_backward_mask_into_cache(dout, x):
    """The mask written over the cached x, which is the caller's x itself."""
    x[x > 0] = 1
    x[x < 0] = 0
    return dout * x


MISTAKES = {
    "relu-grad-at-zero": ("activations", {"relu_forward": _cache_input(lambda x: np.maximum(x, 0)),
                                          "relu_backward": relu_backward_ge}),
    "relu-backward-no-dout": ("activations", {"relu_forward": _cache_input(lambda x: np.maximum(x, 0)),
                                              "relu_backward": relu_backward_no_dout}),
    "relu-forward-in-place": ("activations", {"relu_forward": relu_forward_in_place,
                                              "relu_backward": lambda dout, x: dout * (x > 0)}),
    "relu-backward-overwrites-cache": ("activations", {"relu_forward": _cache_input(lambda x: np.maximum(x, 0)),
                                                       "relu_backward": relu_backward_mask_into_cache}),
    "leaky-relu-backward-zero": ("activations", {
        "leaky_relu_forward": _cache_input(lambda x, alpha=0.01: np.where(x > 0, x, alpha * x)),
        "leaky_relu_backward": leaky_relu_backward_zero}),
    "sigmoid-backward-of-input": ("activations", {"sigmoid_forward": _cache_input(_sigmoid),
                                                  "sigmoid_backward": lambda dout, x: dout * x * (1 - x)}),
    "tanh-backward-of-input": ("activations", {"tanh_forward": _cache_input(np.tanh),
                                               "tanh_backward": lambda dout, x: dout * (1 - x ** 2)}),
    "softmax-overflow": ("activations", {"softmax_forward": softmax_naive}),
    "softmax-backward-diagonal": ("activations", {"softmax_forward": softmax_forward_cache_out,
                                                  "softmax_backward": softmax_backward_diagonal}),
}
