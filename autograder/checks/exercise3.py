"""Exercise 3, convolution: conv_output_shape, conv_forward and conv_backward.

Shapes stay small (N <= 2, C <= 3, H, W <= 7, F <= 4) and gradient checks run
on smaller ones still and sample at most 20 entries per argument, so a student's plain-loop convolution still grades
in well under two seconds.
"""

from __future__ import annotations

import numpy as np

from autograder.checks.inputs import Case, no_inputs, size_formula, size_hint
from autograder.checks.judges import output_shape_first
from autograder.checks.spec import (Check, Hint, backward_value, call, forward_value, gradient_check, one_call,
                                    program, raises, with_requirements)
from autograder.sandbox.wire import Typed

MODULE = "convolution"
CONV_FORWARD, CONV_BACKWARD = f"{MODULE}.conv_forward", f"{MODULE}.conv_backward"
CONV_OUTPUT_SHAPE = f"{MODULE}.conv_output_shape"
CONV = (CONV_FORWARD, CONV_BACKWARD)  # as backward_value and gradient_check take them
CONV_ARGS = ["$x", "$w", "$b"]
CONV_GRADS = {"grads": ("dx", "dw", "db"), "wrt": ("x", "w", "b")}
FORMULA = size_formula("H", "HH", padded=True)


def conv_size_hint(x_shape, w_shape, stride, pad) -> str:
    """The output-size formula with this case's numbers in it, for shape messages."""
    return size_hint(x_shape, w_shape[2:], stride, pad)


# label: case. Every label gets a forward and a backward value test.
CASES = {
    "stride 1, pad 0": Case((2, 3, 5, 5), (4, 3, 3, 3)),
    "stride 1, pad 1": Case((2, 3, 5, 5), (4, 3, 3, 3), pad=1),
    "stride 2, pad 1": Case((2, 3, 7, 7), (4, 3, 3, 3), stride=2, pad=1),
    # (8 - 3) / 2 + 1 = 3.5 and (6 - 3) / 2 + 1 = 2.5: floor gives (3, 2), round() (4, 2), ceil (4, 3)
    "stride that does not divide": Case((2, 2, 8, 6), (3, 2, 3, 3), stride=2),
    "non-square input and kernel": Case((2, 3, 6, 5), (2, 3, 2, 3), stride=2, pad=1),
    "batch of 1, pad 2": Case((1, 2, 4, 5), (3, 2, 3, 3), pad=2),
}

# Smaller still: a gradient check runs the forward pass twice per sampled entry.
GRAD_CASES = {
    "stride 2, pad 1": Case((2, 2, 5, 5), (3, 2, 3, 3), stride=2, pad=1),
    "non-square kernel, pad 1": Case((1, 2, 4, 5), (2, 2, 2, 3), pad=1),
}

FLOAT32 = Case((2, 3, 5, 5), (4, 3, 3, 3), pad=1, dtype="float32")

FORWARD_MISTAKES = ("conv-forward-flipped", "conv-stride-ignored", "conv-stride-not-in-index")
BACKWARD_MISTAKES = ("conv-dx-no-flip", "conv-db-batch-mean", "conv-db-mean-all", "conv-dx-padded",
                     "conv-forward-flipped")


def worked_example(rng) -> dict:
    """The classic hand example: every row of the image is [4, 3, 2, 1, 0], every kernel row [1, 0, -1].

    Each output is 3 rows x (4 - 2) = 6; a flipped kernel gives -6.
    """
    x = np.tile([4.0, 3.0, 2.0, 1.0, 0.0], (5, 1)).reshape(1, 1, 5, 5)
    w = np.tile([1.0, 0.0, -1.0], (3, 1)).reshape(1, 1, 3, 3)
    return {"x": x, "w": w, "b": np.zeros(1), "dout": np.ones((1, 1, 3, 3))}


ONE_HOT = (0, 1, 0, 2)  # the single 1 of the property test's kernel: w[f, c, p, q]


def one_hot_kernel(rng) -> dict:
    """A (2, 2, 2, 3) kernel that is 0 but for w[ONE_HOT] = 1, and a random x."""
    w = np.zeros((2, 2, 2, 3))
    w[ONE_HOT] = 1.0
    return {"x": rng.standard_normal((1, 2, 4, 5)), "w": w, "b": np.zeros(2)}


def picks_the_right_pixel(ctx) -> str | None:
    """With one 1 at w[f, c, p, q], out[n, f, i, j] = x[n, c, i + p, j + q] (stride 1, no pad, no flip)."""
    f, c, p, q = ONE_HOT
    x, out = ctx.inputs["x"], ctx.student["fwd.0"]
    N, _, H, W = x.shape
    _, _, HH, WW = ctx.inputs["w"].shape
    Ho, Wo = H - HH + 1, W - WW + 1
    if not isinstance(out, np.ndarray) or out.shape != (N, 2, Ho, Wo):
        got = getattr(out, "shape", type(out).__name__)
        return f"conv_forward should return out of shape {(N, 2, Ho, Wo)} here, but it is {got} ({FORMULA})."
    want = np.zeros((N, 2, Ho, Wo))
    want[:, f] = x[:, c, p:p + Ho, q:q + Wo]
    wrong = np.argwhere(~np.isclose(out, want, rtol=1e-6, atol=1e-8))
    if not len(wrong):
        return None
    n, g, i, j = (int(v) for v in wrong[0])
    return (f"The kernel here is 0 everywhere except w[{f}, {c}, {p}, {q}] = 1, so conv_forward must copy pixels: "
            f"out[n, {f}, i, j] = x[n, {c}, i + {p}, j + {q}] and out[n, {1 - f}] = 0 (cross-correlation, the "
            f"kernel is not flipped).\n  At out[{n}, {g}, {i}, {j}] that is {want[n, g, i, j]:.6g}, but your code "
            f"gave {out[n, g, i, j]:.6g}; {len(wrong)} of {out.size} entries are off.")


# H + 2 pad - HH, the span a window slides over, for stride 2 and 3: (H + 2 pad - HH) / stride + 1 ends in .5 above
# an odd number or in .67 along H, where round() and ceil go one up from floor, and in .5 above an even number or
# in .33 along W, where round() stays with floor and only ceil goes up. Every span is at least the stride: H' >= 2.
SPANS = {2: ((5, 9), (3, 7)), 3: ((5, 8), (4, 7))}


def fresh_case(rng) -> dict:
    """Random shapes, stride and pad for the hidden value checks, drawn so that every classic mistake shows.

    N >= 2 (db averaged over the batch), stride 2 or 3 with H' >= 2 and W' >= 2 (stride
    ignored, or left out of the window index), spans whose remainders tell floor, round()
    and ceil apart (:data:`SPANS`), pad 1 or 2 (dx of the padded input), and a kernel of
    at least two pixels, random and so not symmetric (kernel flipped).
    """
    N, C, F = (int(v) for v in rng.integers([2, 1, 1], [3, 4, 5]))
    stride, pad = int(rng.integers(2, 4)), int(rng.integers(1, 3))
    span_h, span_w = (int(pick[rng.integers(2)]) for pick in SPANS[stride])
    HH = int(rng.integers(1, 5))
    WW = int(rng.integers(2 if HH == 1 else 1, 5))
    if rng.random() < 0.5:
        HH, WW = WW, HH
    H, W = span_h + HH - 2 * pad, span_w + WW - 2 * pad
    # At least stride + 2 pixels, so that some window of every row and column covers more than padding; two
    # more windows (2 * stride) keep the remainder, and the parity of H' that round() goes by.
    H, W = (n if n >= stride + 2 else n + 2 * stride for n in (H, W))
    data = Case((N, C, H, W), (F, C, HH, WW), stride=stride, pad=pad).inputs(rng)
    return {**data, "stride": stride, "pad": pad}


def small_fresh_case(rng) -> dict:
    """Random shapes, stride and pad that always fit, small enough that a gradient check on a
    plain-loop solution stays fast: it runs the forward pass twice per sampled entry.

    N >= 2, stride 2 or 3 with at least two windows along each axis, and pad 1: a
    gradient that averages db over the batch, ignores the stride or keeps the padding
    in dx disagrees with the forward pass on every draw, never on some draws only.
    """
    N, C, F = (int(v) for v in rng.integers([2, 1, 1], [4, 3, 3]))
    H, W = (int(v) for v in rng.integers(4, 7, size=2))
    stride, pad = int(rng.integers(2, 4)), 1
    HH, WW = (int(rng.integers(2, 4)) for _ in (H, W))  # H + 2 pad - HH >= 3: two windows at stride 3
    data = Case((N, C, H, W), (F, C, HH, WW), stride=stride, pad=pad).inputs(rng)
    return {**data, "stride": stride, "pad": pad}


FRESH_KWARGS = {"stride": "$stride", "pad": "$pad"}


# conv_output_shape: (input shape, weight shape, stride, pad)
SHAPES_BASIC = [((8, 3, 32, 32), (16, 3, 5, 5), 1, 2), ((2, 3, 7, 7), (4, 3, 3, 3), 2, 1),
                ((1, 1, 5, 5), (6, 1, 5, 5), 1, 0)]
SHAPES_EDGE = [((2, 3, 8, 7), (2, 3, 3, 3), 2, 0), ((1, 1, 7, 5), (2, 1, 3, 2), 2, 1),
               ((1, 2, 10, 9), (3, 2, 3, 2), 3, 2), ((1, 2, 2, 3), (2, 2, 4, 4), 1, 1),
               ((1, 3, 8, 5), (2, 3, 3, 3), 3, 1), ((2, 1, 6, 9), (1, 1, 3, 3), 2, 0)]
# Above, (H + 2 pad - HH) / stride + 1 is 3.5, 3.5, 4.67 and 4.67 (floor, against round() and ceil, which go
# up), 3.33, 2.33 and 2.5 (floor and round() together, against ceil); the rest divide exactly.


def plain(value) -> tuple | None:
    """The items of a returned tuple or list as Python numbers (NumPy scalars arrive as Typed); None if not one."""
    if not isinstance(value, (tuple, list)):
        return None
    items = [v.value if isinstance(v, Typed) else v for v in value]
    return tuple(v.item() if isinstance(v, np.generic) else v for v in items)


def shape_check(name: str, points: int, cases, *, hidden=False) -> Check:
    """conv_output_shape on each of ``cases`` (a list, or ``cases(rng)`` for fresh ones), as one test."""

    def build(rng):
        chosen = cases(rng) if callable(cases) else cases
        steps = [call(CONV_OUTPUT_SHAPE, [tuple(x), tuple(w)], {"stride": s, "pad": p}, f"s{i}")
                 for i, (x, w, s, p) in enumerate(chosen)]
        return program({}, steps, [f"s{i}" for i in range(len(chosen))])

    def judge(ctx):
        for step in ctx.program["steps"]:
            x, w = (a["lit"] for a in step["args"])
            s, p = step["kwargs"]["stride"]["lit"], step["kwargs"]["pad"]["lit"]
            got, want = ctx.student[step["into"]], tuple(ctx.reference[step["into"]])
            called = f"conv_output_shape({x}, {w}, stride={s}, pad={p})"
            values = plain(got)
            if values is not None and any(isinstance(v, float) for v in values):
                return (f"{called} returned {values}: sizes must be integers. Use floor division // "
                        f"({FORMULA}); / gives a float.")
            if values is None or not all(isinstance(v, int) for v in values) or values != want:
                return (f"{called} returned {got if values is None else values}, but {want} was expected: "
                        f"{conv_size_hint(x, w, s, p)}.")
            if not isinstance(got, tuple):
                return f"{called} returned a {type(got).__name__}; return a tuple, like x.shape."
        return None

    n = len(cases(np.random.default_rng(0))) if callable(cases) else len(cases)
    return Check(name, points, build, judge, hidden=hidden,
                 mistakes=("conv-stride-ignored", "conv-output-size-true-division", "conv-output-size-round"),
                 diagnose=tuple(f"s{i}" for i in range(n)))


def fresh_shapes(rng):
    """Four (x shape, w shape, stride, pad) of :func:`fresh_case`."""
    found = []
    for _ in range(4):
        case = fresh_case(rng)
        found.append((case["x"].shape, case["w"].shape, case["stride"], case["pad"]))
    return found


def rejects(name, x_shape, w_shape, pad, mention) -> Check:
    """conv_output_shape must raise ValueError for these shapes, naming ``mention``."""
    return raises(name, 1, CONV_OUTPUT_SHAPE, no_inputs, [x_shape, w_shape], {"stride": 1, "pad": pad},
                  must_mention=mention)


def channels_differ(rng) -> dict:
    """x with 3 channels, w expecting 2."""
    return {"x": rng.standard_normal((1, 3, 5, 5)), "w": rng.standard_normal((2, 2, 3, 3)), "b": np.zeros(2)}


# A gradient or property check earns its points only once the value checks of what it exercises pass.
REQUIRES = {
    "conv gradient check, stride 2, pad 1": ("conv forward, stride 2, pad 1",),
    "conv gradient check, non-square kernel, pad 1": ("conv forward, stride 1, pad 1",
                                                      "conv forward, non-square input and kernel"),
    "conv gradient check, fresh random shapes": ("conv forward, fresh random shapes",),
    **{f"conv_output_shape rejects {what}": ("conv_output_shape values",)
       for what in ("a kernel taller than the input", "a kernel wider than the padded input",
                    "different channel counts")},
    "conv_forward rejects different channel counts": ("conv forward, stride 1, pad 0",),
    "conv_output_shape rejects stride 0": ("conv_output_shape values",),
    "conv_output_shape rejects pad -1": ("conv_output_shape values",),
    "conv_output_shape rejects an input shape of three entries": ("conv_output_shape values",),
    "conv_forward rejects a bias of the wrong shape": ("conv forward, stride 1, pad 0",),
}

def bias_of_three(rng) -> dict:
    """Two filters, but a bias of three entries."""
    return {"x": rng.standard_normal((1, 2, 4, 4)), "w": rng.standard_normal((2, 2, 3, 3)), "b": np.zeros(3)}


CHECKS = with_requirements([
    forward_value("conv forward, worked example (every output is 6)", 2, CONV_FORWARD, worked_example, CONV_ARGS,
                  {"stride": 1, "pad": 0}, shape_hint=conv_size_hint((1, 1, 5, 5), (1, 1, 3, 3), 1, 0),
                  mistakes=FORWARD_MISTAKES),
    backward_value("conv backward, worked example", 1, *CONV, worked_example, CONV_ARGS, {"stride": 1, "pad": 0},
                   **CONV_GRADS, mistakes=BACKWARD_MISTAKES),
    *[forward_value(f"conv forward, {label}", 1, CONV_FORWARD, case.inputs, CONV_ARGS, case.kwargs,
                    shape_hint=case.hint, mistakes=FORWARD_MISTAKES)
      for label, case in CASES.items()],
    *[backward_value(f"conv backward, {label}", 1, *CONV, case.inputs, CONV_ARGS, case.kwargs, **CONV_GRADS,
                     mistakes=BACKWARD_MISTAKES) for label, case in CASES.items()],
    *[output_shape_first(gradient_check(f"conv gradient check, {label}", 2, *CONV, case.inputs, CONV_ARGS,
                                        case.kwargs, **CONV_GRADS, most=20), case.hint)
      for label, case in GRAD_CASES.items()],
    Check("conv forward is cross-correlation (one-hot kernel)", 1,
          one_call(CONV_FORWARD, one_hot_kernel, CONV_ARGS, {"stride": 1, "pad": 0}), picks_the_right_pixel,
          uses_reference=False, mistakes=("conv-forward-flipped",), diagnose=("fwd.0",)),
    forward_value("conv forward keeps float32", 1, CONV_FORWARD, FLOAT32.inputs, CONV_ARGS, FLOAT32.kwargs,
                  atol=1e-5, rtol=1e-4),
    shape_check("conv_output_shape values", 1, SHAPES_BASIC),
    shape_check("conv_output_shape, odd strides and padding", 1, SHAPES_EDGE),
    rejects("conv_output_shape rejects a kernel taller than the input", (1, 2, 4, 6), (3, 2, 5, 3), 0, ("5", "4")),
    rejects("conv_output_shape rejects a kernel wider than the padded input", (1, 1, 7, 3), (2, 1, 3, 6), 1,
            ("6", "3")),
    rejects("conv_output_shape rejects different channel counts", (2, 3, 5, 5), (4, 5, 3, 3), 0, ("3", "5")),
    raises("conv_forward rejects different channel counts", 1, CONV_FORWARD, channels_differ, CONV_ARGS,
           must_mention=("3", "2")),
    forward_value("conv forward, default stride and pad", 1, CONV_FORWARD, CASES["stride 1, pad 0"].inputs,
                  CONV_ARGS, shape_hint=CASES["stride 1, pad 0"].hint, mistakes=FORWARD_MISTAKES),
    raises("conv_output_shape rejects stride 0", 1, CONV_OUTPUT_SHAPE, no_inputs, [(1, 1, 5, 5), (1, 1, 3, 3)],
           {"stride": 0, "pad": 0}, must_mention=("stride",)),
    raises("conv_output_shape rejects pad -1", 1, CONV_OUTPUT_SHAPE, no_inputs, [(1, 1, 5, 5), (1, 1, 3, 3)],
           {"stride": 1, "pad": -1}, must_mention=("-1",)),
    raises("conv_output_shape rejects an input shape of three entries", 1, CONV_OUTPUT_SHAPE, no_inputs,
           [(1, 5, 5), (1, 1, 3, 3)], {"stride": 1, "pad": 0}, must_mention=("1, 5, 5",)),
    raises("conv_forward rejects a bias of the wrong shape", 1, CONV_FORWARD, bias_of_three, CONV_ARGS,
           must_mention=("(3,)",)),
    forward_value("conv forward, fresh random shapes", 1, CONV_FORWARD, fresh_case, CONV_ARGS, FRESH_KWARGS,
                  shape_hint=FORMULA, mistakes=FORWARD_MISTAKES, hidden=True),
    backward_value("conv backward, fresh random shapes", 1, *CONV, fresh_case, CONV_ARGS, FRESH_KWARGS, **CONV_GRADS,
                   mistakes=BACKWARD_MISTAKES, hidden=True),
    output_shape_first(gradient_check("conv gradient check, fresh random shapes", 1, *CONV, small_fresh_case,
                                      CONV_ARGS, FRESH_KWARGS, **CONV_GRADS, most=15, hidden=True), FORMULA),
    shape_check("conv_output_shape, fresh random shapes", 1, fresh_shapes, hidden=True),
], REQUIRES)

DIAGNOSES = {
    "conv-forward-flipped": "your output is what a true convolution gives: the kernel flipped upside down and left "
                            "to right. Deep-learning layers compute cross-correlation: out[n, f, i, j] = b[f] + "
                            "sum over c, p, q of xp[n, c, i*stride + p, j*stride + q] * w[f, c, p, q], with p and q "
                            "counting forwards in both x and w. Drop the [::-1, ::-1] (or the HH-1-p index).",
    "conv-stride-ignored": "your sizes are the ones stride 1 would give. The window moves by stride pixels, so "
                           f"{FORMULA} (floor division), and the window of out[..., i, j] starts at row i*stride, "
                           "column j*stride of the padded input.",
    "conv-stride-not-in-index": "your output has the right shape but holds the windows that start at rows i and "
                                "columns j, one pixel apart. With a stride, the window of out[..., i, j] starts at "
                                "xp[..., i*stride, j*stride]: multiply the output index by the stride.",
    "conv-output-size-true-division": "the sizes came out as fractions or with the wrong rounding: "
                                      f"{FORMULA} uses floor division //, because a window that does not fit "
                                      "entirely is not used.",
    "conv-output-size-round": "your sizes are round((H + 2*pad - HH) / stride + 1): they agree with floor "
                              "division where the quotient is exact or ends in .5 above an even number (Python "
                              "rounds halves to even: round(2.5) is 2), and come out one too large where it ends "
                              "in .67, or in .5 above an odd number (round(3.5) is 4). That extra row or column "
                              "would be a window hanging over the edge of the padded input, which a convolution "
                              "never uses: "
                              f"{FORMULA}, with //, also inside conv_forward.",
    "conv-dx-no-flip": "dx is what you get when dout is slid over the kernel without flipping it. Each input "
                       "pixel xp[y, x] feeds out[i, j] through w[y - i*stride, x - j*stride], so seen from dout "
                       "the kernel runs backwards. The sure way, for any stride: loop over the output positions "
                       "and add dout[n, f, i, j] * w[f] into the window of dxp that produced out[n, f, i, j], then "
                       "crop the padding. (With stride 1 that is the full correlation of dout with "
                       "w[:, :, ::-1, ::-1]; with a larger stride, dout must first be spread out with stride - 1 "
                       "zeros between its entries.)",
    "conv-db-batch-mean": "db is dout summed over H' and W' but divided by the batch size N. Every image adds "
                          "its own gradient to the shared bias: db[f] = dout[:, f].sum(), a sum over N, H' and W' "
                          "(any averaging belongs to the loss, not to the layer).",
    "conv-db-mean-all": "db is the mean of dout instead of its sum. Every output position uses the bias once, so "
                        "db = dout.sum(axis=(0, 2, 3)).",
    "conv-dx-padded": "dx has the shape of the padded input. The gradient you built with respect to xp also "
                      "covers the zeros you added; return only the part that belongs to x: "
                      "dx = dxp[:, :, pad:pad + H, pad:pad + W].",
}

HINTS = [
    Hint(("conv_output_shape", "conv_forward"),
         f"Start with conv_output_shape: {FORMULA}, and W' likewise; everything else uses it. Raise ValueError, "
         "with the numbers in the message, when the channels differ or the kernel does not fit."),
    Hint(("conv_forward",),
         "Pad once, on the two spatial axes only. The window of out[n, f, i, j] starts at row i*stride and column "
         "j*stride of the padded input and is HH x WW; out is the sum of window * w[f], plus b[f]."),
    Hint(("conv_forward",),
         "No kernel flip in the forward pass: this is cross-correlation, as in PyTorch's conv2d. Try yourself on "
         "an image whose every row is [4, 3, 2, 1, 0] and a kernel whose every row is [1, 0, -1]: every output "
         "is 6."),
    Hint(("conv_backward",),
         "Backward, one output at a time: out[n, f, i, j] used b[f] once, w[f] against its window, and its window "
         "against w[f]. So dout[n, f, i, j] feeds db[f], dw[f] (times the window) and that window of dxp (times "
         "w[f]). Windows overlap: add, never assign."),
    Hint(("conv_backward",),
         "dx has the shape of x, not of the padded input: drop the padding at the end. db is a sum over N, H' and "
         "W', not a mean."),
    Hint(("conv_forward", "conv_backward"),
         "Once it passes, make it fast: if every window were a column of one matrix, the forward pass would be a "
         "single matrix product, and backward would be an affine layer's. "
         "np.lib.stride_tricks.sliding_window_view gives you the windows without a copy."),
]
