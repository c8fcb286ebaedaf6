"""Tests of solutions/gradcheck.py against gradients known in closed form, plus restoring x bit for bit."""

import re
from pathlib import Path

import numpy as np
import pytest

from autograder.build.stubs import make_stub
from tests.helpers import rel_error
from solutions.gradcheck import numerical_gradient, numerical_gradient_array

SOURCE = Path(__file__).resolve().parents[2] / "solutions" / "gradcheck.py"
A = np.random.default_rng(1).standard_normal((4, 4))

# name -> (scalar f, its gradient by hand, shape of x)
SCALAR = {
    "sum x^3 -> 3 x^2": (lambda x: np.sum(x ** 3), lambda x: 3 * x ** 2, (3, 4)),
    "sum exp -> exp": (lambda x: np.sum(np.exp(x)), np.exp, (2, 3, 2)),
    "x.A.x -> (A + A^T) x": (lambda x: x @ A @ x, lambda x: (A + A.T) @ x, (4,)),
    "log-sum-exp -> softmax": (lambda x: np.log(np.sum(np.exp(x))), lambda x: np.exp(x) / np.sum(np.exp(x)), (5,)),
    "0-d x^2 -> 2x": (lambda x: x ** 2, lambda x: 2 * x, ()),
}

# name -> (array-valued f, the gradient of sum(f(x) * dout) by hand, shape of x)
ARRAY = {
    "sin -> cos * dout": (np.sin, lambda x, d: np.cos(x) * d, (3, 5)),
    "x^2 -> 2 x dout": (lambda x: x ** 2, lambda x, d: 2 * x * d, (2, 3, 4)),
    "A x -> A^T dout": (lambda x: A @ x, lambda x, d: A.T @ d, (4,)),
    "cumsum -> reversed cumsum": (np.cumsum, lambda x, d: np.cumsum(d[::-1])[::-1], (6,)),
    "row sums -> broadcast": (lambda x: x.sum(axis=1), lambda x, d: np.repeat(d[:, None], 3, axis=1), (2, 3)),
}


@pytest.mark.parametrize("name", SCALAR)
def test_scalar_function_matches_analytic_gradient(name, rng):
    f, grad, shape = SCALAR[name]
    x = rng.uniform(-1.5, 1.5, shape)
    num = numerical_gradient(f, x)
    assert num.shape == x.shape and num.dtype == np.float64
    assert rel_error(num, grad(x)) < 1e-7


@pytest.mark.parametrize("name", ARRAY)
def test_array_function_matches_analytic_gradient(name, rng):
    f, grad, shape = ARRAY[name]
    x = rng.uniform(-1.5, 1.5, shape)
    dout = rng.standard_normal(np.shape(f(x)))
    num = numerical_gradient_array(f, x, dout)
    assert num.shape == x.shape and num.dtype == np.float64
    assert rel_error(num, grad(x, dout)) < 1e-7


def test_error_shrinks_like_h_squared():
    """Halving h divides a centred difference's error by ~4 (a one-sided difference's only by ~2)."""
    x = np.array([1.0])
    # f = sum(exp): the centred error is e h^2 / 6 + O(h^4), so the ratio of errors for h and h/2 is ~4.
    errors = [abs(numerical_gradient(lambda v: np.sum(np.exp(v)), x, h=h)[0] - np.e) for h in (1e-2, 5e-3)]
    assert 3.9 < errors[0] / errors[1] < 4.1


def test_uses_the_given_h():
    # For f = sum(x^3) the centred difference is exactly 3x^2 + h^2 (the x^3 terms' Taylor series stops there).
    x = np.array([0.0, 2.0])
    num = numerical_gradient(lambda v: np.sum(v ** 3), x, h=0.1)
    np.testing.assert_allclose(num, 3 * x ** 2 + 0.1 ** 2, rtol=1e-12, atol=1e-12)


def hard_to_restore():
    """Values for which old + h - h != old in float64, plus -0.0 and a subnormal."""
    x = np.array([[0.1, -0.0, 5e-324], [1.0 / 3.0, 1e8 + 0.3, -2.7]])
    assert any((v + 1e-5) - 1e-5 != v for v in x.ravel())  # so naive restoring would be caught
    return x


def test_x_restored_bit_for_bit():
    x = hard_to_restore()
    before = x.tobytes()
    numerical_gradient(lambda v: np.sum(v ** 2), x)
    numerical_gradient_array(np.sin, x, np.ones_like(x))
    assert x.tobytes() == before


def test_f_sees_one_perturbed_element_at_a_time():
    x = np.arange(6.0).reshape(2, 3)
    original = x.copy()
    seen = []

    def f(v):
        seen.append(np.flatnonzero(v != original).tolist())
        return np.sum(v)

    numerical_gradient(f, x, h=0.5)
    assert sorted(seen) == [[i] for i in range(6) for _ in (0, 1)]  # each element, twice (x + h, x - h)


@pytest.mark.parametrize("fails_on_call", [1, 2, 5])
@pytest.mark.parametrize("array_valued", [False, True])
def test_x_restored_when_f_raises(fails_on_call, array_valued):
    x = hard_to_restore()
    before = x.tobytes()
    calls = []

    def f(v):
        calls.append(1)
        if len(calls) == fails_on_call:
            raise RuntimeError("boom")
        return np.sin(v) if array_valued else np.sum(np.sin(v))

    with pytest.raises(RuntimeError, match="boom"):
        if array_valued:
            numerical_gradient_array(f, x, np.ones_like(x))
        else:
            numerical_gradient(f, x)
    assert x.tobytes() == before


def test_non_contiguous_view_perturbed_in_place():
    base = (np.arange(12.0).reshape(3, 4) + 1) / 7  # away from 0, where the exact gradient 0 meets an h^2 error
    before = base.tobytes()
    x = base[:, ::2]  # (3, 2), a strided view: perturbing it changes base
    num = numerical_gradient(lambda v: np.sum(v ** 3), x)
    assert rel_error(num, 3 * x ** 2) < 1e-7
    assert base.tobytes() == before


def test_float32_x_gives_float64_gradient(rng):
    x = rng.uniform(-1, 1, (2, 3)).astype(np.float32)
    before = x.tobytes()
    # A float32 x cannot hold x + 1e-5 precisely: use a coarse h and a loose tolerance.
    num = numerical_gradient(lambda v: np.sum(v.astype(np.float64) ** 2), x, h=1e-2)
    num_array = numerical_gradient_array(lambda v: v ** 2, x, np.ones((2, 3)), h=1e-2)
    assert num.dtype == num_array.dtype == np.float64
    np.testing.assert_allclose(num, 2 * x.astype(np.float64), atol=1e-4)
    np.testing.assert_allclose(num_array, 2 * x.astype(np.float64), atol=1e-4)
    assert x.tobytes() == before


def test_dout_not_modified(rng):
    x, dout = rng.standard_normal(4), rng.standard_normal(4)
    dout32 = dout.astype(np.float32)
    before, before32 = dout.copy(), dout32.copy()
    numerical_gradient_array(np.sin, x, dout)
    numerical_gradient_array(np.sin, x, dout32)
    np.testing.assert_array_equal(dout, before)
    np.testing.assert_array_equal(dout32, before32)


@pytest.mark.parametrize("call, message", [
    (lambda: numerical_gradient(np.sum, np.arange(3)),
     "numerical_gradient: x must be a floating-point array, got dtype int64"),
    (lambda: numerical_gradient_array(np.sin, np.arange(3), np.ones(3)),
     "numerical_gradient_array: x must be a floating-point array, got dtype int64"),
    (lambda: numerical_gradient(np.sum, np.ones(3), h=0.0),
     "numerical_gradient: the step h must be positive, got h = 0.0"),
    (lambda: numerical_gradient_array(np.sin, np.ones(3), np.ones(3), h=-1e-5),
     "numerical_gradient_array: the step h must be positive, got h = -1e-05"),
    (lambda: numerical_gradient(np.sin, np.ones(3)),
     "numerical_gradient: f must return a single number, got an array of shape (3,)"),
    (lambda: numerical_gradient_array(np.sin, np.ones(3), np.ones(4)),
     "numerical_gradient_array: f(x) has shape (3,) but dout has shape (4,)"),
], ids=["int x", "int x, array", "h = 0", "h < 0", "f not scalar", "dout shape"])
def test_bad_input_raises(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


@pytest.mark.parametrize("name, call", [
    ("numerical_gradient", lambda f: f(np.sum, np.zeros(3))),
    ("numerical_gradient_array", lambda f: f(np.sin, np.zeros(3), np.ones(3))),
])
def test_stub_raises_not_implemented(name, call):
    ns = {}
    exec(compile(make_stub(SOURCE.read_text()), "stub", "exec"), ns)
    assert "_central_differences" not in ns  # the reference's private helpers are dropped from the stub
    with pytest.raises(NotImplementedError, match=name):
        call(ns[name])
