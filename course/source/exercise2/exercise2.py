# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercise 2: The affine layer, two losses and numerical gradients, derived
#
# You will implement three modules, beside this notebook:
#
# - **`linear.py`**: `affine_forward` and `affine_backward`, the fully
#   connected layer $out = x_{flat}\, w + b$;
# - **`losses.py`**: `softmax_cross_entropy` and `mse_loss`, each returning the
#   loss and its gradient, where backpropagation starts;
# - **`gradcheck.py`**: `numerical_gradient` and `numerical_gradient_array`,
#   which estimate a gradient from the forward pass alone, to test a backward pass.
#
# This notebook derives what those functions compute, step by step, and checks
# every formula and every number it writes down with a few lines of NumPy. The
# grey test cells run cnnlab's grader on your modules, the same grader as
# `cnnlab check exercise2`: same tests, same points, same feedback.
#
# Edit the modules in any editor, save them, and rerun a test cell.
#
# Notation. A loss $L$ is a scalar. For any array $a$ that $L$ depends on,
# $da$ is the array of the same shape holding $\partial L / \partial a$. A
# layer's backward pass receives $dout = \partial L / \partial out$ and returns
# $dx$, $dw$, $db$.

# %%
import importlib

import matplotlib.pyplot as plt
import numpy as np

import gradcheck  # your modules, beside this notebook
import linear
import losses

MODULES = {"linear": linear, "losses": losses, "gradcheck": gradcheck}
rng = np.random.default_rng(0)


def attempt(module, function, *args, **kwargs):
    """Call one of your functions (module "linear", "losses" or "gradcheck"), reloaded so that your last save counts.

    Returns None (and says so) while the function still raises NotImplementedError.
    """
    MODULES[module] = importlib.reload(MODULES[module])
    try:
        return getattr(MODULES[module], function)(*args, **kwargs)
    except NotImplementedError as error:
        print(f"{module}.{function} is not written yet ({error}).")
        return None


def centred(loss, a, h=1e-6):
    """d loss / d a by centred differences, (loss(a + h e_k) - loss(a - h e_k)) / 2h, on copies of a.

    This notebook's own check, written for clarity rather than speed: every entry builds two new arrays.
    Your numerical_gradient in gradcheck.py works in place instead, and section 5 says why and how.
    """
    grad = np.zeros(a.shape)
    for k in np.ndindex(a.shape):
        step = np.zeros(a.shape)
        step[k] = h
        grad[k] = (loss(a + step) - loss(a - step)) / (2 * h)
    return grad


# %% [markdown]
# ## 1. What a backward pass computes
#
# A network is a chain of layers, and the loss sits at its end. Take one layer
# $out = f(x)$ somewhere in the middle: $x$ has $n$ entries, $out$ has $m$.
# Everything after the layer turns $out$ into the scalar $L$, and the backward
# pass of those later layers has already produced
#
# $$ dout = \frac{\partial L}{\partial out} \qquad (\text{the shape of } out). $$
#
# The chain rule sums over **every output that an input feeds**:
#
# $$ dx_k = \frac{\partial L}{\partial x_k} = \sum_{i=1}^{m} \frac{\partial L}{\partial out_i}\, \frac{\partial out_i}{\partial x_k} = \sum_i dout_i\, J_{ik}, \qquad J_{ik} = \frac{\partial out_i}{\partial x_k} , $$
#
# so $dx = J^\top dout$: a **vector-Jacobian product**. $J$ is the layer's
# Jacobian, of shape $(m, n)$. No layer ever builds it: for the last affine
# layer of a small CNN, a batch of $N = 64$ examples of $D = 4096$ features
# ($256$ channels of $4 \times 4$) mapped to $M = 10$ classes, $J$ with respect
# to the input has $(N M) \times (N D) = 640 \times 262144 \approx 1.7 \cdot 10^8$
# entries, 1.3 GB in float64, and only one in $N = 64$ of them is not zero
# (example $n$'s outputs do not depend on example $m$'s input). The backward
# pass computes $J^\top dout$ directly from a formula, in the shape of $x$,
# for a cost comparable to the forward pass.
#
# Every layer therefore has the same contract:
# `layer_forward(x, ...) -> (out, cache)` keeps in the cache what the backward
# pass needs, and `layer_backward(dout, cache) -> (dx, dw, db)` returns the
# gradients. **Backpropagation computes gradients; it does not change any
# weight.** Changing the weights is the optimizer's job, a separate step that
# reads $dw$ (for plain gradient descent $w \leftarrow w - \eta\, dw$, section 4;
# exercise 5 writes better ones).

# %%
N_big, D_big, M_big = 64, 256 * 4 * 4, 10
entries = (N_big * M_big) * (N_big * D_big)
assert D_big == 4096 and entries == 640 * 262144 == 167_772_160
assert 1.3e9 < entries * 8 < 1.4e9  # bytes in float64
nonzero = N_big * M_big * D_big  # out[n, j] depends on the D entries of example n only
assert nonzero * N_big == entries
print(f"J has {entries:,} entries ({entries * 8 / 1e9:.2f} GB), {nonzero:,} of them can be non-zero")

# %% [markdown]
# ## 2. The affine layer
#
# ### Forward, with shapes
#
# The input is a batch $x$ of shape $(N, d_1, \dots, d_k)$: $N$ examples, each
# an array of $D = d_1 d_2 \cdots d_k$ numbers (after the convolutions, feature
# maps of shape $(C, H, W)$, $D = C H W$). The layer first **flattens** each
# example into a row, $X$ of shape $(N, D)$, reading the example's entries in
# NumPy's order (the last axis fastest): `x.reshape(N, D)`. Then, with
# weights $W$ of shape $(D, M)$ and biases $b$ of shape $(M,)$,
#
# $$ Y = X W + \mathbf{1}_N\, b^\top, \qquad \underbrace{Y}_{(N, M)} = \underbrace{X}_{(N, D)}\,\underbrace{W}_{(D, M)} + \underbrace{\mathbf{1}_N}_{(N, 1)}\,\underbrace{b^\top}_{(1, M)} , $$
#
# or, one entry at a time,
#
# $$ y_{nj} = \sum_{d=1}^{D} x_{nd}\, w_{dj} + b_j . $$
#
# Column $j$ of $W$ holds the $D$ weights of output unit $j$; every example uses
# the same $W$ and the same $b$ (NumPy's broadcasting adds $b$ to every row).
#
# ### Backward by index notation
#
# The gradients follow from the chain rule of section 1 and three partial
# derivatives of $y_{nj} = \sum_d x_{nd} w_{dj} + b_j$. Write $\delta_{ab}$ for
# 1 when $a = b$ and 0 otherwise, and $dY = \partial L / \partial Y$, of shape $(N, M)$.
#
# **The input.** $y_{nj}$ contains $x_{n'd'}$ only when $n = n'$, with the
# coefficient $w_{d'j}$: $\partial y_{nj} / \partial x_{n'd'} = \delta_{nn'}\, w_{d'j}$. Summing over every output,
#
# $$ dX_{n'd'} = \sum_{n, j} dY_{nj}\, \delta_{nn'}\, w_{d'j} = \sum_j dY_{n'j}\, w_{d'j} = \sum_j dY_{n'j}\, (W^\top)_{jd'} = (dY\, W^\top)_{n'd'} , $$
#
# $$ dX = \underbrace{dY}_{(N, M)}\ \underbrace{W^\top}_{(M, D)} \quad (N, D) . $$
#
# **The weights.** $\partial y_{nj} / \partial w_{d'j'} = x_{nd'}\, \delta_{jj'}$:
# weight $w_{d'j'}$ feeds output unit $j'$ of **every** example, so its
# gradient sums over the batch,
#
# $$ dW_{d'j'} = \sum_{n, j} dY_{nj}\, x_{nd'}\, \delta_{jj'} = \sum_n x_{nd'}\, dY_{nj'} = (X^\top dY)_{d'j'}, \qquad dW = \underbrace{X^\top}_{(D, N)}\ \underbrace{dY}_{(N, M)} \quad (D, M) . $$
#
# **The bias.** $\partial y_{nj} / \partial b_{j'} = \delta_{jj'}$, so
#
# $$ db_{j'} = \sum_n dY_{nj'} \quad (M,) , $$
#
# a **sum** over the batch, not a mean: every example adds to the same bias, and
# any $1/N$ is already inside $dY$, put there by the loss (section 3). The same
# holds for $dW$.
#
# **The flatten.** Reshaping moves no number: entry $x[n, i_1, \dots, i_k]$
# *is* $X_{nd}$ for one $d$, so its gradient is $dX_{nd}$. The backward pass of a
# reshape is the reverse reshape: $dx$ = $dX$ reshaped to $(N, d_1, \dots, d_k)$,
# the shape of $x$.
#
# **The shapes decide the transposes.** Each gradient has the shape of its
# array: $dX$ like $X$, $(N, D)$, from $dY$ $(N, M)$ and $W$ $(D, M)$: the only
# product that fits is $dY\, W^\top$. $dW$ like $W$, $(D, M)$, from $X$ $(N, D)$
# and $dY$ $(N, M)$: only $X^\top dY$ fits. ($dY^\top X$ has shape $(M, D)$: the
# transpose of $dW$, a classic mistake the grader recognises.)

# %%
def affine_loops(x, w, b):
    """y[n, j] = sum_d X[n, d] w[d, j] + b[j], written as loops over an (N, d1, ..., dk) input."""
    X = x.reshape(x.shape[0], -1)  # (N, D), last axis fastest
    N, D = X.shape
    y = np.zeros((N, w.shape[1]))
    for n in range(N):
        for j in range(w.shape[1]):
            y[n, j] = sum(X[n, d] * w[d, j] for d in range(D)) + b[j]
    return y


def affine_grads_loops(dY, x, w):
    """dX, dW, db as the index sums above, one entry at a time."""
    X = x.reshape(x.shape[0], -1)  # (N, D)
    N, D = X.shape
    M = w.shape[1]
    dX = np.array([[sum(dY[n, j] * w[d, j] for j in range(M)) for d in range(D)] for n in range(N)])
    dW = np.array([[sum(X[n, d] * dY[n, j] for n in range(N)) for j in range(M)] for d in range(D)])
    db = np.array([sum(dY[n, j] for n in range(N)) for j in range(M)])
    return dX.reshape(x.shape), dW, db


x = rng.standard_normal((3, 2, 4))  # N = 3 examples of shape (2, 4): D = 8
w, b = rng.standard_normal((8, 5)), rng.standard_normal(5)
dY = rng.standard_normal((3, 5))
assert np.allclose(affine_loops(x, w, b), x.reshape(3, 8) @ w + b)  # the matrix form and broadcasting
dX_loops, dW_loops, db_loops = affine_grads_loops(dY, x, w)
assert np.allclose(dX_loops, (dY @ w.T).reshape(3, 2, 4))  # dX = dY W^T, back in the shape of x
assert np.allclose(dW_loops, x.reshape(3, 8).T @ dY)  # dW = X^T dY
assert np.allclose(db_loops, dY.sum(axis=0))  # db sums over the batch
assert (dY.T @ x.reshape(3, 8)).shape == (5, 8) != w.shape  # the transposed mistake has the wrong shape

# Every formula against centred differences of L = sum(dY * Y), whose gradient with respect to Y is dY.
assert np.allclose(dX_loops, centred(lambda a: np.sum(dY * affine_loops(a, w, b)), x), atol=1e-7)
assert np.allclose(dW_loops, centred(lambda a: np.sum(dY * affine_loops(x, a, b)), w), atol=1e-7)
assert np.allclose(db_loops, centred(lambda a: np.sum(dY * affine_loops(x, w, a)), b), atol=1e-7)

# The Jacobians, built once to check dX = J^T dY (a layer never builds them). Rows: y[n, j]; columns: x[n', d].
X = x.reshape(3, 8)
J_x = np.kron(np.eye(3), w.T)  # (N M, N D): block n holds W^T, zero off the diagonal blocks
J_w = np.kron(X, np.eye(5))  # (N M, D M): d y[n, j] / d w[d, j'] = x[n, d] [j = j']
assert np.allclose(J_x @ X.ravel(), (X @ w).ravel()) and np.allclose(J_w @ w.ravel(), (X @ w).ravel())
assert np.allclose(J_x.T @ dY.ravel(), dX_loops.ravel()) and np.allclose(J_w.T @ dY.ravel(), dW_loops.ravel())
print("dX = dY W^T, dW = X^T dY, db = sum over n: loops, matrix products, J^T dY and centred differences agree")

# %% [markdown]
# ### A worked example, by hand
#
# Two examples of three features, two output units, small integers:
#
# $$ X = \begin{pmatrix} 1 & 2 & 0 \\ 3 & -1 & 2 \end{pmatrix}, \quad
#    W = \begin{pmatrix} 1 & 2 \\ 0 & 1 \\ -1 & 3 \end{pmatrix}, \quad
#    b = \begin{pmatrix} 1 & -2 \end{pmatrix}, \quad
#    dY = \begin{pmatrix} 1 & 0 \\ 2 & -1 \end{pmatrix} . $$
#
# **Forward**, $(2 \times 3)(3 \times 2) \to 2 \times 2$:
# $y_{00} = 1 \cdot 1 + 2 \cdot 0 + 0 \cdot (-1) + 1 = 2$,
# $y_{01} = 1 \cdot 2 + 2 \cdot 1 + 0 \cdot 3 - 2 = 2$,
# $y_{10} = 3 \cdot 1 + (-1) \cdot 0 + 2 \cdot (-1) + 1 = 2$,
# $y_{11} = 3 \cdot 2 + (-1) \cdot 1 + 2 \cdot 3 - 2 = 9$:
#
# $$ Y = \begin{pmatrix} 2 & 2 \\ 2 & 9 \end{pmatrix} . $$
#
# **Backward.** $dX = dY\, W^\top$, $(2 \times 2)(2 \times 3)$: row 0 is
# $1 \cdot (1, 0, -1) + 0 \cdot (2, 1, 3) = (1, 0, -1)$, row 1 is
# $2 \cdot (1, 0, -1) - 1 \cdot (2, 1, 3) = (0, -1, -5)$.
# $dW = X^\top dY$, $(3 \times 2)(2 \times 2)$: row $d$ is
# $x_{0d}\, (1, 0) + x_{1d}\, (2, -1)$, so $(7, -3)$, $(0, 1)$, $(4, -2)$.
# $db$ adds the rows of $dY$: $(3, -1)$.
#
# $$ dX = \begin{pmatrix} 1 & 0 & -1 \\ 0 & -1 & -5 \end{pmatrix}, \quad
#    dW = \begin{pmatrix} 7 & -3 \\ 0 & 1 \\ 4 & -2 \end{pmatrix}, \quad
#    db = \begin{pmatrix} 3 & -1 \end{pmatrix} . $$

# %%
X_hand = np.array([[1.0, 2, 0], [3, -1, 2]])
W_hand = np.array([[1.0, 2], [0, 1], [-1, 3]])
b_hand = np.array([1.0, -2])
dY_hand = np.array([[1.0, 0], [2, -1]])
assert np.array_equal(affine_loops(X_hand, W_hand, b_hand), [[2, 2], [2, 9]])
dX_hand, dW_hand, db_hand = affine_grads_loops(dY_hand, X_hand, W_hand)
assert np.array_equal(dX_hand, [[1, 0, -1], [0, -1, -5]])
assert np.array_equal(dW_hand, [[7, -3], [0, 1], [4, -2]])
assert np.array_equal(db_hand, [3, -1])
print("the worked example: Y, dX, dW and db as computed by hand")

# %% [markdown]
# Your `affine_forward` and `affine_backward` on the same example (a note is
# printed while they are not written yet). The backward pass hands back
# gradients and leaves $W$ alone: nothing in it changes a weight.

# %%
result = attempt("linear", "affine_forward", X_hand, W_hand, b_hand)
if result is not None:
    print("your out:\n", result[0])
    W_before = W_hand.copy()
    grads = attempt("linear", "affine_backward", dY_hand, result[1])
    if grads is not None:
        print("your dx:\n", grads[0], "\nyour dw:\n", grads[1], "\nyour db:", grads[2])
        print("W is unchanged by the backward pass:", np.array_equal(W_hand, W_before))

# %% [markdown]
# The first test cell grades the forward pass, with an input of shape
# $(N, d_1, d_2)$ to flatten, and two refusals of arrays that NumPy would
# broadcast without a word: a bias of shape $(1,)$ (added to all $M$ outputs)
# and weights of shape $(1, D, M)$ ($X W$ would come out $(1, N, M)$). The
# second grades the backward pass.

# %%
assert (X_hand @ W_hand[None]).shape == (1, 2, 2)  # (N, D) @ (1, D, M) broadcasts instead of failing
assert np.array_equal(X_hand @ W_hand + np.array([1.0]), X_hand @ W_hand + 1)  # b of shape (1,) goes to every output

# %% nbgrader={"grade": true, "grade_id": "affine_forward", "locked": true, "points": 5, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise2", [
    "affine forward, small case",
    "affine forward, x of shape (N, d1, d2)",
    "affine forward keeps float32",
    "affine forward rejects a bias of shape (1,)",
    "affine forward rejects a w that is not 2-D",
])

# %% nbgrader={"grade": true, "grade_id": "affine_backward", "locked": true, "points": 7, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise2", [
    "affine backward, small case",
    "affine backward, x of shape (N, d1, d2)",
    "affine gradient check",
    "affine backward, batch of 1",
    "affine backward keeps float32",
])

# %% [markdown]
# ## 3. Softmax cross-entropy
#
# ### Forward
#
# For classification into $C$ classes, the last affine layer gives **scores**
# (logits) $s$ of shape $(N, C)$, and softmax turns each row into probabilities:
#
# $$ p_{ic} = \frac{e^{s_{ic}}}{\sum_{k=1}^{C} e^{s_{ik}}} , \qquad p \text{ of shape } (N, C),\ \ \sum_c p_{ic} = 1 . $$
#
# With the true classes $y$ of shape $(N,)$, the loss is the mean negative
# log-probability of the true class:
#
# $$ L = -\frac{1}{N} \sum_{i=1}^{N} \log p_{i y_i}, \qquad \log p_{i y_i} = s_{i y_i} - \log \sum_k e^{s_{ik}} . $$
#
# **Log-sum-exp.** Softmax does not change when a constant is subtracted from
# a row (numerator and denominator gain the same factor $e^{-m}$). Subtracting
# the row's maximum $m_i$ keeps every exponent $\le 0$, so `np.exp` cannot
# overflow, and the sum $\ge 1$ (the maximum contributes $e^0 = 1$), so its log
# is finite. Take $\log p$ from that formula, not as the log of a probability:
# on scores $(1000, 0)$, $p_{i1} = e^{-1000}$ rounds to 0 and its log is
# $-\infty$, while $-\log p_{i1} = 1000 + \log(1 + e^{-1000}) \approx 1000$.
#
# ### Backward: $(p - y)/N$
#
# Differentiate $\log p_{i y_i} = s_{i y_i} - \log \sum_k e^{s_{ik}}$ with
# respect to $s_{ic}$: the first term gives $[c = y_i]$ (1 when $c$ is the true
# class), the second $e^{s_{ic}} / \sum_k e^{s_{ik}} = p_{ic}$. Only example
# $i$'s term of the mean contains $s_{ic}$, so
#
# $$ ds_{ic} = \frac{\partial L}{\partial s_{ic}} = -\frac{1}{N} \left([c = y_i] - p_{ic}\right) = \frac{p_{ic} - [c = y_i]}{N}, \qquad ds = \frac{p - \mathrm{onehot}(y)}{N} \quad (N, C) . $$
#
# The same result by the chain rule through softmax's Jacobian: for one row,
# $\partial p_c / \partial s_k = p_c([c = k] - p_k)$, the matrix
# $\mathrm{diag}(p) - p\, p^\top$; and $\partial L / \partial p = -\frac{1}{N p_y}\, e_y$
# (only the true class appears in $L$). The vector-Jacobian product
# $(\mathrm{diag}(p) - p p^\top)^\top\, dp$ (the matrix is symmetric) has
# entry $c$: $p_c\, dp_c - p_c\, (p^\top dp) = p_c\, dp_c + p_c / N$, which is
# $(p_y - 1)/N$ at $c = y$ and $p_c / N$ elsewhere. Same answer.
#
# The $1/N$ comes from the **mean**: it is why $db$ and $dW$ of the layer
# before are sums. A loss summed over the batch would give gradients $N$ times
# larger.
#
# ### By hand
#
# Two examples of two classes: scores $(0, \log 3)$ with true class 0, and
# $(0, 0)$ with true class 1. Row 0: $p = (1, 3)/(1 + 3) = (1/4, 3/4)$, loss
# $-\log(1/4) = \log 4$. Row 1: $p = (1/2, 1/2)$, loss $\log 2$. The mean is
# $(\log 4 + \log 2)/2 = \tfrac{3}{2} \log 2 \approx 1.0397$, and
#
# $$ ds = \frac{1}{2} \begin{pmatrix} 1/4 - 1 & 3/4 \\ 1/2 & 1/2 - 1 \end{pmatrix} = \begin{pmatrix} -3/8 & 3/8 \\ 1/4 & -1/4 \end{pmatrix} . $$
#
# Each row of $ds$ adds up to 0: raising every score of a row by the same
# amount changes nothing.

# %%
def log_softmax_rows(s):
    """log p for every row of s, through the shifted log-sum-exp."""
    shifted = s - s.max(axis=1, keepdims=True)  # every entry <= 0
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def cross_entropy_value(s, y):
    """The mean of -log p[i, y[i]]: the loss only, to differentiate numerically."""
    return -np.mean(log_softmax_rows(s)[np.arange(len(y)), y])


s_hand, y_hand = np.array([[0.0, np.log(3)], [0.0, 0.0]]), np.array([0, 1])
p_hand = np.exp(log_softmax_rows(s_hand))
assert np.allclose(p_hand, [[1 / 4, 3 / 4], [1 / 2, 1 / 2]])
assert np.isclose(cross_entropy_value(s_hand, y_hand), 1.5 * np.log(2)) and round(1.5 * np.log(2), 4) == 1.0397
ds_hand = (p_hand - np.eye(2)[y_hand]) / 2
assert np.allclose(ds_hand, [[-3 / 8, 3 / 8], [1 / 4, -1 / 4]]) and np.allclose(ds_hand.sum(axis=1), 0)
assert np.allclose(ds_hand, centred(lambda a: cross_entropy_value(a, y_hand), s_hand), atol=1e-9)

# (p - onehot) / N on random scores, and through softmax's Jacobian diag(p) - p p^T.
s, y = 3 * rng.standard_normal((4, 5)), rng.integers(0, 5, 4)
p = np.exp(log_softmax_rows(s))
ds = (p - np.eye(5)[y]) / 4
assert np.allclose(ds, centred(lambda a: cross_entropy_value(a, y), s), atol=1e-8)
for i in range(4):
    J_softmax = np.diag(p[i]) - np.outer(p[i], p[i])  # (C, C), symmetric
    dp = np.zeros(5)
    dp[y[i]] = -1 / (4 * p[i, y[i]])  # dL/dp: only the true class appears in L
    assert np.allclose(J_softmax.T @ dp, ds[i])
# Row c of the Jacobian is d p_c / d s_k for every k: check it with centred differences.
for c in range(5):
    row = centred(lambda a: np.exp(log_softmax_rows(a[None]))[0, c], s[0])  # (C,)
    assert np.allclose(row, p[0, c] * (np.eye(5)[c] - p[0]), atol=1e-8)

# Shift invariance, and what the shift saves on scores (1000, 0).
assert np.allclose(log_softmax_rows(s + 123.0), log_softmax_rows(s))
big = np.array([[1000.0, 0.0]])
with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
    naive = np.exp(big) / np.exp(big).sum()  # inf / inf
    log_of_rounded = np.log(np.exp(big - big.max()) / np.exp(big - big.max()).sum())
assert np.isnan(naive[0, 0]) and log_of_rounded[0, 1] == -np.inf
assert np.isclose(-log_softmax_rows(big)[0, 1], 1000.0)
print("softmax cross-entropy: the hand example, (p - onehot)/N and diag(p) - p p^T agree with centred differences")

# %% [markdown]
# Your `softmax_cross_entropy` on the hand example, and on scores $(1000, 0)$
# with true class 1 (the loss is 1000, finite):

# %%
result = attempt("losses", "softmax_cross_entropy", s_hand, y_hand)
if result is not None:
    print(f"your loss {result[0]:.6f} (by hand {1.5 * np.log(2):.6f}); your dscores:\n{result[1]}")
    result = attempt("losses", "softmax_cross_entropy", big, np.array([1]))
    print("on scores (1000, 0), true class 1:", None if result is None else result[0])

# %% [markdown]
# The test cell also asks `softmax_cross_entropy` to refuse what it cannot
# read as $N$ rows of $C$ scores and $N$ class indices: labels outside
# $[0, C)$ (NumPy would read $-3$ as the third from the end), scores that are
# not 2-D, labels of shape $(N, 1)$ (indexing `[rows, y]` would broadcast to an
# $(N, N)$ table) and labels that are not integers.

# %%
rows, column = np.arange(4), np.array([[0], [2], [1], [2]])
assert log_softmax_rows(s)[rows, column].shape == (4, 4)  # labels of shape (N, 1): every row with every label
assert log_softmax_rows(s)[0, -3] == log_softmax_rows(s)[0, 2]  # a negative label indexes from the end (C = 5)

# %% nbgrader={"grade": true, "grade_id": "cross_entropy", "locked": true, "points": 14, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise2", [
    "cross-entropy loss, small case",
    "cross-entropy dscores, small case",
    "cross-entropy loss, 8 examples of 10 classes",
    "cross-entropy gradient check",
    "cross-entropy loss on logits of 1e4",
    "cross-entropy dscores on logits of 1e4",
    "cross-entropy dscores, batch of 1",
    "cross-entropy rejects the label C",
    "cross-entropy rejects negative labels",
    "cross-entropy rejects scores that are not 2-D",
    "cross-entropy rejects labels of shape (N, 1)",
    "cross-entropy rejects labels that are not integers",
    "cross-entropy dscores keeps float32",
])

# %% [markdown]
# ## 4. Mean squared error, and why it learns slowly through a saturated sigmoid
#
# ### Forward and backward
#
# For regression, predictions $\hat y$ and targets $t$ of the same shape, with
# $P$ entries in all (for $(N, M)$, $P = N M$):
#
# $$ L = \frac{1}{P} \sum_k (\hat y_k - t_k)^2, \qquad d\hat y_k = \frac{\partial L}{\partial \hat y_k} = \frac{2 (\hat y_k - t_k)}{P} . $$
#
# The mean runs over every entry (as PyTorch's `F.mse_loss`), so the gradient
# divides by $P$ = `pred.size`, not by $N$; the 2 is the derivative of a square.
# By hand: $\hat y = \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}$,
# $t = \begin{pmatrix} 1 & 0 \\ 2 & 4 \end{pmatrix}$, differences $(0, 2, 1, 0)$:
# $L = (0 + 4 + 1 + 0)/4 = 1.25$ and
# $d\hat y = \frac{2}{4} \begin{pmatrix} 0 & 2 \\ 1 & 0 \end{pmatrix} = \begin{pmatrix} 0 & 1 \\ 0.5 & 0 \end{pmatrix}$.
# Dividing by $N = 2$ instead would double both.
#
# ### The saturated sigmoid
#
# Take one output unit with a sigmoid, $\sigma(z) = 1 / (1 + e^{-z})$, whose
# derivative is $\sigma'(z) = \sigma(z)(1 - \sigma(z))$, and a target
# $t \in \{0, 1\}$. With the squared error $L = (\sigma(z) - t)^2$, the chain rule gives
#
# $$ \frac{\partial L}{\partial z} = 2 (\sigma(z) - t)\ \sigma(z) (1 - \sigma(z)) . $$
#
# When the unit is **saturated**, $|z|$ large, $\sigma(1 - \sigma)$ is tiny
# (at $z = -8$ it is $3.4 \cdot 10^{-4}$), and the gradient is tiny even when
# the prediction is completely wrong: $t = 1$, $\sigma(-8) \approx 0.0003$.
# Gradient descent barely moves.
#
# Cross-entropy on the same unit, $L = -t \log \sigma(z) - (1 - t) \log(1 - \sigma(z))$
# (softmax cross-entropy on two classes with scores $(0, z)$: their softmax is
# $(1 - \sigma(z), \sigma(z))$), has $\partial L / \partial \sigma = -t/\sigma + (1 - t)/(1 - \sigma)$, and
#
# $$ \frac{\partial L}{\partial z} = \left(\frac{1 - t}{1 - \sigma} - \frac{t}{\sigma}\right) \sigma (1 - \sigma) = (1 - t)\,\sigma - t\,(1 - \sigma) = \sigma(z) - t , $$
#
# the $p - y$ of section 3: the logarithm **cancels** the factor
# $\sigma(1 - \sigma)$. A confident wrong answer gets a gradient of nearly 1,
# not $10^{-4}$: at $z = -8$, $t = 1$, about 1500 times larger.

# %%
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


pred_hand, target_hand = np.array([[1.0, 2], [3, 4]]), np.array([[1.0, 0], [2, 4]])
mse_value = lambda a: np.mean((a - target_hand) ** 2)  # noqa: E731
assert mse_value(pred_hand) == 1.25
assert np.allclose(2 * (pred_hand - target_hand) / pred_hand.size, [[0, 1], [0.5, 0]])
assert np.allclose([[0, 1], [0.5, 0]], centred(mse_value, pred_hand), atol=1e-9)
assert np.isclose(np.mean(((pred_hand - target_hand) ** 2).sum(axis=1)), 2.5)  # dividing by N = 2 doubles it
pred, target = rng.standard_normal((4, 3, 2)), rng.standard_normal((4, 3, 2))
assert np.allclose(2 * (pred - target) / pred.size, centred(lambda a: np.mean((a - target) ** 2), pred), atol=1e-9)

z = -8.0
assert np.isclose(sigmoid(z) * (1 - sigmoid(z)), 3.35e-4, rtol=1e-3)  # sigma'(-8)
assert np.isclose(centred(lambda a: sigmoid(a[0]), np.array([z]))[0], sigmoid(z) * (1 - sigmoid(z)))
assert np.allclose(np.exp(log_softmax_rows(np.array([[0.0, z]])))[0], [1 - sigmoid(z), sigmoid(z)])  # softmax of (0, z)
dz_mse = centred(lambda a: ((sigmoid(a) - 1.0) ** 2)[0], np.array([z]))[0]
dz_ce = centred(lambda a: cross_entropy_value(np.array([[0.0, a[0]]]), np.array([1])), np.array([z]))[0]
assert np.isclose(dz_mse, 2 * (sigmoid(z) - 1) * sigmoid(z) * (1 - sigmoid(z)))
assert np.isclose(dz_ce, sigmoid(z) - 1, atol=1e-9)
assert 1400 < dz_ce / dz_mse < 1600
print(f"at z = {z}, target 1: dL/dz = {dz_mse:.2e} with MSE, {dz_ce:.4f} with cross-entropy")

# %% [markdown]
# ### Learning curves from a saturated start
#
# A small classification problem shows what that costs. Forty points in the
# plane, class 1 when $x_0 + x_1 > 0$; one affine unit $z = x w + b$, with
# $w = (-4, -4)$ at the start: wrong on every point, and confidently on most
# ($|z| > 3$ for more than half of them, where $\sigma(1 - \sigma) < 0.05$). The
# same gradient descent ($\eta = 1$, 300 steps) trains it once with a sigmoid
# and MSE and once with cross-entropy; only $dz$ differs. Each step is the
# backward pass, which computes $dz$, $dw = x^\top dz$, $db = \sum_n dz_n$
# (section 2), and then, separately, the **optimizer's** update
# $w \leftarrow w - \eta\, dw$, $b \leftarrow b - \eta\, db$: the backward pass
# itself changes nothing. Cross-entropy classifies 90% of the points right
# after 11 steps; MSE needs 126, most of them spent on the plateau where
# $\sigma(1 - \sigma)$ is tiny.

# %%
X_points = np.random.default_rng(1).standard_normal((40, 2))  # its own seed: the claims below are about this data
t_points = (X_points[:, 0] + X_points[:, 1] > 0).astype(float)


def train(loss, steps=300, lr=1.0):
    """Gradient descent on z = X w + b from the saturated start; the mean probability of the true class per step."""
    w, b = np.array([-4.0, -4.0]), 0.0
    right, accuracy = [], []
    for step in range(steps):
        s = sigmoid(X_points @ w + b)  # (40,)
        right.append(np.mean(np.where(t_points == 1, s, 1 - s)))
        accuracy.append(np.mean((s > 0.5) == (t_points == 1)))
        # Backward: the gradients of the mean loss, nothing more.
        if loss == "mse":
            dz = 2 * (s - t_points) / len(s) * s * (1 - s)
        else:
            dz = (s - t_points) / len(s)
        dw, db = X_points.T @ dz, dz.sum()
        # The optimizer: the one place where the weights change.
        w, b = w - lr * dw, b - lr * db
    return np.array(right), np.array(accuracy)


curves = {"sigmoid + MSE": train("mse"), "softmax cross-entropy": train("ce")}
right_mse, accuracy_mse = curves["sigmoid + MSE"]
right_ce, accuracy_ce = curves["softmax cross-entropy"]
z_first = X_points @ np.array([-4.0, -4.0])
assert accuracy_mse[0] == accuracy_ce[0] == 0  # the same start, wrong on every point
assert np.mean(np.abs(z_first) > 3) > 0.5 and sigmoid(3.0) * (1 - sigmoid(3.0)) < 0.05  # saturated on most
assert accuracy_ce[30] > 0.9 and accuracy_mse[30] < 0.2  # after 30 steps: cross-entropy has learnt, MSE has not
assert np.argmax(accuracy_ce >= 0.9) == 11 and np.argmax(accuracy_mse >= 0.9) == 126  # steps to 90% right

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for label, (right, accuracy) in curves.items():
    axes[0].plot(right, label=label)
    axes[1].plot(accuracy, label=label)
axes[0].set_title("mean probability of the true class")
axes[1].set_title("fraction classified right")
for ax in axes:
    ax.set_xlabel("step of gradient descent")
    ax.legend()
plt.show()

# %% [markdown]
# Your `mse_loss` and `softmax_cross_entropy` give the $dz$ of that first step
# (the sigmoid's factor $\sigma(1 - \sigma)$ applied by hand to MSE's $d\hat y$):

# %%
z_start = z_first[:, None]  # (40, 1)
s_start = sigmoid(z_start)
result_mse = attempt("losses", "mse_loss", s_start, t_points[:, None])
result_ce = attempt("losses", "softmax_cross_entropy", np.hstack([np.zeros_like(z_start), z_start]),
                    t_points.astype(int))
if result_mse is not None and result_ce is not None:
    dz_yours_mse = result_mse[1][:, 0] * (s_start * (1 - s_start))[:, 0]
    dz_yours_ce = result_ce[1][:, 1]  # the score z is column 1
    print(f"mean |dz| over the 40 points: {np.abs(dz_yours_mse).mean():.2e} with MSE, "
          f"{np.abs(dz_yours_ce).mean():.2e} with cross-entropy")

# %% nbgrader={"grade": true, "grade_id": "mse", "locked": true, "points": 7, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise2", [
    "MSE loss, small case",
    "MSE dpred, small case",
    "MSE dpred, pred of shape (N, d1, d2)",
    "MSE gradient check",
    "MSE dpred keeps float32",
    "MSE rejects mismatched shapes",
    "MSE rejects empty arrays",
])

# %% [markdown]
# ## 5. Numerical gradients
#
# A wrong backward pass still trains, badly, and nothing crashes. The test
# that catches it uses the forward pass alone: nudge one input, see how far
# the loss moves.
#
# ### Why centred differences
#
# Taylor's theorem around $x$, for a step $h$:
#
# $$ f(x \pm h) = f(x) \pm h f'(x) + \frac{h^2}{2} f''(x) \pm \frac{h^3}{6} f'''(x) + O(h^4) . $$
#
# The **one-sided** difference keeps the $h^2$ term:
#
# $$ \frac{f(x + h) - f(x)}{h} = f'(x) + \frac{h}{2} f''(x) + O(h^2) , \qquad \text{error} \approx \frac{h}{2} |f''(x)| \propto h . $$
#
# The **centred** difference subtracts the two expansions, and every even
# power cancels:
#
# $$ \frac{f(x + h) - f(x - h)}{2h} = f'(x) + \frac{h^2}{6} f'''(x) + O(h^4) , \qquad \text{error} \approx \frac{h^2}{6} |f'''(x)| \propto h^2 . $$
#
# Dividing $h$ by 10 divides the one-sided error by 10 and the centred one by
# 100. For $f = \exp$ at $x = 1$, where $f'' = f''' = e$, and $h = 10^{-3}$:
# the one-sided error is $\approx 1.36 \cdot 10^{-3}$, the centred one
# $\approx 4.53 \cdot 10^{-7}$.
#
# ### Rounding takes over for tiny $h$
#
# $f(x + h)$ and $f(x - h)$ are each rounded to a relative precision
# $\varepsilon \approx 2.2 \cdot 10^{-16}$ (float64); their difference, nearly
# all of it rounding when $h$ is tiny, is divided by $2h$: a rounding error of
# about $\varepsilon |f| / h$, which *grows* as $h$ shrinks. The total
# $\frac{h^2}{6} |f'''| + \varepsilon |f| / h$ is smallest near
# $h \approx \varepsilon^{1/3} \approx 10^{-5}$ (for values of order 1), where
# the error is about $10^{-10}$; the one-sided difference does best near
# $h \approx \varepsilon^{1/2} \approx 10^{-8}$, with an error of only about
# $10^{-8}$. In float32 ($\varepsilon \approx 1.2 \cdot 10^{-7}$) the best
# centred error is about $10^{-5}$, too coarse to judge a backward pass: run
# gradient checks in float64.

# %%
assert np.isclose(np.finfo(np.float64).eps, 2.2e-16, rtol=0.01) and np.isclose(np.finfo(np.float32).eps, 1.2e-7,
                                                                                rtol=0.01)
assert np.isclose(np.finfo(np.float64).eps ** (1 / 3), 6e-6, rtol=0.02)  # the best h of centred differences
hs = np.logspace(-13, -1, 49)
exact = np.exp(1.0)
one_sided = np.abs((np.exp(1.0 + hs) - np.exp(1.0)) / hs - exact)
centred_error = np.abs((np.exp(1.0 + hs) - np.exp(1.0 - hs)) / (2 * hs) - exact)

h3 = hs == hs[np.argmin(np.abs(hs - 1e-3))]
assert np.isclose(one_sided[h3][0], 1e-3 * exact / 2, rtol=1e-3)  # h/2 f''
assert np.isclose(centred_error[h3][0], 1e-6 * exact / 6, rtol=1e-3)  # h^2/6 f'''
# Slopes on the log-log plot, where truncation dominates (h from 1e-4 to 1e-1): 1 and 2.
large = hs >= 1e-4
slope_one = np.polyfit(np.log10(hs[large]), np.log10(one_sided[large]), 1)[0]
slope_centred = np.polyfit(np.log10(hs[large]), np.log10(centred_error[large]), 1)[0]
assert abs(slope_one - 1) < 0.05 and abs(slope_centred - 2) < 0.05
# The best h and the best error of each, and rounding taking over below them.
best_centred, best_one = hs[np.argmin(centred_error)], hs[np.argmin(one_sided)]
assert 1e-7 <= best_centred <= 1e-4 and centred_error.min() < 1e-9
assert 1e-10 <= best_one <= 1e-7 and 1e-10 < one_sided.min() < 1e-7
assert centred_error[hs <= 1e-11].min() > 100 * centred_error.min()  # tiny h: rounding, not truncation
# float32: the best centred error is around 1e-5, not 1e-10.
x32 = np.float32(1.0)
errors32 = [abs(float((np.exp(x32 + np.float32(h)) - np.exp(x32 - np.float32(h))) / np.float32(2 * h)) - exact)
            for h in np.logspace(-4, -1, 13)]
assert 1e-6 < min(errors32) < 1e-4
print(f"slopes {slope_one:.2f} and {slope_centred:.2f}; best h: {best_one:.0e} one-sided, {best_centred:.0e} centred")

fig, ax = plt.subplots(figsize=(7, 4.5))
ax.loglog(hs, one_sided, "o-", markersize=3, label="one-sided (f(x+h) - f(x)) / h")
ax.loglog(hs, centred_error, "o-", markersize=3, label="centred (f(x+h) - f(x-h)) / 2h")
ax.loglog(hs[large], hs[large] * exact / 2, "k--", linewidth=1, label="h e / 2: slope 1")
ax.loglog(hs[large], hs[large] ** 2 * exact / 6, "k:", linewidth=1.5, label="h² e / 6: slope 2")
ax.loglog(hs[hs < 1e-5], 2.2e-16 * exact / hs[hs < 1e-5], color="grey", linewidth=1, label="rounding, ε e / h")
ax.set_xlabel("step h")
ax.set_ylabel("|estimate - f'(1)|")
ax.set_title("the error of finite differences of exp at x = 1")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ### Estimating a gradient, in place
#
# For $f: \mathbb{R}^{n} \to \mathbb{R}$, the gradient has one entry per entry
# of $x$, and each needs two evaluations of $f$: nudge entry $i$ by $+h$,
# evaluate, by $-h$, evaluate, and
#
# $$ g_i = \frac{f(x + h e_i) - f(x - h e_i)}{2h} . $$
#
# `numerical_gradient(f, x, h)` does this **in place**: $f$ reads $x$, which
# may be a layer's weights held elsewhere too, so the function changes one
# entry of that very array at a time, and must give it back exactly as it was
# before it moves on, even when $f$ raises. Two details:
#
# - **Write back the saved value.** Adding $h$ and then subtracting it does not
#   always restore $x$: in float64, $(0.5 + 10^{-5}) - 10^{-5} = 0.49999999999999994$.
#   Keep `old = x[i]` and write it back.
# - **Restore each entry before the next one.** Otherwise entry $i + 1$ is
#   estimated at a point where entry $i$ is still nudged: not the gradient at
#   $x$, and the caller gets a changed $x$ back.
# - **Restore it even when $f$ raises**: evaluate $f$ inside `try:` and write
#   the saved value back in `finally:`.
# - **Refuse what cannot work.** An integer $x$ cannot hold $x_i + h$ (NumPy
#   rounds it back when it is written into the array), $h \le 0$ is no step,
#   and an $f$ that returns an array is not a scalar function. The gradient is
#   float64 whatever the dtype of $x$: the float32 errors above are far too
#   coarse for a check.
#
# For an array-valued $f$ (a layer's forward pass), `numerical_gradient_array(f, x, dout, h)`
# differentiates the scalar $\sum_k f(x)_k\, dout_k$. Its gradient is
# $\sum_k dout_k\, \partial f_k / \partial x_i = (J^\top dout)_i$: exactly the
# vector-Jacobian product of section 1, what `layer_backward(dout, cache)`
# returns. That is how the gradient checks of the grader test your
# `affine_backward`. `dout` must have the shape of $f(x)$: one that merely
# broadcasts against it weights the wrong outputs.

# %%
assert (0.5 + 1e-5) - 1e-5 == 0.49999999999999994 != 0.5
drifted = 0.5
drifted += 1e-5
drifted -= 2e-5
drifted += 1e-5
assert drifted != 0.5  # nudging back and forth leaves x off by one rounding step


def cube_sum(a):
    return np.sum(a ** 3)


# What forgetting to restore does: entry 1 is then estimated where entry 0 is still at x - h.
x_demo, h = np.array([1.0, 2.0]), 1e-3
not_restored = x_demo.copy()
estimates = []
for i in range(2):
    not_restored[i] += h
    up = (not_restored[0] + not_restored[1]) ** 2
    not_restored[i] -= 2 * h
    down = (not_restored[0] + not_restored[1]) ** 2
    estimates.append((up - down) / (2 * h))
assert np.allclose(estimates[0], 6) and not np.isclose(estimates[1], 6)  # the gradient of (x0 + x1)^2 is (6, 6)
assert np.allclose(not_restored, [1 - h, 2 - h])  # and the caller's x came back changed

integers = np.array([1, 2, 3])
integers[0] = integers[0] + 1e-5  # written into an integer array, x + h is rounded back
assert integers[0] == 1
assert (np.ones((3, 4)) * np.ones(4)).shape == (3, 4)  # a dout of shape (4,) would broadcast against f(x) (3, 4)

# sum(f(x) * dout) is the vector-Jacobian product: for the affine layer, dX = dY W^T.
grad_weighted = centred(lambda a: np.sum(affine_loops(a, W_hand, b_hand) * dY_hand), X_hand)
assert np.allclose(grad_weighted, dX_hand, atol=1e-8)
print("sum(f(x) * dout) differentiates to J^T dout:", np.round(grad_weighted, 6).tolist())

# %% [markdown]
# Your numerical gradients, on $\sum x^3$ (gradient $3x^2$) and on the affine
# layer's $dx$ of the worked example:

# %%
x_try = np.array([[1.0, -2.0, 0.5], [2.0, 3.0, -1.0]])
x_saved = x_try.copy()
grad = attempt("gradcheck", "numerical_gradient", cube_sum, x_try)
if grad is not None:
    print("largest error against 3 x^2:", np.abs(grad - 3 * x_saved ** 2).max(),
          "| x unchanged:", np.array_equal(x_try, x_saved))
grad = attempt("gradcheck", "numerical_gradient_array",
               lambda a: affine_loops(a, W_hand, b_hand), X_hand.copy(), dY_hand)
if grad is not None:
    print("dx of the worked example, numerically:\n", np.round(grad, 6))

# %% nbgrader={"grade": true, "grade_id": "numerical_gradients", "locked": true, "points": 13, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise2", [
    "numerical_gradient of sum(x^3)",
    "numerical_gradient on a 3-D x",
    "numerical_gradient uses the step h",
    "numerical_gradient rejects h = 0",
    "numerical_gradient leaves x as it was",
    "numerical_gradient restores x when f raises",
    "numerical_gradient returns float64 for a float32 x",
    "numerical_gradient rejects an integer x",
    "numerical_gradient rejects an f that returns an array",
    "numerical_gradient_array of sin(x)",
    "numerical_gradient_array uses the step h",
    "numerical_gradient_array leaves x and dout as they were",
    "numerical_gradient_array rejects a dout shaped unlike f(x)",
])

# %% [markdown]
# ## 6. The hidden tests
#
# When your notebook is graded, hidden tests run the same checks on fresh
# random shapes: inputs of three or four axes for the affine layer, batches
# with one enormous score for cross-entropy, predictions of several axes for
# MSE, and points of one to three axes for the numerical gradients.

# %% nbgrader={"grade": true, "grade_id": "hidden", "locked": true, "points": 8, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: fresh random shapes, run when your notebook is graded.
### BEGIN HIDDEN TESTS
from autograder.report.notebook import grade_cell

grade_cell("exercise2", [
    "affine forward, fresh shapes",
    "affine backward, fresh shapes",
    "cross-entropy loss, fresh shapes",
    "cross-entropy dscores, fresh shapes",
    "MSE loss, fresh shapes",
    "MSE dpred, fresh shapes",
    "numerical_gradient, fresh shapes",
    "numerical_gradient_array, fresh shapes",
], hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Check yourself
#
# The same tests, outside the notebook, in a terminal opened in this folder:
#
# ```bash
# cnnlab check exercise2 --path .    # every public test, with the feedback of each failure
# cnnlab watch --path .              # reruns the check every time you save linear.py, losses.py or gradcheck.py
# ```
#
# In a clone of cnnlab, where your modules live in `exercises/`, drop the
# `--path .`.
