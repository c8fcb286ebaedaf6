"""Classic mistakes in exercise 2 (affine layer, losses, gradient checking), as models for the grader's diagnostics."""

import numpy as np


# --- linear: each backward comes with its own forward, so no model depends on the reference's cache ---

def _affine_forward(x, w, b):
    x_flat = x.reshape(x.shape[0], -1)  # (N, D)
    return x_flat @ w + b, (x, w)


def affine_backward_db_mean(dout, cache):
    x, w = cache
    x_flat = x.reshape(x.shape[0], -1)  # (N, D)
    return (dout @ w.T).reshape(x.shape), x_flat.T @ dout, dout.mean(axis=0)


def affine_backward_dx_flat(dout, cache):
    x, w = cache
    x_flat = x.reshape(x.shape[0], -1)  # (N, D)
    return dout @ w.T, x_flat.T @ dout, dout.sum(axis=0)  # dx stays (N, D)


def affine_backward_dw_transposed(dout, cache):
    x, w = cache
    x_flat = x.reshape(x.shape[0], -1)  # (N, D)
    return (dout @ w.T).reshape(x.shape), dout.T @ x_flat, dout.sum(axis=0)  # dw is (M, D)


# --- losses ---

def softmax_cross_entropy_summed(scores, y):
    rows = np.arange(scores.shape[0])
    shifted = scores - scores.max(axis=1, keepdims=True)  # (N, C)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (N, C)
    dscores = np.exp(log_probs)
    dscores[rows, y] -= 1
    return -float(np.sum(log_probs[rows, y])), dscores  # no division by N anywhere


def softmax_cross_entropy_naive(scores, y):
    rows, n = np.arange(scores.shape[0]), scores.shape[0]
    exp = np.exp(scores)  # overflows to inf for scores above ~709
    probs = exp / exp.sum(axis=1, keepdims=True)  # (N, C)
    loss = -float(np.mean(np.log(probs[rows, y])))
    dscores = probs.copy()
    dscores[rows, y] -= 1
    return loss, dscores / n


def softmax_cross_entropy_log_of_probs(scores, y):
    rows, n = np.arange(scores.shape[0]), scores.shape[0]
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))  # stable
    probs = exp / exp.sum(axis=1, keepdims=True)  # (N, C), may hold exact zeros
    loss = -float(np.mean(np.log(probs[rows, y])))  # log(0) = -inf
    dscores = probs.copy()
    dscores[rows, y] -= 1
    return loss, dscores / n


def mse_loss_batch_mean(pred, target):
    diff = pred - target
    n = pred.shape[0]
    return float(np.sum(diff ** 2) / n), 2 * diff / n


def mse_loss_no_factor_2(pred, target):
    diff = pred - target
    return float(np.mean(diff ** 2)), diff / diff.size


# --- gradcheck ---

def _one_sided(g, x, h):
    grad = np.zeros(x.shape)
    base = g(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        grad[idx] = (g(x) - base) / h
        x[idx] = old
    return grad


def _central(g, x, h):
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = g(x)
        x[idx] = old - h
        minus = g(x)
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def _not_restored(g, x, h):
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = g(x)
        x[idx] = old - h
        minus = g(x)  # and x[idx] is never put back
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def _weighted(f, dout):
    return lambda v: float(np.sum(np.asarray(f(v)) * dout))


def _scalar(f):
    return lambda v: float(f(v))


def _without_dout(f, x, h):
    """Centred differences of sum(f(x)): the upstream gradient dout left out."""
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        try:
            x[idx] = old + h
            plus = float(np.sum(f(x)))
            x[idx] = old - h
            minus = float(np.sum(f(x)))
        finally:
            x[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad


MISTAKES = {
    "affine-db-averaged": ("linear", {"affine_forward": _affine_forward, "affine_backward": affine_backward_db_mean}),
    "affine-dx-flattened": ("linear", {"affine_forward": _affine_forward, "affine_backward": affine_backward_dx_flat}),
    "affine-dw-transposed": ("linear", {"affine_forward": _affine_forward,
                                        "affine_backward": affine_backward_dw_transposed}),
    "ce-summed": ("losses", {"softmax_cross_entropy": softmax_cross_entropy_summed}),
    "ce-overflow": ("losses", {"softmax_cross_entropy": softmax_cross_entropy_naive}),
    "ce-log-underflow": ("losses", {"softmax_cross_entropy": softmax_cross_entropy_log_of_probs}),
    "mse-batch-mean": ("losses", {"mse_loss": mse_loss_batch_mean}),
    "mse-no-factor-2": ("losses", {"mse_loss": mse_loss_no_factor_2}),
    "numgrad-one-sided": ("gradcheck", {
        "numerical_gradient": lambda f, x, h=1e-5: _one_sided(_scalar(f), x, h),
        "numerical_gradient_array": lambda f, x, dout, h=1e-5: _one_sided(_weighted(f, dout), x, h)}),
    "numgrad-ignores-h": ("gradcheck", {
        "numerical_gradient": lambda f, x, h=1e-5: _central(_scalar(f), x, 1e-5),
        "numerical_gradient_array": lambda f, x, dout, h=1e-5: _central(_weighted(f, dout), x, 1e-5)}),
    "numgrad-x-not-restored": ("gradcheck", {
        "numerical_gradient": lambda f, x, h=1e-5: _not_restored(_scalar(f), x, h),
        "numerical_gradient_array": lambda f, x, dout, h=1e-5: _not_restored(_weighted(f, dout), x, h)}),
    "numgrad-array-no-dout": ("gradcheck", {
        "numerical_gradient_array": lambda f, x, dout, h=1e-5: _without_dout(f, x, h)}),
}

