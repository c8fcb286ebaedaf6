"""Tests of solutions/losses.py: PyTorch cross-checks, large logits, numerical gradients, validation, the stub."""

import re
from pathlib import Path

import numpy as np
import pytest

from autograder.build.stubs import make_stub
from tests.helpers import numeric_grad, rel_error
from solutions.losses import mse_loss, softmax_cross_entropy

SOURCE = Path(__file__).resolve().parents[2] / "solutions" / "losses.py"


def torch_cross_entropy(torch, scores, y):
    st = torch.tensor(scores, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(st, torch.tensor(y))  # reduction="mean"
    loss.backward()
    return loss.item(), st.grad.numpy()


# (N, C, scale of the logits): a batch of 1, two classes, many classes, logits of magnitude 1e4.
CE_CASES = [(5, 4, 1.0), (1, 3, 1.0), (6, 2, 1.0), (3, 10, 5.0), (4, 5, 1e4), (1, 7, 1e4)]


@pytest.mark.torch
@pytest.mark.parametrize("N, C, scale", CE_CASES, ids=str)
def test_cross_entropy_matches_torch(torch, N, C, scale, rng):
    scores = rng.uniform(-1, 1, (N, C)) * scale
    y = rng.integers(0, C, N)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, dscores = softmax_cross_entropy(scores, y)
    loss_t, dscores_t = torch_cross_entropy(torch, scores, y)
    assert type(loss) is float
    assert dscores.shape == (N, C)
    # The loss is of the order of the logits (up to ~1e4): a relative tolerance.
    np.testing.assert_allclose(loss, loss_t, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dscores, dscores_t, rtol=0, atol=1e-10)


def test_cross_entropy_probability_underflow_gives_finite_loss():
    """softmax of the true class is e^-2e4, which underflows to 0; its -log is still exactly 2e4."""
    scores = np.array([[1e4, -1e4], [0.0, 0.0]])
    y = np.array([1, 0])
    loss, dscores = softmax_cross_entropy(scores, y)
    # By hand: row 0 gives 2e4 + log(1 + e^-2e4) = 2e4 in float64, row 1 gives log 2; the mean is halved.
    np.testing.assert_allclose(loss, (2e4 + np.log(2)) / 2, rtol=1e-12)
    # (softmax - one_hot) / N: row 0 is ([1, 0] - [0, 1]) / 2, row 1 is ([1/2, 1/2] - [1, 0]) / 2.
    np.testing.assert_allclose(dscores, [[0.5, -0.5], [-0.25, 0.25]], rtol=0, atol=1e-15)


@pytest.mark.torch
def test_cross_entropy_probability_underflow_agrees_with_torch(torch):
    scores, y = np.array([[1e4, -1e4], [0.0, 0.0]]), np.array([1, 0])
    np.testing.assert_allclose(softmax_cross_entropy(scores, y)[0], torch_cross_entropy(torch, scores, y)[0],
                               rtol=1e-10)


@pytest.mark.parametrize("N, C", [(5, 4), (1, 3), (3, 2)], ids=str)
def test_cross_entropy_numerical_gradient(N, C, rng):
    scores = rng.standard_normal((N, C))
    y = rng.integers(0, C, N)
    _, dscores = softmax_cross_entropy(scores, y)
    num = numeric_grad(lambda s: softmax_cross_entropy(s, y)[0], scores)
    assert rel_error(dscores, num) < 1e-7


def test_cross_entropy_accepts_any_integer_dtype(rng):
    scores = rng.standard_normal((4, 3))
    y = np.array([0, 2, 1, 2])
    expected = softmax_cross_entropy(scores, y)
    for dtype in (np.int32, np.uint8):
        loss, dscores = softmax_cross_entropy(scores, y.astype(dtype))
        assert loss == expected[0]
        np.testing.assert_array_equal(dscores, expected[1])


@pytest.mark.parametrize("scores_shape, y, message", [
    ((3, 4), [0, 4, 1], "labels must lie in [0, 4) for C = 4 classes, got [4] at positions [1]"),
    ((3, 4), [-1, 2, -1], "labels must lie in [0, 4) for C = 4 classes, got [-1] at positions [0, 2]"),
    ((3, 4), [7, -2, 0], "labels must lie in [0, 4) for C = 4 classes, got [-2, 7] at positions [0, 1]"),
    ((3, 4), [0, 1], "y should have shape (3,), one label per row of scores of shape (3, 4), got shape (2,)"),
    ((3, 4), [[0], [1], [2]], "y should have shape (3,), one label per row of scores of shape (3, 4), "
                              "got shape (3, 1)"),
    ((3, 4), [0.0, 1.0, 2.0], "y should hold integer class labels, got dtype float64"),
    ((3, 4), [True, False, True], "y should hold integer class labels, got dtype bool"),
    ((4,), [0], "scores should have shape (N, C) with N, C >= 1, got shape (4,)"),
    ((0, 4), [], "scores should have shape (N, C) with N, C >= 1, got shape (0, 4)"),
], ids=["label C", "negative labels", "both ends", "y too short", "y a column", "float labels", "bool labels",
        "scores 1-D", "empty batch"])
def test_cross_entropy_bad_input_raises(scores_shape, y, message):
    with pytest.raises(ValueError, match=re.escape(f"softmax_cross_entropy: {message}")):
        softmax_cross_entropy(np.zeros(scores_shape), np.array(y))


# Shapes of pred (and target): a vector, a batch of 1, an image batch.
MSE_SHAPES = [(5,), (1, 3), (4, 3), (2, 3, 4, 5)]


@pytest.mark.torch
@pytest.mark.parametrize("shape", MSE_SHAPES, ids=str)
def test_mse_matches_torch(torch, shape, rng):
    pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
    loss, dpred = mse_loss(pred, target)
    pt = torch.tensor(pred, requires_grad=True)
    loss_t = torch.nn.functional.mse_loss(pt, torch.tensor(target))  # reduction="mean": over all elements
    loss_t.backward()
    assert type(loss) is float
    np.testing.assert_allclose(loss, loss_t.item(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(dpred, pt.grad.numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize("shape", MSE_SHAPES, ids=str)
def test_mse_numerical_gradient(shape, rng):
    pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
    _, dpred = mse_loss(pred, target)
    assert rel_error(dpred, numeric_grad(lambda p: mse_loss(p, target)[0], pred)) < 1e-7


@pytest.mark.parametrize("pred_shape, target_shape", [((4, 1), (4,)), ((2, 3), (3, 2)), ((3,), (1, 3))], ids=str)
def test_mse_mismatched_shapes_raise(pred_shape, target_shape):
    message = f"mse_loss: pred has shape {pred_shape} but target has shape {target_shape}"
    with pytest.raises(ValueError, match=re.escape(message)):
        mse_loss(np.zeros(pred_shape), np.zeros(target_shape))


def test_mse_empty_raises():
    with pytest.raises(ValueError, match=re.escape("mse_loss: pred and target are empty (shape (0, 3))")):
        mse_loss(np.zeros((0, 3)), np.zeros((0, 3)))


def test_float32_stays_float32(rng):
    scores = rng.standard_normal((4, 3)).astype(np.float32)
    loss, dscores = softmax_cross_entropy(scores, np.array([0, 1, 2, 1]))
    assert type(loss) is float and dscores.dtype == np.float32
    pred, target = (rng.standard_normal((2, 3)).astype(np.float32) for _ in range(2))
    loss, dpred = mse_loss(pred, target)
    assert type(loss) is float and dpred.dtype == np.float32


def test_inputs_not_modified(rng):
    scores, y = rng.standard_normal((4, 3)), np.array([0, 1, 2, 1])
    pred, target = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    before = [a.copy() for a in (scores, y, pred, target)]
    softmax_cross_entropy(scores, y)
    mse_loss(pred, target)
    for after, original in zip((scores, y, pred, target), before):
        np.testing.assert_array_equal(after, original)


@pytest.mark.parametrize("name, call", [
    ("softmax_cross_entropy", lambda f: f(np.zeros((2, 3)), np.array([0, 1]))),
    ("mse_loss", lambda f: f(np.zeros(3), np.zeros(3))),
])
def test_stub_raises_not_implemented(name, call):
    ns = {}
    exec(compile(make_stub(SOURCE.read_text()), "stub", "exec"), ns)
    with pytest.raises(NotImplementedError, match=name):
        call(ns[name])
