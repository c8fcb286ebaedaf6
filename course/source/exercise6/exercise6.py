# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercise 6: Dropout and the L2 penalty, derived
#
# You will implement `dropout_forward`, `dropout_backward` and `l2_penalty` in
# **`regularization.py`**, the module beside this notebook. This notebook
# derives what those functions compute, step by step, and checks every formula
# and every number it writes down with a few lines of NumPy. The grey test
# cells run cnnlab's grader on your `regularization.py`, the same grader as
# `cnnlab check exercise6`: same tests, same points, same feedback.
#
# Edit `regularization.py` in any editor, save it, and rerun a test cell.
#
# Notation. A loss $L$ is a scalar. For any array $a$ that $L$ depends on,
# $da$ is the array of the same shape holding $\partial L / \partial a$. A
# layer's backward pass receives $dout = \partial L / \partial out$ and returns
# $dx$. $\odot$ is the entrywise product, $\mathbb{E}$ an expectation over the
# random mask.

# %%
import importlib

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import cbook

import regularization  # your module, beside this notebook

rng = np.random.default_rng(0)


def attempt(function, *args, **kwargs):
    """Call one of your functions from regularization.py, reloaded so that your last save counts.

    Returns None (and says so) while the function still raises NotImplementedError.
    """
    module = importlib.reload(regularization)
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


# %% [markdown]
# ## 1. Inverted dropout, forward
#
# Dropout acts on a batch of activations $x$ of any shape: $(N, D)$ after a
# dense layer, $(N, C, H, W)$ after a convolution. Write $M$ for the number of
# entries of $x$. In training mode it draws a **mask** $m$ of the shape of $x$,
# one independent coin per entry:
#
# $$ m_k = \begin{cases} 1 & \text{with probability } 1 - p \quad (\text{the unit is kept}) \\ 0 & \text{with probability } p \quad (\text{the unit is dropped}) \end{cases}, \qquad m_k \sim \text{Bernoulli}(1 - p), $$
#
# so $p$ is the probability of **dropping** a unit, as in PyTorch's
# `nn.Dropout(p)` (some older course notes use $p$ for keeping one). The
# output, of the shape of $x$, is
#
# $$ out = \frac{x \odot m}{1 - p}, \qquad out_k = \begin{cases} x_k / (1 - p) & m_k = 1 \\ 0 & m_k = 0 \end{cases} . $$
#
# The survivors are scaled **up** by $1/(1 - p)$ while training: that is what
# "inverted" means, and section 2 shows why. cnnlab's mask is drawn in one
# documented way, so that a seed fixes it: a generator `rng` (the `seed` itself
# when it is a `np.random.Generator`, otherwise `np.random.default_rng(seed)`)
# draws $u$ = `rng.random(x.shape)`, uniform in $[0, 1)$, and a unit is kept
# when $u_k \ge p$, which happens with probability $1 - p$.
#
# ### The worked example, by hand
#
# $p = 0.5$, so the survivors are doubled, $1/(1 - 0.5) = 2$. With
#
# $$ x = \begin{pmatrix} 1 & -2 & 3 \\ 4 & 5 & -6 \end{pmatrix}, \qquad m = \begin{pmatrix} 1 & 0 & 1 \\ 0 & 1 & 1 \end{pmatrix}, \qquad out = \frac{x \odot m}{0.5} = \begin{pmatrix} 2 & 0 & 6 \\ 0 & 10 & -12 \end{pmatrix} . $$
#
# Seed 145 draws exactly this mask: `np.random.default_rng(145).random((2, 3)) >= 0.5`.

# %%
x_hand = np.array([[1.0, -2, 3], [4, 5, -6]])  # (2, 3)
m_hand = np.array([[1, 0, 1], [0, 1, 1]], dtype=bool)  # (2, 3), True where a unit is kept
out_hand = x_hand * m_hand / (1 - 0.5)
assert np.array_equal(out_hand, [[2, 0, 6], [0, 10, -12]])
assert np.array_equal(np.random.default_rng(145).random((2, 3)) >= 0.5, m_hand)  # seed 145 draws this mask
# The kept fraction of the documented draw is 1 - p: u is uniform on [0, 1), and u >= p has probability 1 - p.
u = np.random.default_rng(1).random(10**6)
assert abs(np.mean(u >= 0.3) - 0.7) < 6 * np.sqrt(0.3 * 0.7 / 10**6)
print(out_hand + 0.0)  # + 0.0 turns the -0.0 of -2 * 0 into 0.0

# %% [markdown]
# Your `dropout_forward` on the same example (it prints a note while the
# function is not written yet):

# %%
result = attempt("dropout_forward", x_hand, 0.5, train=True, seed=145)
if result is not None:
    print("out =\n", result[0] + 0.0, "\nthe hand-worked out is\n", out_hand + 0.0)

# %% [markdown]
# The first test cell grades the forward pass in training mode, on the
# documented mask, and its refusals: $p = 1$ would drop every unit and divide
# by zero, and a negative $p$ is no probability. The `ValueError` names the
# offending value.

# %% nbgrader={"grade": true, "grade_id": "forward", "locked": true, "points": 7, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise6", [
    "dropout forward, p = 0.5",
    "dropout forward, p = 0.2, on NCHW",
    "dropout forward, seed is a Generator",
    "dropout with p = 0 keeps every unit",
    "dropout rejects p = 1",
    "dropout rejects a negative p",
])

# %% [markdown]
# ## 2. Why divide by $1 - p$: the mean and the variance
#
# Take one entry, $out_k = x_k m_k / (1 - p)$, with $x_k$ fixed and the coin
# $m_k$ random. A Bernoulli variable takes only the values 0 and 1, so
# $m_k^2 = m_k$ and
#
# $$ \mathbb{E}[m_k] = \mathbb{E}[m_k^2] = 1 \cdot (1 - p) + 0 \cdot p = 1 - p . $$
#
# The mean of the output:
#
# $$ \mathbb{E}[out_k] = \frac{x_k\, \mathbb{E}[m_k]}{1 - p} = \frac{x_k (1 - p)}{1 - p} = x_k . $$
#
# On average the next layer sees exactly $x$: dropping a share $p$ of the units
# and scaling the rest by $1/(1 - p)$ keeps the mean. Without the division the
# mean would be $(1 - p)\, x_k$, and the next layer would be trained on inputs
# a factor $1 - p$ smaller than those it sees at test time.
#
# The variance, from $\mathrm{Var}[z] = \mathbb{E}[z^2] - \mathbb{E}[z]^2$:
#
# $$ \mathbb{E}[out_k^2] = \frac{x_k^2\, \mathbb{E}[m_k^2]}{(1 - p)^2} = \frac{x_k^2}{1 - p}, \qquad \mathrm{Var}[out_k] = \frac{x_k^2}{1 - p} - x_k^2 = x_k^2\, \frac{p}{1 - p} . $$
#
# The noise grows with $p$: at $p = 0.5$ the standard deviation equals
# $|x_k|$, at $p = 0.75$ it is $\sqrt{3}\, |x_k|$. Dropout keeps the signal's
# mean and adds noise proportional to it; that noise is the regularizer.
#
# With $x_k = 3$ and $p = 0.3$: $\mathbb{E}[out_k] = 3$ and
# $\mathrm{Var}[out_k] = 9 \cdot 0.3 / 0.7 = 27/7 \approx 3.857$. Exactly, from
# the two values $out_k$ can take ($0$ with probability $0.3$, $3/0.7$ with
# probability $0.7$), and by simulation, over a million draws:

# %%
x_k, p = 3.0, 0.3
values, probabilities = np.array([0.0, x_k / (1 - p)]), np.array([p, 1 - p])  # the two outcomes of out_k
mean_exact = np.sum(probabilities * values)
var_exact = np.sum(probabilities * values**2) - mean_exact**2
assert np.isclose(mean_exact, x_k) and np.isclose(var_exact, x_k**2 * p / (1 - p)) and np.isclose(var_exact, 27 / 7)

draws = x_k * (rng.random(10**6) >= p) / (1 - p)  # a million independent out_k
# The sample mean is within 6 standard errors, sqrt(Var / n), of x_k; the sample variance within 1 %.
assert abs(draws.mean() - x_k) < 6 * np.sqrt(var_exact / draws.size)
assert abs(draws.var() / var_exact - 1) < 0.01
for p_demo in (0.5, 0.75):  # the standard deviation is |x| at p = 0.5 and sqrt(3) |x| at p = 0.75
    assert np.isclose(np.sqrt(x_k**2 * p_demo / (1 - p_demo)), {0.5: 1, 0.75: np.sqrt(3)}[p_demo] * x_k)
# Without the division the mean is (1 - p) x.
assert abs((x_k * (rng.random(10**6) >= p)).mean() - (1 - p) * x_k) < 0.01
print(f"mean {draws.mean():.4f} (exactly {x_k}), variance {draws.var():.4f} (exactly {var_exact:.4f})")

# %% [markdown]
# ### Dropout masks on a photograph
#
# The photograph of Grace Hopper that ships with matplotlib (nothing is
# downloaded), in grey, through inverted dropout at several $p$. Each pixel
# is a unit. As $p$ grows fewer pixels survive, each one brighter by
# $1/(1 - p)$, and the mean brightness stays that of the photograph: that is
# $\mathbb{E}[out] = x$, averaged over 76,800 pixels.

# %%
with cbook.get_sample_data("grace_hopper.jpg") as file:
    photo = plt.imread(file).mean(axis=2)[::2, ::2] / 255.0  # (300, 256) grey levels in [0, 1]
assert photo.size == 76_800
drop_ps = [0.0, 0.25, 0.5, 0.75]
fig, axes = plt.subplots(1, len(drop_ps), figsize=(13, 4.2))
for ax, p_img in zip(axes, drop_ps):
    kept = rng.random(photo.shape) >= p_img  # (300, 256), True where a pixel survives
    dropped_out = photo * kept / (1 - p_img)
    sd = np.sqrt(np.sum(photo**2 * p_img / (1 - p_img))) / photo.size  # of the mean: the variances add up
    assert abs(dropped_out.mean() - photo.mean()) <= 6 * sd + 1e-12
    ax.imshow(dropped_out, cmap="gray", vmin=0, vmax=1 / (1 - p_img))
    ax.set_title(f"p = {p_img}: {kept.mean():.0%} kept\nmean {dropped_out.mean():.4f}")
    ax.axis("off")
fig.suptitle(f"Inverted dropout on every pixel; the photograph's mean is {photo.mean():.4f}")
plt.show()

# %% [markdown]
# Your `dropout_forward` on the photograph, $p = 0.5$:

# %%
result = attempt("dropout_forward", photo, 0.5, seed=0)
if result is not None:
    print(f"mean of your output {result[0].mean():.4f}, of the photograph {photo.mean():.4f}; "
          f"share of zeros {np.mean(result[0] == 0):.3f} (about p = 0.5)")

# %% [markdown]
# The next cell checks these two statistics on 10,000 units of ones, $p = 0.3$:
# the mean of the output must be 1 and the share of zeros must be $p$, each
# within six standard deviations ($\sqrt{p / (1 - p) / M}$ for the mean,
# $\sqrt{p (1 - p) / M}$ for the share). A value test compares numbers; these
# look at what the numbers mean, and name the mistake when, for instance, $p$
# was taken as the probability of keeping a unit.

# %% nbgrader={"grade": true, "grade_id": "statistics", "locked": true, "points": 4, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise6", [
    "dropout keeps the mean of its input",
    "dropout drops a fraction p of the units",
])

# %% [markdown]
# ## 3. Evaluation mode is the identity
#
# At test time we want a network that gives one answer, not a random one: no
# mask. What should the layer output then? The layers after dropout were
# trained on inputs whose mean is $\mathbb{E}[out] = x$. For the layer right
# after it, an affine map $z = W^\top out + b$, the mean over masks is
#
# $$ \mathbb{E}[z] = W^\top\, \mathbb{E}[out] + b = W^\top x + b , $$
#
# exactly what it computes when dropout hands it $x$ unchanged. So with the
# scaling done while training, **evaluation mode is the identity**: out $= x$,
# and its backward pass is the identity too, $dx = dout$. (Through the
# nonlinearities further on, $\mathbb{E}[f(z)] \ne f(\mathbb{E}[z])$ in
# general: using the mean is an approximation, the one every framework makes.)
#
# The original dropout did it the other way round: out $= x \odot m$ while
# training, out $= (1 - p)\, x$ at test time. The means match as well, but
# then every deployed model must know $p$; inverted dropout moves the factor
# to training, where $p$ is at hand. Two mistakes follow from mixing the two:
# dropping units in evaluation mode, and multiplying by $1 - p$ there.

# %%
W_next, b_next = rng.standard_normal((6, 4)), rng.standard_normal(4)  # an affine layer after dropout, (D, D')
x_row = rng.standard_normal(6)  # (D,)
p = 0.4
# Average over every one of the 2^6 masks, each with its probability: the mean of z is W^T x + b, exactly.
mean_z, mean_z_original = np.zeros(4), np.zeros(4)
for bits in np.ndindex(*(2,) * 6):
    m = np.array(bits)  # (D,), one of the 64 masks
    probability = np.prod(np.where(m == 1, 1 - p, p))
    mean_z += probability * ((x_row * m / (1 - p)) @ W_next + b_next)
    mean_z_original += probability * ((x_row * m) @ W_next + b_next)  # the original dropout while training
assert np.allclose(mean_z, x_row @ W_next + b_next)  # inverted: evaluation hands on x itself
assert np.allclose(mean_z_original, ((1 - p) * x_row) @ W_next + b_next)  # original: evaluation hands on (1 - p) x
print("E[z] over all 64 masks:", np.round(mean_z, 6), "\nW^T x + b:             ", np.round(x_row @ W_next + b_next, 6))

# %%
result = attempt("dropout_forward", x_hand, 0.5, train=False, seed=145)
if result is not None:
    print("evaluation mode, out =\n", result[0], "\n(x itself), cache:", result[1])

# %% nbgrader={"grade": true, "grade_id": "eval_mode", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise6", [
    "dropout in eval mode is the identity",
    "dropout backward in eval mode is the identity",
])

# %% [markdown]
# ## 4. Backward: a fixed mask makes dropout linear
#
# Once the mask is drawn, dropout is a **linear** map of $x$: flatten $x$ and
# $out$ into vectors of $M$ entries, and
#
# $$ out = D\, x, \qquad D = \mathrm{diag}\!\left(\frac{m_1}{1 - p}, \dots, \frac{m_M}{1 - p}\right) \in \mathbb{R}^{M \times M} . $$
#
# $D$ is the Jacobian $\partial out / \partial x$: $out_k$ depends on $x_k$
# alone, so it is diagonal. The backward pass is the vector-Jacobian product
#
# $$ dx_k = \sum_j dout_j\, \frac{\partial out_j}{\partial x_k} = dout_k\, \frac{m_k}{1 - p}, \qquad dx = D^\top dout = \frac{dout \odot m}{1 - p} , $$
#
# of the shape of $x$. The gradient flows back through exactly the units that
# were kept, scaled by the same factor as the forward pass, and is zero for
# the dropped ones: they did not influence the loss. No layer builds $D$, an
# $M \times M$ matrix with only $M$ entries that can differ from zero.
#
# The backward pass needs the **same** mask as the forward pass: it is what
# makes $D$. That is why the mask goes into the cache (with $p$); a mask drawn
# afresh in backward would give the gradient of a different function.
#
# The worked example, with $dout$ given:
#
# $$ dout = \begin{pmatrix} 1 & 2 & 3 \\ 4 & 5 & 6 \end{pmatrix}, \qquad dx = \frac{dout \odot m}{0.5} = \begin{pmatrix} 2 & 0 & 6 \\ 0 & 10 & 12 \end{pmatrix} . $$

# %%
dout_hand = np.array([[1.0, 2, 3], [4, 5, 6]])  # (2, 3)
dx_hand = dout_hand * m_hand / (1 - 0.5)
assert np.array_equal(dx_hand, [[2, 0, 6], [0, 10, 12]])
# Centred differences of L = sum(dout * out) with the mask fixed: its gradient with respect to out is dout.
x_var = x_hand.copy()
assert np.allclose(numerical_gradient(lambda: np.sum(dout_hand * x_var * m_hand / 0.5), x_var), dx_hand, atol=1e-8)
# The Jacobian D, built only to check dx = D^T dout.
D = np.diag(m_hand.ravel() / 0.5)  # (6, 6)
assert np.allclose(D @ x_hand.ravel(), out_hand.ravel()) and np.allclose(D.T @ dout_hand.ravel(), dx_hand.ravel())
# A fresh mask in backward: the gradient of another function.
other_mask = np.random.default_rng(7).random((2, 3)) >= 0.5
assert not np.allclose(dout_hand * other_mask / 0.5, dx_hand)

# On random data with p = 0.3, shape (N, C, H, W) = (2, 3, 4, 5).
x4, dout4 = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, 3, 4, 5))
m4 = rng.random(x4.shape) >= 0.3
assert np.allclose(numerical_gradient(lambda: np.sum(dout4 * x4 * m4 / 0.7), x4), dout4 * m4 / 0.7, atol=1e-7)
print("dx =\n", dx_hand)

# %% [markdown]
# Your `dropout_backward` on the worked example:

# %%
result = attempt("dropout_forward", x_hand, 0.5, seed=145)
dx_yours = attempt("dropout_backward", dout_hand, result[1]) if result is not None else None
if dx_yours is not None:
    print("dx =\n", dx_yours, "\nthe hand-worked dx is\n", dx_hand)

# %% [markdown]
# The gradient check compares your backward pass with centred differences of
# your own forward pass, with the seed (and so the mask) held fixed; it counts
# once the forward value test passes. It cannot see a $1/(1 - p)$ forgotten in
# *both* passes (the two would still agree): the statistics of section 2 do.
# The last test asks for float32 in, float32 out: multiply by a Python float,
# `1.0 / (1.0 - p)`, and NumPy keeps the array's dtype.

# %% nbgrader={"grade": true, "grade_id": "backward", "locked": true, "points": 4, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise6", [
    "dropout backward",
    "dropout gradient check",
    "dropout keeps float32",
])

# %% [markdown]
# ## 5. The L2 penalty
#
# The parameters are a dict of arrays $w_k$ of any shapes (a dense weight
# $(D, D')$, a convolution's $(F, C, HH, WW)$, ...). The L2 penalty with
# strength $\lambda \ge 0$ (`weight_decay`) adds to the loss
#
# $$ L_{L2} = \frac{\lambda}{2} \sum_k \lVert w_k \rVert^2 = \frac{\lambda}{2} \sum_k \sum_i (w_k)_i^2 . $$
#
# Each entry appears in one square only, so
#
# $$ \frac{\partial L_{L2}}{\partial (w_k)_i} = \frac{\lambda}{2} \cdot 2\, (w_k)_i = \lambda\, (w_k)_i, \qquad \frac{\partial L_{L2}}{\partial w_k} = \lambda\, w_k , $$
#
# of the shape of $w_k$. The $\frac{1}{2}$ is there to cancel the 2 of the
# square: the gradient is exactly $\lambda w$, the term optimizers add for
# their `weight_decay`. Without it the loss and gradient would be twice as
# large. The loss is a Python float, and an empty dict penalises nothing:
# a loss of $0.0$ and no gradients. Which arrays go in the dict is the
# caller's choice; many people leave the biases out.
#
# ### The worked example, by hand
#
# $\lambda = 0.1$ and two arrays, $W = \begin{pmatrix} 1 & -2 \\ 3 & 0 \end{pmatrix}$ and $v = (0.5, -1)$:
#
# $$ L_{L2} = \frac{0.1}{2}\,\big( (1 + 4 + 9 + 0) + (0.25 + 1) \big) = 0.05 \cdot 15.25 = 0.7625, $$
#
# $$ dW = 0.1\, W = \begin{pmatrix} 0.1 & -0.2 \\ 0.3 & 0 \end{pmatrix}, \qquad dv = 0.1\, v = (0.05, -0.1) . $$

# %%
params_hand = {"W": np.array([[1.0, -2], [3, 0]]), "v": np.array([0.5, -1])}
lam = 0.1
squares_hand = np.sum(params_hand["W"] ** 2) + np.sum(params_hand["v"] ** 2)
assert squares_hand == 15.25 and np.isclose(lam / 2 * squares_hand, 0.7625)
penalty = lambda: lam / 2 * sum(np.sum(a**2) for a in params_hand.values())  # noqa: E731
for key, expected in [("W", [[0.1, -0.2], [0.3, 0]]), ("v", [0.05, -0.1])]:
    assert np.allclose(lam * params_hand[key], expected)
    assert np.allclose(numerical_gradient(penalty, params_hand[key]), expected, atol=1e-8)
print(f"L2 loss {penalty():.4f}")

# %%
result = attempt("l2_penalty", params_hand, 0.1)
if result is not None:
    print("your loss:", result[0], " your grads:", result[1])

# %% [markdown]
# ### L2 in SGD is weight decay
#
# One SGD step with learning rate $\eta$ on the total loss, data gradient $g$
# plus the penalty's $\lambda w$:
#
# $$ w \leftarrow w - \eta\, (g + \lambda w) = (1 - \eta \lambda)\, w - \eta\, g . $$
#
# Every step first shrinks each weight by the same factor $1 - \eta\lambda$,
# then takes the plain gradient step: the weights *decay* towards zero unless
# the data holds them up. With $\eta = 0.1$ and $\lambda = 10^{-2}$ the factor
# is $0.999$; with no data gradient at all, 1000 steps leave
# $0.999^{1000} \approx 0.368 \approx e^{-1}$ of every weight. For plain SGD,
# "L2 penalty" and "weight decay" are the same thing, and that is what
# `weight_decay` means in cnnlab's SGD (and PyTorch's).

# %%
w, g, eta, lam = rng.standard_normal(5), rng.standard_normal(5), 0.1, 1e-2
assert np.allclose(w - eta * (g + lam * w), (1 - eta * lam) * w - eta * g)
w_alone = np.ones(1)
for step in range(1000):
    w_alone = w_alone - eta * (0.0 + lam * w_alone)  # no data gradient: decay only
assert np.isclose(w_alone[0], 0.999**1000) and abs(w_alone[0] - np.exp(-1)) < 1e-3
print(f"after 1000 steps of decay alone: {w_alone[0]:.4f}")

# %% [markdown]
# The test cell of `l2_penalty`: the loss and every gradient against the
# reference, the empty dict, a Python float for the loss, float32 kept for
# float32 parameters (multiply by `float(weight_decay)`), and a `ValueError`
# that names a negative `weight_decay`.

# %% nbgrader={"grade": true, "grade_id": "l2_penalty", "locked": true, "points": 8, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise6", [
    "l2_penalty loss",
    "l2_penalty grads",
    "l2_penalty of no parameters is 0.0",
    "l2_penalty returns a Python float",
    "l2_penalty keeps float32",
    "l2_penalty rejects a negative weight_decay",
])

# %% [markdown]
# ## 6. Adam with L2 is not AdamW
#
# Adam (exercise 5) divides each weight's step by the root of a running mean
# of its squared gradients. Put the L2 gradient into Adam's gradient, as
# `Adam(weight_decay=...)` does in cnnlab and PyTorch, and it is divided too:
#
# $$ g' = g + \lambda w, \quad m \leftarrow \beta_1 m + (1 - \beta_1)\, g', \quad v \leftarrow \beta_2 v + (1 - \beta_2)\, g'^2, \quad w \leftarrow w - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon} , $$
#
# with $\hat m = m / (1 - \beta_1^t)$, $\hat v = v / (1 - \beta_2^t)$. For a
# weight whose gradients have a typical size $s \gg \lambda |w|$,
# $\sqrt{\hat v} \approx s$, and the part of the step that comes from
# $\lambda w$ is about $\eta \lambda w / s$: the weight decays by
# $1 - \eta\lambda / s$ per step. **Weights with large gradients are decayed
# less**, weights with small gradients more: where $\lambda |w|$ dominates
# $g'$, the step is about $\eta$ whatever $\lambda$ is, and the weight is
# driven to zero.
#
# AdamW (Loshchilov and Hutter, "Decoupled weight decay regularization")
# keeps the decay out of the moments:
#
# $$ m, v \text{ from } g \text{ alone}, \qquad w \leftarrow w - \eta \left( \frac{\hat m}{\sqrt{\hat v} + \epsilon} + \lambda w \right) , $$
#
# so every weight decays by the same factor $1 - \eta\lambda$ per step, as in
# SGD. (PyTorch's `AdamW` multiplies $w$ by $1 - \eta\lambda$ first and then
# takes the Adam step: the same decay.)
#
# Two weights, both starting at 1, with gradients of very different sizes that
# carry no information (they alternate, $+s, -s, +s, \dots$, with
# $s = 10$ and $s = 0.01$), $\eta = 0.01$, $\lambda = 0.1$, 1000 steps. Without
# any decay both end at $0.9824$: the alternating gradients cancel, Adam's
# steps are the same for both sizes because it normalises by $\sqrt{\hat v}$.
# With AdamW both end at $0.3614$: $0.9824$ times
# $(1 - \eta\lambda)^{1000} = 0.999^{1000} \approx 0.368$, the same decay for
# both. With Adam and L2 the weight with $s = 10$ keeps $0.889$, about
# $0.9824 \cdot (1 - \eta\lambda/s)^{1000} = 0.9824 \cdot 0.9999^{1000} \approx 0.889$, while
# the weight with $s = 0.01$ falls to $1.4 \cdot 10^{-4}$ (its first 20
# steps are each between $0.0095$ and $\eta = 0.01$).

# %%
def adam_run(decoupled, lam, scales=(10.0, 0.01), lr=0.01, steps=1000, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam on two weights (both start at 1) whose data gradients alternate +s, -s, ...; every w along the way.

    decoupled=False puts lam * w into the gradient (Adam with L2); True decays w outside the moments (AdamW).
    """
    s = np.array(scales)
    w, m, v = np.ones(2), np.zeros(2), np.zeros(2)
    path = [w.copy()]
    for t in range(1, steps + 1):
        g = s * (-1.0) ** (t - 1)
        if not decoupled:
            g = g + lam * w
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        step = (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
        if decoupled:
            step = step + lam * w
        w = w - lr * step
        path.append(w.copy())
    return np.array(path)  # (steps + 1, 2)


no_decay = adam_run(False, 0.0)
assert np.allclose(no_decay, adam_run(True, 0.0))  # with lam = 0 the two are one algorithm
adam_l2, adamw = adam_run(False, 0.1), adam_run(True, 0.1)
assert np.allclose(no_decay[-1], 0.9824, atol=1e-4)  # the same for both gradient sizes
assert np.allclose(adamw[-1], 0.3614, atol=1e-4)  # the same decay for both weights
assert abs(adamw[-1, 0] / no_decay[-1, 0] / 0.999**1000 - 1) < 0.01 and np.isclose(0.999**1000, 0.368, atol=1e-3)
assert np.isclose(adam_l2[-1, 0], 0.889, atol=1e-3)  # s = 10: decayed by about 1 - lr lam / s a step
assert abs(adam_l2[-1, 0] / (no_decay[-1, 0] * 0.9999**1000) - 1) < 0.01
assert np.isclose(adam_l2[-1, 1], 1.4e-4, rtol=0.05)  # s = 0.01: driven to zero
steps_small = -np.diff(adam_l2[:21, 1])  # s = 0.01, where lam |w| = 0.1 dominates: steps of about lr
assert np.all((0.0095 < steps_small) & (steps_small <= 0.01))
print("final w, no decay:", no_decay[-1], " AdamW:", adamw[-1], " Adam + L2:", adam_l2[-1])

fig, ax = plt.subplots(figsize=(8, 4))
for path, name, style in [(adam_l2, "Adam + L2", "-"), (adamw, "AdamW", "--")]:
    ax.plot(path[:, 0], style, color="C0", label=f"{name}, gradients of size 10")
    ax.plot(path[:, 1], style, color="C3", label=f"{name}, gradients of size 0.01")
ax.plot(no_decay[:, 0], ":", color="grey", label="no decay (both weights)")
ax.set_xlabel("step")
ax.set_ylabel("w")
ax.set_title("L2 inside Adam decays weights with large gradients less; AdamW decays all alike")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 7. Train and test curves, with and without regularization
#
# A network with enough units can learn its training set by heart, labels and
# all, including wrong ones. To see that happen quickly, take 300 of the 8x8
# digits that ship inside scikit-learn (read offline, as `cnnlab train` reads
# them) and give 96 of them (32%) a random digit as their label: 87 labels
# (29%) end up wrong, the other 9 are right by chance. Train a small
# network, $64 \to 200$ ReLU units $\to$ dropout $\to 10$ scores, softmax and
# cross-entropy, by full-batch gradient descent, three ways: no
# regularization; dropout with $p = 0.5$; L2 with $\lambda = 0.01$ on both
# weight matrices. The test set is the 359 clean images of cnnlab's test split.
#
# Without regularization the training accuracy reaches 100%: the network has
# memorised the wrong labels too, and its test accuracy falls from 87% after
# 100 epochs to 78%. L2 keeps it from memorising the noise: its training
# accuracy stays near the 71% of labels that are right, and it ends at 90% on
# the test set. Dropout only slows the memorising down (99% of the training
# labels by the end), and still ends 7 points above the unregularized network
# on the test set.

# %%
from autograder.training.data import load_digits
from autograder.training.train import single_threaded_blas

digits = load_digits()
pick = np.random.default_rng(0).choice(len(digits.y_train), 300, replace=False)
x_train = digits.x_train[pick].reshape(300, 64).astype(np.float64)  # (300, 64), pixels in [0, 1]
y_clean = digits.y_train[pick]
relabel = np.random.default_rng(1).random(300) < 0.3
y_train = np.where(relabel, np.random.default_rng(2).integers(0, 10, 300), y_clean)  # (300,), noisy labels
x_test = digits.x_test.reshape(len(digits.x_test), 64).astype(np.float64)  # (359, 64)
y_test = digits.y_test


def notebook_dropout_forward(x, p, train=True, seed=None):
    """This notebook's dropout (training mode only, seed a Generator): the formula of section 1."""
    keep = seed.random(x.shape) >= p  # the documented draw
    return x * keep / (1 - p), (keep, p)


def notebook_dropout_backward(dout, cache):
    keep, p = cache
    return dout * keep / (1 - p)


def notebook_l2(params, lam):
    return lam / 2 * sum(np.sum(a**2) for a in params.values()), {k: lam * a for k, a in params.items()}


def train(p, lam, dropout_forward, dropout_backward, l2_penalty, epochs=600, lr=0.5, hidden=200):
    """Full-batch gradient descent; every 10 epochs the train (noisy labels) and test accuracy."""
    init = np.random.default_rng(3)
    W1 = init.standard_normal((64, hidden)) * np.sqrt(2 / 64)  # (64, H)
    W2 = init.standard_normal((hidden, 10)) * np.sqrt(1 / hidden)  # (H, 10)
    b1, b2 = np.zeros(hidden), np.zeros(10)
    masks = np.random.default_rng(4)  # draws every dropout mask
    curve = []
    for epoch in range(epochs):
        a = x_train @ W1 + b1  # (N, H)
        h = np.maximum(a, 0)
        if p > 0:
            h, cache = dropout_forward(h, p, train=True, seed=masks)
        scores = h @ W2 + b2  # (N, 10)
        probs = np.exp(scores - scores.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        dscores = (probs - np.eye(10)[y_train]) / len(y_train)  # softmax + cross-entropy: (p - y) / N
        _, penalty_grads = l2_penalty({"W1": W1, "W2": W2}, lam)
        dW2 = h.T @ dscores + penalty_grads["W2"]
        dh = dscores @ W2.T  # (N, H)
        if p > 0:
            dh = dropout_backward(dh, cache)
        da = dh * (a > 0)
        dW1 = x_train.T @ da + penalty_grads["W1"]
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * da.sum(axis=0), W2 - lr * dW2, b2 - lr * dscores.sum(axis=0)
        if epoch % 10 == 9:  # evaluation mode: no dropout
            accuracy = [np.mean((np.maximum(xs @ W1 + b1, 0) @ W2 + b2).argmax(axis=1) == ys)
                        for xs, ys in ((x_train, y_train), (x_test, y_test))]
            curve.append(accuracy)
    return np.array(curve)  # (epochs // 10, 2): train and test accuracy


ours = (notebook_dropout_forward, notebook_dropout_backward, notebook_l2)
with single_threaded_blas():  # tiny matrix products: one thread is faster, and the same on every run
    runs = {"no regularization": train(0.0, 0.0, *ours), "dropout, p = 0.5": train(0.5, 0.0, *ours),
            "L2, lambda = 0.01": train(0.0, 0.01, *ours)}
assert relabel.sum() == 96 and np.sum(y_train != y_clean) == 87  # 29% of the labels are wrong
none, dropped, decayed = runs.values()  # each (60, 2): train and test accuracy every 10 epochs
assert none[-1, 0] == 1.0  # every training label learnt by heart, the wrong ones too
# The numbers of the text, within a few test images (one is 1/359 = 0.3%): a BLAS may round differently.
assert abs(none[9, 1] - 0.87) < 0.01 and abs(none[:, 1].max() - 0.87) < 0.01 and abs(none[-1, 1] - 0.78) < 0.01
assert abs(decayed[-1, 0] - 0.71) < 0.1 and abs(decayed[-1, 1] - 0.90) < 0.01  # L2 does not fit the noise
assert abs(dropped[-1, 0] - 0.99) < 0.01 and abs(dropped[-1, 1] - none[-1, 1] - 0.07) < 0.015

fig, axes = plt.subplots(1, 2, figsize=(12, 4), sharey=True)
epochs_axis = np.arange(10, 601, 10)
for name, curve in runs.items():
    axes[0].plot(epochs_axis, curve[:, 0], label=name)
    axes[1].plot(epochs_axis, curve[:, 1], label=name)
axes[0].axhline(0.71, color="grey", linestyle=":", label="share of right labels")
axes[0].set_title("train accuracy (on the labels given, 29% wrong)")
axes[1].set_title("test accuracy (clean labels)")
for ax in axes:
    ax.set_xlabel("epoch")
    ax.legend()
plt.show()
print({name: f"train {curve[-1, 0]:.3f}, test {curve[-1, 1]:.3f}" for name, curve in runs.items()})

# %% [markdown]
# The same two regularized runs with **your** functions. They draw every mask
# from the same generator, in the documented way, so once your functions are
# right the curves are the ones above.

# %%
module = importlib.reload(regularization)
yours = (module.dropout_forward, module.dropout_backward, module.l2_penalty)
try:
    with single_threaded_blas():
        mine = {"dropout, p = 0.5": train(0.5, 0.0, *yours), "L2, lambda = 0.01": train(0.0, 0.01, *yours)}
except NotImplementedError as error:
    print(f"Not yet: {error}.")
else:
    for name, curve in mine.items():
        same = np.allclose(curve, runs[name])
        print(f"{name}: test accuracy {curve[-1, 1]:.3f}, {'the same curve' if same else 'a different curve'}")

# %% [markdown]
# ## 8. The hidden tests
#
# When your notebook is graded, hidden tests run the value tests on fresh
# random shapes, drop probabilities, seeds and weight decays.

# %% nbgrader={"grade": true, "grade_id": "hidden", "locked": true, "points": 6, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: fresh random shapes, p, seeds and weight decays, run when your notebook is graded.
### BEGIN HIDDEN TESTS
from autograder.report.notebook import grade_cell

grade_cell("exercise6", [
    "dropout forward, fresh shapes",
    "dropout backward, fresh shapes",
    "dropout keeps the mean, fresh p and seed",
    "dropout drops a fraction p, fresh p and seed",
    "l2_penalty loss, fresh shapes",
    "l2_penalty grads, fresh shapes",
], hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Check yourself
#
# The same tests, outside the notebook, in a terminal opened in this folder:
#
# ```bash
# cnnlab check exercise6 --path .    # every public test, with the feedback of each failure
# cnnlab watch --path .              # reruns the check every time you save regularization.py
# ```
#
# In a clone of cnnlab, where your modules live in `exercises/`, drop the
# `--path .`.
