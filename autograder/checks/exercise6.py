"""Exercise 6, regularization: inverted dropout (forward, backward) and the L2 penalty.

Dropout's mask is fully determined by its seed (``rng.random(x.shape) >= p``),
so value checks compare with the reference exactly. A gradient check cannot
catch a missing ``1 / (1 - p)`` that is missing in both passes, so two
property checks look at the statistics instead: over many units of ones, the
mean of the output must be 1 and the fraction of zeros must be p, each within
six binomial standard deviations.

``l2_penalty`` returns a dict of gradients; the grader names a mistake by
comparing arrays, so the gradients check takes them out of the dict key by key
(:func:`~autograder.checks.spec.entry` on the slot ``$grads``).
"""

from __future__ import annotations

import math

import numpy as np

from autograder.checks.compare import check_array, check_float
from autograder.checks.inputs import dense_shapes, random_shape
from autograder.checks.judges import keeps_float32, unchanged
from autograder.checks.spec import (Check, Context, Hint, backward_value, call, entry, forward_then_backward,
                                    forward_value, generator, gradient_check, item, lit, method, one_call, program,
                                    raises, ref, with_requirements)

MODULE = "regularization"
DROPOUT_FORWARD, DROPOUT_BACKWARD = f"{MODULE}.dropout_forward", f"{MODULE}.dropout_backward"
DROPOUT = (DROPOUT_FORWARD, DROPOUT_BACKWARD)  # as backward_value and gradient_check take them
L2_PENALTY = f"{MODULE}.l2_penalty"
SHAPE_HINT = "out has the shape of x"
SIGMAS = 6
L2_SHAPES = {"W": (3, 4), "b": (4,), "w_conv": (2, 1, 3, 3)}


def dropout_inputs(shape, p, seed=0, dtype=np.float64):
    """x and dout of ``shape``, and the scalars p and seed, as program inputs."""

    def make(rng):
        x = rng.standard_normal(shape).astype(dtype)
        return {"x": x, "dout": rng.standard_normal(shape).astype(dtype), "p": p, "seed": seed}

    return make


def fresh_dropout(rng):
    """A random shape, p and seed, the seed redrawn until its mask keeps a unit: where every unit is
    dropped the output is 0 whatever the kept ones are scaled by, and every scaling mistake looks right."""
    shape = random_shape(rng, (1, 5), (1, 6))
    p = round(float(rng.uniform(0.05, 0.95)), 3)
    seed = int(rng.integers(2 ** 31))
    while not np.any(np.random.default_rng(seed).random(shape) >= p):  # the documented mask
        seed = int(rng.integers(2 ** 31))
    return {"x": rng.standard_normal(shape), "dout": rng.standard_normal(shape), "p": p, "seed": seed}


DROPOUT_ARGS = ["$x", "$p"]
TRAIN = {"train": True, "seed": "$seed"}
EVAL = {"train": False, "seed": "$seed"}
SCALE_MISTAKES = ("dropout-scaled-by-p", "dropout-not-scaled", "dropout-keep-probability")
EVAL_MISTAKES = ("dropout-in-eval-mode", "dropout-not-inverted")


# ---------------------------------------------------------------- dropout statistics

def ones_inputs(p, shape=(50, 200)):
    """Many units of ones (float32 keeps the stored answers small), a drop probability and a seed."""
    def make(rng):
        return {"x": np.ones(shape, dtype=np.float32), "p": p if not callable(p) else p(rng),
                "seed": int(rng.integers(2 ** 31))}
    return make


def fresh_p(rng):
    """A drop probability in [0.1, 0.4] or [0.6, 0.9]: near 0.5, dropping p and keeping p look alike."""
    p = round(float(rng.uniform(0.1, 0.4)), 3)
    return p if rng.random() < 0.5 else round(1 - p, 3)


def statistics(name, judge, make_inputs, mistakes=(), hidden=False) -> Check:
    """A property of dropout_forward's output in training mode, judged by ``judge`` (2 points, 1 when hidden)."""
    build = one_call(DROPOUT_FORWARD, make_inputs, DROPOUT_ARGS, TRAIN)
    return Check(name, 1 if hidden else 2, build, judge, hidden=hidden, uses_reference=False,
                 mistakes=tuple(mistakes), diagnose=("fwd.0",))


def _training_output(ctx: Context):
    """dropout_forward's output as float64, or a message if it is not an array of x's shape."""
    out, x = ctx.student["fwd.0"], ctx.inputs["x"]
    if not isinstance(out, np.ndarray) or out.shape != x.shape:
        got = getattr(out, "shape", type(out).__name__)
        return None, f"dropout_forward should return an array of shape {x.shape} ({SHAPE_HINT}), but it returned {got}."
    return out.astype(np.float64), None


def mean_is_one(ctx: Context):
    """On units of ones, the output's mean must be 1 within SIGMAS standard deviations."""
    out, problem = _training_output(ctx)
    if problem:
        return problem
    p, n = ctx.inputs["p"], out.size
    # Each unit is Bernoulli(1 - p) / (1 - p): mean 1, variance p / (1 - p).
    bound = SIGMAS * math.sqrt(p / ((1 - p) * n))
    mean = float(out.mean())
    if abs(mean - 1) <= bound:
        return None
    return (f"The mean of dropout_forward's output over {n} units of ones (p={p}, training mode) is {mean:.4f}; "
            f"it should be 1 within {bound:.4f} ({SIGMAS} standard deviations of the mean). Inverted dropout "
            f"divides the kept units by 1 - p, so that on average the output equals the input.")


def drops_a_fraction_p(ctx: Context):
    """On units of ones, the fraction of zeros must be p within SIGMAS standard deviations."""
    out, problem = _training_output(ctx)
    if problem:
        return problem
    p, n = ctx.inputs["p"], out.size
    bound = SIGMAS * math.sqrt(p * (1 - p) / n)  # the number of zeros is Binomial(n, p)
    dropped = float(np.mean(out == 0))
    if abs(dropped - p) <= bound:
        return None
    return (f"dropout_forward (p={p}, training mode) set {dropped:.4f} of {n} units of ones to zero; about p = {p} "
            f"should be dropped (within {bound:.4f}, {SIGMAS} standard deviations). p is the probability of "
            f"DROPPING a unit: keep the units where rng.random(x.shape) >= p.")


# ---------------------------------------------------------------- dtype

DROPOUT_OUTPUTS = {"fwd.0": "dropout_forward's output", "bwd": "dropout_backward's dx"}

dropout_keeps_float32 = keeps_float32(DROPOUT_OUTPUTS, lambda ctx, name, found: (
    f"{DROPOUT_OUTPUTS[name]} is {found} for a float32 input; keep the input's dtype. Multiply by a Python float, "
    f"(1.0 / (1.0 - p)), and by the boolean mask itself: a float64 mask, or np.float64 "
    f"scalar, turns float32 into float64 in NumPy 2."))


def dropout_float32() -> Check:
    """Forward and backward on float32 x and dout must return float32."""

    def build(rng):
        inputs = dropout_inputs((3, 4), 0.3, seed=5, dtype=np.float32)(rng)
        return program(inputs, forward_then_backward(*DROPOUT, DROPOUT_ARGS, TRAIN), list(DROPOUT_OUTPUTS))

    return Check("dropout keeps float32", 1, build, dropout_keeps_float32, uses_reference=False)


# ---------------------------------------------------------------- L2 penalty

PARAMS = ref("$params")  # the params dict: a $ slot, so that its methods can be called


def l2_inputs(shapes=L2_SHAPES, weight_decay=0.1, dtype=np.float64):
    """A params dict of standard normal arrays and a weight decay; either may be a callable of the generator."""
    def make(rng):
        sizes = shapes(rng) if callable(shapes) else shapes
        wd = weight_decay(rng) if callable(weight_decay) else weight_decay
        return {"$params": {key: rng.standard_normal(shape).astype(dtype) for key, shape in sizes.items()},
                "wd": wd}
    return make


def fresh_l2_shapes(rng):
    """A dense weight (rows, cols), its bias (cols,) and a 4-D convolution weight, every side drawn."""
    return {**dense_shapes(rng, "W", "b"), "w_conv": tuple(int(n) for n in rng.integers(1, 4, size=4))}


def params_untouched(ctx: Context) -> str | None:
    """A message if l2_penalty modified one of the parameters."""
    return unchanged(ctx, ["$params"], lambda name, key: (
        f"l2_penalty changed params[{key!r}]. The parameters belong to the model: compute the "
        f"gradient into a new array (weight_decay * w), never with *= or += on w."))


def l2_program(make_inputs, outputs):
    """``build(rng)`` of a program that calls l2_penalty(params, wd) into ``fwd`` and sends back ``outputs``."""
    return one_call(L2_PENALTY, make_inputs, [PARAMS, "$wd"], outputs=outputs)


def l2_loss(name, points, make_inputs, *, hidden=False) -> Check:
    """The loss of l2_penalty against the reference's; the params must come back unchanged."""

    def judge(ctx: Context):
        problem = check_float(ctx.student["fwd.0"], ctx.reference["fwd.0"],
                              what=f"The loss from l2_penalty (weight_decay={ctx.inputs['wd']})", atol=1e-10, rtol=1e-8)
        return problem or params_untouched(ctx)

    return Check(name, points, l2_program(make_inputs, ["fwd.0", "$params"]), judge, hidden=hidden,
                 mistakes=("l2-no-half",), diagnose=("fwd.0",))


def l2_grads_program(make_inputs, keys=tuple(L2_SHAPES)):
    """Call l2_penalty and take each gradient out of its dict (``grad_W``, ...), plus the dict itself."""

    def build(rng):
        steps = [call(L2_PENALTY, [PARAMS, "$wd"], None, "$l2"),
                 # dict.get(None, default) returns the default: item 1 of the result, taken through an item
                 # node so that a result that is not a tuple gets the contract's message.
                 method("$params", "get", [lit(None), item("$l2", 1)], into="$grads")]
        steps += [entry("$grads", key, f"grad_{key}") for key in keys]
        return program(make_inputs(rng), steps, [f"grad_{key}" for key in keys] + ["$grads"])

    return build


def grads_dict_problem(ctx: Context, keys) -> str | None:
    """A message if l2_penalty's grads are not a dict with the keys of params."""
    grads = ctx.student["$grads"]
    if not isinstance(grads, dict) or set(grads) != set(keys):
        got = sorted(grads) if isinstance(grads, dict) else f"a {type(grads).__name__}"
        return f"l2_penalty's grads should be a dict with the keys of params, {sorted(keys)}, but it is {got}."
    return None


def l2_grads(name, points, make_inputs, *, keys=tuple(L2_SHAPES), hidden=False) -> Check:
    """Each gradient of l2_penalty against the reference's."""

    def judge(ctx: Context):
        problem = grads_dict_problem(ctx, keys)
        if problem:
            return problem
        for key in keys:
            want = ctx.reference[f"grad_{key}"]
            problem = check_array(ctx.student[f"grad_{key}"], want,
                                  what=f"grads[{key!r}] from l2_penalty (weight_decay={ctx.inputs['wd']})",
                                  atol=1e-10, rtol=1e-8, shape_hint=f"the shape of params[{key!r}]")
            if problem:
                return problem
        return None

    return Check(name, points, l2_grads_program(make_inputs, keys), judge, hidden=hidden,
                 mistakes=("l2-no-half",), diagnose=tuple(f"grad_{key}" for key in keys))


l2_grads_float32 = keeps_float32([f"grad_{key}" for key in L2_SHAPES], lambda ctx, name, found: (
    f"grads[{name[len('grad_'):]!r}] from l2_penalty is {found} for float32 params; keep their dtype: multiply "
    f"by a Python float, float(weight_decay) * w (in NumPy 2, np.float64(...) * w is float64)."))


def l2_keeps_float32(ctx: Context):
    """The gradients of float32 params must be float32, once they are a dict with the right keys."""
    return grads_dict_problem(ctx, L2_SHAPES) or l2_grads_float32(ctx)


def l2_of_nothing() -> Check:
    """l2_penalty({}, 0.1) is (0.0, {})."""

    build = l2_program(lambda rng: {"$params": {}, "wd": 0.1}, ["fwd.0", "fwd.1"])

    def judge(ctx: Context):
        loss, grads = ctx.student["fwd.0"], ctx.student["fwd.1"]
        problem = check_float(loss, 0.0, what="The loss of l2_penalty({}, 0.1)", atol=0, rtol=0)
        if problem:
            return problem + " An empty dict has nothing to penalise: sum(...) over no arrays should give 0.0."
        if grads != {}:
            return f"l2_penalty({{}}, 0.1) should return an empty dict of gradients, but returned {grads!r}."
        return None

    return Check("l2_penalty of no parameters is 0.0", 1, build, judge, uses_reference=False)


def l2_loss_is_a_float(ctx: Context):
    """The loss must be a Python float, not a NumPy scalar."""
    loss = ctx.student["fwd.0"]
    if type(loss) is float:
        return None
    kind = getattr(loss, "type_name", type(loss).__name__)
    return f"The loss from l2_penalty should be a Python float, but it is a {kind}: return float(...)."


def fresh_weight_decay(rng) -> float:
    """A weight decay in [0, 1)."""
    return float(rng.uniform(0, 1))


# A gradient or property check earns its points only once the value checks of what it exercises pass.
DROPOUT_VALUE = ("dropout forward, p = 0.5",)
L2_VALUE = ("l2_penalty loss",)
REQUIRES = {
    "dropout gradient check": DROPOUT_VALUE,
    "dropout keeps the mean of its input": DROPOUT_VALUE,
    "dropout drops a fraction p of the units": DROPOUT_VALUE,
    "dropout keeps float32": (*DROPOUT_VALUE, "dropout backward"),
    "dropout rejects p = 1": DROPOUT_VALUE,
    "dropout rejects a negative p": DROPOUT_VALUE,
    "dropout keeps the mean, fresh p and seed": DROPOUT_VALUE,
    "dropout drops a fraction p, fresh p and seed": DROPOUT_VALUE,
    "l2_penalty of no parameters is 0.0": L2_VALUE,
    "l2_penalty returns a Python float": L2_VALUE,
    "l2_penalty keeps float32": (*L2_VALUE, "l2_penalty grads"),
    "l2_penalty rejects a negative weight_decay": L2_VALUE,
}

CHECKS = with_requirements([
    # dropout values: the mask is the documented one, so the reference's output is exact
    forward_value("dropout forward, p = 0.5", 2, DROPOUT_FORWARD, dropout_inputs((4, 5), 0.5), DROPOUT_ARGS, TRAIN,
                  shape_hint=SHAPE_HINT, mistakes=SCALE_MISTAKES),
    forward_value("dropout forward, p = 0.2, on NCHW", 1, DROPOUT_FORWARD, dropout_inputs((2, 3, 4, 5), 0.2, seed=11),
                  DROPOUT_ARGS, TRAIN, shape_hint=SHAPE_HINT, mistakes=SCALE_MISTAKES),
    forward_value("dropout forward, seed is a Generator", 1, DROPOUT_FORWARD, dropout_inputs((5, 6), 0.3),
                  DROPOUT_ARGS, {"train": True, "seed": generator(2024)}, shape_hint=SHAPE_HINT,
                  mistakes=SCALE_MISTAKES),
    forward_value("dropout with p = 0 keeps every unit", 1, DROPOUT_FORWARD, dropout_inputs((3, 4), 0.0),
                  DROPOUT_ARGS, TRAIN, shape_hint=SHAPE_HINT, mistakes=SCALE_MISTAKES),
    backward_value("dropout backward", 2, *DROPOUT, dropout_inputs((4, 5), 0.4, seed=3), DROPOUT_ARGS, TRAIN,
                   wrt=["x"], mistakes=("dropout-backward-not-scaled", *SCALE_MISTAKES)),
    gradient_check("dropout gradient check", 1, *DROPOUT, dropout_inputs((3, 4), 0.3, seed=9), DROPOUT_ARGS, TRAIN,
                   most=12),
    # statistics: what a gradient check cannot see
    statistics("dropout keeps the mean of its input", mean_is_one, ones_inputs(0.3),
               mistakes=("dropout-scaled-by-p", "dropout-not-scaled")),
    statistics("dropout drops a fraction p of the units", drops_a_fraction_p, ones_inputs(0.3),
               mistakes=("dropout-keep-probability",)),
    # evaluation mode
    forward_value("dropout in eval mode is the identity", 2, DROPOUT_FORWARD, dropout_inputs((4, 5), 0.5),
                  DROPOUT_ARGS, EVAL, shape_hint=SHAPE_HINT, mistakes=EVAL_MISTAKES),
    backward_value("dropout backward in eval mode is the identity", 1, *DROPOUT, dropout_inputs((4, 5), 0.5),
                   DROPOUT_ARGS, EVAL, wrt=["x"], mistakes=EVAL_MISTAKES),
    dropout_float32(),
    raises("dropout rejects p = 1", 1, DROPOUT_FORWARD, dropout_inputs((3,), 1.0), DROPOUT_ARGS),
    raises("dropout rejects a negative p", 1, DROPOUT_FORWARD, dropout_inputs((3,), -0.2), DROPOUT_ARGS,
           must_mention=("-0.2",)),
    # L2 penalty
    l2_loss("l2_penalty loss", 2, l2_inputs()),
    l2_grads("l2_penalty grads", 2, l2_inputs()),
    l2_of_nothing(),
    Check("l2_penalty returns a Python float", 1, l2_program(l2_inputs(dtype=np.float32), ["fwd.0"]),
          l2_loss_is_a_float, uses_reference=False),
    Check("l2_penalty keeps float32", 1, l2_grads_program(l2_inputs(dtype=np.float32)), l2_keeps_float32,
          uses_reference=False),
    raises("l2_penalty rejects a negative weight_decay", 1, L2_PENALTY, l2_inputs(weight_decay=-0.01),
           [PARAMS, "$wd"], must_mention=("-0.01",)),
    # hidden: fresh shapes, p, seeds and weight decays
    forward_value("dropout forward, fresh shapes", 1, DROPOUT_FORWARD, fresh_dropout, DROPOUT_ARGS, TRAIN,
                  hidden=True, shape_hint=SHAPE_HINT, mistakes=SCALE_MISTAKES),
    backward_value("dropout backward, fresh shapes", 1, *DROPOUT, fresh_dropout, DROPOUT_ARGS, TRAIN, wrt=["x"],
                   hidden=True, mistakes=("dropout-backward-not-scaled", *SCALE_MISTAKES)),
    statistics("dropout keeps the mean, fresh p and seed", mean_is_one, ones_inputs(fresh_p), hidden=True,
               mistakes=("dropout-scaled-by-p", "dropout-not-scaled")),
    statistics("dropout drops a fraction p, fresh p and seed", drops_a_fraction_p, ones_inputs(fresh_p), hidden=True,
               mistakes=("dropout-keep-probability",)),
    l2_loss("l2_penalty loss, fresh shapes", 1, l2_inputs(fresh_l2_shapes, fresh_weight_decay), hidden=True),
    l2_grads("l2_penalty grads, fresh shapes", 1, l2_inputs(fresh_l2_shapes, fresh_weight_decay), hidden=True),
], REQUIRES)

DIAGNOSES = {
    "dropout-scaled-by-p": "the kept units were multiplied by p. Inverted dropout divides them by the probability "
                           "of keeping them, out = x * mask / (1 - p), so that the expected output equals x.",
    "dropout-not-scaled": "the kept units were not rescaled, so the output is on average (1 - p) times the input. "
                          "Divide by 1 - p in the forward pass and in the backward pass: out = x * mask / (1 - p), "
                          "dx = dout * mask / (1 - p).",
    "dropout-keep-probability": "p was used as the probability of KEEPING a unit (as in some older course notes). "
                                "Here, as in PyTorch, p is the probability of dropping one: mask = "
                                "rng.random(x.shape) >= p, and the kept units are divided by 1 - p.",
    "dropout-in-eval-mode": "units were dropped in evaluation mode too. With train=False dropout does nothing at "
                            "all: return a copy of x, and let the backward pass return a copy of dout.",
    "dropout-not-inverted": "evaluation mode multiplied by (1 - p): that is the original, non-inverted dropout. "
                            "This exercise uses inverted dropout: the 1 / (1 - p) is applied while training, so "
                            "evaluation is the identity.",
    "dropout-backward-not-scaled": "dx is dout * mask, without the factor 1 / (1 - p). For a fixed mask dropout "
                                   "is the linear map x -> x * mask / (1 - p), so its gradient is "
                                   "dout * mask / (1 - p): the backward pass scales exactly as the forward does.",
    "l2-no-half": "the penalty came out as weight_decay * sum(w ** 2), twice the documented "
                  "(weight_decay / 2) * sum(w ** 2), and the gradients as 2 * weight_decay * w. The 1/2 is there "
                  "so that the gradient is exactly weight_decay * w, the term the optimizers' weight_decay adds.",
}

HINTS = [
    Hint(("dropout_forward",),
         "p is the probability of DROPPING a unit. The docstring's mask is exact: rng is seed itself when it is a "
         "np.random.Generator, else np.random.default_rng(seed), and a unit survives when its draw from "
         "rng.random(x.shape) is >= p."),
    Hint(("dropout_forward", "dropout_backward"),
         "Inverted dropout rescales the survivors while training, by 1 / (1 - p), so that the mean is kept and "
         "nothing changes at test time: with train=False the output is a copy of x."),
    Hint(("dropout_backward",),
         "Backward lets through exactly what forward let through, scaled the same way: keep the mask and p in "
         "the cache. Dividing by a Python float keeps float32 arrays float32."),
    Hint(("l2_penalty",),
         "l2_penalty: the loss is 0.5 * weight_decay * (the sum of w ** 2 over every array), returned as a "
         "Python float; the gradient of each array is weight_decay * w, in a new dict with the same keys."),
    Hint(("dropout_forward", "l2_penalty"),
         "Validate first: p must lie in [0, 1) and weight_decay must not be negative. Put the offending value in "
         "the ValueError's message."),
]
