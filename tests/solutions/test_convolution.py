"""Tests of the reference convolution layer (exercise 3): PyTorch as the oracle,
centred differences for every gradient, hand-computed examples, argument checks,
dtypes, no mutation, and a stub that starts out failing."""

from pathlib import Path

import numpy as np
import pytest

from autograder.build.stubs import make_stub
from tests.helpers import numeric_grad, rel_error
from solutions.convolution import conv_backward, conv_forward, conv_output_shape

SOLUTION = Path(__file__).resolve().parents[2] / "solutions" / "convolution.py"

# id, x shape (N, C, H, W), w shape (F, C, HH, WW), stride, pad
CASES = [
    ("square", (2, 3, 8, 8), (4, 3, 3, 3), 1, 0),
    ("pad1", (2, 3, 8, 8), (4, 3, 3, 3), 1, 1),
    ("pad2", (2, 2, 6, 6), (3, 2, 3, 3), 1, 2),
    ("non_square_input", (2, 3, 7, 5), (4, 3, 3, 3), 1, 1),
    ("non_square_kernel", (2, 3, 7, 5), (4, 3, 3, 2), 1, 0),
    ("stride2_does_not_divide", (2, 3, 8, 7), (2, 3, 3, 3), 2, 0),
    ("stride2_pad1_non_square", (3, 2, 7, 5), (3, 2, 3, 2), 2, 1),
    ("stride3_does_not_divide_pad2", (2, 2, 10, 9), (3, 2, 3, 2), 3, 2),
    ("stride_beyond_kernel", (2, 2, 9, 8), (2, 2, 2, 2), 3, 0),
    ("batch_of_one", (1, 3, 6, 6), (2, 3, 3, 3), 1, 1),
    ("many_channels_and_filters", (2, 16, 6, 5), (32, 16, 3, 3), 1, 1),
    ("one_by_one_kernel", (2, 5, 4, 3), (3, 5, 1, 1), 1, 0),
    ("kernel_as_large_as_input", (2, 3, 5, 4), (4, 3, 5, 4), 1, 0),
    ("kernel_fits_only_with_padding", (1, 2, 2, 3), (2, 2, 4, 4), 1, 1),
]

# Small cases for the centred-difference checks (each costs two forwards per entry).
GRAD_CASES = [
    ("pad1", (2, 2, 5, 5), (3, 2, 3, 3), 1, 1),
    ("non_square_stride2_pad1", (2, 2, 7, 5), (3, 2, 3, 2), 2, 1),
    ("stride3_pad2", (1, 2, 8, 7), (2, 2, 2, 3), 3, 2),
]


def _ids(cases):
    return [case[0] for case in cases]


def _random_case(rng, x_shape, w_shape, dtype=np.float64):
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    return x, w, b


def _torch_conv(torch, x, w, b, stride, pad, dout):
    """Output and gradients of sum(conv2d(x, w, b) * dout) from PyTorch autograd."""
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    out = torch.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=pad)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), tx.grad.numpy(), tw.grad.numpy(), tb.grad.numpy()


@pytest.mark.torch
@pytest.mark.parametrize(("name", "x_shape", "w_shape", "stride", "pad"), CASES, ids=_ids(CASES))
def test_conv_matches_torch(torch, rng, name, x_shape, w_shape, stride, pad):
    x, w, b = _random_case(rng, x_shape, w_shape)
    out, cache = conv_forward(x, w, b, stride=stride, pad=pad)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv_backward(dout, cache)
    t_out, t_dx, t_dw, t_db = _torch_conv(torch, x, w, b, stride, pad, dout)
    assert out.shape == t_out.shape
    np.testing.assert_allclose(out, t_out, rtol=0, atol=1e-10)
    np.testing.assert_allclose(dx, t_dx, rtol=0, atol=1e-10)
    np.testing.assert_allclose(dw, t_dw, rtol=0, atol=1e-10)
    np.testing.assert_allclose(db, t_db, rtol=0, atol=1e-10)


@pytest.mark.parametrize(("name", "x_shape", "w_shape", "stride", "pad"), GRAD_CASES, ids=_ids(GRAD_CASES))
def test_conv_backward_matches_numerical_gradients(rng, name, x_shape, w_shape, stride, pad):
    x, w, b = _random_case(rng, x_shape, w_shape)
    out, cache = conv_forward(x, w, b, stride=stride, pad=pad)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv_backward(dout, cache)
    num_dx = numeric_grad(lambda v: conv_forward(v, w, b, stride, pad)[0], x, dout)
    num_dw = numeric_grad(lambda v: conv_forward(x, v, b, stride, pad)[0], w, dout)
    num_db = numeric_grad(lambda v: conv_forward(x, w, v, stride, pad)[0], b, dout)
    assert rel_error(dx, num_dx) < 1e-7
    assert rel_error(dw, num_dw) < 1e-7
    assert rel_error(db, num_db) < 1e-7


def test_classic_worked_example():
    # Every row of the image is [4, 3, 2, 1, 0], every row of the kernel [1, 0, -1].
    # Top-left 3x3 window: each row gives 4*1 + 3*0 + 2*(-1) = 2, three rows -> 6.
    # (Popular write-ups print 10 here, an arithmetic slip.) Every window sees a
    # run [a, a-1, a-2] in each row, so each row gives a - (a-2) = 2: all 9 outputs are 6.
    x = np.tile(np.array([4.0, 3.0, 2.0, 1.0, 0.0]), (5, 1)).reshape(1, 1, 5, 5)
    w = np.tile(np.array([1.0, 0.0, -1.0]), (3, 1)).reshape(1, 1, 3, 3)
    out, _ = conv_forward(x, w, np.zeros(1), stride=1, pad=0)
    assert out.shape == (1, 1, 3, 3)
    assert out[0, 0, 0, 0] == 6.0
    np.testing.assert_array_equal(out, np.full((1, 1, 3, 3), 6.0))


def test_zero_padding_by_hand():
    # A 2x2 image of ones, a 2x2 kernel of ones, pad 1: the 3x3 output counts how
    # many image pixels each window covers: corners 1, edges 2, centre 4; plus bias 0.5.
    x = np.ones((1, 1, 2, 2))
    w = np.ones((1, 1, 2, 2))
    out, cache = conv_forward(x, w, np.array([0.5]), stride=1, pad=1)
    expected = np.array([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]) + 0.5
    np.testing.assert_array_equal(out[0, 0], expected)
    # Backward with dout = ones: each pixel sits under all 4 kernel taps once -> dx = 4;
    # dw[p, q] sums the 9 windows' pixel at tap (p, q) = the 4 image ones -> 4; db = 9.
    dx, dw, db = conv_backward(np.ones((1, 1, 3, 3)), cache)
    np.testing.assert_array_equal(dx, np.full((1, 1, 2, 2), 4.0))
    np.testing.assert_array_equal(dw, np.full((1, 1, 2, 2), 4.0))
    np.testing.assert_array_equal(db, [9.0])


# input shape, weight shape, stride, pad, expected (N, F, H', W') computed by hand
SHAPES = [
    ((8, 3, 32, 32), (16, 3, 5, 5), 1, 2, (8, 16, 32, 32)),  # (32 + 4 - 5) // 1 + 1 = 32
    ((1, 1, 7, 5), (2, 1, 3, 2), 2, 1, (1, 2, 4, 3)),  # (7 + 2 - 3) // 2 + 1 = 4, (5 + 2 - 2) // 2 + 1 = 3
    ((2, 4, 10, 9), (6, 4, 3, 3), 3, 0, (2, 6, 3, 3)),  # (10 - 3) // 3 + 1 = 3, (9 - 3) // 3 + 1 = 3
    ((1, 1, 2, 2), (1, 1, 4, 4), 1, 1, (1, 1, 1, 1)),  # (2 + 2 - 4) // 1 + 1 = 1
    ((3, 2, 5, 6), (1, 2, 1, 1), 2, 0, (3, 1, 3, 3)),  # (5 - 1) // 2 + 1 = 3, (6 - 1) // 2 + 1 = 3
]


@pytest.mark.parametrize(("input_shape", "weight_shape", "stride", "pad", "expected"), SHAPES)
def test_conv_output_shape_by_hand(input_shape, weight_shape, stride, pad, expected):
    assert conv_output_shape(input_shape, weight_shape, stride=stride, pad=pad) == expected
    out, _ = conv_forward(np.zeros(input_shape), np.zeros(weight_shape), np.zeros(weight_shape[0]),
                          stride=stride, pad=pad)
    assert out.shape == expected


@pytest.mark.torch
@pytest.mark.parametrize(("input_shape", "weight_shape", "stride", "pad", "expected"), SHAPES)
def test_conv_output_shape_agrees_with_torch(torch, input_shape, weight_shape, stride, pad, expected):
    out = torch.nn.functional.conv2d(torch.zeros(input_shape), torch.zeros(weight_shape), stride=stride, padding=pad)
    assert tuple(out.shape) == expected


# x shape, w shape, stride, pad, regex that the message must match (with the values)
BAD_ARGS = [
    ((1, 3, 5, 5), (2, 2, 3, 3), 1, 0, r"3 channels but w expects 2"),
    ((1, 1, 4, 4), (1, 1, 7, 7), 1, 1, r"7x7 kernel does not fit in the padded input 6x6"),
    ((1, 1, 8, 3), (1, 1, 3, 4), 1, 0, r"3x4 kernel does not fit in the padded input 8x3"),
    ((1, 1, 5, 5), (1, 1, 3, 3), 0, 0, r"stride must be an integer >= 1, got 0"),
    ((1, 1, 5, 5), (1, 1, 3, 3), -2, 0, r"stride must be an integer >= 1, got -2"),
    ((1, 1, 5, 5), (1, 1, 3, 3), 1.5, 0, r"stride must be an integer >= 1, got 1\.5"),
    ((1, 1, 5, 5), (1, 1, 3, 3), 1, -1, r"pad must be an integer >= 0, got -1"),
    ((1, 5, 5), (1, 1, 3, 3), 1, 0, r"got \(1, 5, 5\) and \(1, 1, 3, 3\)"),
]


@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "pad", "message"), BAD_ARGS)
def test_conv_output_shape_rejects_bad_arguments(x_shape, w_shape, stride, pad, message):
    with pytest.raises(ValueError, match=r"conv_output_shape: .*" + message):
        conv_output_shape(x_shape, w_shape, stride=stride, pad=pad)


@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "pad", "message"), BAD_ARGS)
def test_conv_forward_rejects_bad_arguments(x_shape, w_shape, stride, pad, message):
    x, w = np.zeros(x_shape), np.zeros(w_shape)
    with pytest.raises(ValueError, match=r"^conv_forward: .*" + message):
        conv_forward(x, w, np.zeros(w_shape[0]), stride=stride, pad=pad)


@pytest.mark.parametrize(("b_shape", "message"), [
    ((3,), r"b has shape \(3,\) but w has 2 filters, so b must have shape \(2,\)"),
    ((2, 1), r"b has shape \(2, 1\) but w has 2 filters"),
    ((), r"b has shape \(\) but w has 2 filters"),
])
def test_conv_forward_rejects_bias_of_wrong_shape(b_shape, message):
    with pytest.raises(ValueError, match=r"^conv_forward: " + message):
        conv_forward(np.zeros((1, 3, 5, 5)), np.zeros((2, 3, 3, 3)), np.zeros(b_shape))


def test_conv_does_not_modify_its_inputs(rng):
    x, w, b = _random_case(rng, (2, 3, 7, 5), (4, 3, 3, 2))
    x0, w0, b0 = x.copy(), w.copy(), b.copy()
    out, cache = conv_forward(x, w, b, stride=2, pad=1)
    dout = rng.standard_normal(out.shape)
    dout0 = dout.copy()
    conv_backward(dout, cache)
    for before, after in ((x0, x), (w0, w), (b0, b), (dout0, dout)):
        np.testing.assert_array_equal(after, before)


@pytest.mark.parametrize(("name", "x_shape", "w_shape", "stride", "pad"), GRAD_CASES, ids=_ids(GRAD_CASES))
def test_conv_keeps_float32(rng, name, x_shape, w_shape, stride, pad):
    x, w, b = _random_case(rng, x_shape, w_shape, np.float32)
    out, cache = conv_forward(x, w, b, stride=stride, pad=pad)
    dout = rng.standard_normal(out.shape).astype(np.float32)
    grads = conv_backward(dout, cache)
    assert out.dtype == np.float32
    assert [g.dtype for g in grads] == [np.float32] * 3
    # Same numbers as in float64, up to float32 rounding.
    out64, cache64 = conv_forward(*(a.astype(np.float64) for a in (x, w, b)), stride=stride, pad=pad)
    np.testing.assert_allclose(out, out64, rtol=1e-5, atol=1e-5)
    for g, g64 in zip(grads, conv_backward(dout.astype(np.float64), cache64)):
        np.testing.assert_allclose(g, g64, rtol=1e-5, atol=1e-5)


def test_stub_raises_not_implemented_for_every_function():
    namespace = {}
    exec(compile(make_stub(SOLUTION.read_text()), "stub", "exec"), namespace)
    x, w, b = np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 2, 2)), np.zeros(1)
    with pytest.raises(NotImplementedError):
        namespace["conv_output_shape"](x.shape, w.shape)
    with pytest.raises(NotImplementedError):
        namespace["conv_forward"](x, w, b)
    with pytest.raises(NotImplementedError):
        namespace["conv_backward"](np.zeros((1, 1, 2, 2)), None)
    assert "_im2col" not in namespace and "_col2im" not in namespace
