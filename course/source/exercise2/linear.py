"""Exercise 2, the fully connected (affine) layer: ``out = x w + b``.

The affine layer is the workhorse at the end of a convolutional network: it
flattens each example's feature maps into one vector and multiplies by a weight
matrix. The exercise teaches the three gradients of a matrix product (each one
has the shape of the thing it is the gradient of, which tells you where the
transposes go), why the bias gradient is a sum over the batch, and that the
input gradient must be reshaped back to the input's original shape.
"""

import math

import numpy as np


def affine_forward(x, w, b):
    r"""Fully connected layer: flatten each example, then ``x_flat @ w + b``.

    Parameters
    ----------
    x : ndarray, shape (N, d1, ..., dk)
        A batch of ``N`` examples; each is flattened to a vector of
        ``D = d1 * ... * dk`` numbers (for example ``(N, C, H, W)`` feature maps
        become ``(N, C*H*W)``).
    w : ndarray, shape (D, M)
        Weights: column ``j`` holds the ``D`` weights of output unit ``j``.
    b : ndarray, shape (M,)
        Biases, one per output unit.

    Returns
    -------
    out : ndarray, shape (N, M)
        :math:`x_{flat} w + b`.
    cache : tuple
        ``(x, w)``: backward needs both (and ``x``'s original shape, which ``x``
        carries). It does not need ``b``.

    Raises
    ------
    ValueError
        If ``w`` is not 2-D, if ``x``'s flattened size ``D`` differs from
        ``w.shape[0]``, or if ``b``'s shape is not ``(M,)``.

    Notes
    -----
    Forward, with :math:`X` the ``(N, D)`` flattened input:
    :math:`Y = X W + \mathbf{1} b^T`, i.e. :math:`y_{nj} = \sum_d x_{nd} w_{dj} + b_j`.

    Backward, given :math:`dY = \partial L / \partial Y` of shape ``(N, M)``:

    .. math::

        dX = dY\, W^T \;(N, D), \qquad dW = X^T dY \;(D, M), \qquad
        db_j = \sum_n dY_{nj} \;(M,),

    and ``dX`` is reshaped back to ``(N, d1, ..., dk)``. Each gradient has the
    shape of the array it belongs to, which fixes where the transposes go.

    Examples
    --------
    >>> x = np.ones((2, 2, 3))  # two examples of 2 x 3 features, D = 6
    >>> out, _ = affine_forward(x, np.ones((6, 4)), np.arange(4.0))
    >>> out
    array([[6., 7., 8., 9.],
           [6., 7., 8., 9.]])
    """
    # YOUR CODE HERE
    raise NotImplementedError("affine_forward is not implemented yet")


def affine_backward(dout, cache):
    r"""Backward pass of :func:`affine_forward`.

    Parameters
    ----------
    dout : ndarray, shape (N, M)
        Upstream gradient :math:`\partial L / \partial\,out`.
    cache : tuple
        ``(x, w)`` from :func:`affine_forward`: ``x`` of shape ``(N, d1, ..., dk)``
        and ``w`` of shape ``(D, M)``.

    Returns
    -------
    dx : ndarray, shape (N, d1, ..., dk)
        :math:`dout\, w^T`, reshaped to ``x``'s original shape.
    dw : ndarray, shape (D, M)
        :math:`x_{flat}^T\, dout`.
    db : ndarray, shape (M,)
        ``dout`` summed over the batch: every example adds to the same bias.

    Notes
    -----
    See :func:`affine_forward` for the math.
    """
    # YOUR CODE HERE
    raise NotImplementedError("affine_backward is not implemented yet")
