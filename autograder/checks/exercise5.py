"""Exercise 5, optimizers: SGD with momentum, RMSprop and Adam, stepped exactly like torch.optim.

An optimizer is graded by its *trajectory*: a program builds it, steps it
several times on one params dict with fresh gradients each step, and sends
back a snapshot of every parameter after every step; the judge names the first
step and key where the student's trajectory leaves the reference's.

The optimizer lives in the slot ``$SGD`` (``$RMSprop``, ``$Adam``) and the
params dict in ``$params``: their methods are called with
:func:`~autograder.checks.spec.method`, which :meth:`Check.functions` does not
take for functions the student's module must define. Snapshots are taken out
of their dict key by key (``after2_weight``, :func:`~autograder.checks.spec.entry`)
because the grader names a mistake by comparing arrays, not dicts.

In place: the trajectory checks read the params dict after each step, so they
accept an optimizer that re-assigns ``params[key]`` as well as one that updates
the arrays in place. The separate "updates params in place" checks hold on to
the arrays that were in the dict *before* the first step (as a model holds on
to its layers' weights) and require those very arrays to carry the new values.
That judges values, computed in the child from references taken there, rather
than trusting an identity test; it is what a training loop relies on.
"""

from __future__ import annotations

import numpy as np

from autograder.checks.compare import check_array
from autograder.checks.inputs import dense_shapes, no_inputs
from autograder.checks.judges import keeps_float32, unchanged
from autograder.checks.spec import (Check, Context, Hint, copy, entry, lit, method, new, program, raises, raises_when,
                                    ref, tuple_of, with_requirements)

MODULE = "optimizers"
SHAPES = {"weight": (3, 4), "bias": (4,)}
LATE_KEY, LATE_SHAPE = "gamma", (2, 3)
ATOL, RTOL = 1e-8, 1e-6  # the grader's usual tolerances, also those it names mistakes with


def label(cls: str, kwargs: dict) -> str:
    """``Adam(lr=0.01, betas=(0.8, 0.99))``: how the optimizer was built, for messages."""
    return f"{cls}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def construct(cls: str, kwargs: dict) -> dict:
    """The step that builds ``cls(**kwargs)`` into the slot ``$cls``; tuples such as betas go as tuple nodes."""
    hyperparameters = {k: tuple_of(*v) if isinstance(v, tuple) else v for k, v in kwargs.items()}
    return new(f"{MODULE}.{cls}", hyperparameters, into=f"${cls}")


def optimizer_step(cls: str, grads: str) -> dict:
    """The step ``$cls.step($params, grads)``."""
    return method(f"${cls}", "step", [ref("$params"), ref(grads)])


def snapshot_names(steps: int, late_at: int | None, keys=tuple(SHAPES)) -> tuple[str, ...]:
    """Output names of the snapshots, in the order the judge reads them (step, then key)."""
    names = []
    for t in range(1, steps + 1):
        present = [*keys, LATE_KEY] if late_at and t >= late_at else list(keys)
        names += [f"after{t}_{key}" for key in present]
    return tuple(names)


def snapshots(ctx: Context) -> list[str]:
    """The snapshot outputs of a trajectory's program, ``after{t}_{key}``, in order."""
    return [o for o in ctx.program["outputs"] if o.startswith("after")]


def step_and_key(snapshot: str) -> tuple[str, str]:
    """``("2", "weight")`` from ``after2_weight``."""
    t, key = snapshot[len("after"):].split("_", 1)
    return t, key


def trajectory(cls: str, kwargs, *, steps=3, late_at=None, dtype=np.float64, grad_scale=1.0, shapes=None):
    """``build(rng)`` of a program stepping ``cls(**kwargs)`` ``steps`` times on one params dict.

    ``kwargs`` and ``shapes`` may be callables of the generator (hidden checks).
    With ``late_at``, the key ``gamma`` joins params (and grads) just before that step.
    """

    def build(rng):
        kw = kwargs(rng) if callable(kwargs) else dict(kwargs)
        sizes = shapes(rng) if callable(shapes) else (shapes or SHAPES)

        def draw(shape, scale=1.0):
            return (scale * rng.standard_normal(shape)).astype(dtype)

        inputs = {"$params": {key: draw(shape) for key, shape in sizes.items()}}
        program_steps = [construct(cls, kw)]
        present = dict(sizes)
        for t in range(1, steps + 1):
            if t == late_at:
                present[LATE_KEY] = LATE_SHAPE
                inputs["late"] = draw(LATE_SHAPE)
                program_steps.append(method("$params", "__setitem__", [lit(LATE_KEY), ref("late")]))
            inputs[f"g{t}"] = {key: draw(shape, grad_scale) for key, shape in present.items()}
            program_steps += [optimizer_step(cls, f"g{t}"), copy("$params", f"$after{t}")]
            program_steps += [entry(f"$after{t}", key, f"after{t}_{key}") for key in present]
        outputs = [*snapshot_names(steps, late_at, tuple(sizes)), *(f"g{t}" for t in range(1, steps + 1))]
        return program(inputs, program_steps, outputs)

    return build


def built_as(program: dict) -> tuple[str, str]:
    """The class name and a readable constructor call, read back from the program's ``new`` step."""
    first = program["steps"][0]
    cls = first["new"].rpartition(".")[2]
    kwargs = {k: tuple(n["lit"] for n in v["tuple"]) if "tuple" in v else v["lit"] for k, v in first["kwargs"].items()}
    return cls, label(cls, kwargs)


def initial_value(ctx: Context, key: str):
    """What params[key] held before the first step (or before it joined)."""
    return ctx.inputs["late"] if key == LATE_KEY else ctx.inputs["$params"][key]


def grads_outputs(program: dict) -> list[str]:
    """``g1``, ``g2``, ...: the gradient dicts, sent back to show they were not modified."""
    return [o for o in program["outputs"] if o[0] == "g" and o[1:].isdigit()]


def grads_untouched(ctx: Context, cls: str) -> str | None:
    """A message if ``cls.step`` modified one of the gradient dicts it was given."""
    return unchanged(ctx, grads_outputs(ctx.program), lambda name, key: (
        f"{cls}.step changed grads[{key!r}] (the gradients of step {name[1:]}). The gradients belong "
        f"to the caller: compute g = g + weight_decay * p into a new array, never with += on grads."))


def follows_reference(ctx: Context):
    """Judge of a trajectory: the first (step, key) where the student's params leave the reference's."""
    cls, built = built_as(ctx.program)
    steps = len(grads_outputs(ctx.program))
    seen = set()
    for name in snapshots(ctx):
        t, key = step_and_key(name)
        first = key not in seen
        seen.add(key)
        got, want = ctx.student[name], ctx.reference[name]
        where = f"{built}, stepped {steps} times with new gradients each step: params[{key!r}] after step {t}"
        if got is None:
            return f"{where} is missing: step must update the arrays in params and keep every key."
        start = initial_value(ctx, key)
        if first and isinstance(got, np.ndarray) and np.array_equal(got, start) and not np.array_equal(want, start):
            return (f"{where} still holds its initial value: step must change the arrays inside params "
                    f"(p -= lr * g changes the array in place; p = p - lr * g only rebinds a local name).")
        problem = check_array(got, want, what=where, atol=ATOL, rtol=RTOL)
        if problem:
            return problem
    return grads_untouched(ctx, cls)


def _not_float32(ctx: Context, name: str, found) -> str:
    t, key = step_and_key(name)
    return (f"{built_as(ctx.program)[1]} on float32 parameters: params[{key!r}] after step {t} is {found}. Keep the "
            f"parameters' dtype: store hyperparameters as Python floats (float(lr)), create state with "
            f"np.zeros_like(p), and update in place (p -= ...). In NumPy 2 a float32 array times a "
            f"np.float64 scalar, or plus a float64 array, is float64.")


# Judge of a float32 trajectory: only the dtype (the values are the other checks' business).
stays_float32 = keeps_float32(snapshots, _not_float32)


def follows(name, points, cls, kwargs, *, mistakes=(), hidden=False, steps=3, late_at=None, dtype=np.float64,
            grad_scale=1.0, shapes=None) -> Check:
    """A trajectory check: ``cls(**kwargs)`` stepped ``steps`` times must follow the reference (float32: keep it)."""
    build = trajectory(cls, kwargs, steps=steps, late_at=late_at, dtype=dtype, grad_scale=grad_scale, shapes=shapes)
    if dtype == np.float32:
        return Check(name, points, build, stays_float32, uses_reference=False)
    return Check(name, points, build, follows_reference, hidden=hidden, mistakes=tuple(mistakes),
                 diagnose=snapshot_names(steps, late_at))


def random_params(rng, shapes=SHAPES) -> dict:
    """A dict of standard normal arrays, one per key of ``shapes``."""
    return {key: rng.standard_normal(shape) for key, shape in shapes.items()}


def in_place(cls: str, kwargs: dict, steps: int = 2) -> Check:
    """The arrays held before the first step must carry the values the dict holds after the last one."""

    def build(rng):
        inputs = {"$params": random_params(rng)}
        program_steps = [entry("$params", key, f"held_{key}") for key in SHAPES] + [construct(cls, kwargs)]
        for t in range(1, steps + 1):
            inputs[f"g{t}"] = random_params(rng)
            program_steps.append(optimizer_step(cls, f"g{t}"))
        program_steps += [entry("$params", key, f"final_{key}") for key in SHAPES]
        return program(inputs, program_steps, [f"{w}_{key}" for key in SHAPES for w in ("held", "final")])

    def judge(ctx: Context):
        after = f"After {steps} steps of {label(cls, kwargs)}"
        for key, start in ctx.inputs["$params"].items():
            held, final = ctx.student[f"held_{key}"], ctx.student[f"final_{key}"]
            if not isinstance(final, np.ndarray) or final.shape != start.shape:
                return f"{after}, params[{key!r}] is no longer an array of shape {start.shape}."
            if np.array_equal(final, start):
                return f"{after}, params[{key!r}] has not changed at all."
            if not np.array_equal(held, final):
                return (f"{cls}.step put a new array into params[{key!r}]; the array that was there before still "
                        f"has its old values. A model holds on to its parameter arrays, so it would never see "
                        f"the update: change the array itself, p -= lr * g (or p[...] = ...), rather than "
                        f"params[{key!r}] = p - lr * g.")
        return None

    return Check(f"{cls} updates params in place", 1, build, judge, uses_reference=False)


def one_bad_step(cls: str, kwargs: dict, grads):
    """``build(rng)`` of a program that builds ``cls(**kwargs)`` and steps it once with ``grads(rng)``."""

    def build(rng):
        inputs = {"$params": random_params(rng), "g": grads(rng)}
        return program(inputs, [construct(cls, kwargs), optimizer_step(cls, "g")], [])

    return build


def rejects_keys(cls: str, kwargs: dict, grad_keys: tuple, mention: tuple) -> Check:
    """step(params, grads) must raise ValueError when the keys differ, naming the odd ones."""
    shapes = {**SHAPES, LATE_KEY: LATE_SHAPE}

    def judge(ctx: Context):
        return (f"{cls}.step accepted grads with keys {sorted(grad_keys)} for params with keys {sorted(SHAPES)}. "
                f"Raise ValueError naming the keys that do not match: a misspelt key would otherwise leave a "
                f"parameter untrained, or a gradient unused, without a word.")

    what = "a missing" if len(grad_keys) < len(SHAPES) else "an extra"
    build = one_bad_step(cls, kwargs, lambda rng: random_params(rng, {key: shapes[key] for key in grad_keys}))
    return raises_when(f"{cls}.step rejects a grads dict with {what} key", 1, build, judge, must_mention=mention)


def rejects_shape(cls: str, kwargs: dict) -> Check:
    """A (4,) gradient for a (3, 4) weight would broadcast silently; it must raise instead."""

    def judge(ctx: Context):
        return (f"{cls}.step accepted grads['weight'] of shape (4,) for params['weight'] of shape (3, 4): it "
                f"broadcast silently. Compare the shapes and raise ValueError naming the key.")

    build = one_bad_step(cls, kwargs, lambda rng: random_params(rng, {"weight": (4,), "bias": (4,)}))
    return raises_when(f"{cls}.step rejects a gradient of the wrong shape", 1, build, judge,
                       must_mention=("weight",))


# ---------------------------------------------------------------- hidden: fresh hyperparameters and shapes

def pick(rng, options):
    """One of ``options``, uniformly."""
    return options[int(rng.integers(len(options)))]


def between(rng, low, high, digits=2):
    """A uniform draw in [low, high), rounded to ``digits`` significant digits to read well in messages."""
    return float(f"{rng.uniform(low, high):.{digits}g}")


# Every hyperparameter a listed mistake hinges on is drawn where that mistake shows: momentum > 0 (plain
# SGD has no velocity to dampen or forget, and coupled and decoupled decay are the same step without it),
# weight decay > 0, an RMSprop eps of 1e-4..1e-2, large enough next to v for sqrt(v + eps) to differ, and an
# Adam eps of 0.003..0.03, large enough next to sqrt(v_hat) that each of its wrong places shows on every seed.
FRESH_HYPERPARAMETERS = {
    "SGD": lambda rng: {"lr": round(float(rng.uniform(0.01, 0.2)), 4), "momentum": between(rng, 0.3, 0.95),
                        "weight_decay": between(rng, 0.01, 0.2)},
    "RMSprop": lambda rng: {"lr": round(float(rng.uniform(1e-3, 1e-2)), 5), "alpha": pick(rng, [0.9, 0.99]),
                            "eps": float(f"{10 ** rng.uniform(-4, -2):.2g}"),
                            "weight_decay": between(rng, 0.01, 0.1)},
    "Adam": lambda rng: {"lr": round(float(rng.uniform(1e-3, 1e-2)), 5),
                         "betas": pick(rng, [(0.9, 0.999), (0.8, 0.99)]),
                         "eps": float(f"{10 ** rng.uniform(-2.5, -1.5):.2g}"),
                         "weight_decay": between(rng, 0.01, 0.1)},
}

SGD_MISTAKES = ("momentum-wrong-sign", "momentum-dampened", "momentum-velocity-not-kept")
ADAM_STEP_COUNT = ("adam-no-bias-correction", "adam-step-count-from-one")
ADAM_EPS = ("adam-eps-inside-sqrt", "adam-eps-hat")
DECOUPLED_DECAY = "weight-decay-decoupled"

# A property check earns its points only once the optimizer follows the reference's trajectory.
FIRST_TRAJECTORY = {"SGD": "SGD", "RMSprop": "RMSprop with default hyperparameters",
                    "Adam": "Adam with default hyperparameters"}
REQUIRES = {
    **{f"{name} updates params in place": (first,) for name, first in FIRST_TRAJECTORY.items()},
    **{f"{name} keeps float32 parameters float32": (first,) for name, first in FIRST_TRAJECTORY.items()},
    "SGD.step rejects a grads dict with a missing key": (FIRST_TRAJECTORY["SGD"],),
    "Adam.step rejects a grads dict with an extra key": (FIRST_TRAJECTORY["Adam"],),
    "RMSprop.step rejects a gradient of the wrong shape": (FIRST_TRAJECTORY["RMSprop"],),
    "SGD rejects a negative learning rate": (FIRST_TRAJECTORY["SGD"],),
    "RMSprop rejects alpha = 1": (FIRST_TRAJECTORY["RMSprop"],),
    "Adam rejects beta1 = 1.5": (FIRST_TRAJECTORY["Adam"],),
    "SGD rejects a negative momentum": (FIRST_TRAJECTORY["SGD"],),
    "Adam rejects a negative weight_decay": (FIRST_TRAJECTORY["Adam"],),
    "RMSprop rejects a negative eps": (FIRST_TRAJECTORY["RMSprop"],),
    "Adam rejects a negative eps": (FIRST_TRAJECTORY["Adam"],),
}

CHECKS = with_requirements([
    # SGD
    follows("SGD", 1, "SGD", {"lr": 0.1}, mistakes=("momentum-wrong-sign",)),
    follows("SGD with momentum", 2, "SGD", {"lr": 0.1, "momentum": 0.9}, steps=4, mistakes=SGD_MISTAKES),
    follows("SGD with momentum and weight decay", 1, "SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.1},
            steps=4, mistakes=(DECOUPLED_DECAY, *SGD_MISTAKES)),
    follows("SGD with momentum: a key added later starts fresh", 1, "SGD", {"lr": 0.1, "momentum": 0.9},
            steps=4, late_at=3, mistakes=SGD_MISTAKES),
    # RMSprop
    follows("RMSprop with default hyperparameters", 1, "RMSprop", {}, mistakes=("rmsprop-eps-inside-sqrt",)),
    follows("RMSprop, alpha 0.9, eps 0.01", 2, "RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 0.01}, steps=4,
            grad_scale=0.1, mistakes=("rmsprop-eps-inside-sqrt",)),
    follows("RMSprop with weight decay", 1, "RMSprop", {"lr": 0.01, "weight_decay": 0.1},
            mistakes=(DECOUPLED_DECAY, "rmsprop-eps-inside-sqrt")),
    follows("RMSprop: a key added later starts fresh", 1, "RMSprop", {"lr": 0.01, "alpha": 0.9}, steps=4, late_at=3),
    # Adam
    follows("Adam with default hyperparameters", 2, "Adam", {}, mistakes=ADAM_STEP_COUNT),
    follows("Adam, betas (0.8, 0.99), eps 1e-4", 1, "Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-4}, steps=4,
            mistakes=(*ADAM_STEP_COUNT, *ADAM_EPS)),
    follows("Adam with weight decay", 1, "Adam", {"lr": 0.01, "weight_decay": 0.1},
            mistakes=(DECOUPLED_DECAY, *ADAM_STEP_COUNT)),
    follows("Adam: a key added later starts fresh", 2, "Adam", {"lr": 0.01}, steps=5, late_at=3,
            mistakes=("adam-shared-step-count", *ADAM_STEP_COUNT)),
    # in place, dtype, validation
    *(in_place(cls, kwargs) for cls, kwargs in
      [("SGD", {"lr": 0.1, "momentum": 0.9}), ("RMSprop", {}), ("Adam", {"lr": 0.01})]),
    *(follows(f"{cls} keeps float32 parameters float32", 1, cls, kwargs, dtype=np.float32)
      for cls, kwargs in [("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
                          ("RMSprop", {"weight_decay": 0.01}), ("Adam", {"lr": 0.01, "weight_decay": 0.01})]),
    rejects_keys("SGD", {"lr": 0.1}, ("weight",), ("bias",)),
    rejects_keys("Adam", {}, ("weight", "bias", LATE_KEY), (LATE_KEY,)),
    rejects_shape("RMSprop", {}),
    raises("SGD rejects a negative learning rate", 1, f"{MODULE}.SGD", no_inputs, [], {"lr": -0.1},
           must_mention=("-0.1",)),
    raises("SGD rejects a negative momentum", 1, f"{MODULE}.SGD", no_inputs, [], {"lr": 0.1, "momentum": -0.9},
           must_mention=("-0.9",)),
    raises("Adam rejects a negative weight_decay", 1, f"{MODULE}.Adam", no_inputs, [], {"weight_decay": -0.01},
           must_mention=("-0.01",)),
    raises("RMSprop rejects alpha = 1", 1, f"{MODULE}.RMSprop", no_inputs, [], {"alpha": 1.0},
           must_mention=("1.0",)),
    raises("Adam rejects beta1 = 1.5", 1, f"{MODULE}.Adam", no_inputs, [], {"betas": (1.5, 0.999)},
           must_mention=("1.5",)),
    raises("RMSprop rejects a negative eps", 1, f"{MODULE}.RMSprop", no_inputs, [], {"eps": -1e-8}),
    raises("Adam rejects a negative eps", 1, f"{MODULE}.Adam", no_inputs, [], {"eps": -1e-8}),
    # hidden: fresh hyperparameters, shapes and gradients; a key joins at step 3
    *(follows(f"{cls}, fresh hyperparameters and shapes", 2, cls, FRESH_HYPERPARAMETERS[cls], steps=5, late_at=3,
              shapes=dense_shapes, hidden=True, mistakes=mistakes)
      for cls, mistakes in [("SGD", (DECOUPLED_DECAY, *SGD_MISTAKES)),
                            ("RMSprop", (DECOUPLED_DECAY, "rmsprop-eps-inside-sqrt")),
                            ("Adam", (DECOUPLED_DECAY, *ADAM_STEP_COUNT, "adam-shared-step-count", *ADAM_EPS))]),
], REQUIRES)

DIAGNOSES = {
    "momentum-wrong-sign": "the parameters moved *up* the gradient: with the velocity b = momentum * b + g, the "
                           "step is p -= lr * b (minus). Check the sign of every update against a plain SGD "
                           "step, p -= lr * g.",
    "momentum-dampened": "the velocity was updated as an average, b = momentum * b + (1 - momentum) * g, so every "
                         "step is (1 - momentum) times too small. torch.optim.SGD (no dampening) uses "
                         "b = momentum * b + g, which makes b = g on the first step.",
    "momentum-velocity-not-kept": "the momentum never builds up: the velocity starts from zero on every call, so "
                                  "this is plain SGD. Keep one velocity per key in a dict on the optimizer "
                                  "(self.velocity[key]), created with np.zeros_like(p) the first time the key is "
                                  "seen and updated on every later step.",
    "weight-decay-decoupled": "the weight decay was applied to the parameters directly, p *= 1 - lr * "
                              "weight_decay, as AdamW does. These optimizers use classic L2 decay: add "
                              "weight_decay * p to the gradient first, g = g + weight_decay * p, and let the "
                              "rest of the update (momentum, running averages) see that sum.",
    "rmsprop-eps-inside-sqrt": "eps was added inside the square root, sqrt(v + eps). torch.optim.RMSprop adds it "
                               "outside: p -= lr * g / (np.sqrt(v) + eps). The two differ most where v is small "
                               "next to eps, as it is here.",
    "adam-no-bias-correction": "the moments were used without bias correction. m and v start at zero, so "
                               "early on they are shrunk towards zero, v more than m, and the uncorrected step "
                               "m / sqrt(v) comes out too LARGE: with the default betas the first step is "
                               "(1 - 0.9) / sqrt(1 - 0.999) = 3.16 times lr instead of lr. Divide m by "
                               "(1 - beta1 ** t) and v by (1 - beta2 ** t), with t the number of steps this key "
                               "has taken (1 on its first step).",
    "adam-step-count-from-one": "the step count t was one ahead: it started at 1 and was incremented before "
                                "its first use, so the first step was bias-corrected as if it were the second. "
                                "On the first step m_hat / sqrt(v_hat) should be g / |g|, a step of exactly lr "
                                "per entry; with t = 2 it is sqrt(1 + beta2) / (1 + beta1) times that, 0.744 lr "
                                "with the default betas (0.784 lr with betas (0.8, 0.99)), and every later step "
                                "is corrected as the one after it. Start t at 0 (self.t[key] = 0 when a key is "
                                "first seen) and add 1 before using it, so the first step uses t = 1.",
    "adam-eps-inside-sqrt": "eps was added inside the square root, sqrt(v_hat + eps). Adam (and "
                            "torch.optim.Adam) adds it outside: p -= lr * m_hat / (np.sqrt(v_hat) + eps). With "
                            "eps = 1e-4, an entry with |g| = 0.01 on its first step moves 0.707 lr instead of "
                            "0.990 lr: the two agree only where sqrt(v_hat) is far above eps.",
    "adam-eps-hat": "eps was added to the uncorrected sqrt(v), the 'epsilon hat' form of the Adam paper "
                    "(lr_t = lr * sqrt(1 - beta2 ** t) / (1 - beta1 ** t), then p -= lr_t * m / (sqrt(v) + eps)). "
                    "That is the same as adding eps / sqrt(1 - beta2 ** t) to sqrt(v_hat): on the first step eps "
                    "counts 10 times over with beta2 = 0.99 and 31.6 times with beta2 = 0.999, so your steps "
                    "are smaller than the reference's wherever sqrt(v_hat) is not far above eps. torch.optim.Adam "
                    "divides by np.sqrt(v_hat) + eps, with the bias-corrected v_hat.",
    "adam-shared-step-count": "one step counter t was shared by every key. A key that joins later must start "
                              "with t = 1 for its bias correction; keep t per key (self.t[key]), like m and v.",
}

HINTS = [
    Hint((), "Every update works key by key over params and changes each array in place (p -= ...), so the arrays "
             "a model holds see the new values."),
    Hint((), "Add the weight decay to a new array (g = grads[key] + weight_decay * p): never modify grads. Check "
             "that grads and params have the same keys and shapes before you change anything."),
    Hint((), "State lives on the optimizer, one entry per key, created as zeros the first time a key is seen; a "
             "key added later starts fresh, with its own step count in Adam."),
    Hint(("SGD",), "SGD with momentum keeps a velocity b per key: b = momentum * b + g, and the step is lr * b "
                   "(torch.optim.SGD's convention, no dampening)."),
    Hint(("RMSprop",), "RMSprop keeps a running average of g squared, weighted by alpha, and divides lr * g by its "
                       "square root plus eps: eps goes outside the root."),
    Hint(("Adam",), "Adam keeps two running averages, of g (beta1) and of g squared (beta2), both started at 0 and "
                    "so too small at first: divide each by 1 - beta ** t, with t the key's step count, before "
                    "taking the step as RMSprop would."),
    Hint(("SGD", "RMSprop", "Adam"),
         "float32 parameters that come back float64 were touched by a float64 scalar or a new array: store the "
         "hyperparameters with float(...) and update p and the state with in-place operators."),
]
