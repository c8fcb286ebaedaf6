"""Exercise 3: the convolutional layer, forward and backward, written the way fast
libraries write it. You will compute output sizes, reject arguments that cannot
work, and then turn a convolution into a single matrix product ("im2col"): every
receptive field of the padded input is unrolled into one column, so that all
filters are applied to all positions at once. The backward pass reuses those
columns for the weight gradient and folds the column gradient back onto the image
("col2im"), adding up wherever receptive fields overlap.
"""

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


### BEGIN SOLUTION
def _im2col(x, kernel_hw, stride, pad):
    """Every receptive field of the zero-padded ``x`` as one column.

    ``x`` (N, C, H, W) and ``kernel_hw = (HH, WW)`` give ``cols`` of shape
    (C*HH*WW, N*H'*W'), with ``cols[(c, p, q), (n, i, j)] = xp[n, c, i s + p, j s + q]``.
    """
    N, C, _, _ = x.shape
    HH, WW = kernel_hw
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))  # (N, C, H+2pad, W+2pad)
    windows = sliding_window_view(xp, (HH, WW), axis=(2, 3))  # (N, C, H+2pad-HH+1, W+2pad-WW+1, HH, WW), no copy
    windows = windows[:, :, ::stride, ::stride]  # (N, C, H', W', HH, WW), still a view
    H_out, W_out = windows.shape[2:4]
    # The one copy of the forward pass: channel and kernel offset become the rows.
    return windows.transpose(1, 4, 5, 0, 2, 3).reshape(C * HH * WW, N * H_out * W_out)  # (C*HH*WW, N*H'*W')


def _col2im(dcols, x_shape, kernel_hw, out_hw, stride, pad):
    """Add the column gradients ``dcols`` (C*HH*WW, N*H'*W') back onto an image
    of shape ``x_shape`` (N, C, H, W), summing where receptive fields overlap."""
    N, C, H, W = x_shape
    HH, WW = kernel_hw
    H_out, W_out = out_hw
    dcols = dcols.reshape(C, HH, WW, N, H_out, W_out)  # (C, HH, WW, N, H', W')
    # Channel-major (C, N, ...) so that each dcols[:, p, q] adds without a transpose.
    dxp = np.zeros((C, N, H + 2 * pad, W + 2 * pad), dtype=dcols.dtype)
    rows_end, cols_end = stride * (H_out - 1) + 1, stride * (W_out - 1) + 1
    for p in range(HH):
        for q in range(WW):
            dxp[:, :, p:p + rows_end:stride, q:q + cols_end:stride] += dcols[:, p, q]  # (C, N, H', W')
    return dxp.transpose(1, 0, 2, 3)[:, :, pad:pad + H, pad:pad + W]  # (N, C, H, W)
### END SOLUTION


def conv_output_shape(input_shape, weight_shape, stride=1, pad=0):
    """Shape of the output of a 2-D convolution, after checking that it exists.

    Parameters
    ----------
    input_shape : tuple of int
        ``(N, C, H, W)``: batch size, channels, height and width of the input.
    weight_shape : tuple of int
        ``(F, C, HH, WW)``: number of filters, channels, kernel height and width.
    stride : int, optional
        Step between neighbouring receptive fields, the same along both axes;
        at least 1.
    pad : int, optional
        Number of zeros added on every side of the height and width axes; at least 0.

    Returns
    -------
    tuple of int
        ``(N, F, H', W')`` with ``H' = (H + 2 pad - HH) // stride + 1`` and
        ``W' = (W + 2 pad - WW) // stride + 1``.

    Raises
    ------
    ValueError
        If either shape does not have four entries, if ``stride`` is not an
        integer >= 1 or ``pad`` not an integer >= 0, if the input and the weights
        have different channel counts, or if the kernel does not fit in the padded
        input (``HH > H + 2 pad`` or ``WW > W + 2 pad``). The message names the
        offending values.

    Notes
    -----
    The kernel starts at the top-left corner of the padded input and moves by
    ``stride`` while it still fits entirely inside, so the last rows or columns are
    skipped when ``H + 2 pad - HH`` is not a multiple of ``stride`` (floor division).

    Examples
    --------
    >>> conv_output_shape((8, 3, 32, 32), (16, 3, 5, 5), stride=1, pad=2)
    (8, 16, 32, 32)
    >>> conv_output_shape((1, 1, 7, 5), (2, 1, 3, 2), stride=2, pad=1)
    (1, 2, 4, 3)
    """
    ### BEGIN SOLUTION
    if len(input_shape) != 4 or len(weight_shape) != 4:
        raise ValueError(f"conv_output_shape: expected input_shape (N, C, H, W) and weight_shape (F, C, HH, WW), "
                         f"got {tuple(input_shape)} and {tuple(weight_shape)}")
    if isinstance(stride, bool) or not isinstance(stride, numbers.Integral) or stride < 1:
        raise ValueError(f"conv_output_shape: stride must be an integer >= 1, got {stride!r}")
    if isinstance(pad, bool) or not isinstance(pad, numbers.Integral) or pad < 0:
        raise ValueError(f"conv_output_shape: pad must be an integer >= 0, got {pad!r}")
    N, C, H, W = input_shape
    F, Cw, HH, WW = weight_shape
    if C != Cw:
        raise ValueError(f"conv_output_shape: x has {C} channels but w expects {Cw}")
    if HH > H + 2 * pad or WW > W + 2 * pad:
        raise ValueError(f"conv_output_shape: a {HH}x{WW} kernel does not fit in the padded input "
                         f"{H + 2 * pad}x{W + 2 * pad} (H={H}, W={W}, pad={pad})")
    return (N, F, (H + 2 * pad - HH) // stride + 1, (W + 2 * pad - WW) // stride + 1)
    ### END SOLUTION


def conv_forward(x, w, b, stride=1, pad=0):
    r"""Forward pass of a 2-D convolutional layer (cross-correlation, as every
    deep-learning framework computes it).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input batch. Not modified (nor are ``w`` and ``b``).
    w : ndarray, shape (F, C, HH, WW)
        Filters.
    b : ndarray, shape (F,)
        One bias per filter.
    stride : int, optional
        Step between neighbouring receptive fields along both axes (>= 1).
    pad : int, optional
        Zeros added on every side of the height and width axes (>= 0).

    Returns
    -------
    out : ndarray, shape (N, F, H', W')
        ``H' = (H + 2 pad - HH) // stride + 1``, ``W' = (W + 2 pad - WW) // stride + 1``.
        Same dtype as ``x`` when ``x``, ``w`` and ``b`` share it (float32 stays float32).
    cache : tuple
        ``(cols, w, x_shape, stride, pad)``, exactly what :func:`conv_backward` needs:
        ``cols`` of shape (C*HH*WW, N*H'*W') holds every receptive field of the padded
        input as one column (rows ordered (c, p, q) like ``w.reshape(F, -1)``,
        columns ordered (n, i, j)); ``w`` is the weight array itself; ``x_shape`` is
        ``(N, C, H, W)``; ``stride`` and ``pad`` are the arguments.

    Raises
    ------
    ValueError
        For every case :func:`conv_output_shape` rejects (call it to check the
        shapes, stride and pad), and when ``b`` does not have shape ``(F,)``.

    Notes
    -----
    With ``xp`` the input zero-padded by ``pad`` on both sides of H and W,

    .. math:: out[n, f, i, j] = b[f] + \sum_{c, p, q} xp[n, c, i s + p, j s + q] \, w[f, c, p, q]

    for ``0 <= p < HH``, ``0 <= q < WW`` and ``s = stride``. No kernel flip: this is
    cross-correlation, like ``torch.nn.functional.conv2d``.

    im2col: let ``cols[(c, p, q), (n, i, j)] = xp[n, c, i s + p, j s + q]``. Then
    ``out`` is one matrix product, ``w.reshape(F, C*HH*WW) @ cols`` of shape
    (F, N*H'*W'), plus ``b`` on every column, reshaped to (F, N, H', W') and
    transposed to (N, F, H', W'). ``numpy.lib.stride_tricks.sliding_window_view``
    gives every receptive field of ``xp`` without copying; keep every
    ``stride``-th one with ``[:, :, ::stride, ::stride]``. No Python loop over
    images, channels or pixels.

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> w = np.ones((1, 1, 2, 2)); b = np.array([0.5])
    >>> out, cache = conv_forward(x, w, b)
    >>> out  # each entry: the sum of a 2x2 block plus 0.5
    array([[[[ 8.5, 12.5],
             [20.5, 24.5]]]])
    """
    ### BEGIN SOLUTION
    try:
        N, F, H_out, W_out = conv_output_shape(x.shape, w.shape, stride, pad)
    except ValueError as err:
        raise ValueError(f"conv_forward: {err}") from None
    if b.shape != (F,):
        raise ValueError(f"conv_forward: b has shape {b.shape} but w has {F} filters, so b must have shape ({F},)")
    cols = _im2col(x, w.shape[2:], stride, pad)  # (C*HH*WW, N*H'*W')
    out = w.reshape(F, -1) @ cols  # (F, N*H'*W')
    out += b.reshape(F, 1)  # in place: one pass over the output instead of a second array
    out = out.reshape(F, N, H_out, W_out).transpose(1, 0, 2, 3)  # (N, F, H', W')
    cache = (cols, w, x.shape, stride, pad)
    return np.ascontiguousarray(out), cache  # a plain C-ordered NCHW array for the next layer
    ### END SOLUTION


def conv_backward(dout, cache):
    r"""Backward pass of a 2-D convolutional layer.

    Parameters
    ----------
    dout : ndarray, shape (N, F, H', W')
        Upstream gradient, dL/dout. Not modified.
    cache : tuple
        ``(cols, w, x_shape, stride, pad)`` from :func:`conv_forward`:
        ``cols`` of shape (C*HH*WW, N*H'*W'), ``w`` of shape (F, C, HH, WW),
        ``x_shape = (N, C, H, W)``, and the ints ``stride`` and ``pad``.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
        dL/dx.
    dw : ndarray, shape (F, C, HH, WW)
        dL/dw.
    db : ndarray, shape (F,)
        dL/db.

    Notes
    -----
    With ``s = stride``, ``xp`` the padded input and sums over every index not on
    the left,

    .. math::

        db[f] &= \sum_{n, i, j} dout[n, f, i, j] \\
        dw[f, c, p, q] &= \sum_{n, i, j} dout[n, f, i, j] \, xp[n, c, i s + p, j s + q] \\
        dxp[n, c, i s + p, j s + q] &\mathrel{+}= \sum_f dout[n, f, i, j] \, w[f, c, p, q]

    and ``dx`` is ``dxp`` without its padding. In matrix form, with
    ``D = dout`` transposed to (F, N, H', W') and reshaped to (F, N*H'*W'):
    ``dw = (D @ cols.T).reshape(w.shape)`` and ``dcols = w.reshape(F, -1).T @ D``.

    col2im folds ``dcols`` back onto a zero padded ``dxp`` of shape
    (N, C, H + 2 pad, W + 2 pad): reshape ``dcols`` to (C, HH, WW, N, H', W'); for
    each of the HH*WW kernel offsets ``(p, q)``, ``dcols[:, p, q]`` transposed to
    (N, C, H', W') is added into the strided slice
    ``dxp[:, :, p : p + s (H' - 1) + 1 : s, q : q + s (W' - 1) + 1 : s]``.
    Receptive fields overlap when ``stride < HH`` (or ``< WW``), so these slices
    overlap and the gradients must add up: use ``+=`` on slices, not assignment.
    Pixels that no receptive field covers get zero. Loop over the kernel
    offsets only, never over images, channels or pixels.
    """
    ### BEGIN SOLUTION
    cols, w, x_shape, stride, pad = cache
    F = w.shape[0]
    N, _, H_out, W_out = dout.shape
    db = dout.sum(axis=(0, 2, 3))  # (F,)
    dout_rows = dout.transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N*H'*W')
    dw = (dout_rows @ cols.T).reshape(w.shape)  # (F, C, HH, WW)
    dcols = w.reshape(F, -1).T @ dout_rows  # (C*HH*WW, N*H'*W')
    dx = _col2im(dcols, x_shape, w.shape[2:], (H_out, W_out), stride, pad)  # (N, C, H, W)
    return dx, dw, db
    ### END SOLUTION
