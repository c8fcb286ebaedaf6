"""Tests of solutions/regularization.py: dropout's mask is redrawn from the
documented recipe and replayed in torch; the L2 penalty is differentiated by
torch's autograd and by central differences."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from autograder.build.stubs import make_stub
from tests.helpers import numeric_grad, rel_error
from solutions.regularization import dropout_backward, dropout_forward, l2_penalty

SOURCE = Path(__file__).resolve().parents[2] / "solutions" / "regularization.py"

# (shape of x, drop probability p)
DROPOUT_CASES = [
    pytest.param((7,), 0.5, id="vector-p0.5"),
    pytest.param((3, 5), 0.1, id="matrix-p0.1"),
    pytest.param((1, 6), 0.9, id="batch1-p0.9"),
    pytest.param((2, 3, 4, 5), 0.3, id="nchw-p0.3"),
    pytest.param((4, 2, 3, 1), 0.75, id="nchw-p0.75"),
]
SEED = 1234


def documented_mask(shape, p, seed=SEED):
    """The mask the docstring promises, drawn again from scratch."""
    return np.random.default_rng(seed).random(shape) >= p


def seed_of_kind(kind):
    return SEED if kind == "int" else np.random.default_rng(SEED)


# ---------------------------------------------------------------- dropout

@pytest.mark.parametrize("shape, p", DROPOUT_CASES)
@pytest.mark.parametrize("seed_kind", ["int", "generator"])
def test_dropout_uses_the_documented_mask(shape, p, seed_kind, rng):
    x = rng.normal(size=shape)
    dout = rng.normal(size=shape)
    out, cache = dropout_forward(x, p, seed=seed_of_kind(seed_kind))

    mask = documented_mask(shape, p)
    np.testing.assert_array_equal(out != 0, mask)  # x is nonzero almost surely
    np.testing.assert_allclose(out, np.where(mask, x / (1 - p), 0.0), rtol=1e-15, atol=0)
    np.testing.assert_allclose(dropout_backward(dout, cache), np.where(mask, dout / (1 - p), 0.0), rtol=1e-15, atol=0)


@pytest.mark.torch
@pytest.mark.parametrize("shape, p", DROPOUT_CASES)
@pytest.mark.parametrize("seed_kind", ["int", "generator"])
def test_dropout_matches_torch_with_the_documented_mask(torch, shape, p, seed_kind, rng):
    x = rng.normal(size=shape)
    dout = rng.normal(size=shape)
    out, cache = dropout_forward(x, p, seed=seed_of_kind(seed_kind))

    mask = documented_mask(shape, p)
    xt = torch.tensor(x, requires_grad=True)
    out_t = xt * torch.from_numpy(mask) / (1 - p)
    (out_t * torch.tensor(dout)).sum().backward()
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(dropout_backward(dout, cache), xt.grad.numpy(), rtol=0, atol=1e-10)


def test_generator_is_used_as_is_and_advances():
    x, p = np.ones((4, 6)), 0.5
    generator = np.random.default_rng(7)
    first, _ = dropout_forward(x, p, seed=generator)
    second, _ = dropout_forward(x, p, seed=generator)
    reference = np.random.default_rng(7)
    np.testing.assert_array_equal(first != 0, reference.random(x.shape) >= p)
    np.testing.assert_array_equal(second != 0, reference.random(x.shape) >= p)


def test_same_int_seed_gives_same_mask_and_none_gives_a_valid_one(rng):
    x, p = rng.uniform(1, 2, size=(5, 8)), 0.4
    a, _ = dropout_forward(x, p, seed=3)
    b, _ = dropout_forward(x, p, seed=3)
    np.testing.assert_array_equal(a, b)
    out, _ = dropout_forward(x, p, seed=None)
    kept = out != 0
    np.testing.assert_allclose(out[kept], x[kept] / (1 - p), rtol=0, atol=1e-12)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_kept_units_are_scaled_by_one_over_one_minus_p(p):
    # p is the drop probability and the survivors become 1 / (1 - p).
    ours, _ = dropout_forward(np.ones(2000), p, seed=0)
    np.testing.assert_allclose(np.unique(ours[ours != 0]), [1 / (1 - p)], rtol=0, atol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_kept_units_are_scaled_like_torch(torch, p):
    # torch's own dropout (different random stream) must use the same convention.
    ours, _ = dropout_forward(np.ones(2000), p, seed=0)
    theirs = torch.nn.functional.dropout(torch.ones(2000, dtype=torch.float64), p=p, training=True).numpy()
    np.testing.assert_allclose(np.unique(theirs[theirs != 0]), np.unique(ours[ours != 0]), rtol=0, atol=1e-12)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_expected_value_is_preserved(p):
    n = 200_000
    out, _ = dropout_forward(np.ones(n), p, seed=2024)
    # Each entry is Bernoulli(1 - p) / (1 - p): mean 1, variance p / (1 - p).
    # The sample mean has standard deviation sqrt(p / ((1 - p) n)); allow 5 of them.
    bound = 5 * math.sqrt(p / ((1 - p) * n))
    assert abs(out.mean() - 1) < bound, (out.mean(), bound)


@pytest.mark.parametrize("p", [0.0, 0.5, 0.9])
def test_eval_mode_is_the_identity(p, rng):
    x, dout = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    out, cache = dropout_forward(x, p, train=False, seed=SEED)
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(dropout_backward(dout, cache), dout)


def test_p_zero_is_the_identity_in_training(rng):
    x, dout = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4))
    out, cache = dropout_forward(x, 0.0, seed=SEED)
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(dropout_backward(dout, cache), dout)


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5, float("nan")])
@pytest.mark.parametrize("train", [True, False])
def test_bad_p_raises(p, train):
    with pytest.raises(ValueError, match=r"^dropout_forward: .*" + re.escape(f"p={p}")):
        dropout_forward(np.ones(3), p, train=train)


@pytest.mark.parametrize("shape, p", DROPOUT_CASES)
@pytest.mark.parametrize("train", [True, False])
def test_dropout_backward_numerically(shape, p, train, rng):
    x, dout = rng.normal(size=shape), rng.normal(size=shape)
    _, cache = dropout_forward(x, p, train=train, seed=SEED)
    # The same int seed on every call draws the same mask, so f is one fixed linear map.
    numeric = numeric_grad(lambda z: dropout_forward(z, p, train=train, seed=SEED)[0], x, dout)
    assert rel_error(dropout_backward(dout, cache), numeric) < 1e-7


@pytest.mark.parametrize("train", [True, False])
def test_dropout_never_modifies_its_inputs(train, rng):
    x, dout = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    x0, dout0 = x.copy(), dout.copy()
    out, cache = dropout_forward(x, 0.5, train=train, seed=SEED)
    dx = dropout_backward(dout, cache)
    out[...] = 0  # whatever a caller does with the results ...
    dx[...] = 0
    np.testing.assert_array_equal(x, x0)  # ... the inputs stay as they were
    np.testing.assert_array_equal(dout, dout0)


@pytest.mark.parametrize("p", [0.3, np.float64(0.3), 0.0])
@pytest.mark.parametrize("train", [True, False])
def test_dropout_keeps_float32(p, train, rng):
    x = rng.normal(size=(3, 4)).astype(np.float32)
    out, cache = dropout_forward(x, p, train=train, seed=SEED)
    dx = dropout_backward(np.ones_like(x), cache)
    assert out.dtype == np.float32 and dx.dtype == np.float32, (out.dtype, dx.dtype)
    reference, _ = dropout_forward(x.astype(np.float64), p, train=train, seed=SEED)
    np.testing.assert_allclose(out, reference, rtol=1e-6, atol=0)


# ---------------------------------------------------------------- L2 penalty

L2_SHAPES = {"W1": (5, 3), "b1": (3,), "w_conv": (2, 3, 3, 3)}


@pytest.mark.parametrize("weight_decay", [0.0, 1e-4, 0.5, 3.0])
def test_l2_penalty_is_half_weight_decay_times_the_squares(weight_decay, rng):
    params = {key: rng.normal(size=shape) for key, shape in L2_SHAPES.items()}
    loss, grads = l2_penalty(params, weight_decay)
    squares = sum(float(np.sum(p * p)) for p in params.values())
    assert type(loss) is float
    assert loss == pytest.approx(0.5 * weight_decay * squares, rel=1e-12, abs=0)
    assert grads.keys() == params.keys()
    for key, p in params.items():
        np.testing.assert_allclose(grads[key], weight_decay * p, rtol=1e-15, atol=0, err_msg=key)


@pytest.mark.torch
@pytest.mark.parametrize("weight_decay", [0.0, 1e-4, 0.5, 3.0])
def test_l2_penalty_matches_torch(torch, weight_decay, rng):
    params = {key: rng.normal(size=shape) for key, shape in L2_SHAPES.items()}
    loss, grads = l2_penalty(params, weight_decay)

    tensors = {key: torch.tensor(p, requires_grad=True) for key, p in params.items()}
    loss_t = 0.5 * weight_decay * sum((t ** 2).sum() for t in tensors.values())
    loss_t.backward()
    assert type(loss) is float
    np.testing.assert_allclose(loss, loss_t.item(), rtol=0, atol=1e-10)
    assert grads.keys() == params.keys()
    for key, t in tensors.items():
        np.testing.assert_allclose(grads[key], t.grad.numpy(), rtol=0, atol=1e-10, err_msg=key)


@pytest.mark.parametrize("weight_decay", [1e-2, 0.7])
def test_l2_penalty_numerically(weight_decay, rng):
    params = {key: rng.normal(size=shape) for key, shape in L2_SHAPES.items()}
    _, grads = l2_penalty(params, weight_decay)
    for key in params:
        numeric = numeric_grad(lambda w: l2_penalty({**params, key: w}, weight_decay)[0], params[key].copy())
        assert rel_error(grads[key], numeric) < 1e-7, key


def test_l2_penalty_of_nothing_is_zero():
    assert l2_penalty({}, 0.1) == (0.0, {})


@pytest.mark.parametrize("weight_decay", [-1e-3, -1.0, float("nan")])
def test_l2_penalty_rejects_bad_weight_decay(weight_decay):
    with pytest.raises(ValueError, match=r"^l2_penalty: .*" + re.escape(f"weight_decay={weight_decay}")):
        l2_penalty({"w": np.ones(2)}, weight_decay)


def test_l2_penalty_never_modifies_params(rng):
    params = {key: rng.normal(size=shape) for key, shape in L2_SHAPES.items()}
    saved = {key: p.copy() for key, p in params.items()}
    _, grads = l2_penalty(params, 1.0)
    for key in params:
        assert not np.shares_memory(grads[key], params[key]), f"grads[{key!r}] is params[{key!r}]"
        grads[key][...] = 0
        np.testing.assert_array_equal(params[key], saved[key])


@pytest.mark.parametrize("weight_decay", [0.1, np.float64(0.1)])
def test_l2_penalty_keeps_float32(weight_decay, rng):
    params = {key: rng.normal(size=shape).astype(np.float32) for key, shape in L2_SHAPES.items()}
    loss, grads = l2_penalty(params, weight_decay)
    assert type(loss) is float
    assert all(g.dtype == np.float32 for g in grads.values()), {k: g.dtype for k, g in grads.items()}


# ---------------------------------------------------------------- stub

@pytest.mark.parametrize("name, args", [
    ("dropout_forward", (np.ones(3), 0.5)),
    ("dropout_backward", (np.ones(3), (np.ones(3, dtype=bool), 0.5))),
    ("l2_penalty", ({"w": np.ones(3)}, 0.1)),
])
def test_stub_raises_not_implemented(name, args):
    namespace = {}
    exec(compile(make_stub(SOURCE.read_text()), "stub", "exec"), namespace)
    with pytest.raises(NotImplementedError):
        namespace[name](*args)
