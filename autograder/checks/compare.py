"""Compare what a student's code returned with what was expected, and say how they differ.

Every message speaks to the student: what was expected, what came, where.
"""

from __future__ import annotations

import numpy as np

from autograder.sandbox.wire import Described, Typed


# What a result can honestly carry, by dtype. A float32 layer rounds at every
# step (eps = 1.19e-7), and two correct implementations that add in another
# order (OpenBLAS's AVX2 and AVX-512 kernels do) differ by several eps of the
# array's largest value: measured up to 6e-7 of it on convolutions of 144-term
# sums, which at an entry near zero is a relative error of 0.6%. So a float32
# comparison allows 100 eps relative to each entry and to the array's scale.
# float64 keeps each caller's own tolerances (1e-8 and tighter).
ROUNDING_STEPS = 100
STORED_RTOL, STORED_ATOL = 1e-8, 1e-9  # stored float64 answers: a hundred times tighter than any check


def tolerances(expected: np.ndarray, rtol: float, atol: float) -> tuple[float, float]:
    """``(rtol, atol)`` for comparing with ``expected``: the caller's, widened to what its dtype can carry."""
    dtype = np.asarray(expected).dtype
    if dtype.kind != "f" or np.finfo(dtype).eps <= np.finfo(np.float64).eps:
        return rtol, atol
    margin = ROUNDING_STEPS * float(np.finfo(dtype).eps)
    scale = float(np.max(np.abs(expected), initial=0.0)) if np.all(np.isfinite(expected)) else 1.0
    return max(rtol, margin), max(atol, margin * scale)


def same_within_rounding(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two computations of the same answer agree to rounding: same shape and dtype, close values.

    Used on stored answers against freshly computed ones: float64 within
    1e-8 relative, float32 within what float32 carries (:func:`tolerances`).
    """
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    rtol, atol = tolerances(b, STORED_RTOL, STORED_ATOL)
    return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


def article(noun: str) -> str:
    """``a list``, ``an int``."""
    return f"{'an' if noun[:1].lower() in 'aeiou' or noun.startswith('nd') else 'a'} {noun}"  # an ndarray


def _fmt(x) -> str:
    return f"{float(x) + 0.0:.6g}"  # + 0.0 turns -0.0 into 0.0: "expected -0" only puzzles a student


def excerpt(a: np.ndarray, index: tuple) -> str:
    """A small window of ``a`` (at most 3x3 in its last two axes) around ``index``."""
    if a.ndim == 0:
        return np.array2string(a, precision=4)
    lead = index[:-2] if a.ndim >= 2 else ()
    window = (a[lead] if lead else a) + 0.0  # no -0. in the excerpt either
    if window.ndim == 1:
        i = index[-1]
        lo = max(0, i - 2)
        return f"[{lo}:{lo + 5}] " + np.array2string(window[lo:lo + 5], precision=4, suppress_small=True)
    i, j = index[-2], index[-1]
    r0, c0 = max(0, i - 1), max(0, j - 1)
    body = np.array2string(window[r0:r0 + 3, c0:c0 + 3], precision=4, suppress_small=True)
    where = f"{list(lead)} " if lead else ""
    return f"{where}rows {r0}..{min(r0 + 3, window.shape[0]) - 1}, cols {c0}..{min(c0 + 3, window.shape[1]) - 1}:\n{body}"


def check_array(actual, expected: np.ndarray, *, what: str, atol: float, rtol: float,
                shape_hint: str = "") -> str | None:
    """None if ``actual`` matches ``expected`` in type, shape, dtype and values; else a message."""
    if isinstance(actual, Described):
        return f"{what} should be a NumPy array, but your code returned {article(actual.type_name)}."
    if isinstance(actual, Typed):
        return (f"{what} is a {actual.type_name}; return a plain numpy.ndarray "
                f"(np.asarray(...) turns it into one).")
    if not isinstance(actual, np.ndarray):
        return f"{what} should be a NumPy array, but your code returned {article(type(actual).__name__)}."
    if actual.shape != expected.shape:
        hint = f" ({shape_hint})" if shape_hint else ""
        return f"{what} has shape {actual.shape}, but shape {expected.shape} was expected{hint}."
    if expected.dtype.kind == "f" and actual.dtype != expected.dtype:
        return (f"{what} has dtype {actual.dtype}, but {expected.dtype} was expected: the output should keep "
                f"the dtype of the input.")
    return check_values(actual, expected, what=what, atol=atol, rtol=rtol)


def check_values(actual: np.ndarray, expected: np.ndarray, *, what: str, atol: float, rtol: float) -> str | None:
    """None if the values agree within ``atol + rtol * |expected|``; else where and by how much they differ.

    For a float32 (or float16) ``expected`` the tolerances are widened to what
    that dtype can carry (:func:`tolerances`).
    """
    rtol, atol = tolerances(expected, rtol, atol)
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    bad_nan = ~np.isfinite(a) & np.isfinite(e)
    if bad_nan.any():
        index = tuple(int(i) for i in np.argwhere(bad_nan)[0])
        return (f"{what} contains {a[index]} at index {index}, where {_fmt(e[index])} was expected "
                f"(an overflow, or a division by zero?).")
    err = np.asarray(np.abs(a - e))  # stays an array for 0-d losses
    err[np.isnan(a) & np.isnan(e)] = 0.0
    if np.all(err <= atol + rtol * np.abs(e)):
        return None
    index = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
    index = tuple(int(i) for i in index)
    # Relative error only means something at wrong entries whose expected value is not (nearly) zero.
    scale = (np.abs(e) > atol) & (err > atol + rtol * np.abs(e))
    rel = np.where(scale, err / np.where(scale, np.abs(e), 1.0), 0.0)
    relative = f", largest relative error {_fmt(rel.max())}" if scale.any() else ""
    lines = [
        f"{what} has wrong values: largest absolute error {_fmt(err.max())}{relative}.",
        f"  first worst index {index}: expected {_fmt(e[index])}, got {_fmt(a[index])}.",
    ]
    if a.ndim:
        lines.append("  expected " + excerpt(e, index).replace("\n", "\n  "))
        lines.append("  got      " + excerpt(a, index).replace("\n", "\n  "))
    return "\n".join(lines)


def check_float(actual, expected: float, *, what: str, atol: float, rtol: float) -> str | None:
    """Scalar losses are Python floats; None if ``actual`` is one and is close to ``expected``."""
    if isinstance(actual, Typed):
        return f"{what} is a {actual.type_name}; return a Python float (float(...))."
    if isinstance(actual, bool) or not isinstance(actual, float):
        kind = actual.type_name if isinstance(actual, Described) else type(actual).__name__
        return f"{what} should be a Python float, but your code returned {article(kind)}."
    return check_values(np.float64(actual), np.float64(expected), what=what, atol=atol, rtol=rtol)


def matches(actual, model) -> bool:
    """Whether a student's value equals a mistake model's value (same shape, close values, NaN where NaN)."""
    actual = actual.value if isinstance(actual, Typed) else actual
    model = model.value if isinstance(model, Typed) else model
    if isinstance(model, (tuple, list)):
        return isinstance(actual, (tuple, list)) and len(actual) == len(model) and all(
            matches(a, m) for a, m in zip(actual, model))
    if isinstance(model, dict):
        return isinstance(actual, dict) and set(actual) == set(model) and all(
            matches(actual[k], m) for k, m in model.items())
    try:
        rtol, atol = tolerances(np.asarray(model), 1e-6, 1e-8)
        a, m = np.asarray(actual, dtype=np.float64), np.asarray(model, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == m.shape and bool(np.allclose(a, m, rtol=rtol, atol=atol, equal_nan=True))
