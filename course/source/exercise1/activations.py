"""Exercise 1, activation functions: the nonlinearities between a network's layers.

Each activation is a forward/backward pair that follows cnnlab's layer contract:
``*_forward(x) -> (out, cache)`` and ``*_backward(dout, cache) -> dx``. The
exercise teaches the chain rule one elementwise function at a time (the upstream
gradient ``dout`` times the local derivative), why sigmoid and tanh keep their
*outputs* in the cache, what happens exactly at ReLU's kink, and how to keep
``exp`` from overflowing: softmax subtracts each row's maximum and sigmoid
never exponentiates a large positive number. Softmax's backward pass is a
Jacobian-vector product, computed without ever building the Jacobian.
"""

import numpy as np


def relu_forward(x):
    r"""Rectified linear unit, elementwise: ``max(x, 0)``.

    Parameters
    ----------
    x : ndarray, any shape
        Input of any shape, e.g. ``(N, D)`` or ``(N, C, H, W)``.

    Returns
    -------
    out : ndarray, same shape and dtype as x
        ``max(x, 0)`` elementwise.
    cache : ndarray, same shape as x
        The input ``x`` itself: backward needs to know where ``x > 0``.

    Notes
    -----
    Forward: :math:`y_i = \max(x_i, 0)`.

    Backward: :math:`\partial L/\partial x_i = \partial L/\partial y_i` where
    :math:`x_i > 0` and :math:`0` elsewhere, **including at exactly**
    :math:`x_i = 0` (ReLU has no derivative there; 0 is the convention PyTorch
    uses).

    ``x`` must not be modified: use ``np.maximum``, not an in-place assignment.

    Examples
    --------
    >>> out, cache = relu_forward(np.array([-2.0, 0.0, 3.0]))
    >>> out
    array([0., 0., 3.])
    """
    # YOUR CODE HERE
    raise NotImplementedError("relu_forward is not implemented yet")


def relu_backward(dout, cache):
    r"""Backward pass of :func:`relu_forward`.

    Parameters
    ----------
    dout : ndarray, same shape as x
        Upstream gradient :math:`\partial L/\partial y`.
    cache : ndarray, same shape as x
        What :func:`relu_forward` returned: the input ``x``.

    Returns
    -------
    dx : ndarray, same shape as x, dtype of dout
        :math:`\partial L/\partial x`: ``dout`` where ``x > 0``, 0 elsewhere
        (also where ``x == 0``).

    Notes
    -----
    :math:`dx = dout \odot [x > 0]`, with the strict inequality.

    Examples
    --------
    >>> _, cache = relu_forward(np.array([-2.0, 0.0, 3.0]))
    >>> relu_backward(np.array([5.0, 5.0, 5.0]), cache)
    array([0., 0., 5.])
    """
    # YOUR CODE HERE
    raise NotImplementedError("relu_backward is not implemented yet")


def leaky_relu_forward(x, alpha=0.01):
    r"""Leaky ReLU, elementwise: ``x`` where ``x > 0``, ``alpha * x`` elsewhere.

    Parameters
    ----------
    x : ndarray, any shape
        Input of any shape.
    alpha : float, optional
        Slope for non-positive inputs (default 0.01, as in PyTorch).

    Returns
    -------
    out : ndarray, same shape and dtype as x
    cache : tuple
        ``(x, alpha)``: the input, to know which side of 0 each element is on,
        and the slope.

    Notes
    -----
    Forward: :math:`y_i = x_i` if :math:`x_i > 0`, else :math:`\alpha x_i`.

    Backward: :math:`\partial L/\partial x_i = \partial L/\partial y_i` if
    :math:`x_i > 0`, else :math:`\alpha\,\partial L/\partial y_i`; so the
    gradient at exactly :math:`x_i = 0` is :math:`\alpha` times ``dout``, as in
    PyTorch.

    Keep float32 inputs float32: multiply by a Python ``float(alpha)``, because
    a NumPy ``float64`` scalar would promote the result to float64.

    Examples
    --------
    >>> out, cache = leaky_relu_forward(np.array([-2.0, 0.0, 3.0]), alpha=0.1)
    >>> out
    array([-0.2,  0. ,  3. ])
    """
    # YOUR CODE HERE
    raise NotImplementedError("leaky_relu_forward is not implemented yet")


def leaky_relu_backward(dout, cache):
    r"""Backward pass of :func:`leaky_relu_forward`.

    Parameters
    ----------
    dout : ndarray, same shape as x
        Upstream gradient :math:`\partial L/\partial y`.
    cache : tuple
        ``(x, alpha)`` from :func:`leaky_relu_forward`.

    Returns
    -------
    dx : ndarray, same shape as x, dtype of dout
        ``dout`` where ``x > 0``, ``alpha * dout`` elsewhere (also at ``x == 0``).

    Notes
    -----
    :math:`dx = dout \odot ([x > 0] + \alpha [x \le 0])`.

    Examples
    --------
    >>> _, cache = leaky_relu_forward(np.array([-2.0, 0.0, 3.0]), alpha=0.1)
    >>> leaky_relu_backward(np.array([5.0, 5.0, 5.0]), cache)
    array([0.5, 0.5, 5. ])
    """
    # YOUR CODE HERE
    raise NotImplementedError("leaky_relu_backward is not implemented yet")


def sigmoid_forward(x):
    r"""Logistic sigmoid, elementwise: ``1 / (1 + exp(-x))``, without overflow.

    Parameters
    ----------
    x : ndarray, any shape
        Input of any shape; may hold large values such as ``±1e4``.

    Returns
    -------
    out : ndarray, same shape and dtype as x
        :math:`\sigma(x)`, in :math:`[0, 1]`.
    cache : ndarray, same shape as x
        The output ``out``: the derivative is written in terms of it.

    Notes
    -----
    Forward: :math:`\sigma(x) = 1 / (1 + e^{-x})`. Written this way,
    ``np.exp(-x)`` overflows (with a RuntimeWarning) for ``x = -1e4``. Only ever
    exponentiate a non-positive number: with :math:`z = e^{-|x|} \in (0, 1]`,

    .. math::

        \sigma(x) = \frac{1}{1 + z} \text{ if } x \ge 0, \qquad
        \sigma(x) = \frac{z}{1 + z} \text{ if } x < 0.

    Backward: :math:`\sigma'(x) = \sigma(x)(1 - \sigma(x))`, so
    :math:`dx = dout \odot y \odot (1 - y)` with the cached output :math:`y`.

    Examples
    --------
    >>> out, _ = sigmoid_forward(np.array([-1e4, 0.0, 1e4]))
    >>> out
    array([0. , 0.5, 1. ])
    """
    # YOUR CODE HERE
    raise NotImplementedError("sigmoid_forward is not implemented yet")


def sigmoid_backward(dout, cache):
    r"""Backward pass of :func:`sigmoid_forward`.

    Parameters
    ----------
    dout : ndarray, same shape as x
        Upstream gradient :math:`\partial L/\partial y`.
    cache : ndarray, same shape as x
        The output ``y = sigmoid(x)`` from :func:`sigmoid_forward`.

    Returns
    -------
    dx : ndarray, same shape as x
        :math:`dout \odot y \odot (1 - y)`.
    """
    # YOUR CODE HERE
    raise NotImplementedError("sigmoid_backward is not implemented yet")


def tanh_forward(x):
    r"""Hyperbolic tangent, elementwise.

    Parameters
    ----------
    x : ndarray, any shape
        Input of any shape.

    Returns
    -------
    out : ndarray, same shape and dtype as x
        :math:`\tanh(x)`, in :math:`[-1, 1]`.
    cache : ndarray, same shape as x
        The output ``out``: the derivative is written in terms of it.

    Notes
    -----
    Forward: :math:`y = \tanh(x)` (``np.tanh`` is already stable for large
    :math:`|x|`).

    Backward: :math:`\tanh'(x) = 1 - \tanh^2(x)`, so
    :math:`dx = dout \odot (1 - y^2)` with the cached output :math:`y`.
    """
    # YOUR CODE HERE
    raise NotImplementedError("tanh_forward is not implemented yet")


def tanh_backward(dout, cache):
    r"""Backward pass of :func:`tanh_forward`.

    Parameters
    ----------
    dout : ndarray, same shape as x
        Upstream gradient :math:`\partial L/\partial y`.
    cache : ndarray, same shape as x
        The output ``y = tanh(x)`` from :func:`tanh_forward`.

    Returns
    -------
    dx : ndarray, same shape as x
        :math:`dout \odot (1 - y^2)`.
    """
    # YOUR CODE HERE
    raise NotImplementedError("tanh_backward is not implemented yet")


def softmax_forward(x):
    r"""Softmax over the last axis, numerically stable.

    Parameters
    ----------
    x : ndarray, shape (..., C)
        Scores (logits); softmax is taken over the last axis, of length
        ``C >= 1``. Typically ``(N, C)``: one row of ``C`` class scores per example.

    Returns
    -------
    out : ndarray, shape (..., C), dtype of x
        Probabilities: non-negative, each row sums to 1.
    cache : ndarray, shape (..., C)
        The output ``out``: backward needs only the probabilities.

    Raises
    ------
    ValueError
        If ``x`` is 0-d or its last axis is empty (there is nothing to
        normalise over).

    Notes
    -----
    Forward: :math:`y_i = e^{x_i} / \sum_j e^{x_j}` along the last axis.
    ``np.exp(1e4)`` overflows to ``inf`` (and ``inf / inf`` is ``nan``), so first
    subtract each row's maximum :math:`m = \max_j x_j`. This changes nothing,
    since :math:`e^{x_i - m} / \sum_j e^{x_j - m} = e^{x_i} / \sum_j e^{x_j}`,
    and now every exponent is :math:`\le 0` and the largest term is exactly 1.

    Backward: the Jacobian is :math:`\partial y_i / \partial x_j =
    y_i(\delta_{ij} - y_j)`; every output depends on every input of its row.
    Its product with ``dout`` is

    .. math::

        dx_j = \sum_i dout_i\, y_i (\delta_{ij} - y_j)
             = y_j \Big(dout_j - \sum_i dout_i\, y_i\Big),

    computed with a row sum, without building the :math:`C \times C` Jacobian.

    Examples
    --------
    >>> out, _ = softmax_forward(np.array([[0.0, np.log(3.0)], [1e4, 1e4]]))
    >>> out
    array([[0.25, 0.75],
           [0.5 , 0.5 ]])
    """
    # YOUR CODE HERE
    raise NotImplementedError("softmax_forward is not implemented yet")


def softmax_backward(dout, cache):
    r"""Backward pass of :func:`softmax_forward`: a Jacobian-vector product.

    Parameters
    ----------
    dout : ndarray, shape (..., C)
        Upstream gradient :math:`\partial L/\partial y`.
    cache : ndarray, shape (..., C)
        The output ``y = softmax(x)`` from :func:`softmax_forward`.

    Returns
    -------
    dx : ndarray, shape (..., C)
        :math:`y \odot (dout - \sum_{\text{last axis}} dout \odot y)`.

    Notes
    -----
    See :func:`softmax_forward`. Using only the diagonal of the Jacobian,
    ``dout * y * (1 - y)``, is a classic mistake: it drops how each
    probability falls when another score rises.
    """
    # YOUR CODE HERE
    raise NotImplementedError("softmax_backward is not implemented yet")
