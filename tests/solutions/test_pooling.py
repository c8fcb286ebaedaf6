"""Tests of the reference pooling layers (exercise 4): PyTorch as the oracle,
centred differences for the gradients, ties and overlapping windows worked by
hand, argument checks, dtypes, no mutation, and a stub that starts out failing."""

from pathlib import Path

import numpy as np
import pytest

from autograder.build.stubs import make_stub
from tests.helpers import numeric_grad, rel_error
from solutions.pooling import avg_pool_backward, avg_pool_forward, max_pool_backward, max_pool_forward

SOLUTION = Path(__file__).resolve().parents[2] / "solutions" / "pooling.py"

# (forward, backward, the name of PyTorch's version of the forward in torch.nn.functional)
POOLS = {
    "max": (max_pool_forward, max_pool_backward, "max_pool2d"),
    "avg": (avg_pool_forward, avg_pool_backward, "avg_pool2d"),
}

# id, x shape (N, C, H, W), pool_size, stride
CASES = [
    ("2x2_stride2", (2, 3, 8, 8), 2, 2),
    ("non_square_does_not_divide", (2, 3, 7, 5), 2, 2),
    ("overlap_pool3_stride1", (2, 2, 7, 6), 3, 1),
    ("overlap_pool3_stride2", (2, 2, 9, 7), 3, 2),
    ("stride3_does_not_divide", (2, 2, 10, 8), 3, 3),
    ("stride_beyond_pool", (2, 2, 10, 8), 2, 3),
    ("batch_of_one", (1, 4, 6, 6), 2, 2),
    ("many_channels", (2, 32, 6, 6), 2, 2),
    ("global_pool", (2, 3, 5, 5), 5, 1),
    ("pool_as_tall_as_input", (2, 3, 4, 9), 4, 2),
    ("pool1_is_identity", (2, 2, 4, 5), 1, 1),
]

GRAD_CASES = [
    ("2x2_stride2", (2, 2, 6, 6), 2, 2),
    ("non_square_does_not_divide", (2, 2, 7, 5), 2, 2),
    ("overlap_pool3_stride1", (1, 2, 6, 5), 3, 1),
    ("overlap_pool3_stride2", (2, 1, 7, 8), 3, 2),
]


def _ids(cases):
    return [case[0] for case in cases]


def _distinct(rng, shape, dtype=np.float64):
    """Values at least 1/size apart, so no max window is near a tie (h = 1e-5)."""
    size = int(np.prod(shape))
    return (rng.permutation(size).reshape(shape) / size - 0.5).astype(dtype)


def _torch_pool(torch, kind, x, pool_size, stride, dout):
    """Output and input gradient of sum(pool(x) * dout) from PyTorch autograd."""
    tx = torch.tensor(x, requires_grad=True)
    out = getattr(torch.nn.functional, POOLS[kind][2])(tx, kernel_size=pool_size, stride=stride)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), tx.grad.numpy()


@pytest.mark.torch
@pytest.mark.parametrize("kind", POOLS)
@pytest.mark.parametrize(("name", "x_shape", "pool_size", "stride"), CASES, ids=_ids(CASES))
def test_pool_matches_torch(torch, rng, kind, name, x_shape, pool_size, stride):
    forward, backward, _ = POOLS[kind]
    x = rng.standard_normal(x_shape)
    out, cache = forward(x, pool_size=pool_size, stride=stride)
    dout = rng.standard_normal(out.shape)
    dx = backward(dout, cache)
    t_out, t_dx = _torch_pool(torch, kind, x, pool_size, stride, dout)
    assert out.shape == t_out.shape
    np.testing.assert_allclose(out, t_out, rtol=0, atol=1e-10)
    np.testing.assert_allclose(dx, t_dx, rtol=0, atol=1e-10)


@pytest.mark.parametrize("kind", POOLS)
@pytest.mark.parametrize(("name", "x_shape", "pool_size", "stride"), GRAD_CASES, ids=_ids(GRAD_CASES))
def test_pool_backward_matches_numerical_gradient(rng, kind, name, x_shape, pool_size, stride):
    forward, backward, _ = POOLS[kind]
    x = _distinct(rng, x_shape)
    out, cache = forward(x, pool_size=pool_size, stride=stride)
    dout = rng.standard_normal(out.shape)
    dx = backward(dout, cache)
    num_dx = numeric_grad(lambda v: forward(v, pool_size=pool_size, stride=stride)[0], x, dout)
    assert rel_error(dx, num_dx) < 1e-7


def _tie_first_maximum_row_major():
    # Window 0 is all equal: the gradient goes to its top-left entry.
    # Window 1 = [[0, 5], [5, 1]]: maxima at (0, 1) and (1, 0); (0, 1) comes first.
    x = np.array([[[[2.0, 2.0, 0.0, 5.0],
                    [2.0, 2.0, 5.0, 1.0]]]])
    dout = np.array([[[[3.0, 7.0]]]])
    expected = np.array([[[[3.0, 0.0, 0.0, 7.0],
                           [0.0, 0.0, 0.0, 0.0]]]])
    return x, 2, 2, dout, expected


def _ties_in_overlapping_windows():
    # A constant 4x5 image, pool 3, stride 1: H' = (4-3)//1+1 = 2, W' = (5-3)//1+1 = 3.
    # Every window ties everywhere, so window (i, j) sends dout[i, j] to its
    # top-left pixel, which is x[i, j]: dx[:2, :3] = dout and zero elsewhere.
    x = np.full((1, 1, 4, 5), 1.5)
    dout = np.arange(1.0, 7.0).reshape(1, 1, 2, 3)
    expected = np.zeros((1, 1, 4, 5))
    expected[0, 0, :2, :3] = dout[0, 0]
    return x, 3, 1, dout, expected


TIES = {"first_maximum_row_major": _tie_first_maximum_row_major,
        "overlapping_windows_accumulate": _ties_in_overlapping_windows}


def test_max_pool_tie_goes_to_first_maximum_row_major():
    x, pool_size, stride, dout, expected = _tie_first_maximum_row_major()
    out, cache = max_pool_forward(x, pool_size=pool_size, stride=stride)
    np.testing.assert_array_equal(out, [[[[2.0, 5.0]]]])
    np.testing.assert_array_equal(max_pool_backward(dout, cache), expected)


def test_max_pool_ties_in_overlapping_windows_accumulate():
    x, pool_size, stride, dout, expected = _ties_in_overlapping_windows()
    out, cache = max_pool_forward(x, pool_size=pool_size, stride=stride)
    np.testing.assert_array_equal(out, np.full((1, 1, 2, 3), 1.5))
    np.testing.assert_array_equal(max_pool_backward(dout, cache), expected)


@pytest.mark.torch
@pytest.mark.parametrize("case", TIES)
def test_torch_breaks_max_pool_ties_the_same_way(torch, case):
    """PyTorch's max_pool2d sends a tied window's gradient to the same entry as the hand-worked answer."""
    x, pool_size, stride, dout, expected = TIES[case]()
    np.testing.assert_array_equal(_torch_pool(torch, "max", x, pool_size, stride, dout)[1], expected)


def test_max_pool_one_winner_of_several_overlapping_windows_collects_all():
    # The 9 in the centre of a 3x3 image wins all four 2x2 windows (stride 1),
    # so it collects 1 + 2 + 3 + 4 = 10.
    x = np.array([[[[1.0, 2.0, 3.0],
                    [4.0, 9.0, 5.0],
                    [6.0, 7.0, 8.0]]]])
    dout = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    _, cache = max_pool_forward(x, pool_size=2, stride=1)
    expected = np.zeros((1, 1, 3, 3))
    expected[0, 0, 1, 1] = 10.0
    np.testing.assert_array_equal(max_pool_backward(dout, cache), expected)


def test_avg_pool_overlapping_windows_by_hand():
    # 3x3 image, pool 2, stride 1: four windows. With dout = 1, each pixel gets
    # 1/4 per window covering it: corners 1 window, edges 2, the centre 4.
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    out, cache = avg_pool_forward(x, pool_size=2, stride=1)
    # Window means: (0+1+3+4)/4 = 2, (1+2+4+5)/4 = 3, (3+4+6+7)/4 = 5, (4+5+7+8)/4 = 6.
    np.testing.assert_array_equal(out, [[[[2.0, 3.0], [5.0, 6.0]]]])
    dx = avg_pool_backward(np.ones((1, 1, 2, 2)), cache)
    np.testing.assert_array_equal(dx[0, 0], np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 4)


# pool_size, stride, x shape, regex that the message must match (with the values)
BAD_ARGS = [
    (0, 2, (1, 1, 4, 4), r"pool_size must be an integer >= 1, got 0"),
    (-1, 1, (1, 1, 4, 4), r"pool_size must be an integer >= 1, got -1"),
    (2.0, 2, (1, 1, 4, 4), r"pool_size must be an integer >= 1, got 2\.0"),
    ("2", 2, (1, 1, 4, 4), r"pool_size must be an integer >= 1, got '2'"),
    (True, 2, (1, 1, 4, 4), r"pool_size must be an integer >= 1, got True"),
    (2, 0, (1, 1, 4, 4), r"stride must be an integer >= 1, got 0"),
    (2, 1.5, (1, 1, 4, 4), r"stride must be an integer >= 1, got 1\.5"),
    (5, 1, (1, 1, 4, 6), r"a 5x5 pool does not fit in a 4x6 input"),
    (4, 1, (1, 1, 6, 3), r"a 4x4 pool does not fit in a 6x3 input"),
    (2, 2, (4, 4), r"x must have shape \(N, C, H, W\), got shape \(4, 4\)"),
]


@pytest.mark.parametrize("kind", POOLS)
@pytest.mark.parametrize(("pool_size", "stride", "x_shape", "message"), BAD_ARGS)
def test_pool_rejects_bad_arguments(kind, pool_size, stride, x_shape, message):
    forward = POOLS[kind][0]
    with pytest.raises(ValueError, match=rf"^{forward.__name__}: {message}"):
        forward(np.zeros(x_shape), pool_size=pool_size, stride=stride)


@pytest.mark.parametrize("kind", POOLS)
def test_pool_does_not_modify_its_inputs(rng, kind):
    forward, backward, _ = POOLS[kind]
    x = rng.standard_normal((2, 3, 7, 6))
    x0 = x.copy()
    out, cache = forward(x, pool_size=3, stride=2)
    dout = rng.standard_normal(out.shape)
    dout0 = dout.copy()
    backward(dout, cache)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(dout, dout0)


@pytest.mark.parametrize("kind", POOLS)
@pytest.mark.parametrize(("name", "x_shape", "pool_size", "stride"), GRAD_CASES, ids=_ids(GRAD_CASES))
def test_pool_keeps_float32(rng, kind, name, x_shape, pool_size, stride):
    forward, backward, _ = POOLS[kind]
    x = _distinct(rng, x_shape, np.float32)
    out, cache = forward(x, pool_size=pool_size, stride=stride)
    dout = rng.standard_normal(out.shape).astype(np.float32)
    dx = backward(dout, cache)
    assert out.dtype == np.float32 and dx.dtype == np.float32
    out64, cache64 = forward(x.astype(np.float64), pool_size=pool_size, stride=stride)
    np.testing.assert_allclose(out, out64, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(dx, backward(dout.astype(np.float64), cache64), rtol=1e-6, atol=1e-6)


def test_stub_raises_not_implemented_for_every_function():
    namespace = {}
    exec(compile(make_stub(SOLUTION.read_text()), "stub", "exec"), namespace)
    x, dout = np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 2, 2))
    for name in ("max_pool_forward", "avg_pool_forward"):
        with pytest.raises(NotImplementedError):
            namespace[name](x)
    for name in ("max_pool_backward", "avg_pool_backward"):
        with pytest.raises(NotImplementedError):
            namespace[name](dout, None)
    assert "_check_pool_args" not in namespace and "_stacked_windows" not in namespace
