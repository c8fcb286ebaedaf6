"""What cnnlab train, evaluate and predict print: the pace warning and its vectorising hints, checked by carrying them out."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from rich.console import Console

from autograder.report.training import VECTORISE, TrainingBars, duration, pace_lines
from autograder.training.pace import FUNCTIONS, STEP, PaceEstimate
from solutions.convolution import conv_backward, conv_forward
from solutions.linear import affine_backward, affine_forward
from solutions.losses import softmax_cross_entropy
from solutions.pooling import max_pool_backward, max_pool_forward

SLOW = PaceEstimate(seconds=173.0, reference_seconds=4.6,
                    functions={"conv_backward": (0.2, 0.001), "conv_forward": (0.1, 0.0008), "relu_forward": (1e-4, 1e-4)},
                    slow_functions=("conv_backward", "conv_forward"), batches=3)


def printed(progress_call) -> str:
    console = Console(record=True, width=100)
    progress_call(TrainingBars(console))
    return " ".join(console.export_text().split())


def test_a_slow_run_is_announced_with_its_culprits_and_how_to_vectorise_them():
    text = printed(lambda bars: bars.pace(SLOW))
    assert "this run will take about 2 min 53 s" in text and "about 4.6 s (38x)" in text
    assert "conv_backward 200.0 ms a minibatch (reference 1.00 ms, 200x slower)" in text
    assert "conv_forward 100.0 ms a minibatch (reference 0.80 ms, 125x slower)" in text
    assert "sliding_window_view" in text and "np.einsum" in text and "relu_forward" not in text
    assert "costs no points" in text


def test_a_normal_pace_says_nothing_and_a_long_normal_run_says_how_long():
    quick = PaceEstimate(5.0, 4.6, {"conv_forward": (0.001, 0.001)}, (), 3)
    assert printed(lambda bars: bars.pace(quick)) == ""
    long = PaceEstimate(600.0, 590.0, {"conv_forward": (0.1, 0.1)}, (), 3)
    assert printed(lambda bars: bars.pace(long)) == "This run will take about 10 min 0 s."


@pytest.mark.parametrize("seconds, text", [(4.56, "4.6 s"), (42.4, "42 s"), (173.0, "2 min 53 s"),
                                           (3 * 3600 + 120, "3 h 2 min")])
def test_durations_read_like_a_person_says_them(seconds, text):
    assert duration(seconds) == text


def test_every_function_of_the_contract_has_a_hint():
    assert set(VECTORISE) == {*FUNCTIONS, STEP}
    assert all(len(pace_lines(PaceEstimate(100.0, 1.0, {n: (1.0, 0.001)}, (n,), 3))) == 5 for n in VECTORISE)


# ---- each hint carried out as written, and compared with the reference

@pytest.fixture
def rng():
    return np.random.default_rng(12)


@pytest.mark.parametrize("stride, pad", [(1, 1), (2, 0), (2, 1)])
def test_conv_hints_give_the_reference_values(rng, stride, pad):
    x, w, b = rng.normal(size=(3, 2, 7, 6)), rng.normal(size=(4, 2, 3, 3)), rng.normal(size=4)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))  # (N, C, H+2pad, W+2pad)
    windows = sliding_window_view(xp, (3, 3), axis=(2, 3))[:, :, ::stride, ::stride]  # (N, C, H', W', HH, WW)
    out = np.tensordot(windows, w, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2) + b[:, None, None]
    expected, cache = conv_forward(x, w, b, stride=stride, pad=pad)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)

    dout = rng.normal(size=expected.shape)  # (N, F, H', W')
    db = dout.sum(axis=(0, 2, 3))
    dw = np.einsum("nfij,ncijpq->fcpq", dout, windows)
    dxp = np.zeros_like(xp)
    H_out, W_out = dout.shape[2:]
    for p in range(3):
        for q in range(3):  # the kernel offsets only: one strided slice each
            dxp[:, :, p:p + stride * (H_out - 1) + 1:stride, q:q + stride * (W_out - 1) + 1:stride] += \
                np.einsum("nfij,fc->ncij", dout, w[:, :, p, q])
    dx = dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
    for mine, theirs in zip((dx, dw, db), conv_backward(dout, cache)):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("pool, stride", [(2, 2), (3, 1), (2, 1)])
def test_max_pool_hints_give_the_reference_values_even_with_ties(rng, pool, stride):
    x = rng.integers(0, 3, size=(2, 3, 6, 6)).astype(float)  # few values: many windows hold tied maxima
    windows = sliding_window_view(x, (pool, pool), axis=(2, 3))[:, :, ::stride, ::stride]  # (N, C, H', W', k, k)
    out = windows.max(axis=(4, 5))
    expected, cache = max_pool_forward(x, pool_size=pool, stride=stride)
    np.testing.assert_array_equal(out, expected)

    dout = rng.normal(size=out.shape)  # (N, C, H', W')
    first = windows.reshape(*windows.shape[:4], -1).argmax(axis=-1)  # (N, C, H', W'): the first maximum
    dx = np.zeros_like(x)
    H_out, W_out = out.shape[2:]
    for p in range(pool):
        for q in range(pool):  # the window offsets only
            dx[:, :, p:p + stride * (H_out - 1) + 1:stride, q:q + stride * (W_out - 1) + 1:stride] += \
                dout * (first == p * pool + q)
    np.testing.assert_allclose(dx, max_pool_backward(dout, cache), rtol=1e-12, atol=1e-12)


def test_affine_relu_and_loss_hints_give_the_reference_values(rng):
    x, w, b = rng.normal(size=(4, 2, 3, 2)), rng.normal(size=(12, 5)), rng.normal(size=5)
    flat = x.reshape(len(x), -1)  # (N, D)
    out, cache = affine_forward(x, w, b)
    np.testing.assert_allclose(flat @ w + b, out, rtol=1e-12)
    dout = rng.normal(size=out.shape)
    dx, dw, db = affine_backward(dout, cache)
    np.testing.assert_allclose((dout @ w.T).reshape(x.shape), dx, rtol=1e-12)
    np.testing.assert_allclose(flat.T @ dout, dw, rtol=1e-12)
    np.testing.assert_allclose(dout.sum(axis=0), db, rtol=1e-12)

    scores, y = rng.normal(size=(6, 10)) * 30, rng.integers(0, 10, size=6)
    shifted = scores - scores.max(axis=1, keepdims=True)  # (N, classes)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(-log_probs[np.arange(6), y].mean(), softmax_cross_entropy(scores, y)[0], rtol=1e-12)
