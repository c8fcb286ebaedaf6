"""Exercise 2: the affine layer, softmax cross-entropy and MSE losses, numerical gradients."""

from __future__ import annotations

import math

import numpy as np

from autograder.checks.compare import check_array, check_float
from autograder.checks.inputs import as_float32, away_from_zero, random_shape
from autograder.checks.judges import inputs_unchanged, keeps_float32, short_name
from autograder.checks.spec import (Check, Hint, backward_value, call, fn, forward_value, gradient_check, one_call,
                                    program, raises, with_requirements)

AFFINE_FORWARD, AFFINE_BACKWARD = "linear.affine_forward", "linear.affine_backward"
CROSS_ENTROPY, MSE = "losses.softmax_cross_entropy", "losses.mse_loss"
NUMERICAL_GRADIENT = "gradcheck.numerical_gradient"
NUMERICAL_GRADIENT_ARRAY = "gradcheck.numerical_gradient_array"


# --- inputs ---------------------------------------------------------------------------------------------------------

def affine(x_shape, m, dtype=np.float64):
    """Random x of ``x_shape``, w (D, M), b (M,) and dout (N, M)."""
    def make(rng):
        d = math.prod(x_shape[1:])
        data = {"x": rng.standard_normal(x_shape), "w": rng.standard_normal((d, m)),
                "b": rng.standard_normal(m), "dout": rng.standard_normal((x_shape[0], m))}
        return {k: v.astype(dtype) for k, v in data.items()}
    return make


def affine_small(rng):
    """Two examples of 3 features, 2 outputs: out = [[4.5, -2], [10.5, -2]] by hand."""
    return {"x": np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
            "w": np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]),
            "b": np.array([0.5, -1.0]),
            "dout": np.array([[1.0, 2.0], [3.0, -1.0]])}


def affine_float32(rng):
    """float32 x of shape (2, 3, 2), w, b and dout."""
    return affine((2, 3, 2), 4, np.float32)(rng)


def affine_fresh(rng):
    """N >= 2 (a mean over one example is its sum), x of 3 or 4 axes (dx flattened to (N, D) then has the
    wrong shape) and M != D (dw transposed then has the wrong shape)."""
    n = int(rng.integers(2, 5))
    rest = random_shape(rng, (2, 4), (1, 5))
    d = math.prod(rest)
    m = int(rng.choice([k for k in range(1, 6) if k != d]))
    return affine((n, *rest), m)(rng)


def scores(n, c, scale=2.0):
    """Scores (n, c) and labels (n,)."""
    return lambda rng: {"scores": scale * rng.standard_normal((n, c)), "y": rng.integers(0, c, n)}


def ce_small(rng):
    """Three examples, four classes; the middle row is uniform (loss log 4 there)."""
    return {"scores": np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0], [2.0, -1.0, 0.5, 1.0]]),
            "y": np.array([3, 0, 1])}


def ce_huge(rng):
    """Logits of magnitude 5e3..1e4; one label on its row's smallest score, one on its largest."""
    s = rng.choice([-1.0, 1.0], (4, 5)) * rng.uniform(5e3, 1e4, (4, 5))
    y = rng.integers(0, 5, 4)
    y[0], y[1] = np.argmin(s[0]), np.argmax(s[1])
    return {"scores": s, "y": y}


def ce_fresh(rng):
    """N >= 2 (a mean over one example is its sum) and, in one random row, one score of 1e3..1e4 above
    the others with that row's label elsewhere: exp overflows there, and its probability rounds to 0."""
    n, c = int(rng.integers(2, 7)), int(rng.integers(2, 8))
    data = scores(n, c, scale=float(rng.uniform(0.5, 10.0)))(rng)
    row, top = int(rng.integers(n)), int(rng.integers(c))
    data["scores"][row, top] = rng.uniform(1e3, 1e4)
    data["y"][row] = (top + int(rng.integers(1, c))) % c
    return data


def bad_labels(labels, c=5):
    """Scores (len(labels), c) with the given labels, some of them out of [0, c)."""
    return lambda rng: {"scores": rng.standard_normal((len(labels), c)), "y": np.array(labels)}


def scores_of_rank_3(rng):
    """scores (2, 3, 4) and labels (2,): a row-wise max and an index [rows, y] work on it without a complaint."""
    return {"scores": rng.standard_normal((2, 3, 4)), "y": np.array([1, 2])}


def labels_as_a_column(rng):
    """scores (4, 3) and labels of shape (4, 1): indexing [rows, y] with them broadcasts to a (4, 4) table."""
    return {"scores": rng.standard_normal((4, 3)), "y": np.array([[0], [2], [1], [2]])}


def float_labels(rng):
    """scores (3, 4) and labels 2.0, 0.0, 1.0: the right classes, as floats."""
    return {"scores": rng.standard_normal((3, 4)), "y": np.array([2.0, 0.0, 1.0])}


def mse(shape):
    """pred and target of ``shape``."""
    return lambda rng: {"pred": rng.standard_normal(shape), "target": rng.standard_normal(shape)}


def mse_small(rng):
    """Three examples of 2 outputs; the differences are 0, 2, 1, 0, -0.5, 0."""
    return {"pred": np.array([[1.0, 2.0], [3.0, 4.0], [0.0, -1.0]]),
            "target": np.array([[1.0, 0.0], [2.0, 4.0], [0.5, -1.0]])}


def mse_fresh(rng):
    """N >= 2 and at least two values per example, so a mean over the batch axis is not a mean over all."""
    n = int(rng.integers(2, 6))
    rest = (int(rng.integers(2, 5)), *random_shape(rng, (0, 2), (1, 5)))
    return mse((n, *rest))(rng)


def mismatched_shapes(rng):
    """pred (4, 1) and target (4,): they would broadcast to (4, 4)."""
    return {"pred": rng.standard_normal((4, 1)), "target": rng.standard_normal(4)}


# --- losses: item 0 is the loss (a Python float), item 1 its gradient ------------------------------------------------

LOSS_WORDS = {CROSS_ENTROPY: ("cross-entropy", "dscores"), MSE: ("MSE", "dpred")}  # the loss and its gradient


def loss_part(name, points, loss, make, args, item, *, owner, mistakes=(), hidden=False, seed=0,
              atol=1e-8, rtol=1e-6) -> Check:
    """Compare item ``item`` of a loss's ``(loss, grad)`` with the reference's: the loss, or the gradient."""
    key, grad = f"fwd.{item}", LOSS_WORDS[loss][1]
    arrays = [a[1:] for a in args]

    def build(rng):
        return program(make(rng), [call(loss, args, None, "fwd")], [key, *arrays])

    def judge(ctx):
        got, want = ctx.student[key], ctx.reference[key]
        if item == 0:
            problem = check_float(got, want, what=f"The loss from {short_name(loss)}", atol=atol, rtol=rtol)
        else:
            problem = check_array(got, want, what=f"{grad} (item 1 of {short_name(loss)}'s result)", atol=atol,
                                  rtol=rtol, shape_hint=f"{grad} must have the shape of {owner}, {want.shape}")
        return problem or inputs_unchanged(ctx, arrays, loss)

    return Check(name, points, build, judge, hidden=hidden, seed=seed, mistakes=tuple(mistakes), diagnose=(key,))


def loss_checks(case, loss, make, args, owner, points=(1, 1), mistakes_loss=(), mistakes_grad=(), **common):
    """The loss value and the gradient value of one case, as two checks: "<loss> loss<case>", "<loss> <grad><case>"."""
    words, grad = LOSS_WORDS[loss]
    return [loss_part(f"{words} loss{case}", points[0], loss, make, args, 0, owner=owner, mistakes=mistakes_loss,
                      **common),
            loss_part(f"{words} {grad}{case}", points[1], loss, make, args, 1, owner=owner, mistakes=mistakes_grad,
                      **common)]


def gradient_keeps_float32(loss, make, args) -> Check:
    """The gradient a loss returns (item 1) must keep the dtype of float32 predictions or scores."""
    words, grad = LOSS_WORDS[loss]
    judge = keeps_float32(["fwd.1"], lambda ctx, name, found: (
        f"{short_name(loss)} returned {grad} as {found} for float32 {args[0][1:]}: the gradient keeps the dtype of "
        f"{args[0][1:]}. Divide by a Python int ({'N = len(y)' if loss == CROSS_ENTROPY else 'pred.size'}), and cast "
        f"anything float64 you built back with .astype({args[0][1:]}.dtype)."))
    return Check(f"{words} {grad} keeps float32", 1, one_call(loss, as_float32(make), args, outputs=("fwd.1",)),
                 judge, uses_reference=False)


def empty_arrays(rng):
    """pred and target of shape (0, 3): the mean of no terms."""
    return {"pred": np.zeros((0, 3)), "target": np.zeros((0, 3))}


def w_with_a_stray_axis(rng):
    """x (2, 3, 4), w of shape (1, 12, 5) and b (5,): x_flat @ w broadcasts to (1, 2, 5) instead of failing."""
    return {"x": rng.standard_normal((2, 3, 4)), "w": rng.standard_normal((1, 12, 5)), "b": np.zeros(5)}


def one_bias(rng):
    """x of shape (2, 3, 4), w of shape (12, 5), and b of shape (1,): it would broadcast over the 5 outputs."""
    return {"x": rng.standard_normal((2, 3, 4)), "w": rng.standard_normal((12, 5)), "b": np.zeros(1)}


# --- gradcheck: the student's numerical gradients against closed forms ---------------------------------------------

CLOSED_FORMS = {  # the gradient of each test function of autograder.sandbox.program, from the inputs
    "cube_sum": lambda x, dout: 3 * x ** 2,
    "exp_dot": lambda x, dout: 0.5 * np.exp(0.5 * x),
    "sin": lambda x, dout: np.cos(x) * dout,
}


def numerical_call(function, test_fn, kwargs=None, *, catch=False):
    """The step ``grad = function(test_fn, $x[, $dout], **kwargs)``; numerical_gradient_array also takes dout.

    With ``catch`` an exception the call raises (one f raises on purpose) is stored in ``grad`` and the program goes on.
    """
    args = [fn(test_fn), "$x", *(["$dout"] if function == NUMERICAL_GRADIENT_ARRAY else [])]
    return call(function, args, kwargs, "grad", catch=catch)


def numerical(name, points, function, test_fn, make, *, h=None, mistakes=(), hidden=False, seed=0,
              rtol=1e-7, atol=1e-9) -> Check:
    """``function(test_fn, x[, dout][, h=h])`` must agree with the closed form within what central differences reach.

    Centred differences with h = 1e-5 land within about 1e-9 of the true
    gradient here; a one-sided difference is off by about h |f''| / 2, some 1e-5.
    With an explicit h the closed form of the centred estimate is used (for x^3 it is
    exactly 3 x^2 + h^2, for sin it is cos(x) sin(h) / h), so a function that ignores h fails too.
    """

    def build(rng):
        return program(make(rng), [numerical_call(function, test_fn, {"h": h} if h else None)], ["grad"])

    def judge(ctx):
        x, dout = ctx.inputs["x"], ctx.inputs.get("dout")
        want = CLOSED_FORMS[test_fn](x, dout) + (h ** 2 if h and test_fn == "cube_sum" else 0.0)
        if h and test_fn == "sin":
            want = want * (np.sin(h) / h)  # (sin(x + h) - sin(x - h)) / 2h = cos(x) sin(h) / h
        step = f"h={h:g}" if h else "the default h=1e-5"
        return check_array(ctx.student["grad"], want, atol=atol, rtol=rtol,
                           what=f"The gradient from {short_name(function)} ({test_fn}, {step})",
                           shape_hint="the gradient has the shape of x")

    return Check(name, points, build, judge, hidden=hidden, seed=seed, mistakes=tuple(mistakes),
                 uses_reference=False, diagnose=("grad",))


def leaves_inputs(name, points, function, test_fn, make, mistakes=(), *, f_raises=False) -> Check:
    """After ``function`` returns (or raises, with ``f_raises``: f fails part-way), x (and dout) must be bit-for-bit
    what they were."""
    names = ["x", "dout"] if function == NUMERICAL_GRADIENT_ARRAY else ["x"]

    def build(rng):
        outputs = names + ["grad"] * f_raises  # with f_raises, grad holds the name of what f raised
        return program(make(rng), [numerical_call(function, test_fn, catch=f_raises)], outputs)

    def judge(ctx):
        for arg in names:
            before, after = ctx.inputs[arg], ctx.student[arg]
            if np.array_equal(before, after):
                continue
            if not isinstance(after, np.ndarray) or after.shape != before.shape:
                return f"{short_name(function)} replaced its argument '{arg}'; perturb it in place and restore it."
            change = np.abs(after - before)
            index = tuple(int(i) for i in np.unravel_index(int(np.argmax(change)), change.shape))
            where = (f"{int(np.sum(change > 0))} of {change.size} entries differ; the largest change is "
                     f"{change[index]:.3g} at {arg}{list(index)} ({float(before[index])!r} became {float(after[index])!r})")
            if arg == "dout":
                return f"{short_name(function)} changed dout: {where}. dout is only read, never written."
            advice = ("write back the value you saved (old = x[i] before nudging, x[i] = old afterwards): "
                      "(old + h) - h is not always exactly old in floating point"
                      if change.max() <= 1e-12 * max(1.0, float(np.abs(before).max())) else
                      "restore each entry after its two evaluations of f, ideally in a finally: block")
            if f_raises:
                raised = ctx.student.get("grad")
                raised = f"raised {raised}" if isinstance(raised, str) else "failed"
                advice = (f"here f {raised} once x[i] went past 2, and the nudged entry "
                          f"stayed nudged. Put the evaluations of f in a try: block and write the saved value back "
                          f"in its finally: block, so that x is restored whether f returns or raises")
            return f"{short_name(function)} left x changed: {where}. The caller's x must come back as it was: {advice}."
        return None

    return Check(name, points, build, judge, mistakes=tuple(mistakes), uses_reference=False, diagnose=tuple(names))


def returns_float64(name, points, function, test_fn, make, h) -> Check:
    """``function(test_fn, x, h=h)`` on a float32 x must return a float64 gradient."""

    def build(rng):
        return program(make(rng), [numerical_call(function, test_fn, {"h": h})], ["grad"])

    def judge(ctx):
        grad = ctx.student["grad"]
        if isinstance(grad, np.ndarray) and grad.dtype == np.float64:
            return None
        found = grad.dtype if isinstance(grad, np.ndarray) else getattr(grad, "type_name", type(grad).__name__)
        return (f"{short_name(function)} returned its gradient as {found} for a float32 x; the gradient is "
                f"float64 whatever the dtype of x (a float32 difference quotient is only good to about 1e-3). "
                f"Build it with np.zeros(x.shape, dtype=np.float64), not np.zeros_like(x).")

    return Check(name, points, build, judge, uses_reference=False)


def up_to_2(rng):
    """x (3, 4) within ±[0.5, 1.5] and x[1, 2] = 2 exactly: cube_sum_up_to_2 raises once that entry is nudged up."""
    x = away_from_zero(rng, (3, 4), 0.5, 1.5)
    x[1, 2] = 2.0
    return {"x": x}


def integer_x(rng):
    """x of integers, shape (2, 3): x[i] + h would be rounded back to x[i] when written into it."""
    return {"x": rng.integers(1, 4, (2, 3))}


def sin_with_row_dout(rng):
    """x (3, 4) and dout (4,): f(x) * dout broadcasts instead of failing."""
    return {"x": away_from_zero(rng, (3, 4), 0.1, 1.2), "dout": away_from_zero(rng, (4,), 0.5, 2.0)}


def cube_inputs(shape, low=0.5, high=2.0):
    """x of ``shape`` within ±[low, high), for sum(x^3)."""
    return lambda rng: {"x": away_from_zero(rng, shape, low, high)}


def sin_inputs(shape):
    """x within ±[0.1, 1.2], where cos stays above 0.36, and dout within ±[0.5, 2]."""
    return lambda rng: {"x": away_from_zero(rng, shape, 0.1, 1.2), "dout": away_from_zero(rng, shape, 0.5, 2.0)}


def fresh_cube(rng):
    """:func:`cube_inputs` of a random shape of 1 to 3 axes."""
    return cube_inputs(random_shape(rng, (1, 4), (1, 5)))(rng)


def fresh_sin(rng):
    """:func:`sin_inputs` of a random shape of 1 to 3 axes."""
    return sin_inputs(random_shape(rng, (1, 4), (1, 5)))(rng)


# --- the checks ------------------------------------------------------------------------------------------------------

AFFINE = (AFFINE_FORWARD, AFFINE_BACKWARD)  # as backward_value and gradient_check take them
AFFINE_ARGS = ["$x", "$w", "$b"]
AFFINE_GRADS = {"grads": ("dx", "dw", "db"), "wrt": ("x", "w", "b")}
OUT_SHAPE = "out has shape (N, M): N = x.shape[0] examples, M = w.shape[1] output units"
DB_AVERAGED, DX_FLATTENED, DW_TRANSPOSED = "affine-db-averaged", "affine-dx-flattened", "affine-dw-transposed"
AFFINE_MISTAKES = (DX_FLATTENED, DW_TRANSPOSED, DB_AVERAGED)
CE_ARGS, MSE_ARGS = ["$scores", "$y"], ["$pred", "$target"]

# A gradient or property check earns its points only once the value checks of what it exercises pass.
REQUIRES = {
    "affine gradient check": ("affine forward, x of shape (N, d1, d2)",),
    "cross-entropy gradient check": ("cross-entropy loss, small case",),
    "cross-entropy rejects the label C": ("cross-entropy loss, small case",),
    "cross-entropy rejects negative labels": ("cross-entropy loss, small case",),
    "MSE gradient check": ("MSE loss, small case",),
    "MSE rejects mismatched shapes": ("MSE loss, small case",),
    "MSE rejects empty arrays": ("MSE loss, small case",),
    "numerical_gradient rejects h = 0": ("numerical_gradient of sum(x^3)",),
    "affine forward rejects a bias of shape (1,)": ("affine forward, x of shape (N, d1, d2)",),
    "cross-entropy dscores keeps float32": ("cross-entropy dscores, small case",),
    "MSE dpred keeps float32": ("MSE dpred, small case",),
    "numerical_gradient leaves x as it was": ("numerical_gradient of sum(x^3)",),
    "numerical_gradient_array leaves x and dout as they were": ("numerical_gradient_array of sin(x)",),
    "affine forward rejects a w that is not 2-D": ("affine forward, x of shape (N, d1, d2)",),
    "cross-entropy rejects scores that are not 2-D": ("cross-entropy loss, small case",),
    "cross-entropy rejects labels of shape (N, 1)": ("cross-entropy loss, small case",),
    "cross-entropy rejects labels that are not integers": ("cross-entropy loss, small case",),
    "numerical_gradient returns float64 for a float32 x": ("numerical_gradient of sum(x^3)",),
    "numerical_gradient restores x when f raises": ("numerical_gradient of sum(x^3)",),
    "numerical_gradient rejects an integer x": ("numerical_gradient of sum(x^3)",),
    "numerical_gradient rejects an f that returns an array": ("numerical_gradient of sum(x^3)",),
    "numerical_gradient_array rejects a dout shaped unlike f(x)": ("numerical_gradient_array of sin(x)",),
}

CHECKS = with_requirements([
    # linear
    forward_value("affine forward, small case", 1, AFFINE_FORWARD, affine_small, AFFINE_ARGS, shape_hint=OUT_SHAPE),
    forward_value("affine forward, x of shape (N, d1, d2)", 1, AFFINE_FORWARD, affine((3, 2, 4), 5), AFFINE_ARGS,
                  shape_hint=OUT_SHAPE),
    backward_value("affine backward, small case", 1, *AFFINE, affine_small, AFFINE_ARGS, **AFFINE_GRADS,
                   mistakes=(DB_AVERAGED, DW_TRANSPOSED)),
    backward_value("affine backward, x of shape (N, d1, d2)", 2, *AFFINE, affine((3, 2, 4), 5), AFFINE_ARGS,
                   **AFFINE_GRADS, mistakes=AFFINE_MISTAKES),
    gradient_check("affine gradient check", 2, *AFFINE, affine((2, 2, 3), 4), AFFINE_ARGS, **AFFINE_GRADS),
    backward_value("affine backward, batch of 1", 1, *AFFINE, affine((1, 3, 2), 4), AFFINE_ARGS, **AFFINE_GRADS,
                   mistakes=(DX_FLATTENED, DW_TRANSPOSED)),
    forward_value("affine forward keeps float32", 1, AFFINE_FORWARD, affine_float32, AFFINE_ARGS, atol=1e-5,
                  rtol=1e-5),
    backward_value("affine backward keeps float32", 1, *AFFINE, affine_float32, AFFINE_ARGS, **AFFINE_GRADS,
                   atol=1e-5, rtol=1e-5, mistakes=AFFINE_MISTAKES),
    forward_value("affine forward, fresh shapes", 1, AFFINE_FORWARD, affine_fresh, AFFINE_ARGS, shape_hint=OUT_SHAPE,
                  hidden=True),
    backward_value("affine backward, fresh shapes", 1, *AFFINE, affine_fresh, AFFINE_ARGS, **AFFINE_GRADS,
                   mistakes=AFFINE_MISTAKES, hidden=True),
    raises("affine forward rejects a bias of shape (1,)", 1, AFFINE_FORWARD, one_bias, AFFINE_ARGS,
           must_mention=("(1,)",)),
    raises("affine forward rejects a w that is not 2-D", 1, AFFINE_FORWARD, w_with_a_stray_axis, AFFINE_ARGS),
    # softmax cross-entropy
    *loss_checks(", small case", CROSS_ENTROPY, ce_small, CE_ARGS, "scores",
                 mistakes_loss=("ce-summed",), mistakes_grad=("ce-summed",)),
    loss_part("cross-entropy loss, 8 examples of 10 classes", 1, CROSS_ENTROPY, scores(8, 10), CE_ARGS, 0,
              owner="scores", mistakes=("ce-summed",)),
    gradient_check("cross-entropy gradient check", 1, CROSS_ENTROPY, None, scores(4, 5), CE_ARGS,
                   grads=("dscores",), wrt=("scores",), tol=1e-5, analytic_index=1),
    *loss_checks(" on logits of 1e4", CROSS_ENTROPY, ce_huge, CE_ARGS, "scores", points=(2, 1),
                 mistakes_loss=("ce-overflow", "ce-log-underflow", "ce-summed"),
                 mistakes_grad=("ce-overflow", "ce-summed")),
    loss_part("cross-entropy dscores, batch of 1", 1, CROSS_ENTROPY, scores(1, 6), CE_ARGS, 1, owner="scores"),
    raises("cross-entropy rejects the label C", 1, CROSS_ENTROPY, bad_labels([2, 5, 0]), CE_ARGS,
           must_mention=("5",)),
    raises("cross-entropy rejects negative labels", 1, CROSS_ENTROPY, bad_labels([1, -3, 2]), CE_ARGS,
           must_mention=("-3",)),
    raises("cross-entropy rejects scores that are not 2-D", 1, CROSS_ENTROPY, scores_of_rank_3, CE_ARGS),
    raises("cross-entropy rejects labels of shape (N, 1)", 1, CROSS_ENTROPY, labels_as_a_column, CE_ARGS),
    raises("cross-entropy rejects labels that are not integers", 1, CROSS_ENTROPY, float_labels, CE_ARGS),
    *loss_checks(", fresh shapes", CROSS_ENTROPY, ce_fresh, CE_ARGS, "scores",
                 mistakes_loss=("ce-summed", "ce-overflow", "ce-log-underflow"),
                 mistakes_grad=("ce-summed", "ce-overflow"), hidden=True),
    # mean squared error
    *loss_checks(", small case", MSE, mse_small, MSE_ARGS, "pred",
                 mistakes_loss=("mse-batch-mean",), mistakes_grad=("mse-batch-mean", "mse-no-factor-2")),
    loss_part("MSE dpred, pred of shape (N, d1, d2)", 1, MSE, mse((4, 3, 2)), MSE_ARGS, 1,
              owner="pred", mistakes=("mse-batch-mean", "mse-no-factor-2")),
    gradient_check("MSE gradient check", 1, MSE, None, mse((3, 4)), MSE_ARGS,
                   grads=("dpred",), wrt=("pred",), analytic_index=1),
    gradient_keeps_float32(CROSS_ENTROPY, ce_small, CE_ARGS),
    gradient_keeps_float32(MSE, mse_small, MSE_ARGS),
    raises("MSE rejects mismatched shapes", 1, MSE, mismatched_shapes, MSE_ARGS, must_mention=("(4, 1)", "(4,)")),
    raises("MSE rejects empty arrays", 1, MSE, empty_arrays, MSE_ARGS, must_mention=("(0, 3)",)),
    *loss_checks(", fresh shapes", MSE, mse_fresh, MSE_ARGS, "pred",
                 mistakes_loss=("mse-batch-mean",), mistakes_grad=("mse-batch-mean", "mse-no-factor-2"),
                 hidden=True),
    # numerical gradients
    numerical("numerical_gradient of sum(x^3)", 1, NUMERICAL_GRADIENT, "cube_sum", cube_inputs((3, 4)),
              mistakes=("numgrad-one-sided",)),
    numerical("numerical_gradient on a 3-D x", 1, NUMERICAL_GRADIENT, "exp_dot",
              lambda rng: {"x": rng.uniform(-2, 2, (2, 3, 2))}, mistakes=("numgrad-one-sided",)),
    numerical("numerical_gradient uses the step h", 1, NUMERICAL_GRADIENT, "cube_sum", cube_inputs((2, 3)), h=1e-3,
              mistakes=("numgrad-ignores-h", "numgrad-one-sided")),
    raises("numerical_gradient rejects h = 0", 1, NUMERICAL_GRADIENT, cube_inputs((2, 3)),
           [fn("cube_sum"), "$x"], {"h": 0.0}),
    leaves_inputs("numerical_gradient leaves x as it was", 1, NUMERICAL_GRADIENT, "cube_sum", cube_inputs((3, 4)),
                  mistakes=("numgrad-x-not-restored",)),
    leaves_inputs("numerical_gradient restores x when f raises", 1, NUMERICAL_GRADIENT, "cube_sum_up_to_2", up_to_2,
                  f_raises=True),
    returns_float64("numerical_gradient returns float64 for a float32 x", 1, NUMERICAL_GRADIENT, "cube_sum",
                    lambda rng: {"x": cube_inputs((2, 3))(rng)["x"].astype(np.float32)}, h=1e-2),
    raises("numerical_gradient rejects an integer x", 1, NUMERICAL_GRADIENT, integer_x, [fn("cube_sum"), "$x"]),
    raises("numerical_gradient rejects an f that returns an array", 1, NUMERICAL_GRADIENT, cube_inputs((2, 3)),
           [fn("sin"), "$x"]),
    numerical("numerical_gradient_array of sin(x)", 1, NUMERICAL_GRADIENT_ARRAY, "sin", sin_inputs((3, 4)),
              mistakes=("numgrad-array-no-dout", "numgrad-one-sided")),
    numerical("numerical_gradient_array uses the step h", 1, NUMERICAL_GRADIENT_ARRAY, "sin", sin_inputs((2, 3)),
              h=1e-2, mistakes=("numgrad-ignores-h",)),
    leaves_inputs("numerical_gradient_array leaves x and dout as they were", 1, NUMERICAL_GRADIENT_ARRAY, "sin",
                  sin_inputs((3, 4)), mistakes=("numgrad-x-not-restored",)),
    raises("numerical_gradient_array rejects a dout shaped unlike f(x)", 1, NUMERICAL_GRADIENT_ARRAY,
           sin_with_row_dout, [fn("sin"), "$x", "$dout"]),
    numerical("numerical_gradient, fresh shapes", 1, NUMERICAL_GRADIENT, "cube_sum", fresh_cube,
              mistakes=("numgrad-one-sided",), hidden=True),
    numerical("numerical_gradient_array, fresh shapes", 1, NUMERICAL_GRADIENT_ARRAY, "sin", fresh_sin,
              mistakes=("numgrad-array-no-dout", "numgrad-one-sided"), hidden=True),
], REQUIRES)

DIAGNOSES = {
    "affine-db-averaged": "db came out N times too small: it was averaged over the batch. Every example adds to the "
                          "same bias, so its gradient is the sum: db = dout.sum(axis=0).",
    "affine-dx-flattened": "dx came back flattened, shape (N, D). Backward must hand each input its gradient in the "
                           "input's own shape: dx = (dout @ w.T).reshape(x.shape), with x kept in the cache.",
    "affine-dw-transposed": "dw came out as dout.T @ x, shape (M, D), the transpose of w's shape. A gradient always "
                            "has the shape of its parameter: dw = x_flat.T @ dout, (D, N) @ (N, M) -> (D, M).",
    "ce-summed": "the loss and dscores are N times too large: the cross-entropy was summed over the batch instead of "
                 "averaged. Divide the loss by N, and dscores by N too: dscores = (softmax - onehot) / N.",
    "ce-overflow": "np.exp overflowed on large scores and the results became NaN. Subtract each row's maximum first "
                   "(shifted = scores - scores.max(axis=1, keepdims=True)): softmax does not change, and every "
                   "exponent becomes <= 0.",
    "ce-log-underflow": "the loss is infinite because log was taken of a probability that rounded to 0. Work with "
                        "log-probabilities instead: log p = shifted - log(sum(exp(shifted))), which stays finite.",
    "mse-batch-mean": "the mean ran over the batch axis only (divided by N = pred.shape[0]). MSE averages over all "
                      "elements: loss = mean((pred - target) ** 2), dpred = 2 * (pred - target) / pred.size.",
    "mse-no-factor-2": "dpred is half of what it should be: the derivative of d^2 is 2 d, so "
                       "dpred = 2 * (pred - target) / pred.size.",
    "numgrad-one-sided": "the gradient matches a one-sided difference (f(x + h) - f(x)) / h, whose error shrinks only "
                         "like h. Use centred differences, (f(x + h) - f(x - h)) / (2 h): error like h^2.",
    "numgrad-ignores-h": "the result matches a fixed step of 1e-5, not the h that was passed in: use the h argument.",
    "numgrad-x-not-restored": "each entry of x was left at x - h after its two evaluations. Save old = x[i] before "
                              "nudging and write it back (x[i] = old) once f(x + h) and f(x - h) are computed.",
    "numgrad-array-no-dout": "the result is the gradient of sum(f(x)), without dout. numerical_gradient_array "
                             "differentiates sum(f(x) * dout): weight the outputs by dout before summing.",
}

HINTS = [
    Hint(("affine_forward", "affine_backward"),
         "Every gradient has the shape of the array it belongs to: dx like x, dw like w, db like b. Let the "
         "shapes tell you where the transposes go."),
    Hint(("affine_forward", "affine_backward"),
         "affine: flatten each example (x.reshape(N, -1)), keep the original x in the cache, and give dx back the "
         "shape of x. Every example adds to the same bias, so db gathers them all."),
    Hint(("softmax_cross_entropy",),
         "cross-entropy: subtract each row's max from the scores, then take log-probabilities as "
         "shifted - log(sum(exp(shifted))) rather than the log of a softmax that may round to 0. Check that the "
         "labels lie in [0, C) before indexing with them."),
    Hint(("softmax_cross_entropy", "mse_loss"),
         "Both losses are means, so both gradients divide by the number of terms averaged: the N examples for "
         "cross-entropy, every element (pred.size) for MSE. The derivative of d^2 is 2 d. Return the loss as a "
         "Python float."),
    Hint(("numerical_gradient",),
         "numerical_gradient: visit every index of x (np.ndindex(x.shape)), nudge that one entry by +h and by -h, "
         "evaluate f each time, and write the saved old value back before moving on. Centred differences divide "
         "by 2 h."),
    Hint(("numerical_gradient_array",),
         "numerical_gradient_array: f returns an array now, and a gradient belongs to a scalar. dout is dL/df, so "
         "the scalar is L = sum(f(x) * dout); differentiate it numerically with the loop you already have."),
]
