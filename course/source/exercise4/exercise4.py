# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercise 4: Pooling, derived
#
# You will implement `max_pool_forward`, `max_pool_backward`,
# `avg_pool_forward` and `avg_pool_backward` in **`pooling.py`**, the module
# beside this notebook. This notebook derives what those functions compute,
# step by step, and checks every formula and every number it writes down with
# a few lines of NumPy. The grey test cells run cnnlab's grader on your
# `pooling.py`, the same grader as `cnnlab check exercise4`: same tests, same
# points, same feedback.
#
# Edit `pooling.py` in any editor, save it, and rerun a test cell.
#
# Notation. A loss $L$ is a scalar. For any array $a$ that $L$ depends on,
# $da$ is the array of the same shape holding $\partial L / \partial a$. A
# layer's backward pass receives $dout = \partial L / \partial out$ and returns
# $dx$. Pooling has no weights: $dx$ is all it returns.

# %%
import importlib

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import cbook
from matplotlib.patches import Rectangle

import pooling  # your module, beside this notebook

rng = np.random.default_rng(0)


def attempt(function, *args, **kwargs):
    """Call one of your functions from pooling.py, reloaded so that your last save counts.

    Returns None (and says so) while the function still raises NotImplementedError.
    """
    module = importlib.reload(pooling)
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
# ## 1. Windows and the size of the output
#
# Pooling works on every channel of every image on its own. Take one channel, a
# map $x$ of shape $(H, W)$, a window side $k$ (`pool_size`) and a stride $s$.
# Window $(i, j)$ is the $k \times k$ block whose top-left corner is row
# $i s$, column $j s$:
#
# $$ \text{window}(i, j) = \{\, (i s + p,\; j s + q) : 0 \le p, q < k \,\} . $$
#
# There is no padding. Window $i$ must end inside the map, $i s + k - 1 \le H - 1$,
# so $i \le (H - k)/s$, and likewise for the columns:
#
# $$ H' = \left\lfloor \frac{H - k}{s} \right\rfloor + 1, \qquad W' = \left\lfloor \frac{W - k}{s} \right\rfloor + 1 , $$
#
# the size rule of convolution with $P = 0$ and a $k \times k$ kernel. A batch
# $x$ of shape $(N, C, H, W)$ pools to $(N, C, H', W')$: the channels stay, only
# the map shrinks. Examples: $4 \times 4$ with $k = s = 2$ gives $2 \times 2$;
# $5 \times 6$ with $k = 3$, $s = 1$ gives $3 \times 4$ (windows overlap);
# $6 \times 7$ with $k = 3$, $s = 2$ gives $\lfloor 3/2 \rfloor + 1 = 2$ by
# $\lfloor 4/2 \rfloor + 1 = 3$. In that last one the stride does not divide
# $H - k = 3$: the windows start at rows $0$ and $2$ and end at row $4$, so the
# last row, $5$, belongs to no window. In general the last $(H - k) \bmod s$
# rows and $(W - k) \bmod s$ columns are read by no window; their gradient will
# be zero.

# %%
def size_out(H, k, s):
    """H' = (H - k) // s + 1: the number of k-wide windows, s apart, that fit in H."""
    return (H - k) // s + 1


def corners(H, k, s):
    """The first row (or column) of every window: 0, s, 2 s, ..."""
    return [i * s for i in range(size_out(H, k, s))]


assert (size_out(4, 2, 2), size_out(4, 2, 2)) == (2, 2)
assert (size_out(5, 3, 1), size_out(6, 3, 1)) == (3, 4)
assert (size_out(6, 3, 2), size_out(7, 3, 2)) == (2, 3)
assert corners(6, 3, 2) == [0, 2] and corners(6, 3, 2)[-1] + 3 - 1 == 4  # row 5 is in no window
for H in range(1, 30):
    for k in range(1, H + 1):
        for s in range(1, 5):
            last_row_read = corners(H, k, s)[-1] + k - 1
            assert H - 1 - last_row_read == (H - k) % s  # the rows left over at the bottom
            assert corners(H, k, s)[-1] + s + k - 1 > H - 1  # one window more would not fit
print("H' = (H - k) // s + 1 counts exactly the windows that fit, and (H - k) % s rows are left over")


# %% [markdown]
# ## 2. Max pooling, forward
#
# Max pooling keeps the largest value of each window:
#
# $$ out[n, c, i, j] = \max_{0 \le p, q < k} x[n, c, i s + p, j s + q], \qquad x: (N, C, H, W) \;\to\; out: (N, C, H', W') . $$
#
# ### The worked example, by hand
#
# The $4 \times 4$ map of many pooling lectures, with $k = s = 2$:
#
# $$ x = \begin{bmatrix} 1 & 1 & 2 & 4 \\ 5 & 6 & 7 & 8 \\ 3 & 2 & 1 & 0 \\ 1 & 2 & 3 & 4 \end{bmatrix} . $$
#
# The four windows are the four $2 \times 2$ quarters. Top left
# $\{1, 1, 5, 6\}$: the max is $6$, at $(1, 1)$. Top right $\{2, 4, 7, 8\}$: $8$,
# at $(1, 3)$. Bottom left $\{3, 2, 1, 2\}$: $3$, at $(2, 0)$. Bottom right
# $\{1, 0, 3, 4\}$: $4$, at $(3, 3)$. So
#
# $$ \text{maxpool}(x) = \begin{bmatrix} 6 & 8 \\ 3 & 4 \end{bmatrix} . $$
#
# **What max pooling throws away.** Each $2 \times 2$ window of 4 values
# becomes 1: the output keeps one value of every four and **throws away the
# other three**. Change any of those three (keeping it below the window's
# max) and the output does not move. Pooling is sometimes described as
# shrinking the map "without losing information"; it loses three quarters of
# the values, on purpose: what is kept is *that* a strong response occurred
# somewhere in the window, not where exactly.

# %%
def pool_loops(x, k, s, reduce):
    """out[i, j] = reduce(window(i, j)) for one 2-D map x: the definition, as loops over the windows."""
    out = np.zeros((size_out(x.shape[0], k, s), size_out(x.shape[1], k, s)))
    for i, j in np.ndindex(out.shape):
        out[i, j] = reduce(x[i * s: i * s + k, j * s: j * s + k])
    return out


example = np.array([[1.0, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])
assert np.array_equal(pool_loops(example, 2, 2, np.max), [[6, 8], [3, 4]])
winners = [np.unravel_index(np.argmax(example[r: r + 2, c: c + 2]), (2, 2)) for r in (0, 2) for c in (0, 2)]
assert [(r + int(p), c + int(q)) for (r, c), (p, q) in zip([(0, 0), (0, 2), (2, 0), (2, 2)], winners)] == [
    (1, 1), (1, 3), (2, 0), (3, 3)]

# Three of every four values are thrown away: lowering (or raising, up to the max) any loser changes nothing.
x = rng.permutation(64).reshape(8, 8).astype(float)  # distinct values
out = pool_loops(x, 2, 2, np.max)
assert out.size == x.size // 4
is_winner = np.kron(out, np.ones((2, 2))) == x  # the one input of each window that equals its max
assert is_winner.sum() == out.size
changed = np.where(is_winner, x, x - rng.uniform(0, 100, x.shape))
assert np.array_equal(pool_loops(changed, 2, 2, np.max), out)
print(pool_loops(example, 2, 2, np.max))

# %% [markdown]
# Your `max_pool_forward` on the worked example (it prints a note while the
# function is not written yet):

# %%
result = attempt("max_pool_forward", example.reshape(1, 1, 4, 4), pool_size=2, stride=2)
if result is not None:
    print(result[0][0, 0])

# %% [markdown]
# The test cell grades the forward pass: values on the worked example and on
# overlapping windows, the dtype, the default `pool_size=2, stride=2`, and the
# `ValueError`s for a pool that does not fit and for a stride of 0 (their
# messages name the offending values).

# %% nbgrader={"grade": true, "grade_id": "max_forward", "locked": true, "points": 10, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise4", [
    "max pool forward, worked example",
    "max pool forward, 2x2 stride 2",
    "max pool forward, pool 3 stride 1 (overlapping)",
    "max pool forward, pool 3 stride 2 (overlapping, stride does not divide)",
    "max pool forward, batch of 1, non-square input",
    "max pool forward keeps float32",
    "max pool forward, default pool_size and stride",
    "max pool rejects a pool larger than the input",
    "max pool rejects stride 0",
    "max pool rejects pool_size 0",
])

# %% [markdown]
# ## 3. Max pooling, backward: the gradient is routed
#
# Suppose first that every window has **one** largest value, at offset
# $(p^*_{ij}, q^*_{ij})$ (the offset depends on $n$ and $c$ too; we leave
# them out of the subscript). Move $x$ by less than the gap between that
# largest value and the runner-up and the winner stays the winner, so near $x$
#
# $$ out[n, c, i, j] = x[n, c,\, i s + p^*_{ij},\, j s + q^*_{ij}] , $$
#
# a mere *selection*, linear in $x$. Its partial derivatives are $1$ for the
# winner and $0$ for every other input:
#
# $$ \frac{\partial\, out[n, c, i, j]}{\partial x[n', c', y, x]} = \begin{cases} 1 & \text{if } (n', c', y, x) = (n, c,\, i s + p^*_{ij},\, j s + q^*_{ij}) , \\ 0 & \text{otherwise.} \end{cases} $$
#
# The chain rule sums over every output an input feeds:
#
# $$ dx[n, c, y, x] = \sum_{i, j} dout[n, c, i, j]\; \frac{\partial\, out[n, c, i, j]}{\partial x[n, c, y, x]} = \sum_{(i, j)\,:\; (y, x) \text{ wins window } (i, j)} dout[n, c, i, j] . $$
#
# Shapes: $dout$ is $(N, C, H', W')$, $dx$ is $(N, C, H, W)$ like $x$. Per
# image and channel the Jacobian is an $(H' W') \times (H W)$ matrix with a
# single $1$ in each row, and $dx = J^\top dout$ reads: **each window hands its
# $dout$ to its winner, and nothing to the others.** Two consequences:
#
# - With $k = s$ (no overlap), each input is in one window: the winner gets
#   that window's $dout$, the $k^2 - 1$ others get $0$. For $2 \times 2$
#   pooling the gradient **reaches one input per window**, a quarter of the
#   map; the three quarters that were thrown away learn nothing from this loss.
# - With $s < k$ (overlap), one input can win several windows. Its gradient is
#   the **sum** of their $dout$s: in code, `dx[...] += ...`, never `=`.
#
# Every window hands on exactly its $dout$, so $\sum dx = \sum dout$.
#
# **The worked example backward**, with $dout = \begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}$:
# the winners are $(1, 1), (1, 3), (2, 0), (3, 3)$, so
#
# $$ dx = \begin{bmatrix} 0 & 0 & 0 & 0 \\ 0 & 1 & 0 & 2 \\ 3 & 0 & 0 & 0 \\ 0 & 0 & 0 & 4 \end{bmatrix}, \qquad \textstyle\sum dx = 10 = \sum dout . $$
#
# **Overlap**, by hand: a $4 \times 4$ map whose largest value, $9$, sits at
# $(1, 2)$, pooled with $k = 3$, $s = 1$. The output is $2 \times 2$ and all
# four windows contain $(1, 2)$, so it wins all four: $dx[1, 2] = 1 + 2 + 3 + 4 = 10$.

# %%
def max_backward_loops(dout, x, k, s):
    """dx of max pooling for one 2-D map, as loops: each window adds its dout to its first maximum (row-major)."""
    dx = np.zeros_like(x)
    for i, j in np.ndindex(dout.shape):
        window = x[i * s: i * s + k, j * s: j * s + k]
        p, q = np.unravel_index(np.argmax(window), window.shape)
        dx[i * s + p, j * s + q] += dout[i, j]  # += : overlapping windows may share a winner
    return dx


dout_example = np.array([[1.0, 2], [3, 4]])
dx_example = max_backward_loops(dout_example, example, 2, 2)
expected = np.zeros((4, 4))
expected[1, 1], expected[1, 3], expected[2, 0], expected[3, 3] = 1, 2, 3, 4
assert np.array_equal(dx_example, expected) and dx_example.sum() == 10

# The Jacobian of one map, built only to check dx = J^T dout (a layer never builds it): one 1 per row.
J = np.zeros((4, 16))
for i, j in np.ndindex(2, 2):
    p, q = np.unravel_index(np.argmax(example[2 * i: 2 * i + 2, 2 * j: 2 * j + 2]), (2, 2))
    J[i * 2 + j, (2 * i + p) * 4 + (2 * j + q)] = 1  # row: window (i, j); column: its winner, flattened
assert np.array_equal(J.sum(axis=1), np.ones(4)) and np.array_equal(J @ example.ravel(), [6, 8, 3, 4])
assert np.array_equal((J.T @ dout_example.ravel()).reshape(4, 4), dx_example)

# Overlap: (1, 2) wins all four 3x3 windows of a 4x4 map and collects 1 + 2 + 3 + 4.
overlap = rng.permutation(16).reshape(4, 4) / 2.0  # distinct values in [0, 7.5]
overlap[1, 2] = 9.0
dx_overlap = max_backward_loops(dout_example, overlap, 3, 1)
assert dx_overlap[1, 2] == 10 and np.count_nonzero(dx_overlap) == 1

# Against centred differences, with distinct values (gaps of 0.01, far above eps): one clear winner per window.
for (H, W), k, s in [((4, 4), 2, 2), ((5, 6), 3, 1), ((6, 7), 3, 2), ((7, 5), 2, 3)]:
    x = rng.permutation(H * W).reshape(H, W) * 0.01
    dout = rng.standard_normal((size_out(H, k, s), size_out(W, k, s)))
    dx = max_backward_loops(dout, x, k, s)
    assert np.allclose(dx, numerical_gradient(lambda: np.sum(dout * pool_loops(x, k, s, np.max)), x), atol=1e-8)
    assert np.isclose(dx.sum(), dout.sum())  # every window hands on exactly its dout
    if k == s:
        assert np.count_nonzero(dx) == dout.size  # the gradient reaches one input per window
print("dx =\n", dx_example)

# %% [markdown]
# ### Ties: where max is not differentiable
#
# Now let a window hold its largest value $m$ at $t \ge 2$ places, say the
# first window of
#
# $$ x = \begin{bmatrix} 1 & 3 & 3 & 0 \\ 3 & 2 & 0 & 0 \\ 2 & 2 & 5 & 5 \\ 2 & 1 & 5 & 5 \end{bmatrix} , $$
#
# $\{1, 3, 3, 2\}$, with $3$ at $(0, 1)$ and at $(1, 0)$. Write $f$ for the max
# of the window and nudge its entries by a small $h > 0$:
#
# - raise **any one** of the tied maxima by $h$: it alone is the max, and
#   $f$ rises by $h$;
# - lower any one of them by $h$: the other one still holds $m$, and $f$ does
#   not move. So the partial derivative with respect to a tied maximum does
#   not exist: it is $1$ from the right and $0$ from the left. Max is **not
#   differentiable** at a tie, and "the gradient" there is a convention;
# - raise **all of them together** by $h$: $f$ rises by $h$ too (and falls by
#   $h$ if they all go down by $h$).
#
# What can a backward pass return? The last line decides it. In the direction
# $v$ that moves all $t$ tied maxima together, $f$ changes by exactly $h$ in both
# directions, so any $g$ that deserves the name must predict that: $g \cdot v = 1$,
# the shares $g_1, \dots, g_t$ of the tied maxima must **add up to 1** (times
# $dout$, for $L = dout \cdot f$). Precisely: max is convex, and its
# subgradients at a tie are the splits $g = \sum_r \lambda_r e_r$ with
# $\lambda_r \ge 0$ and $\sum_r \lambda_r = 1$: every $g$ with
# $f(x + d) \ge f(x) + g \cdot d$ for all $d$. So **any split of $dout$ among the
# tied maxima whose shares add up to $dout$ (each of the same sign as $dout$)
# is a valid (sub)gradient**: all of it to the first, all to the last, half to
# each. What is *not* valid is giving **all of $dout$ to each** of them: its
# shares add up to $t \cdot dout$, and it predicts that moving the tied maxima
# together by $h$ changes the loss by $t\, h\, dout$, when it changes by
# $h\, dout$.
#
# cnnlab picks one split, as PyTorch does: the whole $dout$ goes to the **first
# maximum in row-major order**, the one `np.argmax` finds in the flattened
# window. (cnnlab's own test suite checks that `torch.nn.functional.max_pool2d`
# breaks ties the same way, in `tests/solutions/test_pooling.py`,
# `test_torch_breaks_max_pool_ties_the_same_way`. With PyTorch installed you can
# see it on the tied example below: `x = torch.tensor(tied_x).reshape(1, 1, 4, 4).requires_grad_()`,
# `max_pool2d(x, 2, 2).backward(torch.tensor(dout_example).reshape(1, 1, 2, 2))`,
# then `x.grad`.) A fixed convention makes every implementation give the same $dx$,
# which is what lets the grader compare yours with the reference. In the
# example, with $dout = \begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}$: window
# $(0, 0)$ sends $1$ to $(0, 1)$, not $(1, 0)$; window $(0, 1)$ has one max,
# $3$ at $(0, 2)$; window $(1, 0)$ ties three $2$s and sends $3$ to $(2, 0)$;
# window $(1, 1)$ ties four $5$s and sends $4$ to $(2, 2)$. $dx$ is $1, 2, 3, 4$
# there and $0$ elsewhere.
#
# One more consequence: a centred difference at a tie sees
# $(f(x + h e_r) - f(x - h e_r)) / 2h = (h - 0)/2h = \tfrac12$ for each tied
# maximum, the average of the two one-sided slopes, and no gradient at all. That
# is why the grader's gradient checks use distinct values.

# %%
window = np.array([[1.0, 3], [3, 2]])  # the first window of the tied example: 3 at (0, 1) and (1, 0)
tied = [(0, 1), (1, 0)]
f = lambda a: a.max()  # noqa: E731
h = 1e-3
for r in tied:
    up, down = window.copy(), window.copy()
    up[r] += h
    down[r] -= h
    assert np.isclose(f(up) - f(window), h)  # raising any one tied maximum raises the max by h
    assert f(down) == f(window)  # lowering one leaves the other: no change, so no derivative
    assert np.isclose((f(up) - f(down)) / (2 * h), 0.5)  # the centred difference sees the average slope
v = np.zeros((2, 2))
v[0, 1] = v[1, 0] = 1.0  # all the tied maxima together
assert np.isclose(f(window + h * v) - f(window), h) and np.isclose(f(window - h * v) - f(window), -h)

# Splits of dout = 1 among the tied maxima, as candidate gradients g (a 2x2 array like the window).
def split(first, second):
    g = np.zeros((2, 2))
    g[0, 1], g[1, 0] = first, second
    return g


def predicts(g):
    """Does g predict the change along v (both maxima moved by h)?"""
    return np.isclose(np.sum(g * h * v), f(window + h * v) - f(window))


def subgradient(g, trials=2000):
    """Does f(x + d) >= f(x) + g . d hold for many random small d?"""
    d = rng.uniform(-1, 1, (trials, 2, 2)) * h
    return bool(np.all(np.max(window + d, axis=(1, 2)) >= f(window) + np.sum(g * d, axis=(1, 2)) - 1e-15))


for first in [1.0, 0.0, 0.5, 0.3]:  # to the first, to the last, half each, any split adding up to 1
    assert predicts(split(first, 1 - first)) and subgradient(split(first, 1 - first))
assert not predicts(split(1.0, 1.0)) and not subgradient(split(1.0, 1.0))  # all to each: shares add up to 2
assert np.isclose(np.sum(split(1.0, 1.0) * h * v), 2 * h)  # it predicts twice the real change
assert predicts(split(2.0, -1.0)) and not subgradient(split(2.0, -1.0))  # adding up is needed, signs too

# The convention: the first maximum in row-major order, on the tied example.
tied_x = np.array([[1.0, 3, 3, 0], [3, 2, 0, 0], [2, 2, 5, 5], [2, 1, 5, 5]])
dx_tied = max_backward_loops(dout_example, tied_x, 2, 2)
expected = np.zeros((4, 4))
expected[0, 1], expected[0, 2], expected[2, 0], expected[2, 2] = 1, 2, 3, 4
assert np.array_equal(dx_tied, expected)
assert np.argmax(window) == 1 and np.unravel_index(1, (2, 2)) == (0, 1)  # np.argmax: the first of the ties

print("dx on the tied example =\n", dx_tied)

# %% [markdown]
# Your `max_pool_backward` on the worked example and on the tied example:

# %%
for name, x in [("worked example", example), ("tied example", tied_x)]:
    result = attempt("max_pool_forward", x.reshape(1, 1, 4, 4), pool_size=2, stride=2)
    grads = attempt("max_pool_backward", dout_example.reshape(1, 1, 2, 2), result[1]) if result is not None else None
    if grads is not None:
        print(f"{name}: dx =\n{grads[0, 0]}")

# %% [markdown]
# The test cell grades the backward pass: the worked example, overlapping
# windows, ties (to the first maximum, also where tied windows overlap), that
# the entries of $dx$ add up to those of $dout$, a gradient check against
# centred differences of your forward pass (on distinct values), and the dtype.

# %% nbgrader={"grade": true, "grade_id": "max_backward", "locked": true, "points": 12, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise4", [
    "max pool backward, worked example",
    "max pool backward, 2x2 stride 2",
    "max pool backward, pool 3 stride 1 (overlapping)",
    "max pool backward, pool 3 stride 2 (overlapping, stride does not divide)",
    "max pool backward, batch of 1, non-square input",
    "max pool backward, ties go to the first maximum",
    "max pool backward, ties in overlapping windows",
    "max pool gradient adds up to dout",
    "max pool gradient check, pool 3 stride 2",
    "max pool backward keeps float32",
])

# %% [markdown]
# ### Pooling a feature map, and the gradient routed back
#
# A vertical-edge map of the photograph of Grace Hopper that ships with
# matplotlib (nothing is downloaded): the magnitude of the response to the
# kernel with rows $[1, 0, -1]$ of exercise 3. $2 \times 2$ max pooling halves
# each side and keeps the strongest edge of every block; average pooling
# blurs the edges as it shrinks them. Below, on a $24 \times 24$ crop, the
# gradient that comes back when $dout$ is all ones: max pooling sends it to one
# pixel of every $2 \times 2$ block, the strongest response, and to none of the
# other three; average pooling gives each of the four a quarter.

# %%
def corr2d(x, w, pad=0):
    """out[i, j] = sum_{p, q} xp[i + p, j + q] w[p, q] (stride 1), the cross-correlation of exercise 3."""
    xp = np.pad(x, pad)
    HH, WW = w.shape
    out = np.zeros((xp.shape[0] - HH + 1, xp.shape[1] - WW + 1))
    for p, q in np.ndindex(HH, WW):
        out += w[p, q] * xp[p: p + out.shape[0], q: q + out.shape[1]]
    return out


with cbook.get_sample_data("grace_hopper.jpg") as file:
    photo = plt.imread(file).mean(axis=2)[::2, ::2] / 255.0  # (300, 256) grey levels in [0, 1]
edge_map = np.abs(corr2d(photo, np.tile([1.0, 0, -1], (3, 1)), pad=1))  # (300, 256)
max_pooled = pool_loops(edge_map, 2, 2, np.max)  # (150, 128)
avg_pooled = pool_loops(edge_map, 2, 2, np.mean)
assert max_pooled.shape == avg_pooled.shape == (150, 128) and np.all(max_pooled >= avg_pooled)

top, left = 110, 120
crop = edge_map[top: top + 24, left: left + 24]  # (24, 24)
dx_max = max_backward_loops(np.ones((12, 12)), crop, 2, 2)
dx_avg = np.kron(np.ones((12, 12)), np.full((2, 2), 0.25))  # each input gets dout / 4 (derived in section 4)
assert np.count_nonzero(dx_max) == 144 and dx_max.sum() == dx_avg.sum() == 144

fig, axes = plt.subplots(2, 3, figsize=(12, 8.5))
for ax, picture, title in zip(axes[0], [edge_map, max_pooled, avg_pooled],
                              ["|vertical edges|, 300 x 256", "2x2 max pool, 150 x 128", "2x2 average pool"]):
    ax.imshow(picture, cmap="magma", vmax=0.6)
    ax.set_title(title)
    ax.axis("off")
axes[0, 0].add_patch(Rectangle((left - 0.5, top - 0.5), 24, 24, fill=False, edgecolor="cyan", linewidth=1.5))
for ax, picture, title in zip(axes[1], [crop, dx_max, dx_avg],
                              ["the 24 x 24 crop", "max pool: dx for dout = 1 (1 or 0)",
                               "average pool: dx = 1/4 for dout = 1"]):
    ax.imshow(picture, cmap="magma", vmin=0, vmax=None if picture is crop else 1)  # dx: one scale, 0 to 1
    ax.set_title(title)
    ax.set_xticks(np.arange(-0.5, 24, 2), labels=[])
    ax.set_yticks(np.arange(-0.5, 24, 2), labels=[])
    ax.grid(color="white", linewidth=0.4)
plt.show()

# %% [markdown]
# Your functions on the same edge map:

# %%
result = attempt("max_pool_forward", edge_map.reshape(1, 1, 300, 256))
grads = attempt("max_pool_backward", np.ones((1, 1, 150, 128)), result[1]) if result is not None else None
if grads is not None:
    same = np.allclose(result[0][0, 0], max_pooled) and np.allclose(
        grads[0, 0], max_backward_loops(np.ones((150, 128)), edge_map, 2, 2))
    print("your max pooling routes the gradient as above" if same else
          "your output or dx differs from the loops above: compare them on a small map first")

# %% [markdown]
# ## 4. Average pooling: a fixed convolution
#
# Average pooling keeps the mean of each window:
#
# $$ out[n, c, i, j] = \frac{1}{k^2} \sum_{p=0}^{k-1} \sum_{q=0}^{k-1} x[n, c, i s + p, j s + q], \qquad (N, C, H, W) \to (N, C, H', W') . $$
#
# That is the convolution layer of exercise 3 with padding $0$, stride $s$, bias
# $0$ and a **fixed** weight $w$ of shape $(C, C, k, k)$: the kernel of ones
# divided by $k^2$, **per channel**, $w[f, c, p, q] = \delta_{fc} / k^2$
# (zero when $f \ne c$: a channel is never mixed with another). Substituting into
# exercise 3's forward formula,
#
# $$ \sum_{c} \sum_{p, q} x[n, c, i s + p, j s + q]\, \frac{\delta_{fc}}{k^2} = \frac{1}{k^2} \sum_{p, q} x[n, f, i s + p, j s + q] . $$
#
# **Backward.** Exercise 3's $dx$ formula (no padding to crop) with this $w$:
#
# $$ dx[n, c, y, x] = \sum_f \sum_{(i, j)\,:\, 0 \le y - i s < k,\ 0 \le x - j s < k} dout[n, f, i, j]\, \frac{\delta_{fc}}{k^2} = \sum_{(i, j)\,:\; (y, x) \in \text{window}(i, j)} \frac{dout[n, c, i, j]}{k^2} . $$
#
# Directly: $\partial\, out[n, c, i, j] / \partial x[n, c, y, x] = 1/k^2$ for
# every input of the window and $0$ outside it. So each window **spreads
# $dout / k^2$ over its $k^2$ inputs**; an input in several overlapping windows
# collects a share from each, one in no window gets $0$. A window hands on
# $k^2 \cdot dout/k^2 = dout$: again $\sum dx = \sum dout$. Unlike max pooling,
# $dx$ does not depend on the values of $x$ (the layer is linear), so the cache
# needs only the shape.
#
# **The worked example**: the means are $(1 + 1 + 5 + 6)/4 = 3.25$,
# $(2 + 4 + 7 + 8)/4 = 5.25$, $(3 + 2 + 1 + 2)/4 = 2$ and
# $(1 + 0 + 3 + 4)/4 = 2$:
#
# $$ \text{avgpool}(x) = \begin{bmatrix} 3.25 & 5.25 \\ 2 & 2 \end{bmatrix}, \qquad dx = \frac14 \begin{bmatrix} 1 & 1 & 2 & 2 \\ 1 & 1 & 2 & 2 \\ 3 & 3 & 4 & 4 \\ 3 & 3 & 4 & 4 \end{bmatrix} \text{ for } dout = \begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix} . $$

# %%
def avg_backward_loops(dout, x_shape, k, s):
    """dx of average pooling for one 2-D map, as loops: each window adds dout / k^2 to each of its inputs."""
    dx = np.zeros(x_shape)
    for i, j in np.ndindex(dout.shape):
        dx[i * s: i * s + k, j * s: j * s + k] += dout[i, j] / k**2
    return dx


def conv_loops(x, w, stride):
    """Exercise 3's convolution forward without bias or padding, (N, C, H, W) and (F, C, k, k) to (N, F, H', W')."""
    (N, C, H, W), (F, _, k, _) = x.shape, w.shape
    out = np.zeros((N, F, size_out(H, k, stride), size_out(W, k, stride)))
    for n, f, i, j in np.ndindex(out.shape):
        out[n, f, i, j] = np.sum(x[n, :, i * stride: i * stride + k, j * stride: j * stride + k] * w[f])
    return out


def averaging_kernel(C, k):
    """w of shape (C, C, k, k): ones / k^2 from channel c to channel c, zero between different channels."""
    return np.einsum("fc,pq->fcpq", np.eye(C), np.full((k, k), 1.0 / k**2))


assert np.array_equal(pool_loops(example, 2, 2, np.mean), [[3.25, 5.25], [2, 2]])
assert np.array_equal(avg_backward_loops(dout_example, (4, 4), 2, 2),
                      np.array([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]) / 4)

for (N, C, H, W), k, s in [((2, 3, 4, 6), 2, 2), ((2, 2, 5, 6), 3, 1), ((1, 2, 6, 7), 3, 2)]:
    x = rng.standard_normal((N, C, H, W))
    pooled = np.array([[pool_loops(x[n, c], k, s, np.mean) for c in range(C)] for n in range(N)])
    assert np.allclose(conv_loops(x, averaging_kernel(C, k), s), pooled)  # average pooling is this convolution
    dout = rng.standard_normal(pooled.shape)
    dx = np.array([[avg_backward_loops(dout[n, c], (H, W), k, s) for c in range(C)] for n in range(N)])
    assert np.allclose(dx, numerical_gradient(lambda: np.sum(dout * conv_loops(x, averaging_kernel(C, k), s)), x),
                       atol=1e-8)  # dout / k^2 spread over each window is the convolution's dx
    assert np.isclose(dx.sum(), dout.sum())
    if (H - k) % s:  # the rows no window reads get nothing
        assert np.all(dx[:, :, H - (H - k) % s:, :] == 0)
print("average pooling = convolution with ones / k^2 per channel; dx = dout / k^2 spread over each window")

# %% [markdown]
# Your `avg_pool_forward` and `avg_pool_backward` on the worked example:

# %%
result = attempt("avg_pool_forward", example.reshape(1, 1, 4, 4), pool_size=2, stride=2)
grads = attempt("avg_pool_backward", dout_example.reshape(1, 1, 2, 2), result[1]) if result is not None else None
if result is not None:
    print("out =\n", result[0][0, 0])
if grads is not None:
    print("dx =\n", grads[0, 0])

# %% nbgrader={"grade": true, "grade_id": "avg_forward", "locked": true, "points": 9, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise4", [
    "avg pool forward, worked example",
    "avg pool forward, 2x2 stride 2",
    "avg pool forward, pool 3 stride 1 (overlapping)",
    "avg pool forward, pool 3 stride 2 (overlapping, stride does not divide)",
    "avg pool forward keeps float32",
    "avg pool forward, default pool_size and stride",
    "avg pool rejects a pool larger than the input",
    "avg pool rejects an input that is not 4-D",
    "avg pool rejects pool_size 0",
])

# %% nbgrader={"grade": true, "grade_id": "avg_backward", "locked": true, "points": 7, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise4", [
    "avg pool backward, 2x2 stride 2",
    "avg pool backward, pool 3 stride 1 (overlapping)",
    "avg pool backward, pool 3 stride 2 (overlapping, stride does not divide)",
    "avg pool gradient adds up to dout",
    "avg pool gradient check, pool 3 stride 1",
    "avg pool backward keeps float32",
])

# %% [markdown]
# ## 5. The hidden tests
#
# When your notebook is graded, hidden tests run forward values, backward values
# (with overlapping windows and planted ties) and gradient checks on fresh
# random shapes, pool sizes and strides.

# %% nbgrader={"grade": true, "grade_id": "hidden", "locked": true, "points": 7, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: fresh random shapes, pool sizes and strides, run when your notebook is graded.
### BEGIN HIDDEN TESTS
from autograder.report.notebook import grade_cell

grade_cell("exercise4", [
    "max pool forward, fresh random shapes",
    "max pool backward, fresh random shapes",
    "max pool gradient check, fresh random shapes",
    "max pool backward with ties, fresh random shapes",
    "avg pool forward, fresh random shapes",
    "avg pool backward, fresh random shapes",
    "avg pool gradient check, fresh random shapes",
], hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## 6. Receptive fields grow through the layers
#
# The **receptive field** of a unit is the set of input pixels that can change
# it. Stack layers $1, \dots, L$, layer $l$ with a $k_l \times k_l$ window and
# stride $s_l$ (a convolution or a pooling, no padding), and follow one axis.
# Let $r_l$ be the side of the receptive field of a unit of layer $l$, and
# $j_l$ the distance, in input pixels, between neighbouring units of layer $l$
# (their "jump"). The input itself has $r_0 = 1$, $j_0 = 1$. A unit of layer $l$
# reads $k_l$ neighbouring units of layer $l - 1$; their receptive fields, each
# $r_{l-1}$ wide, start $j_{l-1}$ apart, so together they span
#
# $$ r_l = r_{l-1} + (k_l - 1)\, j_{l-1}, \qquad j_l = j_{l-1}\, s_l . $$
#
# Unit $i$ of layer $l$ sees input pixels $i\, j_l, \dots, i\, j_l + r_l - 1$.
# A $3 \times 3$ convolution with stride 1 adds $2 j$; a $2 \times 2$ pooling
# with stride 2 adds $j$ and **doubles the jump**, so every convolution after it
# grows the field twice as fast. For conv 3x3 → pool 2x2 → conv 3x3 → pool 2x2
# → conv 3x3 → pool 2x2 → conv 3x3:
#
# | after | $k$ | $s$ | $r$ | $j$ |
# |---|---|---|---|---|
# | input | | | 1 | 1 |
# | conv 3x3 | 3 | 1 | 1 + 2·1 = 3 | 1 |
# | pool 2x2 | 2 | 2 | 3 + 1·1 = 4 | 2 |
# | conv 3x3 | 3 | 1 | 4 + 2·2 = 8 | 2 |
# | pool 2x2 | 2 | 2 | 8 + 1·2 = 10 | 4 |
# | conv 3x3 | 3 | 1 | 10 + 2·4 = 18 | 4 |
# | pool 2x2 | 2 | 2 | 18 + 1·4 = 22 | 8 |
# | conv 3x3 | 3 | 1 | 22 + 2·8 = 38 | 8 |
#
# Four $3 \times 3$ convolutions alone would see $1 + 4 \cdot 2 = 9$ pixels; with
# the three poolings between them, $38$.
#
# The check below runs the seven layers on a $64 \times 64$ input
# ($64 \to 62 \to 31 \to 29 \to 14 \to 12 \to 6 \to 4$) with all-ones kernels and
# average pooling, and backpropagates $dout$ with a single 1, at unit $(1, 1)$
# of the last layer. All weights are positive, so nothing cancels: the pixels
# with $dx \ne 0$ are exactly the receptive field, a $38 \times 38$ square from
# row and column $1 \cdot 8 = 8$ to $45$. With max pooling instead, the
# gradient of the same unit passes each pooling only through the winners of
# its windows, and reaches only a part of its receptive field (about two
# thirds here: the convolutions below each pooling spread it out again). The
# field says what *can* change the unit; the gradient, what does at this input.

# %%
def conv_ones_backward(dout, k):
    """dx of a k x k all-ones convolution (stride 1, no padding) of one 2-D map: each output adds dout to its window."""
    dx = np.zeros((dout.shape[0] + k - 1, dout.shape[1] + k - 1))
    for i, j in np.ndindex(dout.shape):
        dx[i: i + k, j: j + k] += dout[i, j]
    return dx


layers = [("conv", 3, 1), ("pool", 2, 2)] * 3 + [("conv", 3, 1)]
r, jump, fields = 1, 1, [1]
for kind, k, s in layers:
    r, jump = r + (k - 1) * jump, jump * s
    fields.append(r)
assert fields == [1, 3, 4, 8, 10, 18, 22, 38] and jump == 8
assert 1 + 4 * (3 - 1) == 9  # four 3x3 convolutions without pooling

# Forward through the layers, keeping each input, then backward from one output unit.
x = rng.standard_normal((64, 64))
maps = [x]
for kind, k, s in layers:
    maps.append(corr2d(maps[-1], np.ones((k, k))) if kind == "conv" else pool_loops(maps[-1], k, s, np.mean))
assert [m.shape[0] for m in maps] == [64, 62, 31, 29, 14, 12, 6, 4]


def backward_from(unit, max_pool):
    """dx of maps[-1][unit] through the seven layers, with average or max pooling (max: as routed in maps)."""
    grad = np.zeros(maps[-1].shape)
    grad[unit] = 1.0
    for (kind, k, s), below in zip(reversed(layers), reversed(maps[:-1])):
        if kind == "conv":
            grad = conv_ones_backward(grad, k)
        elif max_pool:
            grad = max_backward_loops(grad, below, k, s)
        else:
            grad = avg_backward_loops(grad, below.shape, k, s)
    return grad


weights = backward_from((1, 1), max_pool=False)
rows, cols = np.nonzero(weights)
assert (rows.min(), rows.max(), cols.min(), cols.max()) == (8, 45, 8, 45)  # i j_L to i j_L + r_L - 1
assert np.count_nonzero(weights) == 38 * 38 and np.all(weights >= 0)

# The same stack with max pooling: the forward maps change, the receptive field does not.
maps = [x]
for kind, k, s in layers:
    maps.append(corr2d(maps[-1], np.ones((k, k))) if kind == "conv" else pool_loops(maps[-1], k, s, np.max))
routed = backward_from((1, 1), max_pool=True)
assert np.all(weights[routed != 0] > 0) and 0 < np.count_nonzero(routed) < 38 * 38  # a part of the field
print(f"receptive fields {fields}; with max pooling the gradient of unit (1, 1) reaches "
      f"{np.count_nonzero(routed)} of its {38 * 38} pixels")

fig, axes = plt.subplots(1, 3, figsize=(13, 4))
names = ["input"] + [f"{kind} {k}x{k}" for kind, k, s in layers]
axes[0].plot(range(len(fields)), fields, marker="o")
for depth, size in enumerate(fields):
    axes[0].annotate(str(size), (depth, size), textcoords="offset points", xytext=(-4, 6))
axes[0].set_xticks(range(len(fields)), names, rotation=45, ha="right")
axes[0].set_ylabel("receptive field side r (pixels)")
axes[0].set_title("r grows by (k - 1) j; pooling doubles j")
axes[1].imshow(weights, cmap="viridis")
axes[1].add_patch(Rectangle((7.5, 7.5), 38, 38, fill=False, edgecolor="white"))
axes[1].set_title("avg pooling: dx of unit (1, 1), 38 x 38")
axes[2].imshow(routed != 0, cmap="gray_r")
axes[2].add_patch(Rectangle((7.5, 7.5), 38, 38, fill=False, edgecolor="red"))
axes[2].set_title(f"max pooling: {np.count_nonzero(routed)} pixels get a gradient")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Check yourself
#
# The same tests, outside the notebook, in a terminal opened in this folder:
#
# ```bash
# cnnlab check exercise4 --path .    # every public test, with the feedback of each failure
# cnnlab watch --path .              # reruns the check every time you save pooling.py
# ```
#
# In a clone of cnnlab, where your modules live in `exercises/`, drop the
# `--path .`.
