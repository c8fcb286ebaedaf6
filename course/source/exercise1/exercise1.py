# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercise 1: Activations, derived
#
# You will implement the forward and backward passes of ReLU, leaky ReLU,
# sigmoid, tanh and softmax in **`activations.py`**, the module beside this
# notebook. This notebook derives what those functions compute, step by step,
# and checks every formula and every number it writes down with a few lines of
# NumPy. The grey test cells run cnnlab's grader on your `activations.py`, the
# same grader as `cnnlab check exercise1`: same tests, same points, same
# feedback.
#
# Edit `activations.py` in any editor, save it, and rerun a test cell.
#
# Notation. A loss $L$ is a scalar. For any array $a$ that $L$ depends on,
# $da$ is the array of the same shape holding $\partial L / \partial a$. A
# layer's forward pass maps $x$ to $y$ (called `out` in the code) and returns a
# cache; its backward pass receives $dout = dy = \partial L / \partial y$ and
# the cache, and returns $dx$.

# %%
import importlib

import matplotlib.pyplot as plt
import numpy as np

import activations  # your module, beside this notebook

rng = np.random.default_rng(0)


def attempt(function, *args, **kwargs):
    """Call one of your functions from activations.py, reloaded so that your last save counts.

    Returns None (and says so) while the function still raises NotImplementedError.
    """
    module = importlib.reload(activations)
    try:
        return getattr(module, function)(*args, **kwargs)
    except NotImplementedError as error:
        print(f"{function} is not written yet ({error}).")
        return None


def numerical_gradient(loss, a, eps=1e-6):
    """Centred differences: d loss / d a[k] = (loss(a[k] + eps) - loss(a[k] - eps)) / (2 eps), entry by entry."""
    grad = np.zeros_like(a)
    for k in np.ndindex(a.shape):
        old = a[k]
        a[k] = old + eps
        up = loss()
        a[k] = old - eps
        down = loss()
        a[k] = old
        grad[k] = (up - down) / (2 * eps)
    return grad


def numerical_jacobian(f, x, eps=1e-6):
    """J[i, j] = d f(x)[i] / d x[j] by centred differences, for a vector x: column j moves x[j] only."""
    J = np.zeros((f(x).size, x.size))
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = eps
        J[:, j] = (f(x + step) - f(x - step)) / (2 * eps)
    return J


# %% [markdown]
# ## 1. The backward pass is a vector-Jacobian product
#
# Take any layer $y = f(x)$ with $x$ of $n$ entries and $y$ of $m$ entries
# (flatten them if they have several axes). The loss depends on $x$ only
# through $y$, so the chain rule sums over **every output that $x_j$ feeds**:
#
# $$ dx_j = \frac{\partial L}{\partial x_j} = \sum_{i=1}^{m} \frac{\partial L}{\partial y_i}\,\frac{\partial y_i}{\partial x_j} = \sum_{i=1}^{m} dout_i\, J_{ij}, \qquad J_{ij} = \frac{\partial y_i}{\partial x_j} . $$
#
# $J$ is the layer's **Jacobian**, of shape $(m, n)$, and the sum is the
# **vector-Jacobian product**
#
# $$ dx = J^\top dout, \qquad dout \in \mathbb{R}^m,\ J^\top \in \mathbb{R}^{n \times m},\ dx \in \mathbb{R}^n . $$
#
# The layer does not need to know what the loss is: $dout$ carries everything
# about the rest of the network that matters for $x$. Nor does it ever build
# $J$. An activation on a batch of 64 colour images of $32 \times 32$ pixels
# has $n = m = 64 \cdot 3 \cdot 32 \cdot 32 = 196\,608$ entries, so $J$ would
# hold $196\,608^2 \approx 3.9 \cdot 10^{10}$ numbers, **309 GB** in float64,
# to compute a gradient of 1.6 MB. Each backward pass in this exercise finds a
# formula for $J^\top dout$ that costs about as much as the forward pass.
#
# A trick this notebook uses throughout: for a fixed array $dout$, the loss
# $L = \sum_i dout_i\, y_i$ has $\partial L / \partial y = dout$ exactly, so the
# centred differences of that $L$ with respect to $x$ are the $dx$ a backward
# pass must return for that $dout$.

# %%
n = 64 * 3 * 32 * 32
assert n == 196_608 and round(n**2 / 1e10, 1) == 3.9
assert round(n**2 * 8 / 1e9) == 309 and round(n * 8 / 1e6, 1) == 1.6  # bytes of J and of dx, in float64


def f(x):
    """A small layer that is not elementwise: 3 inputs, 2 outputs."""
    return np.array([x[0] * x[1], np.sin(x[2]) + x[0] ** 2])


x = rng.standard_normal(3)
dout = rng.standard_normal(2)
J = numerical_jacobian(f, x)  # (2, 3): built here only to check the claim
J_by_hand = np.array([[x[1], x[0], 0], [2 * x[0], 0, np.cos(x[2])]])
assert J.shape == (2, 3) and np.allclose(J, J_by_hand, atol=1e-8)
assert np.allclose(J.T @ dout, numerical_gradient(lambda: np.sum(dout * f(x)), x), atol=1e-8)
print("dx = J^T dout =", J.T @ dout)

# %% [markdown]
# ## 2. Elementwise activations: a diagonal Jacobian
#
# ReLU, leaky ReLU, sigmoid and tanh apply one scalar function $g$ to every
# entry: $y_i = g(x_i)$, and $y$ has the shape of $x$, whatever it is:
# $(N, D)$ after a linear layer, $(N, C, H, W)$ after a convolution. Output
# $y_i$ depends on input $x_i$ only, so
#
# $$ J_{ij} = \frac{\partial y_i}{\partial x_j} = \begin{cases} g'(x_i) & i = j \\ 0 & i \ne j \end{cases}, \qquad J = \operatorname{diag}\big(g'(x)\big) . $$
#
# The sum of section 1 keeps one term, $i = j$:
#
# $$ dx_j = \sum_i dout_i\, J_{ij} = dout_j\, g'(x_j), \qquad dx = dout \odot g'(x) , $$
#
# an elementwise product ($\odot$, `*` in NumPy) of two arrays of the shape of
# $x$. Every elementwise backward pass is this one line with its own $g'$: the
# upstream gradient times the local derivative. What the cache must hold is
# whatever $g'$ is computed from.

# %%
x = np.array([-1.5, -0.2, 0.4, 2.0])
J = numerical_jacobian(np.tanh, x)  # (4, 4)
assert np.allclose(J - np.diag(np.diag(J)), 0, atol=1e-12)  # nothing off the diagonal
assert np.allclose(np.diag(J), 1 - np.tanh(x) ** 2, atol=1e-8)
dout = rng.standard_normal(4)
assert np.allclose(J.T @ dout, dout * (1 - np.tanh(x) ** 2), atol=1e-8)  # the product with J is elementwise
print(np.round(J, 4))

# %% [markdown]
# ### ReLU
#
# $$ y = \max(x, 0), \qquad g'(x) = \begin{cases} 1 & x > 0 \\ 0 & x < 0 \end{cases} $$
#
# At exactly $x = 0$ ReLU has a kink and no derivative: the slope from the left
# is 0, from the right 1, and the centred difference
# $\frac{\max(\varepsilon, 0) - \max(-\varepsilon, 0)}{2 \varepsilon} = \frac{1}{2}$
# is neither. Any value in $[0, 1]$ is a valid subgradient there; cnnlab takes
# **0**, as PyTorch does, so the mask is the *strict* $[x > 0]$:
#
# $$ dx = dout \odot [x > 0] , $$
#
# where $[x > 0]$ is 1 where $x_i > 0$ and 0 elsewhere. The cache holds $x$
# (or the mask): backward needs to know which side of 0 each entry was on.
# Exact zeros are not rare: an input that went through a ReLU before, or an
# image with black pixels, has many.
#
# By hand: $x = [-2, 0, 3]$ gives $y = [0, 0, 3]$, and $dout = [5, 5, 5]$ gives
# $dx = [0, 0, 5]$: the middle entry is 0 because $0 > 0$ is false.

# %%
relu = lambda x: np.maximum(x, 0.0)  # noqa: E731  the function, for the checks and the figures
eps = 1e-6
assert (relu(eps) - relu(0.0)) / eps == 1.0 and (relu(0.0) - relu(-eps)) / eps == 0.0  # right and left slopes
assert (relu(eps) - relu(-eps)) / (2 * eps) == 0.5  # the centred difference at the kink: neither
x = np.array([-2.0, 0.0, 3.0])
assert np.array_equal(relu(x), [0, 0, 3])
assert np.array_equal(np.array([5.0, 5.0, 5.0]) * (x > 0), [0, 0, 5])
x = rng.standard_normal((2, 3, 4, 5))  # away from 0 the mask is the derivative, on any shape
dout = rng.standard_normal(x.shape)
assert np.allclose(dout * (x > 0), numerical_gradient(lambda: np.sum(dout * relu(x)), x), atol=1e-8)

# %% [markdown]
# Your ReLU on the example (it prints a note while the functions are not
# written yet):

# %%
result = attempt("relu_forward", np.array([-2.0, 0.0, 3.0]))
if result is not None:
    print("out:", result[0], "  dx:", attempt("relu_backward", np.array([5.0, 5.0, 5.0]), result[1]))

# %% [markdown]
# The ReLU tests. Two of them are about dtypes: an activation must keep a
# float32 input float32 (forward and backward), because the networks cnnlab
# trains run in float32 and one float64 array would silently double every
# array after it. `np.maximum(x, 0)` keeps the dtype of `x`. And never change
# `x` in place: the caller still holds it.

# %% nbgrader={"grade": true, "grade_id": "relu", "locked": true, "points": 7, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise1", [
    "ReLU forward",
    "ReLU backward",
    "ReLU gradient check",
    "ReLU forward on NCHW",
    "ReLU gradient is 0 at exactly 0",
    "relu_forward keeps float32",
    "ReLU keeps float32, forward and backward",
])

# %% [markdown]
# ### Leaky ReLU
#
# A ReLU unit whose input is negative for every example passes no gradient at
# all, so its weights never change again: a "dead" ReLU. Leaky ReLU keeps a
# small slope $\alpha$ (0.01 by default, as in PyTorch) on the negative side:
#
# $$ y = \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}, \qquad g'(x) = \begin{cases} 1 & x > 0 \\ \alpha & x \le 0 \end{cases}, \qquad dx = dout \odot \big([x > 0] + \alpha\, [x \le 0]\big) . $$
#
# At the kink the convention is again the left slope, now $\alpha$ (PyTorch's
# too). The cache holds $x$ and $\alpha$.
#
# By hand, with $\alpha = 0.1$: $x = [-2, 0, 3]$ gives $y = [-0.2, 0, 3]$, and
# $dout = [5, 5, 5]$ gives $dx = [0.5, 0.5, 5]$.
#
# Multiply by `float(alpha)`: a Python float takes the dtype of the array it
# multiplies, while under NumPy 2's rules a NumPy `float64` scalar turns a
# float32 array into float64.

# %%
def leaky(x, alpha):
    return np.where(x > 0, x, alpha * x)


x = np.array([-2.0, 0.0, 3.0])
assert np.allclose(leaky(x, 0.1), [-0.2, 0, 3])
assert np.allclose(np.array([5.0, 5.0, 5.0]) * np.where(x > 0, 1.0, 0.1), [0.5, 0.5, 5])
x = rng.standard_normal((3, 4))
dout = rng.standard_normal(x.shape)
assert np.allclose(dout * np.where(x > 0, 1.0, 0.2), numerical_gradient(lambda: np.sum(dout * leaky(x, 0.2)), x),
                   atol=1e-8)
half = np.ones(3, dtype=np.float32)
assert (0.1 * half).dtype == np.float32  # a Python float keeps float32
if np.lib.NumpyVersion(np.__version__) >= "2.0.0":
    assert (np.float64(0.1) * half).dtype == np.float64  # a NumPy float64 scalar does not

result = attempt("leaky_relu_forward", np.array([-2.0, 0.0, 3.0]), alpha=0.1)
if result is not None:
    print("out:", result[0], "  dx:", attempt("leaky_relu_backward", np.array([5.0, 5.0, 5.0]), result[1]))

# %% nbgrader={"grade": true, "grade_id": "leaky_relu", "locked": true, "points": 6, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise1", [
    "leaky ReLU forward",
    "leaky ReLU backward",
    "leaky ReLU gradient check",
    "leaky ReLU gradient is alpha at exactly 0",
    "leaky ReLU keeps float32, forward and backward",
    "leaky ReLU forward, default alpha",
])

# %% [markdown]
# ### Sigmoid
#
# $$ \sigma(x) = \frac{1}{1 + e^{-x}} \in (0, 1) . $$
#
# Differentiate the quotient, then write the result with $\sigma$ itself:
#
# $$ \sigma'(x) = \frac{e^{-x}}{(1 + e^{-x})^2} = \underbrace{\frac{1}{1 + e^{-x}}}_{\sigma(x)} \cdot \underbrace{\frac{e^{-x}}{1 + e^{-x}}}_{1 - \sigma(x)} = \sigma(x)\big(1 - \sigma(x)\big), $$
#
# since $1 - \sigma(x) = \frac{1 + e^{-x} - 1}{1 + e^{-x}}$. With the output
# $y = \sigma(x)$ of the forward pass,
#
# $$ dx = dout \odot y \odot (1 - y) . $$
#
# **This is why the cache keeps the output, not the input.** The derivative is
# a function of $y$ alone, which the forward pass has already computed:
# backward needs no exponential. Writing $x(1 - x)$ with the *input* is a
# classic mistake; it is a different function ($-2$ at $x = -1$, where
# $\sigma' \approx 0.197$).
#
# $y(1 - y)$ is largest at $y = \frac{1}{2}$, that is at $x = 0$:
# $\sigma'(x) \le \sigma'(0) = \frac{1}{4}$ everywhere.
#
# **Without overflow.** For $x = -10^4$, $e^{-x} = e^{10^4}$ overflows: the
# largest float64 is about $e^{709.78}$. NumPy returns `inf` with a
# RuntimeWarning. $1/(1 + \infty) = 0$ happens to be right, but the
# derivative written as $e^{-x}/(1 + e^{-x})^2$ gives $\infty/\infty$ = `nan`
# there. Exponentiate only non-positive numbers: with $z = e^{-|x|} \in (0, 1]$,
#
# $$ \sigma(x) = \frac{1}{1 + z} \text{ if } x \ge 0, \qquad \sigma(x) = \frac{e^{x}}{e^{x} + 1} = \frac{z}{1 + z} \text{ if } x < 0 , $$
#
# (multiply the numerator and denominator of $\frac{1}{1 + e^{-x}}$ by $e^{x}$
# for the second form).

# %%
import math


def sigmoid(x):
    """The textbook form, for moderate x (the figures); the stable form is yours to write."""
    return 1 / (1 + np.exp(-x))


x = rng.uniform(-6, 6, 20)
dout = rng.standard_normal(20)
y = sigmoid(x)
assert np.allclose(dout * y * (1 - y), numerical_gradient(lambda: np.sum(dout * sigmoid(x)), x), atol=1e-8)
assert np.allclose(np.exp(-x) / (1 + np.exp(-x)) ** 2, y * (1 - y))  # the quotient rule and the product agree
assert np.isclose(sigmoid(-1.0) * (1 - sigmoid(-1.0)), 0.1966, atol=1e-4) and -1.0 * (1 - -1.0) == -2.0
grid = np.linspace(-8, 8, 1601)
assert sigmoid(0.0) * (1 - sigmoid(0.0)) == 0.25 and np.all(sigmoid(grid) * (1 - sigmoid(grid)) <= 0.25)

assert np.isclose(math.log(np.finfo(np.float64).max), 709.78, atol=0.01)
with np.errstate(over="ignore", invalid="ignore"):
    assert np.exp(1e4) == np.inf  # the overflow
    assert sigmoid(-1e4) == 0.0 and np.isnan(np.exp(1e4) / (1 + np.exp(1e4)) ** 2)
for t in [-1e4, -40.0, -2.5, 0.0, 1.5, 40.0, 1e4]:  # both branches against the textbook form (where it does not overflow)
    z = math.exp(-abs(t))
    stable = 1 / (1 + z) if t >= 0 else z / (1 + z)
    assert 0 <= z <= 1 and math.isclose(stable, 1 / (1 + math.exp(-t)) if t > -700 else 0.0, abs_tol=1e-300)

result = attempt("sigmoid_forward", np.array([-1e4, -1.0, 0.0, 1e4]))
if result is not None:
    print("out:", result[0], "  dx for dout = 1:", attempt("sigmoid_backward", np.ones(4), result[1]))

# %% [markdown]
# ### tanh
#
# $$ \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} . $$
#
# By the quotient rule, with $(e^{x} \pm e^{-x})' = e^{x} \mp e^{-x}$:
#
# $$ \tanh'(x) = \frac{(e^{x} + e^{-x})^2 - (e^{x} - e^{-x})^2}{(e^{x} + e^{-x})^2} = 1 - \tanh^2(x), \qquad dx = dout \odot (1 - y^2) $$
#
# with the output $y = \tanh(x)$: the cache keeps the output here too. The
# maximum, $\tanh'(0) = 1$, is four times sigmoid's, because tanh is a sigmoid
# stretched to twice the height, squeezed to half the width and moved down by 1:
# $\tanh(x) = 2\sigma(2x) - 1$, so $\tanh'(x) = 4\sigma'(2x)$.
#
# **tanh's range is $(-1, 1)$, and its outputs are not probabilities.** Some
# write-ups say tanh "outputs a probability"; half of its values are negative
# and nothing makes them add up to 1. Its virtue is being centred on 0
# ($\tanh(-x) = -\tanh(x)$), unlike $\sigma$ whose outputs are all positive. For
# probabilities of two classes use $\sigma$, for $C$ classes softmax (section 3).
# In float64 the open interval closes: $\tanh(x)$ rounds to exactly $1$ from
# $x \approx 19$ on, and $\sigma(x)$ from $x \approx 37$, which is why the stub's
# docstrings write $[-1, 1]$ and $[0, 1]$.

# %%
x = rng.uniform(-4, 4, 20)
dout = rng.standard_normal(20)
assert np.allclose(dout * (1 - np.tanh(x) ** 2), numerical_gradient(lambda: np.sum(dout * np.tanh(x)), x), atol=1e-8)
assert np.allclose(np.tanh(x), 2 * sigmoid(2 * x) - 1)
assert np.allclose(1 - np.tanh(x) ** 2, 4 * sigmoid(2 * x) * (1 - sigmoid(2 * x)))
assert np.allclose(np.tanh(-x), -np.tanh(x)) and (np.tanh(x) < 0).any()  # odd, and often negative
assert 1 - np.tanh(0.0) ** 2 == 1.0 == 4 * 0.25
assert np.tanh(18.0) < 1 and np.tanh(19.0) == 1.0 and sigmoid(36.0) < 1 and sigmoid(37.0) == 1.0

result = attempt("tanh_forward", np.array([-2.0, 0.0, 0.5]))
if result is not None:
    print("out:", result[0], "  dx for dout = 1:", attempt("tanh_backward", np.ones(3), result[1]))

# %% nbgrader={"grade": true, "grade_id": "sigmoid_tanh", "locked": true, "points": 9, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise1", [
    "sigmoid forward",
    "sigmoid backward",
    "sigmoid gradient check",
    "sigmoid on inputs of 1e4",
    "sigmoid keeps float32, forward and backward",
    "tanh forward",
    "tanh backward",
    "tanh gradient check",
    "tanh keeps float32, forward and backward",
])

# %% [markdown]
# ### The four side by side
#
# Left the functions, right their derivatives $g'$. The kinks of ReLU and
# leaky ReLU become jumps in the derivative (the dot marks the value taken at
# $x = 0$); sigmoid's derivative peaks at $\frac{1}{4}$, tanh's at 1. Leaky ReLU
# is drawn with $\alpha = 0.1$ so that its slope can be seen.

# %%
xs = np.linspace(-4, 4, 801)  # includes 0 exactly
curves = {
    "ReLU": (relu(xs), (xs > 0).astype(float)),
    "leaky ReLU, alpha = 0.1": (leaky(xs, 0.1), np.where(xs > 0, 1.0, 0.1)),
    "sigmoid": (sigmoid(xs), sigmoid(xs) * (1 - sigmoid(xs))),
    "tanh": (np.tanh(xs), 1 - np.tanh(xs) ** 2),
}
away = np.abs(xs) > 1e-3  # the derivatives, checked by centred differences away from the kinks
for name, (ys, slopes) in curves.items():
    g = {"ReLU": relu, "sigmoid": sigmoid, "tanh": np.tanh}.get(name, lambda t: leaky(t, 0.1))
    assert np.allclose(slopes[away], ((g(xs + 1e-6) - g(xs - 1e-6)) / 2e-6)[away], atol=1e-6)
assert curves["ReLU"][1][400] == 0 and curves["leaky ReLU, alpha = 0.1"][1][400] == 0.1  # xs[400] == 0

fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
for name, (ys, slopes) in curves.items():
    style = "--" if name.startswith("leaky") else "-"  # ReLU and leaky ReLU coincide where x > 0
    line, = axes[0].plot(xs, ys, style, label=name)
    axes[1].plot(xs, np.where(away, slopes, np.nan), style, color=line.get_color(), label=name)
    axes[1].plot(0, slopes[400], "o", color=line.get_color())
axes[0].set_title("g(x)")
axes[1].set_title("g'(x): what backward multiplies dout by")
for ax in axes:
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set_xlabel("x")
    ax.legend()
plt.show()

# %% [markdown]
# With $dout = 1$ everywhere, an elementwise backward pass returns $g'(x)$
# itself: here are yours, drawn over the curves above (once you have written
# them).

# %%
fig, axes = plt.subplots(1, 4, figsize=(14, 3.2), sharey=True)
for ax, (name, (fwd, bwd, kwargs)) in zip(axes, {
        "ReLU": ("relu_forward", "relu_backward", {}),
        "leaky ReLU, alpha = 0.1": ("leaky_relu_forward", "leaky_relu_backward", {"alpha": 0.1}),
        "sigmoid": ("sigmoid_forward", "sigmoid_backward", {}),
        "tanh": ("tanh_forward", "tanh_backward", {})}.items()):
    ax.plot(xs, np.where(away, curves[name][1], np.nan), color="lightgrey", lw=4, label="g'(x)")
    result = attempt(fwd, xs, **kwargs)
    dx = attempt(bwd, np.ones_like(xs), result[1]) if result is not None else None
    if dx is not None:
        ax.plot(xs, dx, "--", label="your backward, dout = 1")
        if not np.allclose(dx, curves[name][1], atol=1e-6):
            print(f"{name}: your backward with dout = 1 is not g'(x); compare with the formula above.")
    ax.set_title(name)
    ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ### Saturation: why deep sigmoid networks learn slowly
#
# Far from 0, sigmoid and tanh are flat, and so their derivatives are tiny:
# $\sigma'(5) \approx 6.6 \cdot 10^{-3}$, $\sigma'(10) \approx 4.5 \cdot 10^{-5}$,
# $\tanh'(5) \approx 1.8 \cdot 10^{-4}$, $\tanh'(10) \approx 8.2 \cdot 10^{-9}$.
# Backward multiplies $dout$ by these numbers, so a unit whose input sits far
# from 0 (a **saturated** unit) passes almost no gradient to the layers below
# it, and its own weights barely move. Through a stack of layers the factors
# multiply: even at the best point, $x = 0$, ten sigmoids in a row scale the
# gradient by at most $(1/4)^{10} \approx 9.5 \cdot 10^{-7}$ (weights aside).
# ReLU's derivative is exactly 1 wherever the unit is active, which is one reason
# deep networks use it.

# %%
d_sigmoid = lambda x: sigmoid(x) * (1 - sigmoid(x))  # noqa: E731
d_tanh = lambda x: 1 - np.tanh(x) ** 2  # noqa: E731
assert np.isclose(d_sigmoid(5.0), 6.6e-3, rtol=0.01) and np.isclose(d_sigmoid(10.0), 4.5e-5, rtol=0.01)
assert np.isclose(d_tanh(5.0), 1.8e-4, rtol=0.01) and np.isclose(d_tanh(10.0), 8.2e-9, rtol=0.01)
assert np.isclose(0.25**10, 9.5e-7, rtol=0.01)

xs_wide = np.linspace(-12, 12, 1201)
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
axes[0].semilogy(xs_wide, d_sigmoid(xs_wide), label="sigmoid'(x) = s (1 - s)")
axes[0].semilogy(xs_wide, d_tanh(xs_wide), label="tanh'(x) = 1 - t^2")
for x0 in (5.0, 10.0):
    axes[0].plot([x0, x0], [d_sigmoid(x0), d_tanh(x0)], "ko", ms=4)
    axes[0].annotate(f"{d_sigmoid(x0):.1e}", (x0, d_sigmoid(x0)), textcoords="offset points", xytext=(5, 5))
    axes[0].annotate(f"{d_tanh(x0):.1e}", (x0, d_tanh(x0)), textcoords="offset points", xytext=(5, -12))
axes[0].set_xlabel("x")
axes[0].set_title("the local derivative, log scale: saturation")
axes[0].legend()
layers = np.arange(1, 21)
axes[1].semilogy(layers, 0.25**layers, "o-", label="sigmoid, at best (1/4 per layer)")
axes[1].semilogy(layers, np.ones_like(layers, dtype=float), "s-", label="active ReLU (1 per layer)")
axes[1].set_xlabel("layers")
axes[1].set_title("product of the local derivatives through a stack")
axes[1].legend()
plt.show()

# %% [markdown]
# ## 3. Softmax
#
# ### Forward, and why subtracting the maximum changes nothing
#
# Softmax turns a row of $C$ scores (logits) into probabilities:
#
# $$ y_i = \frac{e^{x_i}}{\sum_{j=1}^{C} e^{x_j}}, \qquad i = 1, \dots, C . $$
#
# Every $y_i > 0$ and $\sum_i y_i = 1$. For a batch $x$ of shape $(N, C)$, one row
# per example, each row is normalised on its own; in general $x$ has shape
# $(\dots, C)$ and softmax runs over the **last axis** (and refuses an empty one:
# there is no class to put probability on). $y$ and $dx$ have the shape of $x$.
#
# **Shift invariance.** For any constant $c$ added to a whole row,
#
# $$ \frac{e^{x_i - c}}{\sum_j e^{x_j - c}} = \frac{e^{-c}\, e^{x_i}}{e^{-c} \sum_j e^{x_j}} = \frac{e^{x_i}}{\sum_j e^{x_j}} . $$
#
# This matters in floating point: $e^{10^4}$ overflows to `inf`, and
# $\infty / \infty$ is `nan`. Take $c = m = \max_j x_j$, the row's maximum: every
# exponent $x_j - m$ is $\le 0$, so every term is in $(0, 1]$, the largest is
# exactly $e^0 = 1$, and the denominator lies in $[1, C]$: no overflow and no
# division by zero. Small terms may underflow, but $e^{t}$ becomes 0 only for
# $t$ below about $-745$, where $e^{t} < 10^{-323}$: next to the largest term,
# 1, nothing is lost.
#
# **By hand**, $x = [1, 2, 3]$:
#
# $$ e^{1} = 2.71828,\ e^{2} = 7.38906,\ e^{3} = 20.08554,\quad \textstyle\sum = 30.19287,\quad y = [0.09003,\ 0.24473,\ 0.66524] . $$
#
# Shifted by $m = 3$: $x - 3 = [-2, -1, 0]$, $e^{-2} = 0.13534$, $e^{-1} = 0.36788$,
# $e^{0} = 1$, $\sum = 1.50321$, and $0.13534 / 1.50321 = 0.09003$: the same $y$.
# The scores $[1, 2, 3] + 10^4$ give that $y$ too, but only the shifted form
# can compute it.

# %%
def softmax_row(x):
    """Softmax of one row, shifted by its maximum (a row of shape (C,) only)."""
    e = np.exp(x - np.max(x))
    return e / e.sum()


x = np.array([1.0, 2.0, 3.0])
assert np.allclose(np.exp(x), [2.71828, 7.38906, 20.08554], atol=1e-5) and np.isclose(np.exp(x).sum(), 30.19287)
assert np.allclose(np.exp(x - 3), [0.13534, 0.36788, 1], atol=1e-5) and np.isclose(np.exp(x - 3).sum(), 1.50321)
y = softmax_row(x)
assert np.allclose(y, np.exp(x) / np.exp(x).sum()) and np.allclose(y, [0.09003, 0.24473, 0.66524], atol=1e-5)
assert np.isclose(y.sum(), 1) and np.all(y > 0)
for c in (-50.0, 7.0, 1e4):
    assert np.allclose(softmax_row(x + c), y)  # shift invariance
with np.errstate(over="ignore", invalid="ignore"):
    naive = np.exp(x + 1e4) / np.exp(x + 1e4).sum()
assert np.all(np.isnan(naive))  # inf / inf
e = np.exp(x + 1e4 - np.max(x + 1e4))
assert e.max() == 1.0 and 1 <= e.sum() <= 3
assert np.exp(-744.0) > 0 and np.exp(-746.0) == 0 and math.exp(-745) < 1e-323  # where exp underflows
print("softmax([1, 2, 3]) =", y)

result = attempt("softmax_forward", np.array([[1.0, 2.0, 3.0], [1e4, 1e4 + 1, 1e4 + 2]]))
if result is not None:
    print("your softmax:\n", result[0])

# %% [markdown]
# The forward tests: values, logits of $10^4$, rows that sum to one, the last
# axis of a 3-D $x$, the dtype, and a `ValueError` that names the shape of an
# $x$ whose last axis is empty.

# %% nbgrader={"grade": true, "grade_id": "softmax_forward", "locked": true, "points": 8, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise1", [
    "softmax forward",
    "softmax on logits of 1e4",
    "softmax rows sum to one",
    "softmax_forward keeps float32",
    "softmax over the last axis of a 3-D x",
    "softmax rejects an empty last axis",
    "softmax rejects a 0-d x",
])

# %% [markdown]
# ### The Jacobian of softmax: $\operatorname{diag}(y) - y y^\top$
#
# Unlike the activations of section 2, **every output of a row depends on every
# input of that row**, through the sum $S = \sum_k e^{x_k}$, with
# $\partial S / \partial x_j = e^{x_j}$. The quotient rule on
# $y_i = e^{x_i} / S$:
#
# $$ \frac{\partial y_i}{\partial x_j} = \frac{\delta_{ij}\, e^{x_i}\, S - e^{x_i}\, e^{x_j}}{S^2} = \delta_{ij}\, y_i - y_i\, y_j = y_i\,(\delta_{ij} - y_j) , $$
#
# where $\delta_{ij}$ is 1 if $i = j$ and 0 otherwise. As a $C \times C$ matrix:
#
# $$ J = \operatorname{diag}(y) - y\, y^\top , $$
#
# symmetric, with $y_i(1 - y_i)$ on the diagonal (sigmoid's formula) and
# $-y_i y_j$ off it: raising score $j$ lowers every other probability. Each row
# of $J$ sums to $y_i - y_i \sum_j y_j = 0$: adding the same amount to every
# score changes nothing, the shift invariance again.
#
# For $x = [1, 2, 3]$, $y = [0.09003, 0.24473, 0.66524]$:
#
# $$ J = \begin{bmatrix} 0.08193 & -0.02203 & -0.05989 \\ -0.02203 & 0.18484 & -0.16280 \\ -0.05989 & -0.16280 & 0.22270 \end{bmatrix} . $$
#
# ### Backward without the Jacobian
#
# The vector-Jacobian product of section 1, with this $J$:
#
# $$ dx_j = \sum_i dout_i\, J_{ij} = \sum_i dout_i\, y_i\,(\delta_{ij} - y_j) = dout_j\, y_j - y_j \sum_i dout_i\, y_i , $$
#
# $$ \boxed{\,dx = y \odot \Big(dout - \sum_i dout_i\, y_i\Big)\,} $$
#
# The sum $\sum_i dout_i\, y_i$ is one number per row, the same for every entry
# of the row: for a batch of shape $(\dots, C)$ it is a sum over the last axis,
# kept as shape $(\dots, 1)$ so that it broadcasts. That costs $O(C)$ per row
# instead of the $O(C^2)$ of building $J$. The cache needs only $y$. Because the
# rows of $J$ sum to 0, the entries of $dx$ in a row add up to 0.
#
# **By hand**, $dout = [1, 0, -1]$: $\sum_i dout_i\, y_i = 0.09003 - 0.66524 = -0.57521$, so
#
# $$ dx = [0.09003 \cdot 1.57521,\ \ 0.24473 \cdot 0.57521,\ \ 0.66524 \cdot (-0.42479)] = [0.14182,\ 0.14077,\ -0.28259] , $$
#
# which adds up to 0. Using only the diagonal of $J$, $dout \odot y \odot (1 - y)$,
# gives $[0.08193, 0, -0.22270]$: it drops the $-y_i y_j$ terms, and the middle
# score, whose $dout$ is 0, would get no gradient although raising it lowers
# $y_1$ and $y_3$.

# %%
J = np.diag(y) - np.outer(y, y)  # (3, 3)
assert np.allclose(J, numerical_jacobian(softmax_row, x), atol=1e-8)  # against centred differences
assert np.allclose(J, [[0.08193, -0.02203, -0.05989], [-0.02203, 0.18484, -0.16280], [-0.05989, -0.16280, 0.22270]],
                   atol=1e-5)
assert np.allclose(J, J.T) and np.allclose(J.sum(axis=1), 0)
assert np.allclose(np.diag(J), y * (1 - y))

dout = np.array([1.0, 0.0, -1.0])
inner = np.sum(dout * y)
assert np.isclose(inner, -0.57521, atol=1e-5)
dx = y * (dout - inner)
assert np.allclose(dx, [0.14182, 0.14077, -0.28259], atol=1e-5) and np.isclose(dx.sum(), 0)
assert np.allclose(dx, J.T @ dout)  # the formula is the vector-Jacobian product
assert np.allclose(dx, numerical_gradient(lambda: np.sum(dout * softmax_row(x)), x), atol=1e-8)
assert np.allclose(dout * y * (1 - y), [0.08193, 0, -0.22270], atol=1e-5)  # the diagonal alone: wrong

# A batch of rows of shape (2, 3, 5): the sum over the last axis, kept to broadcast, against the loops.
xb = rng.standard_normal((2, 3, 5))
yb = np.apply_along_axis(softmax_row, -1, xb)
doutb = rng.standard_normal(xb.shape)
dxb = yb * (doutb - (doutb * yb).sum(axis=-1)[..., None])  # (2, 3, 5)
loops = np.zeros_like(xb)
for n, r in np.ndindex(2, 3):
    Jr = np.diag(yb[n, r]) - np.outer(yb[n, r], yb[n, r])
    loops[n, r] = Jr.T @ doutb[n, r]
assert np.allclose(dxb, loops)
assert np.allclose(dxb, numerical_gradient(lambda: np.sum(doutb * np.apply_along_axis(softmax_row, -1, xb)), xb),
                   atol=1e-8)
print("dx =", dx, "  the diagonal alone:", dout * y * (1 - y))

# %% [markdown]
# The Jacobian of the example, and the contributions $dout_i J_{ij}$ that add
# up, column by column, to $dx_j$:

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
for ax, matrix, title in zip(axes, [J, dout[:, None] * J], ["J = diag(y) - y y^T, x = [1, 2, 3]",
                                                          "dout_i J_ij, dout = [1, 0, -1]"]):
    image = ax.imshow(matrix, cmap="RdBu", vmin=-0.3, vmax=0.3)
    for i, j in np.ndindex(3, 3):
        ax.text(j, i, f"{matrix[i, j] + 0.0:.4f}", ha="center", va="center")  # + 0.0: no "-0.0000"
    ax.set_xticks(range(3), ["j = 1", "j = 2", "j = 3"])
    ax.set_yticks(range(3), ["i = 1", "i = 2", "i = 3"])
    ax.set_title(title)
axes[1].set_xlabel("column sums: dx = [" + ", ".join(f"{v:.4f}" for v in dx) + "]")
fig.colorbar(image, ax=axes)
plt.show()
assert np.allclose((dout[:, None] * J).sum(axis=0), dx)  # the column sums are dx

# %% [markdown]
# Your softmax backward on the example:

# %%
result = attempt("softmax_forward", np.array([1.0, 2.0, 3.0]))
dx_yours = attempt("softmax_backward", np.array([1.0, 0.0, -1.0]), result[1]) if result is not None else None
if dx_yours is not None:
    print("your dx:", dx_yours)

# %% nbgrader={"grade": true, "grade_id": "softmax_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise1", [
    "softmax backward",
    "softmax gradient check",
    "softmax keeps float32, forward and backward",
])

# %% [markdown]
# ## 4. The hidden tests
#
# When your notebook is graded, hidden tests run every backward pass on fresh
# random shapes of one to four axes, with both signs and an exact 0 among the
# inputs.

# %% nbgrader={"grade": true, "grade_id": "hidden", "locked": true, "points": 5, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: fresh random shapes, run when your notebook is graded.
### BEGIN HIDDEN TESTS
from autograder.report.notebook import grade_cell

grade_cell("exercise1", [
    "ReLU backward, fresh shapes",
    "leaky ReLU backward, fresh shapes",
    "sigmoid backward, fresh shapes",
    "tanh backward, fresh shapes",
    "softmax backward, fresh shapes",
], hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Check yourself
#
# The same tests, outside the notebook, in a terminal opened in this folder:
#
# ```bash
# cnnlab check exercise1 --path .    # every public test, with the feedback of each failure
# cnnlab watch --path .              # reruns the check every time you save activations.py
# ```
#
# In a clone of cnnlab, where your modules live in `exercises/`, drop the
# `--path .`.
