"""Exercise 1, activations: ReLU, leaky ReLU, sigmoid, tanh and softmax."""

from __future__ import annotations

import numpy as np

from autograder.checks.inputs import away_from_zero, random_shape, with_dout
from autograder.checks.judges import keeps_float32, values_close
from autograder.checks.spec import (Check, Hint, backward_value, forward_value, gradient_check, layer_keeps_float32,
                                    one_call, raises, with_requirements)

MODULE = "activations"

small = with_dout(lambda rng: {"x": away_from_zero(rng, (3, 4))})
nchw = with_dout(lambda rng: {"x": away_from_zero(rng, (2, 3, 4, 5))})
zeros_inside = with_dout(lambda rng: {"x": np.array([[-1.5, 0.0, 2.0], [0.0, 0.3, -0.2]])})
logits = with_dout(lambda rng: {"x": rng.standard_normal((4, 5))})
huge_logits = with_dout(lambda rng: {"x": rng.choice([-1.0, 1.0], (3, 4)) * rng.uniform(5e3, 1e4, (3, 4))})


def float32_inputs(rng) -> dict:
    """A float32 x with both signs, away from ReLU's kink."""
    return {"x": away_from_zero(rng, (2, 3)).astype(np.float32)}


def float32_3d(rng) -> dict:
    """A float32 x of three axes with both signs, and a float32 dout: the dtype must survive backward too."""
    x = away_from_zero(rng, (2, 3, 4)).astype(np.float32)
    return {"x": x, "dout": rng.standard_normal(x.shape).astype(np.float32)}


def logits_3d(rng) -> dict:
    """Scores of shape (2, 3, 4): softmax runs over the last axis, not over axis 1."""
    return {"x": rng.standard_normal((2, 3, 4))}


def empty_last_axis(rng) -> dict:
    """Scores of shape (3, 0): no class to put probability on."""
    return {"x": np.zeros((3, 0))}


def fresh(rng) -> dict:
    """A random shape of 1 to 4 axes, the last of at least 3 (a softmax over one class is
    always 1, and every backward mistake looks right there), with both signs present
    (a ReLU that forgets negative inputs looks right on positive ones) and one exact 0
    somewhere in between (a ReLU whose mask is x >= 0 looks right everywhere else)."""
    shape = (*random_shape(rng, (0, 4), (1, 6)), int(rng.integers(3, 6)))
    x = away_from_zero(rng, shape)
    x.flat[0], x.flat[-1] = -abs(x.flat[0]), abs(x.flat[-1])
    x.flat[int(rng.integers(1, x.size - 1))] = 0.0
    return {"x": x, "dout": away_from_zero(rng, shape)}


def layer(name, fwd, bwd, kwargs=None, mistakes_fwd=(), mistakes_bwd=(), points=(1, 1, 1)) -> list[Check]:
    """The checks every activation gets: forward values, backward values, gradient check, and hidden fresh shapes."""
    f, b = f"{MODULE}.{fwd}", f"{MODULE}.{bwd}"
    return [
        forward_value(f"{name} forward", points[0], f, small, ["$x"], kwargs, mistakes=mistakes_fwd),
        backward_value(f"{name} backward", points[1], f, b, small, ["$x"], kwargs, mistakes=mistakes_bwd),
        gradient_check(f"{name} gradient check", points[2], f, b, small, ["$x"], kwargs),
        backward_value(f"{name} backward, fresh shapes", 1, f, b, fresh, ["$x"], kwargs, hidden=True,
                       mistakes=mistakes_bwd),
    ]


def rows_sum_to_one(ctx):
    """Each row of softmax's output must sum to 1."""
    out = ctx.student["fwd.0"]
    if not isinstance(out, np.ndarray) or out.shape != ctx.inputs["x"].shape:
        return f"softmax_forward should return an array of shape {ctx.inputs['x'].shape}."
    return values_close("The sum of each row of softmax_forward's output", out.sum(axis=-1),
                        np.ones(out.shape[:-1]), atol=1e-12, rtol=0)


def keeps_float32_check(function: str) -> Check:
    """``function`` on a float32 x must return float32."""
    judge = keeps_float32(["fwd.0"], lambda ctx, name, found: (
        f"{function} turned a float32 input into {found}; keep the input's dtype (np.zeros_like, x.dtype)."))
    return Check(f"{function} keeps float32", 1, one_call(f"{MODULE}.{function}", float32_inputs, ["$x"]), judge,
                 uses_reference=False)


RELU_FORWARD, RELU_BACKWARD = f"{MODULE}.relu_forward", f"{MODULE}.relu_backward"
LEAKY_FORWARD, LEAKY_BACKWARD = f"{MODULE}.leaky_relu_forward", f"{MODULE}.leaky_relu_backward"
SOFTMAX_FORWARD = f"{MODULE}.softmax_forward"
LAYERS = ("ReLU", "leaky ReLU", "sigmoid", "tanh", "softmax")

RELU_IN_PLACE = ("relu-forward-in-place", "relu-backward-overwrites-cache")

CHECKS = with_requirements([
    *layer("ReLU", "relu_forward", "relu_backward", mistakes_fwd=RELU_IN_PLACE[:1],
           mistakes_bwd=("relu-grad-at-zero", "relu-backward-no-dout", *RELU_IN_PLACE)),
    forward_value("ReLU forward on NCHW", 1, RELU_FORWARD, nchw, ["$x"], mistakes=RELU_IN_PLACE[:1]),
    backward_value("ReLU gradient is 0 at exactly 0", 1, RELU_FORWARD, RELU_BACKWARD, zeros_inside, ["$x"],
                   mistakes=("relu-grad-at-zero",)),
    *layer("leaky ReLU", "leaky_relu_forward", "leaky_relu_backward", {"alpha": 0.2},
           mistakes_bwd=("leaky-relu-backward-zero",)),
    backward_value("leaky ReLU gradient is alpha at exactly 0", 1, LEAKY_FORWARD, LEAKY_BACKWARD, zeros_inside,
                   ["$x"], {"alpha": 0.1}),
    *layer("sigmoid", "sigmoid_forward", "sigmoid_backward", mistakes_bwd=("sigmoid-backward-of-input",)),
    *layer("tanh", "tanh_forward", "tanh_backward", mistakes_bwd=("tanh-backward-of-input",)),
    *layer("softmax", "softmax_forward", "softmax_backward", mistakes_fwd=("softmax-overflow",),
           mistakes_bwd=("softmax-backward-diagonal",)),
    forward_value("softmax on logits of 1e4", 2, SOFTMAX_FORWARD, huge_logits, ["$x"], mistakes=("softmax-overflow",)),
    Check("softmax rows sum to one", 1, one_call(SOFTMAX_FORWARD, logits, ["$x"]), rows_sum_to_one,
          uses_reference=False),
    keeps_float32_check("relu_forward"),
    keeps_float32_check("softmax_forward"),
    *[layer_keeps_float32(f"{name} keeps float32, forward and backward", f"{MODULE}.{fwd}", f"{MODULE}.{bwd}",
                          float32_3d, ["$x"], kwargs) for name, fwd, bwd, kwargs in (
        ("ReLU", "relu_forward", "relu_backward", None),
        ("leaky ReLU", "leaky_relu_forward", "leaky_relu_backward", {"alpha": 0.2}),
        ("sigmoid", "sigmoid_forward", "sigmoid_backward", None),
        ("tanh", "tanh_forward", "tanh_backward", None),
        ("softmax", "softmax_forward", "softmax_backward", None))],
    forward_value("leaky ReLU forward, default alpha", 1, LEAKY_FORWARD, small, ["$x"]),
    forward_value("sigmoid on inputs of 1e4", 1, f"{MODULE}.sigmoid_forward", huge_logits, ["$x"]),
    forward_value("softmax over the last axis of a 3-D x", 1, SOFTMAX_FORWARD, logits_3d, ["$x"]),
    raises("softmax rejects an empty last axis", 1, SOFTMAX_FORWARD, empty_last_axis, ["$x"],
           must_mention=("(3, 0)",)),
    raises("softmax rejects a 0-d x", 1, SOFTMAX_FORWARD, lambda rng: {"x": np.array(2.5)}, ["$x"]),
], {
    **{f"{name} gradient check": (f"{name} forward",) for name in LAYERS},
    **{f"{name} keeps float32, forward and backward": (f"{name} forward", f"{name} backward") for name in LAYERS},
    "softmax rows sum to one": ("softmax forward",),
    "relu_forward keeps float32": ("ReLU forward",),
    "softmax_forward keeps float32": ("softmax forward",),
    "softmax rejects an empty last axis": ("softmax forward",),
    "softmax rejects a 0-d x": ("softmax forward",),
})

DIAGNOSES = {
    "relu-grad-at-zero": "the gradient at x = 0 came out as dout; use the mask x > 0 (strictly), so it is 0 there, "
                         "as PyTorch does.",
    "relu-backward-no-dout": "dx is the 0/1 mask itself: multiply the mask by dout (the chain rule).",
    "relu-forward-in-place": "after relu_forward, the caller's x equals your output: its negative entries were "
                             "set to 0 in x itself (x[x < 0] = 0, or np.maximum(x, 0, out=x)), and the cache "
                             "holds that changed x. The network's previous layer still owns x and may use it "
                             "again; a gradient check nudges it. Build the output as a new array: "
                             "out = np.maximum(x, 0).",
    "relu-backward-overwrites-cache": "after relu_backward, the caller's x holds only 0s and 1s: the mask was "
                                      "written over the cached x (x[x > 0] = 1; x[x < 0] = 0), and the cache "
                                      "holds the very x that was passed to relu_forward, not a copy. dx is right "
                                      "this once, but x is gone: a second backward pass, or a gradient check that "
                                      "reuses x, now sees the mask. Make the mask a new array: "
                                      "dx = dout * (x > 0).",
    "leaky-relu-backward-zero": "negative inputs got gradient 0: leaky ReLU's slope there is alpha, so dx = alpha * dout.",
    "sigmoid-backward-of-input": "the derivative was taken as x (1 - x) with the input x; it is s (1 - s) with the "
                                 "output s = sigmoid(x): keep s in the cache.",
    "tanh-backward-of-input": "the derivative was taken as 1 - x^2 with the input x; it is 1 - tanh(x)^2, with the output.",
    "softmax-overflow": "exp overflowed: subtract each row's maximum before exponentiating "
                        "(softmax(x) = softmax(x - max x) exactly).",
    "softmax-backward-diagonal": "only the diagonal of the Jacobian was used (dx = dout * y * (1 - y)); every output "
                                 "depends on every input: dx = y * (dout - sum(dout * y, axis=-1, keepdims=True)).",
}

HINTS = [
    Hint((), "Each forward returns (out, cache): put in the cache exactly what backward needs, no more. Every "
             "backward here is the chain rule, elementwise: dout times the local derivative."),
    Hint(("relu_forward", "relu_backward"),
         "ReLU passes positive inputs and zeroes the rest. Its derivative is 1 where x > 0 and 0 elsewhere, at "
         "exactly x = 0 too, so the mask uses a strict >. Build new arrays: never change x in place."),
    Hint(("leaky_relu_forward", "leaky_relu_backward"),
         "Leaky ReLU has slope 1 where x > 0 and slope alpha elsewhere, x = 0 included: keep alpha in the cache. "
         "Multiplying by float(alpha), a Python float, keeps float32 arrays float32."),
    Hint(("sigmoid_forward", "sigmoid_backward", "tanh_forward", "tanh_backward"),
         "sigmoid and tanh have derivatives written in terms of their outputs: s (1 - s) and 1 - t^2. Cache the "
         "output, not the input."),
    Hint(("sigmoid_forward",),
         "On x = -1e4, exp(-x) overflows. exp of a number <= 0 never does: 1 / (1 + exp(-x)) and "
         "exp(x) / (1 + exp(x)) are the same function, so use, for each sign of x, the form that exponentiates "
         "-|x|."),
    Hint(("softmax_forward",),
         "softmax(x) = softmax(x - c) for any constant c in a row: subtract each row's maximum (over the last "
         "axis, keepdims=True) and no exponent is positive. The last axis holds the classes, whatever the rank."),
    Hint(("softmax_backward",),
         "softmax backward: each output of a row depends on every input of that row, so the Jacobian is "
         "diag(y) - y y^T. Multiply it by dout on paper for a row of three classes and look for a sum over the "
         "row that every entry shares; you never need to build the Jacobian."),
]
