"""Tests of solutions/activations.py: PyTorch cross-checks, numerical gradients, edge cases, the stub."""

import re
from pathlib import Path

import numpy as np
import pytest

from autograder.build.stubs import make_stub
from tests.helpers import numeric_grad, rel_error
from solutions import activations as act

SOURCE = Path(__file__).resolve().parents[2] / "solutions" / "activations.py"

# name -> (forward, backward, keyword arguments)
LAYERS = {
    "relu": (act.relu_forward, act.relu_backward, {}),
    "leaky_relu": (act.leaky_relu_forward, act.leaky_relu_backward, {}),
    "leaky_relu_alpha_0.1": (act.leaky_relu_forward, act.leaky_relu_backward, {"alpha": 0.1}),
    "leaky_relu_alpha_0.2": (act.leaky_relu_forward, act.leaky_relu_backward, {"alpha": 0.2}),
    "sigmoid": (act.sigmoid_forward, act.sigmoid_backward, {}),
    "tanh": (act.tanh_forward, act.tanh_backward, {}),
    "softmax": (act.softmax_forward, act.softmax_backward, {}),
}
# name -> the same function in torch, given the torch module and a tensor
IN_TORCH = {
    "relu": lambda torch, t: torch.relu(t),
    "leaky_relu": lambda torch, t: torch.nn.functional.leaky_relu(t),  # torch's default slope is 0.01, as ours
    "leaky_relu_alpha_0.1": lambda torch, t: torch.nn.functional.leaky_relu(t, negative_slope=0.1),
    "leaky_relu_alpha_0.2": lambda torch, t: torch.nn.functional.leaky_relu(t, negative_slope=0.2),
    "sigmoid": lambda torch, t: torch.sigmoid(t),
    "tanh": lambda torch, t: torch.tanh(t),
    "softmax": lambda torch, t: torch.softmax(t, dim=-1),
}
SHAPES = [(7,), (1, 5), (3, 4), (2, 3, 4, 5), (1, 1)]


def away_from_zero(rng, shape, low=0.1):
    """Values in ±[low, 2): no input sits on a kink, so numerical gradients are accurate."""
    return rng.uniform(low, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def torch_forward_backward(torch, name, x, dout):
    """torch's output and the gradient of sum(out * dout), as NumPy arrays."""
    xt = torch.tensor(x, requires_grad=True)
    out = IN_TORCH[name](torch, xt)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), xt.grad.numpy()


def ours(name, x, dout):
    fwd, bwd, kwargs = LAYERS[name]
    out, cache = fwd(x, **kwargs)
    return out, bwd(dout, cache)


def test_every_layer_has_its_torch_twin():
    assert IN_TORCH.keys() == LAYERS.keys()


@pytest.mark.torch
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", LAYERS)
def test_matches_torch(torch, name, shape, rng):
    x = rng.standard_normal(shape) * 3
    dout = rng.standard_normal(shape)
    out, dx = ours(name, x, dout)
    out_t, dx_t = torch_forward_backward(torch, name, x, dout)
    assert out.shape == dx.shape == x.shape
    np.testing.assert_allclose(out, out_t, rtol=0, atol=1e-10)
    np.testing.assert_allclose(dx, dx_t, rtol=0, atol=1e-10)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", LAYERS)
def test_numerical_gradient(name, shape, rng):
    fwd, _, kwargs = LAYERS[name]
    x = away_from_zero(rng, shape)
    dout = rng.standard_normal(shape)
    _, dx = ours(name, x, dout)
    num = numeric_grad(lambda v: fwd(v, **kwargs)[0], x, dout)
    assert rel_error(dx, num) < 1e-7


# name -> the slope the backward pass must use at exactly 0
SLOPE_AT_ZERO = {"relu": 0.0, "leaky_relu": 0.01, "leaky_relu_alpha_0.1": 0.1}
AT_ZERO_X = np.array([[-1.5, 0.0, 2.0], [0.0, 0.3, -0.0]])
AT_ZERO_DOUT = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


@pytest.mark.parametrize("name", SLOPE_AT_ZERO)
def test_gradient_exactly_at_zero(name):
    """ReLU's gradient at exactly 0 is 0, leaky ReLU's is alpha (-0.0 included); elsewhere 1 or the slope."""
    _, dx = ours(name, AT_ZERO_X, AT_ZERO_DOUT)
    slope = SLOPE_AT_ZERO[name]
    np.testing.assert_array_equal(dx, np.where(AT_ZERO_X > 0, 1.0, slope) * AT_ZERO_DOUT)


@pytest.mark.torch
@pytest.mark.parametrize("name", SLOPE_AT_ZERO)
def test_gradient_exactly_at_zero_matches_torch(torch, name):
    """PyTorch makes the same choice at the kink."""
    out, dx = ours(name, AT_ZERO_X, AT_ZERO_DOUT)
    out_t, dx_t = torch_forward_backward(torch, name, AT_ZERO_X, AT_ZERO_DOUT)
    np.testing.assert_allclose(out, out_t, rtol=0, atol=1e-10)
    np.testing.assert_allclose(dx, dx_t, rtol=0, atol=1e-10)


def large_inputs(rng):
    """Logits of magnitude 5e3 to 1e4, with a tie for the maximum in the first row, and a dout."""
    x = rng.choice([-1.0, 1.0], (3, 4)) * rng.uniform(5e3, 1e4, (3, 4))
    x[0] = [1e4, -1e4, 1e4, -1e4]
    return x, rng.standard_normal(x.shape)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softmax"])
def test_large_inputs_are_stable(name, rng):
    """Logits of magnitude 1e4: no overflow, no nan."""
    x, dout = large_inputs(rng)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out, dx = ours(name, x, dout)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dx))


@pytest.mark.torch
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softmax"])
def test_large_inputs_match_torch(torch, name, rng):
    """Logits of magnitude 1e4: the same numbers as torch."""
    x, dout = large_inputs(rng)
    out, dx = ours(name, x, dout)
    out_t, dx_t = torch_forward_backward(torch, name, x, dout)
    np.testing.assert_allclose(out, out_t, rtol=0, atol=1e-10)
    np.testing.assert_allclose(dx, dx_t, rtol=0, atol=1e-10)


def test_sigmoid_saturates_exactly():
    # sigmoid(1e4) rounds to 1 and sigmoid(-1e4) = e^-1e4 underflows to 0; sigmoid(0) = 1/2.
    out, _ = act.sigmoid_forward(np.array([-1e4, 0.0, 1e4]))
    np.testing.assert_array_equal(out, [0.0, 0.5, 1.0])


def test_softmax_shift_invariance(rng):
    """softmax(x + c) = softmax(x): the max subtraction loses nothing."""
    x = rng.standard_normal((4, 6))
    out, _ = act.softmax_forward(x)
    shifted, _ = act.softmax_forward(x + 1e4)
    np.testing.assert_allclose(shifted, out, rtol=0, atol=1e-10)
    np.testing.assert_allclose(out.sum(axis=-1), np.ones(4), rtol=0, atol=1e-14)


def test_softmax_backward_is_jacobian_product(rng):
    """The row-sum formula equals the full Jacobian diag(y) - y y^T applied to dout, row by row."""
    x, dout = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    y, cache = act.softmax_forward(x)
    dx = act.softmax_backward(dout, cache)
    for row in range(3):
        jacobian = np.diag(y[row]) - np.outer(y[row], y[row])
        np.testing.assert_allclose(dx[row], jacobian.T @ dout[row], rtol=0, atol=1e-14)


@pytest.mark.parametrize("shape", [(), (3, 0)], ids=str)
def test_softmax_rejects_empty_class_axis(shape):
    with pytest.raises(ValueError, match=re.escape(f"softmax_forward: x needs a non-empty last axis of class "
                                                    f"scores, got shape {shape}")):
        act.softmax_forward(np.zeros(shape))


@pytest.mark.parametrize("name", LAYERS)
def test_float32_stays_float32(name, rng):
    x = away_from_zero(rng, (2, 3)).astype(np.float32)
    dout = rng.standard_normal((2, 3)).astype(np.float32)
    out, dx = ours(name, x, dout)
    assert out.dtype == np.float32
    assert dx.dtype == np.float32


def test_leaky_relu_numpy_alpha_keeps_float32():
    # A NumPy float64 scalar would promote float32 to float64 under NumPy 2's rules.
    x = np.array([-1.0, 2.0], dtype=np.float32)
    out, cache = act.leaky_relu_forward(x, alpha=np.float64(0.2))
    assert out.dtype == np.float32
    assert act.leaky_relu_backward(np.ones(2, np.float32), cache).dtype == np.float32


@pytest.mark.parametrize("name", LAYERS)
def test_inputs_not_modified(name, rng):
    x = rng.standard_normal((3, 4))
    dout = rng.standard_normal((3, 4))
    x_before, dout_before = x.copy(), dout.copy()
    out, dx = ours(name, x, dout)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(dout, dout_before)
    assert not np.shares_memory(out, x)
    assert not np.shares_memory(dx, dout)


STUB_CALLS = {
    "relu_forward": lambda f: f(np.zeros(3)),
    "relu_backward": lambda f: f(np.zeros(3), np.zeros(3)),
    "leaky_relu_forward": lambda f: f(np.zeros(3), alpha=0.1),
    "leaky_relu_backward": lambda f: f(np.zeros(3), (np.zeros(3), 0.1)),
    "sigmoid_forward": lambda f: f(np.zeros(3)),
    "sigmoid_backward": lambda f: f(np.zeros(3), np.zeros(3)),
    "tanh_forward": lambda f: f(np.zeros(3)),
    "tanh_backward": lambda f: f(np.zeros(3), np.zeros(3)),
    "softmax_forward": lambda f: f(np.zeros((2, 3))),
    "softmax_backward": lambda f: f(np.zeros((2, 3)), np.zeros((2, 3))),
}


def test_stub_calls_cover_every_public_function():
    public = {name for name in vars(act) if not name.startswith("_") and callable(getattr(act, name))
              and getattr(act, name).__module__ == act.__name__}
    assert public == set(STUB_CALLS)


@pytest.mark.parametrize("name", STUB_CALLS)
def test_stub_raises_not_implemented(name):
    ns = {}
    exec(compile(make_stub(SOURCE.read_text()), "stub", "exec"), ns)
    with pytest.raises(NotImplementedError, match=name):
        STUB_CALLS[name](ns[name])
