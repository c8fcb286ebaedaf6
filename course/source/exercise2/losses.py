"""Exercise 2, losses: softmax cross-entropy for classification, mean squared error for regression.

A loss turns a batch of predictions into one number to minimise, and its
gradient is where backpropagation starts. The exercise teaches the log-sum-exp
trick (cross-entropy on logits of 1e4 without overflow, computed from
log-probabilities rather than the log of a probability that rounded to 0), the
famously simple gradient ``(softmax - onehot) / N``, why "mean" losses divide
their gradient by the number of terms, and checking labels before using them
as indices.
"""

import numpy as np


def softmax_cross_entropy(scores, y):
    r"""Mean softmax cross-entropy of a batch of class scores, and its gradient.

    Parameters
    ----------
    scores : ndarray, shape (N, C)
        Unnormalised class scores (logits): row ``i`` holds the ``C`` scores of
        example ``i``. May be as large as ``±1e4``.
    y : ndarray of int, shape (N,)
        True class of each example, an integer in ``[0, C)``.

    Returns
    -------
    loss : float
        :math:`\frac{1}{N} \sum_i -\log \mathrm{softmax}(s_i)_{y_i}`, as a
        Python float.
    dscores : ndarray, shape (N, C), dtype of scores
        :math:`\partial\, loss / \partial\, scores = (\mathrm{softmax}(s) - \mathrm{onehot}(y)) / N`.

    Raises
    ------
    ValueError
        If ``scores`` is not 2-D or has no examples or no classes; if ``y``'s
        shape is not ``(N,)``; if ``y`` does not hold integers; if a label lies
        outside ``[0, C)`` (negative labels too: NumPy would silently index
        from the end).

    Notes
    -----
    Forward, per example :math:`i` with scores :math:`s_i` and
    :math:`m_i = \max_j s_{ij}`:

    .. math::

        \log p_{ij} = s_{ij} - m_i - \log \sum_k e^{s_{ik} - m_i}, \qquad
        loss = -\frac{1}{N} \sum_i \log p_{i y_i}.

    Subtracting :math:`m_i` keeps every exponent :math:`\le 0` (no overflow) and
    the sum :math:`\ge 1` (its log is finite). Take the log-probabilities
    directly: ``np.log(softmax)`` gives ``-inf`` when a probability underflows
    to 0, while the true loss is large but finite.

    Backward: :math:`\partial\, loss / \partial s_{ij} = (p_{ij} - [j = y_i]) / N`.

    Examples
    --------
    Two classes with equal scores: each gets probability 1/2, the loss is log 2.

    >>> loss, dscores = softmax_cross_entropy(np.zeros((1, 2)), np.array([1]))
    >>> round(loss, 6), dscores
    (0.693147, array([[ 0.5, -0.5]]))
    """
    # YOUR CODE HERE
    raise NotImplementedError("softmax_cross_entropy is not implemented yet")


def mse_loss(pred, target):
    r"""Mean squared error over all elements, and its gradient.

    Parameters
    ----------
    pred : ndarray, any shape
        Predictions, e.g. ``(N, M)``.
    target : ndarray, same shape as pred
        Targets. The shapes must match exactly: broadcasting ``(N, 1)``
        against ``(N,)`` would silently compare every pair.

    Returns
    -------
    loss : float
        :math:`\frac{1}{P} \sum_k (pred_k - target_k)^2` over all
        :math:`P` = ``pred.size`` elements, as a Python float.
    dpred : ndarray, same shape and dtype as pred
        :math:`2 (pred - target) / P`.

    Raises
    ------
    ValueError
        If ``pred`` and ``target`` have different shapes, or are empty (the
        mean of no terms is undefined).

    Notes
    -----
    The mean runs over every element, not just the batch axis (as PyTorch's
    ``F.mse_loss`` with ``reduction='mean'``), so the gradient divides by
    ``pred.size``.

    Examples
    --------
    >>> loss, dpred = mse_loss(np.array([1.0, 2.0]), np.array([1.0, 4.0]))
    >>> loss, dpred
    (2.0, array([ 0., -2.]))
    """
    # YOUR CODE HERE
    raise NotImplementedError("mse_loss is not implemented yet")
