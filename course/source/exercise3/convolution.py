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
    # YOUR CODE HERE
    raise NotImplementedError("conv_output_shape is not implemented yet")


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
    # YOUR CODE HERE
    raise NotImplementedError("conv_forward is not implemented yet")


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
    # YOUR CODE HERE
    raise NotImplementedError("conv_backward is not implemented yet")
