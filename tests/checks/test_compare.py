"""Feedback on wrong answers: what was expected, what came, where."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks.compare import check_array, check_float, check_values, matches
from autograder.sandbox.wire import Described, Typed


def test_equal_arrays_pass():
    a = np.arange(6.0).reshape(2, 3)
    assert check_array(a.copy(), a, what="out", atol=1e-8, rtol=1e-6) is None


def test_wrong_values_give_errors_index_and_both_values():
    want = np.zeros((2, 3, 4, 4))
    got = want.copy()
    got[1, 2, 3, 0] = 0.5
    got[0, 0, 0, 0] = 0.5
    message = check_array(got, want, what="dx", atol=1e-8, rtol=1e-6)
    assert "largest absolute error 0.5" in message
    assert "first worst index (0, 0, 0, 0): expected 0, got 0.5" in message
    assert "expected [0, 0] rows 0..2, cols 0..2" in message


def test_errors_only_where_zero_was_expected_give_no_relative_error_and_no_minus_zero():
    want = np.array([[-0.0, 1.0], [2.0, -0.0]])
    got = np.array([[0.5, 1.0], [2.0, 0.0]])
    message = check_array(got, want, what="dx", atol=1e-8, rtol=1e-6)
    assert "largest absolute error 0.5." in message
    assert "relative" not in message
    assert "expected 0, got 0.5" in message
    assert "-0" not in message


def test_relative_error_is_that_of_a_wrong_entry():
    want = np.array([1e-3, 100.0])
    got = np.array([2e-3, 100.5])
    assert "largest relative error 1." in check_array(got, want, what="out", atol=1e-8, rtol=1e-6)


@pytest.mark.parametrize("got, fragment", [
    (np.zeros((2, 3)), "has shape (2, 3), but shape (3, 2) was expected (H' = formula)"),
    (np.zeros((3, 2), dtype=np.float32), "has dtype float32, but float64 was expected"),
    (Typed(np.zeros((3, 2)), "numpy.matrix"), "is a numpy.matrix; return a plain numpy.ndarray"),
    (Described("builtins.list", "[]"), "should be a NumPy array, but your code returned a builtins.list"),
    ([0.0] * 6, "should be a NumPy array, but your code returned a list"),
    (np.full((3, 2), np.nan), "contains nan at index (0, 0)"),
])
def test_each_kind_of_wrong_answer_is_named(got, fragment):
    assert fragment in check_array(got, np.zeros((3, 2)), what="out", atol=1e-8, rtol=1e-6, shape_hint="H' = formula")


def test_losses_must_be_python_floats():
    assert check_float(1.0, 1.0, what="loss", atol=1e-8, rtol=0) is None
    assert "return a Python float" in check_float(Typed(np.float64(1.0), "numpy.float64"), 1.0, what="loss",
                                                  atol=1e-8, rtol=0)
    assert "returned an ndarray" in check_float(np.ones(1), 1.0, what="loss", atol=1e-8, rtol=0)
    assert "expected 1, got 2" in check_float(2.0, 1.0, what="loss", atol=1e-8, rtol=0)


def test_matching_a_mistake_model_needs_same_shape_and_values():
    assert matches((np.ones(2), 3.0), (np.ones(2), 3.0))
    assert matches(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]))
    assert not matches(np.ones(2), np.ones(3))
    assert not matches(np.ones(2), np.ones(2) * 1.1)
    assert not matches(Described("x", ""), np.ones(2))


def test_dicts_of_parameters_can_match_a_mistake_model():
    assert matches({"w": np.ones(2), "b": np.zeros(1)}, {"w": np.ones(2), "b": np.zeros(1)})
    assert not matches({"w": np.ones(2)}, {"w": np.ones(2), "b": np.zeros(1)})
    assert not matches([np.ones(2)], {"w": np.ones(2)})


def test_tiny_errors_are_not_printed_as_zero_and_zeros_give_no_relative_error():
    message = check_values(np.array([1e-7, 0.0]), np.zeros(2), what="dx", atol=1e-9, rtol=0)
    assert "largest absolute error 1e-07" in message and "relative" not in message
