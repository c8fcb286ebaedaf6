"""Tests of solutions/optimizers.py: every update rule is replayed step by step
by the matching torch.optim optimizer on the same parameters and gradients, and
a few steps of each are worked out by hand (these run without torch too)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from autograder.build.stubs import make_stub
from solutions.optimizers import SGD, Adam, RMSprop

SOURCE = Path(__file__).resolve().parents[2] / "solutions" / "optimizers.py"
OURS = {"SGD": SGD, "RMSprop": RMSprop, "Adam": Adam}  # torch.optim has each under the same name

# (optimizer, keyword arguments given identically to ours and to torch's).
# torch's own defaults are dampening=0, nesterov=False, centered=False,
# momentum=0 (RMSprop) and amsgrad=False: exactly the variants cnnlab teaches.
CASES = [
    pytest.param("SGD", {"lr": 0.1}, id="sgd"),
    pytest.param("SGD", {"lr": 0.1, "momentum": 0.9}, id="sgd-momentum"),
    pytest.param("SGD", {"lr": 0.05, "weight_decay": 1e-2}, id="sgd-wd"),
    pytest.param("SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 1e-2}, id="sgd-momentum-wd"),
    pytest.param("RMSprop", {}, id="rmsprop-defaults"),
    pytest.param("RMSprop", {"lr": 3e-3, "alpha": 0.9, "eps": 1e-4, "weight_decay": 1e-2}, id="rmsprop-wd"),
    pytest.param("RMSprop", {"lr": 1e-2, "alpha": 0.0}, id="rmsprop-alpha0"),
    pytest.param("Adam", {}, id="adam-defaults"),
    pytest.param("Adam", {"lr": 1e-2, "betas": (0.8, 0.99), "eps": 1e-4}, id="adam-betas"),
    pytest.param("Adam", {"lr": 1e-2, "betas": (0.0, 0.5)}, id="adam-beta1-zero"),
    pytest.param("Adam", {"lr": 1e-2, "weight_decay": 1e-2}, id="adam-wd"),
]
ONE_OF_EACH = [
    pytest.param("SGD", {"lr": 0.1, "momentum": 0.9}, id="sgd"),
    pytest.param("RMSprop", {}, id="rmsprop"),
    pytest.param("Adam", {}, id="adam"),
]
SHAPES = {"W": (4, 3), "b": (3,), "k": (2, 1, 3, 3)}


def make_params(rng, shapes=SHAPES, dtype=np.float64):
    return {key: rng.normal(size=shape).astype(dtype) for key, shape in shapes.items()}


def make_grads(rng, params):
    return {key: rng.normal(size=p.shape).astype(p.dtype) for key, p in params.items()}


class TorchTwin:
    """Copies of the parameters, stepped by the torch.optim reference."""

    def __init__(self, torch, name, kwargs, params):
        self.torch = torch
        self.tensors = {key: torch.tensor(p, requires_grad=True) for key, p in params.items()}
        self.optimizer = getattr(torch.optim, name)(list(self.tensors.values()), **kwargs)

    def step(self, grads):
        for key, t in self.tensors.items():
            t.grad = self.torch.tensor(grads[key])
        self.optimizer.step()

    def __getitem__(self, key):
        return self.tensors[key].detach().numpy()


# One scalar parameter starting at 1 and a constant gradient g, three steps: each
# rule's recurrence solved in closed form, so the expected values owe nothing to the code.
#   SGD, momentum 0.9: the velocity is 1, 1.9, 2.71, so p = 1 - 0.1 * (1, 2.9, 5.61).
#   SGD, weight decay 0.5, g = 0: each step multiplies p by 1 - 0.1 * 0.5.
#   RMSprop: v_t = 1 - 0.99^t for g = 1, and p drops by 0.01 / (sqrt(v_t) + eps) at step t.
#   Adam: bias correction turns m_t, v_t into exactly g and g^2, so every step is lr g / (|g| + eps).
HAND_WORKED = [
    pytest.param("SGD", {"lr": 0.1, "momentum": 0.9}, 1.0, [0.9, 0.71, 0.439], id="sgd-momentum"),
    pytest.param("SGD", {"lr": 0.1, "weight_decay": 0.5}, 0.0, [0.95, 0.95 ** 2, 0.95 ** 3], id="sgd-wd"),
    pytest.param("RMSprop", {}, 1.0,
                 list(1 - np.cumsum([0.01 / (np.sqrt(1 - 0.99 ** t) + 1e-8) for t in (1, 2, 3)])), id="rmsprop"),
    pytest.param("Adam", {"lr": 0.1}, 2.0, [1 - t * 0.1 * 2 / (2 + 1e-8) for t in (1, 2, 3)], id="adam"),
]


@pytest.mark.parametrize("name, kwargs, g, expected", HAND_WORKED)
def test_hand_worked_steps(name, kwargs, g, expected):
    params = {"w": np.array([1.0])}
    optimizer = OURS[name](**kwargs)
    for step, value in enumerate(expected, start=1):
        optimizer.step(params, {"w": np.array([g])})
        np.testing.assert_allclose(params["w"], [value], rtol=1e-12, atol=0, err_msg=f"after step {step}")


@pytest.mark.torch
@pytest.mark.parametrize("name, kwargs", CASES)
def test_matches_torch_after_every_step(torch, name, kwargs, rng):
    params = make_params(rng)
    twin = TorchTwin(torch, name, kwargs, params)
    optimizer = OURS[name](**kwargs)
    for step in range(20):
        grads = make_grads(rng, params)
        optimizer.step(params, grads)
        twin.step(grads)
        for key in params:
            np.testing.assert_allclose(params[key], twin[key], rtol=0, atol=1e-10,
                                       err_msg=f"{name}{kwargs}: params[{key!r}] after step {step + 1}")


@pytest.mark.torch
@pytest.mark.parametrize("name, kwargs", CASES)
def test_key_added_later_starts_fresh(torch, name, kwargs, rng):
    params = make_params(rng, {"W": (4, 3), "b": (3,)})
    twin = TorchTwin(torch, name, kwargs, params)
    late_twin = None
    optimizer = OURS[name](**kwargs)
    for step in range(12):
        if step == 5:
            params["late"] = rng.normal(size=(2, 5))
            # A torch optimizer that meets "late" at this step, with fresh state (t = 1 for Adam).
            late_twin = TorchTwin(torch, name, kwargs, {"late": params["late"]})
        grads = make_grads(rng, params)
        optimizer.step(params, grads)
        twin.step({key: grads[key] for key in ("W", "b")})
        if late_twin is not None:
            late_twin.step({"late": grads["late"]})
        for key in params:
            reference = late_twin if key == "late" else twin
            np.testing.assert_allclose(params[key], reference[key], rtol=0, atol=1e-10,
                                       err_msg=f"{name}{kwargs}: params[{key!r}] after step {step + 1}")


@pytest.mark.parametrize("name, kwargs", CASES)
def test_updates_in_place_and_never_touches_grads(name, kwargs, rng):
    params = make_params(rng)
    arrays = dict(params)  # the very objects a model holds on to
    start = {key: p.copy() for key, p in params.items()}
    optimizer = OURS[name](**kwargs)
    for _ in range(3):
        grads = make_grads(rng, params)
        saved = {key: g.copy() for key, g in grads.items()}
        optimizer.step(params, grads)
        for key in params:
            assert params[key] is arrays[key], f"params[{key!r}] was replaced, not updated in place"
            np.testing.assert_array_equal(grads[key], saved[key], err_msg=f"grads[{key!r}] was modified")
    for key in params:
        assert not np.array_equal(params[key], start[key]), f"params[{key!r}] never moved"


@pytest.mark.parametrize("name, kwargs", CASES)
def test_float32_stays_float32(name, kwargs, rng):
    params64 = make_params(rng)
    params32 = {key: p.astype(np.float32) for key, p in params64.items()}
    opt32, opt64 = OURS[name](**kwargs), OURS[name](**kwargs)
    for _ in range(5):
        grads32 = make_grads(rng, params32)
        opt32.step(params32, grads32)
        opt64.step(params64, {key: g.astype(np.float64) for key, g in grads32.items()})
    for key, p in params32.items():
        assert p.dtype == np.float32, f"params[{key!r}] became {p.dtype}"
        np.testing.assert_allclose(p, params64[key], rtol=1e-4, atol=1e-5)
    state = [a for value in vars(opt32).values() if isinstance(value, dict)
             for a in value.values() if isinstance(a, np.ndarray)]
    assert all(a.dtype == np.float32 for a in state), [a.dtype for a in state]


@pytest.mark.parametrize("name, kwargs", ONE_OF_EACH)
@pytest.mark.parametrize("grad_keys, named", [
    pytest.param(("W", "k"), ["'b'"], id="missing-key"),
    pytest.param(("W", "b", "k", "extra"), ["'extra'"], id="extra-key"),
    pytest.param(("W", "k", "extra"), ["'b'", "'extra'"], id="missing-and-extra"),
])
def test_mismatched_keys_raise(name, kwargs, grad_keys, named, rng):
    params = make_params(rng)
    start = {key: p.copy() for key, p in params.items()}
    grads = {key: np.ones(SHAPES.get(key, (2,))) for key in grad_keys}
    optimizer = OURS[name](**kwargs)
    with pytest.raises(ValueError, match=rf"{name}\.step") as info:
        optimizer.step(params, grads)
    for key in named:
        assert key in str(info.value), f"{key} not named in: {info.value}"
    for key in params:  # nothing was half-updated
        np.testing.assert_array_equal(params[key], start[key])


@pytest.mark.parametrize("name, kwargs", ONE_OF_EACH)
@pytest.mark.parametrize("key, bad_shape", [
    ("W", (3,)),  # would silently broadcast against (4, 3)
    ("W", (3, 4)),
    ("b", (1, 3)),
])
def test_shape_mismatch_raises(name, kwargs, key, bad_shape, rng):
    params = make_params(rng)
    start = {k: p.copy() for k, p in params.items()}
    grads = make_grads(rng, params)
    grads[key] = np.ones(bad_shape)
    with pytest.raises(ValueError, match=re.escape(f"grads[{key!r}] has shape {bad_shape}")
                       + ".*" + re.escape(str(SHAPES[key]))):
        OURS[name](**kwargs).step(params, grads)
    for k in params:
        np.testing.assert_array_equal(params[k], start[k])


@pytest.mark.parametrize("name, kwargs, shown", [
    ("SGD", {"lr": 0.0}, "lr=0.0"),
    ("SGD", {"lr": -0.1}, "lr=-0.1"),
    ("SGD", {"lr": float("nan")}, "lr=nan"),
    ("SGD", {"lr": 0.1, "momentum": -0.5}, "momentum=-0.5"),
    ("SGD", {"lr": 0.1, "weight_decay": -1e-3}, "weight_decay=-0.001"),
    ("RMSprop", {"lr": 0.0}, "lr=0.0"),
    ("RMSprop", {"alpha": 1.0}, "alpha=1.0"),
    ("RMSprop", {"alpha": -0.1}, "alpha=-0.1"),
    ("RMSprop", {"eps": -1e-8}, "eps=-1e-08"),
    ("RMSprop", {"weight_decay": -1.0}, "weight_decay=-1.0"),
    ("Adam", {"lr": -1e-3}, "lr=-0.001"),
    ("Adam", {"betas": (1.0, 0.999)}, "beta1=1.0"),
    ("Adam", {"betas": (-0.1, 0.999)}, "beta1=-0.1"),
    ("Adam", {"betas": (0.9, 1.0)}, "beta2=1.0"),
    ("Adam", {"betas": (0.9, 1.5)}, "beta2=1.5"),
    ("Adam", {"eps": -1e-8}, "eps=-1e-08"),
    ("Adam", {"weight_decay": -0.1}, "weight_decay=-0.1"),
])
def test_bad_hyperparameters_raise(name, kwargs, shown):
    with pytest.raises(ValueError, match=rf"^{name}: .*{re.escape(shown)}"):
        OURS[name](**kwargs)


# The smallest allowed values, and what one step from p with gradient g gives, by hand:
# without momentum SGD is p - lr g; RMSprop with alpha = 0 has v = g^2, and Adam with
# betas = (0, 0) has m = g, v = g^2 and bias corrections 1 - 0^1 = 1, so with eps = 0
# both step by lr g / |g| = lr sign(g), at their default lr (1e-2 and 1e-3).
BOUNDARY = [
    pytest.param("SGD", {"lr": 1e-3, "momentum": 0.0, "weight_decay": 0.0}, lambda p, g: p - 1e-3 * g, id="sgd"),
    pytest.param("RMSprop", {"alpha": 0.0, "eps": 0.0, "weight_decay": 0.0}, lambda p, g: p - 1e-2 * np.sign(g),
                 id="rmsprop"),
    pytest.param("Adam", {"betas": (0.0, 0.0), "eps": 0.0}, lambda p, g: p - 1e-3 * np.sign(g), id="adam"),
]


@pytest.mark.parametrize("name, kwargs, by_hand", BOUNDARY)
def test_boundary_hyperparameters_are_accepted(name, kwargs, by_hand, rng):
    params = make_params(rng)
    start = {key: p.copy() for key, p in params.items()}
    grads = make_grads(rng, params)
    OURS[name](**kwargs).step(params, grads)
    for key in params:
        np.testing.assert_allclose(params[key], by_hand(start[key], grads[key]), rtol=0, atol=1e-15)


@pytest.mark.torch
@pytest.mark.parametrize("name, kwargs, by_hand", BOUNDARY)
def test_boundary_hyperparameters_match_torch(torch, name, kwargs, by_hand, rng):
    params = make_params(rng)
    twin = TorchTwin(torch, name, kwargs, params)
    grads = make_grads(rng, params)
    OURS[name](**kwargs).step(params, grads)
    twin.step(grads)
    for key in params:
        np.testing.assert_allclose(params[key], twin[key], rtol=0, atol=1e-10)


def test_sgd_requires_lr():
    with pytest.raises(TypeError):
        SGD()


@pytest.mark.parametrize("name, kwargs", ONE_OF_EACH)
def test_stub_raises_not_implemented(name, kwargs):
    namespace = {}
    exec(compile(make_stub(SOURCE.read_text()), "stub", "exec"), namespace)
    with pytest.raises(NotImplementedError):
        namespace[name](**kwargs)
