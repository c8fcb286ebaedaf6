# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercise 3: Convolution, derived
#
# You will implement `conv_output_shape`, `conv_forward` and `conv_backward` in
# **`convolution.py`**, the module beside this notebook. This notebook derives
# what those functions compute, step by step, and checks every formula and
# every number it writes down with a few lines of NumPy. The grey test cells
# run cnnlab's grader on your `convolution.py`, the same grader as
# `cnnlab check exercise3`: same tests, same points, same feedback.
#
# Edit `convolution.py` in any editor, save it, and rerun a test cell.
#
# Notation. A loss $L$ is a scalar. For any array $a$ that $L$ depends on,
# $da$ is the array of the same shape holding $\partial L / \partial a$. A
# layer's backward pass receives $dout = \partial L / \partial out$ and returns
# $dx$, $dw$, $db$.

# %%
import importlib

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import cbook

import convolution  # your module, beside this notebook

rng = np.random.default_rng(0)


def attempt(function, *args, **kwargs):
    """Call one of your functions from convolution.py, reloaded so that your last save counts.

    Returns None (and says so) while the function still raises NotImplementedError.
    """
    module = importlib.reload(convolution)
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
# ## 1. Convolution in one dimension
#
# Take a signal $x$ of length $L$, a kernel $w$ of length $K$, a bias $b$, a
# stride $s$ and a padding $P$: $x_p$ is $x$ with $P$ zeros added at both ends,
# so it has length $L + 2P$. The layer computes
#
# $$ y[i] = b + \sum_{p=0}^{K-1} x_p[i s + p]\, w[p], \qquad i = 0, \dots, L' - 1. $$
#
# Window $i$ starts at $i s$ and ends at $i s + K - 1$; it must fit inside $x_p$:
# $i s + K - 1 \le L + 2P - 1$, so $i \le (L + 2P - K)/s$ and
#
# $$ L' = \left\lfloor \frac{L + 2P - K}{s} \right\rfloor + 1 . $$
#
# The floor is there because a window that does not fit entirely is not used.
# With $L = 7$, $K = 3$, $P = 1$ and $s = 2$: $L' = \lfloor 6 / 2 \rfloor + 1 = 4$;
# with $L = 8$ instead, $L' = \lfloor 7/2 \rfloor + 1 = 4$ too: the windows start
# at $0, 2, 4, 6$ of $x_p$ and end at $8$, so the last entry of $x_p$ (a padding
# zero, index $9$) is never read.
#
# **Cross-correlation, not convolution.** In signal processing, the convolution of
# $x$ with $w$ is $(x * w)[i] = \sum_p x[i - p]\, w[p]$: the index of $x$ runs
# *backwards* while $p$ runs forwards, which is the same as sliding the kernel
# reversed, $w[K-1-p]$. The formula above slides $w$ as it is: that is a
# cross-correlation. Every deep-learning framework computes the
# cross-correlation and calls it convolution. For a learnt kernel it makes no
# difference (the network would simply learn the reversed kernel), but for a
# given kernel the two answers differ, as we will see.
#
# A small example: $x = [4, 3, 2, 1, 0]$ and $w = [1, 0, -1]$, $s = 1$, $P = 0$:
# $y[0] = 4 \cdot 1 + 3 \cdot 0 + 2 \cdot (-1) = 2$, and every window gives
# $2$, so $y = [2, 2, 2]$ ($L' = 3$). The reversed kernel $[-1, 0, 1]$ gives
# $[-2, -2, -2]$.

# %%
def corr1d(x, w, stride=1, pad=0):
    """y[i] = sum_p xp[i s + p] w[p]: the definition, written as loops (bias left out)."""
    xp = np.pad(x, pad)
    L_out = (len(xp) - len(w)) // stride + 1
    return np.array([sum(xp[i * stride + p] * w[p] for p in range(len(w))) for i in range(L_out)])


def length_out(L, K, stride, pad):
    return (L + 2 * pad - K) // stride + 1


assert length_out(7, 3, 2, 1) == 4 and length_out(8, 3, 2, 1) == 4
assert [i * 2 for i in range(4)] == [0, 2, 4, 6] and 6 + 3 - 1 == 8 < 8 + 2 * 1 - 1  # the last window ends at 8 of 0..9
assert len(corr1d(np.ones(7), np.ones(3), 2, 1)) == 4 and len(corr1d(np.ones(8), np.ones(3), 2, 1)) == 4

x1 = np.array([4.0, 3, 2, 1, 0])
w1 = np.array([1.0, 0, -1])
assert np.array_equal(corr1d(x1, w1), [2, 2, 2])
assert np.array_equal(corr1d(x1, w1[::-1]), [-2, -2, -2])
# The textbook convolution, sum_p x[i - p] w[p], over the positions where the kernel fits: the reversed kernel.
true_conv = np.convolve(x1, w1, mode="valid")
assert np.array_equal(true_conv, [-2, -2, -2])
print("y =", corr1d(x1, w1), "  true convolution:", true_conv)

# %% [markdown]
# ### Backward in one dimension: the chain rule as a sum
#
# The loss depends on $x$ only through the outputs $y[i]$. The chain rule for
# a scalar $L$ sums over **every output that an input feeds**:
#
# $$ dx_p[t] = \frac{\partial L}{\partial x_p[t]} = \sum_i \frac{\partial L}{\partial y[i]}\,\frac{\partial y[i]}{\partial x_p[t]} = \sum_i dout[i]\, \frac{\partial y[i]}{\partial x_p[t]} . $$
#
# The matrix $J[i, t] = \partial y[i] / \partial x_p[t]$ is the Jacobian of the
# layer, of shape $(L', L + 2P)$, and the sum is the **vector-Jacobian product**
# $dx_p = J^\top dout$. No layer builds $J$: almost all of it is zero. From the
# forward formula, $y[i]$ depends on $x_p[t]$ only when $t = i s + p$ for some
# $0 \le p < K$, with $\partial y[i] / \partial x_p[t] = w[t - i s]$, so
#
# $$ dx_p[t] = \sum_{i\,:\, 0 \le t - i s < K} dout[i]\, w[t - i s], \qquad dx[t] = dx_p[t + P] . $$
#
# The same reasoning for the weights: $w[p]$ is used by *every* window, so
#
# $$ dw[p] = \sum_i dout[i]\, x_p[i s + p], \qquad db = \sum_i dout[i] . $$
#
# This is why weight sharing turns into sums: one weight feeds $L'$ outputs, so
# its gradient collects $L'$ terms. In code that is a `+=` into the same `dw[p]`
# (or into overlapping windows of `dxp`), never an `=`: an assignment would
# keep only the last window's share.
#
# Read as loops, $dx_p$ is a **scatter**: for each output $i$, add
# $dout[i]\, w$ into the window $x_p[i s : i s + K]$ that produced it.
# $dw$ is a cross-correlation of the padded input with $dout$ (with $dout$'s
# entries $s$ apart when the stride is $s$), of which the first $K$ entries
# count: when the stride leaves samples over at the end, the correlation would
# run one step further than the kernel is long.

# %%
def backward1d(dout, x, w, stride, pad):
    """dx, dw, db of corr1d + bias, written as the scatter above."""
    xp = np.pad(x, pad)
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i in range(len(dout)):
        dxp[i * stride: i * stride + len(w)] += dout[i] * w
        dw += dout[i] * xp[i * stride: i * stride + len(w)]
    return dxp[pad: pad + len(x)], dw, dout.sum()


x = rng.standard_normal(8)
w = rng.standard_normal(3)
dout = rng.standard_normal(length_out(8, 3, 2, 1))
dx, dw, db = backward1d(dout, x, w, stride=2, pad=1)
# Check against centred differences of L = sum(dout * y), whose gradient with respect to y is dout.
assert np.allclose(dx, numerical_gradient(lambda: np.sum(dout * corr1d(x, w, 2, 1)), x), atol=1e-8)
assert np.allclose(dw, numerical_gradient(lambda: np.sum(dout * corr1d(x, w, 2, 1)), w), atol=1e-8)
assert np.isclose(db, dout.sum())

# The Jacobian, built only to check the claim dx_p = J^T dout (a layer never builds it).
J = np.zeros((len(dout), len(x) + 2))
for i in range(len(dout)):
    J[i, i * 2: i * 2 + 3] = w
assert np.allclose(J @ np.pad(x, 1), corr1d(x, w, 2, 1))
assert np.allclose((J.T @ dout)[1:-1], dx)
# dw is the cross-correlation of the padded input with dout spread out by the stride.
spread = np.zeros(2 * (len(dout) - 1) + 1)
spread[::2] = dout
assert np.allclose(dw, corr1d(np.pad(x, 1), spread)[:3])  # its first K entries
print("1-D backward: scatter, J^T dout and centred differences agree")

# %% [markdown]
# ### dx as a full correlation with the reversed kernel
#
# Take stride 1 first. Substituting $p = t - i$ in the sum for $dx_p$:
#
# $$ dx_p[t] = \sum_{p=0}^{K-1} dout[t - p]\, w[p] , $$
#
# with $dout[\cdot] = 0$ outside $0, \dots, L'-1$. That is a *true convolution*
# of $dout$ with $w$; written as a cross-correlation, pad $dout$ with $K - 1$
# zeros at both ends (a "full" correlation, which visits every overlap of the
# two) and slide the **reversed** kernel $w[K-1-q]$ over it:
#
# $$ dx_p[t] = \sum_{q=0}^{K-1} dout_{\text{full}}[t + q]\, w[K - 1 - q], \qquad dout_{\text{full}} = [\underbrace{0, \dots, 0}_{K-1}, dout, \underbrace{0, \dots, 0}_{K-1}] . $$
#
# With a stride $s$, output $i$ sits at position $i s$ of the input, so first
# **spread $dout$ out**: put $s - 1$ zeros between neighbouring entries. The
# full correlation of the spread $dout$ with the reversed kernel has length
# $s(L' - 1) + K$; when the stride does not divide $L + 2P - K$, the last
# $(L + 2P - K) \bmod s$ samples of $x_p$ fed no window and get zero. Finally,
# **crop the padding**: $dx = dx_p[P : P + L]$.

# %%
def full_correlation_dx(dout, w, length, stride, pad):
    """dx as: spread dout by the stride, pad it by K - 1, correlate with the reversed kernel, crop."""
    K = len(w)
    spread = np.zeros(stride * (len(dout) - 1) + 1)
    spread[::stride] = dout
    dxp = corr1d(np.pad(spread, K - 1), w[::-1])  # length s (L' - 1) + K
    dxp = np.pad(dxp, (0, length + 2 * pad - len(dxp)))  # samples no window reached
    return dxp[pad: pad + length]


for L, K, s, P in [(8, 3, 1, 0), (8, 3, 2, 1), (9, 4, 3, 2), (7, 2, 2, 0)]:
    x, w = rng.standard_normal(L), rng.standard_normal(K)
    dout = rng.standard_normal(length_out(L, K, s, P))
    assert np.allclose(full_correlation_dx(dout, w, L, s, P), backward1d(dout, x, w, s, P)[0])
print("1-D: the full correlation with the reversed kernel equals the scatter, for every stride and padding tried")

# %% [markdown]
# ## 2. Convolution in two dimensions, with channels
#
# A batch $x$ of shape $(N, C, H, W)$, filters $w$ of shape $(F, C, HH, WW)$ and
# a bias $b$ of shape $(F,)$. Every filter sees all $C$ channels and produces one
# output channel:
#
# $$ out[n, f, i, j] = b[f] + \sum_{c=0}^{C-1} \sum_{p=0}^{HH-1} \sum_{q=0}^{WW-1} x_p[n, c, i s + p, j s + q]\; w[f, c, p, q] , $$
#
# of shape $(N, F, H', W')$, the size rule of section 1 along each axis:
#
# $$ H' = \left\lfloor \frac{H + 2P - HH}{s} \right\rfloor + 1, \qquad W' = \left\lfloor \frac{W + 2P - WW}{s} \right\rfloor + 1 . $$
#
# `conv_output_shape` computes $(N, F, H', W')$ and refuses what cannot work: a
# kernel larger than the padded input, channel counts that differ, a negative
# padding, a stride below 1. For example $(8, 3, 32, 32)$ with $(16, 3, 5, 5)$, $s = 1$, $P = 2$
# gives $(8, 16, 32, 32)$; $(1, 1, 7, 5)$ with $(2, 1, 3, 2)$, $s = 2$, $P = 1$
# gives $(1, 2, 4, 3)$.
#
# ### The classic example, by hand
#
# The $5 \times 5$ image with every row $[4, 3, 2, 1, 0]$ and the $3 \times 3$
# kernel with every row $[1, 0, -1]$ (a vertical-edge detector), $s = 1$,
# $P = 0$, $b = 0$. The output is $3 \times 3$, and its top-left entry is
#
# $$ out[0, 0] = \underbrace{(4 - 2)}_{\text{row } 0} + \underbrace{(4 - 2)}_{\text{row } 1} + \underbrace{(4 - 2)}_{\text{row } 2} = 4 \cdot 1 + 3 \cdot 0 + 2 \cdot (-1) + 4 \cdot 1 + 3 \cdot 0 + 2 \cdot (-1) + 4 \cdot 1 + 3 \cdot 0 + 2 \cdot (-1) = 6 . $$
#
# Every window sees the same columns shifted, and each row contributes the left
# value minus the right one, $2$: **every output is 6**.
#
# A widely shared tutorial works this very example and prints **10** for
# $out[0, 0]$; its own list of nine products adds up to 6. The same write-up
# calls the operation a 2-D convolution. It is a cross-correlation: a true
# convolution flips the kernel (rows $[-1, 0, 1]$) and gives **$-6$**
# everywhere. With padding $P = 1$ the output is $5 \times 5$,
# $(5 + 2 - 3)/1 + 1 = 5$: "same" padding, $P = (K - 1)/2$ for an odd kernel
# size $K$ and stride 1, keeps the size; $P = 0$ shrinks it to $3 \times 3$.

# %%
def corr2d(x, w, stride=1, pad=0):
    """out[i, j] = sum_{p, q} xp[i s + p, j s + q] w[p, q] for one 2-D image and one 2-D kernel.

    The sum over the kernel offsets (p, q) is the outer loop: each term is a strided slice of xp.
    """
    xp = np.pad(x, pad)
    HH, WW = w.shape
    H_out = (xp.shape[0] - HH) // stride + 1
    W_out = (xp.shape[1] - WW) // stride + 1
    out = np.zeros((H_out, W_out))
    for p in range(HH):
        for q in range(WW):
            out += w[p, q] * xp[p: p + stride * (H_out - 1) + 1: stride, q: q + stride * (W_out - 1) + 1: stride]
    return out


image = np.tile([4.0, 3, 2, 1, 0], (5, 1))  # every row [4, 3, 2, 1, 0]
kernel = np.tile([1.0, 0, -1], (3, 1))  # every row [1, 0, -1]
terms = [image[p, q] * kernel[p, q] for p in range(3) for q in range(3)]
assert terms == [4, 0, -2, 4, 0, -2, 4, 0, -2] and sum(terms) == 6  # the nine products add up to 6, not 10
out = corr2d(image, kernel)
assert out.shape == (3, 3) and np.all(out == 6)
assert np.all(corr2d(image, kernel[::-1, ::-1]) == -6)  # true convolution: the kernel rotated by 180 degrees
padded_out = corr2d(image, kernel, pad=1)
assert padded_out.shape == (5, 5)  # padding 1 keeps the size
assert all(length_out(H, K, 1, (K - 1) // 2) == H for H in range(7, 40) for K in (1, 3, 5, 7))  # "same" padding
print(out)
print("true convolution:", corr2d(image, kernel[::-1, ::-1])[0, 0], "  with padding 1:", padded_out.shape)


# With channels and filters: each output channel sums the 2-D correlations over the input channels.
def conv_channels(x, w, b, stride=1, pad=0):
    """The layer's forward pass, (N, C, H, W) and (F, C, HH, WW) to (N, F, H', W'), built from corr2d."""
    return np.array([[sum(corr2d(x[n, c], w[f, c], stride, pad) for c in range(x.shape[1])) + b[f]
                      for f in range(w.shape[0])] for n in range(x.shape[0])])


def shape_out(x_shape, w_shape, stride, pad):
    (N, C, H, W), (F, _, HH, WW) = x_shape, w_shape
    return (N, F, length_out(H, HH, stride, pad), length_out(W, WW, stride, pad))  # the 1-D rule, along each axis


assert shape_out((8, 3, 32, 32), (16, 3, 5, 5), 1, 2) == (8, 16, 32, 32)
assert shape_out((1, 1, 7, 5), (2, 1, 3, 2), 2, 1) == (1, 2, 4, 3)
assert conv_channels(np.zeros((1, 1, 7, 5)), np.zeros((2, 1, 3, 2)), np.zeros(2), 2, 1).shape == (1, 2, 4, 3)

# %% [markdown]
# Now your `conv_forward` on the same example (it prints a note while the
# function is not written yet):

# %%
result = attempt("conv_forward", image.reshape(1, 1, 5, 5), kernel.reshape(1, 1, 3, 3), np.zeros(1))
if result is not None:
    print(result[0][0, 0])

# %% [markdown]
# The first test cell grades `conv_output_shape` and its refusals (the
# `ValueError`s name the offending values), the second the forward pass.

# %% nbgrader={"grade": true, "grade_id": "output_shape", "locked": true, "points": 10, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise3", [
    "conv_output_shape values",
    "conv_output_shape, odd strides and padding",
    "conv_output_shape rejects a kernel taller than the input",
    "conv_output_shape rejects a kernel wider than the padded input",
    "conv_output_shape rejects different channel counts",
    "conv_forward rejects different channel counts",
    "conv_output_shape rejects stride 0",
    "conv_output_shape rejects pad -1",
    "conv_output_shape rejects an input shape of three entries",
    "conv_forward rejects a bias of the wrong shape",
])

# %% nbgrader={"grade": true, "grade_id": "forward", "locked": true, "points": 11, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise3", [
    "conv forward, worked example (every output is 6)",
    "conv forward, stride 1, pad 0",
    "conv forward, stride 1, pad 1",
    "conv forward, stride 2, pad 1",
    "conv forward, stride that does not divide",
    "conv forward, non-square input and kernel",
    "conv forward, batch of 1, pad 2",
    "conv forward is cross-correlation (one-hot kernel)",
    "conv forward keeps float32",
    "conv forward, default stride and pad",
])

# %% [markdown]
# ### Edges in a photograph
#
# The kernel with rows $[1, 0, -1]$ answers "how much brighter is the left of
# this pixel than its right": large where a vertical edge runs, zero on flat
# areas. Its transpose does the same for horizontal edges. Here they are on
# the photograph of Grace Hopper that ships with matplotlib (nothing is
# downloaded).

# %%
with cbook.get_sample_data("grace_hopper.jpg") as file:
    photo = plt.imread(file).mean(axis=2) / 255.0  # (600, 512) grey levels in [0, 1]
vertical = np.tile([1.0, 0, -1], (3, 1))
edges = {"photograph": photo, "vertical edges, rows [1, 0, -1]": corr2d(photo, vertical, pad=1),
         "horizontal edges, the transpose": corr2d(photo, vertical.T, pad=1)}
assert edges["vertical edges, rows [1, 0, -1]"].shape == photo.shape  # padding 1 keeps the size
fig, axes = plt.subplots(1, 3, figsize=(12, 4.5))
for ax, (title, picture) in zip(axes, edges.items()):
    ax.imshow(picture, cmap="gray" if title == "photograph" else "RdBu")
    ax.set_title(title)
    ax.axis("off")
plt.show()

# %% [markdown]
# ## 3. Backward in two dimensions
#
# The derivation of section 1 carries over index by index. An input pixel
# $x_p[n, c, y, x]$ feeds $out[n, f, i, j]$ for every filter $f$ and every
# window that covers it, through the weight $w[f, c, y - i s, x - j s]$. A weight
# $w[f, c, p, q]$ feeds every output of filter $f$, in every image. Summing
# over everything each one feeds:
#
# $$ db[f] = \sum_{n, i, j} dout[n, f, i, j] , $$
#
# $$ dw[f, c, p, q] = \sum_{n, i, j} dout[n, f, i, j]\; x_p[n, c, i s + p, j s + q] , $$
#
# $$ dx_p[n, c, y, x] = \sum_{f} \sum_{(i, j)\,:\, 0 \le y - i s < HH,\ 0 \le x - j s < WW} dout[n, f, i, j]\; w[f, c, y - i s, x - j s] , $$
#
# and $dx = dx_p[:, :, P : P + H, P : P + W]$. Shapes: $db$ is $(F,)$, $dw$ is
# $(F, C, HH, WW)$ like $w$, $dx$ is $(N, C, H, W)$ like $x$.
#
# - $db$ and $dw$ are **sums** over the batch and over every output position: one
#   bias and one kernel are shared by all of them. Not means: the loss already
#   carries any $1/N$.
# - $dw[f, c]$ is the **cross-correlation of the input with $dout$**: slide
#   $dout[n, f]$ (its entries $s$ apart) over $x_p[n, c]$ and add over $n$.
# - $dx_p[n, c]$ is the **full cross-correlation of $dout$ with the kernel
#   rotated by 180°**: spread $dout[n, f]$ out by the stride, pad it by
#   $HH - 1$ rows and $WW - 1$ columns, correlate with $w[f, c, ::-1, ::-1]$,
#   add over $f$, then crop the padding.
#
# The worked example again, with $dout$ all ones ($L = \sum out$): $db = 9$,
# the nine outputs. $dw[0, 0, p, q] = \sum_{i, j} x[i + p, j + q]$: column
# offset $q = 0$ sees the columns $[4, 3, 2]$ in three rows, $3 (4 + 3 + 2) = 27$;
# $q = 1$ gives $3 (3 + 2 + 1) = 18$ and $q = 2$ gives $3 (2 + 1 + 0) = 9$, so
# every row of $dw$ is $[27, 18, 9]$. And $dx$ counts, for each pixel, the
# kernel weights that touch it: its middle row is $[3, 3, 0, -3, -3]$.

# %%
def backward2d(dout, x, w, stride, pad):
    """dx, dw, db for one image and one filter (2-D arrays), as the scatter: each output adds dout * w into its window."""
    xp = np.pad(x, pad)
    HH, WW = w.shape
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i, j in np.ndindex(dout.shape):
        window = (slice(i * stride, i * stride + HH), slice(j * stride, j * stride + WW))
        dxp[window] += dout[i, j] * w
        dw += dout[i, j] * xp[window]
    return dxp[pad: pad + x.shape[0], pad: pad + x.shape[1]], dw, dout.sum()


def spread_out(dout, stride):
    """dout with stride - 1 zeros between neighbouring entries, along both axes."""
    H_out, W_out = dout.shape
    spread = np.zeros((stride * (H_out - 1) + 1, stride * (W_out - 1) + 1))
    spread[::stride, ::stride] = dout
    return spread


def dx_full_correlation(dout, w, x_shape, stride, pad):
    """Spread dout, pad it by the kernel size minus one, correlate with the kernel rotated by 180 degrees, crop."""
    HH, WW = w.shape
    full = np.pad(spread_out(dout, stride), ((HH - 1, HH - 1), (WW - 1, WW - 1)))
    dxp = corr2d(full, w[::-1, ::-1])
    H, W = x_shape
    dxp = np.pad(dxp, ((0, H + 2 * pad - dxp.shape[0]), (0, W + 2 * pad - dxp.shape[1])))  # rows no window reached
    return dxp[pad: pad + H, pad: pad + W]


# The worked example: dout all ones.
dx, dw, db = backward2d(np.ones((3, 3)), image, kernel, 1, 0)
assert db == 9 and np.all(dw == [27, 18, 9])
assert np.array_equal(dx[2], [3, 3, 0, -3, -3])
print("dw =\n", dw, "\ndx =\n", dx)

# Every formula, on random data with a stride and padding, against centred differences.
for (H, W), (HH, WW), s, P in [((5, 5), (3, 3), 1, 0), ((7, 7), (3, 3), 2, 1), ((6, 7), (3, 2), 2, 0), ((4, 5), (3, 3), 3, 2)]:
    x, w = rng.standard_normal((H, W)), rng.standard_normal((HH, WW))
    dout = rng.standard_normal(corr2d(x, w, s, P).shape)
    dx, dw, db = backward2d(dout, x, w, s, P)
    loss = lambda: np.sum(dout * corr2d(x, w, s, P))  # noqa: E731  L = sum(dout * out): dL/dout = dout
    assert np.allclose(dx, numerical_gradient(loss, x), atol=1e-7)
    assert np.allclose(dw, numerical_gradient(loss, w), atol=1e-7)
    assert np.allclose(dx, dx_full_correlation(dout, w, (H, W), s, P))  # full correlation, rotated kernel
    assert np.allclose(dw, corr2d(np.pad(x, P), spread_out(dout, s))[:HH, :WW])  # correlation of input with dout
print("2-D backward: the scatter, the two correlations and centred differences agree")

# With channels: dx sums over the filters, dw and db over the batch.
x, w, b = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
dout = rng.standard_normal(shape_out(x.shape, w.shape, 2, 1))
loss = lambda: np.sum(dout * conv_channels(x, w, b, 2, 1))  # noqa: E731
dx = np.array([[sum(dx_full_correlation(dout[n, f], w[f, c], (6, 6), 2, 1) for f in range(4)) for c in range(3)]
               for n in range(2)])
assert np.allclose(dx, numerical_gradient(loss, x), atol=1e-6)
assert np.allclose(dout.sum(axis=(0, 2, 3)), numerical_gradient(loss, b), atol=1e-6)

# %% [markdown]
# Your `conv_backward` on the worked example:

# %%
result = attempt("conv_forward", image.reshape(1, 1, 5, 5), kernel.reshape(1, 1, 3, 3), np.zeros(1))
grads = attempt("conv_backward", np.ones((1, 1, 3, 3)), result[1]) if result is not None else None
if grads is not None:
    print("dw:", grads[1][0, 0], "db:", grads[2], "dx middle row:", grads[0][0, 0, 2])

# %% nbgrader={"grade": true, "grade_id": "backward", "locked": true, "points": 7, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise3", [
    "conv backward, worked example",
    "conv backward, stride 1, pad 0",
    "conv backward, stride 1, pad 1",
    "conv backward, stride 2, pad 1",
    "conv backward, stride that does not divide",
    "conv backward, non-square input and kernel",
    "conv backward, batch of 1, pad 2",
])

# %% [markdown]
# ### One dout pixel's footprint
#
# Set $dout$ to zero except one entry. By the scatter form, $dx_p$ is then that
# one window filled with the kernel, and cropping removes what fell on the
# padding. With stride 2, neighbouring outputs' windows start two pixels apart,
# which is why the full-correlation form first spreads $dout$ out.

# %%
w_demo = np.arange(1.0, 10).reshape(3, 3)
one = np.zeros((4, 4))
one[1, 2] = 1.0
footprint = dx_full_correlation(one, w_demo, (7, 7), stride=2, pad=1)
expected = np.zeros((9, 9))
expected[2:5, 4:7] = w_demo  # the window of out[1, 2] starts at (1 * 2, 2 * 2) of the padded input
assert np.array_equal(footprint, expected[1:8, 1:8])
corner = np.zeros((4, 4))
corner[0, 0] = 1.0
assert np.array_equal(dx_full_correlation(corner, w_demo, (7, 7), 2, 1)[:2, :2], w_demo[1:, 1:])  # padding cropped

fig, axes = plt.subplots(1, 3, figsize=(11, 3.6))
for ax, picture, title in zip(axes, [one, footprint, dx_full_correlation(corner, w_demo, (7, 7), 2, 1)],
                              ["dout: one entry, out[1, 2]", "its footprint on dx (stride 2, pad 1)",
                               "out[0, 0]: the padding is cropped"]):
    ax.imshow(picture, cmap="viridis")
    ax.set_title(title)
    ax.set_xticks(range(picture.shape[1]))
    ax.set_yticks(range(picture.shape[0]))
plt.show()

# %% [markdown]
# ## 4. The matrix view: $y = T x$ and $dx = T^\top dy$
#
# A convolution is linear in $x$. Flatten a $5 \times 5$ image into a vector of
# 25 entries and the $3 \times 3$ output into 9: then $y = T x$ for a
# $9 \times 25$ matrix $T$ whose row $(i, j)$ holds the kernel weights at the
# columns of window $(i, j)$, $T[(i, j), (i + p, j + q)] = w[p, q]$, and zeros
# elsewhere. Only $9 \cdot 9 = 81$ of its $225$ entries are not zero, and every
# row holds the same nine numbers: weight sharing.
#
# $T$ is the Jacobian $\partial y / \partial x$, so the backward pass is the
# vector-Jacobian product $dx = T^\top dy$: column $t$ of $T$ lists the weights
# through which pixel $t$ reaches the outputs. $T^\top$ is the matrix of the
# full correlation with the rotated kernel, the "transposed convolution". A
# layer never builds $T$; it is here to see.

# %%
def conv_matrix(w, H, W):
    """T of shape (H' W', H W) with T @ x.ravel() == corr2d(x, w).ravel() (stride 1, no padding)."""
    HH, WW = w.shape
    H_out, W_out = H - HH + 1, W - WW + 1
    T = np.zeros((H_out * W_out, H * W))
    for i, j in np.ndindex(H_out, W_out):
        for p, q in np.ndindex(HH, WW):
            T[i * W_out + j, (i + p) * W + (j + q)] = w[p, q]
    return T


T = conv_matrix(kernel, 5, 5)
assert T.shape == (9, 25) and np.count_nonzero(conv_matrix(np.ones((3, 3)), 5, 5)) == 81
assert np.array_equal(T @ image.ravel(), corr2d(image, kernel).ravel())
x, dy = rng.standard_normal((5, 5)), rng.standard_normal((3, 3))
assert np.allclose(T.T @ dy.ravel(), backward2d(dy, x, kernel, 1, 0)[0].ravel())
assert np.allclose(T.T @ dy.ravel(), dx_full_correlation(dy, kernel, (5, 5), 1, 0).ravel())

fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), gridspec_kw={"width_ratios": [25, 9]})
axes[0].spy(conv_matrix(w_demo, 5, 5), markersize=6)
axes[0].set_title("T: 9 outputs x 25 pixels, 81 entries not zero")
axes[1].spy(conv_matrix(w_demo, 5, 5).T, markersize=6)
axes[1].set_title("T transposed: dx = T^T dy")
plt.show()

# %% [markdown]
# ## 5. Gradient checks and the hidden tests
#
# The last public tests compare your backward pass with centred differences of
# your own forward pass, as this notebook did above. They count once the
# forward tests they rely on pass. When your notebook is graded, hidden tests
# run the same checks on fresh random shapes, strides and paddings.

# %% nbgrader={"grade": true, "grade_id": "gradient_checks", "locked": true, "points": 4, "schema_version": 3, "solution": false, "task": false}
from autograder.report.notebook import grade_cell

grade_cell("exercise3", [
    "conv gradient check, stride 2, pad 1",
    "conv gradient check, non-square kernel, pad 1",
])

# %% nbgrader={"grade": true, "grade_id": "hidden", "locked": true, "points": 4, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: fresh random shapes, strides and paddings, run when your notebook is graded.
### BEGIN HIDDEN TESTS
from autograder.report.notebook import grade_cell

grade_cell("exercise3", [
    "conv forward, fresh random shapes",
    "conv backward, fresh random shapes",
    "conv gradient check, fresh random shapes",
    "conv_output_shape, fresh random shapes",
], hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## 6. Your layer learns an edge detector
#
# With `conv_forward` and `conv_backward` written, gradient descent can find a
# kernel from examples. The targets below are the vertical-edge responses of
# random images; starting from a small random kernel, each step moves $w$
# against $dw$ from *your* `conv_backward`, for the mean squared error
# $L = \frac{1}{M} \sum (out - target)^2$, whose $dout$ is $\frac{2}{M}(out - target)$.
# On white noise the pixels are independent, so every weight is pulled
# towards its target at nearly the same rate, and 30 steps recover the kernel
# $[1, 0, -1]$ in every row to a millionth.

# %%
images = rng.standard_normal((8, 1, 16, 16))
target = np.array([[corr2d(img[0], vertical, pad=1)] for img in images])  # (8, 1, 16, 16)
start = 0.1 * rng.standard_normal((1, 1, 3, 3))

# The claim, checked with this notebook's own formulas of section 3, whatever the state of convolution.py:
w_check, b_check = start[0, 0].copy(), 0.0
for step in range(30):
    dout = 2 * (np.array([corr2d(img[0], w_check, pad=1) + b_check for img in images]) - target[:, 0]) / target.size
    w_check = w_check - 0.3 * sum(backward2d(d, img[0], w_check, 1, 1)[1] for d, img in zip(dout, images))
    b_check = b_check - 0.3 * dout.sum()
assert np.abs(w_check - vertical).max() < 1e-6 and abs(b_check) < 1e-6

w_learnt, b_learnt = start.copy(), np.zeros(1)
losses = []
for step in range(30):
    forward = attempt("conv_forward", images, w_learnt, b_learnt, stride=1, pad=1)
    if forward is None:
        break
    out, cache = forward
    losses.append(np.mean((out - target) ** 2))
    grads = attempt("conv_backward", 2 * (out - target) / out.size, cache)
    if grads is None:
        break
    w_learnt, b_learnt = w_learnt - 0.3 * grads[1], b_learnt - 0.3 * grads[2]
if len(losses) == 30:
    print(f"loss {losses[0]:.3g} -> {losses[-1]:.3g}; the kernel learnt:\n{np.round(w_learnt[0, 0], 6) + 0.0}")
    if np.abs(w_learnt[0, 0] - vertical).max() > 1e-6:
        print("This is not [1, 0, -1] in every row: compare your dw with the formula of section 3.")
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    axes[0].semilogy(losses)
    axes[0].set_xlabel("step")
    axes[0].set_title("loss")
    axes[1].imshow(w_learnt[0, 0], cmap="RdBu", vmin=-1, vmax=1)
    axes[1].set_title("the kernel learnt")
    plt.show()

# %% [markdown]
# ## Check yourself
#
# The same tests, outside the notebook, in a terminal opened in this folder:
#
# ```bash
# cnnlab check exercise3 --path .    # every public test, with the feedback of each failure
# cnnlab watch --path .              # reruns the check every time you save convolution.py
# ```
#
# In a clone of cnnlab, where your modules live in `exercises/`, drop the
# `--path .`.
