"""The one language every exercise writes its checks in: :class:`Check`, :class:`Context` and program builders.

A check builds a *program* (the plain dict of :mod:`autograder.sandbox.program`)
from a seeded generator; the grader runs it in the sandbox against the
student's code and, for value checks, against the reference, then calls the
check's ``judge`` on the answers.

Programs are written with the builders here, never as raw dicts:

- argument nodes: :func:`lit`, :func:`ref`, :func:`item`, :func:`generator`, :func:`fn`,
  :func:`dict_of`, :func:`tuple_of`, and the shorthand of :func:`node`
  (``"$x"`` is ``ref("x")``, ``"$fwd.1"`` is ``item("fwd", 1)``, anything else a literal);
- steps: :func:`call` (a function of the student's modules), :func:`new` (construct a
  class), :func:`method` and :func:`entry` (methods of objects the program holds in a
  slot, such as ``$Adam.step`` or ``$params.get``), :func:`copy` and :func:`perturb`.

Slots whose names start with ``$`` hold objects whose methods a step calls;
:meth:`Check.functions` does not take those calls for functions the student's
modules must define.

The checks most exercises need are made by :func:`forward_value`,
:func:`backward_value`, :func:`gradient_check`, :func:`layer_keeps_float32` and
:func:`raises`; properties are a plain :class:`Check` with a judge of their own
(shared ones in :mod:`autograder.checks.judges`, shared inputs in
:mod:`autograder.checks.inputs`). A gradient or property check passes for code
that does no work, so it names the value checks it needs in ``requires``
(:func:`with_requirements`). :class:`Hint` is one hint of ``cnnlab hint``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from autograder.checks.compare import check_array, check_float
from autograder.checks.judges import SNAPSHOT, keeps_float32, modified_in_place, short_name, snapshot_of
from autograder.sandbox.wire import Described, Typed


@dataclass
class Context:
    """Everything a judge may look at.

    Attributes
    ----------
    inputs : dict
        The original inputs of the program (never touched by either side).
    student : dict
        The decoded outputs of the student's run of the program.
    reference : dict or None
        The outputs of the same program on the reference (None for checks that do not need one).
    program : dict
        The program itself.
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
    build : callable
        ``build(rng) -> program``.
    judge : callable
        ``judge(context) -> None`` when the answer is right, else a message.
    hidden : bool
        Hidden checks run only with ``--hidden`` and draw a fresh seed each time.
    seed : int
        Seed of the public inputs.
    mistakes : tuple of str
        Classic mistakes to look for when it fails: ids of the models in ``solutions/mistakes/``,
        explained in the ``DIAGNOSES`` of the exercise's checks module.
    uses_reference : bool
        Whether ``judge`` needs the reference's outputs.
    expect_error : str or None
        The exception type the student's code must raise (input validation checks).
    must_mention : tuple of str
        With ``expect_error``: text the error message must contain (the offending values).
    diagnose : tuple of str
        Output names compared with each mistake model's to name a mistake.
    requires : tuple of str
        Names of checks of the same exercise that must pass for this one to earn its points: a
        gradient or property check requires the value checks of the functions it exercises, so
        that a forward and a backward that both return zeros do not agree their way to points.
    """

    name: str
    points: int
    build: Callable[[np.random.Generator], dict]
    judge: Callable[[Context], str | None]
    hidden: bool = False
    seed: int = 0
    mistakes: tuple[str, ...] = ()
    uses_reference: bool = True
    expect_error: str | None = None
    must_mention: tuple[str, ...] = ()
    diagnose: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()

    def __post_init__(self):
        if not getattr(self.judge, "watches_inputs", False):
            object.__setattr__(self, "judge", watching_inputs(self.judge))

    def functions(self) -> set[str]:
        """``module.function`` names this check calls (the ones it cannot grade without).

        Method calls on objects held in the program's slots (``$Adam.step``, ``$params.get``) are not counted.
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


def watching_inputs(judge: Callable[[Context], str | None]) -> Callable[[Context], str | None]:
    """``judge``, preceded by the verdict every check shares: no step may change the program's array inputs.

    A function that modifies an input in place spoils every later step that uses it,
    so that verdict comes first and names the function that did it
    (:func:`~autograder.checks.judges.modified_in_place`), not one that inherited the damage.
    """

    def judge_watching(ctx: Context) -> str | None:
        return modified_in_place(ctx) or judge(ctx)

    judge_watching.watches_inputs = True
    return judge_watching


@dataclass(frozen=True)
class Hint:
    """One hint of ``cnnlab hint``.

    Parameters
    ----------
    about : tuple of str
        The functions (or classes) of the student's modules the hint is about, by their short names
        (``relu_backward``, ``Adam``); empty for a hint about the whole exercise. A hint is shown
        only while a test of one of them fails.
    text : str
        The hint: the idea or the math to look at, never the code itself.
    """

    about: tuple[str, ...]
    text: str


# --- argument nodes ----------------------------------------------------------------------------------------------

NODE_KINDS = ("ref", "lit", "rng", "fn", "dict", "tuple")


def lit(value) -> dict:
    """A literal argument, passed as it is (numbers, strings, tuples of numbers, None)."""
    return {"lit": value}


def ref(slot: str) -> dict:
    """The value of an input or of a slot a step stored (``ref("$params")`` for a ``$`` slot)."""
    return {"ref": slot}


def item(slot: str, index: int) -> dict:
    """Item ``index`` of the tuple in ``slot``; a result that is not a tuple gets the layer contract's message."""
    return {"ref": slot, "index": index}


def generator(seed) -> dict:
    """A fresh ``np.random.default_rng(seed)``; ``seed`` is an int or a node."""
    return {"rng": seed}


def fn(name: str) -> dict:
    """One of the test functions of :data:`autograder.sandbox.program.TEST_FUNCTIONS`, such as ``cube_sum``."""
    return {"fn": name}


def dict_of(values: dict) -> dict:
    """A dict built in the sandbox from ``values``, each written as :func:`node` reads it."""
    return {"dict": {key: node(value) for key, value in values.items()}}


def tuple_of(*values) -> dict:
    """A tuple built in the sandbox from ``values``, each written as :func:`node` reads it."""
    return {"tuple": [node(value) for value in values]}


def is_node(value) -> bool:
    """Whether ``value`` is already an argument node (what the builders above return)."""
    if not isinstance(value, dict):
        return False
    return (len(value) == 1 and next(iter(value)) in NODE_KINDS) or set(value) == {"ref", "index"}


def node(value) -> dict:
    """An argument node from the shorthand the check makers accept.

    ``"$x"`` is ``ref("x")``, ``"$fwd.1"`` is ``item("fwd", 1)``, a node stays
    itself, and anything else is a literal.
    """
    if is_node(value):
        return value
    if isinstance(value, str) and value.startswith("$"):
        name, _, index = value[1:].partition(".")
        return item(name, int(index)) if index else ref(name)
    return lit(value)


# --- steps -------------------------------------------------------------------------------------------------------

def _keywords(kwargs: dict | None) -> dict:
    """Keyword arguments as :func:`node` reads them."""
    return {k: node(v) for k, v in (kwargs or {}).items()}


def call(function: str, args=(), kwargs=None, into: str = "_", *, catch: bool = False) -> dict:
    """Call ``module.function`` of the code under test; arguments as :func:`node` reads them.

    With ``catch`` an exception the call raises is stored in ``into`` as its type's name
    (``"RuntimeError"``) and the program goes on, so later outputs show what the call left behind.
    """
    step = {"call": function, "args": [node(a) for a in args], "kwargs": _keywords(kwargs), "into": into}
    return {**step, "catch": True} if catch else step


def new(cls: str, kwargs=None, *, into: str) -> dict:
    """Construct ``module.Class(**kwargs)`` into the slot ``into`` (a ``$`` name, so that its methods can be called)."""
    return {"new": cls, "kwargs": _keywords(kwargs), "into": into}


def method(slot: str, name: str, args=(), into: str = "_") -> dict:
    """Call the method ``name`` of the object in ``slot`` (``method("$Adam", "step", ...)``) with positional args."""
    return {"call": f"{slot}.{name}", "args": [node(a) for a in args], "into": into}


def entry(slot: str, key, into: str) -> dict:
    """``slot.get(key)`` into ``into``: one entry of a dict slot, sent back as an output of its own.

    The grader names a mistake by comparing arrays, not dicts, so dicts of
    arrays are taken apart entry by entry.
    """
    return method(slot, "get", [lit(key)], into)


def copy(slot: str, into: str) -> dict:
    """A deep copy of ``slot`` into ``into``: a snapshot that later steps cannot change."""
    return {"copy": slot, "into": into}


def perturb(function: str, args, kwargs, *, wrt: int, h: float, indices: list, into: str) -> dict:
    """Call ``function`` with argument ``wrt`` nudged by +h and -h at each of ``indices``.

    The sandbox stores item 0 of every result, stacked into shape
    ``(2, K, *out.shape)``; the grader computes numerical gradients from it.
    """
    return {"perturb": function, "args": [node(a) for a in args], "kwargs": _keywords(kwargs), "wrt": wrt,
            "output": 0, "h": h, "indices": indices, "into": into}


def watched(inputs: dict, steps: list, outputs) -> list[str]:
    """The array inputs that no step may change: every one but those named with ``$``, those handed to a
    method of a ``$`` slot (``$params.__setitem__``: given to an object to keep) and those the program
    sends back itself (its check judges them)."""
    given = {node.get("ref") for step in steps if step.get("call", "").startswith("$")
             for node in step.get("args", [])}
    return [name for name, value in inputs.items() if isinstance(value, np.ndarray) and not name.startswith("$")
            and name not in given and name not in outputs]


def program(inputs: dict, steps: list, outputs) -> dict:
    """A whole program: its named ``inputs``, the ``steps`` to run and the ``outputs`` to send back.

    After every step that runs code, each :func:`watched` input is copied into
    ``name@i`` (i the step's index) and sent back too, so that the judges can tell
    which function changed which array in place (see :func:`watching_inputs`).
    """
    outputs, names = list(outputs), watched(inputs, steps, outputs)
    all_steps, snapshots = [], []
    for index, step in enumerate(steps):
        all_steps.append(step)
        if "copy" in step:
            continue
        for name in names:
            all_steps.append(copy(name, f"{name}{SNAPSHOT}{index}"))
            snapshots.append(f"{name}{SNAPSHOT}{index}")
    return {"inputs": inputs, "steps": all_steps, "outputs": [*outputs, *snapshots]}


def snapshots(program: dict) -> tuple[str, ...]:
    """The outputs of ``program`` that are snapshots of its watched inputs (``x@0``, ...)."""
    return tuple(step["into"] for step in program["steps"] if snapshot_of(step))


def one_call(function: str, make_inputs, args, kwargs=None, outputs=("fwd.0",)):
    """``build(rng)`` of a program of one step, ``fwd = function(*args, **kwargs)``, that sends back ``outputs``."""
    return lambda rng: program(make_inputs(rng), [call(function, args, kwargs, "fwd")], outputs)


# --- the usual checks --------------------------------------------------------------------------------------------

def _array_args(inputs: dict, args) -> list[str]:
    """The names of the array inputs among ``args`` written as ``"$name"``."""
    return [a[1:] for a in args if isinstance(a, str) and a.startswith("$") and "." not in a
            and isinstance(inputs.get(a[1:]), np.ndarray)]


def forward_value(name: str, points: int, forward: str, make_inputs, args, kwargs=None, *, atol=1e-8, rtol=1e-6,
                  shape_hint: str = "", mistakes=(), hidden=False, seed=0, returns_cache: bool = True) -> Check:
    """Compare the output of a forward function (item 0 of ``(out, cache)``) with the reference.

    Also fails if the function modified any of its array arguments.

    Parameters
    ----------
    name, points, mistakes, hidden, seed
        As in :class:`Check`.
    forward : str
        ``module.function`` to call.
    make_inputs : callable
        ``make_inputs(rng) -> dict`` of named inputs.
    args, kwargs
        Arguments as :func:`node` reads them (``"$x"`` for the input ``x``).
    atol, rtol : float
        Tolerances of the comparison (widened for float32 by :mod:`autograder.checks.compare`).
    shape_hint : str
        Added to the message when the shape is wrong (the output-size formula).
    returns_cache : bool
        False for a function that returns the output alone.
    """
    out_key = "fwd.0" if returns_cache else "fwd"

    def build(rng):
        return program(make_inputs(rng), [call(forward, args, kwargs, "fwd")], [out_key])

    def judge(ctx: Context):
        expected = ctx.reference[out_key]
        what = f"The output of {short_name(forward)}"
        if isinstance(expected, float):
            problem = check_float(ctx.student[out_key], expected, what=what, atol=atol, rtol=rtol)
        else:
            problem = check_array(ctx.student[out_key], expected, what=what, atol=atol, rtol=rtol,
                                  shape_hint=shape_hint)
        return problem

    return Check(name, points, build, judge, hidden=hidden, seed=seed, mistakes=tuple(mistakes),
                 diagnose=(out_key, *snapshots(build(np.random.default_rng(seed)))))


def _grads(value, names, function) -> tuple[list, str | None]:
    """The gradients in a backward's result, one per name, or a message when it is not a tuple of that many."""
    if len(names) == 1:
        return [value], None
    if not isinstance(value, (tuple, list)) or len(value) != len(names):
        got = f"a {value.type_name}" if isinstance(value, (Described, Typed)) else (
            f"{len(value)} values" if isinstance(value, (tuple, list)) else f"a {type(value).__name__}")
        return [], f"{short_name(function)} should return a tuple ({', '.join(names)}), but it returned {got}."
    return list(value), None


def forward_then_backward(forward: str, backward: str, args, kwargs=None) -> list[dict]:
    """The steps ``fwd = forward(*args, **kwargs)`` then ``bwd = backward($dout, fwd[1])``: the layer contract."""
    return [call(forward, args, kwargs, "fwd"), call(backward, ["$dout", "$fwd.1"], None, "bwd")]


def backward_value(name: str, points: int, forward: str, backward: str, make_inputs, args, kwargs=None, *,
                   grads=("dx",), wrt=None, atol=1e-8, rtol=1e-6, mistakes=(), hidden=False, seed=0) -> Check:
    """Run forward then ``backward($dout, cache)`` and compare every gradient with the reference.

    Parameters
    ----------
    make_inputs : callable
        ``make_inputs(rng) -> dict``; must provide ``dout``.
    grads : tuple of str
        The names of the gradients backward returns, in order (a tuple when more than one).
    wrt : sequence of str or None
        The argument each gradient belongs to (for shape hints); by default the array arguments in order.
    others
        As in :func:`forward_value`.
    """

    def build(rng):
        return program(make_inputs(rng), forward_then_backward(forward, backward, args, kwargs), ["bwd"])

    def judge(ctx: Context):
        student, problem = _grads(ctx.student["bwd"], grads, backward)
        if problem:
            return problem
        expected, _ = _grads(ctx.reference["bwd"], grads, backward)
        owners = wrt or _array_args(ctx.inputs, args)
        for g, owner, got, want in zip(grads, owners, student, expected):
            problem = check_array(got, want, what=f"{g} from {short_name(backward)}", atol=atol, rtol=rtol,
                                  shape_hint=f"{g} must have the shape of {owner}, {want.shape}")
            if problem:
                return problem
        return None

    return Check(name, points, build, judge, hidden=hidden, seed=seed, mistakes=tuple(mistakes),
                 diagnose=("bwd", *snapshots(build(np.random.default_rng(seed)))))


def layer_keeps_float32(name: str, forward: str, backward: str, make_inputs, args, kwargs=None, *,
                        points: int = 1) -> Check:
    """Forward then ``backward($dout, cache)`` on float32 inputs: out and dx must both come back float32.

    ``make_inputs`` gives float32 arrays, ``dout`` among them; only the dtypes are judged.
    """

    def build(rng):
        return program(make_inputs(rng), forward_then_backward(forward, backward, args, kwargs), ["fwd.0", "bwd"])

    judge = keeps_float32(["fwd.0", "bwd"], lambda ctx, output, found: (
        f"{short_name(forward if output == 'fwd.0' else backward)} turned float32 input into {found}. Keep the "
        f"dtype of x (and of dout in backward): build results from them (x * mask, np.zeros_like(x)), and use "
        f"Python floats, not float64 arrays or NumPy float64 scalars, as constants."))
    return Check(name, points, build, judge, uses_reference=False)


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

    Parameters
    ----------
    grads, wrt : tuple of str
        The gradients' names and the input each is taken with respect to (``$`` + name among ``args``).
    h : float
        The step of the central differences.
    tol : float
        The largest relative error allowed at any sampled entry.
    most : int
        How many entries of each argument are sampled at most.
    """

    def build(rng):
        inputs = make_inputs(rng)
        steps = forward_then_backward(forward, backward, args, kwargs) if backward else [
            call(forward, args, kwargs, "fwd")]
        for arg in wrt:
            steps.append(perturb(forward, args, kwargs, wrt=list(args).index(f"${arg}"), h=h,
                                 indices=sample_indices(rng, inputs[arg].shape, most), into=f"num_{arg}"))
        analytic = "bwd" if backward else f"fwd.{analytic_index}"
        return program(inputs, steps, [analytic, *[f"num_{a}" for a in wrt]])

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

    return Check(name, points, build, judge, hidden=hidden, seed=seed, uses_reference=False)


def _compare_numeric(g, arg, analytic, nudged, step, shape, dout, tol, forward) -> str | None:
    """The numerical gradient of ``arg`` from the nudged outputs against the analytic one, at the sampled entries."""
    if not isinstance(analytic, np.ndarray) or analytic.shape != tuple(shape):
        got = getattr(analytic, "shape", type(analytic).__name__)
        return f"{g} should be an array of shape {tuple(shape)} (the shape of {arg}), but it is {got}."
    indices = [tuple(i) for i in step["indices"]]
    if dout is not None and nudged.shape[2:] != dout.shape:
        return (f"The gradient check could not run: your {short_name(forward)} returned an output of shape "
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
            f"{short_name(forward)} (central differences, h={step['h']:g}).\n"
            f"  worst relative error {rel[worst]:.3g} at {arg}{list(indices[worst])}: numerical "
            f"{numeric[worst]:.6g}, analytic {got[worst]:.6g} (tolerance {tol:g}); "
            f"{int(np.sum(rel > tol))} of {len(indices)} checked entries are off.")


def raises(name: str, points: int, function: str, make_inputs, args, kwargs=None, *, error="ValueError",
           must_mention=(), hidden=False, seed=0) -> Check:
    """The student's ``function`` must reject bad input with ``error`` (and name the offending values).

    ``function`` may be a class: constructing it is then the call that must raise.
    """

    def build(rng):
        return program(make_inputs(rng), [call(function, args, kwargs, "out")], [])

    def judge(ctx: Context):  # only reached when nothing was raised
        return f"{short_name(function)} accepted bad input instead of raising {error}."

    return raises_when(name, points, build, judge, error=error, must_mention=must_mention, hidden=hidden, seed=seed)


def raises_when(name: str, points: int, build, judge, *, error="ValueError", must_mention=(), hidden=False,
                seed=0) -> Check:
    """A check that passes when the program ``build`` makes raises ``error``; ``judge`` words the failure.

    For input validation that needs more than one call (an object built, then
    one of its methods called with bad input).
    """
    return Check(name, points, build, judge, hidden=hidden, seed=seed, uses_reference=False, expect_error=error,
                 must_mention=tuple(must_mention))


# --- requirements ------------------------------------------------------------------------------------------------

def with_requirements(checks: list[Check], rules: dict[str, tuple[str, ...]]) -> list[Check]:
    """``checks`` with each check named in ``rules`` made to require the checks named there.

    Parameters
    ----------
    checks : list of Check
        The checks of one exercise.
    rules : dict
        ``{name of a check: names of the checks it requires}``; see :attr:`Check.requires`.

    Raises
    ------
    ValueError
        If a rule names a check that is not among ``checks`` (a typo would silently grant points).
    """
    names = {check.name for check in checks}
    unknown = sorted({name for name, needed in rules.items() for name in (name, *needed)} - names)
    if unknown:
        raise ValueError(f"with_requirements: no check is named {', '.join(map(repr, unknown))}")
    return [replace(check, requires=tuple(rules[check.name])) if check.name in rules else check for check in checks]
