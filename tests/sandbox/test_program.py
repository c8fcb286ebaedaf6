"""The program interpreter that runs a check on both sides of the sandbox."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from autograder.sandbox.program import ContractError, StepError, run_program


def double_forward(x, scale=2.0):
    return x * scale, x


def double_backward(dout, cache):
    return dout * 2.0


class Counter:
    def __init__(self, start=0):
        self.n = start

    def step(self, params, grads):
        for key in params:
            params[key] -= grads[key]
        self.n += 1
        return self.n


MODULES = {"toy": SimpleNamespace(double_forward=double_forward, double_backward=double_backward,
                                  Counter=Counter, bare=lambda x: x + 1)}


def test_calls_chain_through_the_cache_and_pick_items():
    x = np.arange(3.0)
    program = {"inputs": {"x": x, "dout": np.ones(3)},
               "steps": [{"call": "toy.double_forward", "args": [{"ref": "x"}], "kwargs": {"scale": {"lit": 3.0}},
                          "into": "fwd"},
                         {"call": "toy.double_backward", "args": [{"ref": "dout"}, {"ref": "fwd", "index": 1}],
                          "into": "bwd"}],
               "outputs": ["fwd.0", "bwd"]}
    out = run_program(program, MODULES)
    np.testing.assert_array_equal(out["fwd.0"], 3 * x)
    np.testing.assert_array_equal(out["bwd"], np.full(3, 2.0))


def test_objects_methods_and_snapshots():
    params = {"w": np.ones(2)}
    program = {"inputs": {"p": params, "g": {"w": np.full(2, 0.5)}},
               "steps": [{"new": "toy.Counter", "kwargs": {"start": {"lit": 10}}, "into": "opt"},
                         {"call": "opt.step", "args": [{"ref": "p"}, {"ref": "g"}], "into": "n1"},
                         {"copy": "p", "into": "p1"},
                         {"call": "opt.step", "args": [{"ref": "p"}, {"ref": "g"}], "into": "n2"}],
               "outputs": ["p1", "p", "n2"]}
    out = run_program(program, MODULES)
    np.testing.assert_array_equal(out["p1"]["w"], [0.5, 0.5])
    np.testing.assert_array_equal(out["p"]["w"], [0.0, 0.0])
    assert out["n2"] == 12


def test_perturb_returns_plus_and_minus_outputs_and_leaves_the_input():
    x = np.array([1.0, 2.0])
    program = {"inputs": {"x": x},
               "steps": [{"perturb": "toy.double_forward", "args": [{"ref": "x"}], "wrt": 0, "output": 0,
                          "h": 0.5, "indices": [[1]], "into": "num"}],
               "outputs": ["num"]}
    num = run_program(program, MODULES)["num"]
    assert num.shape == (2, 1, 2)
    np.testing.assert_array_equal(num[0, 0], [2.0, 5.0])
    np.testing.assert_array_equal(num[1, 0], [2.0, 3.0])
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_a_result_that_is_not_a_tuple_is_a_contract_error_naming_the_function():
    program = {"inputs": {"x": np.zeros(2)},
               "steps": [{"call": "toy.bare", "args": [{"ref": "x"}], "into": "fwd"}],
               "outputs": ["fwd.0"]}
    with pytest.raises(StepError) as caught:
        run_program(program, MODULES)
    assert isinstance(caught.value.__cause__, ContractError)
    assert "toy.bare returned an ndarray" in str(caught.value.__cause__)


def test_an_exception_in_a_step_says_which_step():
    program = {"inputs": {}, "steps": [{"call": "toy.bare", "args": [{"lit": "text"}], "into": "r"}], "outputs": []}
    with pytest.raises(StepError, match=r"step 0 \(toy.bare\)") as caught:
        run_program(program, MODULES)
    assert isinstance(caught.value.__cause__, TypeError)


def test_a_catching_step_stores_the_exception_name_and_the_program_goes_on():
    """What a call leaves behind when it raises: the program keeps running and sends back the inputs."""

    def nudge_then_fail(x, f):
        x[0] += 1.0  # left nudged: the raise below skips any restoring
        return f(x)

    modules = {"toy": SimpleNamespace(nudge_then_fail=nudge_then_fail)}
    steps = [{"call": "toy.nudge_then_fail", "args": [{"ref": "x"}, {"fn": "cube_sum_up_to_2"}], "kwargs": {},
              "into": "err", "catch": True}]
    x = np.array([1.5, 0.0])
    out = run_program({"inputs": {"x": x}, "steps": steps, "outputs": ["err", "x"]}, modules)
    assert out["err"] == "RuntimeError"
    assert out["x"].tolist() == [2.5, 0.0]
    steps[0]["args"][1] = {"fn": "cube_sum"}
    assert run_program({"inputs": {"x": np.zeros(2)}, "steps": steps, "outputs": ["err"]}, modules)["err"] == 1.0


def test_generators_are_made_from_seeds_or_from_inputs():
    from autograder.sandbox.program import resolve

    by_ref = resolve({"rng": {"ref": "seed"}}, {"seed": 7}).random(3)
    by_value = resolve({"rng": 7}, {}).random(3)
    np.testing.assert_array_equal(by_ref, np.random.default_rng(7).random(3))
    np.testing.assert_array_equal(by_value, by_ref)
