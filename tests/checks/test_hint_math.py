"""The mathematics the hints of ``cnnlab hint`` state, checked numerically against the reference.

A hint that states a wrong formula would send a student after a bug that is
not there; each formula a hint writes down is computed here independently and
compared with what the reference layers do.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import hints_of
from autograder.exercises import find_exercise
from solutions import activations, convolution, losses, optimizers, pooling, regularization

RNG = np.random.default_rng(12)


def hint_about(exercise: int, function: str, words: str) -> str:
    """The text of the hint of ``exercise`` about ``function`` that contains ``words`` (the formula tested)."""
    texts = [h.text for h in hints_of(find_exercise(exercise)) if function in h.about and words in h.text]
    assert texts, f"no hint about {function} says {words!r}: update this test with the hint"
    return texts[0]


def test_softmax_backward_is_the_jacobian_diag_y_minus_y_yT():
    hint_about(1, "softmax_backward", "diag(y) - y y^T")
    x, dout = RNG.standard_normal((4, 5)), RNG.standard_normal((4, 5))
    y, cache = activations.softmax_forward(x)
    dx = activations.softmax_backward(dout, cache)
    for row in range(4):
        jacobian = np.diag(y[row]) - np.outer(y[row], y[row])
        np.testing.assert_allclose(jacobian.T @ dout[row], dx[row], rtol=1e-12, atol=1e-15)
        h = 1e-6  # and the Jacobian is softmax's: centred differences, column by column
        for j in range(5):
            step = np.zeros(5)
            step[j] = h
            numeric = (activations.softmax_forward(x[row] + step)[0] - activations.softmax_forward(x[row] - step)[0]) / (2 * h)
            np.testing.assert_allclose(numeric, jacobian[:, j], atol=1e-9)


def test_sigmoid_has_two_equal_forms_and_each_is_safe_on_one_side():
    hint_about(1, "sigmoid_forward", "exp(x) / (1 + exp(x))")
    x = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)), rtol=1e-14)
    with np.errstate(over="raise"):
        big = np.array([-1e4, 1e4])
        safe = np.where(big >= 0, 1 / (1 + np.exp(-np.abs(big))), np.exp(-np.abs(big)) / (1 + np.exp(-np.abs(big))))
    np.testing.assert_array_equal(safe, activations.sigmoid_forward(big)[0])


def test_sigmoid_and_tanh_derivatives_in_terms_of_their_outputs():
    hint_about(1, "sigmoid_backward", "s (1 - s) and 1 - t^2")
    x, dout, h = RNG.standard_normal(6), RNG.standard_normal(6), 1e-6
    s, t = 1 / (1 + np.exp(-x)), np.tanh(x)
    np.testing.assert_allclose((1 / (1 + np.exp(-(x + h))) - 1 / (1 + np.exp(-(x - h)))) / (2 * h), s * (1 - s),
                               atol=1e-9)
    np.testing.assert_allclose((np.tanh(x + h) - np.tanh(x - h)) / (2 * h), 1 - t ** 2, atol=1e-9)
    np.testing.assert_allclose(activations.sigmoid_backward(dout, activations.sigmoid_forward(x)[1]), dout * s * (1 - s))
    np.testing.assert_allclose(activations.tanh_backward(dout, activations.tanh_forward(x)[1]), dout * (1 - t ** 2))


def test_softmax_is_unchanged_by_a_constant_per_row():
    hint_about(1, "softmax_forward", "softmax(x) = softmax(x - c)")
    x, c = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 1)) * 50
    np.testing.assert_allclose(activations.softmax_forward(x)[0], activations.softmax_forward(x - c)[0], rtol=1e-12)


def test_loss_gradients_divide_by_the_number_of_terms():
    hint_about(2, "mse_loss", "pred.size")
    scores, y = RNG.standard_normal((5, 4)), RNG.integers(0, 4, 5)
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(losses.softmax_cross_entropy(scores, y)[1], (p - np.eye(4)[y]) / 5, atol=1e-15)
    pred, target = RNG.standard_normal((3, 2, 2)), RNG.standard_normal((3, 2, 2))
    np.testing.assert_allclose(losses.mse_loss(pred, target)[1], 2 * (pred - target) / pred.size)


def test_the_worked_convolution_example_gives_6_everywhere():
    hint_about(3, "conv_forward", "every output is 6")
    x = np.tile([4.0, 3.0, 2.0, 1.0, 0.0], (5, 1)).reshape(1, 1, 5, 5)
    w = np.tile([1.0, 0.0, -1.0], (3, 1)).reshape(1, 1, 3, 3)
    np.testing.assert_array_equal(convolution.conv_forward(x, w, np.zeros(1))[0], np.full((1, 1, 3, 3), 6.0))


@pytest.mark.parametrize("k, stride", [(2, 2), (3, 3)])
def test_avg_pool_sends_dout_over_pool_size_squared_to_each_input(k, stride):
    hint_about(4, "avg_pool_backward", "pool_size**2")
    x = RNG.standard_normal((1, 1, 2 * k, 2 * k))
    out, cache = pooling.avg_pool_forward(x, k, stride)
    dout = RNG.standard_normal(out.shape)
    want = np.kron(dout, np.ones((k, k))) / k ** 2  # non-overlapping windows tile x
    np.testing.assert_allclose(pooling.avg_pool_backward(dout, cache), want, rtol=1e-12)


def test_adam_is_rmsprop_on_bias_corrected_averages():
    hint_about(5, "Adam", "1 - beta ** t")
    p0, grads = RNG.standard_normal(4), [RNG.standard_normal(4) for _ in range(3)]
    params, adam = {"w": p0.copy()}, optimizers.Adam(lr=0.1)
    m = v = np.zeros(4)
    p = p0.copy()
    for t, g in enumerate(grads, 1):
        adam.step(params, {"w": g})
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        p = p - 0.1 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    np.testing.assert_allclose(params["w"], p, rtol=1e-12)


def test_rmsprop_adds_eps_outside_the_root_and_sgd_momentum_has_no_dampening():
    hint_about(5, "RMSprop", "eps goes outside the root")
    hint_about(5, "SGD", "b = momentum * b + g")
    g = RNG.standard_normal(3)
    params = {"w": np.zeros(3)}
    optimizers.RMSprop(lr=0.01, alpha=0.9, eps=0.5).step(params, {"w": g})
    np.testing.assert_allclose(params["w"], -0.01 * g / (np.sqrt(0.1 * g * g) + 0.5), rtol=1e-12)
    params, sgd = {"w": np.zeros(3)}, optimizers.SGD(lr=0.1, momentum=0.9)
    sgd.step(params, {"w": g})
    sgd.step(params, {"w": g})
    np.testing.assert_allclose(params["w"], -0.1 * g - 0.1 * (0.9 * g + g), rtol=1e-12)


def test_dropout_mask_scaling_and_l2_as_the_hints_say():
    hint_about(6, "dropout_forward", "rng.random(x.shape) is >= p")
    hint_about(6, "l2_penalty", "0.5 * weight_decay")
    x = RNG.standard_normal((4, 6))
    out, _ = regularization.dropout_forward(x, 0.3, train=True, seed=5)
    keep = np.random.default_rng(5).random(x.shape) >= 0.3
    np.testing.assert_allclose(out, x * keep / 0.7, rtol=1e-12)
    params = {"a": RNG.standard_normal((2, 3)), "b": RNG.standard_normal(4)}
    loss, grads = regularization.l2_penalty(params, 0.2)
    assert loss == pytest.approx(0.5 * 0.2 * sum(float((w ** 2).sum()) for w in params.values()), rel=1e-12)
    for key, w in params.items():
        np.testing.assert_allclose(grads[key], 0.2 * w)
