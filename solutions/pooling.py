"""Exercise 4: max and average pooling, forward and backward. Pooling summarises
each small window of every channel by one number: its largest value, or its mean.
You will see every window at once through ``sliding_window_view`` instead of
looping over pixels, and learn where the gradient goes on the way back: to the
one input that won the max (the first one in row-major order when several tie),
or shared equally by the whole window for the mean. When windows overlap
(``stride < pool_size``) an input belongs to several windows and its gradients
add up.
"""

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


### BEGIN SOLUTION
def _check_pool_args(fn, x, pool_size, stride):
    """Raise ValueError, naming the forward pass ``fn``, if pooling ``x`` cannot work."""
    if x.ndim != 4:
        raise ValueError(f"{fn}: x must have shape (N, C, H, W), got shape {x.shape}")
    for name, value in (("pool_size", pool_size), ("stride", stride)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{fn}: {name} must be an integer >= 1, got {value!r}")
    H, W = x.shape[2:]
    if pool_size > H or pool_size > W:
        raise ValueError(f"{fn}: a {pool_size}x{pool_size} pool does not fit in a {H}x{W} input")


def _stacked_windows(x, k, s):
    """Every k x k window of ``x`` taken with stride ``s``, window offset first.

    Returns a copy of shape (k*k, N, C, H', W'): ``stacked[p * k + q, n, c, i, j]``
    is ``x[n, c, i s + p, j s + q]``. With the offset leading, a max or mean over
    it is k*k elementwise passes, many times faster than reducing a short last axis.
    """
    N, C = x.shape[:2]
    windows = sliding_window_view(x, (k, k), axis=(2, 3))  # (N, C, H-k+1, W-k+1, k, k), no copy
    windows = windows[:, :, ::s, ::s]  # (N, C, H', W', k, k), still a view
    H_out, W_out = windows.shape[2:4]
    return windows.transpose(4, 5, 0, 1, 2, 3).reshape(k * k, N, C, H_out, W_out)  # (k*k, N, C, H', W')


def _offset_views(a, k, s):
    """For each window offset (p, q) in row-major order, the strided view of ``a``
    (N, C, H, W) holding element (p, q) of every window: ``a[:, :, p::s, q::s]``
    cut to (N, C, H', W'). Writing into a view writes into ``a``."""
    H, W = a.shape[2:]
    H_out, W_out = (H - k) // s + 1, (W - k) // s + 1
    rows_end, cols_end = s * (H_out - 1) + 1, s * (W_out - 1) + 1
    return [a[:, :, p:p + rows_end:s, q:q + cols_end:s] for p in range(k) for q in range(k)]  # k*k x (N, C, H', W')


### END SOLUTION


def max_pool_forward(x, pool_size=2, stride=2):
    r"""Forward pass of max pooling (no padding).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input batch. Not modified.
    pool_size : int, optional
        Side ``k`` of the square window; an integer >= 1 no larger than H or W.
    stride : int, optional
        Step between neighbouring windows along both axes; an integer >= 1.
        ``stride < pool_size`` makes windows overlap.

    Returns
    -------
    out : ndarray, shape (N, C, H', W')
        ``H' = (H - pool_size) // stride + 1``, ``W' = (W - pool_size) // stride + 1``;
        same dtype as ``x``.
    cache : tuple
        ``(argmax, x_shape, pool_size, stride)``, exactly what
        :func:`max_pool_backward` needs: ``argmax`` is an integer array of shape
        (N, C, H', W') holding, for each window, the position ``p * k + q`` of its
        first maximum in row-major order (what ``np.argmax`` returns for the window
        flattened to ``k * k`` values); ``x_shape`` is ``(N, C, H, W)``.

    Raises
    ------
    ValueError
        If ``x`` is not 4-D, if ``pool_size`` or ``stride`` is not an integer >= 1,
        or if the pool is larger than the input (``pool_size > H`` or ``> W``).
        The message names the offending values.

    Notes
    -----
    With ``k = pool_size`` and ``s = stride``,

    .. math:: out[n, c, i, j] = \max_{0 \le p, q < k} x[n, c, i s + p, j s + q]

    Rows and columns left over at the bottom and right, when ``H - k`` or
    ``W - k`` is not a multiple of ``s``, belong to no window.
    ``numpy.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))``
    gives every window without copying; ``[:, :, ::s, ::s]`` keeps every
    ``s``-th one. No Python loop over images, channels or pixels (a loop over the
    ``k * k`` window offsets is fine). For speed: NumPy reduces a short trailing
    axis slowly; moving the window axes to the front first (one transposed copy
    of shape (k*k, N, C, H', W')) makes the reductions several times faster.
    The first maximum can then be found in ``k * k`` elementwise passes too:
    scanning the offsets from last to first, "the first maximum is here, or
    one further on" is ``idx = (idx + 1) * (stacked[o] != out)``.

    Examples
    --------
    >>> x = np.array([[[[1., 2., 5., 0.],
    ...                 [3., 4., 1., 1.]]]])
    >>> out, cache = max_pool_forward(x, pool_size=2, stride=2)
    >>> out
    array([[[[4., 5.]]]])
    """
    ### BEGIN SOLUTION
    _check_pool_args("max_pool_forward", x, pool_size, stride)
    stacked = _stacked_windows(x, pool_size, stride)  # (k*k, N, C, H', W')
    out = stacked.max(axis=0)  # (N, C, H', W')
    # The first maximum in row-major order, as np.argmax(window.ravel()) gives it, in
    # k*k elementwise passes (np.argmax along an axis, or np.where, is many times
    # slower). Scanning from the last offset to the first: if offset o holds the
    # maximum, the first maximum counted from o is o itself (0 further on), else it
    # lies idx + 1 further on. The smallest unsigned type that holds k*k - 1 keeps
    # these passes short; the last offset wins only when no earlier one ties.
    argmax = np.zeros(out.shape, dtype=np.min_scalar_type(pool_size * pool_size - 1))  # (N, C, H', W')
    for offset in reversed(range(pool_size * pool_size - 1)):
        argmax += 1
        argmax *= stacked[offset] != out
    return out, (argmax, x.shape, pool_size, stride)
    ### END SOLUTION


def max_pool_backward(dout, cache):
    r"""Backward pass of max pooling.

    Parameters
    ----------
    dout : ndarray, shape (N, C, H', W')
        Upstream gradient, dL/dout. Not modified.
    cache : tuple
        ``(argmax, x_shape, pool_size, stride)`` from :func:`max_pool_forward`:
        ``argmax`` of shape (N, C, H', W') with the flat position ``p * k + q`` of
        each window's first maximum, and ``x_shape = (N, C, H, W)``.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
        dL/dx, with the dtype of ``dout``.

    Notes
    -----
    Only the winner of each window affects the output, so with ``(p^*, q^*)`` the
    first maximum of window ``(i, j)`` in row-major order,

    .. math:: dx[n, c, i s + p^*, j s + q^*] \mathrel{+}= dout[n, c, i, j]

    and every other input gets nothing from that window. With overlapping windows
    one input can win several windows: its gradients add up, so accumulate with
    ``+=``. Vectorised: start from zeros and, for each of the ``k * k`` window
    offsets ``(p, q)``, add ``dout`` where ``argmax == p * k + q`` (zero elsewhere)
    into the strided slice ``dx[:, :, p : p + s (H' - 1) + 1 : s, q : q + s (W' - 1) + 1 : s]``.
    Loop over window offsets only, never over pixels, and no ``np.add.at``.
    """
    ### BEGIN SOLUTION
    argmax, x_shape, k, s = cache
    dx = np.zeros(x_shape, dtype=dout.dtype)
    for offset, dx_view in enumerate(_offset_views(dx, k, s)):
        won_here = argmax == offset  # (N, C, H', W'): windows whose first maximum is at this offset
        if s >= k:  # windows do not overlap: every input is in at most one window, write it directly
            np.multiply(dout, won_here, out=dx_view)
        else:  # overlapping windows: an input may win several, and its gradients add up
            dx_view += dout * won_here
    return dx
    ### END SOLUTION


def avg_pool_forward(x, pool_size=2, stride=2):
    r"""Forward pass of average pooling (no padding).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input batch. Not modified.
    pool_size : int, optional
        Side ``k`` of the square window; an integer >= 1 no larger than H or W.
    stride : int, optional
        Step between neighbouring windows along both axes; an integer >= 1.
        ``stride < pool_size`` makes windows overlap.

    Returns
    -------
    out : ndarray, shape (N, C, H', W')
        ``H' = (H - pool_size) // stride + 1``, ``W' = (W - pool_size) // stride + 1``;
        same dtype as a floating-point ``x``.
    cache : tuple
        ``(x_shape, pool_size, stride)``, exactly what :func:`avg_pool_backward`
        needs (the mean's gradient does not depend on the values of ``x``).

    Raises
    ------
    ValueError
        If ``x`` is not 4-D, if ``pool_size`` or ``stride`` is not an integer >= 1,
        or if the pool is larger than the input (``pool_size > H`` or ``> W``).
        The message names the offending values.

    Notes
    -----
    With ``k = pool_size`` and ``s = stride``,

    .. math:: out[n, c, i, j] = \frac{1}{k^2} \sum_{0 \le p, q < k} x[n, c, i s + p, j s + q]

    Take the windows from ``sliding_window_view`` as for max pooling and average
    over the two window axes, or, faster, add up the ``k * k`` strided views
    ``x[:, :, p : p + s (H' - 1) + 1 : s, q : q + s (W' - 1) + 1 : s]`` (one per
    window offset) and divide by ``k^2``. No Python loop over images, channels
    or pixels.

    Examples
    --------
    >>> x = np.array([[[[1., 2., 5., 0.],
    ...                 [3., 4., 1., 1.]]]])
    >>> out, cache = avg_pool_forward(x, pool_size=2, stride=2)
    >>> out
    array([[[[2.5 , 1.75]]]])
    """
    ### BEGIN SOLUTION
    _check_pool_args("avg_pool_forward", x, pool_size, stride)
    views = _offset_views(x, pool_size, stride)  # k*k x (N, C, H', W'), no copies
    total = views[0].copy()  # (N, C, H', W')
    for view in views[1:]:
        total += view
    out = total / (pool_size * pool_size)  # (N, C, H', W')
    return out, (x.shape, pool_size, stride)
    ### END SOLUTION


def avg_pool_backward(dout, cache):
    r"""Backward pass of average pooling.

    Parameters
    ----------
    dout : ndarray, shape (N, C, H', W')
        Upstream gradient, dL/dout. Not modified.
    cache : tuple
        ``(x_shape, pool_size, stride)`` from :func:`avg_pool_forward`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
        dL/dx, with the dtype of ``dout``.

    Notes
    -----
    Every input of a window counts for ``1 / k^2`` of its mean, so

    .. math:: dx[n, c, i s + p, j s + q] \mathrel{+}= \frac{dout[n, c, i, j]}{k^2}
              \quad \text{for all } 0 \le p, q < k.

    An input in several overlapping windows collects a share from each; one in
    no window (left over at the bottom or right) gets zero. Vectorised: start
    from zeros and, for each of the ``k * k`` window offsets ``(p, q)``, add
    ``dout / k^2`` into the strided slice
    ``dx[:, :, p : p + s (H' - 1) + 1 : s, q : q + s (W' - 1) + 1 : s]``.
    Loop over window offsets only, never over pixels, and no ``np.add.at``.
    """
    ### BEGIN SOLUTION
    x_shape, k, s = cache
    share = dout / (k * k)  # (N, C, H', W'): what each input of a window receives
    dx = np.zeros(x_shape, dtype=share.dtype)
    for dx_view in _offset_views(dx, k, s):
        if s >= k:  # windows do not overlap: every input gets at most one share
            dx_view[...] = share
        else:  # overlapping windows: an input collects a share from each of its windows
            dx_view += share
    return dx
    ### END SOLUTION
