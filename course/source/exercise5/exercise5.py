# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercise 5: Optimizers, derived
#
# You will implement the classes `SGD` (with momentum), `RMSprop` and `Adam` in
# **`optimizers.py`**, the module beside this notebook, stepped exactly as
# `torch.optim` steps them. This notebook derives what each update does and why,
# and checks every formula and every number it writes down with a few lines of
# NumPy. The grey test cells run cnnlab's grader on your `optimizers.py`, the
# same grader as `cnnlab check exercise5`: same tests, same points, same feedback.
#
# Edit `optimizers.py` in any editor, save it, and rerun a test cell.
#
# Notation. A network's parameters are a dict `params` of arrays: `params[k]`,
# written $p$, has any shape $S_k$ (a weight $(D, M)$, a bias $(M,)$, a filter
# bank $(F, C, HH, WW)$). **Backpropagation** computes the gradient of the loss,
# a dict `grads` with the same keys, $g = \partial L / \partial p$ of shape
# $S_k$ too. It changes nothing. **The optimizer** is what changes the weights:
# from $p_{t-1}$ and the gradient $g_t$ of step $t$ it makes $p_t$. Everything an
# optimizer keeps (a velocity, running averages) is one array of shape $S_k$ per
# key, and every square, square root and division below is elementwise, so the
# formulas are written for one entry and hold for every entry of every array.

# %%
import importlib

import matplotlib.pyplot as plt
import numpy as np

import optimizers  # your module, beside this notebook

rng = np.random.default_rng(0)


def attempt(name, kwargs, start, gradient, steps):
    """Run your optimizers.<name>(**kwargs) for `steps` steps, from `start`, on one parameter array.

    gradient(p, t) gives the gradient at p on step t (t = 1, 2, ...). Returns the path, an array of
    shape (steps + 1,) + start.shape, or None (and says why) while the class raises NotImplementedError.
    The module is reloaded so that your last save counts.
    """
    module = importlib.reload(optimizers)
    params = {"p": np.array(start, dtype=float)}
    path = [params["p"].copy()]
    try:
        optimizer = getattr(module, name)(**kwargs)
        for t in range(1, steps + 1):
            optimizer.step(params, {"p": np.array(gradient(params["p"], t), dtype=float)})
            path.append(params["p"].copy())
    except NotImplementedError as error:
        print(f"{name} is not written yet ({error}).")
        return None
    except Exception as error:  # a demo, not a test: the test cells below give the feedback
        print(f"Your {name} raised {type(error).__name__}: {error}")
        return None
    return np.array(path)


# %% [markdown]
# ## 1. A step downhill, and weight decay as one more gradient term
#
# Plain gradient descent moves every parameter against its gradient, with a
# learning rate $\eta > 0$:
#
# $$ p_t = p_{t-1} - \eta\, g_t , \qquad p, g \text{ of shape } S_k . $$
#
# Why it works: to first order $L(p - \eta g) \approx L(p) - \eta\, g \cdot g$,
# which is below $L(p)$ for a small enough $\eta$ whenever $g \ne 0$. "Stochastic"
# gradient descent is the same rule with $g$ computed on a mini-batch.
#
# **Weight decay.** L2 regularisation adds $\frac{\lambda}{2} \sum p^2$ to the
# loss. Its gradient is $\lambda p$ (the derivative of $\frac{\lambda}{2} p^2$),
# so the regularised gradient is simply
#
# $$ g \leftarrow g_t + \lambda\, p_{t-1} , $$
#
# and **every optimizer in this exercise adds it first**, before anything else
# happens: the velocity and the running averages below all see that sum. For
# plain SGD the step becomes
#
# $$ p_t = p_{t-1} - \eta\, (g_t + \lambda p_{t-1}) = (1 - \eta\lambda)\, p_{t-1} - \eta\, g_t : $$
#
# each step first shrinks the weights by the factor $1 - \eta\lambda$ (they
# "decay"), then takes the ordinary step. Write the sum into a new array,
# `g = grads[key] + weight_decay * p`: the caller's `grads` must stay as it was.
#
# The docstring's example: $p = [1, -2]$, $g = [10, 10]$, $\eta = 0.1$ give
# $p = [1 - 1, -2 - 1] = [0, -3]$. With $\lambda = 0.5$ as well:
# $(1 - 0.05)\,[1, -2] - [1, 1] = [-0.05, -2.9]$.

# %%
p0, g1 = np.array([1.0, -2.0]), np.array([10.0, 10.0])
assert np.array_equal(p0 - 0.1 * g1, [0, -3])
lam = 0.5
assert np.allclose(p0 - 0.1 * (g1 + lam * p0), (1 - 0.1 * lam) * p0 - 0.1 * g1)
assert np.allclose((1 - 0.1 * lam) * p0 - 0.1 * g1, [-0.05, -2.9])

# The gradient of (lam / 2) sum p^2 is lam p: centred differences in float64.
p = rng.standard_normal((3, 4))
penalty = lambda q: lam / 2 * np.sum(q ** 2)  # noqa: E731
numerical = np.zeros_like(p)
for k in np.ndindex(p.shape):
    e = np.zeros_like(p)
    e[k] = 1e-6
    numerical[k] = (penalty(p + e) - penalty(p - e)) / 2e-6
assert np.allclose(numerical, lam * p, atol=1e-8)

path = attempt("SGD", {"lr": 0.1}, p0, lambda p, t: g1, steps=1)
if path is not None:
    print("your SGD:", path[-1])

# %% [markdown]
# ### Gradient descent on an ill-conditioned bowl
#
# Take the loss $f(x, y) = \frac{1}{2}(a x^2 + b y^2)$ with $0 < a < b$: a bowl,
# steep along $y$ and shallow along $x$. Its gradient is $(a x, b y)$, so one
# SGD step multiplies each coordinate by its own factor,
#
# $$ x_t = (1 - \eta a)\, x_{t-1}, \quad y_t = (1 - \eta b)\, y_{t-1} \qquad\Longrightarrow\qquad x_t = (1 - \eta a)^t x_0, \quad y_t = (1 - \eta b)^t y_0 . $$
#
# $y$ converges only if $|1 - \eta b| < 1$, that is $\eta < 2 / b$; the steep
# direction caps the learning rate. Then $x$ shrinks by at best
# $1 - \eta a > 1 - 2a/b$ per step: with $a = 1$, $b = 25$ (condition number
# $b/a = 25$) and $\eta = 0.075$, $y$ flips sign every step
# ($1 - 0.075 \cdot 25 = -0.875$) while $x$ creeps, $0.925^t$. Every optimizer
# below is an answer to this problem.

# %%
A, B = 1.0, 25.0  # the bowl f = (A x^2 + B y^2) / 2
START = np.array([-4.0, 1.5])


def bowl(z):
    return 0.5 * (A * z[..., 0] ** 2 + B * z[..., 1] ** 2)


def bowl_gradient(z, t=None):
    return np.array([A * z[0], B * z[1]])


z, path = START.copy(), [START.copy()]
for t in range(40):
    z = z - 0.075 * bowl_gradient(z)
    path.append(z)
path = np.array(path)
t = np.arange(41)
assert np.allclose(path[:, 0], 0.925 ** t * START[0]) and np.allclose(path[:, 1], (-0.875) ** t * START[1])
assert np.isclose(1 - 0.075 * B, -0.875) and 0.075 < 2 / B and 1 - 0.075 * A > 1 - 2 * A / B

# %% [markdown]
# ## 2. Momentum, as PyTorch defines it
#
# Momentum keeps a **velocity** $b$ per key, of shape $S_k$, that accumulates
# gradients, with a factor $0 \le \mu < 1$:
#
# $$ b_t = \mu\, b_{t-1} + g_t \quad (b_0 = 0, \text{ so } b_1 = g_1), \qquad p_t = p_{t-1} - \eta\, b_t . $$
#
# This is `torch.optim.SGD(momentum=mu)` (no dampening, no Nesterov). Unrolled
# from $b_0 = 0$,
#
# $$ b_t = g_t + \mu g_{t-1} + \mu^2 g_{t-2} + \dots = \sum_{i=1}^{t} \mu^{t-i} g_i . $$
#
# Gradients that keep their sign add up: for a constant gradient $g$,
# $b_t = g\,(1 - \mu^t)/(1 - \mu) \to g / (1 - \mu)$, a step $\frac{1}{1-\mu}$
# times larger, **10 times** at $\mu = 0.9$. Gradients that flip sign from step to
# step (the $y$ of the bowl) cancel in the sum. So momentum speeds up the
# shallow direction and damps the steep one.
#
# **Where $\eta$ sits.** Many texts write momentum as
# $v_t = \mu v_{t-1} - \eta_t g_t$, $p_t = p_{t-1} + v_t$. By induction, if
# $\eta$ is constant, $v_t = -\eta\, b_t$:
# $v_t = \mu(-\eta b_{t-1}) - \eta g_t = -\eta(\mu b_{t-1} + g_t) = -\eta b_t$,
# so both give **the same path**. They differ when the learning rate changes
# (a schedule):
#
# $$ \text{PyTorch: } p_t - p_{t-1} = -\eta_t \sum_{i} \mu^{t-i} g_i, \qquad \text{the } v \text{ form: } p_t - p_{t-1} = -\sum_{i} \mu^{t-i} \eta_i\, g_i . $$
#
# PyTorch applies *today's* learning rate to the whole velocity; the $v$ form
# keeps each gradient with the learning rate it was taken at. After a drop of the
# learning rate, PyTorch's steps shrink at once, the $v$ form's only as the old
# velocity fades. Implement PyTorch's, $b = \mu b + g$ then $p \mathrel{-}= \eta b$.
#
# A dampened average $b = \mu b + (1 - \mu) g$ is another convention again: it makes
# every step $1 - \mu$ times as large (a tenth at $\mu = 0.9$), which is not what
# `torch.optim.SGD` does.

# %%
def sgd_path(gradient, start, lr, steps, momentum=0.0, weight_decay=0.0):
    """PyTorch's SGD, from this notebook's formulas: lr may be a number or a function of t."""
    lr_at = lr if callable(lr) else (lambda t: lr)
    p, velocity = np.array(start, dtype=float), np.zeros(np.shape(start))
    path = [p.copy()]
    for t in range(1, steps + 1):
        g = gradient(p, t) + weight_decay * p  # a new array: the caller's gradient stays
        velocity = momentum * velocity + g
        p = p - lr_at(t) * velocity
        path.append(p)
    return np.array(path)


def v_form_path(gradient, start, lr, steps, momentum):
    """The other convention: v = mu v - lr g, p = p + v."""
    lr_at = lr if callable(lr) else (lambda t: lr)
    p, v = np.array(start, dtype=float), np.zeros(np.shape(start))
    path = [p.copy()]
    for t in range(1, steps + 1):
        v = momentum * v - lr_at(t) * gradient(p, t)
        p = p + v
        path.append(p)
    return np.array(path)


# The unrolled velocity, on random gradients: b_t = sum_i mu^(t - i) g_i.
mu, gs = 0.9, rng.standard_normal((6, 3))
velocity = np.zeros(3)
for t in range(1, 7):
    velocity = mu * velocity + gs[t - 1]
    assert np.allclose(velocity, sum(mu ** (t - i) * gs[i - 1] for i in range(1, t + 1)))
# A constant gradient: b_t = g (1 - mu^t) / (1 - mu), towards 10 g.
velocity = 0.0
for t in range(1, 200):
    velocity = mu * velocity + 1.0
    assert np.isclose(velocity, (1 - mu ** t) / (1 - mu))
assert np.isclose(velocity, 10, atol=1e-8)

# Constant learning rate: the same path. A schedule (lr / 10 from step 6 on): different paths.
torch_form = sgd_path(bowl_gradient, START, 0.02, 30, momentum=0.9)
assert np.allclose(torch_form, v_form_path(bowl_gradient, START, 0.02, 30, momentum=0.9))
schedule = lambda t: 0.02 if t <= 5 else 0.002  # noqa: E731
torch_sched = sgd_path(bowl_gradient, START, schedule, 30, momentum=0.9)
v_sched = v_form_path(bowl_gradient, START, schedule, 30, momentum=0.9)
assert not np.allclose(torch_sched, v_sched)
# The dampened average b = mu b + (1 - mu) g is (1 - mu) times PyTorch's velocity on every step.
damped, velocity = 0.0, 0.0
for g in rng.standard_normal(20):
    damped, velocity = mu * damped + (1 - mu) * g, mu * velocity + g
    assert np.isclose(damped, (1 - mu) * velocity)
# Step 6, just after the drop: PyTorch scales the whole velocity by the new lr, the v form only the new gradient.
assert np.linalg.norm(torch_sched[6] - torch_sched[5]) < np.linalg.norm(v_sched[6] - v_sched[5])
print("step 6 after the drop:  PyTorch", np.round(torch_sched[6] - torch_sched[5], 4),
      "  v form", np.round(v_sched[6] - v_sched[5], 4))

path = attempt("SGD", {"lr": 0.02, "momentum": 0.9}, START, bowl_gradient, steps=30)
if path is not None:
    if np.allclose(path, torch_form):
        print("your SGD with momentum follows b = mu b + g, p -= lr b on the bowl")
    else:
        print("your SGD with momentum leaves the path of b = mu b + g, p -= lr b: compare with the formulas above")

# %% [markdown]
# The state is one velocity per key, kept on the optimizer between calls
# (`self.velocity[key]`, created with `np.zeros_like(p)` the first time the key
# is seen). A key that appears later (a layer added to the model) starts with
# its own zero velocity. The first test cell grades SGD.

# %% nbgrader={"grade": true, "grade_id": "sgd", "locked": true, "points": 5, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise5", [
    "SGD",
    "SGD with momentum",
    "SGD with momentum and weight decay",
    "SGD with momentum: a key added later starts fresh",
])

# %% [markdown]
# ## 3. RMSprop: one learning rate per entry
#
# On the bowl, the gradient along $y$ is $b/a = 25$ times larger than along $x$
# at the same distance, so one $\eta$ cannot suit both. RMSprop divides each
# entry's step by a running **root mean square** of that entry's gradient. With
# $0 \le \alpha < 1$ (default $0.99$) and $\epsilon \ge 0$:
#
# $$ v_t = \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2 \quad (v_0 = 0), \qquad p_t = p_{t-1} - \eta\, \frac{g_t}{\sqrt{v_t} + \epsilon} , $$
#
# $v$ of shape $S_k$, $g_t^2$ the elementwise square. Unrolled,
# $v_t = (1 - \alpha) \sum_{i=1}^t \alpha^{t-i} g_i^2$: a weighted mean of the
# recent squared gradients. If the gradient of an entry is scaled by any
# $c > 0$, $v$ scales by $c^2$ and $g / \sqrt{v}$ does not change (up to
# $\epsilon$): every entry moves at a speed set by $\eta$, however steep its
# direction.
#
# Two details decide whether you match `torch.optim.RMSprop`:
#
# - $\epsilon$ is added **outside** the square root. $\sqrt{v} + \epsilon$ and
#   $\sqrt{v + \epsilon}$ differ most where $v$ is small: for $v = 10^{-4}$ and
#   $\epsilon = 10^{-2}$ they are $0.02$ and $0.1005$, five times apart.
# - PyTorch's RMSprop has **no bias correction**: $v$ starts at zero, so on the
#   first step $v_1 = (1 - \alpha) g_1^2$ and the step is
#   $\eta\, g_1 / (\sqrt{1 - \alpha}\, |g_1|) = \eta / \sqrt{1 - \alpha}$ in size,
#   **10 η** for $\alpha = 0.99$, whatever $g_1$ is. Adam, next, corrects exactly this.

# %%
def rmsprop_path(gradient, start, lr=1e-2, alpha=0.99, eps=1e-8, steps=1, weight_decay=0.0):
    """PyTorch's RMSprop, from this notebook's formulas."""
    p, mean_square = np.array(start, dtype=float), np.zeros(np.shape(start))
    path = [p.copy()]
    for t in range(1, steps + 1):
        g = gradient(p, t) + weight_decay * p
        mean_square = alpha * mean_square + (1 - alpha) * g ** 2
        p = p - lr * g / (np.sqrt(mean_square) + eps)
        path.append(p)
    return np.array(path)


assert np.array_equal(bowl_gradient(np.array([0.3, 0.3])), [0.3, 25 * 0.3])  # same distance, 25 times the slope
gs = rng.standard_normal((8, 5))
one = rmsprop_path(lambda p, t: gs[t - 1], np.zeros(5), lr=0.01, eps=0.0, steps=8)
scaled = rmsprop_path(lambda p, t: 1000 * gs[t - 1], np.zeros(5), lr=0.01, eps=0.0, steps=8)
assert np.allclose(one, scaled, rtol=1e-12, atol=1e-15)  # with eps = 0, scaling the gradient changes no step
assert np.isclose(np.sqrt(1e-4) + 1e-2, 0.02) and np.isclose(np.sqrt(1e-4 + 1e-2), 0.1005, atol=5e-5)
first = rmsprop_path(lambda p, t: np.array([0.003, -7.0, 42.0]), np.zeros(3), lr=0.01, steps=1)
assert np.allclose(first[1], -0.01 / np.sqrt(1 - 0.99) * np.sign([0.003, -7.0, 42.0]), rtol=1e-4)
assert np.isclose(1 / np.sqrt(1 - 0.99), 10)
print("RMSprop's first step, for gradients 0.003, -7 and 42 and lr 0.01:", first[1])

path = attempt("RMSprop", {"lr": 0.01}, np.zeros(3), lambda p, t: np.array([0.003, -7.0, 42.0]), steps=1)
if path is not None:
    print("your RMSprop's first step:", path[1])

# %% [markdown]
# The state is `square_avg[key]`, the running average $v$ of the squared
# gradient, one array per key. The weight decay goes into $g$ first, so it is
# also squared into $v$.

# %% nbgrader={"grade": true, "grade_id": "rmsprop", "locked": true, "points": 5, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise5", [
    "RMSprop with default hyperparameters",
    "RMSprop, alpha 0.9, eps 0.01",
    "RMSprop with weight decay",
    "RMSprop: a key added later starts fresh",
])

# %% [markdown]
# ## 4. Adam, and why it corrects its bias
#
# Adam keeps two running averages per key, both of shape $S_k$ and both started
# at zero: $m$ of the gradient (momentum, with $\beta_1$, default $0.9$) and $v$
# of its square (RMSprop's, with $\beta_2$, default $0.999$):
#
# $$ m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2, \qquad m_0 = v_0 = 0 . $$
#
# ### The zero start, unrolled
#
# Unroll $m$ as we did the velocity:
#
# $$ m_t = (1 - \beta_1) \sum_{i=1}^{t} \beta_1^{t-i} g_i . $$
#
# The weights $(1 - \beta_1)\beta_1^{t-i}$ are a geometric series:
#
# $$ (1 - \beta_1) \sum_{i=1}^{t} \beta_1^{t-i} = (1 - \beta_1)\, \frac{1 - \beta_1^t}{1 - \beta_1} = 1 - \beta_1^t . $$
#
# So if the gradients are drawn from a steady distribution, all with the same
# mean $E[g]$, then by linearity of the expectation
#
# $$ E[m_t] = (1 - \beta_1^t)\, E[g], \qquad E[v_t] = (1 - \beta_2^t)\, E[g^2] . $$
#
# The missing weight, $\beta^t$, is what the zero start $m_0 = 0$ holds. Early
# on both averages are biased towards zero: at $t = 1$, $m_1$ is $0.1\,g_1$ and
# $v_1$ is $0.001\,g_1^2$. Dividing by the total weight removes the bias:
#
# $$ \hat m_t = \frac{m_t}{1 - \beta_1^t}, \qquad \hat v_t = \frac{v_t}{1 - \beta_2^t}, \qquad E[\hat m_t] = E[g],\ E[\hat v_t] = E[g^2] , $$
#
# and Adam steps like RMSprop with $\hat m$ in place of $g$:
#
# $$ p_t = p_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} . $$
#
# $t$ counts the steps *this key* has taken, 1 on its first: a key that joins
# later starts its own count at 1, or its correction would be wrong.

# %%
for beta in (0.9, 0.999, 0.5):
    for t in range(1, 50):
        assert np.isclose((1 - beta) * sum(beta ** (t - i) for i in range(1, t + 1)), 1 - beta ** t)

# A steady gradient: mean 0.5, standard deviation 1. Average m_t and v_t over 200 000 independent runs.
runs, T, mean_g = 200_000, 30, 0.5
m, v = np.zeros(runs), np.zeros(runs)
for t in range(1, T + 1):
    g = mean_g + rng.standard_normal(runs)
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * g ** 2
    assert abs(m.mean() - (1 - 0.9 ** t) * mean_g) < 4 * m.std() / np.sqrt(runs)  # E[m_t] = (1 - b1^t) E[g]
    assert abs(v.mean() - (1 - 0.999 ** t) * (mean_g ** 2 + 1)) < 4 * v.std() / np.sqrt(runs)  # E[g^2] = 1.25
    assert abs(m.mean() / (1 - 0.9 ** t) - mean_g) < 0.01  # the corrected average is unbiased
print(f"after {T} steps: mean of m = {m.mean():.4f}, (1 - 0.9^{T}) E[g] = {(1 - 0.9 ** T) * mean_g:.4f}")

# %% [markdown]
# ### Without the correction the early steps are too LARGE
#
# Both moments are too small early on, so it is tempting to think that the
# uncorrected steps are too small. They are not: $v$ sits under a square root
# in the *denominator*, and it is far more biased than $m$
# (the factors $1 - \beta_1^t$ and $1 - \beta_2^t$ are $0.1$ and $0.001$ at
# $t = 1$, $0.651$ and $0.00996$ at $t = 10$).
# Leaving $\epsilon$ aside,
#
# $$ \frac{m_t}{\sqrt{v_t}} = \frac{(1 - \beta_1^t)\, \hat m_t}{\sqrt{1 - \beta_2^t}\, \sqrt{\hat v_t}} = R(t)\, \frac{\hat m_t}{\sqrt{\hat v_t}}, \qquad R(t) = \frac{1 - \beta_1^t}{\sqrt{1 - \beta_2^t}} . $$
#
# With the default betas, at $t = 1$:
# $R(1) = (1 - \beta_1)/\sqrt{1 - \beta_2} = 0.1 / \sqrt{0.001} = 3.16$. For a
# constant gradient $g$, $\hat m_t = g$ and $\hat v_t = g^2$ exactly, so the
# corrected step is $\eta$ (times the sign of $g$) on every step, and the
# uncorrected one is $R(t)\,\eta$: $3.16\,\eta$ at step 1, rising to a peak of
# $6.57\,\eta$ at $t = 12$ ($6.53\,\eta$ at $t = 10$), then falling back
# towards $\eta$: $3.24\,\eta$ at $t = 100$, $1.26\,\eta$ at $t = 1000$,
# $1.003\,\eta$ at $t = 5000$. $R(t) > 1$ on every step: an Adam without bias
# correction takes steps that are too large, up to six and a half times,
# precisely when the model is freshly initialised.

# %%
def adam_path(gradient, start, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, steps=1, weight_decay=0.0, correct=True):
    """PyTorch's Adam, from this notebook's formulas (correct=False: without the bias correction)."""
    beta1, beta2 = betas
    p, m, v = np.array(start, dtype=float), np.zeros(np.shape(start)), np.zeros(np.shape(start))
    path = [p.copy()]
    for t in range(1, steps + 1):
        g = gradient(p, t) + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        m_hat, v_hat = (m / (1 - beta1 ** t), v / (1 - beta2 ** t)) if correct else (m, v)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        path.append(p)
    return np.array(path)


def R(t, beta1=0.9, beta2=0.999):
    return (1 - beta1 ** t) / np.sqrt(1 - beta2 ** t)


assert np.isclose(R(1), 0.1 / np.sqrt(0.001)) and round(R(1), 2) == 3.16
assert round(1 - 0.9 ** 10, 3) == 0.651 and round(1 - 0.999 ** 10, 5) == 0.00996
ts = np.arange(1, 10_001)
assert ts[np.argmax(R(ts))] == 12 and round(R(12), 2) == 6.57 and round(R(10), 2) == 6.53
assert [round(R(100), 2), round(R(1000), 2), round(R(5000), 3)] == [3.24, 1.26, 1.003]
assert np.all(R(ts) > 1)

# A constant gradient: the corrected steps are lr, the uncorrected ones R(t) lr.
lr, T = 1e-3, 200
corrected = -np.diff(adam_path(lambda p, t: 2.0, 0.0, lr=lr, eps=0.0, steps=T))
uncorrected = -np.diff(adam_path(lambda p, t: 2.0, 0.0, lr=lr, eps=0.0, steps=T, correct=False))
assert np.allclose(corrected, lr)
assert np.allclose(uncorrected, R(np.arange(1, T + 1)) * lr)
print(f"step 1: corrected {corrected[0]:.4g}, uncorrected {uncorrected[0]:.4g} = {uncorrected[0] / lr:.3f} lr")

fig, axes = plt.subplots(1, 2, figsize=(12, 4))
axes[0].semilogx(ts, 1 / (1 - 0.9 ** ts), label=r"$1/(1-\beta_1^t)$, divides $m$")
axes[0].semilogx(ts, 1 / (1 - 0.999 ** ts), label=r"$1/(1-\beta_2^t)$, divides $v$")
axes[0].set_yscale("log")
axes[0].set_xlabel("step t")
axes[0].set_title("the bias-correction factors (default betas)")
axes[0].legend()
axes[1].semilogx(ts, R(ts), label=r"$R(t) = (1-\beta_1^t)/\sqrt{1-\beta_2^t}$")
axes[1].axhline(1, color="grey", lw=0.8)
axes[1].plot([1, 12], [R(1), R(12)], "o", color="C3")
axes[1].annotate("3.16 at t = 1", (1, R(1)), textcoords="offset points", xytext=(8, -12))
axes[1].annotate("6.57 at t = 12", (12, R(12)), textcoords="offset points", xytext=(8, 4))
axes[1].set_xlabel("step t")
axes[1].set_title("uncorrected step / corrected step, constant gradient")
axes[1].legend()
plt.show()

# %% [markdown]
# ### Two Adam steps by hand
#
# One scalar parameter, $p_0 = 1$, $\eta = 0.1$, the default
# $\beta_1 = 0.9$, $\beta_2 = 0.999$, $\epsilon = 10^{-8}$, and the gradients
# $g_1 = 1$, then $g_2 = -2$.
#
# **Step 1**, $t = 1$:
# $m_1 = 0.1 \cdot 1 = 0.1$, $v_1 = 0.001 \cdot 1^2 = 0.001$;
# $\hat m_1 = 0.1 / (1 - 0.9) = 1$, $\hat v_1 = 0.001 / (1 - 0.999) = 1$;
# $p_1 = 1 - 0.1 \cdot 1 / (1 + 10^{-8}) = 0.9$ (to $10^{-9}$). Whatever $g_1$
# is, Adam's first step is $\eta$ times its sign (up to $\epsilon$). Without the correction it
# would have been $0.1 \cdot 0.1 / \sqrt{0.001} = 0.316$: the 3.16 of above.
#
# **Step 2**, $t = 2$:
#
# $$ m_2 = 0.9 \cdot 0.1 + 0.1 \cdot (-2) = -0.11, \qquad v_2 = 0.999 \cdot 0.001 + 0.001 \cdot 4 = 0.004999 , $$
#
# $$ \hat m_2 = \frac{-0.11}{1 - 0.81} = \frac{-0.11}{0.19} = -0.57895, \qquad \hat v_2 = \frac{0.004999}{1 - 0.998001} = \frac{0.004999}{0.001999} = 2.50075, \qquad \sqrt{\hat v_2} = 1.58138 , $$
#
# $$ p_2 = 0.9 - 0.1 \cdot \frac{-0.57895}{1.58138} = 0.9 + 0.03661 = 0.93661 . $$
#
# The gradient flipped and doubled, but $m$ still remembers $g_1$, so the step
# back is only $0.0366$, not $0.2$. Uncorrected, from the same $m_2$ and $v_2$,
# step 2 would move $p$ up by $0.1 \cdot 0.11 / \sqrt{0.004999} = 0.1556$, four
# times the corrected $0.0366$.

# %%
p, m, v = 1.0, 0.0, 0.0
m, v = 0.9 * m + 0.1 * 1.0, 0.999 * v + 0.001 * 1.0 ** 2
assert np.isclose(m, 0.1) and np.isclose(v, 0.001)
m_hat, v_hat = m / (1 - 0.9), v / (1 - 0.999)
assert np.isclose(m_hat, 1) and np.isclose(v_hat, 1)
p = p - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
assert abs(p - 0.9) < 1e-9
p1 = p
assert round(0.1 * 0.1 / np.sqrt(0.001), 3) == 0.316

m, v = 0.9 * m + 0.1 * (-2.0), 0.999 * v + 0.001 * (-2.0) ** 2
assert np.isclose(m, -0.11) and np.isclose(v, 0.004999)
assert np.isclose(1 - 0.9 ** 2, 0.19) and np.isclose(1 - 0.999 ** 2, 0.001999)
m_hat, v_hat = m / (1 - 0.9 ** 2), v / (1 - 0.999 ** 2)
assert round(m_hat, 5) == -0.57895 and round(v_hat, 5) == 2.50075 and round(np.sqrt(v_hat), 5) == 1.58138
step = 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
assert round(-step, 5) == 0.03661
p = p - step
assert round(p, 5) == 0.93661
assert round(0.1 * m / np.sqrt(v), 4) == -0.1556 and 4 < (0.1 * m / np.sqrt(v)) / step < 4.5

# The same two steps with adam_path, and in PyTorch's order of operations (the same number up to rounding):
by_hand = adam_path(lambda p, t: [1.0, -2.0][t - 1], 1.0, lr=0.1, steps=2)
assert np.allclose(by_hand, [1.0, 0.9, 0.93661], atol=5e-6)
torch_order = p1 - 0.1 / (1 - 0.9 ** 2) * (m / (np.sqrt(v) / np.sqrt(1 - 0.999 ** 2) + 1e-8))
assert np.isclose(torch_order, p, rtol=1e-12, atol=1e-15)
print("p0, p1, p2 =", by_hand)

path = attempt("Adam", {"lr": 0.1}, [1.0], lambda p, t: [[1.0], [-2.0]][t - 1], steps=2)
if path is not None:
    path = path[:, 0]
    print("your Adam:", path)
    if np.allclose(path, by_hand):
        print("It takes the two steps worked out above.")
    elif np.isclose(path[1], 1 - 0.1 * R(1)):
        print("Your first step is 3.16 lr: the moments are used without the bias correction.")
    else:
        print("This is not 1, 0.9, 0.93661: compare your step with the formulas above.")

# %% [markdown]
# **L2 in Adam is not AdamW.** The weight decay term enters Adam through $g$,
# like everything else: $\lambda p$ is averaged into $m$, squared into $v$ and
# divided by $\sqrt{\hat v}$, so a weight whose gradients are large decays
# *less*. AdamW instead decouples the decay from the gradient,
# $p \leftarrow p - \eta\lambda p - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)$
# with $\hat m$, $\hat v$ built from the raw gradient. On the first step the
# difference is stark: $\hat m_1 / \sqrt{\hat v_1}$ is the sign of
# $g_1 + \lambda p$, so Adam with L2 moves $p = [2, 2]$ by exactly $\eta = 0.01$
# for the gradients $[0.01, 100]$ alike ($p_1 = [1.99, 1.99]$: the decay is
# lost), while AdamW also takes off $\eta\lambda p = 0.002$ ($\lambda = 0.1$,
# $p_1 \approx [1.988, 1.988]$). Only for plain SGD are
# the two the same step, $(1 - \eta\lambda) p - \eta g$. This exercise's
# `weight_decay` is the classic one, `g = g + weight_decay * p`, like
# `torch.optim.Adam`'s.

# %%
def adamw_one_step(p, g, lr, weight_decay, eps=1e-8):
    """AdamW's first step (t = 1: the corrected moments are g and g^2)."""
    return p - lr * weight_decay * p - lr * g / (np.sqrt(g ** 2) + eps)


p_start, g_first = np.array([2.0, 2.0]), np.array([0.01, 100.0])
coupled = adam_path(lambda p, t: g_first, p_start, lr=0.01, steps=1, weight_decay=0.1)[1]
decoupled = adamw_one_step(p_start, g_first, lr=0.01, weight_decay=0.1)
assert not np.allclose(coupled, decoupled)
assert np.allclose(coupled, [1.99, 1.99]) and np.allclose(decoupled, [1.988, 1.988], atol=1e-7)
# SGD: coupled and decoupled are one and the same step.
assert np.allclose(sgd_path(lambda p, t: g_first, p_start, 0.01, 1, weight_decay=0.1)[1],
                   (1 - 0.01 * 0.1) * p_start - 0.01 * g_first)
print("Adam with L2:", coupled, "  AdamW:", decoupled)

# %% [markdown]
# The state is three dicts keyed like the parameters: `m`, `v` (arrays of
# shape $S_k$) and `t` (an int per key). The test cell:

# %% nbgrader={"grade": true, "grade_id": "adam", "locked": true, "points": 6, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise5", [
    "Adam with default hyperparameters",
    "Adam, betas (0.8, 0.99), eps 1e-4",
    "Adam with weight decay",
    "Adam: a key added later starts fresh",
])

# %% [markdown]
# ## 5. Four optimizers on the bowl
#
# The bowl of section 1, $f = \frac{1}{2}(x^2 + 25 y^2)$, from $(-4, 1.5)$, 60
# steps each: SGD at $\eta = 0.075$ zig-zags across the steep direction;
# momentum ($\eta = 0.02$, $\mu = 0.9$) builds up speed along $x$, overshoots
# and swings back. RMSprop ($\eta = 0.1$) and Adam ($\eta = 0.3$) divide each
# coordinate by its own scale, so they start down the diagonal: their first
# steps move $x$ and $y$ by the same amount, $10\eta = 1$ for RMSprop (section 3)
# and $\eta = 0.3$ for Adam (section 4), whatever the slopes $a x$ and $b y$.
# Adam's momentum then carries it past the minimum along $x$, and back. The paths
# are your classes' where they are written, and this notebook's formulas where
# they are not yet (the legend says which).

# %%
SETTINGS = [("SGD", {"lr": 0.075}), ("SGD", {"lr": 0.02, "momentum": 0.9}),
            ("RMSprop", {"lr": 0.1}), ("Adam", {"lr": 0.3})]
STEPS = 60
formulas = [sgd_path(bowl_gradient, START, 0.075, STEPS),
            sgd_path(bowl_gradient, START, 0.02, STEPS, momentum=0.9),
            rmsprop_path(bowl_gradient, START, lr=0.1, steps=STEPS),
            adam_path(bowl_gradient, START, lr=0.3, steps=STEPS)]
for path in formulas:
    assert bowl(path[-1]) < 0.05 * bowl(START)  # all four get well down the bowl
assert np.all(np.sign(formulas[0][1:, 1]) == (-1) ** np.arange(1, STEPS + 1))  # SGD's y flips sign every step
assert np.allclose(formulas[2][1] - START, [1, -1], atol=1e-6)  # RMSprop's first step: 10 lr on each coordinate
assert np.allclose(formulas[3][1] - START, [0.3, -0.3], atol=1e-6)  # Adam's: lr on each coordinate
assert formulas[3][:, 0].max() > 0.5  # Adam overshoots along x

xs, ys = np.meshgrid(np.linspace(-4.5, 4.5, 200), np.linspace(-2, 2, 200))
fig, axes = plt.subplots(2, 2, figsize=(12, 7), sharex=True, sharey=True)
for ax, (name, kwargs), path in zip(axes.ravel(), SETTINGS, formulas):
    title = name + ("" if "momentum" not in kwargs else " with momentum") + f", {kwargs}"
    yours = attempt(name, kwargs, START, bowl_gradient, STEPS)
    if yours is not None and np.all(np.isfinite(yours)):
        label = "your " + name
        if not np.allclose(yours, path, atol=1e-6):
            print(f"{title}: your path leaves the one of the formulas above (dashed).")
            ax.plot(path[:, 0], path[:, 1], "--", color="grey", lw=1, label="the formulas above")
        path = yours
    else:
        label = "this notebook's formulas (yours is not running yet)"
    ax.contour(xs, ys, bowl(np.stack([xs, ys], axis=-1)), levels=np.geomspace(0.01, 60, 12),
               cmap="Greys", linewidths=0.7)
    ax.plot(path[:, 0], path[:, 1], "o-", ms=2.5, lw=1, color="C3", label=label)
    ax.plot(0, 0, "k*", ms=10)
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 6. The contract every optimizer keeps
#
# Three properties, the same for all three classes:
#
# - **In place.** A model holds on to its parameter arrays; `step` must change
#   those very arrays (`p -= ...`, or `p[...] = ...`). `params[key] = p - lr * g`
#   puts a new array into the dict and the model never sees it.
# - **The parameters' dtype.** In NumPy 2 a float32 array times a Python float
#   stays float32, but times a `np.float64` scalar, or plus a float64 array, it
#   becomes float64. Store hyperparameters with `float(...)`, create state with
#   `np.zeros_like(p)`, update in place.
# - **Refuse what cannot work, with the values in the message.** A gradient of
#   shape $(4,)$ for a weight of shape $(3, 4)$ broadcasts silently; a misspelt key
#   leaves a parameter untrained. Hyperparameters: $\eta > 0$; $\mu \ge 0$;
#   $\alpha, \beta_1, \beta_2 \in [0, 1)$ (at $\alpha = 1$ the average $v$ never
#   leaves zero, and every step divides by $\epsilon$; at $\beta_1 = 1.5$ the
#   average grows without bound); $\epsilon \ge 0$; $\lambda \ge 0$.

# %%
held = np.ones(3)
params = {"w": held}
params["w"] = params["w"] - 0.1 * np.ones(3)  # rebinding: the array the model holds is untouched
assert np.array_equal(held, np.ones(3))
params = {"w": held}
params["w"] -= 0.1 * np.ones(3)  # in place: the model sees the step
assert np.allclose(held, 0.9)

w32 = np.ones(3, dtype=np.float32)
assert (w32 * 0.1).dtype == np.float32 and (w32 * np.float64(0.1)).dtype == np.float64
assert (w32 + np.zeros(3)).dtype == np.float64 and np.zeros_like(w32).dtype == np.float32

assert (np.zeros((3, 4)) - 0.1 * np.ones(4)).shape == (3, 4)  # a (4,) gradient broadcasts without a word

square_avg = 0.0
for g in rng.standard_normal(5):
    square_avg = 1.0 * square_avg + (1 - 1.0) * g ** 2  # alpha = 1: v stays 0
assert square_avg == 0.0 and np.isclose(0.01 * 1.0 / (np.sqrt(square_avg) + 1e-8), 1e6)  # lr 0.01, g = 1: a step of 1e6
m = 0.0
for t in range(20):
    m = 1.5 * m + (1 - 1.5) * 1.0  # beta1 = 1.5
assert abs(m) > 1000

# %% nbgrader={"grade": true, "grade_id": "contract", "locked": true, "points": 6, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise5", [
    "SGD updates params in place",
    "RMSprop updates params in place",
    "Adam updates params in place",
    "SGD keeps float32 parameters float32",
    "RMSprop keeps float32 parameters float32",
    "Adam keeps float32 parameters float32",
])

# %% [markdown]
# The `ValueError`s must name what was wrong: the odd keys, the key of the
# gradient of the wrong shape, the value of the bad hyperparameter.

# %% nbgrader={"grade": true, "grade_id": "validation", "locked": true, "points": 10, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise5", [
    "SGD.step rejects a grads dict with a missing key",
    "Adam.step rejects a grads dict with an extra key",
    "RMSprop.step rejects a gradient of the wrong shape",
    "SGD rejects a negative learning rate",
    "SGD rejects a negative momentum",
    "Adam rejects a negative weight_decay",
    "RMSprop rejects alpha = 1",
    "Adam rejects beta1 = 1.5",
    "Adam rejects a negative eps",
    "RMSprop rejects a negative eps",
])

# %% [markdown]
# ## 7. The hidden tests
#
# When your notebook is graded, hidden tests step each optimizer five times with
# fresh hyperparameters (momentum and weight decay included), fresh shapes and
# gradients, and a key that joins at step 3.

# %% nbgrader={"grade": true, "grade_id": "hidden", "locked": true, "points": 6, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: fresh hyperparameters, shapes and gradients, run when your notebook is graded.
### BEGIN HIDDEN TESTS
from autograder.report.notebook import grade_cell

grade_cell("exercise5", [
    "SGD, fresh hyperparameters and shapes",
    "RMSprop, fresh hyperparameters and shapes",
    "Adam, fresh hyperparameters and shapes",
], hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Check yourself
#
# The same tests, outside the notebook, in a terminal opened in this folder:
#
# ```bash
# cnnlab check exercise5 --path .    # every public test, with the feedback of each failure
# cnnlab watch --path .              # reruns the check every time you save optimizers.py
# ```
#
# In a clone of cnnlab, where your modules live in `exercises/`, drop the
# `--path .`.
