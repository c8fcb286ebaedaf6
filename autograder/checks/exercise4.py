"""Exercise 4, pooling: max and average pooling, forward and backward.

Inputs for max pooling are distinct values (at least 0.01 apart, far more than
the gradient check's h) except in the tests about ties, which use small
integers on purpose.
"""

from __future__ import annotations

import numpy as np

from autograder.checks.inputs import Case, size_formula
from autograder.checks.judges import output_shape_first, short_name
from autograder.checks.spec import (Check, Hint, backward_value, forward_then_backward, forward_value, gradient_check,
                                    layer_keeps_float32, program, raises, with_requirements)

MODULE = "pooling"
MAX_POOL_FORWARD, MAX_POOL_BACKWARD = f"{MODULE}.max_pool_forward", f"{MODULE}.max_pool_backward"
AVG_POOL_FORWARD, AVG_POOL_BACKWARD = f"{MODULE}.avg_pool_forward", f"{MODULE}.avg_pool_backward"
MAX_POOL = (MAX_POOL_FORWARD, MAX_POOL_BACKWARD)  # as backward_value and gradient_check take them
AVG_POOL = (AVG_POOL_FORWARD, AVG_POOL_BACKWARD)
FORMULA = size_formula("H", "pool_size", padded=False)


def distinct(rng, shape) -> np.ndarray:
    """Values in [-2, 2) that are all different, so every window has one clear maximum."""
    size = int(np.prod(shape))
    return ((rng.permutation(size) - size / 2) * (4.0 / max(size, 200))).reshape(shape)


def ties(rng, shape) -> np.ndarray:
    """Small integers: most windows have several equal maxima."""
    return rng.integers(0, 3, shape).astype(np.float64)


MAX_CASES = {
    "2x2 stride 2": Case((2, 3, 4, 6), pool=2, stride=2, values=distinct),
    "pool 3 stride 1 (overlapping)": Case((2, 2, 5, 6), pool=3, stride=1, values=distinct),
    # (8 - 3) / 2 + 1 = 3.5 and (6 - 3) / 2 + 1 = 2.5: floor gives (3, 2), round() (4, 2), ceil (4, 3)
    "pool 3 stride 2 (overlapping, stride does not divide)": Case((2, 2, 8, 6), pool=3, stride=2, values=distinct),
    "batch of 1, non-square input": Case((1, 3, 4, 7), pool=2, stride=2, values=distinct),
}
AVG_CASES = {label: MAX_CASES[label] for label in list(MAX_CASES)[:3]}

MAX_MISTAKES = ("pool-max-overwrite", "pool-max-overwrite-window", "pool-max-ties-all", "pool-max-ties-last")
AVG_MISTAKES = ("pool-avg-not-divided", "pool-avg-divided-by-side", "pool-avg-overwrite")


def worked_example(rng) -> dict:
    """The 4x4 example of every pooling lecture: 2x2 max gives [[6, 8], [3, 4]], the mean [[3.25, 5.25], [2, 2]]."""
    x = np.array([[1.0, 1.0, 2.0, 4.0], [5.0, 6.0, 7.0, 8.0], [3.0, 2.0, 1.0, 0.0], [1.0, 2.0, 3.0, 4.0]])
    return {"x": x.reshape(1, 1, 4, 4), "dout": np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)}


def tied_example(rng) -> dict:
    """Ties by hand. With dout [[1, 2], [3, 4]], the first maxima in row-major order are (0, 1), (0, 2),
    (2, 0) and (2, 2): dx is 1, 2, 3, 4 there and 0 elsewhere."""
    x = np.array([[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 0.0, 0.0], [2.0, 2.0, 5.0, 5.0], [2.0, 1.0, 5.0, 5.0]])
    return {"x": x.reshape(1, 1, 4, 4), "dout": np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)}


TWO_BY_TWO = {"pool_size": 2, "stride": 2}
TIED_OVERLAP = Case((2, 2, 5, 6), pool=3, stride=1, values=ties)


def gradient_adds_up(backward: str, what: str):
    """Every window hands on exactly its dout (max: all of it to one input; mean: 1/k^2 to each of k^2 inputs)."""

    def judge(ctx):
        dx, dout = ctx.student["bwd"], ctx.inputs["dout"]
        shape = ctx.inputs["x"].shape
        if not isinstance(dx, np.ndarray) or dx.shape != shape:
            got = getattr(dx, "shape", type(dx).__name__)
            return f"{backward} should return dx of shape {shape} (the shape of x), but it is {got}."
        if np.isclose(dx.sum(), dout.sum(), rtol=1e-9, atol=1e-9):
            return None
        return (f"The entries of dx should add up to the sum of dout, {dout.sum():.6g}: {what}. Yours add up to "
                f"{dx.sum():.6g}, {dx.sum() / dout.sum():.4g} times as much.")

    return judge


def sums_check(name, layer, case, what, mistakes) -> Check:
    """dx of ``layer`` (forward, backward) on ``case`` with a positive dout must add up to dout's sum."""
    forward, backward = layer

    def build(rng):
        inputs = case.inputs(rng)
        inputs["dout"] = rng.uniform(0.5, 1.5, case.out)  # positive: no sum cancels out, ratios mean something
        return program(inputs, forward_then_backward(forward, backward, ["$x"], case.kwargs), ["bwd"])

    return Check(name, 1, build, gradient_adds_up(short_name(backward), what), uses_reference=False,
                 mistakes=mistakes, diagnose=("bwd",))


# H - pool_size, the span a window slides over, for stride 2 and 3: (H - pool_size) / stride + 1 ends in .5
# above an odd number or in .67 along H, where round() and ceil go one up from floor, and in .5 above an even
# number or in .33 along W, where only ceil goes up.
SPANS = {2: ((1, 5), (3, 7)), 3: ((2, 5), (1, 4))}


def remainders(values):
    """Random shapes, pool size and stride 2 or 3 for the hidden forward checks, with spans (:data:`SPANS`)
    whose remainders tell floor division, round() and ceil apart on every draw."""

    def inputs(rng) -> dict:
        N, C = (int(v) for v in rng.integers(1, [3, 4]))
        pool, stride = int(rng.integers(1, 4)), int(rng.integers(2, 4))
        H, W = (pool + int(pick[rng.integers(2)]) for pick in SPANS[stride])
        return {**Case((N, C, H, W), pool=pool, stride=stride, values=values).inputs(rng), "pool_size": pool,
                "stride": stride}
    return inputs


def overlapping(values, small: bool = False):
    """Random shapes for the hidden backward checks, drawn so that every classic mistake shows.

    N >= 2, pool 2 to 4 and stride < pool (windows overlap) with W' >= 2, and in one channel
    of one example its largest value sits where the first two windows of a row overlap: it
    is the maximum of both, so both their gradients must add up there. With small integers
    (``ties``) another example gets a tie planted in its first window, on its first cell
    (which no other window has) and on one more.

    ``small`` draws at most 2 x 1 x 6 x 7 inputs, so that a gradient check can nudge every
    entry, the shared maximum included: a sample of entries would see an overwritten
    gradient on some draws only.
    """
    bounds = (3, 2, 7, 8) if small else (4, 4, 8, 9)  # exclusive bounds of N, C, H and W

    def inputs(rng) -> dict:
        N, C = (int(v) for v in rng.integers([2, 1], bounds[:2]))
        pool = int(rng.integers(2, 5))
        stride = int(rng.integers(1, pool))
        H, W = int(rng.integers(pool, bounds[2])), int(rng.integers(pool + stride, bounds[3]))
        data = Case((N, C, H, W), pool=pool, stride=stride, values=values).inputs(rng)
        n = int(rng.integers(N))
        plane = data["x"][n, int(rng.integers(C))]  # (H, W), a view
        cell = int(rng.integers(pool)), int(rng.integers(stride, pool))  # in windows (0, 0) and (0, 1)
        if values is ties:
            plane[cell] = 3.0  # above every drawn value
            window = data["x"][(n + 1) % N, int(rng.integers(C)), :pool, :pool]  # (pool, pool), a view
            window[0, 0] = window[int(rng.integers(1, pool)), int(rng.integers(pool))] = 3.0
        else:
            top = np.unravel_index(int(np.argmax(plane)), plane.shape)
            plane[top], plane[cell] = plane[cell], plane[top]  # a swap: the values stay distinct
        return {**data, "pool_size": pool, "stride": stride}
    return inputs


FRESH_KWARGS = {"pool_size": "$pool_size", "stride": "$stride"}


FORWARD_MISTAKES = ("pool-output-size-round",)


def pool_layer(label, layer, cases, mistakes) -> list[Check]:
    """A forward and a backward value test for each of ``cases``; ``mistakes`` are the backward's."""
    forward, _ = layer
    return [
        forward_value(f"{label} forward, {name}", 1, forward, c.inputs, ["$x"], c.kwargs, shape_hint=c.hint,
                      mistakes=FORWARD_MISTAKES)
        for name, c in cases.items()
    ] + [
        backward_value(f"{label} backward, {name}", 1, *layer, c.inputs, ["$x"], c.kwargs, mistakes=mistakes)
        for name, c in cases.items()
    ]


def hidden_layer(label, layer, values, mistakes) -> list[Check]:
    """Forward values, backward values and a gradient check on fresh random shapes."""
    forward, _ = layer
    return [
        forward_value(f"{label} forward, fresh random shapes", 1, forward, remainders(values), ["$x"], FRESH_KWARGS,
                      shape_hint=FORMULA, hidden=True, mistakes=FORWARD_MISTAKES),
        backward_value(f"{label} backward, fresh random shapes", 1, *layer, overlapping(values), ["$x"],
                       FRESH_KWARGS, mistakes=mistakes, hidden=True),
        output_shape_first(gradient_check(f"{label} gradient check, fresh random shapes", 1, *layer,
                                          overlapping(distinct, small=True), ["$x"], FRESH_KWARGS, most=84,
                                          hidden=True),
                           FORMULA),
    ]


def grad_check(label, layer, case: Case) -> Check:
    """A gradient check of ``layer`` on ``case``, named by its pool size and stride."""
    name = f"{label} gradient check, pool {case.pool} stride {case.stride}"
    return output_shape_first(gradient_check(name, 2, *layer, case.inputs, ["$x"], case.kwargs, most=30), case.hint)


FLOAT32 = Case((2, 2, 5, 6), pool=3, stride=2, values=distinct, dtype="float32")


def float32_forward(label, forward) -> Check:
    """The forward on float32 x must match the reference, dtype included."""
    return forward_value(f"{label} forward keeps float32", 1, forward, FLOAT32.inputs, ["$x"], FLOAT32.kwargs,
                         atol=1e-6, rtol=1e-5)


def too_big(rng) -> dict:
    """x of shape (1, 2, 3, 5): a pool of 4 does not fit its height."""
    return {"x": rng.standard_normal((1, 2, 3, 5))}


POOL_OF_4 = {"pool_size": 4, "stride": 1}


def three_axes(rng) -> dict:
    """x of shape (2, 5, 5): no channel axis."""
    return {"x": rng.standard_normal((2, 5, 5))}


def fits(rng) -> dict:
    """x of shape (1, 2, 4, 4): any pool up to 4 fits."""
    return {"x": rng.standard_normal((1, 2, 4, 4))}

# A gradient or property check earns its points only once the value checks of what it exercises pass.
REQUIRES = {
    "max pool gradient adds up to dout": ("max pool forward, pool 3 stride 1 (overlapping)",),
    "max pool gradient check, pool 3 stride 2": ("max pool forward, pool 3 stride 2 (overlapping, stride does not "
                                                 "divide)",),
    "avg pool gradient adds up to dout": ("avg pool forward, pool 3 stride 1 (overlapping)",),
    "avg pool gradient check, pool 3 stride 1": ("avg pool forward, pool 3 stride 1 (overlapping)",),
    "max pool rejects a pool larger than the input": ("max pool forward, worked example",),
    "max pool backward keeps float32": ("max pool forward keeps float32", "max pool backward, 2x2 stride 2"),
    "avg pool backward keeps float32": ("avg pool forward keeps float32", "avg pool backward, 2x2 stride 2"),
    "avg pool rejects a pool larger than the input": ("avg pool forward, worked example",),
    "max pool rejects stride 0": ("max pool forward, worked example",),
    "max pool rejects pool_size 0": ("max pool forward, worked example",),
    "avg pool rejects pool_size 0": ("avg pool forward, worked example",),
    "avg pool rejects an input that is not 4-D": ("avg pool forward, worked example",),
    "max pool gradient check, fresh random shapes": ("max pool forward, fresh random shapes",),
    "avg pool gradient check, fresh random shapes": ("avg pool forward, fresh random shapes",),
}

CHECKS = with_requirements([
    forward_value("max pool forward, worked example", 1, MAX_POOL_FORWARD, worked_example, ["$x"], TWO_BY_TWO,
                  shape_hint=FORMULA),
    backward_value("max pool backward, worked example", 1, *MAX_POOL, worked_example, ["$x"], TWO_BY_TWO,
                   mistakes=MAX_MISTAKES),
    *pool_layer("max pool", MAX_POOL, MAX_CASES, MAX_MISTAKES),
    backward_value("max pool backward, ties go to the first maximum", 2, *MAX_POOL, tied_example, ["$x"],
                   TWO_BY_TWO, mistakes=MAX_MISTAKES),
    backward_value("max pool backward, ties in overlapping windows", 1, *MAX_POOL, TIED_OVERLAP.inputs, ["$x"],
                   TIED_OVERLAP.kwargs, mistakes=MAX_MISTAKES),
    sums_check("max pool gradient adds up to dout", MAX_POOL, TIED_OVERLAP,
               "each window sends all of its gradient to exactly one input, its first maximum, and an input that "
               "wins several overlapping windows collects each of their gradients", MAX_MISTAKES),
    grad_check("max pool", MAX_POOL, MAX_CASES["pool 3 stride 2 (overlapping, stride does not divide)"]),
    forward_value("avg pool forward, worked example", 1, AVG_POOL_FORWARD, worked_example, ["$x"], TWO_BY_TWO,
                  shape_hint=FORMULA),
    *pool_layer("avg pool", AVG_POOL, AVG_CASES, AVG_MISTAKES),
    sums_check("avg pool gradient adds up to dout", AVG_POOL, AVG_CASES["pool 3 stride 1 (overlapping)"],
               "each window shares its gradient equally among its pool_size * pool_size inputs", AVG_MISTAKES),
    grad_check("avg pool", AVG_POOL, AVG_CASES["pool 3 stride 1 (overlapping)"]),
    float32_forward("max pool", MAX_POOL_FORWARD),
    float32_forward("avg pool", AVG_POOL_FORWARD),
    *[forward_value(f"{label} forward, default pool_size and stride", 1, forward, MAX_CASES["2x2 stride 2"].inputs,
                    ["$x"], shape_hint=MAX_CASES["2x2 stride 2"].hint)
      for label, forward in (("max pool", MAX_POOL_FORWARD), ("avg pool", AVG_POOL_FORWARD))],
    layer_keeps_float32("max pool backward keeps float32", *MAX_POOL, FLOAT32.inputs, ["$x"], FLOAT32.kwargs),
    layer_keeps_float32("avg pool backward keeps float32", *AVG_POOL, FLOAT32.inputs, ["$x"], FLOAT32.kwargs),
    raises("max pool rejects a pool larger than the input", 1, MAX_POOL_FORWARD, too_big, ["$x"], POOL_OF_4,
           must_mention=("4", "3")),
    raises("avg pool rejects a pool larger than the input", 1, AVG_POOL_FORWARD, too_big, ["$x"], POOL_OF_4,
           must_mention=("4", "3")),
    raises("max pool rejects stride 0", 1, MAX_POOL_FORWARD, fits, ["$x"], {"pool_size": 2, "stride": 0},
           must_mention=("stride",)),
    raises("max pool rejects pool_size 0", 1, MAX_POOL_FORWARD, fits, ["$x"], {"pool_size": 0, "stride": 1},
           must_mention=("pool_size",)),
    raises("avg pool rejects pool_size 0", 1, AVG_POOL_FORWARD, fits, ["$x"], {"pool_size": 0, "stride": 1},
           must_mention=("pool_size",)),
    raises("avg pool rejects an input that is not 4-D", 1, AVG_POOL_FORWARD, three_axes, ["$x"], TWO_BY_TWO,
           must_mention=("(2, 5, 5)",)),
    # distinct values have no ties: the ties mistakes are the next check's business
    *hidden_layer("max pool", MAX_POOL, distinct, ("pool-max-overwrite", "pool-max-overwrite-window")),
    backward_value("max pool backward with ties, fresh random shapes", 1, *MAX_POOL, overlapping(ties), ["$x"],
                   FRESH_KWARGS, mistakes=MAX_MISTAKES, hidden=True),
    *hidden_layer("avg pool", AVG_POOL, distinct, AVG_MISTAKES),
], REQUIRES)

OVERWRITE = ("in overlapping windows (stride < pool_size) one input belongs to several windows, and your dx kept "
             "only the last window's gradient there. The gradients of all the windows must add up: write "
             "dx[...] += ... instead of dx[...] = ...")

DIAGNOSES = {
    "pool-max-overwrite": "max pooling: " + OVERWRITE,
    "pool-max-overwrite-window": "max pooling: " + OVERWRITE + " (assigning mask * dout to the whole window also "
                                 "wipes out what the windows before it had added).",
    "pool-max-ties-all": "where a window has several equal maxima, every one of them got the full gradient, so "
                         "that window passes on k times its dout. At a tie the maximum has no single derivative: "
                         "raising any one tied entry by h raises the output by h, and raising all of them together "
                         "raises it by h too, so their shares of dout must add up to dout. Any such split is a "
                         "valid gradient; the convention here, as in PyTorch, gives all of it to the first maximum "
                         "in row-major order (np.argmax of the flattened window, then np.unravel_index).",
    "pool-max-ties-last": "where a window has several equal maxima, the gradient went to the last one. The "
                          "convention (np.argmax's, and PyTorch's) is the first maximum in row-major order: compare "
                          "with > rather than >= when you scan, or use np.argmax on the flattened window.",
    "pool-avg-not-divided": "avg pooling: every input got the window's whole dout. The mean divides each input by "
                            "pool_size * pool_size, so its gradient is dout / (pool_size * pool_size).",
    "pool-avg-divided-by-side": "avg pooling: the gradient was divided by pool_size, but a window holds "
                                "pool_size * pool_size inputs: divide by pool_size ** 2.",
    "pool-avg-overwrite": "avg pooling: " + OVERWRITE,
    "pool-output-size-round": "your output has one row or column of windows too many: its size came from "
                              "round((H - pool_size) / stride + 1). Python rounds halves to even, so that agrees "
                              "with floor division where the quotient is exact or ends in .5 above an even number "
                              "(round(2.5) is 2), and goes one up where it ends in .67 or in .5 above an odd "
                              "number (round(3.5) is 4). The extra window hangs over the edge of x and holds only "
                              f"part of a window: a pooling never uses it. {FORMULA}, with //.",
}

HINTS = [
    Hint(("max_pool_forward", "avg_pool_forward"),
         f"Output size first: {FORMULA}, and W' likewise; rows or columns left over at the end belong to no "
         "window. Raise ValueError, with the numbers, when the pool does not fit."),
    Hint(("max_pool_forward", "avg_pool_forward"),
         "The window of out[n, c, i, j] starts at row i*stride and column j*stride and is pool_size x pool_size. "
         "Max pooling takes its max, average pooling its mean."),
    Hint(("avg_pool_backward",),
         "Average pooling backward: every input of a window gets dout[n, c, i, j] / pool_size**2 from it."),
    Hint(("max_pool_backward",),
         "Max pooling backward: only the first maximum of each window (row-major order, as np.argmax of the "
         "flattened window finds it) gets dout[n, c, i, j]; every other input of that window gets nothing from "
         "it."),
    Hint(("max_pool_backward", "avg_pool_backward"),
         "Windows overlap when stride < pool_size: an input can collect gradient from several windows. Add, "
         "never assign."),
    Hint(("max_pool_forward", "max_pool_backward", "avg_pool_forward", "avg_pool_backward"),
         "Once it passes, make it fast: loop over the pool_size**2 offsets inside a window rather than over the "
         "windows, and each offset becomes one strided slice of x, shape (N, C, H', W'), handled at once."),
]
