"""The judges several exercises share: each looks once, and words its verdict as each exercise asks."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks.judges import (changed_key, inputs_unchanged, keeps_float32, output_shape_first, short_name,
                                      unchanged, values_close)
from autograder.checks.spec import Check, Context
from autograder.sandbox.wire import Described


def context(inputs: dict, student: dict, program=None) -> Context:
    return Context(inputs, student, None, program or {"inputs": inputs, "steps": [], "outputs": list(student)})


def test_short_name_is_the_last_part():
    assert short_name("convolution.conv_forward") == "conv_forward" and short_name("$Adam.step") == "step"


def test_an_array_input_counts_as_changed_only_when_its_values_or_shape_changed():
    x = np.array([1.0, np.nan, 3.0])
    said = lambda name, key: f"{name} {key}"  # noqa: E731
    assert unchanged(context({"x": x}, {"x": x.copy()}), ["x"], said) is None  # NaN where NaN
    assert unchanged(context({"x": x}, {"x": x[:2]}), ["x"], said) == "x None"
    changed = x.copy()
    changed[0] = 0.0
    assert unchanged(context({"x": x}, {"x": changed}), ["x"], said) == "x None"


@pytest.mark.parametrize("after, key", [
    ({"w": np.ones(2), "b": np.zeros(1)}, None),
    ({"w": np.ones(2), "b": np.ones(1)}, "b"),
    ({"w": np.ones(2)}, "b"),
    ({"w": [1.0, 1.0], "b": np.zeros(1)}, "w"),
    (Described("builtins.list", "[]"), "w"),
])
def test_a_dict_input_counts_as_changed_at_its_first_changed_entry(after, key):
    before = {"w": np.ones(2), "b": np.zeros(1)}
    assert changed_key(before, after) == key
    message = unchanged(context({"params": before}, {"params": after}), ["params"], lambda name, k: f"{name}[{k!r}]")
    assert message == (None if key is None else f"params[{key!r}]")


def test_a_layer_that_changes_its_input_is_told_so():
    x = np.ones(3)
    message = inputs_unchanged(context({"x": x}, {"x": np.zeros(3)}), ["x"], "activations.relu_forward")
    assert message.startswith("relu_forward changed its argument 'x' in place. Layers must not modify their inputs")


def test_keeps_float32_names_the_first_output_that_is_not_and_what_it_is():
    judge = keeps_float32(["a", "b"], lambda ctx, name, found: f"{name} is {found}")
    assert judge(context({}, {"a": np.ones(1, np.float32), "b": np.ones(1, np.float32)})) is None
    assert judge(context({}, {"a": np.ones(1, np.float32), "b": np.ones(1)})) == "b is float64"
    assert judge(context({}, {"a": [1.0], "b": np.ones(1)})) == "a is list"


def test_keeps_float32_can_read_its_outputs_from_the_program():
    judge = keeps_float32(lambda ctx: ctx.program["outputs"][1:], lambda ctx, name, found: f"{name}: {found}")
    student = {"a": np.ones(1), "b": np.ones(1, np.float16)}
    assert judge(context({}, student)) == "b: float16"


def gradient_check_of(judged: str) -> Check:
    return Check("gradient check", 1, lambda rng: {}, lambda ctx: judged)


def test_output_shape_first_names_the_formula_when_the_output_shape_is_off():
    check = output_shape_first(gradient_check_of("the usual verdict"), "H' = 3")
    program = {"steps": [{"call": "pooling.max_pool_forward"}]}
    wrong = context({"dout": np.ones((1, 1, 3, 3))}, {"num_x": np.ones((2, 4, 1, 1, 2, 2))}, program)
    assert check.judge(wrong) == ("The gradient check needs max_pool_forward's output to have the shape of dout, "
                                  "(1, 1, 3, 3), but it has shape (1, 1, 2, 2) (H' = 3).")
    right = context({"dout": np.ones((1, 1, 3, 3))}, {"num_x": np.ones((2, 4, 1, 1, 3, 3))}, program)
    assert check.judge(right) == "the usual verdict"


def test_values_close_compares_arrays_and_other_values():
    assert values_close("sum", np.ones(2), np.ones(2)) is None
    assert "has wrong values" in values_close("sum", np.ones(2), np.zeros(2))
    assert "should be a NumPy array" in values_close("sum", [1.0, 1.0], np.ones(2))
