"""Input makers and shape cases shared by several exercises: shapes, ranges and the words of size formulas."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks.inputs import (Case, away_from_zero, dense_shapes, no_inputs, out_size, random_shape,
                                      size_formula, size_hint, with_dout)


def test_away_from_zero_keeps_both_signs_within_the_bounds():
    x = away_from_zero(np.random.default_rng(0), (200,), 0.5, 2.0)
    assert np.all((np.abs(x) >= 0.5) & (np.abs(x) < 2.0)) and (x > 0).any() and (x < 0).any()


def test_with_dout_adds_dout_of_the_shape_of_x():
    data = with_dout(lambda rng: {"x": np.zeros((2, 3))})(np.random.default_rng(0))
    assert set(data) == {"x", "dout"} and data["dout"].shape == (2, 3)
    assert no_inputs(np.random.default_rng(0)) == {}


def test_random_shapes_stay_within_their_ranges():
    rng = np.random.default_rng(0)
    shapes = [random_shape(rng, (1, 4), (2, 5)) for _ in range(200)]
    assert {len(s) for s in shapes} == {1, 2, 3} and all(2 <= n <= 4 and type(n) is int for s in shapes for n in s)
    weight, bias = dense_shapes(rng, "W", "b").values()
    assert bias == weight[1:]


@pytest.mark.parametrize("n, k, stride, pad, size",
                         [(5, 3, 1, 0, 3), (5, 3, 1, 1, 5), (7, 3, 2, 1, 4), (6, 3, 2, 0, 2)])
def test_out_size(n, k, stride, pad, size):
    assert out_size(n, k, stride, pad) == size


def test_size_formulas_read_as_students_see_them():
    assert size_formula("H", "HH", padded=True) == "H' = (H + 2*pad - HH) // stride + 1"
    assert size_formula("H", "pool_size", padded=False) == "H' = (H - pool_size) // stride + 1"
    assert size_hint((1, 1, 5, 6), (3, 2), 2, 1) == (
        "H' = (H + 2*pad - HH) // stride + 1 = (5 + 2*1 - 3) // 2 + 1 = 3, and "
        "W' = (W + 2*pad - WW) // stride + 1 = (6 + 2*1 - 2) // 2 + 1 = 4")


def test_a_convolution_case_draws_x_w_b_and_dout():
    case = Case((2, 3, 7, 7), (4, 3, 3, 3), stride=2, pad=1, dtype="float32")
    data = case.inputs(np.random.default_rng(0))
    assert case.out == (2, 4, 4, 4) and case.kwargs == {"stride": 2, "pad": 1}
    assert {k: v.shape for k, v in data.items()} == {"x": (2, 3, 7, 7), "w": (4, 3, 3, 3), "b": (4,),
                                                     "dout": (2, 4, 4, 4)}
    assert {v.dtype for v in data.values()} == {np.dtype(np.float32)}
    assert case.hint.startswith("H' = (H + 2*pad - HH) // stride + 1 = (7 + 2*1 - 3) // 2 + 1 = 4")


def test_a_pooling_case_keeps_the_channels_and_draws_x_with_its_values():
    case = Case((2, 3, 5, 6), pool=3, stride=2, values=lambda rng, shape: np.full(shape, 7.0))
    data = case.inputs(np.random.default_rng(0))
    assert case.out == (2, 3, 2, 2) and case.kwargs == {"pool_size": 3, "stride": 2}
    assert list(data) == ["x", "dout"] and np.all(data["x"] == 7.0) and data["dout"].shape == case.out
    assert case.hint == ("H' = (H - pool_size) // stride + 1 = (5 - 3) // 2 + 1 = 2, and "
                         "W' = (W - pool_size) // stride + 1 = (6 - 3) // 2 + 1 = 2")


@pytest.mark.parametrize("kwargs", [{}, {"w": (1, 1, 2, 2), "pool": 2}, {"pool": 2, "pad": 1}])
def test_a_case_is_a_convolution_or_a_pooling(kwargs):
    with pytest.raises(ValueError, match="Case: give a kernel shape w or a pool size"):
        Case((1, 1, 4, 4), **kwargs)
