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
    # YOUR CODE HERE
    raise NotImplementedError("max_pool_forward is not implemented yet")


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
    # YOUR CODE HERE
    raise NotImplementedError("max_pool_backward is not implemented yet")


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
    # YOUR CODE HERE
    raise NotImplementedError("avg_pool_forward is not implemented yet")


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
    # YOUR CODE HERE
    raise NotImplementedError("avg_pool_backward is not implemented yet")
