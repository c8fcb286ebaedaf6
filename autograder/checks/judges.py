"""Judges that several exercises share: inputs left unchanged, float32 kept, output shapes before gradients.

A judge takes a :class:`~autograder.checks.spec.Context` and returns None when
the answer is right, else a message for the student. Where exercises word the
same verdict their own way, the wording is a parameter and the looking is here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Hashable, Iterable

import numpy as np

from autograder.checks.compare import check_array, check_values

if TYPE_CHECKING:
    from autograder.checks.spec import Check, Context

Judge = Callable[["Context"], "str | None"]


def short_name(function: str) -> str:
    """``fn`` of ``module.fn`` (or ``method`` of ``$slot.method``): how messages name a function."""
    return function.rpartition(".")[2]


# --- unchanged inputs --------------------------------------------------------------------------------------------

def _intact(before: np.ndarray, after) -> bool:
    """Whether ``after`` is still the array ``before``: same shape, same values (NaN where NaN)."""
    return (isinstance(after, np.ndarray) and after.shape == before.shape
            and np.array_equal(after, before, equal_nan=True))


def changed_key(before: dict, after) -> Hashable | None:
    """The first key of ``before`` (a dict of arrays) that ``after`` no longer holds as it was; None if none.

    An entry counts as changed when it is missing from ``after``, is no longer
    an array, or has another shape or other values.
    """
    for key, array in before.items():
        if not _intact(array, after.get(key) if isinstance(after, dict) else None):
            return key
    return None


def unchanged(ctx: Context, names: Iterable[str], message: Callable[[str, Hashable | None], str]) -> str | None:
    """A message if the student's code modified one of the inputs ``names`` in place; None if it did not.

    Parameters
    ----------
    ctx : Context
        The student's outputs must include each of ``names`` (the inputs as the code left them).
    names : iterable of str
        Inputs that are arrays or dicts of arrays. An array counts as modified when
        its values or shape changed; a dict when one of its entries did (see :func:`changed_key`).
    message : callable
        ``message(name, key) -> str`` words the verdict; ``key`` is None for an array,
        the changed entry's key for a dict.
    """
    for name in names:
        before, after = ctx.inputs.get(name), ctx.student.get(name)
        if isinstance(before, dict):
            key = changed_key(before, after)
            if key is not None:
                return message(name, key)
        elif isinstance(before, np.ndarray) and isinstance(after, np.ndarray) and not _intact(before, after):
            return message(name, None)
    return None


def inputs_unchanged(ctx: Context, names: Iterable[str], function: str) -> str | None:
    """A message if the layer ``function`` modified one of its array arguments ``names`` in place."""
    return unchanged(ctx, names, lambda name, _: (
        f"{short_name(function)} changed its argument '{name}' in place. Layers must not modify their inputs: "
        f"compute into a new array instead (for example x.copy(), or np.maximum(x, 0) rather than x[x < 0] = 0)."))


# --- every step leaves the caller's arrays as they were ----------------------------------------------------------

SNAPSHOT = "@"  # ``x@2``: the program's input x as it was right after step 2


def snapshot_of(step: dict) -> str | None:
    """The input a ``copy`` step snapshots, if it is one of :func:`~autograder.checks.spec.program`'s; else None."""
    into = step.get("into", "")
    return step["copy"] if "copy" in step and into.startswith(step["copy"] + SNAPSHOT) else None


def _where_changed(name: str, before: np.ndarray, after, function: str) -> str:
    """What the numbers show: the first changed entry, before and after ``function`` ran."""
    if not isinstance(after, np.ndarray) or after.shape != before.shape:
        got = getattr(after, "shape", type(after).__name__)
        return f"{name} had shape {before.shape} before {function} ran and {got} after"
    same = after == before
    if before.dtype.kind in "fc":
        same |= np.isnan(after) & np.isnan(before)
    changed = ~same
    index = tuple(int(i) for i in np.argwhere(changed)[0])
    was, now = before[index].item(), after[index].item()
    if f"{was:.6g}" == f"{now:.6g}":  # a last-digit change: show every digit
        was, now = repr(was), repr(now)
    else:
        was, now = f"{was:.6g}", f"{now:.6g}"
    return (f"{name}{list(index)} was {was} before {function} ran and {now} after; "
            f"{int(changed.sum())} of {changed.size} entries changed")


def _route(step: dict, name: str, steps: list) -> str | None:
    """How the input ``name`` reached ``step``: None when it is one of its arguments, else which result held it."""
    nodes = [*step.get("args", []), *step.get("kwargs", {}).values()]
    if {"ref": name} in nodes:
        return None
    for node in nodes:
        if "ref" in node and "index" in node:
            maker = next((s.get("call") for s in steps if s.get("into") == node["ref"] and "call" in s), None)
            if maker:
                return f"item {node['index']} of what {short_name(maker)} returned"
    return "another argument"


def modified_in_place(ctx: Context) -> str | None:
    """A message naming the first step that changed one of the program's array inputs in place; None if none did.

    :func:`~autograder.checks.spec.program` snapshots every watched input after
    every step (``x@2``); the function to blame is the one whose step the first
    changed snapshot follows, never a later one that only saw the damage.
    """
    steps = ctx.program["steps"]
    last = None
    for step in steps:
        name = snapshot_of(step)
        if name is None:
            last = step if "copy" not in step else last
            continue
        before, after = ctx.inputs.get(name), ctx.student.get(step["into"])
        if last is None or not isinstance(before, np.ndarray) or _intact(before, after):
            continue
        function = short_name(last.get("call") or last.get("perturb") or last.get("new"))
        where = _where_changed(name, before, after, function)
        route = _route(last, name, steps)
        if route is None:
            return (f"{function} changed its argument '{name}' in place: {where}. Functions must not modify "
                    f"the arrays they are given: compute into a new array instead (np.maximum(x, 0) rather than "
                    f"x[x < 0] = 0, dout * mask rather than dx = dout; dx[~mask] = 0), or take a .copy() before "
                    f"changing entries. A function that changes entries on purpose, as numerical_gradient nudges "
                    f"x, must put back exactly the values it saved.")
        return (f"{function} changed '{name}' in place, an array it never got as an argument: {name} reached it "
                f"through {route}, which holds {name} itself, not a copy: {where}. A cache is for reading; "
                f"write into new arrays (mask = x > 0, then dx = dout * mask), or the caller's {name} is lost "
                f"to everything that uses it afterwards (another backward pass, a gradient check).")
    return None


# --- dtype -------------------------------------------------------------------------------------------------------

def found_dtype(value):
    """What ``value`` is, for a dtype message: its dtype, or its type's name when it has none."""
    return getattr(value, "dtype", type(value).__name__)


def keeps_float32(outputs: Iterable[str] | Callable[[Context], Iterable[str]],
                  message: Callable[[Context, str, object], str]) -> Judge:
    """A judge: each of ``outputs`` must be a float32 array, as the program's inputs were.

    Only the dtype is judged; the values are the other checks' business.

    Parameters
    ----------
    outputs : iterable of str, or callable
        Names of the student's outputs, or ``outputs(ctx)`` giving them when the program decides.
    message : callable
        ``message(ctx, name, found) -> str`` for the first output that is not float32;
        ``found`` is its dtype, or its type's name when it is not an array.
    """

    def judge(ctx: Context) -> str | None:
        for name in outputs(ctx) if callable(outputs) else outputs:
            got = ctx.student[name]
            if not (isinstance(got, np.ndarray) and got.dtype == np.float32):
                return message(ctx, name, found_dtype(got))
        return None

    return judge


# --- values and shapes -------------------------------------------------------------------------------------------

def values_close(what: str, got, want, atol=1e-8, rtol=1e-6) -> str | None:
    """None if ``got`` is close to ``want``; else a message that calls the value ``what``. For property judges."""
    if not isinstance(got, np.ndarray):
        return check_array(got, np.asarray(want), what=what, atol=atol, rtol=rtol)
    return check_values(got, want, what=what, atol=atol, rtol=rtol)


def output_shape_first(check: Check, hint: str) -> Check:
    """``check`` (a gradient check with a backward) whose feedback, when the forward output's shape
    differs from dout's, names the output-size formula ``hint`` with this case's numbers."""

    def judge(ctx: Context) -> str | None:
        dout = ctx.inputs["dout"]
        for name, nudged in ctx.student.items():
            if name.startswith("num_") and isinstance(nudged, np.ndarray) and nudged.shape[2:] != dout.shape:
                forward = short_name(ctx.program["steps"][0]["call"])
                return (f"The gradient check needs {forward}'s output to have the shape of dout, {dout.shape}, but "
                        f"it has shape {nudged.shape[2:]} ({hint}).")
        return check.judge(ctx)

    return replace(check, judge=judge)
