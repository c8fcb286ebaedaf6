"""Checks as data: what a graded test sends to the sandbox and how its answer is judged.

Each exercise's registry (``autograder/suites/exerciseN.py``) is a list of
:class:`Check` objects built with the helpers here: :func:`forward_value`,
:func:`backward_value`, :func:`gradient_check`, :func:`raises` and plain
:class:`Check` for properties. A check builds a *program* (see
:mod:`autograder.sandbox.program`) from a seeded generator; the grader runs it
in the sandbox against the student's code and, for value checks, against the
reference, then calls ``judge`` on the answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from autograder.checks.compare import check_array, check_float, check_values
from autograder.sandbox.wire import Described, Typed


@dataclass
class Context:
    """Everything a judge may look at.

    ``inputs`` are the original inputs (never touched by either side),
    ``student`` the decoded outputs of the student's program, ``reference``
    the outputs of the same program on the reference (None for checks that do
    not need one), ``program`` the program itself.
    """

    inputs: dict
    student: dict
    reference: dict | None
    program: dict


@dataclass(frozen=True)
class Check:
    """One graded test.

    Parameters
    ----------
    name : str
        Shown to the student; unique within the exercise.
    points : int
    kind : str
        ``value``, ``gradcheck``, ``property``, ``shape``, ``edge`` or ``hidden``.
    build : callable
        ``build(rng) -> program``.
    judge : callable
        ``judge(context) -> None`` when the answer is right, else a message.
    hidden : bool
        Hidden checks run only with ``--hidden`` and draw a fresh seed each time.
    seed : int
        Seed of the public inputs.
    mistakes : tuple of str
        Classic mistakes (ids in :mod:`autograder.diagnostics`) to look for when it fails.
    uses_reference : bool
        Whether ``judge`` needs the reference's outputs.
    expect_error : str or None
        The exception type the student's code must raise (input validation checks).
    must_mention : tuple of str
        With ``expect_error``: text the error message must contain (the offending values).
    diagnose : tuple of str
        Output names compared with each mistake model's to name a mistake.
    """

    name: str
    points: int
    kind: str
    build: Callable[[np.random.Generator], dict]
    judge: Callable[[Context], str | None]
    hidden: bool = False
    seed: int = 0
    mistakes: tuple[str, ...] = ()
    uses_reference: bool = True
    expect_error: str | None = None
    must_mention: tuple[str, ...] = ()
    diagnose: tuple[str, ...] = ()

    def functions(self) -> set[str]:
        """``module.function`` names this check calls (the ones it cannot grade without).

        Calls on objects the program made itself (``opt.step`` after ``new``) are not counted.
        """
        program = self.build(np.random.default_rng(self.seed))
        slots = set(program["inputs"])
        needed = set()
        for step in program["steps"]:
            target = step.get("call") or step.get("new") or step.get("perturb")
            if target and target.rpartition(".")[0] not in slots:
                needed.add(target)
            slots.add(step.get("into", "_"))
        return needed


def node(value) -> dict:
    """An argument node: strings starting with ``$`` are references to inputs or slots, the rest literals."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("ref", "lit", "rng", "fn", "dict", "tuple"):
        return value
    if isinstance(value, str) and value.startswith("$"):
        name, _, index = value[1:].partition(".")
        return {"ref": name, "index": int(index)} if index else {"ref": name}
    return {"lit": value}


def call(fn: str, args=(), kwargs=None, into: str = "_") -> dict:
    """A ``call`` step; see :func:`node` for how arguments are written."""
    return {"call": fn, "args": [node(a) for a in args],
            "kwargs": {k: node(v) for k, v in (kwargs or {}).items()}, "into": into}


def short(fn: str) -> str:
    return fn.rpartition(".")[2]


def unchanged(ctx: Context, names, fn: str) -> str | None:
    """A message if the student's code modified one of the inputs ``names``."""
    for name in names:
        before, after = ctx.inputs.get(name), ctx.student.get(name)
        if isinstance(before, np.ndarray) and isinstance(after, np.ndarray) and not (
                before.shape == after.shape and np.array_equal(before, after, equal_nan=True)):
            return (f"{short(fn)} changed its argument '{name}' in place. Layers must not modify their inputs: "
                    f"compute into a new array instead (for example x.copy(), or np.maximum(x, 0) rather than x[x < 0] = 0).")
    return None


def _array_args(inputs: dict, args) -> list[str]:
    return [a[1:] for a in args if isinstance(a, str) and a.startswith("$") and "." not in a
            and isinstance(inputs.get(a[1:]), np.ndarray)]


def forward_value(name: str, points: int, fn: str, make_inputs, args, kwargs=None, *, atol=1e-8, rtol=1e-6,
                  shape_hint: str = "", mistakes=(), hidden=False, seed=0, kind="value",
                  returns_cache: bool = True) -> Check:
    """Compare the output of a forward function (item 0 of ``(out, cache)``) with the reference.

    Also fails if the function modified any of its array arguments.
    """
    out_key = "fwd.0" if returns_cache else "fwd"

    def build(rng):
        inputs = make_inputs(rng)
        return {"inputs": inputs, "steps": [call(fn, args, kwargs, "fwd")],
                "outputs": [out_key, *_array_args(inputs, args)]}

    def judge(ctx: Context):
        expected = ctx.reference[out_key]
        what = f"The output of {short(fn)}"
        if isinstance(expected, float):
            problem = check_float(ctx.student[out_key], expected, what=what, atol=atol, rtol=rtol)
        else:
            problem = check_array(ctx.student[out_key], expected, what=what, atol=atol, rtol=rtol,
                                  shape_hint=shape_hint)
        return problem or unchanged(ctx, _array_args(ctx.inputs, args), fn)

    return Check(name, points, kind, build, judge, hidden=hidden, seed=seed, mistakes=tuple(mistakes),
                 diagnose=(out_key,))


def _grads(value, names, fn) -> tuple[list, str | None]:
    if len(names) == 1:
        return [value], None
    if not isinstance(value, (tuple, list)) or len(value) != len(names):
        got = f"a {value.type_name}" if isinstance(value, (Described, Typed)) else (
            f"{len(value)} values" if isinstance(value, (tuple, list)) else f"a {type(value).__name__}")
        return [], f"{short(fn)} should return a tuple ({', '.join(names)}), but it returned {got}."
    return list(value), None


def backward_value(name: str, points: int, forward: str, backward: str, make_inputs, args, kwargs=None, *,
                   grads=("dx",), wrt=None, atol=1e-8, rtol=1e-6, mistakes=(), hidden=False, seed=0,
                   kind="value") -> Check:
    """Run forward then ``backward($dout, cache)`` and compare every gradient with the reference.

    ``make_inputs`` must provide ``dout``. ``wrt`` names the argument each
    gradient belongs to (for shape hints); by default the array arguments in order.
    """

    def build(rng):
        inputs = make_inputs(rng)
        steps = [call(forward, args, kwargs, "fwd"), call(backward, ["$dout", "$fwd.1"], None, "bwd")]
        return {"inputs": inputs, "steps": steps, "outputs": ["bwd", "dout"]}

    def judge(ctx: Context):
        student, problem = _grads(ctx.student["bwd"], grads, backward)
        if problem:
            return problem
        expected, _ = _grads(ctx.reference["bwd"], grads, backward)
        owners = wrt or _array_args(ctx.inputs, args)
        for g, owner, got, want in zip(grads, owners, student, expected):
            problem = check_array(got, want, what=f"{g} from {short(backward)}", atol=atol, rtol=rtol,
                                  shape_hint=f"{g} must have the shape of {owner}, {want.shape}")
            if problem:
                return problem
        return unchanged(ctx, ["dout"], backward)

    return Check(name, points, kind, build, judge, hidden=hidden, seed=seed, mistakes=tuple(mistakes),
                 diagnose=("bwd",))


def sample_indices(rng: np.random.Generator, shape, most: int) -> list[list[int]]:
    """Up to ``most`` distinct indices of an array of ``shape``, in row-major order."""
    size = int(np.prod(shape))
    flat = np.arange(size) if size <= most else np.sort(rng.choice(size, most, replace=False))
    return [list(map(int, np.unravel_index(i, shape))) for i in flat]


def gradient_check(name: str, points: int, forward: str, backward: str | None, make_inputs, args, kwargs=None, *,
                   grads=("dx",), wrt=("x",), h=1e-5, tol=1e-6, most=40, hidden=False, seed=0,
                   analytic_index: int = 1) -> Check:
    """Check the student's own gradients against central differences of the student's own forward.

    With ``backward`` the analytic gradients come from ``backward($dout, cache)``
    and ``make_inputs`` must provide ``dout``; without it they are item
    ``analytic_index`` of the forward's result (a loss returning ``(loss, dscores)``)
    and the forward's item 0 is a scalar. The grader computes the numerical
    gradient itself from the raw nudged outputs, in float64.
    """

    def build(rng):
        inputs = make_inputs(rng)
        steps = [call(forward, args, kwargs, "fwd")]
        if backward:
            steps.append(call(backward, ["$dout", "$fwd.1"], None, "bwd"))
        for arg in wrt:
            position = list(args).index(f"${arg}")
            steps.append({"perturb": forward, "args": [node(a) for a in args],
                          "kwargs": {k: node(v) for k, v in (kwargs or {}).items()}, "wrt": position,
                          "output": 0, "h": h, "indices": sample_indices(rng, inputs[arg].shape, most),
                          "into": f"num_{arg}"})
        analytic = "bwd" if backward else f"fwd.{analytic_index}"
        return {"inputs": inputs, "steps": steps, "outputs": [analytic, *[f"num_{a}" for a in wrt]]}

    def judge(ctx: Context):
        analytic_key = ctx.program["outputs"][0]
        analytic, problem = _grads(ctx.student[analytic_key], grads, backward or forward)
        if problem:
            return problem
        dout = ctx.inputs.get("dout") if backward else None
        steps = {s["into"]: s for s in ctx.program["steps"] if "perturb" in s}
        for g, arg, ana in zip(grads, wrt, analytic):
            problem = _compare_numeric(g, arg, ana, ctx.student[f"num_{arg}"], steps[f"num_{arg}"],
                                       ctx.inputs[arg].shape, dout, tol, forward)
            if problem:
                return problem
        return None

    return Check(name, points, "gradcheck", build, judge, hidden=hidden, seed=seed, uses_reference=False)


def _compare_numeric(g, arg, analytic, nudged, step, shape, dout, tol, forward) -> str | None:
    if not isinstance(analytic, np.ndarray) or analytic.shape != tuple(shape):
        got = getattr(analytic, "shape", type(analytic).__name__)
        return f"{g} should be an array of shape {tuple(shape)} (the shape of {arg}), but it is {got}."
    indices = [tuple(i) for i in step["indices"]]
    if dout is not None and nudged.shape[2:] != dout.shape:
        return (f"The gradient check could not run: your {short(forward)} returned an output of shape "
                f"{nudged.shape[2:]}, but dout has shape {dout.shape}; fix the output shape first.")
    diff = nudged[0] - nudged[1]                       # (K, *out.shape)
    weighted = diff if dout is None else diff * dout   # d(sum(out * dout))
    numeric = weighted.reshape(len(indices), -1).sum(axis=1) / (2 * step["h"])  # (K,)
    got = np.array([analytic[i] for i in indices], dtype=np.float64)
    if not np.all(np.isfinite(got)):
        return f"{g} from your code contains NaN or infinity."
    rel = np.abs(numeric - got) / np.maximum(np.abs(numeric) + np.abs(got), 1e-6)
    worst = int(np.argmax(rel))
    if rel[worst] <= tol:
        return None
    return (f"Gradient check of {g}: your analytic gradient disagrees with the numerical gradient of your own "
            f"{short(forward)} (central differences, h={step['h']:g}).\n"
            f"  worst relative error {rel[worst]:.3g} at {arg}{list(indices[worst])}: numerical "
            f"{numeric[worst]:.6g}, analytic {got[worst]:.6g} (tolerance {tol:g}); "
            f"{int(np.sum(rel > tol))} of {len(indices)} checked entries are off.")


def raises(name: str, points: int, fn: str, make_inputs, args, kwargs=None, *, error="ValueError",
           must_mention=(), hidden=False, seed=0) -> Check:
    """The student's function must reject bad input with ``error`` (and name the offending values)."""

    def build(rng):
        return {"inputs": make_inputs(rng), "steps": [call(fn, args, kwargs, "out")], "outputs": []}

    def judge(ctx: Context):  # only reached when nothing was raised
        return f"{short(fn)} accepted bad input instead of raising {error}."

    return Check(name, points, "edge", build, judge, hidden=hidden, seed=seed, uses_reference=False,
                 expect_error=error, must_mention=tuple(must_mention))


def values_close(what: str, got, want, atol=1e-8, rtol=1e-6) -> str | None:
    """Shortcut for property judges."""
    if not isinstance(got, np.ndarray):
        return check_array(got, np.asarray(want), what=what, atol=atol, rtol=rtol)
    return check_values(got, want, what=what, atol=atol, rtol=rtol)
