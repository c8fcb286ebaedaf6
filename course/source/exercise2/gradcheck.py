"""Exercise 2, gradient checking: estimate a gradient numerically to test a backward pass.

A backward pass that is wrong still trains, badly, and nothing crashes. The
only reliable test is to compare it with a gradient estimated from the forward
pass alone: nudge one input by ``±h``, see how much the output moves, repeat for
every input. The exercise teaches centred differences (their error shrinks like
``h**2``, a one-sided difference's only like ``h``), how to choose ``h``
between truncation error and floating-point cancellation, why checks run in
float64, and how to perturb an array in place and leave it exactly as it was,
even when the function under test raises.
"""

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    r"""Numerical gradient of a scalar-valued function by centred differences.

    Parameters
    ----------
    f : callable
        ``f(x) -> scalar`` (a Python or NumPy number, or an array of size 1).
        It must read ``x`` afresh on each call, because ``x`` is changed in place.
    x : ndarray, any shape, floating point
        The point at which to estimate the gradient. It is perturbed in place
        one element at a time and restored: afterwards it is bit-for-bit what it
        was, even if ``f`` raises.
    h : float, optional
        The step, default ``1e-5`` (good for float64 and values of order 1).

    Returns
    -------
    grad : ndarray, same shape as x, float64
        ``grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2 h)``, with ``e_i`` the
        unit vector along element ``i``.

    Raises
    ------
    ValueError
        If ``x`` is not a floating-point array (an integer array cannot hold
        ``x + h``), if ``h <= 0``, or if ``f`` does not return a single number.

    Notes
    -----
    *Why centred differences.* By Taylor's theorem,

    .. math::

        f(x \pm h) = f(x) \pm h f'(x) + \tfrac{h^2}{2} f''(x)
                     \pm \tfrac{h^3}{6} f'''(x) + O(h^4),

    so :math:`(f(x+h) - f(x-h)) / 2h = f'(x) + \tfrac{h^2}{6} f'''(x) + O(h^4)`:
    the even terms cancel and the error is :math:`O(h^2)`. The one-sided
    :math:`(f(x+h) - f(x)) / h` keeps the :math:`\tfrac{h}{2} f''` term: error
    :math:`O(h)`. Halving ``h`` divides the centred error by about 4, the
    one-sided error only by 2.

    *How to choose h.* Two errors pull in opposite directions. Truncation error
    :math:`\approx h^2 |f'''| / 6` wants a small ``h``; but ``f(x+h)`` and
    ``f(x-h)`` are each rounded to a relative precision :math:`\varepsilon`
    (about ``1e-16`` in float64, ``1e-7`` in float32), and their difference is
    divided by ``2h``, giving a rounding error :math:`\approx \varepsilon |f| / h`
    that wants a large ``h``. The sum is smallest near
    :math:`h \approx \varepsilon^{1/3}` times the scale of ``x``: about ``1e-5``
    in float64 for inputs of order 1, where both errors are around ``1e-10``.
    In float32 the best achievable error is only about ``1e-5``, too coarse to
    judge a backward pass: run gradient checks in float64. Keep ``h`` well
    below the distance to any kink (ReLU at 0, ties in a max), or the two
    evaluations straddle it.

    *Restoring x.* Save each element's value before perturbing it and write
    that saved value back in a ``finally:`` block: ``(old + h) - h`` is not
    always ``old`` in floating point, and an exception raised by ``f`` must not
    leave ``x`` perturbed for the caller.

    The loop over elements is inherent (each element needs two evaluations of
    ``f``), so use this on small inputs.

    Examples
    --------
    The gradient of :math:`\sum_i x_i^2` is :math:`2x`:

    >>> x = np.array([1.0, -2.0, 3.0])
    >>> np.round(numerical_gradient(lambda v: np.sum(v ** 2), x), 8)
    array([ 2., -4.,  6.])
    """
    # YOUR CODE HERE
    raise NotImplementedError("numerical_gradient is not implemented yet")


def numerical_gradient_array(f, x, dout, h=1e-5):
    r"""Numerical gradient of ``sum(f(x) * dout)`` for an array-valued ``f``.

    This is what a backward pass computes: given the upstream gradient
    ``dout`` of a layer's output, the gradient with respect to its input.

    Parameters
    ----------
    f : callable
        ``f(x) -> ndarray`` of the same shape as ``dout`` (for a layer,
        ``lambda x: layer_forward(x, ...)[0]``). It must read ``x`` afresh on
        each call, because ``x`` is changed in place.
    x : ndarray, any shape, floating point
        The point at which to estimate the gradient; perturbed in place and
        restored bit-for-bit, even if ``f`` raises.
    dout : ndarray, shape of f(x)
        Upstream gradient: weights of the outputs in the scalar
        :math:`\sum_k f(x)_k\, dout_k`. Not modified.
    h : float, optional
        The step, default ``1e-5``; see :func:`numerical_gradient` for how to
        choose it.

    Returns
    -------
    grad : ndarray, same shape as x, float64
        ``grad[i] = sum((f(x + h e_i) - f(x - h e_i)) * dout) / (2 h)``.

    Raises
    ------
    ValueError
        If ``x`` is not a floating-point array, if ``h <= 0``, or if ``f(x)``
        and ``dout`` have different shapes.

    Notes
    -----
    :math:`\partial/\partial x_i \sum_k f_k(x)\, dout_k = \sum_k dout_k\,
    \partial f_k / \partial x_i`, i.e. the Jacobian-transpose-vector product
    :math:`J^T dout` that ``*_backward(dout, cache)`` returns. It is estimated
    by centred differences of that scalar, with :math:`O(h^2)` error (see
    :func:`numerical_gradient`). The products and sums are taken in float64.

    Examples
    --------
    For elementwise :math:`f(x) = x^2` the result is :math:`2x \odot dout`:

    >>> x, dout = np.array([1.0, -2.0]), np.array([10.0, 1.0])
    >>> np.round(numerical_gradient_array(lambda v: v ** 2, x, dout), 8)
    array([20., -4.])
    """
    # YOUR CODE HERE
    raise NotImplementedError("numerical_gradient_array is not implemented yet")
