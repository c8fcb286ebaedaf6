"""The language checks are written in: builders of the program format, and every exercise speaking only it."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from autograder.checks import checks_of
from autograder.checks.spec import (Check, Context, call, copy, dict_of, entry, fn, generator, is_node, item, lit,
                                    method, new, node, one_call, perturb, program, ref, snapshots, tuple_of)
from autograder.exercises import EXERCISES
from autograder.sandbox.program import run_program


@pytest.mark.parametrize("built, expected", [
    (lit((2, 3)), {"lit": (2, 3)}),
    (ref("$params"), {"ref": "$params"}),
    (item("fwd", 1), {"ref": "fwd", "index": 1}),
    (generator(2024), {"rng": 2024}),
    (fn("cube_sum"), {"fn": "cube_sum"}),
    (tuple_of(0.9, "$beta"), {"tuple": [{"lit": 0.9}, {"ref": "beta"}]}),
    (dict_of({"a": 1, "b": "$x.0"}), {"dict": {"a": {"lit": 1}, "b": {"ref": "x", "index": 0}}}),
])
def test_argument_builders_write_the_program_format(built, expected):
    assert built == expected and is_node(built)


@pytest.mark.parametrize("shorthand, expected", [
    ("$x", {"ref": "x"}),
    ("$fwd.1", {"ref": "fwd", "index": 1}),
    (0.5, {"lit": 0.5}),
    ("relu", {"lit": "relu"}),
    ((4, 1), {"lit": (4, 1)}),
    (item("$l2", 1), {"ref": "$l2", "index": 1}),
])
def test_node_reads_the_shorthand_and_keeps_nodes(shorthand, expected):
    assert node(shorthand) == expected


def test_step_builders_write_the_program_format():
    assert call("m.f", ["$x"], {"p": 2}, "out") == {"call": "m.f", "args": [{"ref": "x"}],
                                                      "kwargs": {"p": {"lit": 2}}, "into": "out"}
    assert new("m.Box", {"size": 2}, into="$Box") == {"new": "m.Box", "kwargs": {"size": {"lit": 2}}, "into": "$Box"}
    assert method("$Box", "put", [ref("x")]) == {"call": "$Box.put", "args": [{"ref": "x"}], "into": "_"}
    assert entry("$d", "w", "w_out") == {"call": "$d.get", "args": [{"lit": "w"}], "into": "w_out"}
    assert copy("$d", "$snap") == {"copy": "$d", "into": "$snap"}
    assert perturb("m.f", ["$x"], None, wrt=0, h=1e-5, indices=[[0]], into="num_x") == {
        "perturb": "m.f", "args": [{"ref": "x"}], "kwargs": {}, "wrt": 0, "output": 0, "h": 1e-5,
        "indices": [[0]], "into": "num_x"}


class Box:
    """A stand-in for an optimizer: an object a program builds, then calls methods of."""

    def __init__(self, scale):
        self.scale = scale

    def scaled(self, values: dict) -> dict:
        return {key: self.scale * value for key, value in values.items()}


def test_a_program_built_from_the_builders_runs_in_the_sandbox():
    modules = {"m": SimpleNamespace(Box=Box, pair=lambda x: (x, 2 * x))}
    steps = [new("m.Box", {"scale": 3.0}, into="$Box"),
             method("$Box", "scaled", [dict_of({"w": "$x"})], into="$scaled"),
             copy("$scaled", "$snapshot"), entry("$snapshot", "w", "w"),
             call("m.pair", ["$w"], None, "fwd")]
    out = run_program(program({"x": np.ones(2)}, steps, ["w", "fwd.1"]), modules)
    np.testing.assert_array_equal(out["w"], np.full(2, 3.0))
    np.testing.assert_array_equal(out["fwd.1"], np.full(2, 6.0))


def test_one_call_builds_a_program_of_one_step():
    build = one_call("m.f", lambda rng: {"x": np.zeros(1)}, ["$x"], {"k": 1})
    built = build(np.random.default_rng(0))
    assert built["steps"] == [call("m.f", ["$x"], {"k": 1}, "fwd"), copy("x", "x@0")]
    assert built["outputs"] == ["fwd.0", "x@0"]


def test_every_array_input_is_snapshot_after_every_step_but_those_given_away_or_sent_back():
    inputs = {"x": np.zeros(2), "dout": np.zeros(2), "late": np.zeros(1), "$params": {}, "stride": 2}
    steps = [call("m.f", ["$x"], None, "fwd"), method("$params", "__setitem__", [lit("g"), ref("late")]),
             copy("$params", "$after"), call("m.g", ["$dout", "$fwd.1"], None, "bwd")]
    built = program(inputs, steps, ["bwd", "dout"])
    assert built["outputs"] == ["bwd", "dout", "x@0", "x@1", "x@3"]
    assert [s["into"] for s in built["steps"]] == ["fwd", "x@0", "_", "x@1", "$after", "bwd", "x@3"]
    assert snapshots(built) == ("x@0", "x@1", "x@3")


def _in_place_layer():
    def forward(x):
        return x * 2, x

    def overwrite_cache(dout, x):
        x[x > 0] = 1  # the mask written over the caller's x
        return dout * x

    def alias_forward(x):
        x[x < 0] = 0
        return x, x

    return SimpleNamespace(forward=forward, backward=overwrite_cache, alias_forward=alias_forward,
                           backward_ok=lambda dout, x: dout * (x > 0))


@pytest.mark.parametrize("forward, backward, culprit", [
    ("alias_forward", "backward_ok", "alias_forward changed its argument 'x' in place: x[0] was -1"),
    ("forward", "backward", "backward changed 'x' in place, an array it never got as an argument: x reached it "
                            "through item 1 of what forward returned"),
    ("forward", "backward_ok", None),
])
def test_the_function_that_changed_an_input_is_named_not_the_one_after_it(forward, backward, culprit):
    """A check on forward then backward then forward again: the first step that changed x is blamed."""
    inputs = {"x": np.array([-1.0, 2.0]), "dout": np.ones(2)}
    steps = [call(f"m.{forward}", ["$x"], None, "fwd"), call(f"m.{backward}", ["$dout", "$fwd.1"], None, "bwd"),
             call(f"m.{forward}", ["$x"], None, "again")]
    built = program(inputs, steps, ["bwd"])
    check = Check("layer", 1, lambda rng: built, lambda ctx: "the check's own verdict", uses_reference=False)
    answer = run_program({**built, "inputs": {k: v.copy() for k, v in inputs.items()}}, {"m": _in_place_layer()})
    verdict = check.judge(Context(inputs, answer, None, built))
    assert verdict.startswith(culprit) if culprit else verdict == "the check's own verdict"


def test_the_input_watch_wraps_a_judge_once_even_through_replace():
    check = Check("c", 1, lambda rng: program({}, [], []), lambda ctx: None)
    again = replace(check, points=2)
    assert again.judge is check.judge and check.judge.watches_inputs


def test_functions_are_those_of_the_modules_not_methods_of_slots():
    build = lambda rng: program({"$params": {}}, [new("optimizers.SGD", {"lr": 0.1}, into="$SGD"),  # noqa: E731
                                                  method("$SGD", "step", [ref("$params")]),
                                                  entry("$params", "w", "w")], ["w"])
    assert Check("SGD", 1, build, lambda ctx: None).functions() == {"optimizers.SGD"}


STEP_SHAPES = [  # the key sets of the steps spec's builders make: every exercise must speak only these
    {"call", "args", "kwargs", "into"}, {"call", "args", "kwargs", "into", "catch"}, {"call", "args", "into"},
    {"new", "kwargs", "into"}, {"copy", "into"},
    {"perturb", "args", "kwargs", "wrt", "output", "h", "indices", "into"},
]


def _nodes_of(step: dict):
    yield from step.get("args", [])
    yield from step.get("kwargs", {}).values()


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_every_check_speaks_the_one_language(exercise):
    for check in checks_of(exercise):
        built = check.build(np.random.default_rng(check.seed))
        assert set(built) == {"inputs", "steps", "outputs"}, check.name
        for step in built["steps"]:
            assert set(step) in STEP_SHAPES, (check.name, step)
            assert all(is_node(n) for n in _nodes_of(step)), (check.name, step)
