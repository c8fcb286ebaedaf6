"""The small language a check speaks: named inputs, a list of calls, the names to send back.

A *program* is a plain dict::

    {"inputs": {"x": array, "dout": array, ...},
     "steps": [{"call": "convolution.conv_forward", "args": [{"ref": "x"}, ...],
                "kwargs": {"stride": {"lit": 2}}, "into": "fwd"},
               {"call": "convolution.conv_backward",
                "args": [{"ref": "dout"}, {"ref": "fwd", "index": 1}], "into": "grads"}],
     "outputs": ["fwd.0", "grads", "x"]}

The sandbox child runs it against the student's modules; the grader runs the
very same program against the reference (or a reference with one classic
mistake swapped in), so both sides are computed by one piece of code. Only
the standard library and NumPy are imported here.

Steps:
- ``call``: call ``module.function`` (or ``slot.method``) with resolved args, store the result;
  with ``"catch": True`` an exception it raises (other than NotImplementedError, a stub's) is
  stored instead, as its type's name, and the program goes on (to look at what the call left behind, such as an x restored after f raised);
- ``new``: construct ``module.Class(**kwargs)``;
- ``copy``: store a deep copy of a slot (a snapshot of parameters after an optimizer step);
- ``perturb``: call a function with one argument nudged by +h and -h at each index
  (all indices unless ``indices`` is given) and store the stacked outputs, shape
  ``(2, K, *out.shape)``, from which the grader computes numerical gradients.

Argument nodes: ``{"ref": name, "index": i}``, ``{"lit": value}``, ``{"rng": seed}``
(a fresh ``np.random.default_rng(seed)``), ``{"fn": name}`` (one of
:data:`TEST_FUNCTIONS`), ``{"dict": {...}}`` and ``{"tuple": [...]}`` of nodes.
"""

from __future__ import annotations

import copy

import numpy as np

# Functions whose gradients the grader knows in closed form, for exercising a
# student's numerical-gradient code.
TEST_FUNCTIONS = {
    "cube_sum": lambda x: float(np.sum(x ** 3)),         # grad 3 x^2
    "sin": np.sin,                                        # grad of sum(sin(x) * dout) = cos(x) dout
    "exp_dot": lambda x: float(np.sum(np.exp(0.5 * x))),  # grad 0.5 exp(0.5 x)
}


def _cube_sum_up_to_2(x):
    """sum(x^3) while every entry is <= 2; raises for x beyond 2 (an f that fails part-way through a gradient)."""
    if np.any(x > 2.0):
        raise RuntimeError("f is defined for x <= 2 only")
    return float(np.sum(x ** 3))


TEST_FUNCTIONS["cube_sum_up_to_2"] = _cube_sum_up_to_2


class StepError(Exception):
    """A step raised; ``step`` names it, ``__cause__`` is the original exception."""

    def __init__(self, index: int, where: str):
        super().__init__(f"step {index} ({where})")
        self.index, self.where = index, where


class ContractError(TypeError):
    """A result does not have the form the layer contract promises (a tuple where one is due)."""


def item(value, index: int, origin: str):
    """``value[index]`` for a tuple or list result, or a ContractError that names ``origin``."""
    if not isinstance(value, (tuple, list)) or len(value) <= index:
        name = type(value).__name__
        article = "an" if name[0] in "aeiou" or name.startswith("nd") else "a"  # an ndarray
        kind = f"{article} {name}" if not isinstance(value, (tuple, list)) else f"{len(value)} values"
        raise ContractError(f"{origin} returned {kind}, but a tuple with at least {index + 1} items was expected")
    return value[index]


def resolve(node, slots: dict, origins: dict | None = None):
    """Turn an argument node into a value, looking references up in ``slots``."""
    if "ref" in node:
        value = slots[node["ref"]]
        if "index" not in node:
            return value
        return item(value, node["index"], (origins or {}).get(node["ref"], node["ref"]))
    if "lit" in node:
        return node["lit"]
    if "rng" in node:
        seed = node["rng"]
        return np.random.default_rng(resolve(seed, slots, origins) if isinstance(seed, dict) else seed)
    if "fn" in node:
        return TEST_FUNCTIONS[node["fn"]]
    if "dict" in node:
        return {k: resolve(v, slots, origins) for k, v in node["dict"].items()}
    if "tuple" in node:
        return tuple(resolve(v, slots, origins) for v in node["tuple"])
    raise ValueError(f"unknown argument node {sorted(node)}")


def _target(name: str, modules, slots: dict):
    owner, _, attr = name.rpartition(".")
    base = slots[owner] if owner in slots else modules[owner]
    return getattr(base, attr)


def _perturbed(fn, args: list, kwargs: dict, step: dict) -> np.ndarray:
    x = np.asarray(args[step["wrt"]])
    h = step.get("h", 1e-5)
    indices = step.get("indices") or list(np.ndindex(x.shape))
    outs = []
    for sign in (1.0, -1.0):
        for index in indices:
            nudged = x.copy()
            nudged[tuple(index)] += sign * h
            call_args = list(args)
            call_args[step["wrt"]] = nudged
            out = fn(*call_args, **kwargs)
            if "output" in step:
                out = item(out, step["output"], step["perturb"])
            outs.append(np.asarray(out, dtype=np.float64))
    shapes = {o.shape for o in outs}
    if len(shapes) != 1:
        raise ValueError(f"returned outputs of different shapes for nudged inputs: {sorted(shapes)}")
    return np.stack(outs).reshape(2, len(indices), *outs[0].shape)  # (2, K, *out.shape)


def run_program(program: dict, modules) -> dict:
    """Run ``program`` against ``modules`` (a mapping of module name to module-like object).

    Returns
    -------
    dict
        Each requested output name mapped to its value; ``"name.i"`` picks item ``i``.

    Raises
    ------
    StepError
        With the original exception as ``__cause__``, if a step raises.
    """
    slots = dict(program["inputs"])
    origins: dict[str, str] = {}
    for index, step in enumerate(program["steps"]):
        where = step.get("call") or step.get("new") or step.get("perturb") or step.get("copy")
        owner, _, attr = where.rpartition(".")
        if owner in slots:  # a method of an object the program made: name it by its class (Adam.step)
            where = f"{type(slots[owner]).__name__}.{attr}"
        try:
            if "copy" in step:
                slots[step["into"]] = copy.deepcopy(slots[step["copy"]])
                continue
            fn = _target(step.get("call") or step.get("new") or step["perturb"], modules, slots)
            args = [resolve(a, slots, origins) for a in step.get("args", [])]
            kwargs = {k: resolve(v, slots, origins) for k, v in step.get("kwargs", {}).items()}
            if "perturb" in step:
                slots[step["into"]] = _perturbed(fn, args, kwargs, step)
            elif step.get("catch"):
                try:
                    slots[step.get("into", "_")] = fn(*args, **kwargs)
                except NotImplementedError:  # a stub not yet written is no answer: it stays "not started"
                    raise
                except Exception as error:  # the exception is the answer: the program goes on
                    slots[step.get("into", "_")] = type(error).__name__
            else:
                slots[step.get("into", "_")] = fn(*args, **kwargs)
            origins[step.get("into", "_")] = where
        except (Exception, SystemExit) as error:  # sys.exit in a layer is the student's error too
            raise StepError(index, where) from error
    outputs = {}
    for name in program["outputs"]:
        base, _, index = name.partition(".")
        try:
            outputs[name] = item(slots[base], int(index), origins.get(base, base)) if index else slots[base]
        except ContractError as error:
            raise StepError(len(program["steps"]), origins.get(base, base)) from error
    return outputs
