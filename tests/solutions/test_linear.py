"""Tests of solutions/linear.py: PyTorch cross-checks, numerical gradients, validation, the stub."""

import re
from pathlib import Path

import numpy as np
import pytest

from autograder.build.stubs import make_stub
from tests.helpers import numeric_grad, rel_error
from solutions.linear import affine_backward, affine_forward

SOURCE = Path(__file__).resolve().parents[2] / "solutions" / "linear.py"

# (shape of x, M): flat inputs, (N, d1, d2) and (N, C, H, W) inputs, a batch of 1, a single output unit.
CASES = [
    ((4, 5), 3),
    ((1, 6), 2),
    ((3, 2, 4), 5),
    ((1, 3, 2), 4),
    ((2, 3, 4, 5), 7),
    ((5, 7), 1),
]


def make(rng, x_shape, M):
    D = int(np.prod(x_shape[1:]))
    return rng.standard_normal(x_shape), rng.standard_normal((D, M)), rng.standard_normal(M)


@pytest.mark.torch
@pytest.mark.parametrize("x_shape, M", CASES, ids=str)
def test_matches_torch(torch, x_shape, M, rng):
    x, w, b = make(rng, x_shape, M)
    dout = rng.standard_normal((x_shape[0], M))
    out, cache = affine_forward(x, w, b)
    dx, dw, db = affine_backward(dout, cache)

    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    out_t = torch.nn.functional.linear(xt.reshape(x_shape[0], -1), wt.T, bt)  # F.linear takes the weight as (M, D)
    out_t.backward(torch.tensor(dout))

    assert out.shape == (x_shape[0], M)
    assert (dx.shape, dw.shape, db.shape) == (x.shape, w.shape, b.shape)
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(dw, wt.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(db, bt.grad.numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize("x_shape, M", CASES, ids=str)
def test_numerical_gradients(x_shape, M, rng):
    x, w, b = make(rng, x_shape, M)
    dout = rng.standard_normal((x_shape[0], M))
    dx, dw, db = affine_backward(dout, affine_forward(x, w, b)[1])
    assert rel_error(dx, numeric_grad(lambda v: affine_forward(v, w, b)[0], x, dout)) < 1e-7
    assert rel_error(dw, numeric_grad(lambda v: affine_forward(x, v, b)[0], w, dout)) < 1e-7
    assert rel_error(db, numeric_grad(lambda v: affine_forward(x, w, v)[0], b, dout)) < 1e-7


@pytest.mark.parametrize("x_shape, w_shape, b_shape, message", [
    ((2, 3, 4), (10, 5), (5,),
     "affine_forward: x of shape (2, 3, 4) flattens to D = 12 features per example, "
     "but w of shape (10, 5) expects D = 10"),
    ((2, 6), (6, 5), (4,), "affine_forward: b should have shape (5,) to match w of shape (6, 5), got shape (4,)"),
    ((2, 6), (6, 5), (5, 1), "affine_forward: b should have shape (5,) to match w of shape (6, 5), got shape (5, 1)"),
    ((2, 6), (6, 5), (), "affine_forward: b should have shape (5,) to match w of shape (6, 5), got shape ()"),
    ((2, 6), (6,), (1,), "affine_forward: w should be 2-D, shape (D, M), got shape (6,)"),
], ids=["D mismatch", "b too short", "b is a column", "b is a scalar", "w is 1-D"])
def test_bad_shapes_raise(x_shape, w_shape, b_shape, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        affine_forward(np.zeros(x_shape), np.zeros(w_shape), np.zeros(b_shape))


def test_float32_stays_float32(rng):
    x, w, b = (a.astype(np.float32) for a in make(rng, (3, 2, 2), 5))
    out, cache = affine_forward(x, w, b)
    grads = affine_backward(rng.standard_normal((3, 5)).astype(np.float32), cache)
    assert out.dtype == np.float32
    assert [g.dtype for g in grads] == [np.float32] * 3


def test_inputs_not_modified(rng):
    x, w, b = make(rng, (3, 2, 4), 5)
    dout = rng.standard_normal((3, 5))
    before = [a.copy() for a in (x, w, b, dout)]
    out, cache = affine_forward(x, w, b)
    affine_backward(dout, cache)
    for after, original in zip((x, w, b, dout), before):
        np.testing.assert_array_equal(after, original)


@pytest.mark.parametrize("name, call", [
    ("affine_forward", lambda f: f(np.zeros((2, 3)), np.zeros((3, 4)), np.zeros(4))),
    ("affine_backward", lambda f: f(np.zeros((2, 4)), (np.zeros((2, 3)), np.zeros((3, 4))))),
])
def test_stub_raises_not_implemented(name, call):
    ns = {}
    exec(compile(make_stub(SOURCE.read_text()), "stub", "exec"), ns)
    with pytest.raises(NotImplementedError, match=name):
        call(ns[name])
